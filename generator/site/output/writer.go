// Package output is where a build writes files: the Writer renders jobs
// and writes them (fresh, over an earlier build, or in place), copies
// published files, and remembers every output; Claim and Target.Swap keep
// the folder a build replaces, and the spare it writes the next build
// over, its own. Package site plans what to write; this package alone
// writes it.
package output

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/stp-portal/stp/generator/diag"
	"github.com/stp-portal/stp/generator/internal/par"
)

// Job renders one output file. Key hashes everything the output depends
// on; a job whose key matches the output already written is skipped. Zero
// means "always render".
type Job struct {
	Rel    string
	Key    uint64
	Render func(*bytes.Buffer) error
}

// Meter is told how many outputs a Writer plans and when each is written,
// for a progress display.
type Meter interface {
	Planned(n int)
	Written()
}

// Option sets how a Writer writes.
type Option func(*Writer)

// Dry renders everything but writes nothing, for stp check.
func Dry() Option { return func(w *Writer) { w.dry = true } }

// Reuse says the folder holds an earlier build (stp build's spare):
// outputs are written over its files, those with the same bytes are left
// as they are, and RemoveStale removes what this build did not write.
// Making a new inode is a large build's most expensive system call.
func Reuse(reuse bool) Option { return func(w *Writer) { w.reuse = reuse } }

// InPlace writes into the folder a site is served from (the dev server's
// rebuilds): keys are the last build's output keys, whose unchanged
// outputs are skipped, outputs everything it wrote. Outputs are written
// only once all rendered.
func InPlace(keys map[string]uint64, outputs map[string]bool) Option {
	return func(w *Writer) {
		w.inPlace = true
		w.prevKeys = keys
		w.prevOutputs = outputs
		// Sized like the last build's, so that they do not grow step by step.
		w.written = make(map[string]bool, len(outputs))
		w.keys = make(map[string]uint64, len(keys))
	}
}

// WriteFirst, in place, writes the outputs first names before any other,
// then calls ready once with the outputs still to come: the pages open in
// a browser, which a dev server reloads while the rest renders.
func WriteFirst(first map[string]bool, ready func(pending map[string]bool)) Option {
	return func(w *Writer) { w.first, w.ready = first, ready }
}

// Metered tells m about the outputs planned and written; nil tells no one.
func Metered(m Meter) Option { return func(w *Writer) { w.meter = m } }

// Explain turns a render error into a problem at the input's line (a
// template's file:line:col); nil leaves the error as it is.
func Explain(explain func(error) *diag.Problem) Option {
	return func(w *Writer) { w.explain = explain }
}

// KeepFolders names folders (such as "search") that RemoveStale leaves to
// whoever writes them.
func KeepFolders(dirs ...string) Option { return func(w *Writer) { w.keep = dirs } }

// Writer writes the output tree. Pages are rendered by a pool of workers,
// one per CPU. In a fresh folder each page is written as soon as it is
// rendered; in place pages whose key is unchanged are skipped, and the
// others are written only once all rendered.
type Writer struct {
	dir     string
	dry     bool
	inPlace bool
	reuse   bool
	// kept counts the outputs a reusing build found already in place.
	kept atomic.Int64
	// prevKeys are the keys of the outputs already in dir; keys collects
	// this build's.
	prevKeys map[string]uint64
	keys     map[string]uint64
	// prevOutputs are the last build's outputs (in place); added counts
	// this build's outputs not among them.
	prevOutputs map[string]bool
	added       int

	first   map[string]bool
	ready   func(pending map[string]bool)
	meter   Meter
	explain func(error) *diag.Problem
	keep    []string

	mu       sync.Mutex
	dirs     map[string]bool
	pages    int
	rendered int
	files    int
	bytes    int64
	// written records every output of this build, skipped or not;
	// rewritten the pages and files actually written.
	written   map[string]bool
	rewritten []string
}

