package site

import (
	"bytes"
	"slices"
	"strconv"

	"github.com/stp-portal/stp/generator/site/output"
	"github.com/stp-portal/stp/generator/urls"
)

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
