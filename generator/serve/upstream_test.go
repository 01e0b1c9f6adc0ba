package serve_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stp-portal/stp/generator/serve"
)

// preview is the router without the gate, as `stp serve --no-gate` runs it.
func preview(t *testing.T, dir string) http.Handler {
	t.Helper()
	h, err := serve.Upstream(serve.UpstreamOptions{Dir: dir, NoGate: true})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// rawGet sends target on the wire as written, through a real connection,
// and returns the status line and the response.
func rawGet(t *testing.T, addr, target string, header ...string) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: portal.example\r\nConnection: close\r\n%s\r\n", target, strings.Join(header, ""))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	res.Body = io.NopCloser(strings.NewReader(string(body)))
	return res
}

// The production router never cleans a path or redirects to a cleaned one:
// what the proxy decided on is what the site sees, and what is ambiguous is
// not found.
func TestUpstreamDoesNotCleanPaths(t *testing.T) {
	dir := site(t)
	for name, h := range map[string]http.Handler{
		"gated":   upstreamFor(t, dir, io.Discard),
		"preview": preview(t, dir),
	} {
		srv := serve.NewServer(h, serve.DefaultTimeouts)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go srv.Serve(ln)
		defer srv.Close()
		for _, target := range []string{
			"/public/../catalog.json",
			"/public/./catalog.json",
			"/public//catalog.json",
			"/public/%2e%2e/catalog.json",
			"/public/..%2fcatalog.json",
			"/public/..%5ccatalog.json",
			"/public/assets/../../catalog.json",
			"/public/../api/search?q=soc",
		} {
			res := rawGet(t, ln.Addr().String(), target)
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("%s: %s: status %d (Location %q), want 404", name, target, res.StatusCode, res.Header.Get("Location"))
			}
		}
		if res := rawGet(t, ln.Addr().String(), "/public/feed.xml"); res.StatusCode != 200 {
			t.Errorf("%s: /public/feed.xml: status %d", name, res.StatusCode)
		}
	}
}

// A request with a body is refused before anything reads it.
func TestUpstreamRefusesBodies(t *testing.T) {
	h := upstreamFor(t, site(t), io.Discard)
	for _, target := range []string{"/public/feed.xml", "/catalog.json"} {
		for _, method := range []string{"GET", "POST"} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(method, target, strings.NewReader("x")))
			if rec.Code != http.StatusRequestEntityTooLarge || rec.Header().Get("Connection") != "close" {
				t.Errorf("%s %s with a body: status %d, Connection %q", method, target, rec.Code, rec.Header().Get("Connection"))
			}
		}
	}
}

func TestRanges(t *testing.T) {
	dir := site(t)
	pdf := strings.Repeat("%PDF-1.7 ", 139)[:1250]
	if err := os.WriteFile(filepath.Join(dir, "public", "documents", "whitepaper", "Whitepaper.pdf"), []byte(pdf), 0o644); err != nil {
		t.Fatal(err)
	}
	h := preview(t, dir)
	many := make([]string, 1000)
	for i := range many {
		many[i] = fmt.Sprintf("%d-%d", i, i)
	}
	for _, tt := range []struct {
		ranges string
		status int
	}{
		{"bytes=0-3", 206},
		{"bytes=-100", 206},
		{"bytes=1000-", 206},
		{"bytes=0-0,2-2", 206},
		{"bytes=0-0,2-2,4-4,6-6,8-8", 206},
		{"bytes=0-0,2-2,4-4,6-6,8-8,10-10", 200},
		{"bytes=" + strings.Join(many, ","), 200},
		{"bytes=0-10,5-20", 200},
		{"bytes=10-20,0-5", 200},
		{"bytes=0-1199,-100", 200},
		{"bytes=1200-,0-10", 200},
		{"bytes=0-1249", 206},
		{"bytes=5000-", 416},
	} {
		rec := do(h, "GET", "/public/documents/whitepaper/Whitepaper.pdf", http.Header{"Range": {tt.ranges}})
		if rec.Code != tt.status {
			t.Errorf("Range %.40s: status %d, want %d", tt.ranges, rec.Code, tt.status)
		}
		if tt.status == 200 && rec.Body.String() != pdf {
			t.Errorf("Range %.40s: body of %d bytes, want the whole file", tt.ranges, rec.Body.Len())
		}
		if rec.Body.Len() > 2*len(pdf) {
			t.Errorf("Range %.40s: %d bytes for a %d-byte file", tt.ranges, rec.Body.Len(), len(pdf))
		}
	}
}
