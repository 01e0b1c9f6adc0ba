package search_test

import (
	"cmp"
	"math"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/stp-portal/stp/generator/search"
	"github.com/stp-portal/stp/generator/synth"
)

// The engine (eval.go) claims Bleve's answers: the query the parser means,
// asked of Bleve's own index and searchers over the same records, finds the
// same versions with the same scores. These tests hold it to that, for the
// relevance set and the differential queries, over the synthetic portal.
//
// Where the engine differs on purpose, the comparison applies the
// difference to Bleve's answer, in the open, rather than skipping:
//
//   - Alternatives (alternatives.go: splits, joins, synonyms) are not
//     Bleve's synonyms, which rewrite terms at index time; they are asked
//     of Bleve as more clauses. A document must cover every word by the
//     word or by an alternative that stands for it (a Bleve filter), and
//     each word, alternative and side-by-side pair adds its own score (an
//     optional clause of nested boolean queries). Bleve's plain
//     disjunction would divide the sum by the number of clauses matched
//     out of all, so that a document found by "soc2" and by "soc 2"
//     scored less than one found by "soc 2" alone.
//   - A retained earlier version's score is multiplied by
//     EarlierVersionWeight (0.8), so that a current version ranks above
//     an earlier one it ties with; Bleve has no such boost.
//   - A hit is a series: the series ranks by its best version, and totals
//     and facet counts count series, where Bleve counts versions.
//   - Equal scores are ordered newest first, the current version first,
//     then by ID; equal scores are compared as a group here.
//
// Within those, the comparison is exact: the same versions, every score
// equal to 1e-9, the same series in the same order (a group of equal
// scores as a set), the same versions inside each hit, the same totals and
// facet counts.

// bleveRecord is a record as a document for bleveMapping.
func bleveRecord(r *search.Record, labels search.Labels) map[string]any {
	tags, words := search.TagsAndWords(r, labels)
	doc := map[string]any{
		search.FieldTitle: r.Title, "summary": r.Summary, search.FieldBody: r.Body,
		search.FieldTags: tags, search.FieldWords: words,
		search.FacetKind: r.Kind, search.FacetService: r.Services, search.FacetStandard: r.Standards,
		search.FacetRegion: r.Regions, search.FacetIndustry: r.Industries,
		search.FieldSeries: cmp.Or(r.Series, r.ID),
	}
	if !r.Published.IsZero() {
		doc[search.FacetYear] = strconv.Itoa(r.Published.Year())
		doc[search.FieldDate] = r.Published.Format(time.DateOnly)
	}
	if r.Current {
		doc[search.FieldCurrent] = "1"
	}
	return doc
}

// newBleveIndex indexes records with Bleve's own engine, in memory.
func newBleveIndex(t testing.TB, records []search.Record, labels search.Labels) bleve.Index {
	t.Helper()
	m, err := search.BleveMapping()
	if err != nil {
		t.Fatal(err)
	}
	bi, err := bleve.NewMemOnly(m)
	if err != nil {
		t.Fatal(err)
	}
	b := bi.NewBatch()
	for i := range records {
		if err := b.Index(records[i].ID, bleveRecord(&records[i], labels)); err != nil {
			t.Fatal(err)
		}
	}
	if err := bi.Batch(b); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bi.Close() })
	return bi
}

// in sets a query's field and boost.
func in[Q interface {
	query.FieldableQuery
	query.BoostableQuery
}](q Q, field string, boost float64) query.Query {
	q.SetField(field)
	q.SetBoost(boost)
	return q
}

func termQ(term, field string, boost float64) query.Query {
	return in(query.NewTermQuery(term), field, boost)
}

func fuzzyQ(term, field string, k int, boost float64) query.Query {
	q := query.NewFuzzyQuery(term)
	q.SetFuzziness(k)
	q.SetPrefix(1)
	return in(q, field, boost)
}

func prefixQ(p, field string, boost float64) query.Query {
	return in(query.NewPrefixQuery(p), field, boost)
}

func phraseQ(terms []string, field string, boost float64) query.Query {
	q := query.NewPhraseQuery(terms, field)
	q.SetBoost(boost)
	return q
}

