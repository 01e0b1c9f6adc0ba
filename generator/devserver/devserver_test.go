package devserver

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stp-portal/stp/generator/internal/sitetest"
	"github.com/stp-portal/stp/generator/site"
)

const catalogYAML = `site:
  title: Dev Portal
  base_url: https://trust.example.com/
regions:
  - {id: europe, name: Europe}
industries:
  - {id: health, name: Healthcare}
services:
  - {id: cloud, name: Cloud}
standards:
  - {id: soc-2, name: SOC 2}
documents:
  - id: soc
    kind: compliance-report
    title: SOC 2 Report
    summary: The first summary.
    version: "2025"
    services: [cloud]
    standards: [soc-2]
    regions: all
    industries: all
    published: 2025-01-10
    audit_period: {from: 2024-01-01, to: 2024-12-31}
    file: files/soc.pdf
`

// devSite writes a small site with the repository's layouts and starts a
// dev server over it, watching.
func devSite(t *testing.T) (root string, srv *httptest.Server, events <-chan Event) {
	t.Helper()
	root = t.TempDir()
	write(t, filepath.Join(root, "catalog.yaml"), catalogYAML)
	write(t, filepath.Join(root, "content", "files", "soc.pdf"), "%PDF-1.4 soc")
	write(t, filepath.Join(root, "content", "faq.md"), "---\ntitle: FAQ\npublic: true\n---\nQuestions.\n")
	sitetest.CopyTree(t, filepath.Join(sitetest.RepoRoot(), "layouts"), filepath.Join(root, "layouts"))
	s, err := New(Options{Build: site.Options{Root: root, Out: filepath.Join(t.TempDir(), "out"), Now: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)}})
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	watching := make(chan error, 1)
	go func() { watching <- s.Watch(stop) }()
	srv = httptest.NewServer(s)
	t.Cleanup(func() {
		srv.Close()
		close(stop)
		if err := <-watching; err != nil {
			t.Error(err)
		}
		s.builder.WaitIndex()
	})
	events = subscribe(t, srv.URL)
	if ev := <-events; ev.Type != "helloreload" {
		t.Fatalf("first event %+v, want the current state (a good build)", ev)
	}
	time.Sleep(50 * time.Millisecond) // let the watcher settle
	return root, srv, events
}

func subscribe(t *testing.T, base string) <-chan Event { return subscribePage(t, base, "") }

// subscribePage listens to events as a browser showing page does.
func subscribePage(t *testing.T, base, page string) <-chan Event {
	t.Helper()
	res, err := http.Get(base + "/_stp/events?page=" + url.QueryEscape(page))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	out := make(chan Event, 16)
	go func() {
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var ev Event
				if json.Unmarshal([]byte(data), &ev) == nil {
					out <- ev
				}
			}
		}
	}()
	return out
}

