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
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/stp-portal/stp/generator/diag"
	"github.com/stp-portal/stp/generator/internal/par"
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
	// reuse says dir holds an earlier build (stp build's spare): outputs
	// are written over its files, those with the same bytes are left as
	// they are, and what this build does not write is removed at the end.
	// Making a new inode is a large build's most expensive system call.
	reuse bool
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
	// progress, when set, counts outputs planned and written.
	progress *Progress
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
	w.progress.planned(len(todo))
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
	err := par.Each(0, len(todo), func(i int) error {
		buf := bufPool.Get().(*bytes.Buffer)
		defer bufPool.Put(buf)
		buf.Reset()
		if err := todo[i].render(buf); err != nil {
			if p := templateProblem(err); p != nil {
				return diag.Problems{p}
			}
			return fmt.Errorf("rendering %s: %w", todo[i].rel, err)
		}
		w.progress.written()
		if staged != nil {
			staged[i] = bytes.Clone(buf.Bytes())
			return nil
		}
		if err := dirs.wait(i); err != nil {
			return err
		}
		return w.write(todo[i].rel, buf.Bytes())
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
	return par.Each(0, len(todo), func(i int) error { return w.write(todo[i].rel, staged[i]) })
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
				err = w.mkdir(filepath.Join(w.dir, filepath.FromSlash(d)))
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

// mkdir makes a folder unless it is there. Reusing an earlier build, a
// file where a folder now goes is removed first.
func (w *writer) mkdir(dir string) error {
	err := os.Mkdir(dir, 0o755)
	if !errors.Is(err, fs.ErrExist) {
		return err
	}
	if st, lerr := os.Lstat(dir); w.reuse && lerr == nil && !st.IsDir() {
		if err := os.Remove(dir); err != nil {
			return err
		}
		return os.Mkdir(dir, 0o755)
	}
	return nil
}

// write writes one file whose folder exists.
func (w *writer) write(rel string, data []byte) error {
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
	h := sha256.New()
	counted := &countingReader{r: io.TeeReader(in, h)}
	switch {
	case w.dry:
		_, err = copyBuffered(io.Discard, counted)
	case w.reuse:
		// Compared as it is hashed; written again only when it differs.
		p := filepath.Join(w.dir, filepath.FromSlash(rel))
		var same bool
		if same, err = sameFile(p, counted); err == nil && same {
			w.kept.Add(1)
		} else if err == nil {
			if _, err = in.Seek(0, io.SeekStart); err == nil {
				err = replaceFile(p, func(f io.Writer) error { _, err := copyBuffered(f, in); return err })
			}
		}
	default:
		var out *os.File
		if out, err = os.Create(filepath.Join(w.dir, filepath.FromSlash(rel))); err != nil {
			return fileStamp{}, err
		}
		_, err = copyBuffered(out, counted)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fileStamp{}, err
	}
	n := counted.n
	w.mu.Lock()
	w.bytes += n
	w.mu.Unlock()
	return fileStamp{size: n, modTime: info.ModTime(), sha256: hex.EncodeToString(h.Sum(nil))}, nil
}

var copyBufPool = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// copyBuffered copies src to dst through a pooled buffer: io.Copy would
// allocate one per file, and a large catalog publishes tens of thousands.
func copyBuffered(dst io.Writer, src io.Reader) (int64, error) {
	bp := copyBufPool.Get().(*[]byte)
	defer copyBufPool.Put(bp)
	return io.CopyBuffer(struct{ io.Writer }{dst}, struct{ io.Reader }{src}, *bp)
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += int64(k)
	return k, err
}

// sameFile reads all of src and tells whether the regular file at p holds
// exactly those bytes. Anything else at p is not
// the same (a link is replaced, not followed); a folder in its place is
// removed, for a file to take it.
func sameFile(p string, src io.Reader) (same bool, err error) {
	var f *os.File
	switch st, lerr := os.Lstat(p); {
	case lerr == nil && st.IsDir():
		err = os.RemoveAll(p)
	case lerr == nil && st.Mode().IsRegular():
		f, err = os.Open(p)
	case lerr != nil && !errors.Is(lerr, fs.ErrNotExist):
		err = lerr
	}
	if err != nil {
		return false, err
	}
	if f != nil {
		defer f.Close()
	}
	bp, op := copyBufPool.Get().(*[]byte), copyBufPool.Get().(*[]byte)
	defer copyBufPool.Put(bp)
	defer copyBufPool.Put(op)
	buf, old := *bp, *op
	same = f != nil
	for {
		k, rerr := io.ReadFull(src, buf)
		if same && k > 0 {
			m, _ := io.ReadFull(f, old[:k])
			same = m == k && bytes.Equal(buf[:k], old[:k])
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return false, rerr
		}
	}
	if same { // nothing may follow in the file
		var one [1]byte
		m, _ := f.Read(one[:])
		same = m == 0
	}
	return same, nil
}

// replaceFile writes a new file at p through write, under a temporary name
// renamed over p: a reader of the file that was there (a download served
// from the previous output) keeps reading the bytes it started with.
func replaceFile(p string, write func(io.Writer) error) error {
	tmp := p + ".stp-new"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}

// removeStale removes, from an earlier build being reused, every file and
// folder this build did not write. The search folders are left to the
// index writer, which keeps its current files and removes the others.
func (w *writer) removeStale() error {
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
		case rel == "." || rel == markerName:
			return nil
		case d.IsDir():
			if rel == strings.TrimSuffix(searchDir, "/") || rel == PublicPrefix+strings.TrimSuffix(searchDir, "/") {
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

// indexAbove returns the nearest folder above dir (a "/"-terminated
// output folder) that has an index page; "" is the site's home.
func (w *writer) indexAbove(dir string) string {
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

// fingerprint returns name with a content hash before its extension:
// site.css → site.3f9a1c2b7d.css.
func fingerprint(name string, data []byte) string {
	sum := sha256.Sum256(data)
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
}

// Build replaces its output folder as a whole and writes the next build
// over the one before, so it moves, writes over or deletes a folder only
// when the folder is its own: one that holds the marker file, with these
// bytes, that Build writes into every folder it makes. A folder of the
// publisher's given as the output is refused, never swept away. The name
// starts with a dot, and the upstream serves no such name.
const (
	markerName = OutputMarker
	markerText = "This folder is an output of stp build, which replaces it as a whole.\n"
)

// OutputMarker is the name of the marker file in every output folder: the
// build's bookkeeping, not part of the site (stp diff leaves it out).
const OutputMarker = ".stp-build"

// legacyOutputs are files every build writes. Builds before the marker
// left unmarked outputs at the default ROOT/public; a folder there that
// holds all of these is such a build, and is adopted rather than refused.
// A folder of the publisher's would not hold them; elsewhere an unmarked
// folder is always refused.
var legacyOutputs = []string{"index.html", "404.html", "catalog.json", "public/index.html", "public/catalog.json"}

// OutputError refuses an output folder before anything is written.
type OutputError struct {
	// Path is the folder as given (Options.Out), or its spare beside it.
	Path string
	// Reason says what the folder is and how to proceed.
	Reason string
}

func (e *OutputError) Error() string { return e.Path + ": " + e.Reason }

// output is where Build writes: out, the folder it replaces; spare, the
// folder it writes the new build into (the output before the last, when
// reuse); aside, the name the replaced output takes between two renames.
type output struct {
	out, spare, aside string
	reuse             bool
}

// claimOutput checks that o.Out is a folder Build may replace and that the
// folders it keeps beside it are its own, before anything is written; then
// marks the folders it adopts, finishes a swap that was interrupted, and
// makes the spare.
func claimOutput(o Options) (*output, error) {
	out, err := outputPath(o)
	if err != nil {
		return nil, err
	}
	dst := &output{out: out, spare: SparePath(out), aside: asidePath(out)}
	root, err := resolve(o.Root)
	if err != nil {
		return nil, err
	}
	legacy := out == filepath.Join(root, "public")
	folders := []struct{ path, shown string }{
		{dst.out, o.Out}, {dst.spare, SparePath(o.Out)}, {dst.aside, asidePath(o.Out)},
	}
	var adopt []string
	present := map[string]bool{}
	for i, f := range folders {
		st, err := os.Lstat(f.path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		present[f.path] = true
		if i == 0 && !st.IsDir() {
			return nil, &OutputError{o.Out, "that is a file, not a folder; choose a folder of its own, such as " + suggestOut(o)}
		}
		mark, err := ownership(f.path, st, legacy)
		switch {
		case err != nil:
			return nil, err
		case mark == owned:
		case mark == adoptable:
			adopt = append(adopt, f.path)
		case i == 0:
			return nil, &OutputError{o.Out, "that folder holds files stp build did not write (it has no " + markerName +
				" file) and a build replaces its output folder as a whole; empty it or choose another folder"}
		default:
			return nil, &OutputError{f.shown, "that folder holds files stp build did not write (it has no " + markerName +
				" file); an earlier stp build may have moved a folder of yours there from " + o.Out +
				": keep what you need from it, then delete it"}
		}
	}
	// Every folder here is now the build's own.
	for _, dir := range adopt {
		if err := writeMarker(dir); err != nil {
			return nil, err
		}
	}
	if present[dst.aside] {
		if err := dst.finishSwap(present); err != nil {
			return nil, fmt.Errorf("finishing the interrupted build beside %s: %w", o.Out, err)
		}
	}
	dst.reuse = present[dst.spare]
	if !dst.reuse {
		if err := os.Mkdir(dst.spare, 0o755); err != nil {
			return nil, fmt.Errorf("cannot create the build folder next to %s: %w", o.Out, err)
		}
		if err := writeMarker(dst.spare); err != nil {
			return nil, err
		}
	}
	return dst, nil
}

// finishSwap finishes a swap killed after it moved the output aside: it
// puts the output back when the new one is not in its place yet, keeps it
// as the spare when that is missing, and else lets it go. present says
// which folders are there, and is updated.
func (dst *output) finishSwap(present map[string]bool) error {
	switch {
	case !present[dst.out]:
		present[dst.out] = true
		return os.Rename(dst.aside, dst.out)
	case !present[dst.spare]:
		present[dst.spare] = true
		return os.Rename(dst.aside, dst.spare)
	}
	return os.RemoveAll(dst.aside)
}

// owner says whose a folder is: Build's (marked), one Build may take
// (empty, or an unmarked earlier build where those were written), or
// another's.
type owner int

const (
	foreign owner = iota
	owned
	adoptable
)

// ownership tells whose the folder at p is; legacy says an unmarked
// earlier build is adoptable there.
func ownership(p string, st fs.FileInfo, legacy bool) (owner, error) {
	if !st.IsDir() {
		return foreign, nil
	}
	marker := filepath.Join(p, markerName)
	if mst, err := os.Lstat(marker); err == nil && mst.Mode().IsRegular() && mst.Size() == int64(len(markerText)) {
		if b, err := os.ReadFile(marker); err == nil && string(b) == markerText {
			return owned, nil
		}
	}
	f, err := os.Open(p)
	if err != nil {
		return foreign, err
	}
	names, err := f.Readdirnames(1)
	f.Close()
	if errors.Is(err, io.EOF) && len(names) == 0 {
		return adoptable, nil
	}
	if err != nil || !legacy {
		return foreign, err
	}
	for _, rel := range legacyOutputs {
		if st, err := os.Lstat(filepath.Join(p, filepath.FromSlash(rel))); err != nil || !st.Mode().IsRegular() {
			return foreign, nil
		}
	}
	return adoptable, nil
}

func writeMarker(dir string) error {
	return os.WriteFile(filepath.Join(dir, markerName), []byte(markerText), 0o644)
}

// asidePath is where swap moves the output it replaces, for a moment.
func asidePath(out string) string {
	out = filepath.Clean(out)
	return filepath.Join(filepath.Dir(out), "."+filepath.Base(out)+".stp-old")
}

// outputPath returns o.Out absolute, links and ".." resolved, unless it
// overlaps the site's sources: it may not be catalog.yaml, content/,
// layouts/ or the site's folder, be inside one of them or hold one, nor be
// a symbolic link (replacing the folder would replace the link).
func outputPath(o Options) (string, error) {
	link := &OutputError{o.Out, "that is a symbolic link, and a build replaces its output folder as a whole, " +
		"which would replace the link rather than fill the folder it leads to; give that folder itself"}
	st, err := os.Lstat(strings.TrimRight(o.Out, string(filepath.Separator)))
	isLink := err == nil && st.Mode()&fs.ModeSymlink != 0
	out, err := resolve(o.Out)
	switch {
	case err != nil && isLink: // leading nowhere
		return "", link
	case err != nil:
		return "", err
	}
	root, err := resolve(o.Root)
	if err != nil {
		return "", err
	}
	// A link leading nowhere is the loader's to report; it holds nothing.
	sources := siteSources(o.Root)
	refuse := func(what string) (string, error) {
		return "", &OutputError{o.Out, what + "; choose a folder of its own, such as " + suggestOut(o)}
	}
	for _, s := range sources {
		switch {
		case s.path == "":
		case out == s.path:
			return refuse("that is " + s.what)
		case within(out, s.path):
			return refuse("that is inside " + s.what)
		}
	}
	switch {
	case out == root:
		return refuse("that is the site's folder itself")
	case within(root, out):
		return refuse("that folder holds the site's folder")
	}
	for _, s := range sources {
		if s.path != "" && within(s.path, out) {
			return refuse("that folder holds " + s.what)
		}
	}
	if isLink {
		return "", link
	}
	return out, nil
}

// suggestOut names the default output, for a message.
func suggestOut(o Options) string {
	return filepath.Join(o.Root, "public")
}

// within tells whether p is below dir; both are resolved.
func within(p, dir string) bool {
	if !strings.HasSuffix(dir, string(filepath.Separator)) {
		dir += string(filepath.Separator)
	}
	return strings.HasPrefix(p, dir)
}

// resolve returns p absolute, with every symbolic link and ".." resolved
// as the system resolves them (a link's ".." leads to the parent of what
// it leads to), also when p's last components do not exist yet.
func resolve(p string) (string, error) {
	if !filepath.IsAbs(p) {
		wd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		p = wd + string(filepath.Separator) + p
	}
	vol := filepath.VolumeName(p)
	done := vol + string(filepath.Separator)
	missing := false
	for _, name := range strings.Split(p[len(vol):], string(filepath.Separator)) {
		switch {
		case name == "" || name == ".":
		case name == "..":
			done = filepath.Dir(done)
		case missing:
			done = filepath.Join(done, name)
		default:
			next := filepath.Join(done, name)
			st, err := os.Lstat(next)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				missing = true
			case err != nil:
				return "", err
			case st.Mode()&fs.ModeSymlink != 0:
				if next, err = filepath.EvalSymlinks(next); err != nil {
					return "", err
				}
			}
			done = next
		}
	}
	return done, nil
}
