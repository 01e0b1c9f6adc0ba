package e2e

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stp-portal/stp/proxy/entra"
	"github.com/stp-portal/stp/proxy/stack"
)

// The load test is off by default, because it is about figures rather than
// correctness and it keeps both cores busy:
//
//	go test ./proxy/e2e -run TestLoad -v -args -load 5s
var (
	loadDuration = flag.Duration("load", 0, "run TestLoad for this long per target (e.g. 5s)")
	loadWorkers  = flag.Int("load-workers", 8, "concurrent clients in TestLoad")
)

// TestLoad measures a signed-in reader's page and download through the real
// proxy, in the demo topology and through the production one's terminator
// (two replicas, sessions in Redis), bounded in time, and fails on any
// error.
func TestLoad(t *testing.T) {
	if *loadDuration == 0 {
		t.Skip("load test not requested; run with -args -load 5s")
	}
	for _, tp := range []struct {
		name string
		prod *stack.Production
	}{
		{"demo", nil},
		{"production-nginx", &stack.Production{Terminator: stack.Nginx}},
		{"production-caddy", &stack.Production{Terminator: stack.Caddy}},
	} {
		t.Run(tp.name, func(t *testing.T) {
			g := startGate(t, stack.Config{Production: tp.prod})
			b := newBrowser(t, g)
			if res := b.signIn("/", entra.DemoUser); res.StatusCode != 200 {
				t.Fatalf("sign-in: %d", res.StatusCode)
			}
			cookie := g.CookieName + "=" + b.sessionCookie().Value
			for _, target := range []struct{ name, path, want string }{
				{"page", "/compliance-reports/", siteFiles["compliance-reports/index.html"]},
				{"download (64 KiB PDF)", "/documents/soc2/SOC%202%20Type%20II.pdf", siteFiles["documents/soc2/SOC 2 Type II.pdf"]},
			} {
				r := load(t, g, g.ProxyURL+target.path, cookie, target.want, *loadWorkers, *loadDuration)
				t.Logf("%-17s %-22s %d workers, %s: %d requests, %.0f req/s, p50 %s, p99 %s, errors %d",
					tp.name, target.name, *loadWorkers, *loadDuration, r.requests, r.perSecond, r.p50, r.p99, r.errors)
				if r.errors > 0 {
					t.Errorf("%s: %d errors, first: %v", target.name, r.errors, r.firstErr)
				}
			}
		})
	}
}

type loadResult struct {
	requests, errors int
	perSecond        float64
	p50, p99         time.Duration
	firstErr         error
}

func load(t *testing.T, g *gate, url, cookie, want string, workers int, d time.Duration) loadResult {
	transport := &http.Transport{MaxIdleConnsPerHost: workers, DisableCompression: true, TLSClientConfig: g.TLSConfig()}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	var mu sync.Mutex
	var latencies []time.Duration
	var res loadResult
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			var errs int
			var first error
			for time.Now().Before(deadline) {
				req, _ := http.NewRequest("GET", url, nil)
				req.Header.Set("Cookie", cookie)
				t0 := time.Now()
				r, err := client.Do(req)
				if err == nil {
					var body []byte
					body, err = io.ReadAll(r.Body)
					r.Body.Close()
					if err == nil && (r.StatusCode != 200 || string(body) != want) {
						err = fmt.Errorf("status %d, %d bytes", r.StatusCode, len(body))
					}
				}
				mine = append(mine, time.Since(t0))
				if err != nil {
					errs++
					if first == nil {
						first = err
					}
				}
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			res.errors += errs
			if res.firstErr == nil {
				res.firstErr = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(latencies)
	res.requests = len(latencies)
	res.perSecond = float64(len(latencies)) / elapsed.Seconds()
	if n := len(latencies); n > 0 {
		res.p50 = latencies[n/2].Round(10 * time.Microsecond)
		res.p99 = latencies[min(n-1, n*99/100)].Round(10 * time.Microsecond)
	}
	return res
}
