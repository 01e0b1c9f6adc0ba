package site

import (
	"bytes"
	"strconv"

	"github.com/stp-portal/stp/generator/site/output"
	"github.com/stp-portal/stp/generator/urls"
)

// A family is one kind of page: search, home, documents, libraries,
// taxonomies... Its planner returns the jobs that render its pages in one
// area, each at the URL package urls gives it, and fills in what the home
// page shows of it. A new kind of page is a new family here, a URL in
// urls, and a layout.
type family struct {
	name string
	// gated and public say which areas have the family's pages.
	gated, public bool
	plan          func(b *pass, a *area, home *HomeView) []output.Job
}

// families are planned in this order, in each area that has them.
var families = []family{
	{"search", true, true, (*pass).planSearch},
	{"home", true, true, (*pass).planHome},
	{"documents", true, true, (*pass).planDocuments},
	{"pages", true, true, (*pass).planPages},
	{"feeds", true, true, (*pass).planFeeds},
	{"help", false, true, (*pass).planHelp},
	{"public documents", false, true, (*pass).planPublicList},
	{"libraries", true, false, (*pass).planLibraries},
	{"taxonomies", true, false, (*pass).planTaxonomies},
	{"region×industry", true, false, (*pass).planPairs},
	{"recent", true, false, (*pass).planRecent},
	{"settings", true, false, (*pass).planSettings},
}

// areaJobs plans every page of an area, family by family.
func (b *pass) areaJobs(a *area) []output.Job {
	var jobs []output.Job
	home := &HomeView{Intro: b.intro}
	for _, f := range families {
		if a.public && f.public || !a.public && f.gated {
			jobs = append(jobs, f.plan(b, a, home)...)
		}
	}
	return jobs
}

// planSearch: the search page, answered in the browser (or by the server)
// from this area's own index, when the layouts have one.
func (b *pass) planSearch(a *area, _ *HomeView) []output.Job {
	if _, ok := b.layouts.pages["search"]; !ok {
		return nil
	}
	return []output.Job{b.page(a, urls.OutputFile(urls.SearchDir(a.prefix)), &Page{Layout: "search", Title: "Search",
		SearchManifestURL: b.base + urls.SearchManifest(a.prefix), SearchAPI: b.searchAPI(a)}, 0)}
}

// planHome: the area's home page, whose view the other families fill in
// before any page renders.
func (b *pass) planHome(a *area, home *HomeView) []output.Job {
	return []output.Job{b.page(a, urls.OutputFile(a.prefix), &Page{Layout: "home", Title: b.cat.Site.Title, Description: b.cat.Site.Tagline, Home: home}, 0)}
}

// planDocuments: one page per document series, at urls.DocumentPage.
func (b *pass) planDocuments(a *area, _ *HomeView) []output.Job {
	jobs := make([]output.Job, 0, len(a.series))
	for _, s := range a.series {
		k := newKey(b.global).str("document")
		for _, v := range s.Versions {
			k.num(v.key)
		}
		for _, v := range s.Related {
			k.num(v.key)
		}
		jobs = append(jobs, b.page(a, urls.OutputFile(urls.DocumentPage(a.prefix, s.ID)), &Page{Layout: "document", Title: s.Latest.Title, Description: s.Latest.Summary, Series: s,
			Crumbs: []Link{{Name: urls.KindOf(s.Latest.Kind).Plural, URL: b.base + urls.Library(a.prefix, s.Latest.Kind)}}}, k.sum()))
	}
	return jobs
}

// planPages: the Markdown pages, public ones only under the public prefix,
// gated ones only in the gated area.
func (b *pass) planPages(a *area, _ *HomeView) []output.Job {
	var jobs []output.Job
	for _, p := range b.pages {
		if p.Public == a.public {
			jobs = append(jobs, b.page(a, urls.OutputFile(urls.Page(a.prefix, p.Slug)), &Page{Layout: "page", Title: p.Title, Description: p.Description, Content: p},
				newKey(b.global).str("page", p.Slug, string(p.Body)).sum()))
		}
	}
	return jobs
}

// planFeeds: the Atom feed and the machine-readable catalog.json.
func (b *pass) planFeeds(a *area, _ *HomeView) []output.Job {
	return []output.Job{
		{Rel: urls.Feed(a.prefix), Render: func(buf *bytes.Buffer) error { return b.feed(buf, a) }},
		{Rel: urls.CatalogJSON(a.prefix), Render: func(buf *bytes.Buffer) error { return b.catalogJSON(buf, a) }},
	}
}

// planHelp: the public help page.
func (b *pass) planHelp(a *area, _ *HomeView) []output.Job {
	return []output.Job{b.page(a, urls.OutputFile(urls.Help), &Page{Layout: "help", Title: "Help and contact"}, 0)}
}

// planPublicList: the one list of the public area, every public document.
func (b *pass) planPublicList(a *area, home *HomeView) []output.Job {
	home.Public = a.latest
	return b.listJobs(a, listDef{path: urls.Library(a.prefix, ""), title: "Public documents",
		intro: "Documents anyone may read without signing in.", docs: a.latest})
}

