// Package site builds the portal: it loads the catalog, the Markdown pages
// and the layouts, plans every page of the gated site and of the public
// prefix, renders them in parallel and swaps the result into place, so that
// a failed build leaves the previous output untouched.
package site

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/stp-portal/stp/generator/catalog"
	"github.com/stp-portal/stp/generator/diag"
	"github.com/stp-portal/stp/generator/urls"
)

// PublicPrefix is the URL prefix readable without signing in, urls.Public.
const PublicPrefix = urls.Public

// Options say what to build and where.
type Options struct {
	// Root holds catalog.yaml, content/ and layouts/.
	Root string
	// Out is the output folder, replaced as a whole on success: a folder
	// of its own, missing, empty or made by an earlier build.
	Out string
	// Now is the build date: retention, "new" badges and scheduled
	// documents are decided as of this day.
	Now time.Time
	// BaseURL overrides site.base_url, e.g. for a preview at a sub-path.
	BaseURL string
	// Preview marks every page as a preview: a banner and noindex.
	Preview bool
	// Dev adds the dev server's reload script to every page.
	Dev bool
	// Timings, when set, is told when each phase of the build ends.
	Timings io.Writer
	// AllowEmpty builds a portal with no documents when catalog.yaml
	// says documents: [] (see catalog.LoadOptions).
	AllowEmpty bool
	// Progress, when set, is kept up to date as the build goes.
	Progress *Progress
}

// Result tells what a build did.
type Result struct {
	Pages     int
	Files     int
	Documents int // listed versions
	Bytes     int64
	Warnings  diag.Problems
	// Rendered counts the outputs rendered; a rebuild skips unchanged ones.
	// Rewritten names them (published files copied are not included).
	Rendered  int
	Rewritten []string
	// Kept counts the outputs a build over an earlier one (stp build's
	// spare) found in place with the same bytes, and did not write.
	Kept     int
	Duration time.Duration
}

// Build builds the whole site into a folder next to o.Out and swaps it
// into place. Problems in the publisher's input come back as
// diag.Problems (every one found, each at file:line:col); the previous
// output is then left exactly as it was.
//
// The output before the previous one is kept beside o.Out as a hidden
// spare (.public.stp-spare for public/) and the next build is written over
// it: files whose bytes are unchanged are not written again, and no folder
// or file that stays is made anew. The swap is three renames, so nothing
// is deleted but what the new build no longer has.
//
// Build moves and writes over only folders of its own, which it marks: an
// output that overlaps the site's sources, a file, a link, or a folder
// holding files it did not write is refused with an *OutputError before
// anything is written.
func Build(o Options) (*Result, error) {
	o = o.withDefaults()
	dst, err := claimOutput(o)
	if err != nil {
		return nil, err
	}
	out, spare := dst.out, dst.spare
	w := newWriter(spare)
	w.reuse = dst.reuse
	w.progress = o.Progress
	trace := newTracer(o.Timings, o.Progress)
	res, err := (&Builder{o: o}).build(w, nil, trace)
	if err != nil {
		return nil, err
	}
	if w.reuse {
		if err := w.removeStale(); err != nil {
			return nil, fmt.Errorf("cleaning the build folder %s: %w", spare, err)
		}
		trace.phase("stale outputs removed")
	}
	res.Kept = int(w.kept.Load())
	if err := swap(spare, out); err != nil {
		return nil, err
	}
	trace.phase("swapped into place")
	return res, nil
}

