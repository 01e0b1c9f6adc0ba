package site

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/stp-portal/stp/generator/catalog"
	"github.com/stp-portal/stp/generator/content"
	"github.com/stp-portal/stp/generator/diag"
	"github.com/stp-portal/stp/generator/internal/par"
	"github.com/stp-portal/stp/generator/serve"
	"github.com/stp-portal/stp/generator/site/output"
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
	baseURL := o.BaseURL
	if baseURL == "" && cat != nil {
		baseURL = cat.Site.BaseURL
	}
	if o.BaseURL != "" {
		if err := catalog.CheckBaseURL(o.BaseURL); err != nil {
			problems = append(problems, &diag.Problem{Pos: diag.Pos{File: "--base-url"}, Message: "base URL " + err.Error()})
		}
	}
	if !strings.HasSuffix(baseURL, "/") {
		baseURL += "/"
	}
	b.baseURL = baseURL
	b.base = urls.BasePath(baseURL)

	// Markdown links to page files ([FAQ](faq.md)) become page URLs.
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
	k := newKey(layouts.hash).any(cat.Site, cat.Regions, cat.Industries, cat.Services, cat.Standards).
		str(b.base, b.baseURL).date(o.Now).any(o.Preview, o.Dev)
	for _, p := range b.pages {
		k.str(p.Slug, p.Title, p.Description).any(p.Menu, p.Public)
	}
	b.global = k.sum()
	b.next.global = b.global
	return b, problems
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

// area is one of the two parts of the site: the gated site, or the public
// prefix that holds public documents only.
type area struct {
	public bool
	prefix string // "" or urls.Public
	site   *SiteView
	views  map[*catalog.Document]*DocView
	series []*SeriesView
	// latest holds one view per series, the newest version in this area,
	// ordered by series id; lists draw from it.
	latest   []*DocView
	termMemo map[string][]TermView
	memoKey  []byte
	// json holds each version's catalog.json entry by its key.
	json map[uint64][]byte
}

// slot is the area's index in the Builder's per-area caches.
func (a *area) slot() int {
	if a.public {
		return 1
	}
	return 0
}

// render writes the whole site into w.
func (b *pass) render(w *output.Writer) error {
	if err := b.writeAssets(w); err != nil {
		return err
	}
	if err := b.renderDescriptions(); err != nil {
		return err
	}
	b.trace.phase("descriptions rendered")
	// A fresh build writes the search index while it copies files and
	// renders pages; a rebuild in place hands it to the background once
	// its pages are written, so that it does not slow them.
	var indexed <-chan error
	if !w.IsInPlace() {
		indexed = b.writeSearchIndexes(w)
		defer func() {
			if indexed != nil {
				<-indexed // a failed build waits before its folder goes
			}
		}()
	}
	if err := b.copyFiles(w); err != nil {
		return err
	}
	b.trace.phase("files copied")
	b.gated = b.newArea(false)
	b.public = b.newArea(true)
	b.layoutOf = map[string]string{}
	var jobs []output.Job
	for _, a := range []*area{b.gated, b.public} {
		if err := b.renderRows(a); err != nil {
			return err
		}
		if err := b.encodeDocuments(a); err != nil {
			return err
		}
		jobs = append(jobs, b.areaJobs(a)...)
	}
	jobs = append(jobs, b.page(b.gated, urls.NotFound, &Page{Layout: "404", Title: "Page not found", NoIndex: true}, 0))
	jobs = append(jobs, b.proxyJobs()...)
	b.trace.phase("pages planned")
	if problems := b.checkLinks(jobs); len(problems) > 0 {
		return problems
	}
	b.trace.phase("links checked")
	if err := w.Run(jobs); err != nil {
		return err
	}
	if indexed == nil {
		indexed = b.writeSearchIndexes(w)
	}
	b.trace.phase("pages written")
	err := <-indexed
	indexed = nil
	if err != nil {
		return err
	}
	b.trace.phase("search index waited for")
	// Every folder gets an index page, so no server ever lists one.
	var placeholders []output.Job
	for _, dir := range missingIndexes(b.prev, b.next, w, w.IsInPlace()) {
		if strings.HasPrefix(dir, ".") {
			continue // never served (ProxyTemplates)
		}
		a := b.gated
		if strings.HasPrefix(dir, urls.Public) {
			a = b.public
		}
		// The nearest folder above with a page of its own: a region for
		// its industries/ folder, a list for its later pages' page/.
		target := w.IndexAbove(dir)
		placeholders = append(placeholders, b.page(a, urls.OutputFile(dir), &Page{Layout: "redirect", Title: "Nothing here", NoIndex: true, Redirect: b.base + target},
			newKey(b.global).str("redirect", b.base+target).sum()))
	}
	err = w.Run(placeholders)
	b.trace.phase("folders given an index")
	return err
}

