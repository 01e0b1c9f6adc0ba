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
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/stp-portal/stp/generator/catalog"
)

// writer writes the output tree. Pages are rendered by a pool of workers,
// one per CPU. In a fresh folder each page is written as soon as it is
// rendered; in place (the dev server's rebuilds) pages whose key is
// unchanged are skipped, and the others are written only once all rendered.
type writer struct {
	dir string
	// dry renders everything but writes nothing, for stp check.
	dry     bool
	inPlace bool
	// prevKeys are the keys of the outputs already in dir; keys collects
	// this build's.
	prevKeys map[string]uint64
	keys     map[string]uint64
	// prevOutputs are the last build's outputs (in place); added counts
	// this build's outputs not among them.
	prevOutputs map[string]bool
	added       int

	// first names outputs to write before any other, in place; ready is
	// then called once, with the outputs still to come.
	first map[string]bool
	ready func(pending map[string]bool)

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

func newWriter(dir string) *writer {
	return &writer{dir: dir, dirs: map[string]bool{"": true}, written: map[string]bool{}, keys: map[string]uint64{}}
}

// job renders one output file. key hashes everything the output depends
// on; a job whose key matches the output already written is skipped. Zero
// means "always render".
type job struct {
	rel    string
	key    uint64
	render func(*bytes.Buffer) error
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// run renders and writes jobs. Template errors come back as problems at the
// layout's line.
func (w *writer) run(jobs []job) error {
	todo := make([]job, 0, len(jobs))
	w.mu.Lock()
	for _, j := range jobs {
		if !w.addLocked(j.rel) {
			w.mu.Unlock()
			return fmt.Errorf("two outputs want %s; rename one of the pages or files", j.rel)
		}
		if strings.HasSuffix(j.rel, ".html") {
			w.pages++
		}
		if j.key != 0 {
			w.keys[j.rel] = j.key
			if w.inPlace && w.prevKeys[j.rel] == j.key {
				continue
			}
		}
		todo = append(todo, j)
	}
	w.rendered += len(todo)
	for _, j := range todo {
		w.rewritten = append(w.rewritten, j.rel)
	}
	w.mu.Unlock()
	if w.ready != nil && w.inPlace {
		var first, rest []job
		for _, j := range todo {
			if w.first[j.rel] {
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
				pending[j.rel] = true
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
func (w *writer) render(todo []job) error {
	rels := make([]string, len(todo))
	for i, j := range todo {
		rels[i] = j.rel
	}
	dirs := w.makeDirs(rels)
	defer dirs.stop()
	var staged [][]byte
	if w.inPlace {
		staged = make([][]byte, len(todo))
	}
	err := parallel(len(todo), func(i int) error {
		buf := bufPool.Get().(*bytes.Buffer)
		defer bufPool.Put(buf)
		buf.Reset()
		if err := todo[i].render(buf); err != nil {
			if p := templateProblem(err); p.Pos.Line > 0 {
				return catalog.Problems{p}
			}
			return fmt.Errorf("rendering %s: %w", todo[i].rel, err)
		}
		if staged != nil {
			staged[i] = bytes.Clone(buf.Bytes())
			return nil
		}
		if err := dirs.wait(i); err != nil {
			return err
		}
		return w.write(todo[i].rel, buf.Bytes())
	})
	var problems catalog.Problems
	if errors.As(err, &problems) {
		return problems
	}
	if err != nil || staged == nil {
		return err
	}
	if err := dirs.wait(len(todo) - 1); err != nil {
		return err
	}
	return parallel(len(todo), func(i int) error { return w.write(todo[i].rel, staged[i]) })
}

// dirMaker creates the folders of a run's outputs, once each and parents
// first, on one goroutine while the outputs render. Creating entries in
// one folder from two threads only makes them queue on its lock, spinning
// on CPU time the rendering needs; and a large build creates a hundred
// thousand folders, each an inode and a block to clear.
type dirMaker struct {
	mu      sync.Mutex
	cond    sync.Cond
	ready   int // outputs whose folders exist, counted in order
	waiting int
	err     error
	quit    atomic.Bool
}

// makeDirs starts making the folders rels need, in their order.
func (w *writer) makeDirs(rels []string) *dirMaker {
	dm := &dirMaker{}
	dm.cond.L = &dm.mu
	// Each output's new folders, parents first: an output's folders are
	// made before any later output's, so a folder shared with an earlier
	// output already exists when a later one is written.
	news := make([][]string, len(rels))
	w.mu.Lock()
	for i, rel := range rels {
		for d := path.Dir(rel); d != "." && !w.dirs[d]; d = path.Dir(d) {
			w.dirs[d] = true
			news[i] = append(news[i], d)
		}
		slices.Reverse(news[i])
	}
	w.mu.Unlock()
	if w.dry {
		dm.ready = len(rels)
		return dm
	}
	go func() {
		for i := range rels {
			var err error
			for _, d := range news[i] {
				if dm.quit.Load() {
					break
				}
				if err = os.Mkdir(filepath.Join(w.dir, filepath.FromSlash(d)), 0o755); errors.Is(err, fs.ErrExist) {
					err = nil
				}
				if err != nil {
					break
				}
			}
			dm.mu.Lock()
			if err != nil {
				dm.err = err
			} else {
				dm.ready = i + 1
			}
			if dm.waiting > 0 || err != nil {
				dm.cond.Broadcast()
			}
			dm.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return dm
}

// wait returns once the folders of output i exist.
func (dm *dirMaker) wait(i int) error {
	dm.mu.Lock()
	defer dm.mu.Unlock()
	for dm.ready <= i && dm.err == nil {
		dm.waiting++
		dm.cond.Wait()
		dm.waiting--
	}
	if dm.ready > i {
		return nil
	}
	return dm.err
}

// stop tells the maker to make no more folders: the run is over, and a
// failed one needs none. It does not wait.
func (dm *dirMaker) stop() { dm.quit.Store(true) }

// write writes one file whose folder exists.
func (w *writer) write(rel string, data []byte) error {
	if !w.dry {
		if err := os.WriteFile(filepath.Join(w.dir, filepath.FromSlash(rel)), data, 0o644); err != nil {
			return err
		}
	}
	w.mu.Lock()
	w.bytes += int64(len(data))
	w.mu.Unlock()
	return nil
}

// claim records rels as outputs of this build without writing them.
func (w *writer) claim(rels ...string) {
	w.mu.Lock()
	for _, rel := range rels {
		w.addLocked(rel) // claimed files were written by the last build, once each
	}
	w.files += len(rels)
	w.mu.Unlock()
}

// addLocked records rel as an output of this build, counting it as added
// when the last build (in place) did not write it. It reports false when
// rel was recorded already. w.mu is held.
func (w *writer) addLocked(rel string) bool {
	if w.written[rel] {
		return false
	}
	w.written[rel] = true
	if w.inPlace && !w.prevOutputs[rel] {
		w.added++
	}
	return true
}

// copyFile copies src into the output at rel, whose folder exists, and
// returns its size and SHA-256. A stamp from an earlier build spares the
// copy when the file is already in place unchanged.
func (w *writer) copyFile(src, rel string, stamp *fileStamp) (fileStamp, error) {
	w.mu.Lock()
	if !w.addLocked(rel) {
		w.mu.Unlock()
		return fileStamp{}, fmt.Errorf("two outputs want %s; rename one of the files", rel)
	}
	w.files++
	w.mu.Unlock()
	info, err := os.Stat(src)
	if err != nil {
		return fileStamp{}, err
	}
	if stamp != nil && stamp.size == info.Size() && stamp.modTime.Equal(info.ModTime()) {
		if _, err := os.Stat(filepath.Join(w.dir, filepath.FromSlash(rel))); err == nil || w.dry {
			return *stamp, nil
		}
	}
	in, err := os.Open(src)
	if err != nil {
		return fileStamp{}, err
	}
	defer in.Close()
	var out *os.File
	if !w.dry {
		if out, err = os.Create(filepath.Join(w.dir, filepath.FromSlash(rel))); err != nil {
			return fileStamp{}, err
		}
	}
	var dst io.Writer // nil in a dry run: hashed only
	if out != nil {
		dst = out
	}
	h := sha256.New()
	n, err := copyHashing(dst, h, in)
	if out != nil {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fileStamp{}, err
	}
	w.mu.Lock()
	w.bytes += n
	w.mu.Unlock()
	return fileStamp{size: n, modTime: info.ModTime(), sha256: hex.EncodeToString(h.Sum(nil))}, nil
}

var copyBufPool = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// copyHashing copies src to out (unless out is nil) and into h, through a
// pooled buffer: io.Copy would allocate one per file, and a large catalog
// publishes tens of thousands.
func copyHashing(out io.Writer, h io.Writer, src io.Reader) (int64, error) {
	bp := copyBufPool.Get().(*[]byte)
	defer copyBufPool.Put(bp)
	var n int64
	for {
		k, err := src.Read(*bp)
		if k > 0 {
			n += int64(k)
			h.Write((*bp)[:k]) // a hash never fails
			if out != nil {
				if _, werr := out.Write((*bp)[:k]); werr != nil {
					return n, werr
				}
			}
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
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
