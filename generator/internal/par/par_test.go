package par

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
)

func TestEach(t *testing.T) {
	for _, tt := range []struct{ workers, n int }{{0, 0}, {1, 5}, {2, 1000}, {8, 3}, {-1, 10}} {
		var sum atomic.Int64
		if err := Each(tt.workers, tt.n, func(i int) error { sum.Add(int64(i + 1)); return nil }); err != nil {
			t.Fatal(err)
		}
		if want := int64(tt.n * (tt.n + 1) / 2); sum.Load() != want {
			t.Errorf("workers %d, n %d: sum %d, want %d (each index once)", tt.workers, tt.n, sum.Load(), want)
		}
	}
	// The lowest failing index wins, however the goroutines ran.
	for range 50 {
		err := Each(4, 200, func(i int) error {
			if i == 37 || i == 90 || i == 150 {
				return fmt.Errorf("index %d", i)
			}
			return nil
		})
		if err == nil || err.Error() != "index 37" {
			t.Fatalf("error %v, want index 37", err)
		}
	}
	if err := Each(2, 1, func(int) error { return errors.New("x") }); err == nil {
		t.Error("a failure was lost")
	}
}
