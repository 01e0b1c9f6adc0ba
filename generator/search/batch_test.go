package search_test

import (
	"bytes"
	"context"
	"net/url"
	"testing"

	"github.com/stp-portal/stp/generator/search"
	"github.com/stp-portal/stp/generator/synth"
)

// TestBatchedIndexAnswersTheSame builds one index in a single segment and
// one from merged batches: every query gets the same answer, byte for byte,
// and the batched build is deterministic too.
func TestBatchedIndexAnswersTheSame(t *testing.T) {
	recs, labels := synth.SearchRecords(1200, 1), synth.SearchLabels()
	whole, err := search.BuildIndex(recs, labels)
	if err != nil {
		t.Fatal(err)
	}
	defer func(n int) { search.BatchSize = n }(search.BatchSize)
	search.BatchSize = 250 // five segments, merged
	batched, err := search.BuildIndex(recs, labels)
	if err != nil {
		t.Fatal(err)
	}
	again, err := search.BuildIndex(recs, labels)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(batched, again) {
		t.Errorf("two batched builds differ")
	}
	a, err := search.Open(whole)
	if err != nil {
		t.Fatal(err)
	}
	b, err := search.Open(batched)
	if err != nil {
		t.Fatal(err)
	}
	if a.Documents() != b.Documents() || a.Documents() != len(recs) {
		t.Fatalf("documents: %d and %d, want %d", a.Documents(), b.Documents(), len(recs))
	}
	for _, q := range differentialQueries {
		if _, err := url.ParseQuery(q); err != nil {
			t.Fatal(err)
		}
		wa, _ := search.AnswerJSON(context.Background(), a, q)
		wb, _ := search.AnswerJSON(context.Background(), b, q)
		if !bytes.Equal(wa, wb) {
			t.Errorf("query %q: the batched index answers differently:\n%s\n%s", q, wa, wb)
		}
	}
}
