package site

import "sync"

// indexer writes a Rebuilder's search index in the background: at most one
// index write runs, and only the newest waiting one follows it.
type indexer struct {
	mu      sync.Mutex
	key     uint64
	next    func() error
	running bool
	wg      sync.WaitGroup
	// errs receives errors of background index writes; nil drops them.
	errs func(error)
}

// run runs index unless the records are the ones last indexed.
func (ix *indexer) run(key uint64, index func() error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if key == ix.key {
		return
	}
	ix.key = key
	ix.next = index
	if ix.running {
		return
	}
	ix.running = true
	ix.wg.Add(1)
	go func() {
		defer ix.wg.Done()
		for {
			ix.mu.Lock()
			next := ix.next
			ix.next = nil
			if next == nil {
				ix.running = false
				ix.mu.Unlock()
				return
			}
			ix.mu.Unlock()
			if err := next(); err != nil && ix.errs != nil {
				ix.errs(err)
			}
		}
	}()
}

// wait waits for background index writes to finish.
func (ix *indexer) wait() { ix.wg.Wait() }
