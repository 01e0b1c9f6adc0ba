// Command benchsearch measures search at several catalog sizes and prints
// the figures the search issue asks for: index and engine bytes (raw and
// brotli), bytes a reader downloads before the first answer, time to first
// answer, warm query latency (Node and headless Chromium), server latency,
// and the same for Pagefind over HTML pages made from the same records.
//
//	go run ./generator/search/cmd/benchsearch -n 10000,100000
//
// Node, Chromium (chromium or google-chrome on PATH), brotli and Pagefind
// (npx pagefind, or -pagefind PATH) are used when present and skipped with
// a note when not.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stp-portal/stp/generator/search"
	"github.com/stp-portal/stp/generator/synth"
)

func main() {
	sizes := flag.String("n", "10000,100000", "comma-separated catalog `sizes`")
	repeat := flag.Int("repeat", 5, "runs of each query for warm latency")
	pagefindMax := flag.Int("pagefind-max", 10000, "largest size to run Pagefind on (it is slow to index)")
	pagefind := flag.String("pagefind", "", "pagefind binary (default: npx pagefind)")
	work := flag.String("work", "", "work `directory` (default: a temporary one, removed after)")
	flag.Parse()

	dir := *work
	if dir == "" {
		d, err := os.MkdirTemp("", "stp-benchsearch-")
		check(err)
		defer os.RemoveAll(d)
		dir = d
	}
	eng, err := search.DefaultEngine()
	check(err)
	root := moduleRoot()
	searchJS, _ := os.ReadFile(filepath.Join(root, "layouts", "assets", "search.js"))
	nodeScript := filepath.Join(root, "generator", "search", "testdata", "wasm_node.js")

	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		check(err)
		bench(n, dir, eng, searchJS, nodeScript, *repeat, n <= *pagefindMax, *pagefind)
	}
}

func bench(n int, work string, eng *search.Engine, searchJS []byte, nodeScript string, repeat int, withPagefind bool, pagefindBin string) {
	fmt.Printf("\n== %d documents ==\n", n)
	recs := synth.SearchRecords(n, 1)
	site := filepath.Join(work, fmt.Sprintf("site-%d", n))
	os.RemoveAll(site)
	dir := filepath.Join(site, "search")
	t0 := time.Now()
	m, err := search.Write(dir, recs, synth.SearchLabels(), eng)
	check(err)
	fmt.Printf("index build                %8.2f s\n", time.Since(t0).Seconds())
	idxBytes, _ := os.ReadFile(filepath.Join(dir, m.Index))
	manifest, _ := os.ReadFile(filepath.Join(dir, m.File))
	ib, wb, rb, sb := brotliLen(idxBytes), brotliLen(eng.WASM), brotliLen(eng.Runtime), brotliLen(searchJS)
	fmt.Printf("index bytes                %s raw, %s brotli\n", mb(len(idxBytes)), mb(ib))
	fmt.Printf("wasm bytes                 %s raw, %s brotli\n", mb(len(eng.WASM)), mb(wb))
	fmt.Printf("before first answer        %s brotli (wasm %s + index %s + wasm_exec.js %s + search.js %s + manifest %d B)\n",
		mb(ib+wb+rb+sb+len(manifest)), mb(wb), mb(ib), kb(rb), kb(sb), len(manifest))

	queries := synth.SearchQueries()
	qfile := filepath.Join(work, "queries.json")
	qj, _ := json.Marshal(queries)
	check(os.WriteFile(qfile, qj, 0o644))

	// Native, to compare.
	t0 = time.Now()
	idx, err := search.OpenDir(dir)
	check(err)
	openT := time.Since(t0)
	var native []float64
	for _, q := range queries {
		for i := 0; i < repeat; i++ {
			t := time.Now()
			search.AnswerJSON(context.Background(), idx, q)
			native = append(native, ms(time.Since(t)))
		}
	}
	fmt.Printf("native (Go)                open %6.1f ms, p50 %6.2f ms, p99 %6.2f ms\n", ms(openT), pct(native, 50), pct(native, 99))

	// Server, over HTTP on localhost, warmed as search.Handler warms it.
	t0 = time.Now()
	check(idx.Warm())
	fmt.Printf("server warm-up              %6.0f ms\n", ms(time.Since(t0)))
	srv := httptest.NewServer(search.NewHandler(idx))
	var server []float64
	for _, q := range queries {
		for i := 0; i < repeat; i++ {
			t := time.Now()
			resp, err := http.Get(srv.URL + "/api/search?" + q)
			check(err)
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			server = append(server, ms(time.Since(t)))
		}
	}
	srv.Close()
	fmt.Printf("server (HTTP)              p50 %6.2f ms, p99 %6.2f ms\n", pct(server, 50), pct(server, 99))

	// Node.
	if node, err := exec.LookPath("node"); err == nil {
		out, err := exec.Command(node, "--max-old-space-size=4096", nodeScript, filepath.Join(dir, m.Engine), filepath.Join(dir, m.Runtime), filepath.Join(dir, m.Index), qfile, strconv.Itoa(repeat)).Output()
		if err != nil {
			fmt.Printf("node                       failed: %v\n", err)
		} else {
			var r struct {
				LoadMs float64
				Times  [][]float64
			}
			check(json.Unmarshal(out, &r))
			var all []float64
			for _, ts := range r.Times {
				all = append(all, ts...)
			}
			fmt.Printf("wasm in Node               first answer %6.0f ms (instantiate, open, query), p50 %6.2f ms, p99 %6.2f ms\n", r.LoadMs, pct(all, 50), pct(all, 99))
		}
	} else {
		fmt.Println("wasm in Node               skipped: node not on PATH")
	}

	// Pagefind needs pages to index.
	pfOK := false
	if withPagefind {
		t0 = time.Now()
		if err := pagefindIndex(site, recs, pagefindBin); err != nil {
			fmt.Printf("pagefind                   skipped: %v\n", err)
		} else {
			pfOK = true
			fmt.Printf("pagefind index build       %8.2f s (%d pages)\n", time.Since(t0).Seconds(), n)
		}
	}

	chromium := findChromium()
	if chromium == "" {
		fmt.Println("chromium                   skipped: chromium not on PATH")
		return
	}
	for _, engine := range []string{"stp", "pagefind"} {
		if engine == "pagefind" && !pfOK {
			continue
		}
		r, err := inChromium(chromium, site, "search/"+m.File, engine, queries, repeat)
		if err != nil {
			fmt.Printf("%-26s failed: %v\n", engine+" in Chromium", err)
			continue
		}
		label := "wasm in Chromium"
		if engine == "pagefind" {
			label = "Pagefind in Chromium"
		}
		fmt.Printf("%-26s first answer %6.0f ms cold (%s transferred), p50 %6.2f ms, p99 %6.2f ms\n",
			label, r.FirstMs, mb(int(r.Bytes)), pct(r.Times, 50), pct(r.Times, 99))
	}
}

