package site

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/stp-portal/stp/generator/catalog"
	"github.com/stp-portal/stp/generator/content"
	"github.com/stp-portal/stp/generator/diag"
	"github.com/stp-portal/stp/generator/site/output"
	"github.com/stp-portal/stp/generator/urls"
)

// A link check asks of every link written by the publisher (in Markdown
// pages, the home page's introduction, documents' descriptions, and as
// literal addresses in layouts) whether the build plans an output at its
// address and, for #anchor, whether that page has the anchor. It looks up
// the planned outputs in memory rather than reading the HTML written: the
// generator's own links are right by construction, and a publisher's link
// is reported at the line where it was written, not in a page it ended up
// in.

// layoutLink is an address written literally in a layout: href="/x/",
// src="/x.png", {{url "x/"}} or href="#x".
type layoutLink struct {
	pos  diag.Pos
	dest string
}

var (
	layoutHref = regexp.MustCompile(`\b(?:href|src)="([^"{]*)"`)
	layoutURL  = regexp.MustCompile(`\{\{-?\s*url\s+"([^"]*)"`)
	layoutID   = regexp.MustCompile(`\bid="([^"]*)"`)
)

// scanLayout finds a layout's literal links and the anchors (id="…") it
// gives; an id made by an action is kept up to the action, with a "*".
func scanLayout(file, src string) (links []layoutLink, ids []string) {
	at := func(off int) diag.Pos {
		line, col := content.LineCol([]byte(src), off)
		return diag.Pos{File: file, Line: line, Col: col}
	}
	for _, m := range layoutHref.FindAllStringSubmatchIndex(src, -1) {
		dest := src[m[2]:m[3]]
		if strings.HasPrefix(dest, "/") || strings.HasPrefix(dest, "#") || strings.HasPrefix(strings.ToLower(dest), "javascript:") {
			links = append(links, layoutLink{pos: at(m[2]), dest: dest})
		}
	}
	for _, m := range layoutURL.FindAllStringSubmatchIndex(src, -1) {
		links = append(links, layoutLink{pos: at(m[2]), dest: "url:" + src[m[2]:m[3]]})
	}
	for _, m := range layoutID.FindAllStringSubmatch(src, -1) {
		id := m[1]
		if i := strings.Index(id, "{{"); i >= 0 {
			id = id[:i] + "*"
		}
		ids = append(ids, id)
	}
	return links, ids
}

// linkCheck knows what the build plans.
type linkCheck struct {
	b       *pass
	planned map[string]bool
	dirs    map[string]bool // folders of planned outputs, made when needed
	roots   []string        // base paths links may start with, longest first
	hosts   []string
	// ids are the Markdown anchors of pages by output: a Markdown page's
	// headings, a series page's descriptions'.
	ids    map[string][]string
	series []string
	// known are the catalog's ids, which a layout's id="{{.ID}}" gives.
	known map[string]bool
}

func (b *pass) newLinkCheck(jobs []output.Job) *linkCheck {
	c := &linkCheck{b: b, planned: make(map[string]bool, len(jobs)+len(b.files)+len(b.assets)), ids: map[string][]string{}}
	for _, j := range jobs {
		c.planned[j.Rel] = true
	}
	for _, f := range b.files {
		if rel, err := url.PathUnescape(strings.TrimPrefix(f.URL, b.base)); err == nil {
			c.planned[rel] = true
		}
	}
	for _, rel := range b.assets {
		c.planned[rel] = true
	}
	for _, u := range []string{b.baseURL, b.cat.Site.BaseURL} {
		if p, err := url.PathUnescape(urls.BasePath(u)); err == nil && !slices.Contains(c.roots, p) {
			c.roots = append(c.roots, p)
		}
		if pu, err := url.Parse(u); err == nil && pu.Host != "" {
			c.hosts = append(c.hosts, strings.ToLower(pu.Host))
		}
	}
	slices.SortFunc(c.roots, func(x, y string) int { return len(y) - len(x) })
	for _, p := range b.pages {
		c.ids[strings.TrimPrefix(b.pageURL(p), b.base)+"index.html"] = p.IDs
	}
	if b.index != nil {
		c.ids["index.html"] = b.index.IDs
		c.ids[PublicPrefix+"index.html"] = b.index.IDs
	}
	for _, s := range b.series {
		c.series = append(c.series, s.ID)
		var ids []string
		for _, d := range s.Versions() {
			ids = append(ids, b.descs[d].ids...)
		}
		c.ids["documents/"+s.ID+"/index.html"] = ids
		c.ids[PublicPrefix+"documents/"+s.ID+"/index.html"] = ids
	}
	return c
}

