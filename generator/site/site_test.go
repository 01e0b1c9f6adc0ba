package site

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stp-portal/stp/generator/diag"
	"github.com/stp-portal/stp/generator/internal/sitetest"
	"github.com/stp-portal/stp/generator/search"
)

var update = flag.Bool("update", false, "rewrite golden files")

// repoRoot is the repository, whose layouts/ every test site uses unless it
// brings its own.
const repoRoot = "../.."

// writeSite writes a txtar archive as a new site folder, with the
// repository's layouts/ unless the archive brings its own.
func writeSite(t testing.TB, archive string) string {
	t.Helper()
	dir := t.TempDir()
	sitetest.Write(t, dir, archive)
	return dir
}

func writeFile(t testing.TB, path string, data []byte) { sitetest.WriteFile(t, path, data) }

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// buildSite builds dir as of now into dir/public and fails the test on
// error.
func buildSite(t testing.TB, dir, now string, edit ...func(*Options)) string {
	t.Helper()
	o := Options{Root: dir, Out: filepath.Join(dir, "public"), Now: day(now)}
	for _, e := range edit {
		e(&o)
	}
	if _, err := Build(o); err != nil {
		t.Fatalf("build: %v", err)
	}
	return o.Out
}

func read(t testing.TB, out, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return string(b)
}

func exists(out, rel string) bool {
	_, err := os.Stat(filepath.Join(out, filepath.FromSlash(rel)))
	return err == nil
}

// small is a site with two regions, two industries and a few documents,
// for most tests below.
const small = `
-- catalog.yaml --
site:
  title: Test Portal
  organization: Testco
  base_url: https://trust.example.com/
  page_size: 5
  contact: {name: Trust team, email: trust@example.com}
regions:
  - {id: europe, name: Europe}
  - {id: japan, name: Japan}
industries:
  - {id: health, name: Healthcare}
  - {id: finance, name: Finance}
services:
  - {id: cloud, name: Cloud}
  - {id: mail, name: Mail}
standards:
  - {id: iso-27001, name: ISO/IEC 27001, group: ISO}
  - {id: soc-2, name: SOC 2, group: SOC}
documents:
  - id: soc-2024
    kind: compliance-report
    title: SOC 2 Report
    summary: The SOC 2 report for Cloud.
    series: soc
    version: "2024"
    services: [cloud]
    standards: [soc-2]
    regions: all
    industries: all
    published: 2024-03-01
    audit_period: {from: 2023-01-01, to: 2023-12-31}
    file: files/soc-2024.pdf
  - id: soc-2025
    kind: compliance-report
    title: SOC 2 Report
    summary: The SOC 2 report for Cloud.
    series: soc
    version: "2025"
    services: [cloud]
    standards: [soc-2]
    regions: all
    industries: all
    published: 2025-02-01
    audit_period: {from: 2024-01-01, to: 2024-12-31}
    file: files/soc-2025.pdf
    description: |
      # Scope
      Covers **Cloud**.
  - id: jp-health
    kind: trust-document
    title: Japan Health Guide
    summary: Health data in Japan.
    version: "1"
    services: [mail]
    standards: []
    regions: [japan]
    industries: [health]
    published: 2025-01-10
    file: files/jp.pdf
  - id: open-overview
    kind: trust-document
    title: Open Security Overview
    summary: Everyone may read this.
    version: "1"
    services: all
    standards: [iso-27001]
    regions: [europe]
    industries: [finance]
    published: 2025-01-20
    file: files/open.pdf
    public: true
-- content/files/soc-2024.pdf --
%PDF-1.4 soc 2024
-- content/files/soc-2025.pdf --
%PDF-1.4 soc 2025
-- content/files/jp.pdf --
%PDF-1.4 jp
-- content/files/open.pdf --
%PDF-1.4 open
-- content/index.md --
---
title: Home
---
Welcome to the **test** portal.
-- content/faq.md --
---
title: FAQ
public: true
menu: 10
---
## Questions
-- content/internal.md --
---
title: Internal notes
menu: 20
---
For signed-in readers.
`

