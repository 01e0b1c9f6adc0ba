package site

import (
	"html/template"
	"time"

	"github.com/stp-portal/stp/generator/catalog"
	"github.com/stp-portal/stp/generator/content"
)

// Link is a labelled URL, for navigation and facets.
type Link struct {
	Name    string
	URL     string
	Count   int
	Current bool
}

// TermView is a taxonomy term as pages show it.
type TermView struct {
	catalog.Term
	URL   string
	Count int
}

// FileView is a published file: where to download it and how to check it.
type FileView struct {
	URL  string
	Name string
	// Type is the file's media type, as the server sends it.
	Type   string
	Size   int64
	SHA256 string
}

// DocView is one listed version of a document as seen from one area (the
// gated site or the public prefix).
type DocView struct {
	Document *catalog.Document
	// What pages show of the document, repeated here rather than promoted
	// from an embedded *catalog.Document: text/template looks a promoted
	// field up with a search through the embedded structs on every use, a
	// fifth of a document page's rendering time.
	ID, Kind, Title, Summary, Series, Version            string
	Published                                            time.Time
	AuditPeriod                                          *catalog.Period
	Expires                                              *time.Time
	Public                                               bool
	AllServices, AllStandards, AllRegions, AllIndustries bool
	// URL is the series page in this area.
	URL        string
	File       *FileView
	Current    bool
	New        bool // published within the site's new_days
	Updated    bool // new, and replacing an earlier version
	Services   []TermView
	Standards  []TermView
	Regions    []TermView
	Industries []TermView
	// RetainedUntil is set for superseded versions.
	RetainedUntil time.Time
	Description   template.HTML
	// Row is the document's row in lists, rendered once and reused by every
	// list that shows it.
	Row template.HTML
	// key hashes what the view shows (see docKey).
	key uint64
	// sortName orders lists by name.
	sortName string
	// ord is the view's place in its area's latest versions (series order),
	// for merging lists drawn from them; dateRank and nameRank its place
	// among them by date and by name.
	ord, dateRank, nameRank int
}

// SeriesView is the page of one document series.
type SeriesView struct {
	ID       string
	Latest   *DocView
	Versions []*DocView
	Related  []*DocView
	// Gated is true when the series page links a gated version from the
	// public area; never set, kept false by construction (see area.series).
}

// ListView is one page of a paginated, sorted document list.
type ListView struct {
	Title string
	Intro string
	// Scope is the list's fixed filter, for the browser-side filter form,
	// e.g. {"region": "europe"}.
	Scope map[string]string
	Total int
	// Rows are the page's documents' rows, joined.
	Rows template.HTML
	Docs []*DocView
	Sort string // urls.ByDate or urls.ByName
	// SortLinks and Pages are the plain URLs that work without JavaScript.
	SortLinks []Link
	Pages     []Link
	Prev      string
	Next      string
	PageNum   int
	PageCount int
	// Facets narrow or widen the list through plain URLs.
	Facets []FacetGroup
	// DataURL is catalog.json of this area, for the filter form.
	DataURL string
	// URL is the list's first page, which every page of it shares; the
	// filters, rendered once per list, link and compare against it.
	URL string
}

// FacetGroup is a set of links that filter by one taxonomy.
type FacetGroup struct {
	Name  string
	Key   string
	Links []Link
}

// HomeView is the data of the home page.
type HomeView struct {
	Intro        template.HTML
	Libraries    []Link
	StandardSets []StandardSet
	Services     []TermView
	Regions      []TermView
	Industries   []TermView
	Recent       []*DocView
	Public       []*DocView
}

// StandardSet is a group of standards on the home page (ISO, SOC, ...).
type StandardSet struct {
	Name      string
	Standards []TermView
}

// TermsView is an index of one taxonomy: all regions, all standards...
type TermsView struct {
	Terms []TermView
	// Pairs lists region×industry pages where they exist, per term.
	Pairs map[string][]Link
}

// SiteView is what every page knows about the site.
type SiteView struct {
	// The site settings pages show, repeated from catalog.Site rather than
	// embedded, for the reason DocView gives.
	Title, Organization, Tagline, Language string
	NewDays                                int
	Contact                                catalog.Contact
	BasePath                               string
	Home                                   string
	Nav                                    []Link
	Logo                                   string
	CSS                                    string
	JS                                     string
	Favicon                                string
	Feed                                   string
	Regions                                []catalog.Term
	Industry                               []catalog.Term
	Preview                                bool
	Dev                                    bool
	BuildDate                              time.Time
	// Search is the area's search page, for the search box in the header.
	Search string
	// Assets maps layouts/assets/ file names to their fingerprinted URLs.
	Assets map[string]string
	// ContactNote is site.contact.note rendered from Markdown.
	ContactNote template.HTML
}

// Page is the data every template gets.
type Page struct {
	Site *SiteView
	// Path is the page's URL path relative to the base, e.g. "regions/emea/".
	Path        string
	URL         string
	Title       string
	Description string
	// Public pages live under the public prefix and never link gated ones.
	Public bool
	// Layout names the template that renders the page's main part.
	Layout  string
	NoIndex bool
	Nav     []Link
	Crumbs  []Link

	Home    *HomeView
	List    *ListView
	Series  *SeriesView
	Content *content.Page
	Terms   *TermsView
	// TermKind is "region", "industry", "standard" or "service" on
	// taxonomy index pages.
	TermKind string
	// Redirect is where a placeholder index page sends the reader.
	Redirect string
	// SearchManifestURL is the search index manifest of the page's area;
	// SearchAPI the server's search endpoint when catalog.yaml says
	// search: server.
	SearchManifestURL string
	SearchAPI         string
}

// NavKey names the variant of the site header this page shows: its area
// and which navigation entry, if any, is the current page.
func (p *Page) NavKey() string {
	key := "gated"
	if p.Public {
		key = "public"
	}
	for _, l := range p.Site.Nav {
		if l.URL == p.URL {
			return key + " " + l.URL
		}
	}
	return key
}

// AssetURL is the fingerprinted URL of a file from layouts/assets/.
func (p *Page) AssetURL(name string) string { return p.Site.Assets[name] }
