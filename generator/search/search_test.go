package search

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func ids(r Result) []string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.ID)
	}
	return out
}

func run(t *testing.T, idx *Index, raw string) Result {
	t.Helper()
	v, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(idx, ParseValues(v))
	if err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return r
}

func facetCount(r Result, facet, id string) int {
	for _, f := range r.Facets {
		if f.Name == facet {
			for _, v := range f.Values {
				if v.ID == id {
					return v.Count
				}
			}
		}
	}
	return 0
}

func TestRelevance(t *testing.T) {
	idx := openSample(t)
	tests := []struct {
		name, query string
		first       []string // these, in any order, before anything else
		want        []string // all of these somewhere
		none        bool
	}{
		{name: "standard name", query: "q=ISO 27001", first: []string{"cloud-iso-27001-2025"}},
		{name: "standard name finds tagged documents", query: "q=fedramp", first: []string{"cloud-fedramp-ssp-2024"}},
		{name: "soc 2", query: "q=soc 2", first: []string{"cloud-soc-2-2025"}},
		{name: "typo", query: "q=penetraton", first: []string{"cloud-pentest-2025"}},
		{name: "transposed letters", query: "q=contiunity", first: []string{"cloud-bcdr-2024"}},
		{name: "prefix as you type", query: "q=penetr", first: []string{"cloud-pentest-2025"}},
		{name: "prefix of a stemmed word", query: "q=continuit", first: []string{"cloud-bcdr-2024"}},
		{name: "phrase", query: `q="business associate"`, first: []string{"365-hipaa-2023"}},
		{name: "phrase across body", query: `q="recovery point objectives"`, first: []string{"cloud-bcdr-2024"}},
		{name: "phrase order matters", query: `q="test penetration"`, none: true},
		{name: "numbers are not fuzzy", query: "q=27002 ", none: true},
		{name: "body text", query: "q=surveillance", first: []string{"cloud-iso-27001-2025"}},
		{name: "stemming", query: "q=certificates", want: []string{"cloud-iso-27001-2025", "365-iso-27018-2025"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, idx, tt.query)
			got := ids(r)
			if tt.none {
				if len(got) != 0 {
					t.Fatalf("%s: got %v, want nothing", tt.query, got)
				}
				return
			}
			if len(got) < len(tt.first) {
				t.Fatalf("%s: got %v, want %v first", tt.query, got, tt.first)
			}
			for _, id := range got[:len(tt.first)] {
				if !slices.Contains(tt.first, id) {
					t.Fatalf("%s: got %v, want %v first", tt.query, got, tt.first)
				}
			}
			for _, id := range tt.want {
				if !slices.Contains(got, id) {
					t.Fatalf("%s: got %v, want %s among them", tt.query, got, id)
				}
			}
		})
	}
}

// versionIDs lists the matching versions of each hit.
func versionIDs(r Result) [][]string {
	var out [][]string
	for _, h := range r.Hits {
		var vs []string
		for _, v := range h.Versions {
			vs = append(vs, v.ID)
		}
		out = append(out, vs)
	}
	return out
}

// A document is one hit, with its matching versions inside, the current
// one first, and counts once in the total and the facets.
func TestOneHitPerSeries(t *testing.T) {
	idx := openSample(t)
	r := run(t, idx, "q=iso 27001 certificate")
	if got := versionIDs(r); len(got) == 0 || !slices.Equal(got[0], []string{"cloud-iso-27001-2025", "cloud-iso-27001-2024"}) {
		t.Fatalf("versions %v", got)
	}
	h := r.Hits[0]
	if h.ID != "cloud-iso-27001-2025" || !h.Current || !h.Versions[0].Current || h.Versions[1].Current || h.Versions[1].Version != "2024" {
		t.Fatalf("hit %+v", h)
	}
	for _, o := range r.Hits[1:] {
		if o.Series == h.Series {
			t.Fatalf("series %s is two hits: %v", h.Series, ids(r))
		}
	}
	// Both versions are in their year, the document once in the total.
	if facetCount(r, FacetYear, "2025") != 1 || facetCount(r, FacetYear, "2024") != 1 || facetCount(r, FacetStandard, "iso-27001") != 1 {
		t.Fatalf("facets %+v", r.Facets)
	}
	// Only the earlier version says 2013: the hit shows it, marked as such.
	old := run(t, idx, "q=2013")
	if got := versionIDs(old); len(got) != 1 || !slices.Equal(got[0], []string{"cloud-iso-27001-2024"}) || old.Hits[0].Current || old.Total != 1 {
		t.Fatalf("earlier version only: %v", got)
	}
	// A filter that only the earlier version passes leaves it alone inside.
	y := run(t, idx, "q=iso 27001 certificate&year=2024")
	if got := versionIDs(y); len(got) != 1 || !slices.Equal(got[0], []string{"cloud-iso-27001-2024"}) || y.Total != 1 {
		t.Fatalf("year 2024: %v", got)
	}
}

