package site

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stp-portal/stp/generator/catalog"
)

// TestNewestIsAStableSortsPrefix checks the feed's one-pass selection
// against a stable sort, with many ties.
func TestNewestIsAStableSortsPrefix(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		docs := make([]*DocView, rng.IntN(80))
		for i := range docs {
			docs[i] = &DocView{Document: &catalog.Document{
				Published: time.Date(2025, 1, 1+rng.IntN(5), 0, 0, 0, 0, time.UTC),
				Title:     string(rune('a' + rng.IntN(3))),
			}}
		}
		n := 1 + rng.IntN(60)
		want := slices.Clone(docs)
		slices.SortStableFunc(want, newerFirst)
		want = want[:min(n, len(want))]
		if got := newest(docs, n); !slices.Equal(got, want) {
			t.Fatalf("newest(%d of %d) differs from a stable sort's first %d", n, len(docs), n)
		}
	}
}