// page makes the job that renders p at rel in area a; key hashes its
// inputs (0: render it every time).
func (b *pass) page(a *area, rel string, p *Page, key uint64) output.Job {
	p.Site = a.site
	p.Public = a.public
	p.Path = urls.SitePath(rel)
	p.URL = b.base + p.Path
	if b.o.Preview {
		p.NoIndex = true
	}
	if b.layoutOf != nil {
		b.layoutOf[rel] = p.Layout
	}
	return output.Job{Rel: rel, Key: key, Render: func(buf *bytes.Buffer) error { return b.layouts.render(buf, p) }}
}

// writeAssets copies layouts/assets/ and the logo to the public prefix
// under fingerprinted names, so a CDN may cache them for a year.
func (b *pass) writeAssets(w *output.Writer) error {
	dir := filepath.Join(b.o.Root, "layouts", "assets")
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	b.assets = map[string]string{}
	var jobs []output.Job
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		if e.Name() == "site.css" {
			// The accent colour is checked to be a hex colour, so it is safe
			// in CSS; putting it here keeps pages free of inline styles.
			data = append([]byte(":root{--accent:"+b.cat.Site.Accent+"}\n"), data...)
		}
		js, err := withVariants(b.asset(e.Name(), data), data)
		if err != nil {
			return err
		}
		jobs = append(jobs, js...)
	}
	if logo := b.cat.Site.Logo; logo != "" {
		data, err := os.ReadFile(filepath.Join(b.o.Root, "content", filepath.FromSlash(logo)))
		if err != nil {
			return err
		}
		js, err := withVariants(b.asset("logo"+path.Ext(logo), data), data)
		if err != nil {
			return err
		}
		jobs = append(jobs, js...)
	}
	return w.Run(jobs)
}

// asset publishes data under a name that carries its hash, which is also
// its key.
func (b *pass) asset(name string, data []byte) output.Job {
	rel := urls.Asset(fingerprint(name, data))
	b.assets[name] = rel
	return output.Job{Rel: rel, Key: newKey(0).str(rel).sum(), Render: func(buf *bytes.Buffer) error {
		_, err := buf.Write(data)
		return err
	}}
}

// copyFiles copies each listed version's file once, into its series'
// folder beside the series page and under its own name: public versions
// under the public prefix, the rest in the gated site. A series folder has
// its page as index, so downloads need no folders of their own.
func (b *pass) copyFiles(w *output.Writer) error {
	var docs []*catalog.Document
	for _, s := range b.series {
		docs = append(docs, s.Versions()...)
	}
	rels := make([]string, len(docs))
	srcs := make([]string, len(docs))
	stamps := make([]output.Stamp, len(docs))
	var copies []output.Copy
	var copied, claimed []int
	for i, d := range docs {
		rels[i] = urls.DocumentFile(urls.Area(d.Public), d.Series, path.Base(d.File))
		srcs[i] = filepath.Join(b.o.Root, "content", filepath.FromSlash(d.File))
		st, ok := b.prev.files[srcs[i]]
		if ok && b.trustFiles && w.IsInPlace() && b.prev.outputs[rels[i]] {
			// Nothing under content/ changed since the last build: the
			// file is in place and its stamp holds.
			stamps[i] = st
			claimed = append(claimed, i)
			continue
		}
		c := output.Copy{Src: srcs[i], Rel: rels[i]}
		if ok {
			c.Prev = &st
		}
		copies = append(copies, c)
		copied = append(copied, i)
	}
	claims := make([]string, len(claimed))
	for k, i := range claimed {
		claims[k] = rels[i]
	}
	w.Claim(claims...)
	done, err := w.CopyAll(copies)
	for k, i := range copied {
		stamps[i] = done[k]
	}
	var failed *output.CopyError
	if errors.As(err, &failed) {
		d := docs[copied[failed.Index]]
		err = fmt.Errorf("%s: copying %s: %w", d.At("file"), d.File, failed.Err)
	}
	b.files = make(map[*catalog.Document]*FileView, len(docs))
	b.next.files = make(map[string]output.Stamp, len(docs))
	for i, d := range docs {
		st := stamps[i]
		b.files[d] = &FileView{URL: b.base + urls.Escape(rels[i]), Name: path.Base(d.File), Type: serve.ContentType(d.File), Size: st.Size, SHA256: st.SHA256}
		b.next.files[srcs[i]] = st
	}
	return err
}