func TestTaxonomyPages(t *testing.T) {
	out := buildSite(t, writeSite(t, small), "2025-02-10")
	// "all" puts the SOC report on every region and industry page.
	for _, p := range []string{"regions/europe/", "regions/japan/", "industries/health/", "industries/finance/"} {
		if !strings.Contains(read(t, out, p+"index.html"), "SOC 2 Report") {
			t.Errorf("%s does not list the SOC report that applies to all", p)
		}
	}
	// Pairs exist only where a document applies.
	for pair, want := range map[string]bool{
		"regions/japan/industries/health/":   true,
		"regions/europe/industries/finance/": true,
		"regions/japan/industries/finance/":  true, // the SOC report
	} {
		if exists(out, pair+"index.html") != want {
			t.Errorf("%s exists = %v, want %v", pair, !want, want)
		}
	}
	jh := read(t, out, "regions/japan/industries/health/index.html")
	if !strings.Contains(jh, "Japan Health Guide") || strings.Contains(jh, "Open Security Overview") {
		t.Errorf("japan×health lists the wrong documents")
	}
	if !strings.Contains(read(t, out, "standards/soc-2/index.html"), "SOC 2 Report") {
		t.Errorf("standard page misses its document")
	}
	if !strings.Contains(read(t, out, "services/mail/index.html"), "Open Security Overview") {
		t.Errorf("services: all did not reach the mail service page")
	}
	if strings.Contains(read(t, out, "compliance-reports/index.html"), "Japan Health Guide") {
		t.Errorf("the compliance reports library lists a trust document")
	}
}

func TestSeriesAndRetention(t *testing.T) {
	dir := writeSite(t, small)
	// Inside the 2024 version's retention: both versions listed.
	out := buildSite(t, dir, "2025-02-10")
	page := read(t, out, "documents/soc/index.html")
	for _, want := range []string{`id="soc-2025"`, `id="soc-2024"`, "documents/soc/soc-2024.pdf", "<h2 id=\"scope\">Scope</h2>", "Current"} {
		if !strings.Contains(page, want) {
			t.Errorf("series page lacks %q", want)
		}
	}
	// The 2024 version drops out twelve months after it was published.
	out = buildSite(t, dir, "2025-03-01")
	page = read(t, out, "documents/soc/index.html")
	if strings.Contains(page, `id="soc-2024"`) || exists(out, "documents/soc/soc-2024.pdf") {
		t.Errorf("the superseded 2024 version is still published after its retention")
	}
	// Before the 2025 version is published, 2024 is current and 2025 is
	// nowhere.
	out = buildSite(t, dir, "2025-01-31")
	page = read(t, out, "documents/soc/index.html")
	if strings.Contains(page, "soc-2025") || !strings.Contains(page, `id="soc-2024"`) {
		t.Errorf("a scheduled version leaked or the current one is missing")
	}
}

func TestDownloadsHaveSizeAndChecksum(t *testing.T) {
	out := buildSite(t, writeSite(t, small), "2025-02-10")
	data := read(t, out, "documents/soc/soc-2025.pdf")
	sum := fmt.Sprintf("%x", sha256.Sum256([]byte(data)))
	page := read(t, out, "documents/soc/index.html")
	if !strings.Contains(page, sum) {
		t.Errorf("series page does not show the file's SHA-256 %s", sum)
	}
	if !strings.Contains(page, `href="/documents/soc/soc-2025.pdf" download type="application/pdf"`) {
		t.Errorf("download link does not name the original file and its type")
	}
	if got := strings.Count(strings.Join(walk(t, out), "\n"), "soc-2025.pdf"); got != 1 {
		t.Errorf("the file is written %d times, want once", got)
	}
	// A spreadsheet is announced as one, not as a PDF.
	dir := writeSite(t, small)
	cat := filepath.Join(dir, "catalog.yaml")
	src, _ := os.ReadFile(cat)
	writeFile(t, cat, bytes.Replace(src, []byte("files/jp.pdf"), []byte("files/jp.xlsx"), 1))
	writeFile(t, filepath.Join(dir, "content", "files", "jp.xlsx"), []byte("PK sheet"))
	page = read(t, buildSite(t, dir, "2025-02-10"), "documents/jp-health/index.html")
	if want := `/jp.xlsx" download type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"`; !strings.Contains(page, want) {
		t.Errorf("the spreadsheet's link lacks %s", want)
	}
	// A file name with characters that mean something in an address (a
	// space, #, ?, %) is written under its own name and linked escaped, so
	// the link fetches that file and the browser saves it under that name.
	dir = writeSite(t, small)
	cat = filepath.Join(dir, "catalog.yaml")
	src, _ = os.ReadFile(cat)
	const odd = "SOC 2 #1 (100%) ?.pdf"
	writeFile(t, cat, bytes.Replace(src, []byte("files/soc-2025.pdf"), []byte(`"files/`+odd+`"`), 1))
	writeFile(t, filepath.Join(dir, "content", "files", odd), []byte("%PDF-1.4 odd"))
	out = buildSite(t, dir, "2025-02-10")
	if !exists(out, "documents/soc/"+odd) {
		t.Errorf("the file is not published under its own name %q", odd)
	}
	page = read(t, out, "documents/soc/index.html")
	if want := `href="/documents/soc/SOC%202%20%231%20%28100%25%29%20%3F.pdf" download`; !strings.Contains(page, want) {
		t.Errorf("the odd file name's link lacks %s", want)
	}
	if js := read(t, out, "catalog.json"); !strings.Contains(js, `"url":"/documents/soc/SOC%202%20%231%20%28100%25%29%20%3F.pdf"`) {
		t.Errorf("catalog.json does not link the odd file name escaped")
	}
}

