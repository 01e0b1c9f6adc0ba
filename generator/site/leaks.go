package site

import (
	"bytes"
	"cmp"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/stp-portal/stp/generator/catalog"
	"github.com/stp-portal/stp/generator/content"
	"github.com/stp-portal/stp/generator/diag"
	"github.com/stp-portal/stp/generator/urls"
)

// gate knows what public content (public pages, the home page's
// introduction and public documents' descriptions, all readable without
// signing in) must not link or name: the documents only signed-in readers
// may see, by their pages' addresses and their files' names.
//
// A gated document's file name is refused anywhere in public Markdown, in
// text and code as well as in links: it is an identifier that says the
// document exists (contoso-pen-test-summary-2026.pdf), and nothing but a
// leak writes it. So is the address documents/<series>/ of a gated series.
// A title is not: titles are ordinary words ("SOC 2 Type 2 Report") that
// public text uses for the standard or for a public version of the same
// report, and refusing them would refuse honest prose.
type gate struct {
	// roots are the base paths a link to the site may start with: the
	// build's, the catalog's (a preview is built under another), and "/".
	roots []string
	hosts []string
	// baseURL and catalogURL are the base URLs the gate was made for.
	baseURL, catalogURL string
	// publicList is the public list of documents, to link instead.
	publicList string
	// series holds the gated series (no version public), by id, with
	// their newest version; publicSeries the others.
	series       map[string]*catalog.Document
	publicSeries map[string]bool
	// files holds the file names only gated versions publish. Scanning
	// text finds them as words; tails holds those with other characters
	// (a space) by their last word.
	files map[string]*catalog.Document
	tails map[string][]string
	// docs are the documents the gate was made from: a rebuild whose
	// catalog has the same reuses it.
	docs []*catalog.Document
}

func newGate(cat *catalog.Catalog, base, baseURL string) *gate {
	n := len(cat.Documents)
	g := &gate{series: make(map[string]*catalog.Document, n), publicSeries: map[string]bool{},
		files: make(map[string]*catalog.Document, n), tails: map[string][]string{}, publicList: base + PublicPrefix + "documents/",
		docs: cat.Documents, baseURL: baseURL, catalogURL: cat.Site.BaseURL}
	for _, u := range []string{baseURL, cat.Site.BaseURL} {
		if p, err := url.PathUnescape(urls.BasePath(u)); err == nil && !slices.Contains(g.roots, p) {
			g.roots = append(g.roots, p)
		}
		if pu, err := url.Parse(u); err == nil && pu.Host != "" && !slices.Contains(g.hosts, strings.ToLower(pu.Host)) {
			g.hosts = append(g.hosts, strings.ToLower(pu.Host))
		}
	}
	if !slices.Contains(g.roots, "/") {
		g.roots = append(g.roots, "/")
	}
	publicFiles := map[string]bool{}
	for _, d := range cat.Documents {
		if d.Public {
			g.publicSeries[d.Series] = true
			publicFiles[path.Base(d.File)] = true
		}
	}
	for _, d := range cat.Documents {
		if d.Public {
			continue
		}
		if !g.publicSeries[d.Series] {
			if newest, ok := g.series[d.Series]; !ok || d.Published.After(newest.Published) {
				g.series[d.Series] = d
			}
		}
		name := path.Base(d.File)
		if _, seen := g.files[name]; seen || publicFiles[name] {
			continue
		}
		g.files[name] = d
		if tail := lastWord(name); tail != name && tail != "" {
			g.tails[tail] = append(g.tails[tail], name)
		}
	}
	return g
}

// leak is gated content found in public Markdown, at a byte offset of its
// source or a link's line and column.
type leak struct {
	line, col int
	// needle is the text found, for positions in the catalog.
	needle  string
	series  string
	message string
	warning bool
}