// description is a document's long description, rendered as HTML for its
// page and as plain text for the search index.
type description struct {
	html  template.HTML
	text  string
	links []content.Link
	ids   []string
}

// renderDescriptions turns each listed version's Markdown description into
// HTML and plain text once; both areas share them.
func (b *pass) renderDescriptions() error {
	var docs []*catalog.Document
	for _, s := range b.series {
		for _, d := range s.Versions() {
			if d.Description != "" {
				docs = append(docs, d)
			}
		}
	}
	out := make([]description, len(docs))
	var cache map[string]description
	if b.prev.linksKey == b.linksKey {
		// (Descriptions link to pages by their file names: when a page
		// moved, they are rendered afresh.)
		cache = b.prev.descs
	}
	err := par.Each(0, len(docs), func(i int) error {
		if r, ok := cache[docs[i].Description]; ok {
			out[i] = r
			return nil
		}
		r, err := b.md.Render([]byte(docs[i].Description))
		if err != nil {
			return fmt.Errorf("%s: description: %w", docs[i].At("description"), err)
		}
		out[i] = description{html: r.HTML, text: r.Text, links: r.Links, ids: r.IDs}
		return nil
	})
	b.descs = make(map[*catalog.Document]description, len(docs))
	b.next.descs = make(map[string]description, len(docs))
	for i, d := range docs {
		b.descs[d] = out[i]
		b.next.descs[d.Description] = out[i]
	}
	return err
}

// newArea makes the views of one area: which versions it shows and where
// they link.
func (b *pass) newArea(public bool) *area {
	a := &area{public: public, prefix: urls.Area(public), views: map[*catalog.Document]*DocView{}, termMemo: map[string][]TermView{}}
	a.site = b.siteView(a)
	newSince := b.o.Now.AddDate(0, 0, -b.cat.Site.NewDays)
	for _, s := range b.series {
		var versions []*DocView
		for _, d := range s.Versions() {
			if public && !d.Public {
				continue
			}
			v := &DocView{
				Document: d, ID: d.ID, Kind: d.Kind, Title: d.Title, Summary: d.Summary, Series: d.Series, Version: d.Version,
				Published: d.Published, AuditPeriod: d.AuditPeriod, Expires: d.Expires, Public: d.Public,
				AllServices: d.AllServices, AllStandards: d.AllStandards, AllRegions: d.AllRegions, AllIndustries: d.AllIndustries,
				URL:         b.base + urls.DocumentPage(a.prefix, s.ID),
				File:        b.files[d],
				Current:     d == s.Current,
				New:         !d.Published.Before(newSince),
				Description: b.descs[d].html,
				Services:    b.termViews(a, "service", d.Services),
				Standards:   b.termViews(a, "standard", d.Standards),
				Regions:     b.termViews(a, "region", d.Regions),
				Industries:  b.termViews(a, "industry", d.Industries),
			}
			v.sortName = strings.ToLower(d.Title)
			if !v.Current {
				v.RetainedUntil = d.RetainedUntil()
			}
			a.views[d] = v
			versions = append(versions, v)
		}
		if len(versions) == 0 {
			continue
		}
		versions[0].Updated = versions[0].New && len(s.Versions()) > 1
		versions[0].ord = len(a.latest)
		a.latest = append(a.latest, versions[0])
		a.series = append(a.series, &SeriesView{ID: s.ID, Latest: versions[0], Versions: versions})
	}
	rank(a.latest)
	b.relate(a)
	return a
}

// termViews resolves ids to terms. In the public area terms are not linked:
// taxonomy pages are gated. Documents share the same lists ("all", one
// standard), so each distinct list is resolved once per area.
func (b *pass) termViews(a *area, taxonomy string, ids []string) []TermView {
	a.memoKey = append(a.memoKey[:0], taxonomy...)
	for _, id := range ids {
		a.memoKey = append(append(a.memoKey, 0), id...)
	}
	if tv, ok := a.termMemo[string(a.memoKey)]; ok { // no allocation for the lookup
		return tv
	}
	out := make([]TermView, len(ids))
	a.termMemo[string(a.memoKey)] = out
	for i, id := range ids {
		out[i] = TermView{Term: b.terms[taxonomy][id]}
		if !a.public {
			out[i].URL = b.base + urls.Term(taxonomy, id)
		}
	}
	return out
}

