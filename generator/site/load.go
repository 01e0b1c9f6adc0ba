package site

import (
	"fmt"
	"html/template"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/stp-portal/stp/generator/catalog"
	"github.com/stp-portal/stp/generator/content"
	"github.com/stp-portal/stp/generator/diag"
	"github.com/stp-portal/stp/generator/urls"
)

// pass is one pass through the pipeline: the inputs, loaded once, the
// views of both areas, and the caches it reads (prev, the last pass's)
// and fills (next, for the next pass).
type pass struct {
	o    Options
	prev *caches
	next *caches
	// trustFiles says no published file changed since the last pass.
	trustFiles bool
	// index writes the search index in the background; nil in a fresh
	// build, which writes it beside the pages.
	indexer *indexer
	cat     *catalog.Catalog
	pages   []*content.Page
	intro   template.HTML
	index   *content.Page // the home page's introduction, if any
	// layoutOf names each planned page's layout by its output, for
	// checking links to its anchors.
	layoutOf map[string]string
	layouts  *Layouts
	// proxy are oauth2-proxy's pages' sources, nil when there are none.
	proxy *proxyPages
	// md renders document descriptions, one heading level down.
	md             *content.Markdown
	base           string // base path, "/" or "/pr-12/"
	baseURL        string // absolute, ending in "/"
	series         []*catalog.Series
	terms          map[string]map[string]catalog.Term // taxonomy → id → term
	listedVersions int

	files  map[*catalog.Document]*FileView
	descs  map[*catalog.Document]description
	assets map[string]string // asset name → fingerprinted site-relative path
	gated  *area
	public *area
	// global hashes what every page shows: layouts, site settings,
	// taxonomies, navigation, base URL and build date.
	global uint64
	// linksKey hashes where Markdown links to pages lead.
	linksKey uint64
	// warnings delivers the catalog's warnings.
	warnings chan diag.Problems
	trace    *tracer
}

// load reads and checks every input, given the last pass's caches. It
// returns all problems found.
func load(o Options, prev *caches) (*pass, diag.Problems) {
	cat, problems := catalog.Reload(o.Root, prev.cat, catalog.LoadOptions{AllFiles: prev.files == nil, AllowEmpty: o.AllowEmpty})
	b := &pass{o: o, prev: prev, next: &caches{cat: cat, lists: map[string]listPlan{}}, cat: cat}
	pages, broken, pageProblems := loadPages(o.Root)
	problems = append(problems, pageProblems...)
	problems = append(problems, b.setBase()...)
	md, mdProblems := b.renderPages(pages, broken)
	problems = append(problems, mdProblems...)
	if cat != nil {
		problems = append(problems, b.checkPublicContent(cat, pages, md)...)
	}

	cached := &partials{cache: map[string]template.HTML{}}
	layouts, layoutProblems := loadLayouts(o.Root, funcs(b.base, cached))
	cached.layouts = layouts
	problems = append(problems, layoutProblems...)
	proxy, proxyProblems := loadProxyPages(o.Root)
	problems = append(problems, proxyProblems...)
	problems.Sort()
	if cat == nil || len(problems.Errors()) > 0 {
		return nil, problems
	}
	b.layouts = layouts
	b.proxy = proxy
	b.indexCatalog()
	return b, problems
}

// setBase sets the base URL (--base-url, else the catalog's) and path.
func (b *pass) setBase() diag.Problems {
	var problems diag.Problems
	baseURL := b.o.BaseURL
	if baseURL == "" && b.cat != nil {
		baseURL = b.cat.Site.BaseURL
	}
	if b.o.BaseURL != "" {
		if err := catalog.CheckBaseURL(b.o.BaseURL); err != nil {
			problems = append(problems, &diag.Problem{Pos: diag.Pos{File: "--base-url"}, Message: "base URL " + err.Error()})
		}
	}
	if !strings.HasSuffix(baseURL, "/") {
		baseURL += "/"
	}
	b.baseURL = baseURL
	b.base = urls.BasePath(baseURL)
	return problems
}