func allQ(terms []string, field string, boost float64) query.Query {
	var qs []query.Query
	for _, t := range terms {
		qs = append(qs, termQ(t, field, boost))
	}
	return query.NewConjunctionQuery(qs)
}

// clauseQuery is one word or phrase as the parser means it: a
// disjunction over the text fields, typos and prefixes.
func clauseQuery(c search.Clause) query.Query {
	var parts []query.Query
	for _, f := range search.TextFields() {
		switch {
		case c.Phrase && f.Name == search.FieldBody:
			parts = append(parts, allQ(c.Terms, f.Name, f.Boost*search.BodyPhraseBoost))
		case c.Phrase:
			parts = append(parts, phraseQ(c.Terms, f.Name, f.Boost))
		default:
			parts = append(parts, termQ(c.Terms[0], f.Name, f.Boost))
			if k := search.Fuzziness(c.Terms[0]); k > 0 && f.Name == search.FieldBody {
				parts = append(parts, fuzzyQ(c.Terms[0], f.Name, k, f.Boost*search.FuzzyBoost))
			}
		}
	}
	if !c.Phrase {
		if k := search.Fuzziness(c.Raw); k > 0 {
			parts = append(parts, fuzzyQ(c.Raw, search.FieldWords, k, search.WordsBoost*search.FuzzyBoost))
		}
		if p := search.PrefixOf(c.Raw); c.Prefix && p != "" {
			parts = append(parts, prefixQ(p, search.FieldWords, search.WordsBoost*search.PrefixBoost))
		}
	}
	return query.NewDisjunctionQuery(parts)
}

// alternativeQuery is an alternative: several words in one field, ranked
// higher side by side.
func alternativeQuery(a search.Alternative) query.Query {
	var parts []query.Query
	for _, f := range search.TextFields() {
		switch {
		case len(a.Terms) == 1:
			parts = append(parts, termQ(a.Terms[0], f.Name, f.Boost))
		case f.Name == search.FieldBody:
			parts = append(parts, allQ(a.Terms, f.Name, f.Boost*search.BodyPhraseBoost))
		default:
			parts = append(parts, allQ(a.Terms, f.Name, f.Boost), phraseQ(a.Terms, f.Name, f.Boost))
		}
	}
	return query.NewDisjunctionQuery(parts)
}

// textQuery is the text as a Bleve query, and whether it has words.
// Every clause, alternative and side-by-side pair is an optional clause
// that adds its score; the filter requires each word or an alternative
// for it.
func textQuery(clauses []search.Clause, alts []search.Alternative) (scored, filter query.Query) {
	var scoring []query.Query
	var required []query.Query
	for i, c := range clauses {
		cq := clauseQuery(c)
		scoring = append(scoring, cq)
		either := []query.Query{cq}
		for _, a := range alts {
			if a.First <= i && i <= a.Last {
				either = append(either, alternativeQuery(a))
			}
		}
		required = append(required, query.NewDisjunctionQuery(either))
	}
	for _, a := range alts {
		scoring = append(scoring, alternativeQuery(a))
	}
	for i := 0; i+1 < len(clauses); i++ {
		if clauses[i].Next {
			pair := []string{clauses[i].Terms[0], clauses[i+1].Terms[0]}
			scoring = append(scoring, query.NewDisjunctionQuery([]query.Query{
				phraseQ(pair, search.FieldTitle, 3), phraseQ(pair, search.FieldTags, 2.5)}))
		}
	}
	// A boolean query adds its should clause's score to its must clause's
	// without coordination; nested, each optional clause adds its own.
	none := query.NewMatchAllQuery()
	if len(scoring) > 0 {
		// Scores nothing, and is not in the query norm.
		none.SetBoost(0)
	}
	scored = none
	for _, s := range scoring {
		b := query.NewBooleanQuery(nil, nil, nil)
		b.Must, b.Should = scored, s
		scored = b
	}
	if len(required) == 0 {
		return scored, nil
	}
	return scored, query.NewConjunctionQuery(required)
}

