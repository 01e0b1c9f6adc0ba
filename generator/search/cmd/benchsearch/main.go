// Command benchsearch measures search in the browser side by side with
// Pagefind, on the same pages, and prints one table: bytes before the
// first answer (as served: brotli where it is smaller), the first answer in
// headless Chromium on a throttled network (10 Mbit/s, 40 ms round trips,
// cache disabled), warm p50/p99 in Chromium, and the bytes and time of a
// second visit's first answer (cache enabled). Beside it, for stp: the
// engine's and index's bytes, the native and server latency.
//
//	go run ./generator/search/cmd/benchsearch -n 500,10000
//
// Chromium (chromium or google-chrome on PATH) and Pagefind (-pagefind
// PATH, or npx pagefind: npm install pagefind) are used when present and
// skipped with a note when not.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/stp-portal/stp/generator/internal/precompress"
	"github.com/stp-portal/stp/generator/search"
	"github.com/stp-portal/stp/generator/synth"
)

func main() {
	sizes := flag.String("n", "500,10000", "comma-separated catalog `sizes`")
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
	chromium := findChromium()
	if chromium == "" {
		fmt.Println("Chromium: skipped (chromium not on PATH)")
	}
	var rows []row
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		check(err)
		rows = append(rows, bench(n, dir, eng, chromium, *repeat, n <= *pagefindMax, *pagefind)...)
	}
	printTable(rows)
}

// row is one engine at one size in the table.
type row struct {
	n      int
	engine string
	browserResult
	err error
}

// bench measures stp and Pagefind over n synthetic documents.
func bench(n int, work string, eng *search.Engine, chromium string, repeat int, withPagefind bool, pagefindBin string) []row {
	fmt.Printf("\n== %d documents ==\n", n)
	recs := synth.SearchRecords(n, 1)
	site := filepath.Join(work, fmt.Sprintf("site-%d", n))
	os.RemoveAll(site)
	dir := filepath.Join(site, "search")
	t0 := time.Now()
	m, err := search.Write(dir, recs, synth.SearchLabels(), eng)
	check(err)
	fmt.Printf("index build                %8.2f s\n", time.Since(t0).Seconds())
	idxBytes, err := os.ReadFile(filepath.Join(dir, m.Index))
	check(err)
	fmt.Printf("index                      %s raw, %s brotli\n", mb(len(idxBytes)), mb(brotliLen(idxBytes, precompress.Changing)))
	fmt.Printf("engine (wasm)              %s raw, %s brotli\n", mb(len(eng.WASM)), mb(brotliLen(eng.WASM, precompress.Stable)))
	native(dir, repeat)

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
	check(compressSite(site))
	if chromium == "" {
		return nil
	}
	b, err := startBrowser(chromium, site, synth.SearchQueries())
	check(err)
	defer b.close()
	var rows []row
	for _, engine := range []string{"stp", "pagefind"} {
		if engine == "pagefind" && !pfOK {
			continue
		}
		r, err := b.measure(engine, "search/"+m.File, repeat)
		rows = append(rows, row{n: n, engine: engine, browserResult: r, err: err})
	}
	return rows
}

// native times the engine in Go, directly and over HTTP on localhost.
func native(dir string, repeat int) {
	queries := synth.SearchQueries()
	t0 := time.Now()
	idx, err := search.OpenDir(dir)
	check(err)
	openT := time.Since(t0)
	var direct []float64
	for _, q := range queries {
		for range repeat {
			t := time.Now()
			search.AnswerJSON(context.Background(), idx, q)
			direct = append(direct, ms(time.Since(t)))
		}
	}
	fmt.Printf("native (Go)                open %6.1f ms, p50 %6.2f ms, p99 %6.2f ms\n", ms(openT), pct(direct, 50), pct(direct, 99))
	t0 = time.Now()
	check(idx.Warm())
	warm := time.Since(t0)
	srv := httptest.NewServer(search.NewHandler(idx))
	defer srv.Close()
	var server []float64
	for _, q := range queries {
		for range repeat {
			t := time.Now()
			resp, err := http.Get(srv.URL + "/api/search?" + q)
			check(err)
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			server = append(server, ms(time.Since(t)))
		}
	}
	fmt.Printf("server (HTTP)              warm-up %.0f ms, p50 %6.2f ms, p99 %6.2f ms\n", ms(warm), pct(server, 50), pct(server, 99))
}

func printTable(rows []row) {
	if len(rows) == 0 {
		return
	}
	fmt.Printf("\nIn Chromium, %g Mbit/s down, %d ms latency:\n\n", throttleBytesPerSecond*8/1e6, throttleLatencyMs)
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 1, ' ', tabwriter.AlignRight|tabwriter.Debug)
	fmt.Fprintln(w, "documents\tengine\tbytes before first answer\tfirst answer, cold\twarm p50\twarm p99\trepeat visit: bytes\trepeat visit: first answer\t")
	for _, r := range rows {
		if r.err != nil {
			fmt.Fprintf(w, "%d\t%s\tfailed: %v\t\t\t\t\t\t\n", r.n, r.engine, r.err)
			continue
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%.2f s\t%.1f ms\t%.1f ms\t%s\t%.2f s\t\n", r.n, r.engine, mb(int(r.ColdBytes)),
			r.ColdMs/1000, pct(r.Warm, 50), pct(r.Warm, 99), kb(int(r.RepeatBytes)), r.RepeatMs/1000)
	}
	w.Flush()
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

// brotliLen is the size of data's brotli variant as stp build writes it.
func brotliLen(data []byte, level precompress.Level) int {
	vs, err := precompress.Compress(data, level)
	if err != nil {
		return -1
	}
	for _, v := range vs {
		if v.Name == "br" {
			return len(v.Data)
		}
	}
	return len(data)
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
		return "n/a"
	}
	return fmt.Sprintf("%.2f MB", float64(n)/1e6)
}

func kb(n int) string { return fmt.Sprintf("%.1f KB", float64(n)/1e3) }

func tail(b []byte) string {
	if len(b) > 600 {
		b = b[len(b)-600:]
	}
	return string(b)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchsearch:", err)
		os.Exit(1)
	}
}
