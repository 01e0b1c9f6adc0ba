// Package catalog owns the publisher's catalog.yaml: the model of the site,
// its taxonomies and documents, the strict position-keeping parser, the
// validation that reports every problem at file:line:col, and the retention
// rule that decides which versions of a document a build publishes.
package catalog

import (
	"time"

	"github.com/stp-portal/stp/generator/diag"
)

// Kinds of document, as the two libraries of the portal name them.
const (
	KindReport   = "compliance-report"
	KindDocument = "trust-document"
)

// All is the taxonomy value that means "every region" (or industry, service,
// standard).
const All = "all"

// Catalog is the whole of catalog.yaml after parsing and validation.
type Catalog struct {
	Site       Site
	Regions    []Term
	Industries []Term
	Services   []Term
	Standards  []Term
	Documents  []*Document

	// File is the path the catalog was read from, as errors show it.
	File string

	// documentsAt is where the documents list is, and documentsNull
	// whether it was left empty (documents: with nothing under it).
	documentsAt   diag.Pos
	documentsNull bool

	// src remembers the text and where each document starts, so that an
	// edit to a few documents re-parses only those (see Reparse).
	src *source
}

// Site holds the site-wide settings.
type Site struct {
	Title        string
	Organization string
	Tagline      string
	BaseURL      string
	// Language is the BCP 47 tag of the site's pages, "en" by default.
	Language string
	// DefaultRegions and DefaultIndustries pre-select settings for a reader
	// who has not chosen yet; empty means "show everything".
	DefaultRegions    []string
	DefaultIndustries []string
	// PageSize is the number of documents on one page of a list.
	PageSize int
	// NewDays is how long a document counts as new or updated.
	NewDays int
	Logo    string // path under content/, optional
	Accent  string // CSS colour, e.g. "#0b5cad"
	Contact Contact
	// Search chooses where search queries run: "browser", "server", or ""
	// (not set) for search.Placement's choice by the catalog's size.
	Search string
	// SearchSynonyms are the publisher's groups of names that find each
	// other in search, added to the defaults (search.DefaultSynonyms).
	SearchSynonyms [][]string

	defaultRegionsPos, defaultIndustriesPos diag.Pos
	logoAt                                  diag.Pos
}

// Contact is where readers get help, shown on the help page and the
// permission-denied page.
type Contact struct {
	Name  string
	Email string
	URL   string
	Phone string
	Hours string
	Note  string // Markdown
}

// Term is one entry of a taxonomy: a region, industry, service or standard.
type Term struct {
	ID          string
	Name        string
	Description string
	// Group clusters standards on the home page (ISO, SOC, ...); optional.
	Group string
	Pos   diag.Pos
}

// Period is an audit period, both ends inclusive.
type Period struct {
	From, To time.Time
}

// Document is one version of a published document.
type Document struct {
	ID          string
	Kind        string
	Title       string
	Summary     string
	Series      string
	Version     string
	Services    []string // expanded: never contains All
	Standards   []string
	Regions     []string
	Industries  []string
	Published   time.Time
	AuditPeriod *Period
	Expires     *time.Time
	// File is the path of the published file relative to content/.
	File string
	// Description is the long description, Markdown.
	Description string
	Public      bool

	// The All fields record that the publisher wrote "all" for a taxonomy;
	// the id lists above are then expanded to every id.
	AllServices, AllStandards, AllRegions, AllIndustries bool

	// Pos is where the document starts; At says where each field's value
	// is, from fields: a line and column per field, in the document's
	// file. (A map per document held 150 MB of a 100,000-document build.)
	Pos    diag.Pos
	fields [len(positioned)]lineCol
}

// ReservedSeries are the names no series may have: documents/ is also the
// list of public documents, whose later pages and name order are in
// documents/page/ and documents/by-name/.
var ReservedSeries = []string{"page", "by-name"}

// positioned are the fields whose positions a document keeps.
var positioned = [...]string{
	"id", "kind", "title", "summary", "series", "version", "services", "standards", "regions", "industries",
	"published", "audit_period", "audit_period.from", "audit_period.to", "expires", "file", "description", "public",
}

// lineCol is a position in the document's file; line 0 is none.
type lineCol struct{ line, col int32 }

func fieldIndex(field string) int {
	for i, n := range positioned {
		if n == field {
			return i
		}
	}
	return -1
}

// At returns the position of a field's value, or of the document when the
// field was not written.
func (d *Document) At(field string) diag.Pos {
	if i := fieldIndex(field); i >= 0 && d.fields[i].line > 0 {
		return diag.Pos{File: d.Pos.File, Line: int(d.fields[i].line), Col: int(d.fields[i].col)}
	}
	return d.Pos
}

// setAt records where a field's value is. Catalogs are at most MaxSize
// bytes, so lines and columns fit in 32 bits.
func (d *Document) setAt(field string, p diag.Pos) {
	i := fieldIndex(field)
	if i < 0 {
		panic("catalog: no position is kept for field " + field)
	}
	d.fields[i] = lineCol{int32(p.Line), int32(p.Col)}
}
