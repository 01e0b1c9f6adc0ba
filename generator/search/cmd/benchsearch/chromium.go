package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The network a reader is assumed to have: 10 Mbit/s down, 40 ms round
// trips.
const (
	throttleBytesPerSecond = 10e6 / 8
	throttleLatencyMs      = 40
)

// browser is one headless Chromium, driven over the DevTools protocol.
type browser struct {
	ctx    context.Context
	cancel func()
	base   string // the harness server's URL
	stop   func()
}

// browserResult is what the harness measured for one engine at one size.
type browserResult struct {
	ColdMs, ColdBytes     float64 // first answer, cache disabled
	RepeatMs, RepeatBytes float64 // first answer on a second visit, cache enabled
	Warm                  []float64
}

func startBrowser(chromium, site string, queries []string) (*browser, error) {
	mux := http.NewServeMux()
	mux.Handle("/site/", http.StripPrefix("/site", siteHandler(site)))
	mux.HandleFunc("/bench.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		qj, _ := json.Marshal(queries)
		fmt.Fprintf(w, harness, string(qj))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	profile, err := os.MkdirTemp("", "stp-benchsearch-chromium-")
	if err != nil {
		srv.Close()
		return nil, err
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU,
			chromedp.UserDataDir(filepath.Join(profile, "profile")),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-background-networking", true),
		)...)
	ctx, cancel := chromedp.NewContext(alloc)
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		srv.Close()
		os.RemoveAll(profile)
		return nil, fmt.Errorf("starting %s: %w", chromium, err)
	}
	return &browser{ctx: ctx, base: "http://" + ln.Addr().String(), cancel: func() { cancel(); cancelAlloc() },
		stop: func() { srv.Close(); os.RemoveAll(profile) }}, nil
}

func (b *browser) close() {
	b.cancel()
	b.stop()
}

// call turns a protocol command into an action.
func call[P, R any](cmd cdp.Command[P, R], params P) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, cmd, params)
		return err
	})
}

// measure runs the harness for engine ("stp" with the manifest at
// manifest, or "pagefind") in two fresh browser contexts on the throttled
// network: one with the cache disabled (the first answer on a first visit,
// then warm queries), one with it enabled, visited twice (the second
// visit's first answer and bytes).
func (b *browser) measure(engine, manifest string, repeat int) (browserResult, error) {
	var res browserResult
	page := b.base + "/bench.html"
	args := fmt.Sprintf("(%q, %q)", engine, manifest)
	cold := func(ctx context.Context) error {
		var first struct{ Ms, Bytes float64 }
		err := run(ctx, &first, true, page, "benchFirst"+args)
		res.ColdMs, res.ColdBytes = first.Ms, first.Bytes
		if err != nil {
			return err
		}
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](fmt.Sprintf("benchWarm(%d)", repeat), chromedp.EvalAwaitPromise))
		res.Warm = v
		return err
	}
	repeatVisit := func(ctx context.Context) error {
		var first struct{ Ms, Bytes float64 }
		if err := run(ctx, &first, false, page, "benchFirst"+args); err != nil {
			return err
		}
		err := run(ctx, &first, false, page, "benchFirst"+args)
		res.RepeatMs, res.RepeatBytes = first.Ms, first.Bytes
		return err
	}
	for _, step := range []func(context.Context) error{cold, repeatVisit} {
		ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
		tctx, tcancel := context.WithTimeout(ctx, 10*time.Minute)
		err := step(tctx)
		tcancel()
		cancel()
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// run opens the harness page on the throttled network and evaluates js,
// a promise, into v.
func run[T any](ctx context.Context, v *T, noCache bool, page, js string) error {
	err := chromedp.Do(ctx,
		call(network.Enable, network.EnableParams{}),
		call(network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: noCache}),
		call(network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{
				Latency: throttleLatencyMs, DownloadThroughput: throttleBytesPerSecond, UploadThroughput: throttleBytesPerSecond,
			}},
		}),
		chromedp.Navigate(page),
	)
	if err != nil {
		return err
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		return err
	}
	*v = got
	return nil
}

// harness loads each engine as its own page script would: stp as
// layouts/assets/search.js does (manifest, wasm_exec.js, the engine
// streamed and compiled while the index downloads), Pagefind through its
// pagefind.js API (init, search, the top ten results' data, the filter
// counts, which is what stp's one answer holds), without its worker:
// DevTools' throttling does not reach a dedicated worker (a worker
// fetched 1.25 MB in 0.12 s under the 10 Mbit/s throttle), and on the
// page Pagefind is spared the worker script's bytes. The first answer is
// timed from the start of loading; the bytes are every response of the
// site's (Resource Timing's transferSize: body as sent, plus headers; a
// cached file counts 0). benchWarm runs every query once untimed (so
// Pagefind has fetched the chunks each needs), then repeat times each.
const harness = `<!doctype html><meta charset="utf-8"><title>bench</title><body><script>
const queries = %s;
let one;
const bytes = () => performance.getEntriesByType("resource").filter(e => e.name.includes("/site/")).reduce((s, e) => s + e.transferSize, 0);
async function stp(manifestURL) {
  const m = await (await fetch(manifestURL, {cache: "no-cache"})).json();
  const at = (n) => new URL(n, new URL(manifestURL, location.href)).href;
  const index = fetch(at(m.index)).then(r => r.arrayBuffer());
  await new Promise((ok, bad) => { const s = document.createElement("script"); s.src = at(m.runtime); s.onload = ok; s.onerror = bad; document.head.appendChild(s); });
  const go = new Go();
  const inst = await WebAssembly.instantiateStreaming(fetch(at(m.engine)), go.importObject);
  go.run(inst.instance);
  const opened = JSON.parse(stpSearch.open(new Uint8Array(await index)));
  if (opened.error) throw new Error(opened.error);
  return async (q) => { const r = JSON.parse(stpSearch.run(q)); if (r.error) throw new Error(r.error); return r; };
}
async function pagefind() {
  const text = (q) => new URLSearchParams(q).get("q") || null;
  const filters = (q) => { const p = new URLSearchParams(q), f = {}; for (const k of ["kind","standard","service","region","industry"]) { const v = p.getAll(k); if (v.length) f[k] = {any: v}; } return f; };
  const pf = await import("/site/pagefind/pagefind.js");
  await pf.options({noWorker: true});
  await pf.init();
  return async (q) => { const r = await pf.search(text(q), {filters: filters(q)}); await Promise.all(r.results.slice(0, 10).map(x => x.data())); await pf.filters(); return r; };
}
async function benchFirst(engine, manifestURL) {
  const t0 = performance.now();
  one = engine === "stp" ? await stp("/site/" + manifestURL) : await pagefind();
  await one(queries[0]);
  return {Ms: performance.now() - t0, Bytes: bytes()};
}
async function benchWarm(repeat) {
  for (const q of queries) await one(q);
  const times = [];
  for (const q of queries) for (let i = 0; i < repeat; i++) { const s = performance.now(); await one(q); times.push(performance.now() - s); }
  return times;
}
</script>`

func findChromium() string {
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}