func pagefindIndex(site string, recs []search.Record, bin string) error {
	pages := filepath.Join(site, "documents")
	page := template.Must(template.New("p").Parse(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body><main data-pagefind-body><h1>{{.Title}}</h1><p>{{.Summary}}</p><p>{{.Body}}</p>
<p><span data-pagefind-filter="kind">{{.Kind}}</span>{{range .Standards}} <span data-pagefind-filter="standard">{{.}}</span>{{end}}{{range .Services}} <span data-pagefind-filter="service">{{.}}</span>{{end}}</p>
<div hidden>{{range .Regions}}<span data-pagefind-filter="region">{{.}}</span>{{end}}{{range .Industries}}<span data-pagefind-filter="industry">{{.}}</span>{{end}}</div>
</main></body></html>`))
	for i := range recs {
		d := filepath.Join(pages, recs[i].ID)
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		var b bytes.Buffer
		if err := page.Execute(&b, &recs[i]); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(d, "index.html"), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	var cmd *exec.Cmd
	if bin != "" {
		cmd = exec.Command(bin, "--site", site)
	} else if npx, err := exec.LookPath("npx"); err == nil {
		cmd = exec.Command(npx, "--no-install", "pagefind", "--site", site)
	} else {
		return fmt.Errorf("pagefind not found (npm install pagefind, or -pagefind PATH)")
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, tail(out))
	}
	return nil
}

type chromeResult struct {
	FirstMs float64
	Bytes   float64
	Times   []float64
	Error   string
}

// inChromium serves the site and a harness page on localhost, runs the
// harness in headless Chromium with a fresh profile (cold cache), and
// returns what the page measured.
func inChromium(chromium, site, manifest, engine string, queries []string, repeat int) (chromeResult, error) {
	results := make(chan chromeResult, 1)
	mux := http.NewServeMux()
	mux.Handle("/site/", http.StripPrefix("/site/", http.FileServer(http.Dir(site))))
	mux.HandleFunc("/bench.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		qj, _ := json.Marshal(queries)
		fmt.Fprintf(w, harness, engine, "/site/"+manifest, string(qj), repeat)
	})
	mux.HandleFunc("/result", func(w http.ResponseWriter, r *http.Request) {
		var res chromeResult
		json.NewDecoder(r.Body).Decode(&res)
		select {
		case results <- res:
		default:
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return chromeResult{}, err
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	defer srv.Close()
	profile, _ := os.MkdirTemp("", "stp-chromium-")
	defer os.RemoveAll(profile)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--no-first-run", "--user-data-dir="+profile, "--remote-debugging-port=0",
		"http://"+ln.Addr().String()+"/bench.html")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return chromeResult{}, err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	select {
	case r := <-results:
		if r.Error != "" {
			return r, fmt.Errorf("%s", r.Error)
		}
		return r, nil
	case <-ctx.Done():
		return chromeResult{}, fmt.Errorf("timed out: %s", tail(stderr.Bytes()))
	}
}

const harness = `<!doctype html><meta charset="utf-8"><title>bench</title><body><script type="module">
const engine = %q, manifestURL = %q, queries = %s, repeat = %d;
const post = (r) => fetch("/result", {method: "POST", body: JSON.stringify(r)});
const bytes = () => performance.getEntriesByType("resource").filter(e => e.name.includes("/site/")).reduce((s, e) => s + (e.transferSize || e.encodedBodySize || 0), 0);
async function stp() {
  const t0 = performance.now();
  const m = await (await fetch(manifestURL)).json();
  const at = (n) => new URL(n, new URL(manifestURL, location.href)).href;
  await new Promise((ok, bad) => { const s = document.createElement("script"); s.src = at(m.runtime); s.onload = ok; s.onerror = bad; document.head.appendChild(s); });
  const go = new Go();
  const [inst, idx] = await Promise.all([
    WebAssembly.instantiateStreaming(fetch(at(m.engine)), go.importObject),
    fetch(at(m.index)).then(r => r.arrayBuffer())]);
  go.run(inst.instance);
  stpSearch.open(new Uint8Array(idx));
  stpSearch.run(queries[0]);
  const first = performance.now() - t0, b = bytes();
  const times = [];
  for (const q of queries) for (let i = 0; i < repeat; i++) { const s = performance.now(); stpSearch.run(q); times.push(performance.now() - s); }
  return {FirstMs: first, Bytes: b, Times: times};
}
async function pagefind() {
  const text = (q) => new URLSearchParams(q).get("q");
  const filters = (q) => { const p = new URLSearchParams(q), f = {}; for (const k of ["kind","standard","service","region","industry"]) { const v = p.getAll(k); if (v.length) f[k] = {any: v}; } return f; };
  const t0 = performance.now();
  const pf = await import("/site/pagefind/pagefind.js");
  await pf.init();
  const one = async (q) => { const r = await pf.search(text(q), {filters: filters(q)}); await Promise.all(r.results.slice(0, 10).map(x => x.data())); await pf.filters(); };
  await one(queries[0]);
  const first = performance.now() - t0, b = bytes();
  const times = [];
  for (const q of queries) { const s = performance.now(); await one(q); times.push(performance.now() - s); }
  return {FirstMs: first, Bytes: b, Times: times};
}
(engine === "stp" ? stp() : pagefind()).then(post, e => post({Error: String(e && e.stack || e)}));
</script>`

func findChromium() string {
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

func brotliLen(b []byte) int {
	p, err := exec.LookPath("brotli")
	if err != nil {
		return -1
	}
	cmd := exec.Command(p, "-c", "-q", "11")
	cmd.Stdin = bytes.NewReader(b)
	out, err := cmd.Output()
	if err != nil {
		return -1
	}
	return len(out)
}

func pct(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(float64(len(s)-1) * p / 100)
	return s[i]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func mb(n int) string {
	if n < 0 {
		return "   n/a"
	}
	return fmt.Sprintf("%6.2f MB", float64(n)/1e6)
}

func kb(n int) string { return fmt.Sprintf("%.1f KB", float64(n)/1e3) }

func tail(b []byte) string {
	if len(b) > 600 {
		b = b[len(b)-600:]
	}
	return string(b)
}

func moduleRoot() string {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	check(err)
	return filepath.Dir(strings.TrimSpace(string(out)))
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchsearch:", err)
		os.Exit(1)
	}
}
