package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/stp-portal/stp/generator/internal/sitetest"
	"github.com/stp-portal/stp/generator/serve"
	"github.com/stp-portal/stp/generator/site"
)

// buildDay is the sample's fixed build date, as in the golden tests.
var buildDay = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

// The suite's shared state, set up once by TestMain.
var (
	// siteURL is the served sample, without a trailing slash.
	siteURL string
	// siteDir is the built sample on disk.
	siteDir string
	// browserCtx owns the one Chromium process that every test opens tabs in.
	browserCtx context.Context
	// axeSource is axe-core's axe.min.js.
	axeSource string
	// artifacts is where screenshots and figures go.
	artifacts string
	// skipped says why the browser tests do not run (STP_SKIP_BROWSER=1).
	skipped string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Getenv("STP_SKIP_BROWSER") == "1" {
		skipped = "STP_SKIP_BROWSER=1"
		return m.Run()
	}
	fail := func(format string, args ...any) int {
		fmt.Fprintf(os.Stderr, "browsertest: "+format+"\n", args...)
		return 1
	}
	chromium := os.Getenv("STP_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		return fail("Chromium is missing (%v).\n"+
			"The browser tests need it: run `make test-setup` (Debian: apt-get install chromium chromium-driver),\n"+
			"point STP_CHROMIUM at another Chromium, or set STP_SKIP_BROWSER=1 to skip these tests on purpose.", err)
	}
	axe, err := os.ReadFile(filepath.Join("node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		return fail("axe-core is missing (%v).\n"+
			"Install it with `make test-setup` (it runs `npm ci` in generator/browsertest),\n"+
			"or set STP_SKIP_BROWSER=1 to skip the browser tests on purpose.", err)
	}
	axeSource = string(axe)

	root := sitetest.RepoRoot()
	artifacts = os.Getenv("STP_ARTIFACTS")
	if artifacts == "" {
		artifacts = filepath.Join(root, "test-artifacts")
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		return fail("cannot create the artefacts folder: %v", err)
	}

	tmp, err := os.MkdirTemp("", "stp-browsertest-")
	if err != nil {
		return fail("%v", err)
	}
	defer os.RemoveAll(tmp)

	siteDir = filepath.Join(tmp, "site")
	if _, err := site.Build(site.Options{Root: root, Out: siteDir, Now: buildDay}); err != nil {
		return fail("building the sample: %v", err)
	}
	srv := httptest.NewServer(serve.New(siteDir))
	defer srv.Close()
	siteURL = srv.URL

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(chromium),
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.UserDataDir(filepath.Join(tmp, "profile")),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("no-first-run", true),
			chromedp.Flag("hide-scrollbars", true),
			chromedp.Flag("lang", "en-US"),
			chromedp.WindowSize(1280, 900),
			chromedp.Env("LANG=en_US.UTF-8", "TZ=UTC"),
		)...)
	defer cancelAlloc()
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	start := time.Now()
	if err := chromedp.Do(ctx); err != nil {
		return fail("starting %s: %v", chromium, err)
	}
	browserCtx = ctx
	fmt.Printf("browsertest: sample served at %s, Chromium started in %v\n", siteURL, time.Since(start).Round(time.Millisecond))
	return m.Run()
}

// tab is one browser tab in a fresh browser context (its own storage and
// cookies), with the console watched for script errors and CSP refusals.
type tab struct {
	t   *testing.T
	ctx context.Context

	// scripts is false when the tab runs with JavaScript turned off.
	scripts bool

	mu       sync.Mutex
	problems []string
}

// tabOptions change a new tab before its first page.
type tabOption func(*tab) chromedp.Action[chromedp.Void]

// noScript turns JavaScript off in the tab, as a reader who disabled it.
func noScript(tb *tab) chromedp.Action[chromedp.Void] {
	tb.scripts = false
	return call(emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
}

// phone makes the viewport a 390 px wide phone.
func phone(tb *tab) chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch)
}

// newTab opens a tab; it closes when the test ends.
func newTab(t *testing.T, opts ...tabOption) *tab {
	t.Helper()
	if skipped != "" {
		t.Skip("browser tests skipped: " + skipped)
	}
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	t.Cleanup(func() { cancel() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	tb := &tab{t: t, scripts: true}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			text := m.String()
			if m.IsException() || strings.Contains(text, "Content Security Policy") || strings.Contains(text, "Content-Security-Policy") {
				tb.mu.Lock()
				tb.problems = append(tb.problems, fmt.Sprintf("%s:%d: %s", m.URL, m.Line+1, text))
				tb.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		for _, p := range tb.problems {
			t.Errorf("browser console: %s", p)
		}
	})
	steps := []chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(1280, 900)}
	for _, o := range opts {
		steps = append(steps, o(tb))
	}
	tctx, tcancel := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(tcancel)
	tb.ctx = tctx
	tb.do(steps...)
	return tb
}