// New returns a Writer into dir.
func New(dir string, opts ...Option) *Writer {
	w := &Writer{dir: dir, dirs: map[string]bool{"": true}, written: map[string]bool{}, keys: map[string]uint64{}}
	for _, o := range opts {
		o(w)
	}
	return w
}

// Dir is the folder w writes into.
func (w *Writer) Dir() string { return w.dir }

// IsDry tells whether w writes nothing.
func (w *Writer) IsDry() bool { return w.dry }

// IsInPlace tells whether w writes where the site is served from.
func (w *Writer) IsInPlace() bool { return w.inPlace }

// Stats count what a Writer did.
type Stats struct {
	// Pages are the HTML outputs, Files the published files copied or
	// claimed, Bytes their size.
	Pages, Files int
	Bytes        int64
	// Rendered counts the outputs rendered (not skipped), Rewritten names
	// them; Kept the outputs found in place with the same bytes (Reuse).
	Rendered  int
	Rewritten []string
	Kept      int
	// Added counts the outputs the last build (InPlace) did not write.
	Added int
}

// Stats returns what w did so far.
func (w *Writer) Stats() Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	return Stats{Pages: w.pages, Files: w.files, Bytes: w.bytes, Rendered: w.rendered, Rewritten: w.rewritten,
		Kept: int(w.kept.Load()), Added: w.added}
}

// Written returns every output of this build, skipped or not. It is w's
// own map: the caller keeps it once w is done.
func (w *Writer) Written() map[string]bool { return w.written }

// Keys returns the key of every output that has one.
func (w *Writer) Keys() map[string]uint64 { return w.keys }

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Run renders and writes jobs. Render errors that Explain knows come back
// as diag.Problems at the input's line.
func (w *Writer) Run(jobs []Job) error {
	todo := make([]Job, 0, len(jobs))
	w.mu.Lock()
	for _, j := range jobs {
		if !w.addLocked(j.Rel) {
			w.mu.Unlock()
			return fmt.Errorf("two outputs want %s; rename one of the pages or files", j.Rel)
		}
		if strings.HasSuffix(j.Rel, ".html") {
			w.pages++
		}
		if j.Key != 0 {
			w.keys[j.Rel] = j.Key
			if w.inPlace && w.prevKeys[j.Rel] == j.Key {
				continue
			}
		}
		todo = append(todo, j)
	}
	w.rendered += len(todo)
	if w.meter != nil {
		w.meter.Planned(len(todo))
	}
	for _, j := range todo {
		w.rewritten = append(w.rewritten, j.Rel)
	}
	w.mu.Unlock()
	if w.ready != nil && w.inPlace {
		var first, rest []Job
		for _, j := range todo {
			if w.first[j.Rel] {
				first = append(first, j)
			} else {
				rest = append(rest, j)
			}
		}
		if len(first) > 0 {
			if err := w.render(first); err != nil {
				return err
			}
			pending := make(map[string]bool, len(rest))
			for _, j := range rest {
				pending[j.Rel] = true
			}
			w.ready(pending)
			w.ready = nil
			todo = rest
		}
	}
	return w.render(todo)
}

// render renders todo and writes it: in a fresh folder each output as soon
// as it is rendered, in place only once all rendered.
func (w *Writer) render(todo []Job) error {
	rels := make([]string, len(todo))
	for i, j := range todo {
		rels[i] = j.Rel
	}
	dirs := w.makeDirs(rels)
	defer dirs.stop()
	var staged [][]byte
	if w.inPlace {
		staged = make([][]byte, len(todo))
	}
	err := par.Each(0, len(todo), func(i int) error {
		buf := bufPool.Get().(*bytes.Buffer)
		defer bufPool.Put(buf)
		buf.Reset()
		if err := todo[i].Render(buf); err != nil {
			return w.renderError(todo[i].Rel, err)
		}
		if w.meter != nil {
			w.meter.Written()
		}
		if staged != nil {
			staged[i] = bytes.Clone(buf.Bytes())
			return nil
		}
		if err := dirs.wait(i); err != nil {
			return err
		}
		return w.write(todo[i].Rel, buf.Bytes())
	})
	var problems diag.Problems
	if errors.As(err, &problems) {
		return problems
	}
	if err != nil || staged == nil {
		return err
	}
	if err := dirs.wait(len(todo) - 1); err != nil {
		return err
	}
	return par.Each(0, len(todo), func(i int) error { return w.write(todo[i].Rel, staged[i]) })
}