// scan finds gated file names and gated documents' addresses in src.
func (g *gate) scan(src []byte) []leak {
	var out []leak
	add := func(off int, needle string, d *catalog.Document, message string) {
		line, col := content.LineCol(src, off)
		out = append(out, leak{line: line, col: col, needle: needle, series: d.Series, message: message})
	}
	if len(g.files) > 0 {
		for start := 0; start < len(src); {
			if !isWordByte(src[start]) {
				start++
				continue
			}
			end := start
			for end < len(src) && isWordByte(src[end]) {
				end++
			}
			word := strings.TrimRight(string(src[start:end]), ".")
			names := g.tails[word]
			if _, ok := g.files[word]; ok {
				names = append(names[:len(names):len(names)], word)
			}
			for _, name := range names {
				at := start + len(word) - len(name)
				if at >= 0 && string(src[at:start+len(word)]) == name && (at == 0 || !isWordByte(src[at-1])) {
					d := g.files[name]
					add(at, name, d, fmt.Sprintf("%s is the file of %s, which only signed-in readers may download; public content must not name it: make the document public (public: true in catalog.yaml) or remove the name", name, describe(d)))
				}
			}
			start = end
		}
	}
	const dir = "documents/"
	for off := 0; ; {
		i := bytes.Index(src[off:], []byte(dir))
		if i < 0 {
			break
		}
		at := off + i
		off = at + len(dir)
		if at > 0 && isWordByte(src[at-1]) && src[at-1] != '.' { // not mydocuments/
			continue
		}
		end := off
		for end < len(src) && (src[end] >= 'a' && src[end] <= 'z' || src[end] >= '0' && src[end] <= '9' || src[end] == '-') {
			end++
		}
		if d, ok := g.series[string(src[off:end])]; ok && end > off && !g.foreign(src[:at]) {
			if at > 0 && src[at-1] == '/' {
				at--
			}
			add(at, string(src[at:end]), d, fmt.Sprintf("%s is the address of %s, which only signed-in readers may see; public content must not name it: link a public page instead (such as %s), make the document public (public: true in catalog.yaml), or remove it", src[at:end], describe(d), g.publicList))
		}
	}
	return out
}

// foreign says whether the text before an address ends in another site's
// URL, such as https://example.org/, whose documents/ are not ours.
func (g *gate) foreign(before []byte) bool {
	word := before[bytes.LastIndexAny(before, " \t\n([<\"'`")+1:]
	_, rest, ok := bytes.Cut(word, []byte("://"))
	if !ok {
		return false
	}
	host, _, _ := bytes.Cut(rest, []byte("/"))
	return !slices.Contains(g.hosts, strings.ToLower(string(host)))
}

// link judges one link of public content whose page is at from (a path
// such as /public/faq/).
func (g *gate) link(l content.Link, from string) (leak, bool) {
	u, err := url.Parse(l.Dest)
	if err != nil || u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
		return leak{}, false
	}
	found := func(d *catalog.Document, message string) (leak, bool) {
		return leak{line: l.Line, col: l.Col, needle: l.Dest, series: d.Series, message: message}, true
	}
	if name := path.Base(u.Path); g.files[name] != nil {
		d := g.files[name]
		return found(d, fmt.Sprintf("link to %q names %s, the file of %s, which only signed-in readers may see; public content must not link or name it: make the document public (public: true in catalog.yaml) or remove the link", l.Dest, name, describe(d)))
	}
	if u.Host != "" && !slices.Contains(g.hosts, strings.ToLower(u.Host)) || u.Path == "" {
		return leak{}, false
	}
	p := (&url.URL{Path: from}).ResolveReference(u).Path
	for _, root := range g.roots {
		rel, ok := strings.CutPrefix(p, root)
		if !ok {
			continue
		}
		rel, public := strings.CutPrefix(rel, PublicPrefix)
		rest, ok := strings.CutPrefix(rel, "documents/")
		if !ok {
			continue
		}
		series, _, _ := strings.Cut(rest, "/")
		if d, ok := g.series[series]; ok {
			return found(d, fmt.Sprintf("link to %q leads to %s, which only signed-in readers may see; public content must not link or name it: link a public page instead (such as %s), make the document public (public: true in catalog.yaml), or remove the link", l.Dest, describe(d), g.publicList))
		}
		if g.publicSeries[series] && !public {
			lk := leak{line: l.Line, col: l.Col, needle: l.Dest, series: series, warning: true,
				message: fmt.Sprintf("link to %q leads to the signed-in copy of a public document; link its public page %s%s/ instead, which readers open without signing in", l.Dest, g.publicList, series)}
			return lk, true
		}
	}
	return leak{}, false
}

