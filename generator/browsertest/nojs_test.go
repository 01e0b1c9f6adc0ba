package browsertest

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/stp-portal/stp/generator/internal/sitetest"
	"github.com/stp-portal/stp/generator/serve"
	"github.com/stp-portal/stp/generator/site"
)

// TestWithoutJavaScript follows the reader's path with JavaScript turned
// off: everything but settings and search must work through plain links.
func TestWithoutJavaScript(t *testing.T) {
	tb := newTab(t, noScript)

	tb.open("/")
	if tb.visible("[data-for-you]") {
		t.Error("the for-you box shows without JavaScript")
	}
	if n := len(tb.texts("table.docs tbody tr")); n == 0 {
		t.Error("home lists no new documents")
	}

	// A region's page narrows by industry through links.
	tb.follow(`.browse a[href$="/regions/europe/"]`)
	if tb.visible("form[data-filter]") {
		t.Error("the filter form shows although it cannot work without JavaScript")
	}
	tb.follow(`nav.facet a[href$="/regions/europe/industries/healthcare/"]`)
	if h := tb.text("h1"); h != "Healthcare in Europe" {
		t.Fatalf("h1 = %q", h)
	}
	newest := tb.texts("table.docs tbody th > a")

	// Sort by name.
	tb.follow(`nav.sort a[href$="/by-name/"]`)
	byName := tb.texts("table.docs tbody th > a")
	if len(byName) != len(newest) || !slices.IsSortedFunc(byName, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }) {
		t.Errorf("by-name list: %q", byName)
	}
	// Server-rendered dates are readable and carry the ISO date.
	if d := tb.text("table.docs time"); d == "" || strings.Contains(d, "-") {
		t.Errorf("list date reads %q without JavaScript", d)
	}
	tb.screenshots("nojs-list-by-name")

	// A document page and its download.
	tb.follow(`table.docs a[href$="/documents/contoso-365-soc-2-type-2/"]`)
	checkDocument(t, tb, 2)
	download(t, tb, ".download-box a.download")
	// An earlier version stays downloadable.
	download2 := `table.versions tbody tr:not(:first-child) a.download`
	if len(tb.attrs(download2, "href")) == 0 {
		t.Error("no earlier version to download")
	}

	// Settings and search say what they need instead of showing dead forms.
	tb.open("/settings/")
	if tb.visible("form[data-settings]") {
		t.Error("the settings form shows without JavaScript")
	}
	if !strings.Contains(tb.text("main"), "Saving settings needs JavaScript") {
		t.Error("settings page does not say it needs JavaScript")
	}
	tb.open("/search/?q=hipa")
	if !strings.Contains(tb.text("main"), "needs JavaScript") {
		t.Error("search page does not say it needs JavaScript")
	}
	if tb.visible("form[data-filter]") {
		t.Error("dead filter form")
	}
}

// TestPaginationWithoutJavaScript builds the sample with five documents a
// page and walks a library's pages and its by-name pages by their links.
func TestPaginationWithoutJavaScript(t *testing.T) {
	if skipped != "" {
		t.Skip("browser tests skipped: " + skipped)
	}
	root, repo := t.TempDir(), sitetest.RepoRoot()
	for _, dir := range []string{"content", "layouts"} {
		sitetest.CopyTree(t, filepath.Join(repo, dir), filepath.Join(root, dir))
	}
	cat, err := os.ReadFile(filepath.Join(repo, "catalog.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	small := strings.Replace(string(cat), "page_size: 25", "page_size: 5", 1)
	if small == string(cat) {
		t.Fatal("catalog.yaml has no `page_size: 25` to change")
	}
	sitetest.WriteFile(t, filepath.Join(root, "catalog.yaml"), []byte(small))
	out := filepath.Join(t.TempDir(), "site")
	if _, err := site.Build(site.Options{Root: root, Out: out, Now: buildDay}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(serve.New(out))
	defer srv.Close()

	tb := newTab(t, noScript)
	at := func(path string) {
		t.Helper()
		if _, err := chromedp.RunResponse(tb.ctx, chromedp.Navigate(srv.URL+path)); err != nil {
			t.Fatal(err)
		}
	}
	here := func() string {
		loc, _ := chromedp.Run(tb.ctx, chromedp.Location())
		return strings.TrimPrefix(loc, srv.URL)
	}

	at("/compliance-reports/")
	first := tb.texts("table.docs tbody th > a")
	if len(first) != 5 {
		t.Fatalf("page 1 has %d rows, want 5", len(first))
	}
	if total := tb.text("[data-total]"); !strings.Contains(total, "page 1 of") {
		t.Errorf("total reads %q", total)
	}
	if cur := tb.texts(`nav.pager [aria-current="page"]`); len(cur) != 1 || cur[0] != "1" {
		t.Errorf("current page marks = %q", cur)
	}
	tb.screenshots("nojs-pager")
	tb.follow(`nav.pager a[rel=next]`)
	if p := here(); p != "/compliance-reports/page/2.html" {
		t.Errorf("next page is %s", p)
	}
	second := tb.texts("table.docs tbody th > a")
	if len(second) == 0 || slices.Contains(first, second[0]) {
		t.Errorf("page 2 rows %q repeat page 1 %q", second, first)
	}
	if cur := tb.texts(`nav.pager [aria-current="page"]`); len(cur) != 1 || cur[0] != "2" {
		t.Errorf("current page marks = %q", cur)
	}
	// Sorting from page 2 starts the by-name order at its first page.
	tb.follow(`nav.sort a[href$="/by-name/"]`)
	if p := here(); p != "/compliance-reports/by-name/" {
		t.Errorf("by-name is %s", p)
	}
	tb.follow(`nav.pager a[rel=next]`)
	if p := here(); p != "/compliance-reports/by-name/page/2.html" {
		t.Errorf("by-name next page is %s", p)
	}
	tb.follow(`nav.pager a[rel=prev]`)
	if p := here(); p != "/compliance-reports/by-name/" {
		t.Errorf("by-name previous page is %s", p)
	}
}
