package search

import (
	"unicode/utf8"

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