// relate picks up to five other series for the "related documents" part
// of a series page: those that follow it, in id order, among the series
// sharing its standards, first standard first. It is linear in the catalog,
// which a dev server rebuilding 10,000 documents needs.
func (b *pass) relate(a *area) {
	byStandard := map[string][]int{}   // series indexes, in order
	at := make([][]int, len(a.series)) // each series' place in byStandard[its standards]
	for i, s := range a.series {
		for _, st := range s.Latest.Document.Standards {
			at[i] = append(at[i], len(byStandard[st]))
			byStandard[st] = append(byStandard[st], i)
		}
	}
	for i, s := range a.series {
		for j, st := range s.Latest.Document.Standards {
			list := byStandard[st]
			for k := 1; k < len(list) && len(s.Related) < 5; k++ {
				o := a.series[list[(at[i][j]+k)%len(list)]]
				if o != s && !slices.Contains(s.Related, o.Latest) {
					s.Related = append(s.Related, o.Latest)
				}
			}
			if len(s.Related) == 5 {
				break
			}
		}
	}
}

// siteView is what every page of an area knows about the site.
func (b *pass) siteView(a *area) *SiteView {
	site := b.cat.Site
	s := &SiteView{
		Title: site.Title, Organization: site.Organization, Tagline: site.Tagline, Language: site.Language,
		NewDays: site.NewDays, Contact: site.Contact,
		BasePath:  b.base,
		Home:      b.base + a.prefix,
		CSS:       b.base + b.assets["site.css"],
		JS:        b.base + b.assets["site.js"],
		Favicon:   b.base + b.assets["favicon.svg"],
		Feed:      b.base + urls.Feed(a.prefix),
		Regions:   b.cat.Regions,
		Industry:  b.cat.Industries,
		Preview:   b.o.Preview,
		Dev:       b.o.Dev,
		BuildDate: b.o.Now,
	}
	s.Assets = map[string]string{}
	for name, rel := range b.assets {
		s.Assets[name] = b.base + rel
	}
	if note := b.cat.Site.Contact.Note; note != "" {
		s.ContactNote, _ = b.md.HTML([]byte(note)) // goldmark writes to memory and cannot fail
	}
	if b.cat.Site.Logo != "" {
		s.Logo = b.base + b.assets["logo"+path.Ext(b.cat.Site.Logo)]
	}
	if a.public {
		s.Nav = append(s.Nav, Link{Name: "Public documents", URL: b.base + urls.Public})
	} else {
		for _, k := range urls.Kinds {
			s.Nav = append(s.Nav, Link{Name: k.Plural, URL: b.base + urls.Library("", k.ID)})
		}
		standards := urls.TaxonomyOf("standard")
		s.Nav = append(s.Nav, Link{Name: standards.Title, URL: b.base + standards.Folder})
	}
	if _, ok := b.layouts.pages["search"]; ok {
		s.Search = b.base + urls.SearchDir(a.prefix)
	}
	pages := slices.Clone(b.pages)
	slices.SortStableFunc(pages, func(x, y *content.Page) int { return x.Menu - y.Menu })
	for _, p := range pages {
		if p.Menu > 0 && (p.Public || !a.public) {
			s.Nav = append(s.Nav, Link{Name: p.Title, URL: b.pageURL(p)})
		}
	}
	s.Nav = append(s.Nav, Link{Name: "Help", URL: b.base + urls.Help})
	if !a.public {
		s.Nav = append(s.Nav, Link{Name: "Settings", URL: b.base + urls.Settings})
	}
	return s
}

func (b *pass) pageURL(p *content.Page) string {
	return b.base + urls.Page(urls.Area(p.Public), p.Slug)
}