// filterQuery is the query's facet filters and dates.
func filterQuery(q search.Query, skip string) []query.Query {
	var out []query.Query
	lists := [][]string{q.Kinds, q.Services, q.Standards, q.Regions, q.Industries, q.Years}
	for i, name := range search.FacetNames {
		if len(lists[i]) == 0 || name == skip {
			continue
		}
		var any []query.Query
		for _, v := range lists[i] {
			any = append(any, termQ(v, name, 1))
		}
		out = append(out, query.NewDisjunctionQuery(any))
	}
	if q.From != "" || q.To != "" {
		yes := true
		out = append(out, query.NewTermRangeInclusiveQuery(q.From, q.To, &yes, &yes))
		out[len(out)-1].(*query.TermRangeQuery).SetField(search.FieldDate)
	}
	return out
}

// bleveHit is a version Bleve found.
type bleveHit struct {
	id, series, date string
	current          bool
	score            float64
	facets           map[string][]string
}

// bleveSearch asks bi for every version matching the text and filters
// (all but skip's), best first. What a hit is (series, date, facets) is
// looked up in meta, the records Bleve indexed, rather than read back from
// stored fields, which took most of the test's time.
func bleveSearch(t *testing.T, bi bleve.Index, meta map[string]bleveHit, clauses []search.Clause, alts []search.Alternative, q search.Query, skip string) []bleveHit {
	t.Helper()
	scored, required := textQuery(clauses, alts)
	filters := filterQuery(q, skip)
	if required != nil {
		filters = append(filters, required)
	}
	b := query.NewBooleanQuery(nil, nil, nil)
	b.Must = scored
	if len(filters) > 0 {
		b.Filter = query.NewConjunctionQuery(filters)
	}
	n, _ := bi.DocCount()
	req := bleve.NewSearchRequestOptions(b, int(n), 0, false)
	req.SortBy([]string{"-_score", "_id"})
	res, err := bi.Search(req)
	if err != nil {
		t.Fatalf("bleve: %v", err)
	}
	var out []bleveHit
	for _, h := range res.Hits {
		bh := meta[h.ID]
		bh.score = h.Score
		out = append(out, bh)
	}
	return out
}

// bleveMeta is what a hit is, by ID.
func bleveMeta(records []search.Record) map[string]bleveHit {
	out := map[string]bleveHit{}
	for _, r := range records {
		h := bleveHit{id: r.ID, series: cmp.Or(r.Series, r.ID), current: r.Current, facets: map[string][]string{
			search.FacetKind: {r.Kind}, search.FacetService: r.Services, search.FacetStandard: r.Standards,
			search.FacetRegion: r.Regions, search.FacetIndustry: r.Industries}}
		if !r.Published.IsZero() {
			h.date = r.Published.Format(time.DateOnly)
			h.facets[search.FacetYear] = []string{strconv.Itoa(r.Published.Year())}
		}
		out[r.ID] = h
	}
	return out
}

