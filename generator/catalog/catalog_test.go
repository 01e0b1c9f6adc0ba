package catalog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stp-portal/stp/generator/diag"
)

// base is a small valid catalog; the tests below break it one way at a
// time. Line numbers in expectations count from its first line.
const base = `site:
  title: Test Portal
  base_url: https://trust.example.com/
regions:
  - {id: europe, name: Europe}
  - {id: japan, name: Japan}
industries:
  - {id: health, name: Healthcare}
  - {id: finance, name: Finance}
services:
  - {id: cloud, name: Cloud}
standards:
  - {id: iso-27001, name: ISO/IEC 27001, group: ISO}
documents:
  - id: soc-2024
    kind: compliance-report
    title: SOC 2 Report
    summary: The SOC 2 report.
    series: soc
    version: "2024"
    services: [cloud]
    standards: [iso-27001]
    regions: all
    industries: [health]
    published: 2024-03-01
    audit_period: {from: 2023-01-01, to: 2023-12-31}
    file: files/soc-2024.pdf
`

func TestParseValid(t *testing.T) {
	c, problems := Parse("catalog.yaml", []byte(base))
	if c == nil || len(problems) != 0 {
		t.Fatalf("Parse: %v", problems)
	}
	d := c.Documents[0]
	if got := strings.Join(d.Regions, ","); got != "europe,japan" {
		t.Errorf("regions: all expanded to %q, want europe,japan", got)
	}
	if !d.AllRegions || d.AllIndustries {
		t.Errorf("AllRegions=%v AllIndustries=%v, want true false", d.AllRegions, d.AllIndustries)
	}
	if d.At("published") != (diag.Pos{File: "catalog.yaml", Line: 25, Col: 16}) {
		t.Errorf("published at %v, want catalog.yaml:25:16", d.At("published"))
	}
	if c.Site.PageSize != 25 || c.Site.Search != "" {
		t.Errorf("defaults: page_size %d search %q", c.Site.PageSize, c.Site.Search)
	}
}

