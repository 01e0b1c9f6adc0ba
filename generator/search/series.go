package search

import "math/bits"

// A reader looks for documents, not versions: a SOC 2 report retained in
// its 2024, 2025 and 2026 versions is one hit, with the versions that
// match inside it, and counts once in the total and in each facet. The
// index keeps one entry per version (so that filters, dates and scores
// stay per version); the series table groups them when a query is
// answered.

// seriesTable maps documents to their series and back.
type seriesTable struct {
	of    []int32  // document number -> series number
	start []int32  // series s has the documents docs[start[s]:start[s+1]]
	docs  []uint32 // document numbers, by series, ascending within one
	// multi holds the documents of series with more than one version;
	// the others count as themselves.
	multi bitset
}

// seriesCounter counts distinct series in sets of documents; one serves
// every count of a query.
type seriesCounter struct {
	t    *seriesTable
	seen []uint32 // series -> the mark of the last count that saw it
	mark uint32
}

func (t *seriesTable) counter() *seriesCounter {
	return &seriesCounter{t: t, seen: make([]uint32, t.groups())}
}

// count is the number of series with a document in b ∩ s, or in b when s
// is nil. A document of a one-version series counts as itself (a
// popcount); the others through seen.
func (c *seriesCounter) count(b bitset, s *docSet) int {
	c.mark++
	t, n := c.t, 0
	multi := func(d int) {
		if sr := t.of[d]; c.seen[sr] != c.mark {
			c.seen[sr] = c.mark
			n++
		}
	}
	visit := func(i int, w uint64) {
		n += bits.OnesCount64(w &^ t.multi[i])
		for m := w & t.multi[i]; m != 0; m &= m - 1 {
			multi(i*64 + bits.TrailingZeros64(m))
		}
	}
	switch {
	case s == nil:
		for i, w := range b {
			visit(i, w)
		}
	case s.bits != nil:
		for i, w := range b {
			visit(i, w&s.bits[i])
		}
	default:
		for _, d := range s.list {
			switch {
			case !b.has(int(d)):
			case t.multi.has(int(d)):
				multi(int(d))
			default:
				n++
			}
		}
	}
	return n
}

// versions lists the documents of d's series.
func (t *seriesTable) versions(d int) []uint32 {
	s := t.of[d]
	return t.docs[t.start[s]:t.start[s+1]]
}

// buildSeries reads the series field into the series table. A document
// without one (an index written before it existed) is a series of its own.
func (idx *Index) buildSeries() error {
	t := &idx.series
	t.of = make([]int32, idx.n)
	for d := range t.of {
		t.of[d] = -1
	}
	var groups [][]uint32
	err := idx.eachTerm(fieldSeries, func(_ string, docs []uint32) {
		for _, d := range docs {
			t.of[d] = int32(len(groups))
		}
		groups = append(groups, docs)
	})
	if err != nil {
		return err
	}
	for d, s := range t.of {
		if s < 0 {
			t.of[d] = int32(len(groups))
			groups = append(groups, []uint32{uint32(d)})
		}
	}
	t.multi = newBitset(idx.n)
	t.start = make([]int32, 0, len(groups)+1)
	t.docs = make([]uint32, 0, idx.n)
	for _, g := range groups {
		t.start = append(t.start, int32(len(t.docs)))
		t.docs = append(t.docs, g...)
		if len(g) > 1 {
			for _, d := range g {
				t.multi.set(int(d))
			}
		}
	}
	t.start = append(t.start, int32(len(t.docs)))
	return nil
}

// groups is the number of series.
func (t *seriesTable) groups() int { return len(t.start) - 1 }