// sameScore is equality up to the order of floating-point sums.
func sameScore(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

// seriesAnswer is Bleve's answer grouped as Run groups it.
type seriesAnswer struct {
	order    []string            // series, best first
	group    map[string]int      // series -> its group of equal scores
	versions map[string][]string // series -> versions, current first, newest first
}

// groupSeries applies the engine's deliberate differences to Bleve's
// version hits: the earlier-version weight, one hit per series ranked by
// its best version.
func groupSeries(hits []bleveHit, newest bool) seriesAnswer {
	weighted := slices.Clone(hits)
	for i := range weighted {
		if !weighted[i].current && !newest {
			weighted[i].score *= search.EarlierVersionWeight
		}
	}
	rank := func(a, b bleveHit) int {
		if !newest {
			if c := cmp.Compare(b.score, a.score); c != 0 && !sameScore(a.score, b.score) {
				return c
			}
		}
		if c := cmp.Compare(b.date, a.date); c != 0 {
			return c
		}
		if a.current != b.current {
			if a.current {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.id, b.id)
	}
	best := map[string]bleveHit{}
	ans := seriesAnswer{group: map[string]int{}, versions: map[string][]string{}}
	for _, h := range weighted {
		if b, ok := best[h.series]; !ok || rank(h, b) < 0 {
			best[h.series] = h
		}
	}
	var bests []bleveHit
	for _, b := range best {
		bests = append(bests, b)
	}
	slices.SortFunc(bests, rank)
	for i, b := range bests {
		ans.order = append(ans.order, b.series)
		ans.group[b.series] = i
		if i > 0 && !newest && sameScore(bests[i-1].score, b.score) {
			ans.group[b.series] = ans.group[bests[i-1].series]
		}
	}
	byVersion := slices.Clone(hits)
	slices.SortFunc(byVersion, func(a, b bleveHit) int {
		if a.current != b.current {
			if a.current {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(b.date, a.date); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	for _, h := range byVersion {
		ans.versions[h.series] = append(ans.versions[h.series], h.id)
	}
	return ans
}

// facetSeries counts, per value of facet, the series among hits.
func facetSeries(hits []bleveHit, facet string) map[string]int {
	seen := map[string]map[string]bool{}
	for _, h := range hits {
		for _, v := range h.facets[facet] {
			if seen[v] == nil {
				seen[v] = map[string]bool{}
			}
			seen[v][h.series] = true
		}
	}
	out := map[string]int{}
	for v, s := range seen {
		out[v] = len(s)
	}
	return out
}

// bleveComparison counts what a run of compareWithBleve held equal.
type bleveComparison struct {
	queries, scored, versions, withAlternatives int
}

// compareWithBleve asks idx and bi the same query (a URL query string)
// and reports every difference.
func compareWithBleve(t *testing.T, idx *search.Index, bi bleve.Index, meta map[string]bleveHit, raw string, cmpd *bleveComparison) {
	t.Helper()
	v, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	res, err := search.Run(idx, search.ParseValues(v))
	if err != nil {
		// Refused input (too long): nothing for Bleve to answer.
		return
	}
	q := res.Query
	clauses, alts, err := search.ParseText(idx, q.Text)
	if err != nil {
		t.Fatal(err)
	}
	cmpd.queries++
	if len(alts) > 0 {
		cmpd.withAlternatives++
	}
	// 1. The versions the text finds, and their scores.
	if len(clauses) > 0 {
		ours, err := search.VersionScores(idx, q.Text)
		if err != nil {
			t.Fatal(err)
		}
		theirs := bleveSearch(t, bi, meta, clauses, alts, search.Query{}, "")
		if len(theirs) != len(ours) {
			t.Errorf("%s: Bleve finds %d versions, the engine %d", raw, len(theirs), len(ours))
		}
		for i, h := range theirs {
			s, ok := ours[h.id]
			switch {
			case !ok:
				t.Errorf("%s: Bleve finds %s (rank %d, score %g), the engine does not", raw, h.id, i+1, h.score)
			case !sameScore(s, h.score):
				t.Errorf("%s: %s scores %.12g, Bleve %.12g", raw, h.id, s, h.score)
			}
		}
		if len(theirs) > 0 {
			cmpd.scored++
			cmpd.versions += len(theirs)
		}
	}
	// 2. The page of documents, with filters, dates, paging and sort.
	hits := bleveSearch(t, bi, meta, clauses, alts, q, "")
	// Without words (none typed, or only common ones) nothing is scored:
	// documents come newest first, as with sort=newest.
	newest := q.Sort == "newest" || len(clauses) == 0
	ans := groupSeries(hits, newest)
	if res.Total != len(ans.order) {
		t.Errorf("%s: total %d, Bleve's versions make %d documents", raw, res.Total, len(ans.order))
	}
	lo := (res.Page - 1) * res.PageSize
	for i, h := range res.Hits {
		if lo+i >= len(ans.order) {
			t.Errorf("%s: hit %d (%s) beyond Bleve's %d documents", raw, lo+i+1, h.Series, len(ans.order))
			break
		}
		want := ans.order[lo+i]
		if h.Series != want && (newest || ans.group[h.Series] != ans.group[want]) {
			t.Errorf("%s: hit %d is %s, Bleve ranks %s there", raw, lo+i+1, h.Series, want)
		}
		var got []string
		for _, v := range h.Versions {
			got = append(got, v.ID)
		}
		if !slices.Equal(got, ans.versions[h.Series]) {
			t.Errorf("%s: %s has versions %v, Bleve finds %v", raw, h.Series, got, ans.versions[h.Series])
		}
	}
	// 3. Facet counts: documents with a version that passes every filter
	// but the facet's own.
	for fi, f := range res.Facets {
		if f.Name != search.FacetNames[fi] {
			t.Fatalf("facet order: %s", f.Name)
		}
		base := hits
		if filtered := slices.ContainsFunc(f.Values, func(v search.FacetValue) bool { return v.Selected }); filtered {
			base = bleveSearch(t, bi, meta, clauses, alts, q, f.Name)
		}
		want := facetSeries(base, f.Name)
		for _, fv := range f.Values {
			if fv.Count != want[fv.ID] {
				t.Errorf("%s: %s=%s counts %d, Bleve's versions make %d documents", raw, f.Name, fv.ID, fv.Count, want[fv.ID])
			}
			delete(want, fv.ID)
		}
		for id, n := range want {
			t.Errorf("%s: %s=%s missing, Bleve's versions make %d documents", raw, f.Name, id, n)
		}
	}
}

// bleveQueries are the relevance set's texts, then the differential
// queries.
func bleveQueries() []string {
	var qs []string
	for _, c := range relevanceSet {
		qs = append(qs, "q="+url.QueryEscape(c.q))
	}
	return append(qs, differentialQueries...)
}

// TestBleveAnswersSynthetic asks the relevance set and the differential
// queries of the synthetic portal, indexed by the engine and by Bleve.
func TestBleveAnswersSynthetic(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes 2,000 records twice")
	}
	recs, labels := synth.SearchRecords(2000, 1), synth.SearchLabels()
	data, err := search.BuildIndex(recs, labels)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := search.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	bi, meta := newBleveIndex(t, recs, labels), bleveMeta(recs)
	var c bleveComparison
	for _, q := range bleveQueries() {
		compareWithBleve(t, idx, bi, meta, q, &c)
	}
	t.Logf("%d queries (%d with alternatives); %d found versions, %d versions compared", c.queries, c.withAlternatives, c.scored, c.versions)
	// The comparison must have compared something: most of the set finds
	// versions here.
	if c.scored < 40 || c.withAlternatives < 15 {
		t.Errorf("only %d queries found anything (%d with alternatives); the comparison is too thin", c.scored, c.withAlternatives)
	}
}

// TestExportOpensWithBleve exports an index as a Bleve index, opens it
// with bleve.Open and asks it the relevance set: the same versions, the
// same scores as the engine gives.
func TestExportOpensWithBleve(t *testing.T) {
	recs := synth.SearchRecords(300, 2)
	data, err := search.BuildIndex(recs, synth.SearchLabels())
	if err != nil {
		t.Fatal(err)
	}
	idx, err := search.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "bleve")
	if err := search.Export(idx, dir); err != nil {
		t.Fatal(err)
	}
	bi, err := bleve.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer bi.Close()
	if n, _ := bi.DocCount(); n != 300 {
		t.Fatalf("the export has %d documents, want 300", n)
	}
	meta, found := bleveMeta(recs), 0
	for _, c := range relevanceSet {
		clauses, alts, err := search.ParseText(idx, c.q)
		if err != nil || len(clauses) == 0 {
			continue
		}
		ours, err := search.VersionScores(idx, c.q)
		if err != nil {
			t.Fatal(err)
		}
		theirs := bleveSearch(t, bi, meta, clauses, alts, search.Query{}, "")
		if len(theirs) != len(ours) {
			t.Errorf("%q: the export finds %d versions, the engine %d", c.q, len(theirs), len(ours))
		}
		for _, h := range theirs {
			if s, ok := ours[h.id]; !ok || !sameScore(s, h.score) {
				t.Errorf("%q: %s scores %.12g in the export, %.12g (found %v) in the engine", c.q, h.id, h.score, s, ok)
			}
		}
		found += len(theirs)
	}
	if found == 0 {
		t.Fatal("the export found nothing")
	}
	// A query as an operator types it on the bleve command line.
	res, err := bi.Search(bleve.NewSearchRequest(bleve.NewQueryStringQuery("title:soc")))
	if err != nil || res.Total == 0 {
		t.Fatalf("title:soc: %v %v", res, err)
	}
}