// call turns a protocol command into an action.
func call[P, R any](cmd cdp.Command[P, R], params P) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, cmd, params)
		return err
	})
}

func (tb *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, steps...); err != nil {
		tb.t.Fatalf("%v (at %s)", err, tb.location())
	}
}

func (tb *tab) location() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "?"
	}
	return strings.TrimPrefix(loc, siteURL)
}

// open loads a site path (such as "/regions/"), or an absolute URL, and
// waits for the load event.
func (tb *tab) open(path string) {
	tb.t.Helper()
	url := path
	if !strings.HasPrefix(url, "http") {
		url = siteURL + path
	}
	resp, err := chromedp.RunResponse(tb.ctx, chromedp.Navigate(url))
	if err != nil {
		tb.t.Fatalf("opening %s: %v", path, err)
	}
	if resp != nil && resp.Status != 200 && !strings.Contains(path, "not-a-page") {
		tb.t.Fatalf("opening %s: HTTP %d", path, resp.Status)
	}
}

// follow clicks the element and waits for the page it leads to.
func (tb *tab) follow(sel string) {
	tb.t.Helper()
	resp, err := chromedp.RunResponse(tb.ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		tb.t.Fatalf("following %s: %v (at %s)", sel, err, tb.location())
	}
	if resp != nil && resp.Status != 200 {
		tb.t.Fatalf("following %s: HTTP %d", sel, resp.Status)
	}
}

// path is the tab's current site path with its query.
func (tb *tab) path() string { return tb.location() }

// eval runs JavaScript in the page (not subject to the page's CSP) and
// decodes its JSON result into T.
func eval[T any](tb *tab, js string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("evaluating %.80q: %v (at %s)", js, err, tb.location())
	}
	return v
}

// wait polls a JavaScript condition until it is true. (chromedp's Poll
// builds its predicate with new Function, which the site's CSP refuses.)
func (tb *tab) wait(cond, what string) {
	tb.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ok, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool]("!!("+cond+")"))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			tb.t.Fatalf("waiting for %s: %v (at %s)", what, err, tb.location())
		}
		time.Sleep(40 * time.Millisecond)
	}
}

// text is the trimmed text of the first element the selector finds.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	b, _ := json.Marshal(sel)
	return eval[string](tb, fmt.Sprintf(`(function(){var e=document.querySelector(%s);return e?e.innerText.trim():"<missing>";})()`, b))
}

// texts are the trimmed texts of every element the selector finds.
func (tb *tab) texts(sel string) []string {
	tb.t.Helper()
	b, _ := json.Marshal(sel)
	return eval[[]string](tb, fmt.Sprintf(`Array.from(document.querySelectorAll(%s), function(e){return e.innerText.trim();})`, b))
}

// attrs are an attribute of every element the selector finds.
func (tb *tab) attrs(sel, name string) []string {
	tb.t.Helper()
	b, _ := json.Marshal(sel)
	n, _ := json.Marshal(name)
	return eval[[]string](tb, fmt.Sprintf(`Array.from(document.querySelectorAll(%s), function(e){return e.getAttribute(%s)||"";})`, b, n))
}

// visible reports whether the selector finds an element that is rendered.
func (tb *tab) visible(sel string) bool {
	tb.t.Helper()
	b, _ := json.Marshal(sel)
	return eval[bool](tb, fmt.Sprintf(`(function(){var e=document.querySelector(%s);if(!e)return false;var r=e.getBoundingClientRect();return r.width>0&&r.height>0&&getComputedStyle(e).visibility!=="hidden";})()`, b))
}

// colorScheme emulates prefers-color-scheme ("light" or "dark").
func (tb *tab) colorScheme(scheme string) {
	tb.t.Helper()
	tb.do(call(emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	}))
}

// screenshot writes a full-page PNG of the tab into the artefacts folder.
func (tb *tab) screenshot(name string) string {
	tb.t.Helper()
	// Let fonts and the scripts' last changes settle. (With scripts off,
	// a promise never settles: the page is static anyway.)
	if tb.scripts {
		eval[bool](tb, `document.fonts.ready.then(function(){return new Promise(function(r){requestAnimationFrame(function(){requestAnimationFrame(function(){r(true);});});});})`)
	}
	png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	file := filepath.Join(artifacts, name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	return file
}

// screenshots writes the page at desktop width, then loads it again at
// phone width for a second one, and leaves the tab at desktop width.
func (tb *tab) screenshots(name string) {
	tb.t.Helper()
	tb.screenshot(name + "-desktop")
	tb.do(phone(tb))
	tb.open(tb.path())
	tb.screenshot(name + "-phone")
	tb.do(chromedp.EmulateViewport(1280, 900))
	tb.open(tb.path())
}