// renderRows renders each view's list row once, or takes it from the last
// build when the document is unchanged.
func (b *pass) renderRows(a *area) error {
	slot := a.slot()
	var cache map[uint64]template.HTML
	if b.prev.global == b.global {
		// (When the layouts or the site changed, rows are rendered afresh;
		// catalog.json entries depend only on what their keys cover.)
		cache = b.prev.rows[slot]
	}
	views := make([]*DocView, 0, len(a.views))
	memo := b.prev.docKeys[slot]
	nextMemo := make(map[*catalog.Document]keyMemo, len(a.views))
	b.next.docKeys[slot] = nextMemo
	for _, s := range a.series {
		for _, v := range s.Versions {
			// A document parsed again is a new *Document: one kept from the
			// last parse needs hashing again only if its view changed.
			in := keyMemo{url: v.URL, file: *v.File, retained: v.RetainedUntil, current: v.Current, new: v.New, updated: v.Updated}
			if m, ok := memo[v.Document]; ok && m.sameView(in) {
				v.key = m.key
			} else {
				v.key = docKey(v)
			}
			in.key = v.key
			nextMemo[v.Document] = in
			if row, ok := cache[v.key]; ok {
				v.Row = row
			} else {
				views = append(views, v)
			}
		}
	}
	err := par.Each(0, len(views), func(i int) error {
		var buf bytes.Buffer
		if err := b.layouts.renderPartial(&buf, "row", views[i]); err != nil {
			if p := templateProblem(err); p != nil {
				return diag.Problems{p}
			}
			return err
		}
		views[i].Row = template.HTML(buf.String())
		return nil
	})
	next := make(map[uint64]template.HTML, len(a.views))
	for _, s := range a.series {
		for _, v := range s.Versions {
			next[v.key] = v.Row
		}
	}
	b.next.rows[slot] = next
	return err
}

