package output

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/stp-portal/stp/generator/internal/par"
)

// Stamp identifies a published file's content without reading it: its
// size and time, and the SHA-256 of its bytes.
type Stamp struct {
	Size    int64
	ModTime time.Time
	SHA256  string
}

// Copy is a published file to copy: Src into the output at Rel. Prev, when
// set, is Src's stamp from an earlier build, which spares the copy when
// the file is already in place unchanged.
type Copy struct {
	Src, Rel string
	Prev     *Stamp
}

// CopyError says which copy failed.
type CopyError struct {
	Index int // in the copies given to CopyAll
	Err   error
}

func (e *CopyError) Error() string { return e.Err.Error() }
func (e *CopyError) Unwrap() error { return e.Err }

// CopyAll copies files into the output and returns their stamps, in the
// order given; a failed copy comes back as a *CopyError.
func (w *Writer) CopyAll(copies []Copy) ([]Stamp, error) {
	rels := make([]string, len(copies))
	for i, c := range copies {
		rels[i] = c.Rel
	}
	dirs := w.makeDirs(rels)
	defer dirs.stop()
	stamps := make([]Stamp, len(copies))
	// Reading tens of thousands of small files waits on the disk more than
	// on the CPU, so more copies are in flight than there are CPUs: with
	// the page cache dropped, a 10k catalog's copy took 0.70 s instead of
	// 1.05 s.
	err := par.Each(4*runtime.GOMAXPROCS(0), len(copies), func(i int) error {
		if err := dirs.wait(i); err != nil {
			return err
		}
		st, err := w.copyFile(copies[i].Src, copies[i].Rel, copies[i].Prev)
		if err != nil {
			return &CopyError{Index: i, Err: err}
		}
		stamps[i] = st
		return nil
	})
	return stamps, err
}

// copyFile copies src into the output at rel, whose folder exists, and
// returns its size and SHA-256. A stamp from an earlier build spares the
// copy when the file is already in place unchanged.
func (w *Writer) copyFile(src, rel string, stamp *Stamp) (Stamp, error) {
	w.mu.Lock()
	if !w.addLocked(rel) {
		w.mu.Unlock()
		return Stamp{}, fmt.Errorf("two outputs want %s; rename one of the files", rel)
	}
	w.files++
	w.mu.Unlock()
	info, err := os.Stat(src)
	if err != nil {
		return Stamp{}, err
	}
	if stamp != nil && stamp.Size == info.Size() && stamp.ModTime.Equal(info.ModTime()) {
		if _, err := os.Stat(filepath.Join(w.dir, filepath.FromSlash(rel))); err == nil || w.dry {
			return *stamp, nil
		}
	}
	in, err := os.Open(src)
	if err != nil {
		return Stamp{}, err
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
			return Stamp{}, err
		}
		_, err = copyBuffered(out, counted)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return Stamp{}, err
	}
	n := counted.n
	w.mu.Lock()
	w.bytes += n
	w.mu.Unlock()
	return Stamp{Size: n, ModTime: info.ModTime(), SHA256: hex.EncodeToString(h.Sum(nil))}, nil
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
