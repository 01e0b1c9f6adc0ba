package site

import (
	"bytes"
	"strings"

	"github.com/stp-portal/stp/generator/site/output"
	"github.com/stp-portal/stp/generator/urls"
)

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
