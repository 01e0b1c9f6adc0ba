package site

import (
	"bytes"
	"fmt"
	"html/template"
	"path"
	"slices"
	"strings"

	"github.com/stp-portal/stp/generator/catalog"
	"github.com/stp-portal/stp/generator/content"
	"github.com/stp-portal/stp/generator/diag"
	"github.com/stp-portal/stp/generator/internal/par"
	"github.com/stp-portal/stp/generator/urls"
)

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
	// terms is made once, for the families that list by term.
	terms *termIndex
}

// slot is the area's index in the per-area caches.
func (a *area) slot() int {
	if a.public {
		return 1
	}
	return 0
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

// taxonomy returns the catalog's terms of a taxonomy, by its key.
func (b *pass) taxonomy(key string) []catalog.Term { return urls.TaxonomyOf(key).Terms(b.cat) }

// termIndex is, for one area, the documents of each term of each
// taxonomy and of each non-empty region×industry pair, and the links to
// those pairs per region and per industry.
type termIndex struct {
	docs                 map[string]map[string][]*DocView // taxonomy → term → latest versions
	pairs                map[[2]string][]*DocView
	byRegion, byIndustry map[string][]Link
}

// termIndex returns the area's termIndex, made on first use.
func (b *pass) termIndex(a *area) *termIndex {
	if a.terms != nil {
		return a.terms
	}
	x := &termIndex{docs: b.indexTerms(a), pairs: map[[2]string][]*DocView{}}
	for _, r := range b.cat.Regions {
		for _, i := range b.cat.Industries {
			if docs := intersect(x.docs["region"][r.ID], x.docs["industry"][i.ID]); len(docs) > 0 {
				x.pairs[[2]string{r.ID, i.ID}] = docs
			}
		}
	}
	x.byRegion, x.byIndustry = b.pairLinks(x.pairs, true), b.pairLinks(x.pairs, false)
	a.terms = x
	return x
}

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
