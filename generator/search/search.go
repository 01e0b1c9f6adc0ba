// Package search owns the portal's search: the Bleve index the generator
// writes, and the one query engine (Run) that answers in the browser (as
// WebAssembly), on the server (Handler) and on the command line.
//
// The index is a single zap segment (Bleve's on-disk format) built directly
// from the records, so that it is deterministic and can be opened from bytes
// without bbolt or mmap. Filters and facet counts run over per-document
// sets built when the index is opened; the text is matched and scored in
// eval.go, term at a time, with the scores Bleve's searchers give.
package search

import (
	"time"
)

// Record is one listed document version, as the generator hands it over.
type Record struct {
	ID, Series, Version string
	Kind                string // "compliance-report" or "trust-document"
	Title, Summary      string
	// Body is the plain text of the long description (Markdown already stripped).
	Body string
	// Taxonomy ids; "all" is already expanded to every id.
	Services, Standards, Regions, Industries []string
	Published                                time.Time
	PeriodFrom, PeriodTo                     time.Time // zero for trust documents
	// URL is the site-relative path of the document's series page, e.g.
	// "documents/contoso-cloud-soc-2-type-2/" (no leading slash).
	URL     string
	Current bool // false for retained earlier versions
	Public  bool
}

// Labels maps taxonomy ids to display names, per facet name ("service",
// "standard", "region", "industry", "kind").
type Labels map[string]map[string]string

// Facet names, in the order results list them.
const (
	FacetKind     = "kind"
	FacetService  = "service"
	FacetStandard = "standard"
	FacetRegion   = "region"
	FacetIndustry = "industry"
	FacetYear     = "year"
)

// facetNames is the fixed order of facets in the index and in results.
var facetNames = [...]string{FacetKind, FacetService, FacetStandard, FacetRegion, FacetIndustry, FacetYear}

// facetTitles are the headings a page shows above each facet.
var facetTitles = map[string]string{
	FacetKind:     "Library",
	FacetService:  "Service",
	FacetStandard: "Standard",
	FacetRegion:   "Region",
	FacetIndustry: "Industry",
	FacetYear:     "Year published",
}

// defaultKindLabels name the two libraries when the generator gives no labels.
var defaultKindLabels = map[string]string{
	"compliance-report": "Compliance reports",
	"trust-document":    "Trust documents",
}

// Result is the answer to one Query, the same from every host.
type Result struct {
	Query Query `json:"query"`
	// Total is the number of documents (series) found; a document counts
	// once however many of its versions match, in Total and in Facets.
	Total    int      `json:"total"`
	Page     int      `json:"page"`
	Pages    int      `json:"pages"`
	PageSize int      `json:"pageSize"`
	Hits     []Hit    `json:"hits"`
	Facets   []Facet  `json:"facets"`
	Notices  []string `json:"notices,omitempty"`
}

// Hit is one document in the results: its series, shown as the first of
// its versions that match (the current one if it does), with every
// matching version listed in Versions.
type Hit struct {
	ID         string    `json:"id"`
	Series     string    `json:"series"`
	Version    string    `json:"version"`
	Kind       Term      `json:"kind"`
	URL        string    `json:"url"`
	Title      []Segment `json:"title"`
	Summary    []Segment `json:"summary"`
	Services   []Term    `json:"services,omitempty"`
	Standards  []Term    `json:"standards,omitempty"`
	Published  string    `json:"published"`
	PeriodFrom string    `json:"periodFrom,omitempty"`
	PeriodTo   string    `json:"periodTo,omitempty"`
	Current    bool      `json:"current"`
	// Versions are the series' versions that match the query and the
	// filters: the current one first, then newest first. The first is the
	// one the fields above describe.
	Versions []Version `json:"versions"`
	// Score is the relevance score; not serialised, because the order of
	// Hits already says everything a page needs.
	Score float64 `json:"-"`
}

// Version is one matching version of a hit's document.
type Version struct {
	ID         string `json:"id"`
	Version    string `json:"version"`
	Published  string `json:"published"`
	PeriodFrom string `json:"periodFrom,omitempty"`
	PeriodTo   string `json:"periodTo,omitempty"`
	Current    bool   `json:"current"`
}

// Segment is a run of text that is or is not a match, so that a page can
// highlight without parsing HTML.
type Segment struct {
	Text string `json:"text"`
	Hit  bool   `json:"hit,omitempty"`
}

// Term is a taxonomy value with its display name.
type Term struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// Facet is the counts of one facet's values among the results.
type Facet struct {
	Name   string       `json:"name"`
	Label  string       `json:"label"`
	Values []FacetValue `json:"values"`
}

// FacetValue is one value of a facet. Count is the number of results the
// reader would get with this value selected in addition to the other
// facets' selections (values within a facet combine with OR).
type FacetValue struct {
	ID       string `json:"id"`
	Label    string `json:"label"`
	Count    int    `json:"count"`
	Selected bool   `json:"selected,omitempty"`
}
