package search_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stp-portal/stp/generator/search"
	"github.com/stp-portal/stp/generator/synth"
)

// benchIndex builds (or, with STP_SEARCH_BENCH_CACHE set to a directory,
// reuses) the index of n synthetic records.
func benchIndex(b *testing.B, n int) *search.Index {
	b.Helper()
	var data []byte
	cache := os.Getenv("STP_SEARCH_BENCH_CACHE")
	file := filepath.Join(cache, fmt.Sprintf("synth-%d.stpidx", n))
	if cache != "" {
		data, _ = os.ReadFile(file)
	}
	if data == nil {
		var err error
		if data, err = search.BuildIndex(synth.SearchRecords(n, 1), synth.SearchLabels()); err != nil {
			b.Fatal(err)
		}
		if cache != "" {
			_ = os.WriteFile(file, data, 0o644)
		}
	}
	idx, err := search.Open(data)
	if err != nil {
		b.Fatal(err)
	}
	return idx
}

// BenchmarkRun answers benchsearch's queries over 10k and 100k synthetic
// documents; one op is one query.
//
//	go test -run '^$' -bench Run ./generator/search -cpuprofile cpu.out
func BenchmarkRun(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			if n > 10_000 && testing.Short() {
				b.Skip("short")
			}
			idx := benchIndex(b, n)
			qs := synth.SearchQueries()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				search.AnswerJSON(context.Background(), idx, qs[i%len(qs)])
			}
		})
	}
}

// BenchmarkBuildIndex builds the index of 10k and 100k synthetic
// documents and reports the peak Go heap (live objects, sampled) above
// what the records themselves take.
func BenchmarkBuildIndex(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			if n > 10_000 && testing.Short() {
				b.Skip("short")
			}
			recs, labels := synth.SearchRecords(n, 1), synth.SearchLabels()
			runtime.GC()
			base := heapBytes()
			var peak atomic.Uint64
			stop := make(chan struct{})
			done := make(chan struct{})
			go func() {
				defer close(done)
				t := time.NewTicker(5 * time.Millisecond)
				defer t.Stop()
				for {
					if h := heapBytes(); h > peak.Load() {
						peak.Store(h)
					}
					select {
					case <-stop:
						return
					case <-t.C:
					}
				}
			}()
			size := 0
			for b.Loop() {
				data, err := search.BuildIndex(recs, labels)
				if err != nil {
					b.Fatal(err)
				}
				size = len(data)
			}
			close(stop)
			<-done
			b.ReportMetric(float64(peak.Load()-min(base, peak.Load()))/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(size)/(1<<20), "index-MiB")
		})
	}
}

func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
