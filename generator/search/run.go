package search

import (
	"cmp"
	"context"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Boosts relative to an exact match of a word in the same field.
const (
	fuzzyBoost  = 0.4
	prefixBoost = 0.6
	// wordsBoost weighs matches in the unstemmed title, tags and summary.
	wordsBoost = 2.5
	// earlierVersionWeight ranks a retained earlier version below the
	// current one it otherwise ties with.
	earlierVersionWeight = 0.8
	// bodyPhraseBoost weighs a phrase's words found anywhere in the body.
	bodyPhraseBoost = 0.5
)

// Run answers q over idx. Every host (browser, server, command line) calls
// it, so they give the same hits, order and counts.
func Run(idx *Index, q Query) (Result, error) {
	return RunContext(context.Background(), idx, q)
}

// match is a document that matched the text.
type match struct {
	doc   int
	score float64
}

// matchPool keeps the slices that collect a text query's matches (up to
// every document), so that each query does not grow one anew.
var matchPool = sync.Pool{New: func() any { return new([]match) }}

// RunContext is Run with a context that bounds its time.
func RunContext(ctx context.Context, idx *Index, q Query) (res Result, err error) {
	defer func() {
		// The engine must never take a host down; a bug becomes an error.
		if r := recover(); r != nil {
			res, err = Result{}, fmt.Errorf("search failed: %v", r)
		}
	}()
	q, notices, err := idx.normalise(q)
	if err != nil {
		return Result{}, err
	}
	text, err := parseText(q.Text)
	if err != nil {
		return Result{}, err
	}
	notices = append(notices, text.notices...)
	if q.Text != "" && strings.TrimSpace(q.Text) != "" && len(text.clauses) == 0 && len(text.notices) == 0 {
		notices = append(notices, "The search text has only common words; showing all documents.")
	}

	ds := dicts{}
	alts := idx.alternatives(ds, text.clauses)
	sel := idx.selection(q)
	from, to := dateBound(q.From, 0), dateBound(q.To, 99999999)

	// matched holds the documents that match the text and dates; for a
	// text query, all lists them with their scores, in document order.
	matched := newBitset(idx.n)
	var all []match
	if len(text.clauses) > 0 {
		pooled := matchPool.Get().(*[]match)
		defer func() { *pooled = all[:0]; matchPool.Put(pooled) }()
		all = (*pooled)[:0]
	}
	if len(text.clauses) == 0 {
		for d := 0; d < idx.n; d++ {
			if dt := idx.date[d]; dt >= from && dt <= to {
				matched.set(d)
			}
		}
	} else {
		err := idx.search(ctx, ds, text.clauses, alts, func(m match) {
			if dt := idx.date[m.doc]; dt >= from && dt <= to {
				matched.set(m.doc)
				if !idx.current[m.doc] {
					// Here, not in Bleve's scores: a retained earlier
					// version ranks below the current one it ties with.
					m.score *= earlierVersionWeight
				}
				all = append(all, m)
			}
		})
		if err != nil {
			return Result{}, err
		}
	}

	// Facet filters as sets: pass[f] is the documents with any selected
	// value of facet f (nil when f is not filtered); kept is matched
	// narrowed by every filter.
	var pass [len(facetNames)]bitset
	kept := slices.Clone(matched)
	for f := range facetNames {
		if sel[f] == nil {
			continue
		}
		pass[f] = newBitset(idx.n)
		for v, on := range sel[f] {
			if on {
				idx.facets[f].docs[v].orInto(pass[f])
			}
		}
		kept.and(pass[f])
	}
	sc := idx.series.counter()
	counts := idx.facetCounts(sc, matched, kept, pass)
	total := sc.count(kept, nil)

	res = Result{Query: q, Total: total, PageSize: q.Size, Notices: notices}
	res.Pages = (total + q.Size - 1) / q.Size
	res.Page = min(q.Page, max(res.Pages, 1))
	res.Query.Page = res.Page
	lo := min((res.Page-1)*q.Size, total)
	hi := min(lo+q.Size, total)

	// A series ranks by its best version; only the best hi series are
	// ranked.
	order := idx.rankOrder(q.Sort == "newest")
	top := topN{k: hi, cmp: order}
	idx.bestVersions(kept, all, len(text.clauses) > 0, order, top.push)
	best := top.sorted()
	hl := newHighlighter(text.clauses, alts)
	res.Hits = make([]Hit, 0, hi-lo)
	for _, m := range best[lo:hi] {
		h, err := idx.hit(m, kept, hl)
		if err != nil {
			return Result{}, err
		}
		res.Hits = append(res.Hits, h)
	}
	res.Facets = idx.facetResult(counts, sel)
	return res, nil
}

// normalise applies defaults and bounds to q and drops filter values the
// index does not know, saying so.
func (idx *Index) normalise(q Query) (Query, []string, error) {
	var notices []string
	q.Text = strings.TrimLeftFunc(q.Text, unicode.IsSpace)
	if utf8.RuneCountInString(q.Text) > MaxQueryLength {
		// parseText words the error; keep the text short in the echo.
		_, err := cleanText(q.Text)
		return q, nil, err
	}
	fs := q.filters()
	for i, name := range facetNames {
		in := *fs[i]
		if len(in) > maxFilterValues {
			return q, nil, &InputError{Message: fmt.Sprintf("Too many %s filters (%d); the limit is %d.", name, len(in), maxFilterValues)}
		}
		var out []string
		for _, v := range in {
			if _, ok := idx.facets[i].lookup[v]; !ok {
				if _, known := idx.labels[name][v]; !known {
					notices = append(notices, fmt.Sprintf("There is no %s %q, so that filter was left out.", name, truncateUTF8(v, 64)))
					continue
				}
			}
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		slices.Sort(out)
		*fs[i] = out
	}
	for _, d := range []*string{&q.From, &q.To} {
		if *d == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, *d); err != nil {
			notices = append(notices, fmt.Sprintf("%q is not a date like 2024-01-31, so that date filter was left out.", truncateUTF8(*d, 32)))
			*d = ""
		}
	}
	if q.From != "" && q.To != "" && q.From > q.To {
		q.From, q.To = q.To, q.From
		notices = append(notices, "The dates were the wrong way round, so they were swapped.")
	}
	switch q.Sort {
	case "", "relevance", "newest":
	default:
		notices = append(notices, fmt.Sprintf("Unknown sort %q; use relevance or newest.", truncateUTF8(q.Sort, 32)))
		q.Sort = ""
	}
	if q.Sort == "" {
		q.Sort = "relevance"
		if strings.TrimSpace(q.Text) == "" {
			q.Sort = "newest"
		}
	}
	if q.Size <= 0 {
		q.Size = DefaultPageSize
	}
	q.Size = min(q.Size, MaxPageSize)
	q.Page = max(q.Page, 1)
	return q, notices, nil
}

// selection turns q's filters into per-facet sets of value numbers; nil
// means the facet is not filtered. A selected value no document has gives
// an empty, non-nil set.
func (idx *Index) selection(q Query) [len(facetNames)][]bool {
	var sel [len(facetNames)][]bool
	fs := q.filters()
	for i := range facetNames {
		if len(*fs[i]) == 0 {
			continue
		}
		sel[i] = make([]bool, len(idx.facets[i].values))
		for _, v := range *fs[i] {
			if n, ok := idx.facets[i].lookup[v]; ok {
				sel[i][n] = true
			}
		}
	}
	return sel
}

func dateBound(s string, def int32) int32 {
	if s == "" {
		return def
	}
	v, err := strconv.Atoi(strings.ReplaceAll(s, "-", ""))
	if err != nil {
		return def
	}
	return int32(v)
}

// fuzziness is how many edits a word may be from a match: none for short
// words and for numbers (27001 must not find 27002), one for most words,
// two for long ones.
func fuzziness(term string) int {
	if strings.IndexFunc(term, unicode.IsDigit) >= 0 {
		return 0
	}
	switch n := utf8.RuneCountInString(term); {
	case n < 4:
		return 0
	case n < 8:
		return 1
	default:
		return 2
	}
}

// prefix is what a word being typed may begin, or "" when it is too short
// to narrow anything down.
func prefix(raw string) string {
	min := 3
	if strings.IndexFunc(raw, unicode.IsDigit) >= 0 {
		min = 4
	}
	if utf8.RuneCountInString(raw) < min {
		return ""
	}
	return raw
}

// facetResult lists every facet's values with counts: selected values first
// is not done here (a page keeps its order stable); values are by count,
// then label, and years newest first.
func (idx *Index) facetResult(counts [][]int, sel [len(facetNames)][]bool) []Facet {
	out := make([]Facet, 0, len(facetNames))
	for f, name := range facetNames {
		fc := Facet{Name: name, Label: facetTitles[name], Values: []FacetValue{}}
		for v, id := range idx.facets[f].values {
			selected := sel[f] != nil && sel[f][v]
			if counts[f][v] == 0 && !selected {
				continue
			}
			fc.Values = append(fc.Values, FacetValue{ID: id, Label: idx.label(name, id), Count: counts[f][v], Selected: selected})
		}
		if name == FacetYear {
			slices.SortFunc(fc.Values, func(a, b FacetValue) int { return cmp.Compare(b.ID, a.ID) })
		} else {
			slices.SortFunc(fc.Values, func(a, b FacetValue) int {
				if c := cmp.Compare(b.Count, a.Count); c != 0 {
					return c
				}
				if c := cmp.Compare(a.Label, b.Label); c != 0 {
					return c
				}
				return cmp.Compare(a.ID, b.ID)
			})
		}
		out = append(out, fc)
	}
	return out
}

// bestScratch is bestVersions' working memory, reused between queries:
// at 10,000 documents growing it anew was most of a query's time.
type bestScratch struct {
	slot  []int32 // series -> 1 + index into bests, 0 when not seen
	bests []match
}

var bestPool sync.Pool

// bestVersions calls fn with the best version, in order, of every series
// with a version in kept: among the scored matches all of a text query,
// or among kept itself when there is no text.
func (idx *Index) bestVersions(kept bitset, all []match, text bool, order func(a, b match) int, fn func(match)) {
	sc, _ := bestPool.Get().(*bestScratch)
	if sc == nil || len(sc.slot) != idx.series.groups() {
		sc = &bestScratch{slot: make([]int32, idx.series.groups())}
	}
	bests := sc.bests[:0]
	consider := func(m match) {
		s := idx.series.of[m.doc]
		switch i := sc.slot[s] - 1; {
		case i < 0:
			bests = append(bests, m)
			sc.slot[s] = int32(len(bests))
		case order(m, bests[i]) < 0:
			bests[i] = m
		}
	}
	if !text {
		for i, w := range kept {
			for ; w != 0; w &= w - 1 {
				consider(match{doc: i*64 + bits.TrailingZeros64(w)})
			}
		}
	} else {
		for _, m := range all {
			if kept.has(m.doc) {
				consider(m)
			}
		}
	}
	for _, m := range bests {
		fn(m)
		sc.slot[idx.series.of[m.doc]] = 0
	}
	sc.bests = bests[:0]
	bestPool.Put(sc)
}

// hit builds the result entry of the series of m, m being its best
// version: the series' versions in kept, the current one first, then
// newest first; the first is the one the hit shows.
func (idx *Index) hit(m match, kept bitset, hl *highlighter) (Hit, error) {
	var docs []int
	for _, d := range idx.series.versions(m.doc) {
		if kept.has(int(d)) {
			docs = append(docs, int(d))
		}
	}
	slices.SortFunc(docs, idx.currentFirst)
	terms := func(facet string, ids []string) []Term {
		if len(ids) == 0 {
			return nil
		}
		out := make([]Term, len(ids))
		for i, id := range ids {
			out[i] = Term{ID: id, Label: idx.label(facet, id)}
		}
		return out
	}
	var h Hit
	for i, d := range docs {
		sd, err := idx.storedDoc(d)
		if err != nil {
			return Hit{}, fmt.Errorf("reading document %d: %w", d, err)
		}
		v := Version{ID: sd.ID, Version: sd.Version, Published: sd.Published,
			PeriodFrom: sd.PeriodFrom, PeriodTo: sd.PeriodTo, Current: sd.Current}
		if i == 0 {
			h = Hit{
				ID: sd.ID, Series: sd.Series, Version: sd.Version,
				Kind:  Term{ID: sd.Kind, Label: idx.label(FacetKind, sd.Kind)},
				URL:   sd.URL,
				Title: hl.segments(sd.Title), Summary: hl.segments(sd.Summary),
				Services: terms(FacetService, sd.Services), Standards: terms(FacetStandard, sd.Standards),
				Published: sd.Published, PeriodFrom: sd.PeriodFrom, PeriodTo: sd.PeriodTo,
				Current: sd.Current, Score: m.score,
			}
		}
		h.Versions = append(h.Versions, v)
	}
	return h, nil
}

// facetCounts counts, for every facet value, the matched series with a
// version that has it and passes every filter but that facet's own
// (disjunctive faceting: selecting the value would add them to the
// results).
func (idx *Index) facetCounts(sc *seriesCounter, matched, kept bitset, pass [len(facetNames)]bitset) [][]int {
	counts := make([][]int, len(facetNames))
	for f := range facetNames {
		base := kept
		if pass[f] != nil {
			base = slices.Clone(matched)
			for g := range facetNames {
				if g != f && pass[g] != nil {
					base.and(pass[g])
				}
			}
		}
		t := &idx.facets[f]
		counts[f] = make([]int, len(t.values))
		for v := range t.docs {
			counts[f][v] = sc.count(base, &t.docs[v])
		}
	}
	return counts
}

// rankOrder orders matches: by score (unless newest), then newest first,
// the current version before earlier ones, then by document number.
func (idx *Index) rankOrder(newest bool) func(a, b match) int {
	return func(a, b match) int {
		if !newest {
			if c := cmp.Compare(b.score, a.score); c != 0 {
				return c
			}
		}
		if c := cmp.Compare(idx.date[b.doc], idx.date[a.doc]); c != 0 {
			return c
		}
		return idx.currentFirst(a.doc, b.doc)
	}
}

// currentFirst orders a series' versions as a hit lists them: the current
// version first, then newest first, then by document number.
func (idx *Index) currentFirst(a, b int) int {
	if idx.current[a] != idx.current[b] {
		if idx.current[a] {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(idx.date[b], idx.date[a]); c != 0 {
		return c
	}
	return cmp.Compare(a, b)
}

// topN keeps the k first matches in cmp order: a heap whose root is the
// last of those kept. cmp is a total order, so the result does not depend
// on the order of pushes.
type topN struct {
	k   int
	h   []match
	cmp func(a, b match) int
}

func (t *topN) push(m match) {
	if len(t.h) < t.k {
		t.h = append(t.h, m)
		for i := len(t.h) - 1; i > 0; {
			p := (i - 1) / 2
			if t.cmp(t.h[i], t.h[p]) <= 0 {
				break
			}
			t.h[i], t.h[p] = t.h[p], t.h[i]
			i = p
		}
		return
	}
	if t.k == 0 || t.cmp(m, t.h[0]) >= 0 {
		return
	}
	t.h[0] = m
	for i := 0; ; {
		l, r, w := 2*i+1, 2*i+2, i
		if l < len(t.h) && t.cmp(t.h[l], t.h[w]) > 0 {
			w = l
		}
		if r < len(t.h) && t.cmp(t.h[r], t.h[w]) > 0 {
			w = r
		}
		if w == i {
			break
		}
		t.h[i], t.h[w] = t.h[w], t.h[i]
		i = w
	}
}

// sorted returns the kept matches in order.
func (t *topN) sorted() []match {
	slices.SortFunc(t.h, t.cmp)
	return t.h
}