// Builder builds the same site again and again, as the dev server does. It
// keeps the last build's catalog, rows and page keys, so that a rebuild
// re-parses only the catalog entries an edit touched, renders only the
// pages whose inputs changed, writes them in place, and removes pages that
// are gone. Pages are rendered in memory first and written only when all
// succeeded, so a broken edit leaves the last good site in place.
type Builder struct {
	o   Options
	cat *catalog.Catalog
	// files remembers the size, time and SHA-256 of published files.
	files map[string]fileStamp
	// trustFiles says no published file changed since the last build.
	trustFiles bool
	// rows and json cache each area's list rows and catalog.json entries
	// by document key; descs rendered descriptions by their Markdown.
	rows [2]map[uint64]template.HTML
	json [2]map[uint64][]byte
	// docKeys remembers each document's key and what else it hashed.
	docKeys [2]map[*catalog.Document]keyMemo
	descs   map[string]description
	// gate is what public content may not link or name, as of the last
	// catalog.
	gate *gate
	// linksKey is the key of the links descs were rendered with.
	linksKey uint64
	// keys are the input hashes of the last build's outputs; outputs holds
	// every file it wrote, pages or not.
	keys    map[string]uint64
	outputs map[string]bool
	global  uint64
	// lists are the last build's list plans, by area and path.
	lists map[string]listPlan
	// pages counts the last build's outputs before folder placeholders,
	// and missing are the folders that then had no index page.
	pages   int
	missing []string

	// The background indexer: at most one index write runs, and only the
	// newest waiting one follows it.
	indexMu      sync.Mutex
	indexKey     uint64
	indexNext    func() error
	indexRunning bool
	indexWG      sync.WaitGroup
	// IndexErrors receives errors of background index writes; nil drops them.
	IndexErrors func(error)

	// First, when set, names outputs (such as "regions/europe/index.html")
	// that a rebuild renders and writes before all others: the pages open
	// in a browser. Ready is then called once they are written, with the
	// outputs still to come, so that a dev server can reload those pages
	// while the rest of the site is rendered. When the rest fails, the
	// pages written first stay written and the build returns the error.
	First func() []string
	Ready func(pending map[string]bool)
}

// indexInBackground runs index unless the records are the ones last indexed.
func (bl *Builder) indexInBackground(key uint64, index func() error) {
	bl.indexMu.Lock()
	defer bl.indexMu.Unlock()
	if key == bl.indexKey {
		return
	}
	bl.indexKey = key
	bl.indexNext = index
	if bl.indexRunning {
		return
	}
	bl.indexRunning = true
	bl.indexWG.Add(1)
	go func() {
		defer bl.indexWG.Done()
		for {
			bl.indexMu.Lock()
			next := bl.indexNext
			bl.indexNext = nil
			if next == nil {
				bl.indexRunning = false
				bl.indexMu.Unlock()
				return
			}
			bl.indexMu.Unlock()
			if err := next(); err != nil && bl.IndexErrors != nil {
				bl.IndexErrors(err)
			}
		}
	}()
}

// missingIndexes returns w.missingIndexes(), or the last build's answer
// when w wrote the same outputs.
func (bl *Builder) missingIndexes(w *writer) []string {
	// No output that the last build did not write, none of its folder
	// placeholders, and as many as its other outputs: the same outputs.
	same := w.inPlace && w.added == 0 && len(w.written) == bl.pages
	for _, dir := range bl.missing {
		same = same && !w.written[dir+"index.html"]
	}
	if !same {
		bl.missing = w.missingIndexes()
		bl.pages = len(w.written)
	}
	return bl.missing
}

// WaitIndex waits for background index writes to finish.
func (bl *Builder) WaitIndex() { bl.indexWG.Wait() }

// fileStamp identifies a published file's content without reading it.
type fileStamp struct {
	size    int64
	modTime time.Time
	sha256  string
}

// listPlan is what a build planned for one list: the hash of its members
// and its pages' outputs and keys (not the pages' data, which a dev server
// would otherwise keep alive from build to build).
type listPlan struct {
	membership uint64
	rels       []string
	keys       []uint64
}

// listsUnchanged returns jobs for the last build's pages of a list whose
// members are the same, when every one of them is in place with that key,
// so that the writer skips them without rendering.
func (bl *Builder) listsUnchanged(key string, membership uint64) ([]job, bool) {
	plan, ok := bl.lists[key]
	if !ok || plan.membership != membership || bl.keys == nil {
		return nil, false
	}
	out := make([]job, len(plan.rels))
	for i, rel := range plan.rels {
		if plan.keys[i] == 0 || bl.keys[rel] != plan.keys[i] {
			return nil, false
		}
		out[i] = job{rel: rel, key: plan.keys[i], render: func(*bytes.Buffer) error {
			return fmt.Errorf("internal: %s was planned as unchanged", rel)
		}}
	}
	return out, true
}

// NewBuilder returns a Builder that writes into o.Out in place.
func NewBuilder(o Options) *Builder {
	return &Builder{o: o.withDefaults()}
}

