package synth

import (
	"cmp"
	"errors"
	"fmt"
	"mime"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stp-portal/stp/generator/catalog"
	"github.com/stp-portal/stp/generator/content"
	"github.com/stp-portal/stp/generator/urls"
)

// WriteHugoExpert writes the STP portal in root (catalog.yaml and content/,
// as Write writes one) as the Hugo project a Hugo expert would write for
// the same pages, into dir, built as of now. It is the twin that `stpbench
// -hugo` compares STP with; WriteHugo is the older, naive one, kept to
// show what the tuning is worth.
//
// It makes the pages STP makes for the documents, and their rows the same
// bytes, which CompareListRows checks on the two outputs: one page per
// series at /documents/<series>/ (its listed versions, their files as
// static files), the two libraries and their years, every region,
// industry, non-empty region × industry pair, service and standard, the
// public area's documents and list, each list in date and in name order,
// 25 rows a page. Done the way Hugo's documentation and issues advise:
//
//   - one taxonomy per dimension; name order is a second output format
//     ("byname", under /by-name/) of the term pages, not a second taxonomy;
//   - each row is rendered once per document and kept on its page with
//     .Store (partialCached holds 1,000 entries; a portal has thousands of
//     rows), the chrome shared by all pages with partialCached;
//   - a pager like STP's over .Paginate, not Hugo's pagination template;
//   - counts with len .Pages, never site.Taxonomies;
//   - TOML front matter, which Hugo parses in about half YAML's time;
//   - the kinds STP does not build (RSS, sitemap, robots.txt) disabled,
//     and the taxonomy lists it does not build never rendered.
//
// STP's two orders are its own (newest first then title, and lower-cased
// title then series); Hugo sorts by weight, date and collated title, so
// each page carries its date rank as its weight and its name rank as a
// parameter, and lists sort by them.
//
// What it leaves out, in Hugo's favour: the search index, the feeds,
// catalog.json, each file's SHA-256, related documents, the settings and
// search pages.
func WriteHugoExpert(dir, root string, now time.Time) error {
	c, problems := catalog.Load(root)
	if errs := problems.Errors(); len(errs) > 0 {
		return errs
	}
	t := newHugoTwin(c, now)
	t.root = root
	for name, text := range hugoExpertLayouts {
		if err := writeFileAll(filepath.Join(dir, name), []byte(text)); err != nil {
			return err
		}
	}
	files := []string{hugoExpertConfig(c), "hugo.toml", t.termData(), "data/terms.toml"}
	for i := 0; i < len(files); i += 2 {
		if err := writeFileAll(filepath.Join(dir, files[i+1]), []byte(files[i])); err != nil {
			return err
		}
	}
	pages, err := markdownPages(root)
	if err != nil {
		return err
	}
	var errs []error
	for rel, text := range pages {
		errs = append(errs, writeFileAll(filepath.Join(dir, "content", filepath.FromSlash(rel)), text))
	}
	for rel, text := range t.branchPages() {
		errs = append(errs, writeFileAll(filepath.Join(dir, "content", filepath.FromSlash(rel), "_index.md"), text))
	}
	for _, a := range []*twinArea{t.gated, t.public} {
		for _, s := range a.series {
			name := filepath.Join(dir, "content", filepath.FromSlash(strings.TrimPrefix(urls.Documents(a.prefix), "/")), s.id+".md")
			errs = append(errs, writeFileAll(name, t.documentPage(a, s)))
			for _, v := range s.versions {
				if v.Public && a.prefix == "" {
					continue // one copy, in the public area
				}
				src := filepath.Join(root, "content", filepath.FromSlash(v.File))
				dst := filepath.Join(dir, "static", filepath.FromSlash(fileURL(s.id, v)))
				errs = append(errs, linkOrCopy(src, dst))
			}
		}
	}
	return errors.Join(errs...)
}

// hugoTwin is what the twin is made of: the catalog as of the build date,
// in STP's two areas.
type hugoTwin struct {
	c             *catalog.Catalog
	root          string // the STP portal
	now, newSince time.Time
	gated, public *twinArea
	pairs         map[string]bool // region--industry with a gated document
	years         map[string]bool // kind-year with a gated document
}

