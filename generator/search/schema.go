package search

import (
	"cmp"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/registry"
	index "github.com/blevesearch/bleve_index_api"
)

// Field names in the index. The text fields are queried directly (there is
// no _all field: it made the index a third bigger for nothing).
const (
	fieldTitle   = "title"
	fieldSummary = "summary"
	fieldBody    = "body"
	fieldTags    = "tags"    // names of the document's services and standards
	fieldWords   = "words"   // title, tags and summary, not stemmed: for typos and prefixes
	fieldStored  = "doc"     // JSON of storedDoc, stored only
	fieldDate    = "date"    // published date, YYYY-MM-DD
	fieldCurrent = "current" // "1" for the current version of a series
	fieldSeries  = "series"  // the series id: a hit is a series (series.go)
)

// textFields are searched with these boosts: title above summary above body.
var textFields = [...]struct {
	name  string
	boost float64
}{{fieldTitle, 3}, {fieldTags, 2.5}, {fieldSummary, 2}, {fieldBody, 1}}

// The body (long description) is indexed without term vectors and not
// stored: at 10,000 documents term vectors on it doubled the index (20 MB
// against 12 MB) and a stored lead for snippets added 3 MB. So phrases
// match exactly in title, summary and tags, and as "all these words" in the
// body; hits show the highlighted title and summary.
const bodyOptions = index.IndexField

var (
	analyzerOnce sync.Once
	analyzerEN   analysis.Analyzer
	analyzerErr  error
	wordAnalyzer analysis.Analyzer = &analysis.DefaultAnalyzer{
		Tokenizer:    unicode.NewUnicodeTokenizer(),
		TokenFilters: []analysis.TokenFilter{en.NewPossessiveFilter(), lowercase.NewLowerCaseFilter()},
	}
)

// textAnalyzer is Bleve's English analyzer: Unicode word boundaries,
// possessives, lower case, stop words and the Porter stemmer.
func textAnalyzer() (analysis.Analyzer, error) {
	analyzerOnce.Do(func() {
		analyzerEN, analyzerErr = registry.NewCache().AnalyzerNamed(en.AnalyzerName)
	})
	return analyzerEN, analyzerErr
}

// storedDoc is what a hit shows; it is the only stored field.
type storedDoc struct {
	ID         string   `json:"i"`
	Series     string   `json:"s,omitempty"`
	Version    string   `json:"v,omitempty"`
	Kind       string   `json:"k"`
	Title      string   `json:"t"`
	Summary    string   `json:"m,omitempty"`
	Services   []string `json:"sv,omitempty"`
	Standards  []string `json:"st,omitempty"`
	Published  string   `json:"p,omitempty"`
	PeriodFrom string   `json:"pf,omitempty"`
	PeriodTo   string   `json:"pt,omitempty"`
	URL        string   `json:"u"`
	Current    bool     `json:"c,omitempty"`
}

// truncateUTF8 cuts s to at most n bytes on a rune boundary.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// tagNames are the names of a record's services, standards, regions and
// industries, which find it even when its title does not repeat them
// ("FedRAMP" finds the SSP summary, "healthcare" what is tagged with the
// industry). A document tagged with every region or industry (the
// catalog's "all") is not about any one of them, so their names are left
// out: "healthcare" would otherwise find nearly everything.
func tagNames(r *Record, labels Labels) []string {
	var tags []string
	for _, t := range []struct {
		facet string
		ids   []string
	}{{FacetService, r.Services}, {FacetStandard, r.Standards}, {FacetRegion, r.Regions}, {FacetIndustry, r.Industries}} {
		if (t.facet == FacetRegion || t.facet == FacetIndustry) && len(t.ids) > 1 && len(t.ids) >= len(labels[t.facet]) {
			continue
		}
		for _, id := range t.ids {
			if l := labels[t.facet][id]; l != "" {
				tags = append(tags, l)
			}
		}
	}
	return tags
}

// bleveDocument maps a record to the analysed Bleve document.
func bleveDocument(r *Record, labels Labels, an analysis.Analyzer) (*document.Document, error) {
	sd := storedDoc{
		ID: r.ID, Series: r.Series, Version: r.Version, Kind: r.Kind,
		Title: r.Title, Summary: r.Summary,
		Services: r.Services, Standards: r.Standards,
		Published: day(r.Published), PeriodFrom: day(r.PeriodFrom), PeriodTo: day(r.PeriodTo),
		URL: r.URL, Current: r.Current,
	}
	js, err := json.Marshal(sd)
	if err != nil {
		return nil, err
	}
	d := document.NewDocument(r.ID)
	text := index.IndexField | index.IncludeTermVectors
	d.AddField(document.NewTextFieldCustom(fieldTitle, nil, []byte(r.Title), text, an))
	d.AddField(document.NewTextFieldCustom(fieldSummary, nil, []byte(r.Summary), text, an))
	d.AddField(document.NewTextFieldCustom(fieldBody, nil, []byte(r.Body), bodyOptions, an))
	tags := tagNames(r, labels)
	d.AddField(document.NewTextFieldCustom(fieldTags, nil, []byte(strings.Join(tags, " ; ")), index.IndexField|index.IncludeTermVectors, an))
	// Stemming turns a mistyped "penetraton" into something far from
	// "penetr", so typos and prefixes are also matched against the words
	// as written.
	words := r.Title + " ; " + strings.Join(tags, " ; ") + " ; " + r.Summary
	d.AddField(document.NewTextFieldCustom(fieldWords, nil, []byte(words), index.IndexField, wordAnalyzer))
	d.AddField(document.NewTextFieldWithIndexingOptions(fieldStored, nil, js, index.StoreField))
	keyword := func(name string, values ...string) {
		for _, v := range values {
			if v != "" {
				d.AddField(document.NewTextFieldCustom(name, nil, []byte(v), index.IndexField, nil))
			}
		}
	}
	keyword(FacetKind, r.Kind)
	keyword(FacetService, r.Services...)
	keyword(FacetStandard, r.Standards...)
	keyword(FacetRegion, r.Regions...)
	keyword(FacetIndustry, r.Industries...)
	if !r.Published.IsZero() {
		keyword(FacetYear, strconv.Itoa(r.Published.Year()))
		keyword(fieldDate, day(r.Published))
	}
	if r.Current {
		keyword(fieldCurrent, "1")
	}
	keyword(fieldSeries, cmp.Or(r.Series, r.ID))
	d.AddIDField()
	d.VisitFields(func(f index.Field) {
		if f.Options().IsIndexed() {
			f.Analyze()
		}
	})
	return d, nil
}