// planLibraries: a library per kind of document, with per-year lists for
// the date filter.
func (b *pass) planLibraries(a *area, home *HomeView) []output.Job {
	var jobs []output.Job
	for _, kind := range urls.Kinds {
		docs := filter(a.latest, func(d *DocView) bool { return d.Kind == kind.ID })
		lib := urls.Library(a.prefix, kind.ID)
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
	return jobs
}

// taxonomyPage is what one taxonomy's pages have besides the index page
// and the list per term that every taxonomy of urls.Taxonomies has.
type taxonomyPage struct {
	// home puts the taxonomy's terms on the home page.
	home func(h *HomeView, terms []TermView)
	// pairs, when set, are the links per term to its non-empty
	// region×industry lists: on the index page, and as the facet of each
	// term's list, named facet + the term's name, filtering by facetKey.
	pairs           func(x *termIndex) map[string][]Link
	facet, facetKey string
}

// taxonomyPages, by urls.Taxonomy key.
var taxonomyPages = map[string]taxonomyPage{
	"region": {home: func(h *HomeView, ts []TermView) { h.Regions = ts },
		pairs: func(x *termIndex) map[string][]Link { return x.byRegion }, facet: "Industry in ", facetKey: "industry"},
	"industry": {home: func(h *HomeView, ts []TermView) { h.Industries = ts },
		pairs: func(x *termIndex) map[string][]Link { return x.byIndustry }, facet: "Region for ", facetKey: "region"},
	"service":  {home: func(h *HomeView, ts []TermView) { h.Services = ts }},
	"standard": {home: func(h *HomeView, ts []TermView) { h.StandardSets = standardSets(ts) }},
}

// planTaxonomies: for each taxonomy an index page and a list per term.
func (b *pass) planTaxonomies(a *area, home *HomeView) []output.Job {
	var jobs []output.Job
	x := b.termIndex(a)
	for _, tx := range urls.Taxonomies {
		tp := taxonomyPages[tx.Key]
		terms := x.docs[tx.Key]
		views := make([]TermView, 0, len(terms))
		for _, t := range tx.Terms(b.cat) {
			views = append(views, TermView{Term: t, URL: b.base + urls.Term(tx.Key, t.ID), Count: len(terms[t.ID])})
		}
		tv := &TermsView{Terms: views}
		var pairs map[string][]Link
		if tp.pairs != nil {
			pairs = tp.pairs(x)
			tv.Pairs = pairs
		}
		if tp.home != nil {
			tp.home(home, views)
		}
		jobs = append(jobs, b.page(a, urls.OutputFile(tx.Folder), &Page{Layout: "terms", Title: tx.Title, TermKind: tx.Key, Terms: tv}, 0))
		for _, t := range tx.Terms(b.cat) {
			def := listDef{path: urls.Term(tx.Key, t.ID), title: t.Name, intro: t.Description, docs: terms[t.ID],
				scope: map[string]string{tx.Key: t.ID}, crumbs: []Link{{Name: tx.Title, URL: b.base + tx.Folder}}}
			if pairs != nil {
				def.facets = []FacetGroup{{Name: tp.facet + t.Name, Key: tp.facetKey, Links: pairs[t.ID]}}
			}
			jobs = append(jobs, b.listJobs(a, def)...)
		}
	}
	return jobs
}

// planPairs: a list per non-empty region×industry pair.
func (b *pass) planPairs(a *area, _ *HomeView) []output.Job {
	var jobs []output.Job
	x := b.termIndex(a)
	regions := urls.TaxonomyOf("region")
	for _, r := range b.cat.Regions {
		for _, i := range b.cat.Industries {
			docs := x.pairs[[2]string{r.ID, i.ID}]
			if len(docs) == 0 {
				continue
			}
			jobs = append(jobs, b.listJobs(a, listDef{
				path: urls.Pair(r.ID, i.ID), title: i.Name + " in " + r.Name, docs: docs,
				scope:  map[string]string{"region": r.ID, "industry": i.ID},
				crumbs: []Link{{Name: regions.Title, URL: b.base + regions.Folder}, {Name: r.Name, URL: b.base + urls.Term("region", r.ID)}},
				facets: []FacetGroup{{Name: "Widen", Key: "", Links: []Link{
					{Name: "All of " + r.Name, URL: b.base + urls.Term("region", r.ID), Count: len(x.docs["region"][r.ID])},
					{Name: "All " + i.Name, URL: b.base + urls.Term("industry", i.ID), Count: len(x.docs["industry"][i.ID])},
				}}},
			})...)
		}
	}
	return jobs
}

// planRecent: no page, the home page's recently published or updated.
func (b *pass) planRecent(a *area, home *HomeView) []output.Job {
	recent := filter(a.latest, func(d *DocView) bool { return d.New })
	sortByDate(recent)
	home.Recent = recent
	return nil
}

// planSettings: the reader's settings page.
func (b *pass) planSettings(a *area, _ *HomeView) []output.Job {
	return []output.Job{b.page(a, urls.OutputFile(urls.Settings), &Page{Layout: "settings", Title: "Settings"}, 0)}
}