// twinArea is one of STP's areas: the gated site, or public/.
type twinArea struct {
	prefix string // urls.Area
	series []*twinSeries
}

// twinSeries is a series as an area lists it: its listed versions there,
// newest first, the first being the one its lists show.
type twinSeries struct {
	id                 string
	versions           []*catalog.Document
	updated            bool
	dateRank, nameRank int
}

func newHugoTwin(c *catalog.Catalog, now time.Time) *hugoTwin {
	t := &hugoTwin{c: c, now: now, newSince: now.AddDate(0, 0, -c.Site.NewDays), pairs: map[string]bool{}, years: map[string]bool{}}
	listed := c.Listed(now)
	t.gated, t.public = t.area(listed, false), t.area(listed, true)
	for _, s := range t.gated.series {
		d := s.versions[0]
		for _, r := range d.Regions {
			for _, in := range d.Industries {
				t.pairs[r+"--"+in] = true
			}
		}
		t.years[yearTerm(d)] = true
	}
	return t
}

// area picks an area's versions of each series and ranks the series the
// way STP orders its lists.
func (t *hugoTwin) area(listed []*catalog.Series, public bool) *twinArea {
	a := &twinArea{prefix: urls.Area(public)}
	for _, s := range listed {
		var versions []*catalog.Document
		for _, d := range s.Versions() {
			if !public || d.Public {
				versions = append(versions, d)
			}
		}
		if len(versions) == 0 {
			continue
		}
		a.series = append(a.series, &twinSeries{id: s.ID, versions: versions,
			updated: t.isNew(versions[0]) && len(s.Versions()) > 1})
	}
	byDate := slices.Clone(a.series)
	slices.SortStableFunc(byDate, func(x, y *twinSeries) int {
		dx, dy := x.versions[0], y.versions[0]
		return cmp.Or(dy.Published.Compare(dx.Published), strings.Compare(dx.Title, dy.Title))
	})
	for i, s := range byDate {
		s.dateRank = i + 1 // Hugo sorts a weight of 0 last
	}
	slices.SortStableFunc(byDate, func(x, y *twinSeries) int {
		return cmp.Or(strings.Compare(strings.ToLower(x.versions[0].Title), strings.ToLower(y.versions[0].Title)), strings.Compare(x.id, y.id))
	})
	for i, s := range byDate {
		s.nameRank = i + 1
	}
	return a
}

func (t *hugoTwin) isNew(d *catalog.Document) bool { return !d.Published.Before(t.newSince) }

// yearTerm is the term of a document's library year, e.g.
// compliance-reports-2026.
func yearTerm(d *catalog.Document) string {
	return strings.Trim(urls.Library("", d.Kind), "/") + "-" + strconv.Itoa(d.Published.Year())
}

// branchPages are the _index.md files: home, the term pages (named, and
// placed at STP's addresses), the taxonomies STP lists and those it does
// not (never rendered), and the public area.
func (t *hugoTwin) branchPages() map[string][]byte {
	out := map[string][]byte{
		"public":           tomlFront("title", "Public documents", "outputs", `["html"]`),
		"public/documents": tomlFront("title", "Public documents"),
		"documents":        tomlFront("title", "Documents", "build", "render = \"never\""),
		"pairs":            tomlFront("title", "Pairs", "build", "render = \"never\""),
		"libraries":        tomlFront("title", "Libraries", "build", "render = \"never\""),
		"years":            tomlFront("title", "Years", "build", "render = \"never\""),
	}
	for _, tax := range []struct {
		plural, title string
		terms         []catalog.Term
	}{{"regions", "Regions", t.c.Regions}, {"industries", "Industries", t.c.Industries}, {"services", "Services", t.c.Services}, {"standards", "Standards", t.c.Standards}} {
		out[tax.plural] = tomlFront("title", tax.title)
		for _, term := range tax.terms {
			out[tax.plural+"/"+term.ID] = tomlFront("title", term.Name)
		}
	}
	for _, r := range t.c.Regions {
		for _, in := range t.c.Industries {
			if id := r.ID + "--" + in.ID; t.pairs[id] {
				out["pairs/"+id] = tomlFront("title", in.Name+" in "+r.Name, "url", strconv.Quote("/"+urls.Pair(r.ID, in.ID)),
					"region", strconv.Quote(r.ID), "industry", strconv.Quote(in.ID))
			}
		}
	}
	for _, kind := range []string{catalog.KindReport, catalog.KindDocument} {
		lib := urls.Library("", kind)
		name := urls.KindOf(kind).Plural
		out["libraries/"+strings.Trim(lib, "/")] = tomlFront("title", name, "url", strconv.Quote("/"+lib))
		for y := t.now.Year(); y >= t.now.Year()-10; y-- {
			id := strings.Trim(lib, "/") + "-" + strconv.Itoa(y)
			if t.years[id] {
				out["years/"+id] = tomlFront("title", name+" published in "+strconv.Itoa(y), "url", strconv.Quote("/"+urls.LibraryYear(kind, y)))
			}
		}
	}
	return out
}

