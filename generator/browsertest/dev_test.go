package browsertest

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stp-portal/stp/generator/devserver"
	"github.com/stp-portal/stp/generator/internal/sitetest"
	"github.com/stp-portal/stp/generator/site"
)

// TestDevServerReloadsTheOpenPage runs the dev server over a copy of the
// sample with a document's page open in Chromium, saves an edit of that
// document, and waits for the page to reload by itself and show it; then
// breaks the catalog and waits for the overlay. The page's reload script,
// its event stream (which names the open page, so that the server writes
// it first) and the site's CSP are all real.
func TestDevServerReloadsTheOpenPage(t *testing.T) {
	tb := newTab(t)
	root := t.TempDir()
	repo := sitetest.RepoRoot()
	for _, dir := range []string{"content", "layouts"} {
		sitetest.CopyTree(t, filepath.Join(repo, dir), filepath.Join(root, dir))
	}
	catalog, err := os.ReadFile(filepath.Join(repo, "catalog.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	catPath := filepath.Join(root, "catalog.yaml")
	sitetest.WriteFile(t, catPath, catalog)

	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String() + "/"
	dev, err := devserver.New(devserver.Options{Build: site.Options{Root: root, Out: filepath.Join(t.TempDir(), "out"), Now: buildDay, BaseURL: base}})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = dev
	srv.Start()
	stop := make(chan struct{})
	watching := make(chan error, 1)
	go func() { watching <- dev.Watch(stop) }()
	t.Cleanup(func() {
		srv.CloseClientConnections() // the page's event stream never ends by itself
		srv.Close()
		close(stop)
		if err := <-watching; err != nil {
			t.Error(err)
		}
		dev.WaitIndex()
	})

	const summary = "The shareable summary of the Contoso 365 SOC 2 examination for October 2025 to September 2026."
	if !strings.Contains(string(catalog), summary) {
		t.Fatal("the sample no longer has the summary this test edits")
	}
	tb.open(base + "documents/contoso-365-soc-3/")
	tb.wait(`document.body.innerText.includes(`+jsString(summary)+`)`, "the document's page")
	// A marker that a reload clears, once the page is listening.
	tb.wait(`document.documentElement.hasAttribute("data-stp-live")`, "the event stream")
	eval[bool](tb, `window.stpMarker = true`)

	events, unsubscribe := dev.Subscribe("")
	defer unsubscribe()
	edited := strings.Replace(string(catalog), summary, "An edited summary, saved while the page was open.", 1)
	sitetest.WriteFile(t, catPath, []byte(edited))
	tb.wait(`!window.stpMarker && document.body.innerText.includes("An edited summary, saved while the page was open.")`, "the page to reload with the edit")
	// The browser named its page, so the server wrote it first and said so.
	select {
	case ev := <-events:
		if ev.Type != "reload" || !ev.Partial {
			t.Errorf("first event after the edit %+v, want the early reload of the open page", ev)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no event after the edit")
	}

	// A broken save: the overlay names the place; the page stays.
	eval[bool](tb, `window.stpMarker = true`)
	sitetest.WriteFile(t, catPath, []byte(strings.Replace(edited, "regions: all", "regions: [atlantis]", 1)))
	tb.wait(`window.stpMarker && document.body.innerText.includes("catalog.yaml:") && document.body.innerText.includes("atlantis")`, "the error overlay")
}