func TestFiltersNarrowCounts(t *testing.T) {
	idx := openSample(t)
	all := run(t, idx, "")
	if all.Total != 9 || facetCount(all, FacetService, "contoso-cloud") != 7 || facetCount(all, FacetKind, "trust-document") != 3 {
		t.Fatalf("browse: total %d, facets %+v", all.Total, all.Facets)
	}
	if all.Query.Sort != "newest" || all.Hits[0].ID != "cloud-soc-1-2025" && all.Hits[0].ID != "cloud-soc-2-2025" {
		t.Fatalf("browse is not newest first: %v", ids(all))
	}
	eu := run(t, idx, "region=europe")
	if eu.Total != 6 {
		t.Fatalf("europe: %d %v", eu.Total, ids(eu))
	}
	// Disjunctive counts: the region facet still counts other regions.
	if got := facetCount(eu, FacetRegion, "north-america"); got != 7 {
		t.Fatalf("north-america count with europe selected = %d, want 7", got)
	}
	// Other facets are narrowed to Europe.
	if got := facetCount(eu, FacetStandard, "fedramp"); got != 0 {
		t.Fatalf("fedramp in europe = %d", got)
	}
	both := run(t, idx, "region=europe&standard=iso-27001&standard=c5")
	if both.Total != 2 {
		t.Fatalf("europe & (iso or c5): %v", ids(both))
	}
	kind := run(t, idx, "q=contoso&kind=trust-document&industry=healthcare")
	if got := ids(kind); len(got) != 3 {
		t.Fatalf("trust docs for healthcare: %v", got)
	}
	dates := run(t, idx, "from=2025-01-01&to=2025-04-30")
	if got := ids(dates); len(got) != 3 {
		t.Fatalf("date range: %v", got)
	}
	year := run(t, idx, "year=2024")
	if year.Total != 3 || facetCount(year, FacetYear, "2025") != 6 {
		t.Fatalf("year: %v %+v", ids(year), year.Facets)
	}
}

func TestPaging(t *testing.T) {
	idx := openSample(t)
	p1 := run(t, idx, "size=4")
	p3 := run(t, idx, "size=4&page=3")
	if p1.Pages != 3 || len(p1.Hits) != 4 || len(p3.Hits) != 1 || p3.Page != 3 {
		t.Fatalf("pages %d, hits %d/%d", p1.Pages, len(p1.Hits), len(p3.Hits))
	}
	far := run(t, idx, "size=4&page=99")
	if far.Page != 3 || len(far.Hits) != 1 {
		t.Fatalf("page 99 -> %d", far.Page)
	}
	big := run(t, idx, "size=100000")
	if big.PageSize != MaxPageSize {
		t.Fatalf("page size %d", big.PageSize)
	}
}

func TestHighlight(t *testing.T) {
	r := run(t, openSample(t), "q=penetraton test")
	h := r.Hits[0]
	var marked []string
	for _, s := range h.Title {
		if s.Hit {
			marked = append(marked, s.Text)
		}
	}
	if !slices.Equal(marked, []string{"Penetration Test"}) && !slices.Equal(marked, []string{"Penetration", "Test"}) {
		t.Fatalf("title segments %+v", h.Title)
	}
	var whole strings.Builder
	for _, s := range h.Title {
		whole.WriteString(s.Text)
	}
	if whole.String() != "Contoso Cloud Penetration Test Summary" {
		t.Fatalf("segments do not rebuild the title: %q", whole.String())
	}
}