// renderPages renders the Markdown pages, whose links to page files
// ([FAQ](faq.md)) become page URLs, and returns the Markdown renderer of
// pages. broken are the pages that could not be read.
func (b *pass) renderPages(pages []*content.Page, broken []string) (*content.Markdown, diag.Problems) {
	links := map[string]string{}
	// A page with a mistake of its own is still linked to: the link is not
	// the mistake (and the build fails on the page's).
	for _, slug := range broken {
		links[slug+".md"] = b.base + urls.Page("", slug)
	}
	for _, p := range pages {
		if p.Slug != "index" {
			links[p.Slug+".md"] = b.pageURL(p)
		}
	}
	lk := newKey(0)
	for _, name := range slices.Sorted(maps.Keys(links)) {
		lk.str(name, links[name])
	}
	b.linksKey = lk.sum()
	b.next.linksKey = b.linksKey
	md := content.NewMarkdown(0, links)
	b.md = content.NewMarkdown(1, links)
	var problems diag.Problems
	for _, p := range pages {
		if problem := p.Render(md); problem != nil {
			problems = append(problems, problem)
			continue
		}
		if p.Slug == "index" {
			b.intro = p.Body
			b.index = p
		} else {
			b.pages = append(b.pages, p)
		}
	}
	return md, problems
}

// indexCatalog lists the versions the site shows as of the build date,
// indexes the taxonomies' terms, starts working out the warnings, and
// hashes what every page shows.
func (b *pass) indexCatalog() {
	cat, o := b.cat, b.o
	b.series = cat.Listed(o.Now)
	// Warnings are for the publisher's eyes: worked out while pages render.
	b.warnings = make(chan diag.Problems, 1)
	go func() { b.warnings <- cat.Warnings(o.Now) }()
	b.terms = map[string]map[string]catalog.Term{}
	for _, tx := range urls.Taxonomies {
		ts := tx.Terms(cat)
		m := make(map[string]catalog.Term, len(ts))
		for _, t := range ts {
			m[t.ID] = t
		}
		b.terms[tx.Key] = m
	}
	for _, s := range b.series {
		b.listedVersions += len(s.Versions())
	}
	k := newKey(b.layouts.hash).any(cat.Site, cat.Regions, cat.Industries, cat.Services, cat.Standards).
		str(b.base, b.baseURL).date(o.Now).any(o.Preview, o.Dev)
	for _, p := range b.pages {
		k.str(p.Slug, p.Title, p.Description).any(p.Menu, p.Public)
	}
	b.global = k.sum()
	b.next.global = b.global
}

// loadPages reads content/*.md; index.md is the home page's introduction.
// broken names the pages that could not be read.
func loadPages(root string) (pages []*content.Page, broken []string, problems diag.Problems) {
	dir := filepath.Join(root, "content")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, diag.Problems{{Pos: diag.Pos{File: "content/"}, Message: "cannot read the content folder: " + err.Error()}}
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".md") || strings.HasPrefix(name, ".") {
			continue
		}
		file := "content/" + name
		slug := strings.TrimSuffix(name, ".md")
		src, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			problems = append(problems, &diag.Problem{Pos: diag.Pos{File: file}, Message: err.Error()})
			continue
		}
		if slug != "index" && (urls.Reserved(slug) || !validSlug(slug)) {
			problems = append(problems, &diag.Problem{Pos: diag.Pos{File: file, Line: 1, Col: 1},
				Message: fmt.Sprintf("a page cannot be called %q: the name is taken by the generator or is not lowercase letters, digits and hyphens; rename the file", slug)})
			continue
		}
		p, ps := content.ParsePage(file, slug, src)
		problems = append(problems, ps...)
		if p != nil {
			pages = append(pages, p)
		} else {
			broken = append(broken, slug)
		}
	}
	return pages, broken, problems
}

func validSlug(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' && i > 0 && i < len(s)-1) {
			return false
		}
	}
	return true
}