// checkLinks reports every publisher's link that leads to no output of
// this build, or to an anchor its page does not have.
func (b *pass) checkLinks(jobs []output.Job) diag.Problems {
	c := b.newLinkCheck(jobs)
	var problems diag.Problems
	seen := map[diag.Pos]bool{}
	report := func(at diag.Pos, msg string) {
		if msg != "" && !seen[at] {
			seen[at] = true
			problems = append(problems, &diag.Problem{Pos: at, Message: msg})
		}
	}
	for _, p := range b.pages {
		for _, l := range p.Links {
			report(p.Pos(l.Line, l.Col), c.check(l, b.pageURL(p)))
		}
	}
	if b.index != nil {
		for _, l := range b.index.Links {
			// Shown on both home pages.
			msg := c.check(l, b.base)
			if msg == "" {
				msg = c.check(l, b.base+PublicPrefix)
			}
			report(b.index.Pos(l.Line, l.Col), msg)
		}
	}
	for _, s := range b.series {
		for _, d := range s.Versions() {
			for _, l := range b.descs[d].links {
				from := b.base + "documents/" + d.Series + "/"
				if d.Public {
					from = b.base + PublicPrefix + "documents/" + d.Series + "/"
				}
				// A description's position costs a look through the
				// catalog's text: found only for a link that is wrong.
				if msg := c.check(l, from); msg != "" {
					report(b.cat.DescriptionPos(d, l.Line, l.Col, l.Written), msg)
				}
			}
		}
	}
	for _, l := range b.layouts.links {
		dest, written := l.dest, l.dest
		if rel, ok := strings.CutPrefix(dest, "url:"); ok {
			if strings.HasPrefix(rel, "_stp/") {
				continue // the dev server's own
			}
			dest, written = b.base+strings.TrimPrefix(rel, "/"), rel
		} else if strings.HasPrefix(dest, "#") {
			if !c.layoutHasID("", dest[1:]) {
				report(l.pos, fmt.Sprintf("link to %q: no layout gives an element id=%q; add the id or fix the link", dest, dest[1:]))
			}
			continue
		}
		report(l.pos, c.check(content.Link{Dest: dest, Written: written}, b.base))
	}
	problems.Sort()
	return problems
}

// check judges one link on the page at from (a URL path such as
// /getting-started/) and returns what is wrong with it, or "".
func (c *linkCheck) check(l content.Link, from string) string {
	dest := l.Written
	u, err := url.Parse(strings.TrimSpace(l.Dest))
	if err != nil {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "":
	case "http", "https":
		if !slices.Contains(c.hosts, strings.ToLower(u.Host)) {
			return "" // another site's
		}
	case "javascript", "vbscript", "data", "file":
		return strings.ToLower(u.Scheme) + ": links are not allowed; link a page or a file"
	default:
		return "" // mailto:, tel:
	}
	if u.Host != "" && u.Scheme == "" {
		return "" // //host/path
	}
	base, err := url.Parse(from)
	if err != nil {
		return ""
	}
	target := base.ResolveReference(&url.URL{Path: u.Path, RawPath: u.RawPath}).Path
	if u.Path == "" {
		target = base.Path
	}
	rel, ok := "", false
	for _, root := range c.roots {
		if r, found := strings.CutPrefix(target, root); found {
			rel, ok = r, true
			break
		}
		if target+"/" == root {
			rel, ok = "", true
			break
		}
	}
	if !ok {
		return "" // outside the site's base path: another application's
	}
	out, found := c.output(rel)
	if !found {
		return fmt.Sprintf("link to %q leads to %s, which the site does not have; %s", dest, target, c.fix(rel))
	}
	if u.Fragment == "" {
		return ""
	}
	return c.anchor(dest, target, out, u.Fragment)
}

