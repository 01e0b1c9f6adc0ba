package browsertest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// catalogJSON is the part of the built catalog.json the tests compare with.
type catalogJSON struct {
	Documents []struct {
		ID         string   `json:"id"`
		Series     string   `json:"series"`
		Title      string   `json:"title"`
		Current    bool     `json:"current"`
		Standards  []string `json:"standards"`
		Regions    []string `json:"regions"`
		Industries []string `json:"industries"`
		URL        string   `json:"url"`
	} `json:"documents"`
}

func loadCatalog(t *testing.T) catalogJSON {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(siteDir, "catalog.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c catalogJSON
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestReaderPath follows a reader from the first visit to a downloaded
// report: settings, home, a region × industry page, filter and sort, a
// document and its versions, the download, then search with a typo, a
// facet and a result.
func TestReaderPath(t *testing.T) {
	tb := newTab(t)

	// First visit: nothing chosen, so home has no "for you" box.
	tb.open("/")
	if tb.visible("[data-for-you]") {
		t.Error("home shows the for-you box before anything was chosen")
	}

	// Settings: check two regions and one industry, save.
	tb.open("/settings/")
	tb.wait(`!document.querySelector("form[data-settings]").hidden`, "the settings form")
	tb.do(
		chromedp.Click(chromedp.CSS(`input[name=region][value=europe]`), chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS(`input[name=region][value=north-america]`), chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS(`input[name=industry][value=healthcare]`), chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS(`form[data-settings] button[type=submit]`), chromedp.NodeVisible),
	)
	tb.wait(`document.querySelector("[data-status]").textContent.indexOf("Saved") === 0`, "the saved message")
	if got := eval[string](tb, `localStorage.getItem("stp.settings")`); got != `{"regions":["north-america","europe"],"industries":["healthcare"]}` && got != `{"regions":["europe","north-america"],"industries":["healthcare"]}` {
		t.Errorf("saved settings = %s", got)
	}
	tb.screenshot("settings-saved-desktop")

	// Home shows the pages that fit the choice.
	tb.open("/")
	tb.wait(`!document.querySelector("[data-for-you]").hidden`, "the for-you box")
	links := tb.texts("[data-for-you-links] a")
	for _, want := range []string{"Healthcare in Europe", "Healthcare in North America"} {
		if !slices.Contains(links, want) {
			t.Errorf("for-you links %q lack %q", links, want)
		}
	}
	tb.screenshot("home-for-you-desktop")

	// Open the region × industry page.
	tb.follow(`[data-for-you-links] a[href$="/regions/north-america/industries/healthcare/"]`)
	if h := tb.text("h1"); h != "Healthcare in North America" {
		t.Fatalf("h1 = %q", h)
	}
	plain := len(tb.texts("table.docs tbody tr"))

	// Filter with the form: SOC 2 only. The URL keeps the filter.
	tb.wait(`!document.querySelector("form[data-filter]").hidden && document.querySelector("#f-standard").options.length > 1`, "the filter form")
	tb.do(chromedp.SetValue(chromedp.CSS("#f-standard"), "soc-2"))
	tb.follow(`form[data-filter] button[type=submit]`)
	if p := tb.path(); p != "/regions/north-america/industries/healthcare/?standard=soc-2" {
		t.Errorf("filtered URL = %s, want only the chosen filter in the query", p)
	}
	tb.wait(`document.querySelector("[data-total]").textContent.indexOf("match") > 0`, "the filtered list")
	want := 0
	for _, d := range loadCatalog(t).Documents {
		if d.Current && slices.Contains(d.Regions, "north-america") && slices.Contains(d.Industries, "healthcare") && slices.Contains(d.Standards, "soc-2") {
			want++
		}
	}
	rows := tb.texts(`table.docs tbody td:nth-of-type(2)`)
	if len(rows) != want || want == 0 || want >= plain {
		t.Errorf("filtered list has %d rows, want %d (of %d)", len(rows), want, plain)
	}
	for _, r := range rows {
		if !strings.Contains(r, "SOC 2") {
			t.Errorf("filtered row has standards %q, want SOC 2", r)
		}
	}
	if got := eval[string](tb, `document.querySelector("#f-standard").value`); got != "soc-2" {
		t.Errorf("the form forgot the filter: %q", got)
	}
	tb.screenshot("list-filtered-desktop")

	// Sort by name: a plain URL.
	tb.follow(`nav.sort a[href$="/by-name/"]`)
	if p := tb.path(); p != "/regions/north-america/industries/healthcare/by-name/" {
		t.Errorf("sorted URL = %s", p)
	}
	titles := tb.texts("table.docs tbody th > a")
	if len(titles) != plain {
		t.Errorf("sorted list has %d rows, want %d", len(titles), plain)
	}
	if !slices.IsSortedFunc(titles, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }) {
		t.Errorf("by-name list is not in name order: %q", titles)
	}
	if cur := tb.attrs(`nav.sort a[aria-current]`, "href"); len(cur) != 1 || !strings.HasSuffix(cur[0], "/by-name/") {
		t.Errorf("current sort link = %q", cur)
	}

	// Open a document that has an earlier version, and see its versions.
	tb.follow(`table.docs a[href$="/documents/contoso-365-soc-2-type-2/"]`)
	checkDocument(t, tb, 2)

	// Download the current version: the bytes are the ones the page names.
	download(t, tb, ".download-box a.download")

	// Search from the header with a typo.
	tb.do(chromedp.Click(chromedp.CSS("#header-q"), chromedp.NodeVisible))
	if _, err := chromedp.RunResponse(tb.ctx, chromedp.SendKeys(chromedp.CSS("#header-q"), "hipa\r")); err != nil {
		t.Fatalf("searching from the header: %v", err)
	}
	if p := tb.path(); p != "/search/?q=hipa" {
		t.Errorf("search URL = %s", p)
	}
	tb.wait(`document.querySelectorAll("[data-search-results] li").length > 0`, "search results for hipa")
	if first := tb.text("[data-search-results] li h2"); !strings.Contains(first, "HIPAA") {
		t.Errorf("first result for hipa = %q", first)
	}
	if m := tb.texts("[data-search-results] li h2 mark"); len(m) == 0 {
		t.Error("no highlighted match in the results for hipa")
	}
	// Dates as the lists show them: ISO in the markup, the reader's format
	// on screen.
	isos, shown := tb.attrs("[data-search-results] .meta time", "datetime"), tb.texts("[data-search-results] .meta time")
	if len(isos) == 0 || len(isos) != len(shown) {
		t.Errorf("result dates: datetime %q, text %q", isos, shown)
	} else {
		for i, iso := range isos {
			if _, err := time.Parse(time.DateOnly, iso); err != nil || shown[i] == iso {
				t.Errorf("result date datetime=%q shown as %q, want an ISO date shown in the reader's format", iso, shown[i])
			}
		}
	}
	// The saved choice narrows search too, and says so.
	if chips := tb.text("[data-search-active]"); !strings.Contains(chips, "your settings") {
		t.Errorf("active filters = %q, want the saved settings named", chips)
	}

	// A second search, typed on the search page: a prefix and a typo.
	eval[bool](tb, `(document.querySelector("#search-q").value = "") === ""`)
	tb.do(chromedp.SendKeys(chromedp.CSS("#search-q"), "soc 2 typ\r"))
	tb.wait(`location.search.indexOf("q=soc+2+typ") >= 0 && document.querySelector("[data-search-status]").textContent.indexOf("soc 2 typ") >= 0`, "results for soc 2 typ")
	before := tb.texts("[data-search-results] li h2")
	if len(before) < 2 {
		t.Fatalf("results for soc 2 typ: %q", before)
	}
	// A document is one hit, its matching earlier version named inside.
	hrefs := tb.attrs("[data-search-results] li h2 a", "href")
	if slices.Sort(hrefs); len(slices.Compact(hrefs)) != len(before) {
		t.Errorf("a document is more than one hit: %q", before)
	}
	if also := tb.texts("[data-search-results] .versions"); len(also) == 0 || !strings.HasPrefix(also[0], "Also matches: the 2025 version (published ") {
		t.Errorf("no hit names its matching earlier version: %q", also)
	}
	tb.screenshot("search-results-desktop")

	// Filter by a facet: one service.
	tb.do(chromedp.Click(chromedp.CSS(`[data-search-facets] input[name=service][value=contoso-cloud]`), chromedp.NodeVisible))
	tb.wait(`location.search.indexOf("service=contoso-cloud") >= 0 && !document.querySelector("[data-search-page]").hasAttribute("aria-busy")`, "the service facet")
	after := tb.texts("[data-search-results] li")
	if len(after) == 0 || len(after) >= len(before) {
		t.Errorf("the service facet left %d of %d results", len(after), len(before))
	}
	for _, r := range after {
		if !strings.Contains(r, "Contoso Cloud") {
			t.Errorf("result outside the facet: %q", r)
		}
	}
	if !eval[bool](tb, `document.querySelector('[data-search-facets] input[name=service][value=contoso-cloud]').checked`) {
		t.Error("the facet is not shown as checked")
	}

	// Open the first result.
	title := tb.text("[data-search-results] li h2")
	tb.follow("[data-search-results] li h2 a")
	if !strings.HasPrefix(tb.path(), "/documents/") || tb.text("h1") != title {
		t.Errorf("opened %s with h1 %q, want the result %q", tb.path(), tb.text("h1"), title)
	}
}

// checkDocument checks a document page: one current version marked, at
// least the given number of versions, ISO dates in the markup and dates in
// the reader's locale on screen.
func checkDocument(t *testing.T, tb *tab, versions int) {
	t.Helper()
	rows := tb.texts("table.versions tbody tr")
	if len(rows) < versions {
		t.Errorf("versions table has %d rows, want at least %d", len(rows), versions)
	}
	if cur := tb.texts("table.versions tbody .badge"); len(cur) != 1 || cur[0] != "Current" {
		t.Errorf("current-version badges = %q", cur)
	}
	if sha := tb.text(".checksum code"); len(sha) != 64 {
		t.Errorf("SHA-256 on the page = %q", sha)
	}
	for _, iso := range tb.attrs("time", "datetime") {
		if _, err := time.Parse("2006-01-02", iso); err != nil {
			t.Errorf("time datetime=%q is not an ISO date", iso)
		}
	}
}

// download clicks a download link, waits for the file and checks that its
// bytes are a PDF whose SHA-256 is the one the page shows.
func download(t *testing.T, tb *tab, link string) {
	t.Helper()
	dir := t.TempDir()
	c := chromedp.FromContext(tb.ctx)
	if _, err := chromedp.CallBrowser(tb.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior:         browser.SetDownloadBehaviorBehaviorAllowAndName,
		BrowserContextID: c.BrowserContextID,
		DownloadPath:     dir,
		EventsEnabled:    new(true),
	}); err != nil {
		t.Fatalf("download behaviour: %v", err)
	}
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	begins := chromedp.BrowserEvents(ctx, browser.DownloadWillBegin)
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	// A bare download attribute: the browser names the file after the
	// address, whose last part is the publisher's file name.
	wantName := eval[string](tb, `(function (a) { return a.hasAttribute("download") ? decodeURIComponent(new URL(a.href).pathname.split("/").pop()) : "(no download attribute)"; })(document.querySelector(`+jsString(link)+`))`)
	tb.do(chromedp.Click(chromedp.CSS(link), chromedp.NodeVisible))
	var guid, suggested string
	for ev, err := range begins {
		if err != nil {
			t.Fatalf("no download began: %v", err)
		}
		guid, suggested = ev.GUID, ev.SuggestedFilename
		break
	}
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("download did not finish: %v", err)
		}
		if ev.GUID != guid {
			continue
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatalf("download cancelled")
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			break
		}
	}
	if suggested != wantName {
		t.Errorf("download named %q, want %q", suggested, wantName)
	}
	data, err := os.ReadFile(filepath.Join(dir, guid))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "%PDF-") {
		t.Errorf("downloaded file is not a PDF: %.20q", data)
	}
	sum := sha256.Sum256(data)
	if got, want := hex.EncodeToString(sum[:]), tb.text(".checksum code"); got != want {
		t.Errorf("downloaded SHA-256 %s, the page says %s", got, want)
	}
	t.Logf("downloaded %s: %d bytes, SHA-256 matches the page", suggested, len(data))
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestLocalDates reads dates in the reader's own locale on screen while
// the markup keeps ISO dates.
func TestLocalDates(t *testing.T) {
	for _, c := range []struct{ locale, long, short string }{
		{"de-DE", "13. November 2026", "13. Nov. 2026"},
		{"en-US", "November 13, 2026", "Nov 13, 2026"},
		{"ja-JP", "2026年11月13日", "2026年11月13日"},
	} {
		t.Run(c.locale, func(t *testing.T) {
			tb := newTab(t, func(*tab) chromedp.Action[chromedp.Void] {
				return call(emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: c.locale})
			})
			tb.open("/documents/contoso-365-soc-2-type-2/")
			published := `document.querySelector(".meta time[datetime='2026-11-13']")`
			if got := eval[string](tb, published+`.textContent`); got != c.long {
				t.Errorf("published reads %q, want %q", got, c.long)
			}
			if got := eval[string](tb, `document.querySelector("table.versions time:not(.long)[datetime='2026-11-13']").textContent`); got != c.short {
				t.Errorf("short date reads %q, want %q", got, c.short)
			}
		})
	}
}