// areaJobs plans every page of an area.
func (b *pass) areaJobs(a *area) []output.Job {
	var jobs []output.Job
	add := func(rel string, p *Page, key uint64) { jobs = append(jobs, b.page(a, rel, p, key)) }
	pre := a.prefix

	// Search, answered in the browser (or by the server) from this area's
	// own index.
	if _, ok := b.layouts.pages["search"]; ok {
		add(urls.OutputFile(urls.SearchDir(pre)), &Page{Layout: "search", Title: "Search", SearchManifestURL: b.base + urls.SearchManifest(pre),
			SearchAPI: b.searchAPI(a)}, 0)
	}

	// Home.
	home := &HomeView{Intro: b.intro}
	add(urls.OutputFile(pre), &Page{Layout: "home", Title: b.cat.Site.Title, Description: b.cat.Site.Tagline, Home: home}, 0)

	// Series pages.
	for _, s := range a.series {
		k := newKey(b.global).str("document")
		for _, v := range s.Versions {
			k.num(v.key)
		}
		for _, v := range s.Related {
			k.num(v.key)
		}
		add(urls.OutputFile(urls.DocumentPage(pre, s.ID)), &Page{Layout: "document", Title: s.Latest.Title, Description: s.Latest.Summary, Series: s,
			Crumbs: []Link{{Name: urls.KindOf(s.Latest.Kind).Plural, URL: b.base + urls.Library(pre, s.Latest.Kind)}}}, k.sum())
	}

	// Markdown pages: public ones only under the public prefix, gated ones
	// only in the gated area.
	for _, p := range b.pages {
		if p.Public == a.public {
			add(urls.OutputFile(urls.Page(pre, p.Slug)), &Page{Layout: "page", Title: p.Title, Description: p.Description, Content: p},
				newKey(b.global).str("page", p.Slug, string(p.Body)).sum())
		}
	}

	// Feeds and machine-readable catalog.
	jobs = append(jobs, output.Job{Rel: urls.Feed(pre), Render: func(buf *bytes.Buffer) error { return b.feed(buf, a) }})
	jobs = append(jobs, output.Job{Rel: urls.CatalogJSON(pre), Render: func(buf *bytes.Buffer) error { return b.catalogJSON(buf, a) }})

	if a.public {
		add(urls.OutputFile(urls.Help), &Page{Layout: "help", Title: "Help and contact"}, 0)
		jobs = append(jobs, b.listJobs(a, listDef{path: urls.Library(pre, ""), title: "Public documents",
			intro: "Documents anyone may read without signing in.", docs: a.latest})...)
		home.Public = a.latest
		return jobs
	}

	// Libraries, by kind, with per-year lists for the date filter.
	for _, kind := range urls.Kinds {
		docs := filter(a.latest, func(d *DocView) bool { return d.Kind == kind.ID })
		lib := urls.Library(pre, kind.ID)
		years := yearsOf(docs)
		facets := []FacetGroup{{Name: "Year published", Key: "year"}}
		for _, y := range years {
			n := len(filter(docs, func(d *DocView) bool { return d.Published.Year() == y }))
			facets[0].Links = append(facets[0].Links, Link{Name: strconv.Itoa(y), URL: b.base + urls.LibraryYear(kind.ID, y), Count: n})
		}
		home.Libraries = append(home.Libraries, Link{Name: kind.Plural, URL: b.base + lib, Count: len(docs)})
		jobs = append(jobs, b.listJobs(a, listDef{path: lib, title: kind.Plural, intro: kind.Intro,
			docs: docs, scope: map[string]string{"kind": kind.ID}, facets: facets})...)
		for _, y := range years {
			ys := strconv.Itoa(y)
			yd := filter(docs, func(d *DocView) bool { return d.Published.Year() == y })
			jobs = append(jobs, b.listJobs(a, listDef{path: urls.LibraryYear(kind.ID, y), title: kind.Plural + " published in " + ys,
				docs: yd, scope: map[string]string{"kind": kind.ID, "year": ys}, facets: facets,
				crumbs: []Link{{Name: kind.Plural, URL: b.base + lib}}})...)
		}
	}

	// Taxonomies: one index page each, one list per term, and one list per
	// non-empty region×industry pair.
	index := b.indexTerms(a)
	pairs := map[[2]string][]*DocView{}
	for _, r := range b.cat.Regions {
		for _, i := range b.cat.Industries {
			if docs := intersect(index["region"][r.ID], index["industry"][i.ID]); len(docs) > 0 {
				pairs[[2]string{r.ID, i.ID}] = docs
			}
		}
	}
	pairsByRegion, pairsByIndustry := b.pairLinks(pairs, true), b.pairLinks(pairs, false)
	for _, tx := range urls.Taxonomies {
		terms := index[tx.Key]
		views := make([]TermView, 0, len(terms))
		for _, t := range tx.Terms(b.cat) {
			views = append(views, TermView{Term: t, URL: b.base + urls.Term(tx.Key, t.ID), Count: len(terms[t.ID])})
		}
		tv := &TermsView{Terms: views}
		switch tx.Key {
		case "region":
			home.Regions = views
			tv.Pairs = pairsByRegion
		case "industry":
			home.Industries = views
			tv.Pairs = pairsByIndustry
		case "service":
			home.Services = views
		case "standard":
			home.StandardSets = standardSets(views)
		}
		add(urls.OutputFile(tx.Folder), &Page{Layout: "terms", Title: tx.Title, TermKind: tx.Key, Terms: tv}, 0)
		for _, t := range tx.Terms(b.cat) {
			def := listDef{path: urls.Term(tx.Key, t.ID), title: t.Name, intro: t.Description, docs: terms[t.ID],
				scope: map[string]string{tx.Key: t.ID}, crumbs: []Link{{Name: tx.Title, URL: b.base + tx.Folder}}}
			switch tx.Key {
			case "region":
				def.facets = []FacetGroup{{Name: "Industry in " + t.Name, Key: "industry", Links: pairsByRegion[t.ID]}}
			case "industry":
				def.facets = []FacetGroup{{Name: "Region for " + t.Name, Key: "region", Links: pairsByIndustry[t.ID]}}
			}
			jobs = append(jobs, b.listJobs(a, def)...)
		}
	}
	regions := urls.TaxonomyOf("region")
	for _, r := range b.cat.Regions {
		for _, i := range b.cat.Industries {
			docs := pairs[[2]string{r.ID, i.ID}]
			if len(docs) == 0 {
				continue
			}
			jobs = append(jobs, b.listJobs(a, listDef{
				path: urls.Pair(r.ID, i.ID), title: i.Name + " in " + r.Name, docs: docs,
				scope:  map[string]string{"region": r.ID, "industry": i.ID},
				crumbs: []Link{{Name: regions.Title, URL: b.base + regions.Folder}, {Name: r.Name, URL: b.base + urls.Term("region", r.ID)}},
				facets: []FacetGroup{{Name: "Widen", Key: "", Links: []Link{
					{Name: "All of " + r.Name, URL: b.base + urls.Term("region", r.ID), Count: len(index["region"][r.ID])},
					{Name: "All " + i.Name, URL: b.base + urls.Term("industry", i.ID), Count: len(index["industry"][i.ID])},
				}}},
			})...)
		}
	}

	// Recently published or updated, for the home page.
	recent := filter(a.latest, func(d *DocView) bool { return d.New })
	sortByDate(recent)
	home.Recent = recent

	add(urls.OutputFile(urls.Settings), &Page{Layout: "settings", Title: "Settings"}, 0)
	return jobs
}

// taxonomy returns the catalog's terms of a taxonomy, by its key.
func (b *pass) taxonomy(key string) []catalog.Term { return urls.TaxonomyOf(key).Terms(b.cat) }