func next(t *testing.T, events <-chan Event) Event {
	t.Helper()
	select {
	case ev := <-events:
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10 s of the edit")
	}
	return Event{}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestEditReloadsAndErrorsShowInThePage(t *testing.T) {
	root, srv, events := devSite(t)
	_, page := get(t, srv.URL+"/documents/soc/")
	if !strings.Contains(page, "The first summary.") || !strings.Contains(page, "/_stp/reload.js") {
		t.Fatalf("document page lacks its summary or the reload script")
	}

	// An edit: a reload event, and the page shows it.
	cat := filepath.Join(root, "catalog.yaml")
	write(t, cat, strings.Replace(catalogYAML, "The first summary.", "The second summary.", 1))
	if ev := next(t, events); ev.Type != "reload" {
		t.Fatalf("event %+v after an edit, want reload", ev)
	}
	if _, page = get(t, srv.URL+"/documents/soc/"); !strings.Contains(page, "The second summary.") {
		t.Errorf("the edit is not on the page")
	}

	// Broken YAML: an error event naming the place and the line; the last
	// good page is still served.
	write(t, cat, strings.Replace(strings.Replace(catalogYAML, "The first summary.", "The second summary.", 1), "regions: all", "regions: [europa]", 1))
	ev := next(t, events)
	if ev.Type != "error" || len(ev.Problems) != 1 {
		t.Fatalf("event %+v after a broken edit, want one error", ev)
	}
	p := ev.Problems[0]
	if p.File != "catalog.yaml" || p.Line != 20 || p.Col != 15 || !strings.Contains(p.Message, `unknown region "europa"`) || p.Source != "    regions: [europa]" {
		t.Errorf("problem %+v", p)
	}
	if _, page = get(t, srv.URL+"/documents/soc/"); !strings.Contains(page, "The second summary.") {
		t.Errorf("the last good page is no longer served")
	}
	// A page opened now learns of the error at once.
	if ev := next(t, subscribe(t, srv.URL)); ev.Type != "helloerror" {
		t.Errorf("a new page got %+v, want the error", ev)
	}

	// Fixed: a reload.
	write(t, cat, catalogYAML)
	if ev := next(t, events); ev.Type != "reload" {
		t.Fatalf("event %+v after the fix, want reload", ev)
	}

	// A new page in a new folder, an editor's atomic save (write a
	// temporary file, rename it over), and a deleted page.
	write(t, filepath.Join(root, "content", "guide.md"), "---\ntitle: Guide\n---\nRead me.\n")
	next(t, events)
	if code, _ := get(t, srv.URL+"/guide/"); code != 200 {
		t.Errorf("new page: %d", code)
	}
	tmp := filepath.Join(root, "content", ".guide.md.swp")
	write(t, tmp, "---\ntitle: Guide\n---\nRead me twice.\n")
	if err := os.Rename(tmp, filepath.Join(root, "content", "guide.md")); err != nil {
		t.Fatal(err)
	}
	next(t, events)
	if _, page := get(t, srv.URL+"/guide/"); !strings.Contains(page, "Read me twice.") {
		t.Errorf("atomic save not picked up")
	}
	if err := os.Remove(filepath.Join(root, "content", "guide.md")); err != nil {
		t.Fatal(err)
	}
	next(t, events)
	if code, _ := get(t, srv.URL+"/guide/"); code != 404 {
		t.Errorf("deleted page still served: %d", code)
	}

	// A layout error points at the layout.
	tpl := filepath.Join(root, "layouts", "page.html")
	src, _ := os.ReadFile(tpl)
	write(t, tpl, strings.Replace(string(src), "{{.Content.Body}}", "{{.Content.Bodyy}}", 1))
	if ev := next(t, events); ev.Type != "error" || ev.Problems[0].File != "layouts/page.html" || ev.Problems[0].Line == 0 {
		t.Errorf("layout error event %+v", ev)
	}
	// A call of a template no layout defines, and a field a partial's row
	// does not have: the overlay shows the layout's line and the fix.
	write(t, tpl, strings.Replace(string(src), "{{.Content.Body}}", "{{template \"sidebar\" .}}{{.Content.Body}}", 1))
	ev = next(t, events)
	if ev.Type != "error" || len(ev.Problems) != 1 {
		t.Fatalf("event %+v after calling an undefined template, want one error", ev)
	}
	if p := ev.Problems[0]; p.File != "layouts/page.html" || p.Line == 0 || !strings.Contains(p.Source, `{{template "sidebar" .}}`) || !strings.Contains(p.Message, `no template is called "sidebar"`) {
		t.Errorf("problem %+v", p)
	}
}

// TestOpenPageIsWrittenFirst edits a layout that every page uses with a
// document's page open: that page is written and reloaded first, the rest
// of the site follows, and a request for a page not yet written waits for
// it rather than getting the old one.
func TestOpenPageIsWrittenFirst(t *testing.T) {
	root, srv, events := devSite(t)
	open := subscribePage(t, srv.URL, "/documents/soc/")
	if ev := next(t, open); ev.Type != "helloreload" {
		t.Fatalf("first event %+v", ev)
	}
	footer := filepath.Join(root, "layouts", "partials", "footer.html")
	src, err := os.ReadFile(footer)
	if err != nil {
		t.Fatal(err)
	}
	write(t, footer, strings.Replace(string(src), "</footer>", "<p>Footer edit.</p></footer>", 1))
	ev := next(t, open)
	if ev.Type != "reload" || !ev.Partial {
		t.Fatalf("first event after a layout edit %+v, want an early reload", ev)
	}
	if _, page := get(t, srv.URL+"/documents/soc/"); !strings.Contains(page, "Footer edit.") {
		t.Errorf("the open page was not written before its reload")
	}
	if _, page := get(t, srv.URL+"/regions/europe/"); !strings.Contains(page, "Footer edit.") {
		t.Errorf("a page requested during the rebuild is the old one")
	}
	if ev := next(t, open); ev.Type != "built" || ev.Rendered < 10 {
		t.Errorf("second event %+v, want the whole rebuild", ev)
	}
	// A page without a page parameter hears the same.
	if a, b := next(t, events), next(t, events); a.Type != "reload" || !a.Partial || b.Type != "built" {
		t.Errorf("events %+v, %+v", a, b)
	}
	// An edit that leaves the open page as it was reloads once, at the end.
	write(t, filepath.Join(root, "content", "faq.md"), "---\ntitle: FAQ\npublic: true\n---\nMore questions.\n")
	if ev := next(t, open); ev.Type != "reload" || ev.Partial {
		t.Errorf("event %+v after an edit elsewhere, want one reload", ev)
	}
}

func TestReloadScriptIsServed(t *testing.T) {
	_, srv, _ := devSite(t)
	code, body := get(t, srv.URL+"/_stp/reload.js")
	if code != 200 || !strings.Contains(body, "EventSource") || strings.Contains(body, "innerHTML") {
		t.Errorf("reload.js: %d", code)
	}
}

func write(t *testing.T, path, data string) { sitetest.WriteFile(t, path, []byte(data)) }
