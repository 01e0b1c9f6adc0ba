package search

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/searcher"
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

	sel := idx.selection(q)
	from, to := dateBound(q.From, 0), dateBound(q.To, 99999999)
	counts := make([][]int, len(facetNames))
	for i := range facetNames {
		counts[i] = make([]int, len(idx.facets[i].values))
	}
	var kept []match
	visit := func(m match) {
		if dt := idx.date[m.doc]; dt < from || dt > to {
			return
		}
		failing, failed := -1, 0
		for f := range facetNames {
			if sel[f] != nil && !idx.hasAny(f, m.doc, sel[f]) {
				failing, failed = f, failed+1
				if failed > 1 {
					return
				}
			}
		}
		if failed == 1 {
			// Disjunctive faceting: this document counts toward the one
			// facet whose selection it misses, as selecting that value
			// would add it to the results.
			for _, v := range idx.facets[failing].docValues(m.doc) {
				counts[failing][v]++
			}
			return
		}
		for f := range facetNames {
			for _, v := range idx.facets[f].docValues(m.doc) {
				counts[f][v]++
			}
		}
		kept = append(kept, m)
	}

	if len(text.clauses) == 0 {
		for d := 0; d < idx.n; d++ {
			visit(match{doc: d})
		}
	} else if err := idx.search(ctx, text.clauses, visit); err != nil {
		return Result{}, err
	}

	newest := q.Sort == "newest"
	slices.SortFunc(kept, func(a, b match) int {
		if !newest {
			if c := cmp.Compare(b.score, a.score); c != 0 {
				return c
			}
		}
		if c := cmp.Compare(idx.date[b.doc], idx.date[a.doc]); c != 0 {
			return c
		}
		if idx.current[a.doc] != idx.current[b.doc] {
			if idx.current[a.doc] {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.doc, b.doc)
	})

	res = Result{Query: q, Total: len(kept), PageSize: q.Size, Notices: notices}
	res.Pages = (len(kept) + q.Size - 1) / q.Size
	res.Page = min(q.Page, max(res.Pages, 1))
	res.Query.Page = res.Page
	lo := min((res.Page-1)*q.Size, len(kept))
	hi := min(lo+q.Size, len(kept))
	hl := newHighlighter(text.clauses)
	res.Hits = make([]Hit, 0, hi-lo)
	for _, m := range kept[lo:hi] {
		h, err := idx.hit(m, hl)
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

func (idx *Index) hasAny(f, doc int, sel []bool) bool {
	for _, v := range idx.facets[f].docValues(doc) {
		if sel[v] {
			return true
		}
	}
	return false
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

// search runs the text clauses through Bleve's searchers and calls visit
// for every matching document.
func (idx *Index) search(ctx context.Context, clauses []clause, visit func(match)) error {
	opts := search.SearcherOptions{}
	r := idx.reader
	var must []search.Searcher
	closeAll := func(ss []search.Searcher) {
		for _, s := range ss {
			_ = s.Close()
		}
	}
	defer func() { closeAll(must) }()
	for _, c := range clauses {
		var should []search.Searcher
		add := func(s search.Searcher, err error) {
			// A clause part that cannot run (too many prefix terms, say)
			// is left out rather than failing the search.
			if err == nil && s != nil {
				should = append(should, s)
			}
		}
		for _, f := range textFields {
			if c.phrase && f.name == fieldBody {
				// No positions in the body: all the phrase's words.
				add(allTerms(ctx, r, c.terms, f.name, f.boost*bodyPhraseBoost, opts))
				continue
			}
			if c.phrase {
				add(searcher.NewPhraseSearcher(ctx, r, c.terms, 0, false, f.name, f.boost, opts))
				continue
			}
			term := c.terms[0]
			add(searcher.NewTermSearcher(ctx, r, term, f.name, f.boost, opts))
			if f.name == fieldBody {
				if k := fuzziness(term); k > 0 {
					add(searcher.NewFuzzySearcher(ctx, r, term, 1, k, f.name, f.boost*fuzzyBoost, opts))
				}
			}
		}
		if !c.phrase {
			// Typos and prefixes against the words as written.
			if k := fuzziness(c.raw); k > 0 {
				add(searcher.NewFuzzySearcher(ctx, r, c.raw, 1, k, fieldWords, wordsBoost*fuzzyBoost, opts))
			}
			if c.prefix {
				if p := prefix(c.raw); p != "" {
					add(searcher.NewTermPrefixSearcher(ctx, r, p, fieldWords, wordsBoost*prefixBoost, opts))
				}
			}
		}
		if len(should) == 0 {
			continue
		}
		d, err := searcher.NewDisjunctionSearcher(ctx, r, should, 1, opts)
		if err != nil {
			closeAll(should)
			return err
		}
		must = append(must, d)
	}
	if len(must) == 0 {
		return nil
	}
	top := must[0]
	if len(must) > 1 {
		c, err := searcher.NewConjunctionSearcher(ctx, r, must, opts)
		if err != nil {
			return err
		}
		must = []search.Searcher{c}
		top = c
	}
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(top.DocumentMatchPoolSize()+1, 0)}
	for n := 0; ; n++ {
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("search took too long: %w", err)
			}
		}
		dm, err := top.Next(sctx)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
				return fmt.Errorf("search took too long: %w", err)
			}
			return err
		}
		if dm == nil {
			return nil
		}
		m := match{doc: int(dm.IndexInternalID.Value()), score: dm.Score}
		if m.doc < idx.n && !idx.current[m.doc] {
			m.score *= earlierVersionWeight
		}
		sctx.DocumentMatchPool.Put(dm)
		if m.doc < idx.n {
			visit(m)
		}
	}
}

// allTerms matches documents with every one of terms in field.
func allTerms(ctx context.Context, r *reader, terms []string, field string, boost float64, opts search.SearcherOptions) (search.Searcher, error) {
	var ss []search.Searcher
	for _, t := range terms {
		s, err := searcher.NewTermSearcher(ctx, r, t, field, boost, opts)
		if err != nil {
			for _, s := range ss {
				s.Close()
			}
			return nil, err
		}
		ss = append(ss, s)
	}
	return searcher.NewConjunctionSearcher(ctx, r, ss, opts)
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

// hit builds the result entry of one document.
func (idx *Index) hit(m match, hl *highlighter) (Hit, error) {
	sd, err := idx.storedDoc(m.doc)
	if err != nil {
		return Hit{}, fmt.Errorf("reading document %d: %w", m.doc, err)
	}
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
	h := Hit{
		ID: sd.ID, Series: sd.Series, Version: sd.Version,
		Kind:  Term{ID: sd.Kind, Label: idx.label(FacetKind, sd.Kind)},
		URL:   sd.URL,
		Title: hl.segments(sd.Title), Summary: hl.segments(sd.Summary),
		Services: terms(FacetService, sd.Services), Standards: terms(FacetStandard, sd.Standards),
		Published: sd.Published, PeriodFrom: sd.PeriodFrom, PeriodTo: sd.PeriodTo,
		Current: sd.Current, Score: m.score,
	}
	return h, nil
}