// indexTerms builds, once, the documents of each term of each taxonomy, so
// that no template ever loops over the whole catalog.
func (b *pass) indexTerms(a *area) map[string]map[string][]*DocView {
	index := make(map[string]map[string][]*DocView, len(urls.Taxonomies))
	for _, tx := range urls.Taxonomies {
		terms := map[string][]*DocView{}
		for _, d := range a.latest {
			for _, id := range tx.IDs(d.Document) {
				terms[id] = append(terms[id], d)
			}
		}
		index[tx.Key] = terms
	}
	return index
}

// pairLinks returns, per region (byRegion) or per industry, links to the
// non-empty region×industry pages.
func (b *pass) pairLinks(pairs map[[2]string][]*DocView, byRegion bool) map[string][]Link {
	out := map[string][]Link{}
	for _, r := range b.cat.Regions {
		for _, i := range b.cat.Industries {
			n := len(pairs[[2]string{r.ID, i.ID}])
			if n == 0 {
				continue
			}
			u := b.base + urls.Pair(r.ID, i.ID)
			if byRegion {
				out[r.ID] = append(out[r.ID], Link{Name: i.Name, URL: u, Count: n})
			} else {
				out[i.ID] = append(out[i.ID], Link{Name: r.Name, URL: u, Count: n})
			}
		}
	}
	return out
}

// intersect returns the views in both lists; both are in series order.
func intersect(x, y []*DocView) []*DocView {
	var out []*DocView
	i, j := 0, 0
	for i < len(x) && j < len(y) {
		switch {
		case x[i] == y[j]:
			out = append(out, x[i])
			i++
			j++
		case x[i].ord < y[j].ord:
			i++
		default:
			j++
		}
	}
	return out
}

func filter(docs []*DocView, keep func(*DocView) bool) []*DocView {
	var out []*DocView
	for _, d := range docs {
		if keep(d) {
			out = append(out, d)
		}
	}
	return out
}

func yearsOf(docs []*DocView) []int {
	var ys []int
	for _, d := range docs {
		if y := d.Published.Year(); !slices.Contains(ys, y) {
			ys = append(ys, y)
		}
	}
	slices.Sort(ys)
	slices.Reverse(ys)
	return ys
}

func standardSets(views []TermView) []StandardSet {
	var sets []StandardSet
	for _, v := range views {
		g := v.Group
		if g == "" {
			g = "Other"
		}
		i := slices.IndexFunc(sets, func(s StandardSet) bool { return s.Name == g })
		if i < 0 {
			sets = append(sets, StandardSet{Name: g})
			i = len(sets) - 1
		}
		sets[i].Standards = append(sets[i].Standards, v)
	}
	return sets
}

// newerFirst orders newest first, then by title.
func newerFirst(x, y *DocView) int {
	if c := y.Published.Compare(x.Published); c != 0 {
		return c
	}
	return strings.Compare(x.Title, y.Title)
}

// byName orders by title, then by series.
func byName(x, y *DocView) int {
	if c := strings.Compare(x.sortName, y.sortName); c != 0 {
		return c
	}
	return strings.Compare(x.Series, y.Series)
}

// rank sorts an area's latest versions once in each order and numbers
// them, so that each of its hundreds of lists (all drawn from them, in the
// same order) sorts by comparing two integers, with the same result as a
// stable sort of its own.
func rank(latest []*DocView) {
	docs := slices.Clone(latest)
	slices.SortStableFunc(docs, newerFirst)
	for i, v := range docs {
		v.dateRank = i
	}
	slices.SortStableFunc(docs, byName)
	for i, v := range docs {
		v.nameRank = i
	}
}

// sortByDate orders views of an area's latest versions newest first.
func sortByDate(docs []*DocView) {
	slices.SortFunc(docs, func(x, y *DocView) int { return x.dateRank - y.dateRank })
}

// sortByName orders views of an area's latest versions by name.
func sortByName(docs []*DocView) {
	slices.SortFunc(docs, func(x, y *DocView) int { return x.nameRank - y.nameRank })
}

// listDef is a list before pagination.
type listDef struct {
	path   string
	title  string
	intro  string
	docs   []*DocView
	scope  map[string]string
	facets []FacetGroup
	crumbs []Link
}