func TestPagination(t *testing.T) {
	var b strings.Builder
	b.WriteString(strings.Split(small, "documents:\n")[0] + "documents:\n")
	for i := range 12 {
		fmt.Fprintf(&b, `  - {id: doc-%02d, kind: trust-document, title: "Doc %02d", summary: S, version: "1", services: all, standards: [], regions: all, industries: all, published: 2025-01-%02d, file: files/d.pdf}
`, i, 11-i, i+1)
	}
	b.WriteString("-- content/files/d.pdf --\n%PDF\n")
	out := buildSite(t, writeSite(t, b.String()), "2025-06-01")
	for _, p := range []string{"trust-documents/index.html", "trust-documents/page/2.html", "trust-documents/page/3.html", "trust-documents/by-name/page/3.html"} {
		if !exists(out, p) {
			t.Errorf("%s missing", p)
		}
	}
	if exists(out, "trust-documents/page/4.html") {
		t.Errorf("a fourth page of twelve documents at five a page")
	}
	// The later pages' folder has an index too: it leads to the list.
	if idx := read(t, out, "trust-documents/page/index.html"); !strings.Contains(idx, `url=/trust-documents/"`) {
		t.Errorf("trust-documents/page/ does not lead to the list:\n%s", idx)
	}
	// Newest first: doc-11 (published 2025-01-12) opens page 1; by name,
	// "Doc 00" (doc-11) too; page 3 by name ends with "Doc 11" (doc-00).
	first := read(t, out, "trust-documents/index.html")
	if i, j := strings.Index(first, "Doc 00"), strings.Index(first, "Doc 01"); i < 0 || j < 0 || i > j {
		t.Errorf("date order wrong on page 1")
	}
	last := read(t, out, "trust-documents/by-name/page/3.html")
	if !strings.Contains(last, "Doc 11") || strings.Contains(last, "Doc 09") {
		t.Errorf("name order wrong on the last page")
	}
	if !strings.Contains(last, `href="/trust-documents/by-name/page/2.html" rel="prev"`) {
		t.Errorf("last page has no link to the previous one")
	}
}

// TestBaseURLSubPath builds under a sub-path and checks that every local
// link and asset stays under it and resolves to a built file.
func TestBaseURLSubPath(t *testing.T) {
	out := buildSite(t, writeSite(t, small), "2025-02-10", func(o *Options) { o.BaseURL = "https://preview.example.com/pr-12/" })
	broken := checkLinks(t, out, "/pr-12/")
	if len(broken) > 0 {
		t.Errorf("links outside /pr-12/ or to nothing:\n%s", strings.Join(broken, "\n"))
	}
	if !strings.Contains(read(t, out, "feed.xml"), "https://preview.example.com/pr-12/documents/soc/") {
		t.Errorf("feed links are not absolute under the sub-path")
	}
}

var linkAttr = regexp.MustCompile(`(?:href|src)="([^"]*)"`)