// TestParseErrors breaks the base catalog and expects every problem, each
// at its file:line:col, with the fix named.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(string) string
		want []string
	}{
		{
			"unknown field with suggestion",
			replace("    series: soc\n", "    serie: soc\n"),
			[]string{`catalog.yaml:19:5: unknown field "serie" in a document (did you mean "series"?) (known: id, kind, title, summary, series, version, services, standards, regions, industries, published, audit_period, expires, file, description, public)`},
		},
		{
			"unknown region with suggestion",
			replace("    regions: all\n", "    regions: [europa, japan]\n"),
			[]string{`catalog.yaml:23:15: unknown region "europa" (did you mean "europe"?); add it to the catalog's regions or use a known id (known: europe, japan)`},
		},
		{
			"bad date",
			replace("published: 2024-03-01", "published: 2024-13-01"),
			[]string{`catalog.yaml:25:16: published must be a date written YYYY-MM-DD (e.g. 2025-03-14), not "2024-13-01"`},
		},
		{
			"file leaves content",
			replace("file: files/soc-2024.pdf", "file: ../../etc/passwd"),
			[]string{`catalog.yaml:27:11: file "../../etc/passwd" leaves content/ or is not clean; write a plain path under content/ such as files/report.pdf`},
		},
		{
			"absolute file",
			replace("file: files/soc-2024.pdf", "file: /etc/passwd"),
			[]string{`catalog.yaml:27:11: file "/etc/passwd" must be relative to content/, e.g. files/report.pdf`},
		},
		{
			"duplicate id and two current versions",
			func(s string) string { return s + strings.Join(strings.Split(s, "documents:\n")[1:], "") },
			[]string{
				`catalog.yaml:28:9: document id "soc-2024" is used twice (first at line 15); give each version its own id`,
				`catalog.yaml:33:14: series "soc" has version "2024" twice ("soc-2024" and "soc-2024" at line 15); give each version its own number`,
			},
		},
		{
			"two current versions",
			func(s string) string {
				doc := strings.Split(s, "documents:\n")[1]
				doc = strings.Replace(doc, "soc-2024", "soc-2024b", 1)
				doc = strings.Replace(doc, `version: "2024"`, `version: "2024b"`, 1)
				return s + doc
			},
			[]string{`catalog.yaml:38:16: series "soc" would have two current versions: "soc-2024b" and "soc-2024" (line 15) are both published 2024-03-01; give the newer one a later date`},
		},
		{
			"report without audit period, missing fields",
			replace("    audit_period: {from: 2023-01-01, to: 2023-12-31}\n    file: files/soc-2024.pdf\n", ""),
			[]string{
				`catalog.yaml:15:5: document "soc-2024" has no file: (the file to publish, under content/)`,
			},
		},
		{
			"two files of one name in a series",
			func(s string) string {
				doc := strings.Split(s, "documents:\n")[1]
				doc = strings.Replace(doc, "soc-2024", "soc-2025", 1)
				doc = strings.Replace(doc, `version: "2024"`, `version: "2025"`, 1)
				doc = strings.Replace(doc, "2024-03-01", "2025-03-01", 1)
				doc = strings.Replace(doc, "files/soc-2024.pdf", "files/2025/soc-2024.pdf", 1)
				return s + doc
			},
			[]string{`catalog.yaml:40:11: series "soc" would publish two files named "soc-2024.pdf" ("soc-2025" and "soc-2024" at line 15); a series' downloads share one folder and keep their names, so rename one`},
		},
		{
			"series named like the public list's folders",
			func(s string) string {
				s = strings.Replace(s, "    series: soc\n", "    series: page\n", 1)
				doc := strings.Split(s, "documents:\n")[1]
				doc = strings.Replace(doc, "soc-2024", "by-name", 1)
				doc = strings.Replace(doc, "    series: page\n", "", 1)
				return s + doc
			},
			[]string{
				`catalog.yaml:19:13: series "page" is reserved: documents/page/ holds pages of the public documents list; give the series another name`,
				`catalog.yaml:28:9: series "by-name" is reserved: documents/by-name/ holds pages of the public documents list; give the series another name`,
			},
		},
		{
			"a file called index.html",
			replace("file: files/soc-2024.pdf", "file: files/index.html"),
			[]string{`catalog.yaml:27:11: a published file cannot be called index.html: that name belongs to the document's page; rename it`},
		},
		{
			"trust document with audit period",
			replace("kind: compliance-report", "kind: trust-document"),
			[]string{`catalog.yaml:26:19: audit_period is for compliance reports; remove it from trust document "soc-2024" or set kind: compliance-report`},
		},
		{
			"expiry inside retention",
			replace("    file:", "    expires: 2024-12-01\n    file:"),
			[]string{`catalog.yaml:27:14: expires 2024-12-01 is earlier than the 12 months a document must stay downloadable; set it to 2025-03-01 or later, or remove it`},
		},
		{
			"all inside a list",
			replace("industries: [health]", "industries: [health, all]"),
			[]string{`catalog.yaml:24:26: write industries: all instead of listing all among other ids`},
		},
		{
			"bad term id and duplicate",
			replace("  - {id: japan, name: Japan}", "  - {id: Japan, name: Japan}\n  - {id: europe, name: Europe again}"),
			[]string{
				`catalog.yaml:6:10: id "Japan" must be lowercase letters, digits and single hyphens, e.g. "japan"`,
				`catalog.yaml:7:10: regions id "europe" is used twice (first at line 5); ids must be unique`,
			},
		},
		{
			"alias bomb",
			func(s string) string {
				return strings.Replace(s, "site:\n", "x: &a [1, 2]\ny: &b [*a, *a]\nsite:\n", 1)
			},
			[]string{
				`catalog.yaml:1:1: unknown field "x" in the catalog (known: site, regions, industries, services, standards, documents)`,
				`catalog.yaml:2:1: unknown field "y" in the catalog (known: site, regions, industries, services, standards, documents)`,
				`catalog.yaml:2:8: aliases (*a) are not allowed in a catalog (and 1 more alias); write each value out in full where it is used`,
			},
		},
		{
			"syntax error",
			replace("    title: SOC 2 Report\n", "    title: [SOC 2 Report\n"),
			[]string{`catalog.yaml:17:12: the [ opened here is never closed; end the list with ], as in title: [SOC 2 Report]`},
		},
		{
			"javascript contact url and bad accent",
			replace("  base_url: https://trust.example.com/\n", "  base_url: https://trust.example.com/\n  accent: red;}body{x\n  contact:\n    url: javascript:alert(1)\n"),
			[]string{
				`catalog.yaml:4:11: site.accent must be a hex colour such as "#0b5cad", not "red;}body{x"`,
				`catalog.yaml:6:10: contact.url must be an http or https address, not "javascript:alert(1)"`,
			},
		},
		{
			"empty",
			func(string) string { return "" },
			[]string{`catalog.yaml:1:1: catalog is empty; it needs site:, the taxonomies and documents:`},
		},
		{
			"not a mapping",
			func(string) string { return "- a\n- b\n" },
			[]string{`catalog.yaml:1:1: the catalog must be a mapping of keys to values, not a list`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, problems := Parse("catalog.yaml", []byte(tt.edit(base)))
			if c != nil {
				t.Errorf("Parse returned a catalog despite errors")
			}
			var got []string
			for _, p := range problems {
				got = append(got, p.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func replace(old, new string) func(string) string {
	return func(s string) string {
		if !strings.Contains(s, old) {
			panic("test edit: " + old + " not in base")
		}
		return strings.Replace(s, old, new, 1)
	}
}

func TestLoadChecksFiles(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "catalog.yaml"), []byte(base), 0o644))
	must(t, os.MkdirAll(filepath.Join(dir, "content", "files"), 0o755))
	_, problems := Load(dir)
	want := `catalog.yaml:27:11: file content/files/soc-2024.pdf does not exist; add it or fix the path`
	if len(problems) != 1 || problems[0].Error() != want {
		t.Fatalf("problems %v, want %s", problems, want)
	}
	// A symlink that leads out of content/ is refused too.
	outside := filepath.Join(dir, "secret.pdf")
	must(t, os.WriteFile(outside, []byte("%PDF"), 0o644))
	must(t, os.Symlink(outside, filepath.Join(dir, "content", "files", "soc-2024.pdf")))
	_, problems = Load(dir)
	if len(problems) != 1 || !strings.Contains(problems[0].Error(), "content/files/soc-2024.pdf is a symbolic link to a file outside content/") {
		t.Fatalf("symlink out of content/: problems %v", problems)
	}
	// So is an empty file: readers would download nothing.
	must(t, os.Remove(filepath.Join(dir, "content", "files", "soc-2024.pdf")))
	must(t, os.WriteFile(filepath.Join(dir, "content", "files", "soc-2024.pdf"), nil, 0o644))
	_, problems = Load(dir)
	if want := "catalog.yaml:27:11: content/files/soc-2024.pdf is empty (0 bytes): readers would download nothing; put the real file there"; len(problems) != 1 || problems[0].Error() != want {
		t.Fatalf("empty file: problems %v, want %s", problems, want)
	}
	must(t, os.WriteFile(filepath.Join(dir, "content", "files", "soc-2024.pdf"), []byte("%PDF"), 0o644))
	if c, problems := Load(dir); c == nil || len(problems) > 0 {
		t.Fatalf("Load: %v", problems)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestRetention checks the rule: a superseded version stays listed for
// twelve months after its own publish date; the newest published version
// is current; scheduled and expired versions are not listed.
func TestRetention(t *testing.T) {
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	exp := day("2027-06-01")
	c := &Catalog{Documents: []*Document{
		{ID: "a-2024", Series: "a", Published: day("2024-03-01")},
		{ID: "a-2025", Series: "a", Published: day("2025-02-01")},
		{ID: "a-2026", Series: "a", Published: day("2026-01-15")},
		{ID: "b-2026", Series: "b", Published: day("2026-05-01"), Expires: &exp},
	}}
	tests := []struct {
		now  string
		want string // series: current | earlier…
	}{
		{"2024-02-28", ""},
		{"2024-03-01", "a: a-2024 |"},
		{"2025-02-01", "a: a-2025 | a-2024"},
		{"2025-02-28", "a: a-2025 | a-2024"},
		{"2025-03-01", "a: a-2025 |"}, // a-2024 is twelve months old and superseded
		{"2026-01-15", "a: a-2026 | a-2025"},
		{"2026-01-31", "a: a-2026 | a-2025"},
		{"2026-02-01", "a: a-2026 |"},
		{"2026-05-01", "a: a-2026 | ; b: b-2026 |"},
		{"2027-06-01", "a: a-2026 | ; b: b-2026 |"},
		{"2027-06-02", "a: a-2026 |"}, // b expired
	}
	for _, tt := range tests {
		var parts []string
		for _, s := range c.Listed(day(tt.now)) {
			p := s.ID + ": "
			if s.Current != nil {
				p += s.Current.ID
			}
			p += " |"
			for _, e := range s.Earlier {
				p += " " + e.ID
			}
			parts = append(parts, p)
		}
		if got := strings.Join(parts, " ; "); got != tt.want {
			t.Errorf("Listed(%s) = %q, want %q", tt.now, got, tt.want)
		}
	}
}

// FuzzParse feeds arbitrary bytes to the parser: it may report problems,
// never panic, and never return both a catalog and an error; and the
// parallel parse of large catalogs never disagrees with the whole-file one.
func FuzzParse(f *testing.F) {
	f.Add([]byte(base))
	f.Add([]byte("site: {title: x, base_url: 'https://a/'}\nregions: []\nindustries: []\nservices: []\nstandards: []\ndocuments: []\n"))
	f.Add([]byte("a: &a [*a]"))
	f.Add([]byte("documents:\n  - {id: x, regions: all, audit_period: {from: 2020-01-01}}\n"))
	if sample, err := os.ReadFile("../../catalog.yaml"); err == nil {
		f.Add(sample)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, problems := Parse("catalog.yaml", data)
		if c != nil && len(problems.Errors()) > 0 {
			t.Fatalf("catalog returned with errors: %v", problems)
		}
		if c == nil && len(problems.Errors()) == 0 {
			t.Fatalf("no catalog and no error")
		}
		for _, p := range problems {
			if p.Pos.File != "catalog.yaml" || p.Pos.Line < 1 {
				t.Fatalf("problem without a position: %v", p)
			}
		}
		checkSplit(t, data) // the parallel parse, when it takes the text, agrees
	})
}

// TestFieldPositions: every field a document may have keeps the line and
// column of its value, through a reparse that moves the document down; a
// field not written, or not kept, gives the document's own position.
func TestFieldPositions(t *testing.T) {
	src := base + `    expires: 2026-01-01
    description: Long text.
    public: false
`
	c, problems := Parse("catalog.yaml", []byte(src))
	if c == nil || len(problems) != 0 {
		t.Fatalf("Parse: %v", problems)
	}
	lines := strings.Split(src, "\n")
	check := func(d *Document, shift int) {
		t.Helper()
		for _, f := range positioned {
			key, sub := f, ""
			if i := strings.IndexByte(f, '.'); i >= 0 {
				key, sub = f[:i], f[i+1:]
			}
			line := -1
			for i, l := range lines {
				if len(l) > 4 && strings.HasPrefix(l[4:], key+":") {
					line = i + 1
				}
			}
			if line < 0 {
				t.Fatalf("the test catalog has no %s", key)
			}
			col := strings.Index(lines[line-1], ":") + 3
			if sub != "" {
				col = strings.Index(lines[line-1], sub+":") + len(sub) + 3
			}
			if want := (diag.Pos{File: "catalog.yaml", Line: line + shift, Col: col}); d.At(f) != want {
				t.Errorf("%s at %v, want %v", f, d.At(f), want)
			}
		}
		if d.At("nonesuch") != d.Pos {
			t.Errorf("an unknown field at %v, not the document's %v", d.At("nonesuch"), d.Pos)
		}
	}
	check(c.Documents[0], 0)
	check(c.Documents[0].movedBy(3), 3)

	short, _ := Parse("catalog.yaml", []byte(base))
	if d := short.Documents[0]; d.At("expires") != d.Pos {
		t.Errorf("expires, not written, at %v, want the document's %v", d.At("expires"), d.Pos)
	}
}