// listJobs paginates a list in both sort orders, each page at its
// urls.ListPage.
func (b *pass) listJobs(a *area, l listDef) []output.Job {
	size := b.cat.Site.PageSize
	count := max(1, (len(l.docs)+size-1)/size)
	// What every page of the list shows besides its rows, hashed once.
	meta := newKey(b.global).str("list", l.path, l.intro).num(uint64(count), uint64(len(l.docs))).any(l.facets, l.crumbs, l.scope).sum()
	// The documents' keys decide both orders and every page, so a list whose
	// members are unchanged since the last build is not sorted again: its
	// pages keep their keys and the writer skips them.
	members := newKey(meta).str(l.title)
	for _, d := range l.docs {
		members.num(d.key)
	}
	membership := members.sum()
	cacheKey := a.prefix + "\x00" + l.path
	var jobs []output.Job
	defer func() {
		plan := listPlan{membership: membership}
		for _, j := range jobs {
			plan.rels = append(plan.rels, j.Rel)
			plan.keys = append(plan.keys, j.Key)
		}
		b.next.lists[cacheKey] = plan
	}()
	if same, ok := b.prev.listUnchanged(cacheKey, membership); ok {
		jobs = same
		return jobs
	}
	// What all pages of the list, or of one order, share is made once: a
	// large site plans a hundred thousand list pages before rendering any.
	dataURL, listURL := b.base+urls.CatalogJSON(a.prefix), b.base+l.path
	byDate, byName := b.base+urls.ListPage(l.path, urls.ByDate, 1), b.base+urls.ListPage(l.path, urls.ByName, 1)
	for _, order := range []string{urls.ByDate, urls.ByName} {
		docs := slices.Clone(l.docs)
		if order == urls.ByDate {
			sortByDate(docs)
		} else {
			sortByName(docs)
		}
		sortLinks := []Link{
			{Name: "Newest first", URL: byDate, Current: order == urls.ByDate},
			{Name: "Name", URL: byName, Current: order == urls.ByName},
		}
		for n := 1; n <= count; n++ {
			page := docs[(n-1)*size : min(n*size, len(docs))]
			lv := &ListView{Title: l.title, Intro: l.intro, Scope: l.scope, Total: len(l.docs), Docs: page,
				Sort: order, PageNum: n, PageCount: count, Facets: l.facets, DataURL: dataURL, URL: listURL, SortLinks: sortLinks}
			title := l.title
			if n > 1 {
				title += " (page " + strconv.Itoa(n) + ")"
			}
			k := newKey(meta).str(order, title).num(uint64(n))
			for _, d := range page {
				k.num(d.key)
			}
			j := b.page(a, urls.OutputFile(urls.ListPage(l.path, order, n)),
				&Page{Layout: "list", Title: title, Description: l.intro, List: lv, Crumbs: l.crumbs, NoIndex: order == urls.ByName}, k.sum())
			render := j.Render
			j.Render = func(buf *bytes.Buffer) error {
				// Made for the page being rendered and dropped after it: a
				// build plans every page first, and a large site's pager
				// links would otherwise all stay in memory at once.
				lv.Pages = pageLinks(b.base, l.path, lv.Sort, lv.PageNum, lv.PageCount)
				if n := lv.PageNum; n > 1 {
					lv.Prev = b.base + urls.ListPage(l.path, lv.Sort, n-1)
				}
				if n := lv.PageNum; n < lv.PageCount {
					lv.Next = b.base + urls.ListPage(l.path, lv.Sort, n+1)
				}
				defer func() { lv.Rows, lv.Pages, lv.Prev, lv.Next = "", nil, "", "" }()
				return renderWithRows(buf, lv, render)
			}
			jobs = append(jobs, j)
		}
	}
	return jobs
}

// OutputFile names the output a site path (relative to the base URL, such
// as "regions/europe/" or "regions/europe/page/2.html") is written to and
// served from: urls.OutputFile, for the dev server.
func OutputFile(rel string) string { return urls.OutputFile(rel) }

// pageLinks returns the first, last and nearby pages.
func pageLinks(base, list, order string, cur, count int) []Link {
	if count <= 1 {
		return nil
	}
	var out []Link
	last := 0
	for n := 1; n <= count; n++ {
		if n != 1 && n != count && (n < cur-2 || n > cur+2) {
			continue
		}
		if last != 0 && n != last+1 {
			out = append(out, Link{Name: "…"})
		}
		out = append(out, Link{Name: strconv.Itoa(n), URL: base + urls.ListPage(list, order, n), Current: n == cur})
		last = n
	}
	return out
}

// fingerprint returns name with a content hash before its extension:
// site.css → site.3f9a1c2b7d.css.
func fingerprint(name string, data []byte) string {
	sum := sha256.Sum256(data)
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
}