// Build rebuilds the site. changed names the inputs that changed, relative
// to the root (e.g. "content/files/a.pdf"); nil means anything may have.
func (bl *Builder) Build(changed ...string) (*Result, error) {
	w := newWriter(bl.o.Out)
	w.inPlace = true
	w.prevKeys = bl.keys
	w.prevOutputs = bl.outputs
	// Sized like the last build's, so that they do not grow step by step.
	w.written = make(map[string]bool, len(bl.outputs))
	w.keys = make(map[string]uint64, len(bl.keys))
	if bl.First != nil && bl.Ready != nil {
		w.first = map[string]bool{}
		for _, rel := range bl.First() {
			w.first[rel] = true
		}
		w.ready = bl.Ready
	}
	if bl.outputs == nil {
		if _, err := outputPath(bl.o); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(bl.o.Out, 0o755); err != nil {
		return nil, err
	}
	if changed == nil {
		bl.files = nil // re-check every file
	}
	bl.trustFiles = changed != nil
	for _, c := range changed {
		delete(bl.files, filepath.Join(bl.o.Root, filepath.FromSlash(c)))
		if strings.HasPrefix(c, "content/") && !strings.HasSuffix(c, ".md") {
			bl.trustFiles = false
		}
	}
	w.progress = bl.o.Progress
	res, err := bl.build(w, changed, newTracer(bl.o.Timings, bl.o.Progress))
	if err != nil {
		return nil, err
	}
	// Remove what the previous build wrote and this one did not (if it
	// wrote no new outputs and as many, there is none).
	if w.added > 0 || len(w.written) != len(bl.outputs) {
		for rel := range bl.outputs {
			if !w.written[rel] {
				_ = os.Remove(filepath.Join(bl.o.Out, filepath.FromSlash(rel)))
			}
		}
	}
	bl.outputs = w.written
	return res, nil
}

// build loads, plans and renders through w.
func (bl *Builder) build(w *writer, changed []string, trace *tracer) (*Result, error) {
	start := time.Now()
	s, problems := bl.load()
	trace.phase("inputs loaded")
	if s == nil {
		return nil, problems
	}
	s.trace = trace
	if err := s.render(w); err != nil {
		return nil, err
	}
	problems = append(problems, <-s.warnings...)
	bl.keys = w.keys
	bl.lists = s.lists
	return &Result{Warnings: problems, Pages: w.pages, Files: w.files, Bytes: w.bytes,
		Documents: s.listedVersions, Rendered: w.rendered, Rewritten: w.rewritten, Duration: time.Since(start)}, nil
}

// Check does all a build does, rendering every page, but writes nothing.
// It returns every problem, warnings included.
func Check(o Options) diag.Problems {
	bl := &Builder{o: o.withDefaults()}
	trace := newTracer(nil, o.Progress)
	s, problems := bl.load()
	trace.phase("inputs loaded")
	if s == nil {
		return problems
	}
	s.trace = trace
	err := s.render(&writer{dry: true, dirs: map[string]bool{}, written: map[string]bool{}, keys: map[string]uint64{}, progress: o.Progress})
	problems = append(problems, <-s.warnings...)
	if err != nil {
		var ps diag.Problems
		if errors.As(err, &ps) {
			return append(problems, ps...)
		}
		return append(problems, &diag.Problem{Pos: diag.Pos{File: o.Root}, Message: err.Error()})
	}
	return problems
}

func (o Options) withDefaults() Options {
	if o.Root == "" {
		o.Root = "."
	}
	if o.Out == "" {
		o.Out = filepath.Join(o.Root, "public")
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	o.Now = o.Now.UTC().Truncate(24 * time.Hour)
	return o
}

// SparePath is where Build keeps the output before the last one, to write
// the next build over: beside out, hidden (.public.stp-spare for public).
func SparePath(out string) string {
	out = filepath.Clean(out)
	return filepath.Join(filepath.Dir(out), "."+filepath.Base(out)+".stp-spare")
}

// swap puts the built folder in place of out, and out (if there was one)
// in place of the built folder, for the next build to write over. out is
// missing only between two renames, never half-written.
func swap(built, out string) error {
	aside := asidePath(out) // claimOutput cleared it
	moved := false
	if _, err := os.Lstat(out); err == nil {
		if err := os.Rename(out, aside); err != nil {
			return fmt.Errorf("cannot move the previous %s aside: %w", out, err)
		}
		moved = true
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.Rename(built, out); err != nil {
		if moved {
			_ = os.Rename(aside, out)
		}
		return fmt.Errorf("cannot put the new build in place at %s: %w", out, err)
	}
	if moved {
		return os.Rename(aside, built)
	}
	return nil
}
