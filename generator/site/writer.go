package site

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/stp-portal/stp/generator/catalog"
)

// writer writes the output tree. Pages are rendered and written by a pool
// of workers, one per CPU; the first error stops the build.
type writer struct {
	dir string
	// dry renders everything but writes nothing, for stp check.
	dry   bool
	mu    sync.Mutex
	dirs  map[string]bool
	err   error
	pages int
	files int
	bytes int64
	// written records every file for the placeholder index pass.
	written map[string]bool
}

func newWriter(dir string) *writer {
	return &writer{dir: dir, dirs: map[string]bool{"": true}, written: map[string]bool{}}
}

// job renders one output file.
type job struct {
	rel    string
	render func(*bytes.Buffer) error
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// run renders and writes jobs on all CPUs. Template errors come back as
// problems at the layout's line.
func (w *writer) run(jobs []job) error {
	err := parallel(len(jobs), func(i int) error {
		buf := bufPool.Get().(*bytes.Buffer)
		defer bufPool.Put(buf)
		buf.Reset()
		if err := jobs[i].render(buf); err != nil {
			if p := templateProblem(err); p.Pos.Line > 0 {
				return catalog.Problems{p}
			}
			return fmt.Errorf("rendering %s: %w", jobs[i].rel, err)
		}
		return w.write(jobs[i].rel, buf.Bytes())
	})
	var problems catalog.Problems
	if errors.As(err, &problems) {
		return problems
	}
	return err
}

// write writes one file, creating its folders.
func (w *writer) write(rel string, data []byte) error {
	full, err := w.prepare(rel)
	if err != nil {
		return err
	}
	if !w.dry {
		if err := os.WriteFile(full, data, 0o644); err != nil {
			return err
		}
	}
	w.mu.Lock()
	w.bytes += int64(len(data))
	if strings.HasSuffix(rel, ".html") {
		w.pages++
	}
	w.mu.Unlock()
	return nil
}

// prepare checks rel and makes its folder.
func (w *writer) prepare(rel string) (string, error) {
	if !fs.ValidPath(rel) {
		return "", fmt.Errorf("internal: output path %q is not clean", rel)
	}
	dir := path.Dir(rel)
	w.mu.Lock()
	if w.written[rel] {
		w.mu.Unlock()
		return "", fmt.Errorf("two outputs want %s; rename one of the pages or files", rel)
	}
	w.written[rel] = true
	known := w.dirs[dir] || dir == "." || w.dry
	w.mu.Unlock()
	if !known {
		if err := os.MkdirAll(filepath.Join(w.dir, filepath.FromSlash(dir)), 0o755); err != nil {
			return "", err
		}
		w.mu.Lock()
		w.dirs[dir] = true
		w.mu.Unlock()
	}
	return filepath.Join(w.dir, filepath.FromSlash(rel)), nil
}

// copyFile copies src into the output at rel and returns its size and
// SHA-256.
func (w *writer) copyFile(src, rel string) (int64, string, error) {
	full, err := w.prepare(rel)
	if err != nil {
		return 0, "", err
	}
	in, err := os.Open(src)
	if err != nil {
		return 0, "", err
	}
	defer in.Close()
	h := sha256.New()
	var n int64
	if w.dry {
		n, err = io.Copy(h, in)
	} else {
		var out *os.File
		if out, err = os.Create(full); err != nil {
			return 0, "", err
		}
		n, err = io.Copy(io.MultiWriter(out, h), in)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return 0, "", err
	}
	w.mu.Lock()
	w.files++
	w.bytes += n
	w.mu.Unlock()
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// missingIndexes returns every output folder without an index.html, so
// that a plain file server never lists a folder.
func (w *writer) missingIndexes() []string {
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

// fingerprint returns name with a content hash before its extension:
// site.css → site.3f9a1c2b7d.css.
func fingerprint(name string, data []byte) string {
	sum := sha256.Sum256(data)
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
}

// parallel runs f for each index on all CPUs and returns the first error.
func parallel(n int, f func(i int) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	var failed atomic.Bool
	for range min(runtime.GOMAXPROCS(0), max(n, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := f(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					failed.Store(true)
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}
