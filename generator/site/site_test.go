package site_test

import (
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
	"github.com/stp-portal/stp/generator/search"
	"github.com/stp-portal/stp/generator/site/sitetest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// repoRoot is the repository, whose sample site some tests build.
const repoRoot = "../.."

// small is the shared fixture sitetest/testdata/small.txtar: two regions,
// two industries and a few documents, for most tests below.
const small = "small"

func day(t testing.TB, s string) time.Time { return sitetest.Day(t, s) }

func TestTaxonomyPages(t *testing.T) {
	s := sitetest.New(t, small).Build("2025-02-10")
	// "all" puts the SOC report on every region and industry page.
	for _, p := range []string{"regions/europe/", "regions/japan/", "industries/health/", "industries/finance/"} {
		if !strings.Contains(s.File(p+"index.html"), "SOC 2 Report") {
			t.Errorf("%s does not list the SOC report that applies to all", p)
		}
	}
	// Pairs exist only where a document applies.
	for pair, want := range map[string]bool{
		"regions/japan/industries/health/":   true,
		"regions/europe/industries/finance/": true,
		"regions/japan/industries/finance/":  true, // the SOC report
	} {
		if s.Exists(pair+"index.html") != want {
			t.Errorf("%s exists = %v, want %v", pair, !want, want)
		}
	}
	jh := s.File("regions/japan/industries/health/index.html")
	if !strings.Contains(jh, "Japan Health Guide") || strings.Contains(jh, "Open Security Overview") {
		t.Errorf("japan×health lists the wrong documents")
	}
	if !strings.Contains(s.File("standards/soc-2/index.html"), "SOC 2 Report") {
		t.Errorf("standard page misses its document")
	}
	if !strings.Contains(s.File("services/mail/index.html"), "Open Security Overview") {
		t.Errorf("services: all did not reach the mail service page")
	}
	if strings.Contains(s.File("compliance-reports/index.html"), "Japan Health Guide") {
		t.Errorf("the compliance reports library lists a trust document")
	}
}

func TestSeriesAndRetention(t *testing.T) {
	s := sitetest.New(t, small)
	// Inside the 2024 version's retention: both versions listed.
	s.Build("2025-02-10")
	page := s.File("documents/soc/index.html")
	for _, want := range []string{`id="soc-2025"`, `id="soc-2024"`, "documents/soc/soc-2024.pdf", "<h2 id=\"scope\">Scope</h2>", "Current"} {
		if !strings.Contains(page, want) {
			t.Errorf("series page lacks %q", want)
		}
	}
	// The 2024 version drops out twelve months after it was published.
	s.Build("2025-03-01")
	page = s.File("documents/soc/index.html")
	if strings.Contains(page, `id="soc-2024"`) || s.Exists("documents/soc/soc-2024.pdf") {
		t.Errorf("the superseded 2024 version is still published after its retention")
	}
	// Before the 2025 version is published, 2024 is current and 2025 is
	// nowhere.
	s.Build("2025-01-31")
	page = s.File("documents/soc/index.html")
	if strings.Contains(page, "soc-2025") || !strings.Contains(page, `id="soc-2024"`) {
		t.Errorf("a scheduled version leaked or the current one is missing")
	}
}

func TestDownloadsHaveSizeAndChecksum(t *testing.T) {
	s := sitetest.New(t, small).Build("2025-02-10")
	data := s.File("documents/soc/soc-2025.pdf")
	sum := fmt.Sprintf("%x", sha256.Sum256([]byte(data)))
	page := s.File("documents/soc/index.html")
	if !strings.Contains(page, sum) {
		t.Errorf("series page does not show the file's SHA-256 %s", sum)
	}
	if !strings.Contains(page, `href="/documents/soc/soc-2025.pdf" download type="application/pdf"`) {
		t.Errorf("download link does not name the original file and its type")
	}
	if got := strings.Count(strings.Join(sitetest.Paths(s.Files()), "\n"), "soc-2025.pdf"); got != 1 {
		t.Errorf("the file is written %d times, want once", got)
	}
	// A spreadsheet is announced as one, not as a PDF.
	s = sitetest.New(t, small).Replace("catalog.yaml", "files/jp.pdf", "files/jp.xlsx").
		Edit("content/files/jp.xlsx", "PK sheet").Build("2025-02-10")
	page = s.File("documents/jp-health/index.html")
	if want := `/jp.xlsx" download type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"`; !strings.Contains(page, want) {
		t.Errorf("the spreadsheet's link lacks %s", want)
	}
	// A file name with characters that mean something in an address (a
	// space, #, ?, %) is written under its own name and linked escaped, so
	// the link fetches that file and the browser saves it under that name.
	const odd = "SOC 2 #1 (100%) ?.pdf"
	s = sitetest.New(t, small).Replace("catalog.yaml", "files/soc-2025.pdf", `"files/`+odd+`"`).
		Edit("content/files/"+odd, "%PDF-1.4 odd").Build("2025-02-10")
	if !s.Exists("documents/soc/" + odd) {
		t.Errorf("the file is not published under its own name %q", odd)
	}
	page = s.File("documents/soc/index.html")
	if want := `href="/documents/soc/SOC%202%20%231%20%28100%25%29%20%3F.pdf" download`; !strings.Contains(page, want) {
		t.Errorf("the odd file name's link lacks %s", want)
	}
	if js := s.File("catalog.json"); !strings.Contains(js, `"url":"/documents/soc/SOC%202%20%231%20%28100%25%29%20%3F.pdf"`) {
		t.Errorf("catalog.json does not link the odd file name escaped")
	}
}

func TestPagination(t *testing.T) {
	var b strings.Builder
	b.WriteString(strings.Split(sitetest.Fixture(t, small), "documents:\n")[0] + "documents:\n")
	for i := range 12 {
		fmt.Fprintf(&b, `  - {id: doc-%02d, kind: trust-document, title: "Doc %02d", summary: S, version: "1", services: all, standards: [], regions: all, industries: all, published: 2025-01-%02d, file: files/d.pdf}
`, i, 11-i, i+1)
	}
	b.WriteString("-- content/files/d.pdf --\n%PDF\n")
	s := sitetest.New(t, b.String()).Build("2025-06-01")
	for _, p := range []string{"trust-documents/index.html", "trust-documents/page/2.html", "trust-documents/page/3.html", "trust-documents/by-name/page/3.html"} {
		if !s.Exists(p) {
			t.Errorf("%s missing", p)
		}
	}
	if s.Exists("trust-documents/page/4.html") {
		t.Errorf("a fourth page of twelve documents at five a page")
	}
	// The later pages' folder has an index too: it leads to the list.
	if idx := s.File("trust-documents/page/index.html"); !strings.Contains(idx, `url=/trust-documents/"`) {
		t.Errorf("trust-documents/page/ does not lead to the list:\n%s", idx)
	}
	// Newest first: doc-11 (published 2025-01-12) opens page 1; by name,
	// "Doc 00" (doc-11) too; page 3 by name ends with "Doc 11" (doc-00).
	first := s.File("trust-documents/index.html")
	if i, j := strings.Index(first, "Doc 00"), strings.Index(first, "Doc 01"); i < 0 || j < 0 || i > j {
		t.Errorf("date order wrong on page 1")
	}
	last := s.File("trust-documents/by-name/page/3.html")
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
	s := sitetest.New(t, small)
	s.Options.BaseURL = "https://preview.example.com/pr-12/"
	s.Build("2025-02-10")
	broken := checkLinks(s, "/pr-12/")
	if len(broken) > 0 {
		t.Errorf("links outside /pr-12/ or to nothing:\n%s", strings.Join(broken, "\n"))
	}
	if !strings.Contains(s.File("feed.xml"), "https://preview.example.com/pr-12/documents/soc/") {
		t.Errorf("feed links are not absolute under the sub-path")
	}
}

var linkAttr = regexp.MustCompile(`(?:href|src)="([^"]*)"`)

// checkLinks returns every href or src in the output's pages that is local
// but not under base, or that names no built file.
func checkLinks(s *sitetest.Site, base string) []string {
	var broken []string
	for _, rel := range sitetest.Paths(s.Files()) {
		if !strings.HasSuffix(rel, ".html") || strings.HasPrefix(rel, ".") {
			continue // the proxy's pages are templates (TestProxyPages)
		}
		for _, m := range linkAttr.FindAllStringSubmatch(s.File(rel), -1) {
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
			if !s.Exists(target) {
				broken = append(broken, rel+": "+u+" (no such file)")
			}
		}
	}
	return broken
}

// TestPublicPrefix checks that nothing under public/ names or links a gated
// document, and that the public prefix has its own feed and catalog.
func TestPublicPrefix(t *testing.T) {
	s := sitetest.New(t, small).Build("2025-02-10")
	gated := []string{"SOC 2 Report", "The SOC 2 report for Cloud", "soc-2025", "Japan Health Guide", "jp-health", "Internal notes", "/documents/soc/", "/documents/"}
	for _, rel := range sitetest.Paths(s.Files()) {
		if !strings.HasPrefix(rel, "public/") {
			continue
		}
		text := s.File(rel)
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
		if !s.Exists(want) {
			t.Errorf("%s missing", want)
		}
	}
	if leaks := publicLeaks(s); len(leaks) > 0 {
		t.Errorf("gated documents show under public/:\n%s", strings.Join(leaks, "\n"))
	}
	var cat struct{ Documents []struct{ ID string } }
	if err := json.Unmarshal([]byte(s.File("public/catalog.json")), &cat); err != nil || len(cat.Documents) != 1 || cat.Documents[0].ID != "open-overview" {
		t.Errorf("public catalog.json = %+v (%v), want only open-overview", cat, err)
	}
	// The gated site links the public file where it lives: copied once.
	if !strings.Contains(s.File("documents/open-overview/index.html"), `href="/public/documents/open-overview/open.pdf"`) {
		t.Errorf("gated page does not link the public copy of a public file")
	}
	if s.Exists("documents/open-overview/open.pdf") || s.Exists("internal/index.html") == false || s.Exists("public/internal/index.html") {
		t.Errorf("public file copied twice, or gated page misplaced")
	}
}

func TestFeed(t *testing.T) {
	s := sitetest.New(t, small).Build("2025-02-10")
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
	if err := xml.Unmarshal([]byte(s.File("feed.xml")), &feed); err != nil {
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
	pub := s.File("public/feed.xml")
	if strings.Contains(pub, "SOC 2") || !strings.Contains(pub, "Open Security Overview") {
		t.Errorf("public feed has gated entries or lacks the public one")
	}
}

// TestNewBadge flags documents published within new_days of the build.
func TestNewBadge(t *testing.T) {
	s := sitetest.New(t, small)
	home := s.Build("2025-02-10").File("index.html")
	if !strings.Contains(home, `<span class="badge">Updated</span>`) || !strings.Contains(home, "New and updated in the last 30 days") {
		t.Errorf("home does not flag the SOC report updated 9 days ago")
	}
	home = s.Build("2025-06-10").File("index.html")
	if strings.Contains(home, `class="badge"`) {
		t.Errorf("badges shown four months later")
	}
}

func TestEveryFolderHasAnIndex(t *testing.T) {
	s := sitetest.New(t, small).Build("2025-02-10")
	err := filepath.WalkDir(s.Out(), func(p string, d fs.DirEntry, err error) error {
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
	if !strings.Contains(s.File("public/assets/index.html"), `url=/public/`) {
		t.Errorf("public placeholder does not stay in the public prefix")
	}
	// A folder without a page of its own leads to the nearest one above.
	if !strings.Contains(s.File("regions/japan/industries/index.html"), `url=/regions/japan/"`) {
		t.Errorf("a region's industries/ folder does not lead to the region")
	}
}

// TestSampleSite builds the repository's own sample and checks every link.
func TestSampleSite(t *testing.T) {
	s := sample(t)
	res, err := s.TryBuild("2026-11-27")
	if err != nil {
		t.Fatal(err)
	}
	if res.Documents < 30 || res.Pages < 100 {
		t.Errorf("sample built %d versions in %d pages; expected a full portal", res.Documents, res.Pages)
	}
	if broken := checkLinks(s, "/"); len(broken) > 0 {
		t.Errorf("broken links:\n%s", strings.Join(broken, "\n"))
	}
	if leaks := publicLeaks(s); len(leaks) > 0 {
		t.Errorf("gated documents show under public/:\n%s", strings.Join(leaks, "\n"))
	}
}

// publicLeaks lists where a gated version's id, title or summary shows in
// a file under the public prefix, search indexes included (decoded, since
// their stored text is compressed).
func publicLeaks(s *sitetest.Site) []string {
	var cat struct {
		Documents []struct {
			ID, Title, Summary string
			Public             bool
		}
	}
	if err := json.Unmarshal([]byte(s.File("catalog.json")), &cat); err != nil {
		return []string{"catalog.json: " + err.Error()}
	}
	var recs []search.Record
	for _, d := range cat.Documents {
		recs = append(recs, search.Record{ID: d.ID, Title: d.Title, Summary: d.Summary, Public: d.Public})
	}
	if len(recs) == 0 {
		return []string{"catalog.json lists no documents"}
	}
	return search.PublicLeaks(filepath.Join(s.Out(), "public"), recs)
}

// TestDeterministic builds the sample twice: identical bytes.
func TestDeterministic(t *testing.T) {
	a, b := sample(t).Build("2026-11-27"), sample(t).Build("2026-11-27")
	ta, tb := a.Files(), b.Files()
	if len(ta) != len(tb) {
		t.Fatalf("builds differ in file count: %d and %d", len(ta), len(tb))
	}
	for f, h := range ta {
		if tb[f] != h {
			t.Errorf("%s differs between two builds", f)
		}
	}
}

// sample is the repository's own sample site, built into a folder of its
// own.
func sample(t *testing.T) *sitetest.Site {
	s := sitetest.Existing(t, repoRoot)
	s.Options.Out = filepath.Join(t.TempDir(), "public")
	return s
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
			s := sitetest.New(t, small).Build("2025-02-10")
			before := s.Files()
			if tt.name == "reserved page name" {
				// A page may not take a path the generator writes.
				s.Edit("content/regions.md", "---\ntitle: R\n---\n")
				tt.want = []string{`content/regions.md:1:1: a page cannot be called "regions": the name is taken by the generator or is not lowercase letters, digits and hyphens; rename the file`}
			} else {
				s.Replace(tt.file, tt.find, tt.replace)
			}
			_, err := s.TryBuild("2025-02-10")
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
			after := s.Files()
			if len(after) != len(before) {
				t.Fatalf("output changed: %d files before, %d after", len(before), len(after))
			}
			for f, h := range before {
				if after[f] != h {
					t.Errorf("%s changed after a failed build", f)
				}
			}
			// The spare it wrote into is kept for the next build; nothing else.
			leftovers, _ := filepath.Glob(filepath.Join(s.Root, ".public.*"))
			if !slices.Equal(leftovers, []string{filepath.Join(s.Root, ".public.stp-spare")}) {
				t.Errorf("failed build left %v beside the output, want the spare only", leftovers)
			}
		})
	}
}

// TestGolden compares a few rendered pages of the small site with files in
// testdata/golden. Run `go test ./generator/site -run Golden -update` after
// an intended change to the layouts, and review the diff.
func TestGolden(t *testing.T) {
	s := sitetest.New(t, small).Build("2025-02-10")
	for _, rel := range []string{"index.html", "documents/soc/index.html", "regions/japan/industries/health/index.html", "public/index.html", "feed.xml"} {
		got := s.File(rel)
		golden := filepath.Join("testdata", "golden", strings.ReplaceAll(rel, "/", "_"))
		if *update {
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
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