// renderError returns a render error as a problem at its input's line
// when Explain knows it, else says which output failed.
func (w *Writer) renderError(rel string, err error) error {
	if w.explain != nil {
		if p := w.explain(err); p != nil {
			return diag.Problems{p}
		}
	}
	return fmt.Errorf("rendering %s: %w", rel, err)
}

// write writes one file whose folder exists.
func (w *Writer) write(rel string, data []byte) error {
	if !w.dry {
		p := filepath.Join(w.dir, filepath.FromSlash(rel))
		var err error
		if w.reuse {
			var same bool
			if same, err = sameFile(p, bytes.NewReader(data)); err == nil && !same {
				err = replaceFile(p, func(f io.Writer) error { _, err := f.Write(data); return err })
			} else if same {
				w.kept.Add(1)
			}
		} else {
			err = os.WriteFile(p, data, 0o644)
		}
		if err != nil {
			return err
		}
	}
	w.mu.Lock()
	w.bytes += int64(len(data))
	w.mu.Unlock()
	return nil
}

// Claim records rels, published files the last build wrote once each, as
// outputs of this build without writing them.
func (w *Writer) Claim(rels ...string) {
	w.mu.Lock()
	for _, rel := range rels {
		w.addLocked(rel)
	}
	w.files += len(rels)
	w.mu.Unlock()
}

// addLocked records rel as an output of this build, counting it as added
// when the last build (in place) did not write it. It reports false when
// rel was recorded already. w.mu is held.
func (w *Writer) addLocked(rel string) bool {
	if w.written[rel] {
		return false
	}
	w.written[rel] = true
	if w.inPlace && !w.prevOutputs[rel] {
		w.added++
	}
	return true
}

// RemoveStale removes, from an earlier build being reused, every file and
// folder this build did not write, but the marker and the KeepFolders.
func (w *Writer) RemoveStale() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	var dirs []string
	err := filepath.WalkDir(w.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(w.dir, p)
		rel = filepath.ToSlash(rel)
		switch {
		case rel == "." || rel == Marker:
			return nil
		case d.IsDir():
			if slices.Contains(w.keep, rel) {
				return fs.SkipDir
			}
			if !w.dirs[rel] {
				dirs = append(dirs, p)
			}
			return nil
		case !w.written[rel]:
			return os.Remove(p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Deepest first, so that a stale folder is empty when its turn comes.
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := os.RemoveAll(dirs[i]); err != nil {
			return err
		}
	}
	return nil
}

// MissingIndexes returns every output folder without an index.html
// ("/"-terminated, "" for the top), so that a plain file server never
// lists a folder.
func (w *Writer) MissingIndexes() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	dirs := map[string]bool{}
	for rel := range w.written {
		for d := path.Dir(rel); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	var out []string
	for d := range dirs {
		if !w.written[d+"/index.html"] {
			out = append(out, d+"/")
		}
	}
	if !w.written["index.html"] {
		out = append(out, "")
	}
	sort.Strings(out)
	return out
}

// IndexAbove returns the nearest folder above dir (a "/"-terminated
// output folder) that has an index page; "" is the top.
func (w *Writer) IndexAbove(dir string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	for dir != "" {
		dir = strings.TrimSuffix(path.Dir(strings.TrimSuffix(dir, "/")), ".") + "/"
		if dir == "/" {
			return ""
		}
		if w.written[dir+"index.html"] {
			return dir
		}
	}
	return ""
}
