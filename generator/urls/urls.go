// Package urls owns the portal's URL scheme: where each page, file, feed
// and search index of a build lives, and the two tables that shape it, the
// kinds of documents (one library each) and the taxonomies (one folder
// each). The site plans its pages with it, the server classes paths by it
// (public, downloads, fingerprinted), and stp diff reads a built site by it.
//
// Paths are relative to the base path and have no leading slash; a page's
// path ends in "/" (its output is index.html there, see OutputFile). Most
// functions take an area: "" for the gated site or Public for the public
// prefix, which holds the public documents only. A caller may put a root
// before it ("/", "/public/") to get a path from the server's root.
//
// The scheme, page by page with what each page shows, is the table in
// generator/catalog/README.md ("The portal's pages"), the publishers'
// reference; TestREADME keeps the patterns below in it.
//
//	Public                           public/
//	DocumentPage(area, series)       documents/<series>/
//	DocumentFile(area, series, file) documents/<series>/<file>
//	Page(area, slug)                 <slug>/          (a Markdown page)
//	Library("", kind)                compliance-reports/, trust-documents/
//	Library(Public, kind)            public/documents/ (both kinds)
//	LibraryYear(kind, year)          compliance-reports/2025/
//	Term(taxonomy, id)               regions/<r>/, industries/<i>/, standards/<s>/, services/<s>/
//	Pair(region, industry)           regions/<r>/industries/<i>/
//	ListPage(list, order, n)         <list>/, <list>/page/2.html, <list>/by-name/, <list>/by-name/page/2.html
//	Feed(area), CatalogJSON(area)    feed.xml, catalog.json
//	SearchDir(area)                  search/ (the search page, its manifest.json and index)
//	SearchAPI(area)                  api/search
//	Asset(name)                      public/assets/<name>
//	Help, Settings, NotFound         public/help/, settings/, 404.html
package urls

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/stp-portal/stp/generator/catalog"
)

// Public is the prefix readable without signing in. The proxy lets exactly
// this prefix through, and nothing under it names a gated document.
const Public = "public/"

// Fixed pages and files.
const (
	// Help is the help and contact page, public so that a reader who
	// cannot sign in finds it.
	Help     = Public + "help/"
	Settings = "settings/"
	NotFound = "404.html"
	// ManifestName is the one search file without a hash in its name:
	// pages point at it, and it names the fingerprinted index and engine.
	ManifestName = "manifest.json"
)

const (
	documents = "documents/"
	assets    = "assets/"
	search    = "search/"
	byName    = "by-name/"
	laterPage = "page/"
)

// Area returns the prefix of the public area or of the gated site.
func Area(public bool) string {
	if public {
		return Public
	}
	return ""
}

// DocumentPage is the page of a document series: its current version and
// every retained one.
func DocumentPage(area, series string) string { return area + documents + series + "/" }

// DocumentFile is where a version's file is published: in its series'
// folder, beside the page that lists it, under the publisher's file name.
// The name is not escaped; Escape makes the path a URL.
func DocumentFile(area, series, name string) string { return DocumentPage(area, series) + name }

// Documents is the folder of every series' page and files in an area;
// in the public area also the list of its documents.
func Documents(area string) string { return area + documents }

// Page is a Markdown page, content/<slug>.md.
func Page(area, slug string) string { return area + slug + "/" }

// Feed is an area's Atom feed.
func Feed(area string) string { return area + "feed.xml" }

// CatalogJSON is an area's machine-readable catalog.
func CatalogJSON(area string) string { return area + "catalog.json" }

// SearchDir is an area's search page and, beside it, its index files.
func SearchDir(area string) string { return area + search }

// SearchManifest is the manifest of an area's search index.
func SearchManifest(area string) string { return area + search + ManifestName }

// SearchAPI is where stp serve answers queries over an area's index.
func SearchAPI(area string) string { return area + "api/search" }

// Assets is the folder of the fingerprinted CSS, JS, favicon and logo in
// an area; a build writes them to the public one only, for every page.
func Assets(area string) string { return area + assets }

// Asset is a file of Assets(Public), under its fingerprinted name.
func Asset(name string) string { return Assets(Public) + name }

// Library is the list of one kind of document. The public area has one
// list for both kinds, of its documents. area is "" or Public.
func Library(area, kind string) string {
	if area != "" {
		return Documents(area)
	}
	return KindOf(kind).Folder
}

// LibraryYear is a library's list of the documents published in year.
func LibraryYear(kind string, year int) string {
	return Library("", kind) + strconv.Itoa(year) + "/"
}

// Term is the list of one term of a taxonomy, such as regions/europe/.
func Term(taxonomy, id string) string { return TaxonomyOf(taxonomy).Folder + id + "/" }

// Pair is the list of one region × industry pair.
func Pair(region, industry string) string {
	return Term("region", region) + TaxonomyOf("industry").Folder + industry + "/"
}

