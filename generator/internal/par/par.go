// Package par runs the same work on many goroutines: the one way the
// generator and the search index spread a loop over the CPUs.
package par

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Each calls f for every index below n on up to workers goroutines (one per
// CPU when workers is 0 or less). Indexes are handed out in order, and
// none after one has failed, so the error returned, that of the lowest
// index that failed, does not depend on scheduling.
func Each(workers, n int, f func(i int) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	errs := make([]error, n)
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for !failed.Load() {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if errs[i] = f(i); errs[i] != nil {
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