// checkLinks returns every href or src in the output's pages that is local
// but not under base, or that names no built file.
func checkLinks(t testing.TB, out, base string) []string {
	t.Helper()
	var broken []string
	for _, rel := range walk(t, out) {
		if !strings.HasSuffix(rel, ".html") || strings.HasPrefix(rel, ".") {
			continue // the proxy's pages are templates (TestProxyPages)
		}
		for _, m := range linkAttr.FindAllStringSubmatch(read(t, out, rel), -1) {
			u := strings.ReplaceAll(m[1], "&amp;", "&")
			if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "mailto:") || strings.HasPrefix(u, "#") || strings.HasPrefix(u, "?") {
				continue
			}
			if !strings.HasPrefix(u, base) {
				broken = append(broken, rel+": "+u)
				continue
			}
			target := strings.TrimPrefix(strings.SplitN(u, "#", 2)[0], base)
			if target == "" || strings.HasSuffix(target, "/") {
				target += "index.html"
			}
			if !exists(out, target) {
				broken = append(broken, rel+": "+u+" (no such file)")
			}
		}
	}
	return broken
}

func walk(t testing.TB, out string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(out, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestPublicPrefix checks that nothing under public/ names or links a gated
// document, and that the public prefix has its own feed and catalog.
func TestPublicPrefix(t *testing.T) {
	out := buildSite(t, writeSite(t, small), "2025-02-10")
	gated := []string{"SOC 2 Report", "The SOC 2 report for Cloud", "soc-2025", "Japan Health Guide", "jp-health", "Internal notes", "/documents/soc/", "/documents/"}
	for _, rel := range walk(t, out) {
		if !strings.HasPrefix(rel, "public/") {
			continue
		}
		text := read(t, out, rel)
		for _, g := range gated {
			if g == "/documents/" {
				text = strings.ReplaceAll(text, "/public/documents/", "")
			}
			if strings.Contains(text, g) {
				t.Errorf("%s names gated %q", rel, g)
			}
		}
	}
	for _, want := range []string{"public/index.html", "public/documents/open-overview/index.html", "public/documents/open-overview/open.pdf", "public/feed.xml", "public/catalog.json", "public/faq/index.html", "public/help/index.html"} {
		if !exists(out, want) {
			t.Errorf("%s missing", want)
		}
	}
	if leaks := publicLeaks(t, out); len(leaks) > 0 {
		t.Errorf("gated documents show under public/:\n%s", strings.Join(leaks, "\n"))
	}
	var cat struct{ Documents []struct{ ID string } }
	if err := json.Unmarshal([]byte(read(t, out, "public/catalog.json")), &cat); err != nil || len(cat.Documents) != 1 || cat.Documents[0].ID != "open-overview" {
		t.Errorf("public catalog.json = %+v (%v), want only open-overview", cat, err)
	}
	// The gated site links the public file where it lives: copied once.
	if !strings.Contains(read(t, out, "documents/open-overview/index.html"), `href="/public/documents/open-overview/open.pdf"`) {
		t.Errorf("gated page does not link the public copy of a public file")
	}
	if exists(out, "documents/open-overview/open.pdf") || exists(out, "internal/index.html") == false || exists(out, "public/internal/index.html") {
		t.Errorf("public file copied twice, or gated page misplaced")
	}
}

func TestFeed(t *testing.T) {
	out := buildSite(t, writeSite(t, small), "2025-02-10")
	var feed struct {
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Entries []struct {
			Title string `xml:"title"`
			ID    string `xml:"id"`
			Link  struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(read(t, out, "feed.xml")), &feed); err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, e := range feed.Entries {
		titles = append(titles, e.Title)
	}
	want := []string{"SOC 2 Report (version 2025)", "Open Security Overview", "Japan Health Guide", "SOC 2 Report (version 2024)"}
	if !slices.Equal(titles, want) {
		t.Errorf("feed entries %q, want %q", titles, want)
	}
	if feed.Updated != "2025-02-01T00:00:00Z" {
		t.Errorf("feed updated %s", feed.Updated)
	}
	if feed.Entries[0].Link.Href != "https://trust.example.com/documents/soc/" {
		t.Errorf("entry link %s", feed.Entries[0].Link.Href)
	}
	pub := read(t, out, "public/feed.xml")
	if strings.Contains(pub, "SOC 2") || !strings.Contains(pub, "Open Security Overview") {
		t.Errorf("public feed has gated entries or lacks the public one")
	}
}

// TestNewBadge flags documents published within new_days of the build.
func TestNewBadge(t *testing.T) {
	dir := writeSite(t, small)
	home := read(t, buildSite(t, dir, "2025-02-10"), "index.html")
	if !strings.Contains(home, `<span class="badge">Updated</span>`) || !strings.Contains(home, "New and updated in the last 30 days") {
		t.Errorf("home does not flag the SOC report updated 9 days ago")
	}
	home = read(t, buildSite(t, dir, "2025-06-10"), "index.html")
	if strings.Contains(home, `class="badge"`) {
		t.Errorf("badges shown four months later")
	}
}

func TestEveryFolderHasAnIndex(t *testing.T) {
	out := buildSite(t, writeSite(t, small), "2025-02-10")
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			if _, err := os.Stat(filepath.Join(p, "index.html")); err != nil {
				t.Errorf("%s has no index.html", p)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// A public placeholder never leads into the gated site.
	if !strings.Contains(read(t, out, "public/assets/index.html"), `url=/public/`) {
		t.Errorf("public placeholder does not stay in the public prefix")
	}
	// A folder without a page of its own leads to the nearest one above.
	if !strings.Contains(read(t, out, "regions/japan/industries/index.html"), `url=/regions/japan/"`) {
		t.Errorf("a region's industries/ folder does not lead to the region")
	}
}

// TestSampleSite builds the repository's own sample and checks every link.
func TestSampleSite(t *testing.T) {
	out := filepath.Join(t.TempDir(), "public")
	res, err := Build(Options{Root: repoRoot, Out: out, Now: day("2026-11-27")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Documents < 30 || res.Pages < 100 {
		t.Errorf("sample built %d versions in %d pages; expected a full portal", res.Documents, res.Pages)
	}
	if broken := checkLinks(t, out, "/"); len(broken) > 0 {
		t.Errorf("broken links:\n%s", strings.Join(broken, "\n"))
	}
	if leaks := publicLeaks(t, out); len(leaks) > 0 {
		t.Errorf("gated documents show under public/:\n%s", strings.Join(leaks, "\n"))
	}
}

// publicLeaks lists where a gated version's id, title or summary shows in
// a file under the public prefix, search indexes included (decoded, since
// their stored text is compressed).
func publicLeaks(t testing.TB, out string) []string {
	t.Helper()
	var cat struct {
		Documents []struct {
			ID, Title, Summary string
			Public             bool
		}
	}
	if err := json.Unmarshal([]byte(read(t, out, "catalog.json")), &cat); err != nil {
		t.Fatal(err)
	}
	var recs []search.Record
	for _, d := range cat.Documents {
		recs = append(recs, search.Record{ID: d.ID, Title: d.Title, Summary: d.Summary, Public: d.Public})
	}
	if len(recs) == 0 {
		t.Fatal("catalog.json lists no documents")
	}
	return search.PublicLeaks(filepath.Join(out, "public"), recs)
}

// TestDeterministic builds the sample twice: identical bytes.
func TestDeterministic(t *testing.T) {
	a := filepath.Join(t.TempDir(), "a")
	b := filepath.Join(t.TempDir(), "b")
	for _, out := range []string{a, b} {
		if _, err := Build(Options{Root: repoRoot, Out: out, Now: day("2026-11-27")}); err != nil {
			t.Fatal(err)
		}
	}
	ha, hb := treeHash(t, a), treeHash(t, b)
	if len(ha) != len(hb) {
		t.Fatalf("builds differ in file count: %d and %d", len(ha), len(hb))
	}
	for f, h := range ha {
		if hb[f] != h {
			t.Errorf("%s differs between two builds", f)
		}
	}
}

func treeHash(t testing.TB, out string) map[string][32]byte {
	t.Helper()
	m := map[string][32]byte{}
	for _, f := range walk(t, out) {
		m[f] = sha256.Sum256([]byte(read(t, out, f)))
	}
	return m
}

// TestBadInputLeavesOutputAlone: broken catalogs, pages and layouts give
// positioned errors, and the previous build stays exactly as it was.
func TestBadInputLeavesOutputAlone(t *testing.T) {
	tests := []struct {
		name, file, find, replace string
		want                      []string
	}{
		{"unknown industry", "catalog.yaml", "industries: [health]", "industries: [helth]",
			[]string{`catalog.yaml:57:18: unknown industry "helth" (did you mean "health"?); add it to the catalog's industries or use a known id (known: health, finance)`}},
		{"missing file and bad date", "catalog.yaml", "    published: 2025-01-10\n    file: files/jp.pdf", "    published: 2025-01-32\n    file: files/nope.pdf",
			[]string{`catalog.yaml:58:16: published must be a date written YYYY-MM-DD (e.g. 2025-03-14), not "2025-01-32"`}},
		{"file missing", "catalog.yaml", "file: files/jp.pdf", "file: files/nope.pdf",
			[]string{`catalog.yaml:59:11: file content/files/nope.pdf does not exist; add it or fix the path`}},
		{"front matter", "content/faq.md", "menu: 10", "menu: ten",
			[]string{`content/faq.md:4:7: menu must be a whole number from 1 to 1000 (its place in the navigation)`}},
		{"reserved page name", "content/internal.md", "", "",
			nil},
		{"layout parse error", "layouts/page.html", "{{.Content.Body}}", "{{.Content.Body",
			[]string{`layouts/page.html:4:1: {{ is not closed: end the action with }}`}},
		{"layout exec error", "layouts/page.html", "{{.Content.Body}}", "{{.Content.Bodyy}}",
			[]string{`layouts/page.html:4:11: {{.Content.Bodyy}}: content.Page has no field or method Bodyy; did you mean .Body?`}},
		{"hostile yaml", "catalog.yaml", "site:\n", "bomb: &a [*a, *a]\nsite:\n",
			[]string{`catalog.yaml:1:1: unknown field "bomb" in the catalog (known: site, regions, industries, services, standards, documents)`, `catalog.yaml:1:11: aliases (*a) are not allowed in a catalog (and 1 more alias); write each value out in full where it is used`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeSite(t, small)
			out := buildSite(t, dir, "2025-02-10")
			before := treeHash(t, out)
			path := filepath.Join(dir, tt.file)
			if tt.name == "reserved page name" {
				// A page may not take a path the generator writes.
				writeFile(t, filepath.Join(dir, "content", "regions.md"), []byte("---\ntitle: R\n---\n"))
				tt.want = []string{`content/regions.md:1:1: a page cannot be called "regions": the name is taken by the generator or is not lowercase letters, digits and hyphens; rename the file`}
			} else {
				src, err := os.ReadFile(path)
				if err != nil || !bytes.Contains(src, []byte(tt.find)) {
					t.Fatalf("test edit: %q not in %s", tt.find, tt.file)
				}
				writeFile(t, path, bytes.Replace(src, []byte(tt.find), []byte(tt.replace), 1))
			}
			_, err := Build(Options{Root: dir, Out: out, Now: day("2025-02-10")})
			var problems diag.Problems
			if !errors.As(err, &problems) {
				t.Fatalf("build error %v, want problems", err)
			}
			var got []string
			for _, p := range problems {
				got = append(got, p.Error())
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			after := treeHash(t, out)
			if len(after) != len(before) {
				t.Fatalf("output changed: %d files before, %d after", len(before), len(after))
			}
			for f, h := range before {
				if after[f] != h {
					t.Errorf("%s changed after a failed build", f)
				}
			}
			// The spare it wrote into is kept for the next build; nothing else.
			leftovers, _ := filepath.Glob(filepath.Join(dir, ".public.*"))
			if !slices.Equal(leftovers, []string{filepath.Join(dir, ".public.stp-spare")}) {
				t.Errorf("failed build left %v beside the output, want the spare only", leftovers)
			}
		})
	}
}

// TestGolden compares a few rendered pages of the small site with files in
// testdata/golden. Run `go test ./generator/site -run Golden -update` after
// an intended change to the layouts, and review the diff.
func TestGolden(t *testing.T) {
	out := buildSite(t, writeSite(t, small), "2025-02-10")
	for _, rel := range []string{"index.html", "documents/soc/index.html", "regions/japan/industries/health/index.html", "public/index.html", "feed.xml"} {
		got := read(t, out, rel)
		golden := filepath.Join("testdata", "golden", strings.ReplaceAll(rel, "/", "_"))
		if *update {
			writeFile(t, golden, []byte(got))
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if got != string(want) {
			t.Errorf("%s differs from %s; run with -update if the change is intended", rel, golden)
		}
	}
}