func TestBadInput(t *testing.T) {
	idx := openSample(t)
	long := strings.Repeat("a", 10000)
	_, err := Run(idx, Query{Text: long})
	var ie *InputError
	if err == nil || !strings.Contains(err.Error(), "limit is 512") || !errorsAs(err, &ie) {
		t.Fatalf("10,000 characters: %v", err)
	}
	for _, q := range []string{`"unclosed phrase`, `"`, `""""`, "\x00\x01\ufeff\u202e", "\xff\xfe", "🙂 🙂", "a\"b\"c\"", strings.Repeat("word ", 100), "the of and", "-*+:()[]{}~^", "ǅ Ⅻ ﬁ"} {
		r, err := Run(idx, Query{Text: q})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		_ = r
	}
	r, _ := Run(idx, Query{Text: `"business associate`})
	if len(r.Notices) == 0 || len(r.Hits) != 1 {
		t.Fatalf("unclosed quote: %+v", r)
	}
	r, _ = Run(idx, Query{Standards: []string{"nope"}, From: "yesterday", Sort: "sideways"})
	if len(r.Notices) != 3 || r.Total != 9 {
		t.Fatalf("bad filters: %v", r.Notices)
	}
}

func errorsAs(err error, ie **InputError) bool {
	e, ok := err.(*InputError)
	*ie = e
	return ok
}

func TestEmptyIndex(t *testing.T) {
	r, err := Run(openRecords(t, nil, nil), Query{Text: "iso"})
	if err != nil || r.Total != 0 {
		t.Fatalf("%+v %v", r, err)
	}
}

func TestDamagedIndex(t *testing.T) {
	data, _ := BuildIndex(sampleRecords(), sampleLabels())
	for _, bad := range [][]byte{nil, []byte("STPSIDX1"), data[:len(data)/2], append(slices.Clone(data[:len(data)-3]), 1, 2, 3)} {
		if _, err := Open(bad); err == nil {
			t.Fatalf("opened a damaged index of %d bytes", len(bad))
		}
	}
}

func TestDuplicateIDs(t *testing.T) {
	recs := sampleRecords()
	recs = append(recs, recs[0])
	if _, err := BuildIndex(recs, nil); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("got %v", err)
	}
}

func TestTimeout(t *testing.T) {
	idx := openSample(t)
	ctx, cancel := context.WithTimeout(context.Background(), -time.Second)
	defer cancel()
	_, err := RunContext(ctx, idx, Query{Text: "contoso"})
	if err == nil {
		t.Fatal("expected a timeout")
	}
}

func TestValuesRoundTrip(t *testing.T) {
	q := Query{Text: "iso 27001", Standards: []string{"iso-27001"}, Regions: []string{"europe", "asia-pacific"}, Page: 2, From: "2024-01-01"}
	back := ParseValues(q.Values())
	if fmt.Sprint(back) != fmt.Sprint(q) {
		t.Fatalf("%+v != %+v", back, q)
	}
	if got := q.Values().Encode(); got != "from=2024-01-01&page=2&q=iso+27001&region=europe&region=asia-pacific&standard=iso-27001" {
		t.Fatal(got)
	}
}

func TestResultJSON(t *testing.T) {
	body, status := AnswerJSON(context.Background(), openSample(t), "q=soc&standard=soc-2")
	if status != 200 {
		t.Fatal(string(body))
	}
	var r Result
	if err := json.Unmarshal(body, &r); err != nil || r.Total != 1 {
		t.Fatalf("%v %s", err, body)
	}
	body, status = AnswerJSON(context.Background(), openSample(t), "q="+strings.Repeat("x", 600))
	if status != 400 || !bytes.Contains(body, []byte("limit is 512")) {
		t.Fatalf("%d %s", status, body)
	}
}