// The two orders of every list.
const (
	ByDate = "date"
	ByName = "name"
)

// ListPage is page n of a list in an order. Page 1 by date is the list
// itself; later pages are files, not folders: a large site has a hundred
// thousand of them, and on disk a folder costs as much as the page in it.
// (So no series may be called page or by-name: catalog.ReservedSeries.)
func ListPage(list, order string, n int) string {
	p := list
	if order == ByName {
		p += byName
	}
	if n > 1 {
		p += laterPage + strconv.Itoa(n) + ".html"
	}
	return p
}

// OutputFile names the output a site path (such as "regions/europe/" or
// "regions/europe/page/2.html") is written to and served from.
func OutputFile(rel string) string {
	if rel == "" || strings.HasSuffix(rel, "/") {
		return rel + "index.html"
	}
	return rel
}

// SitePath is the site path an output is served at, the inverse of
// OutputFile: "regions/europe/" for "regions/europe/index.html".
func SitePath(out string) string { return strings.TrimSuffix(out, "index.html") }

// Escape makes a site path a URL path: a publisher's file name may hold a
// space, "#", "?" or "%".
func Escape(rel string) string {
	parts := strings.Split(rel, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// BasePath is the path of a base URL, escaped as links under it are
// written, and ending in "/": "https://example.com/pr 12" has the base
// path "/pr%2012/". Every URL the site writes starts with it.
func BasePath(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil || u.Path == "" {
		return "/"
	}
	p := u.EscapedPath()
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

// Reserved reports whether a top-level name is one the generator writes or
// keeps, which a Markdown page may therefore not take.
func Reserved(slug string) bool { return slices.Contains(reserved, slug) }

var reserved = func() []string {
	names := []string{strings.TrimSuffix(Public, "/"), strings.TrimSuffix(assets, "/"), "files", strings.TrimSuffix(documents, "/"),
		strings.TrimSuffix(Settings, "/"), strings.TrimSuffix(search, "/"), "help", "feed", "catalog", "404", "index", "api"}
	for _, k := range Kinds {
		names = append(names, strings.TrimSuffix(k.Folder, "/"))
	}
	for _, t := range Taxonomies {
		names = append(names, strings.TrimSuffix(t.Folder, "/"))
	}
	return names
}()

// Kind is a kind of document: each has a library of its own.
type Kind struct {
	// ID is the kind as catalog.yaml writes it.
	ID string
	// Singular labels one document ("Compliance report").
	Singular string
	// Plural names the library ("Compliance reports").
	Plural string
	// Folder is the library's list.
	Folder string
	// Intro is the library's introduction.
	Intro string
}

// Kinds are the kinds of document, in the order the site shows them.
var Kinds = []Kind{
	{ID: catalog.KindReport, Singular: "Compliance report", Plural: "Compliance reports", Folder: "compliance-reports/",
		Intro: "Independent audit reports, certificates and assessments of our services."},
	{ID: catalog.KindDocument, Singular: "Trust document", Plural: "Trust documents", Folder: "trust-documents/",
		Intro: "How we run our services: security, privacy, resilience and data protection."},
}

// KindOf returns the kind with the id. The catalog allows no other kind
// than the two; any other id is taken as a trust document.
func KindOf(id string) Kind {
	if id == catalog.KindReport {
		return Kinds[0]
	}
	return Kinds[1]
}

// Taxonomy is a way to browse documents, with a folder of its own.
type Taxonomy struct {
	// Key is the singular the catalog's fields, list filters and search
	// facets use ("region").
	Key    string
	Folder string
	// Title names the taxonomy's index page.
	Title string
	// Terms are the catalog's terms of the taxonomy; IDs a document's.
	Terms func(*catalog.Catalog) []catalog.Term
	IDs   func(*catalog.Document) []string
}

// Taxonomies are the four ways to browse, in the order the site shows them.
var Taxonomies = []Taxonomy{
	{"region", "regions/", "Regions",
		func(c *catalog.Catalog) []catalog.Term { return c.Regions }, func(d *catalog.Document) []string { return d.Regions }},
	{"industry", "industries/", "Industries",
		func(c *catalog.Catalog) []catalog.Term { return c.Industries }, func(d *catalog.Document) []string { return d.Industries }},
	{"standard", "standards/", "Standards",
		func(c *catalog.Catalog) []catalog.Term { return c.Standards }, func(d *catalog.Document) []string { return d.Standards }},
	{"service", "services/", "Services",
		func(c *catalog.Catalog) []catalog.Term { return c.Services }, func(d *catalog.Document) []string { return d.Services }},
}

// TaxonomyOf returns the taxonomy with the key; it panics on any other
// key, which is a mistake in the generator.
func TaxonomyOf(key string) Taxonomy {
	for _, t := range Taxonomies {
		if t.Key == key {
			return t
		}
	}
	panic("urls: no taxonomy " + strconv.Quote(key))
}