// output finds the output a site path is served from.
func (c *linkCheck) output(rel string) (string, bool) {
	if strings.HasPrefix(rel, "_stp/") || strings.HasPrefix(rel, searchDir) || strings.HasPrefix(rel, PublicPrefix+searchDir) {
		return rel, true // the dev server's; the search index, written beside
	}
	if out := OutputFile(rel); c.planned[out] {
		return out, true
	}
	if !strings.HasSuffix(rel, "/") && c.planned[rel+"/index.html"] {
		return rel + "/index.html", true // the server adds the slash
	}
	// A folder with no page of its own gets one that leads up.
	if c.dirs == nil {
		c.dirs = map[string]bool{}
		for out := range c.planned {
			for i := strings.LastIndexByte(out, '/'); i > 0; i = strings.LastIndexByte(out[:i], '/') {
				if c.dirs[out[:i+1]] {
					break
				}
				c.dirs[out[:i+1]] = true
			}
		}
	}
	dir := strings.TrimSuffix(rel, "/") + "/"
	return dir + "index.html", c.dirs[dir]
}

// fix says how to mend a link to a path the site does not have.
func (c *linkCheck) fix(rel string) string {
	const generic = "link a page (such as faq.md), a document's page (/documents/SERIES/) or a file the catalog publishes"
	name := path.Base(rel)
	for out := range c.planned {
		if strings.HasPrefix(out, PublicPrefix+"assets/") || strings.HasPrefix(out, "assets/") {
			continue
		}
		if path.Base(out) == name && !strings.HasSuffix(out, ".html") && !strings.HasSuffix(out, ".json") && !strings.HasSuffix(out, ".xml") {
			return "did you mean " + c.b.base + urls.Escape(out) + "?"
		}
	}
	if rest, ok := strings.CutPrefix(strings.TrimPrefix(rel, PublicPrefix), "documents/"); ok {
		series, _, _ := strings.Cut(rest, "/")
		if slices.Contains(c.series, series) {
			return generic
		}
		if near := nearest(series, c.series); near != "" {
			return "did you mean " + c.b.base + strings.TrimSuffix(rel, rest) + near + "/?"
		}
		return "no document series is called " + series + "; " + generic
	}
	return generic
}

// anchor checks #frag on the page at output out.
func (c *linkCheck) anchor(dest, target, out, frag string) string {
	layout, ok := c.b.layoutOf[out]
	if !ok {
		return "" // a file: #page=2 and the like are the viewer's
	}
	ids := c.ids[out]
	if slices.Contains(ids, frag) || c.layoutHasID(layout, frag) {
		return ""
	}
	msg := fmt.Sprintf("link to %q: %s has no anchor #%s", dest, target, frag)
	switch near := nearest(frag, ids); {
	case near != "":
		return msg + "; did you mean #" + near + "?"
	case len(ids) > 0:
		shown := ids[:min(len(ids), 5)]
		return msg + "; its headings' anchors are #" + strings.Join(shown, ", #")
	}
	return msg + "; link the page without it, or one of its headings"
}

// layoutHasID says whether the layouts of a page layout (any, for "")
// give an element the id.
func (c *linkCheck) layoutHasID(layout, id string) bool {
	for file, ids := range c.b.layouts.ids {
		if layout != "" && file != "layouts/"+layout+".html" && file != "layouts/base.html" && !strings.HasPrefix(file, "layouts/partials/") {
			continue
		}
		for _, pattern := range ids {
			if pattern == "*" {
				// Made whole by an action: an id of the catalog's.
				if c.knownIDs()[id] {
					return true
				}
				continue
			}
			if p, wild := strings.CutSuffix(pattern, "*"); wild && strings.HasPrefix(id, p) || pattern == id {
				return true
			}
		}
	}
	return false
}

func (c *linkCheck) knownIDs() map[string]bool {
	if c.known == nil {
		c.known = map[string]bool{}
		for _, d := range c.b.cat.Documents {
			c.known[d.ID] = true
		}
		for _, ts := range [][]catalog.Term{c.b.cat.Regions, c.b.cat.Industries, c.b.cat.Services, c.b.cat.Standards} {
			for _, t := range ts {
				c.known[t.ID] = true
			}
		}
	}
	return c.known
}