// TestWarmChangesNoAnswer answers the same queries from a cold index and
// a warmed one: the postings cache must not change a score or an order.
func TestWarmChangesNoAnswer(t *testing.T) {
	cold, warm := openSample(t), openSample(t)
	if err := warm.Warm(); err != nil {
		t.Fatal(err)
	}
	if len(warm.pcache.m) == 0 {
		t.Fatal("Warm cached no postings")
	}
	for _, q := range []string{"q=iso", "q=certificate&sort=newest", "q=contoso+cloud&region=europe", `q="information+security"`, "q=certifcate", "q=surv"} {
		a, _ := AnswerJSON(context.Background(), cold, q)
		b, _ := AnswerJSON(context.Background(), warm, q)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: warmed index answers\n%s\nwant\n%s", q, b, a)
		}
	}
}

// TestAdjacentWordsRankHigher: "soc 2" finds the SOC 2 report first, not
// the SOC 3 report whose summary and description say "SOC" and "2" more
// often but not as its name.
func TestAdjacentWordsRankHigher(t *testing.T) {
	labels := sampleLabels()
	labels[FacetStandard]["soc-3"] = "SOC 3"
	records := []Record{
		{ID: "cloud-soc-2-2025", Series: "cloud-soc-2", Version: "2025", Kind: "compliance-report",
			Title: "Contoso Cloud SOC 2 Type 2 Report", Summary: "Independent auditor's report on security, availability and confidentiality controls.",
			Standards: []string{"soc-2"}, Published: date("2025-06-19"), URL: "documents/cloud-soc-2/", Current: true},
		{ID: "cloud-soc-3-2025", Series: "cloud-soc-3", Version: "2025", Kind: "compliance-report",
			Title: "Contoso Cloud SOC 3 Report", Summary: "The general-use summary of the Contoso Cloud SOC 2 examination; share it with anyone.",
			Body:      "SOC 3 reports summarise a SOC 2 examination for readers who have no need for the detail of a SOC 2 report.",
			Standards: []string{"soc-3"}, Published: date("2025-06-19"), URL: "documents/cloud-soc-3/", Current: true},
	}
	idx := openRecords(t, records, labels)
	for _, q := range []string{"q=soc 2", "q=SOC 2 report", "q=cloud soc 2"} {
		if got := ids(run(t, idx, q)); !slices.Equal(got, []string{"cloud-soc-2-2025", "cloud-soc-3-2025"}) {
			t.Errorf("%s: got %v, want the SOC 2 report first and the SOC 3 report after it", q, got)
		}
	}
	// Side by side only counts where the words are next to each other in
	// the text: "soc 3 2" is not the pair "soc 2".
	if got := ids(run(t, idx, "q=soc 3 2")); !slices.Equal(got, []string{"cloud-soc-3-2025"}) {
		t.Errorf("soc 3 2: got %v", got)
	}
}

func TestAdjacentWordsInTheText(t *testing.T) {
	for _, c := range []struct {
		text string
		next []bool // per clause
	}{
		{"soc 2", []bool{true, false}},
		{"soc 2 type", []bool{true, true, false}},
		{"business of associate", []bool{false, false}}, // a common word between them
		{`soc "2"`, []bool{false, false}},
		{`"soc 2" type`, []bool{false, false}},
		{"iso/iec 27001", []bool{true, true, false}},
	} {
		p, err := parseText(c.text)
		if err != nil {
			t.Fatal(err)
		}
		var got []bool
		for _, cl := range p.clauses {
			got = append(got, cl.next)
		}
		if !slices.Equal(got, c.next) {
			t.Errorf("%q: next = %v, want %v", c.text, got, c.next)
		}
	}
}

// A publisher's synonym group (the catalog's site.search.synonyms) finds
// what its other names find, from the index header, on every host.
func TestPublisherSynonyms(t *testing.T) {
	without := run(t, openSample(t), "q=resilience")
	if without.Total != 0 {
		t.Fatalf("resilience found %v before it was a synonym", ids(without))
	}
	data, err := BuildIndex(sampleRecords(), sampleLabels(), WithSynonyms([][]string{{"resilience", "business continuity"}}))
	if err != nil {
		t.Fatal(err)
	}
	idx, err := Open(data)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(run(t, idx, "q=resilience")); len(got) != 1 || got[0] != "cloud-bcdr-2024" {
		t.Fatalf("resilience: %v", got)
	}
}