// markdownPages are the portal's Markdown pages (content/*.md) where STP
// puts them, with TOML front matter; the home page's text goes to the
// home page, and the settings and search pages are there, empty.
func markdownPages(root string) (map[string][]byte, error) {
	names, err := filepath.Glob(filepath.Join(root, "content", "*.md"))
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{
		urls.Settings + "_index.md":               mdFront("Settings"),
		urls.Help + "_index.md":                   mdFront("Help and contact"),
		urls.SearchDir("") + "_index.md":          mdFront("Search"),
		urls.SearchDir(urls.Public) + "_index.md": mdFront("Search"),
	}
	for _, name := range names {
		src, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		slug := strings.TrimSuffix(filepath.Base(name), ".md")
		pg, problems := content.ParsePage(filepath.Join("content", filepath.Base(name)), slug, src)
		if errs := problems.Errors(); len(errs) > 0 {
			return nil, errs
		}
		rel := urls.Page(urls.Area(pg.Public), slug) + "_index.md"
		if slug == "index" {
			rel = "_index.md"
		}
		out[rel] = append(mdFront(pg.Title), pg.Source...)
	}
	return out, nil
}

// mdFront is the front matter of a Markdown page: one output format.
func mdFront(title string) []byte {
	return tomlFront("title", title, "layout", `"md"`, "outputs", `["html"]`)
}

// tomlFront is TOML front matter of title and key, value pairs (values
// already TOML, except the title), closed; a key "build" opens that table.
func tomlFront(kv ...string) []byte {
	b := []byte("+++\n")
	var build string
	for i := 0; i+1 < len(kv); i += 2 {
		switch {
		case kv[i] == "build":
			build = kv[i+1]
			continue
		case kv[i] == "title":
			b = fmt.Appendf(b, "title = %s\n", strconv.Quote(kv[i+1]))
		default:
			b = fmt.Appendf(b, "%s = %s\n", kv[i], kv[i+1])
		}
	}
	if build != "" {
		b = fmt.Appendf(b, "[build]\n%s\n", build)
	}
	return append(b, "+++\n"...)
}

