package synth_test

import (
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stp-portal/stp/generator/catalog"
	"github.com/stp-portal/stp/generator/site"
	"github.com/stp-portal/stp/generator/synth"
)

// TestWriteHugo checks that the Hugo project holds what STP would list from
// the same options, read back through STP's own parser and retention rule:
// the versions, their fields and expanded taxonomies, and their files.
func TestWriteHugo(t *testing.T) {
	o := synth.Options{Documents: 600, Regions: 8, Industries: 12, Seed: 3}
	c, problems := catalog.Load(write(t, o))
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	hugo := t.TempDir()
	if err := synth.WriteHugo(hugo, o); err != nil {
		t.Fatal(err)
	}

	want := map[string]*catalog.Document{}
	for _, s := range c.Listed(synth.Today()) {
		for _, d := range s.Versions() {
			want[d.ID] = d
		}
	}
	if len(want) == 0 || len(want) == len(c.Documents) {
		t.Fatalf("%d of %d documents listed: the portal does not exercise retention", len(want), len(c.Documents))
	}
	entries, err := os.ReadDir(filepath.Join(hugo, "content", "documents"))
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".md")
		if !ok || id == "_index" {
			continue
		}
		got++
		d := want[id]
		if d == nil {
			t.Errorf("%s: in the Hugo project, but STP does not list it", id)
			continue
		}
		page, err := os.ReadFile(filepath.Join(hugo, "content", "documents", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		front, body, ok := strings.Cut(strings.TrimPrefix(string(page), "---\n"), "---\n")
		if !ok {
			t.Fatalf("%s: no front matter:\n%s", id, page)
		}
		file, err := os.ReadFile(filepath.Join(hugo, "static", "files", id+".pdf"))
		if err != nil {
			t.Error(err)
		}
		var pairs []string
		for _, r := range d.Regions {
			for _, in := range d.Industries {
				pairs = append(pairs, r+"--"+in)
			}
		}
		lines := strings.Split(front, "\n")
		for _, line := range []string{
			"title: " + strconv.Quote(d.Title),
			"date: " + strconv.Quote(d.Published.Format("2006-01-02")),
			"summary: " + strconv.Quote(d.Summary),
			"version: " + strconv.Quote(d.Version),
			"size: " + strconv.Quote(strconv.Itoa(len(file))),
			"services: [" + strings.Join(d.Services, ", ") + "]",
			"standards-by-name: [" + strings.Join(d.Standards, ", ") + "]",
			"regions: [" + strings.Join(d.Regions, ", ") + "]",
			"industries: [" + strings.Join(d.Industries, ", ") + "]",
			"pairs: [" + strings.Join(pairs, ", ") + "]",
		} {
			if !slices.Contains(lines, line) {
				t.Errorf("%s: front matter lacks %q:\n%s", id, line, front)
			}
		}
		if strings.TrimSpace(body) != strings.TrimSpace(d.Description) {
			t.Errorf("%s: body %q, want the description %q", id, body, d.Description)
		}
	}
	if got != len(want) {
		t.Errorf("the Hugo project has %d documents, STP lists %d", got, len(want))
	}

	// Every term of every taxonomy has a named page, in both orders.
	config, err := os.ReadFile(filepath.Join(hugo, "hugo.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for tax, terms := range map[string][]catalog.Term{"regions": c.Regions, "industries": c.Industries, "services": c.Services, "standards": c.Standards} {
		for _, plural := range []string{tax, tax + "-by-name"} {
			if !strings.Contains(string(config), `= "`+plural+`"`) {
				t.Errorf("hugo.toml lacks the taxonomy %s", plural)
			}
			for _, term := range terms {
				page, err := os.ReadFile(filepath.Join(hugo, "content", plural, term.ID, "_index.md"))
				if err != nil || !strings.Contains(string(page), "title: "+strconv.Quote(term.Name)) {
					t.Errorf("%s/%s: %q, %v; want its name %q", plural, term.ID, page, err, term.Name)
				}
			}
		}
	}
}

// TestListRows reads list pages as STP and as the Hugo twin write them,
// and leaves other pages out.
func TestListRows(t *testing.T) {
	row := func(id string) string {
		return `<tr data-regions="*" data-industries="*">` + "\n<th scope=\"row\"><a href=\"/documents/" + id + "/\">" + id + "</a></th>\n</tr>"
	}
	page := func(rows ...string) string {
		return `<h1>L</h1><p class="total" data-total>2 documents</p><table class="docs"><tbody>` + "\n" + strings.Join(rows, "\n\n") + "\n</tbody></table>"
	}
	stp := map[string]string{
		"regions/europe/index.html":               page(row("a"), row("b")),
		"regions/europe/page/2.html":              page(row("c")),
		"regions/europe/by-name/index.html":       page(row("b"), row("a")),
		"regions/europe/by-name/page/2.html":      page(row("c")),
		"compliance-reports/2026/index.html":      page(),
		"documents/a/index.html":                  "<h1>A</h1><table><tbody><tr><td>not a list</td></tr></tbody></table>",
		"regions/europe/page/index.html":          `<meta http-equiv="refresh" content="0; url=/regions/europe/">`,
		"regions/europe/industries/it/index.html": page(row("a")),
	}
	hugo := map[string]string{
		"regions/europe/index.html":                page(row("a"), row("b")),
		"regions/europe/page/2/index.html":         page(row("c")),
		"by-name/regions/europe/index.html":        page(row("b"), row("a")),
		"by-name/regions/europe/page/2/index.html": page(row("c")),
		"compliance-reports/2026/index.html":       page(),
		"documents/a/index.html":                   "<h1>A</h1>",
		"regions/europe/page/1/index.html":         `<meta http-equiv="refresh" content="0; url=/regions/europe/">`,
		"regions/europe/industries/it/index.html":  page(row("a")),
	}
	read := func(files map[string]string) map[synth.ListPage][]string {
		dir := t.TempDir()
		for name, text := range files {
			if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		lists, err := synth.ListRows(dir)
		if err != nil {
			t.Fatal(err)
		}
		return lists
	}
	want := map[synth.ListPage][]string{
		{"regions/europe/", "date", 1}:               {row("a"), row("b")},
		{"regions/europe/", "date", 2}:               {row("c")},
		{"regions/europe/", "name", 1}:               {row("b"), row("a")},
		{"regions/europe/", "name", 2}:               {row("c")},
		{"compliance-reports/2026/", "date", 1}:      nil,
		{"regions/europe/industries/it/", "date", 1}: {row("a")},
	}
	s, h := read(stp), read(hugo)
	for name, got := range map[string]map[synth.ListPage][]string{"STP's": s, "Hugo's": h} {
		if !maps.EqualFunc(got, want, slices.Equal) {
			t.Errorf("%s list pages:\n%q\nwant\n%q", name, got, want)
		}
	}
	if diffs := synth.CompareListRows(s, h, "stp", "hugo", 10); len(diffs) > 0 {
		t.Errorf("the same rows compare as different: %q", diffs)
	}
}

// TestCompareListRows finds every kind of difference between two sites'
// lists: a page only one has, a row that differs, rows in another order,
// a row too many.
func TestCompareListRows(t *testing.T) {
	p := func(list string, n int) synth.ListPage { return synth.ListPage{List: list, Order: "date", Page: n} }
	base := func() map[synth.ListPage][]string {
		return map[synth.ListPage][]string{p("a/", 1): {"<tr>1</tr>", "<tr>2</tr>"}, p("a/", 2): {"<tr>3</tr>"}, p("b/", 1): nil}
	}
	for _, c := range []struct {
		name   string
		change func(m map[synth.ListPage][]string)
		want   []string
	}{
		{"same", func(map[synth.ListPage][]string) {}, nil},
		{"missing page", func(m map[synth.ListPage][]string) { delete(m, p("a/", 2)) }, []string{"a/ (date order, page 2): only in stp (1 rows)"}},
		{"extra page", func(m map[synth.ListPage][]string) { m[p("a/", 3)] = []string{"<tr>4</tr>"} }, []string{"a/ (date order, page 3): only in hugo (1 rows)"}},
		{"row differs", func(m map[synth.ListPage][]string) { m[p("a/", 1)] = []string{"<tr>1</tr>", "<tr>2 </tr>"} },
			[]string{"a/ (date order, page 1): 2 rows in stp, 2 in hugo; row 2 differs:\nstp: <tr>2</tr>\nhugo: <tr>2 </tr>"}},
		{"order", func(m map[synth.ListPage][]string) { m[p("a/", 1)] = []string{"<tr>2</tr>", "<tr>1</tr>"} },
			[]string{"a/ (date order, page 1): 2 rows in stp, 2 in hugo; row 1 differs:\nstp: <tr>1</tr>\nhugo: <tr>2</tr>"}},
		{"row too many", func(m map[synth.ListPage][]string) { m[p("b/", 1)] = []string{"<tr>9</tr>"} },
			[]string{"b/ (date order, page 1): 0 rows in stp, 1 in hugo; row 1 differs:\nstp: (none)\nhugo: <tr>9</tr>"}},
		{"more than the most", func(m map[synth.ListPage][]string) { clear(m) },
			[]string{"a/ (date order, page 1): only in stp (2 rows)", "a/ (date order, page 2): only in stp (1 rows)", "… and 1 more differences"}},
	} {
		got := base()
		c.change(got)
		if diffs := synth.CompareListRows(base(), got, "stp", "hugo", 2); !slices.Equal(diffs, c.want) {
			t.Errorf("%s: %q\nwant %q", c.name, diffs, c.want)
		}
	}
}

// TestHugoExpertRows builds a small portal with STP and its expert Hugo
// twin with the Hugo binary STP_HUGO names, and compares every list
// page's rows: the same pages, documents, order and bytes.
func TestHugoExpertRows(t *testing.T) {
	hugo := os.Getenv("STP_HUGO")
	if hugo == "" {
		t.Skip("STP_HUGO is not set: set it to a Hugo binary (see generator/cmd/stpbench/README.md) to compare the twin's rows with STP's")
	}
	o := synth.Options{Documents: 600, Regions: 8, Industries: 12, Seed: 3}
	root := write(t, o)
	if err := synth.CopyLayouts(root, filepath.Join("..", "..", "layouts")); err != nil {
		t.Fatal(err)
	}
	stpOut := filepath.Join(t.TempDir(), "public")
	if _, err := site.Build(site.Options{Root: root, Out: stpOut, Now: synth.Today()}); err != nil {
		t.Fatal(err)
	}
	twin, hugoOut := t.TempDir(), t.TempDir()
	if err := synth.WriteHugoExpert(twin, root, synth.Today()); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(hugo, "--source", twin, "--destination", hugoOut, "--quiet").CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", hugo, err, out)
	}
	want, err := synth.ListRows(stpOut)
	if err != nil {
		t.Fatal(err)
	}
	got, err := synth.ListRows(hugoOut)
	if err != nil {
		t.Fatal(err)
	}
	later, byName := 0, 0
	for p, rows := range want {
		if p.Page > 1 && len(rows) > 0 {
			later++
		}
		if p.Order == "name" {
			byName++
		}
	}
	if len(want) < 100 || later == 0 || byName == 0 {
		t.Fatalf("STP wrote %d list pages (%d later pages, %d by name): the portal is too small to compare", len(want), later, byName)
	}
	for _, d := range synth.CompareListRows(want, got, "stp", "hugo", 10) {
		t.Error(d)
	}
}