// check returns what src, public Markdown shown at from, links or names
// that it must not: one problem per document and line, the first.
func (g *gate) check(md *content.Markdown, src []byte, from string) []leak {
	leaks := g.scan(src)
	// Only a link whose address holds "documents" can reach a document's
	// page, and scan finds file names unless escapes hide them; most text
	// has neither, and is not parsed again.
	if bytes.Contains(src, []byte("documents")) || bytes.ContainsAny(src, `%&\`) {
		for _, l := range md.Links(src) {
			if lk, ok := g.link(l, from); ok {
				leaks = append(leaks, lk)
			}
		}
	}
	// A link names its file or address too: the link, further left, is
	// reported, and nothing else about its document on that line.
	slices.SortStableFunc(leaks, func(a, b leak) int { return cmp.Or(cmp.Compare(a.line, b.line), cmp.Compare(a.col, b.col)) })
	type lineSeries struct {
		line   int
		series string
	}
	seen := map[lineSeries]bool{}
	return slices.DeleteFunc(leaks, func(lk leak) bool {
		k := lineSeries{lk.line, lk.series}
		dup := seen[k]
		seen[k] = true
		return dup
	})
}

// checkPublicContent reports what public content links or names of gated
// documents: public pages and the home page's introduction (shown on the
// public home too), and the descriptions of public documents.
func (b *pass) checkPublicContent(cat *catalog.Catalog, pages []*content.Page, md *content.Markdown) diag.Problems {
	g := b.prev.gate
	if g == nil || g.baseURL != b.baseURL || g.catalogURL != cat.Site.BaseURL || !slices.Equal(g.docs, cat.Documents) {
		g = newGate(cat, b.base, b.baseURL)
	}
	b.next.gate = g
	var problems diag.Problems
	report := func(lk leak, at diag.Pos) {
		problems = append(problems, &diag.Problem{Pos: at, Message: lk.message, Warning: lk.warning})
	}
	for _, p := range pages {
		if !p.Public && p.Slug != "index" {
			continue
		}
		from := b.base + PublicPrefix + p.Slug + "/"
		if p.Slug == "index" {
			from = b.base + PublicPrefix
		}
		for _, lk := range g.check(md, p.Source, from) {
			report(lk, p.Pos(lk.line, lk.col))
		}
	}
	for _, d := range cat.Documents {
		if !d.Public || d.Description == "" {
			continue
		}
		for _, lk := range g.check(b.md, []byte(d.Description), b.base+PublicPrefix+"documents/"+d.Series+"/") {
			report(lk, cat.DescriptionPos(d, lk.line, lk.col, lk.needle))
		}
	}
	return problems
}

func describe(d *catalog.Document) string {
	return fmt.Sprintf("%q (%s)", d.Title, d.ID)
}

// isWordByte says whether c may be part of a file name as text scanning
// finds one: letters, digits, ".", "_" and "-".
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
}

// lastWord returns the trailing run of word bytes of a file name, without
// trailing dots: what scan finds a name by.
func lastWord(name string) string {
	i := len(name)
	for i > 0 && isWordByte(name[i-1]) {
		i--
	}
	return strings.TrimRight(name[i:], ".")
}