// documentPage is a series' page in an area: its latest version's fields
// as TOML front matter, its taxonomies (gated area only: the public copy
// of a page is in no list but the public one), its earlier versions, and
// the description as the body.
func (t *hugoTwin) documentPage(a *twinArea, s *twinSeries) []byte {
	d := s.versions[0]
	b := []byte("+++\n")
	b = fmt.Appendf(b, "title = %s\ndate = %s\nweight = %d\n", strconv.Quote(d.Title), d.Published.Format(time.DateOnly), s.dateRank)
	list := func(b []byte, key string, ids []string) []byte {
		b = append(b, key...)
		b = append(b, " = ["...)
		for i, id := range ids {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = strconv.AppendQuote(b, id)
		}
		return append(b, "]\n"...)
	}
	prefix := "" // taxonomies in the gated area; the same keys as parameters in the public one
	if a.prefix != "" {
		prefix = "pub_"
	}
	var pairs []string
	for _, r := range d.Regions {
		for _, in := range d.Industries {
			pairs = append(pairs, r+"--"+in)
		}
	}
	b = list(b, prefix+"services", d.Services)
	b = list(b, prefix+"standards", d.Standards)
	b = list(b, prefix+"regions", d.Regions)
	b = list(b, prefix+"industries", d.Industries)
	if a.prefix == "" {
		b = list(b, "pairs", pairs)
		b = list(b, "libraries", []string{strings.Trim(urls.Library("", d.Kind), "/")})
		b = list(b, "years", []string{yearTerm(d)})
	}
	b = append(b, "[params]\n"...)
	b = fmt.Appendf(b, "namerank = %d\nsummary = %s\nversion = %s\nkind = %q\n", s.nameRank, strconv.Quote(d.Summary), strconv.Quote(d.Version), d.Kind)
	for _, f := range []struct {
		key string
		on  bool
	}{{"new", t.isNew(d)}, {"updated", s.updated}, {"allservices", d.AllServices}, {"allregions", d.AllRegions}, {"allindustries", d.AllIndustries}} {
		if f.on {
			b = fmt.Appendf(b, "%s = true\n", f.key)
		}
	}
	if p := d.AuditPeriod; p != nil {
		b = fmt.Appendf(b, "auditfrom = %q\nauditto = %q\n", p.From.Format(time.DateOnly), p.To.Format(time.DateOnly))
	}
	for _, v := range s.versions {
		b = append(b, "[[params.versions]]\n"...)
		b = fmt.Appendf(b, "version = %s\npublished = %q\nfile = %q\ntype = %q\nsize = %d\n", strconv.Quote(v.Version), v.Published.Format(time.DateOnly),
			"/"+fileURL(s.id, v), fileType(v.File), fileSize(t, v))
	}
	b = append(b, "+++\n"...)
	return append(b, d.Description...)
}

// fileURL is where STP publishes a version's file: once, in the public
// area when the version is public.
func fileURL(series string, d *catalog.Document) string {
	return urls.DocumentFile(urls.Area(d.Public), series, path.Base(d.File))
}

// fileType is the Content-Type STP serves a file with, for the kinds of
// file a synthetic portal has.
func fileType(name string) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// fileSize is a version's file's size, which Hugo (having no way to ask
// in a template cheaply) gets in front matter, as a Hugo site would.
func fileSize(t *hugoTwin, d *catalog.Document) int64 {
	st, err := os.Stat(filepath.Join(t.root, "content", filepath.FromSlash(d.File)))
	if err != nil {
		return 0
	}
	return st.Size()
}

// termData is data/terms.toml: each taxonomy's names by id, for the rows,
// which show names and are the same in both areas.
func (t *hugoTwin) termData() string {
	var b strings.Builder
	for _, tax := range []struct {
		key   string
		terms []catalog.Term
	}{{"services", t.c.Services}, {"standards", t.c.Standards}} {
		fmt.Fprintf(&b, "[%s]\n", tax.key)
		for _, term := range tax.terms {
			fmt.Fprintf(&b, "%s = %s\n", strconv.Quote(term.ID), strconv.Quote(term.Name))
		}
	}
	return b.String()
}

// linkOrCopy puts src at dst, a hard link where the file system allows.
func linkOrCopy(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if os.Link(src, dst) == nil {
		return nil
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o644)
}

// hugoExpertConfig is hugo.toml.
func hugoExpertConfig(c *catalog.Catalog) string {
	return fmt.Sprintf(`baseURL = %q
title = %q
locale = "en"
disableKinds = ["rss", "sitemap", "robotstxt"]
capitalizeListTitles = false
pluralizeListTitles = false
[params]
newdays = %d
[pagination]
  pagerSize = %d
[taxonomies]
  region = "regions"
  industry = "industries"
  service = "services"
  standard = "standards"
  pair = "pairs"
  library = "libraries"
  year = "years"
[outputFormats.byname]
  mediaType = "text/html"
  path = "by-name"
  isHTML = true
  notAlternative = true
  permalinkable = false
[outputs]
  home = ["html"]
  page = ["html"]
  section = ["html", "byname"]
  taxonomy = ["html"]
  term = ["html", "byname"]
`, c.Site.BaseURL, c.Site.Title, c.Site.NewDays, c.Site.PageSize)
}