// TestFilteredRowsReadLikeTheList narrows a list in the browser, where
// site.js builds the rows from catalog.json, and checks that every document
// reads as it does in the built list: its badge (Updated or New), "All
// services", dates, version, size and the download link.
func TestFilteredRowsReadLikeTheList(t *testing.T) {
	tb := newTab(t)
	// Each row's cells as shown, and its download link's attributes, by
	// the document's address.
	rows := func() map[string][]string {
		js := eval[string](tb, `JSON.stringify(Array.from(document.querySelectorAll("table.docs tbody tr")).map(function (tr) {
			var a = tr.querySelector("a.download");
			return [tr.querySelector("th a").getAttribute("href")].concat(
				Array.from(tr.cells).map(function (c) { return c.innerText.trim(); }),
				[a.getAttribute("href"), a.getAttribute("type"), String(a.hasAttribute("download"))]);
		}))`)
		var list [][]string
		if err := json.Unmarshal([]byte(js), &list); err != nil {
			t.Fatal(err)
		}
		out := map[string][]string{}
		for _, r := range list {
			out[r[0]] = r[1:]
		}
		return out
	}
	tb.open("/compliance-reports/")
	built := rows()
	// Every compliance report was published after 2000: the filter keeps
	// them all, and site.js draws each row anew.
	tb.open("/compliance-reports/?from=2000-01-01")
	tb.wait(`document.querySelector("[data-total]").textContent.indexOf("match") > 0`, "the filtered list")
	if tb.visible("[data-pager]") {
		t.Error("the filtered list still shows the pager")
	}
	filtered := rows()
	if len(built) == 0 || len(filtered) != len(built) {
		t.Fatalf("the filtered list has %d rows, the built one %d", len(filtered), len(built))
	}
	var updated, allServices bool
	for href, want := range built {
		got := filtered[href]
		if !slices.Equal(got, want) {
			t.Errorf("%s reads\n%q filtered, but\n%q in the built list", href, got, want)
		}
		updated = updated || strings.Contains(want[0], "Updated")
		allServices = allServices || want[1] == "All services"
	}
	if !updated || !allServices {
		t.Errorf("the sample's compliance reports should show an Updated badge (%v) and All services (%v)", updated, allServices)
	}
}
