package output

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
)

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
func (w *Writer) makeDirs(rels []string) *dirMaker {
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
func (w *Writer) mkdir(dir string) error {
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
