package serve_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stp-portal/stp/generator/serve"
)

// site writes a small built site, shaped like the generator's output, and
// a secret file next to it that must never be served.
func site(t *testing.T) string {
	t.Helper()
	parent := t.TempDir()
	dir := filepath.Join(parent, "public")
	files := map[string]string{
		"index.html":                                 "<h1>Home</h1>",
		"404.html":                                   "<h1>Not here</h1><link rel=stylesheet href=/public/assets/site.3f9a1c2b.css>",
		"feed.xml":                                   "<feed/>",
		"catalog.json":                               "{}",
		"compliance-reports/index.html":              "<h1>Compliance reports</h1>",
		"compliance-reports/soc/.hidden":             "hidden",
		"no-index/readme.txt":                        "listing bait",
		"documents/soc2/SOC 2 Type II.pdf":           "%PDF-1.7 gated",
		"documents/iso/Zertifikat ÄÖÜ.pdf":           "%PDF-1.7 umlaut",
		"public/index.html":                          "<h1>Public home</h1>",
		"public/feed.xml":                            "<feed/>",
		"public/assets/site.3f9a1c2b.css":            "body{}",
		"public/assets/site.77aa00ff.js":             "1",
		"public/assets/favicon.0c0c0c0c.svg":         "<svg/>",
		"public/assets/search.11223344.wasm":         "\x00asm",
		"public/assets/font.55667788.woff2":          "wOF2",
		"public/documents/whitepaper/Whitepaper.pdf": "%PDF-1.7 public",
		"public/documents/whitepaper/index.html":     "<h1>Whitepaper</h1>",
		"public/documents/page/2.html":               "<h1>Public documents, page 2</h1>",
		"public/documents/by-name/page/2.html":       "<h1>Public documents by name, page 2</h1>",
		"public/documents/whitepaper/notes.html":     "<h1>A publisher's HTML file</h1>",
		".well-known/security.txt":                   "Contact: mailto:security@contoso.example",
		"settings/index.html":                        "<h1>Settings</h1>",
		"regions/emea/industries/banking/index.html": "<h1>EMEA banking</h1>",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(parent, "secret.txt"), []byte("outside"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Links that leave the site: one absolute, one relative.
	if err := os.Symlink(filepath.Join(parent, "secret.txt"), filepath.Join(dir, "public", "abs-link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../secret.txt", filepath.Join(dir, "public", "rel-link.txt")); err != nil {
		t.Fatal(err)
	}
	// Links that stay inside the site but lead out of the public area,
	// to a file and to a directory.
	if err := os.Symlink("..", filepath.Join(dir, "public", "up")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../catalog.json", filepath.Join(dir, "public", "catalog.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../documents/soc2", filepath.Join(dir, "public", "documents", "soc2")); err != nil {
		t.Fatal(err)
	}
	// A link inside the gated area to a public file.
	if err := os.Symlink("../public/feed.xml", filepath.Join(dir, "documents", "feed.xml")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// do sends a request with a raw request target, the way a client on the
// wire can, so that encoded and dot segments reach the handler unchanged.
func do(h http.Handler, method, target string, header http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "http://portal.example/", nil)
	req.RequestURI = target
	u, err := url.ParseRequestURI(target)
	if err == nil {
		req.URL = u
	} else {
		req.URL.Path = target
		req.URL.RawPath = ""
	}
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestServe(t *testing.T) {
	h := serve.New(site(t))
	tests := []struct {
		target      string
		status      int
		contentType string
		cache       string
		body        string // a substring of the body
		disposition string
		location    string
	}{
		{"/", 200, "text/html; charset=utf-8", serve.CachePrivate, "<h1>Home</h1>", "", ""},
		{"/index.html", 200, "text/html; charset=utf-8", serve.CachePrivate, "<h1>Home</h1>", "", ""},
		{"/compliance-reports/", 200, "text/html; charset=utf-8", serve.CachePrivate, "Compliance reports", "", ""},
		{"/compliance-reports", 301, "", serve.CachePrivate, "", "", "compliance-reports/"},
		{"/compliance-reports?page=2", 301, "", serve.CachePrivate, "", "", "compliance-reports/?page=2"},
		{"/regions/emea/industries/banking/", 200, "text/html; charset=utf-8", serve.CachePrivate, "EMEA banking", "", ""},
		{"/feed.xml", 200, "application/atom+xml; charset=utf-8", serve.CachePrivate, "<feed/>", "", ""},
		{"/catalog.json", 200, "application/json", serve.CachePrivate, "{}", "", ""},
		{"/documents/soc2/SOC%202%20Type%20II.pdf", 200, "application/pdf", serve.CachePrivate, "%PDF-1.7 gated", `attachment; filename="SOC 2 Type II.pdf"`, ""},
		{"/documents/iso/Zertifikat%20%C3%84%C3%96%C3%9C.pdf", 200, "application/pdf", serve.CachePrivate, "umlaut",
			`attachment; filename="Zertifikat ___.pdf"; filename*=UTF-8''Zertifikat%20%C3%84%C3%96%C3%9C.pdf`, ""},
		{"/public/", 200, "text/html; charset=utf-8", serve.CachePublic, "Public home", "", ""},
		{"/public", 301, "", serve.CachePublic, "", "", "public/"},
		{"/public/feed.xml", 200, "application/atom+xml; charset=utf-8", serve.CachePublic, "<feed/>", "", ""},
		{"/public/documents/whitepaper/", 200, "text/html; charset=utf-8", serve.CachePublic, "Whitepaper", "", ""},
		{"/public/assets/site.3f9a1c2b.css", 200, "text/css; charset=utf-8", serve.CacheImmutable, "body{}", "", ""},
		{"/public/assets/site.77aa00ff.js", 200, "text/javascript; charset=utf-8", serve.CacheImmutable, "1", "", ""},
		{"/public/assets/favicon.0c0c0c0c.svg", 200, "image/svg+xml", serve.CacheImmutable, "<svg/>", "", ""},
		{"/public/assets/search.11223344.wasm", 200, "application/wasm", serve.CacheImmutable, "asm", "", ""},
		{"/public/assets/font.55667788.woff2", 200, "font/woff2", serve.CacheImmutable, "wOF2", "", ""},
		{"/public/documents/whitepaper/Whitepaper.pdf", 200, "application/pdf", serve.CachePublic, "public", `attachment; filename="Whitepaper.pdf"`, ""},
		// The public documents list's later pages are pages; an HTML file
		// a publisher publishes in a series is a download, never shown
		// from the portal's origin.
		{"/public/documents/page/2.html", 200, "text/html; charset=utf-8", serve.CachePublic, "page 2", "", ""},
		{"/public/documents/by-name/page/2.html", 200, "text/html; charset=utf-8", serve.CachePublic, "by name, page 2", "", ""},
		{"/public/documents/whitepaper/notes.html", 200, "text/html; charset=utf-8", serve.CachePublic, "HTML file", `attachment; filename="notes.html"`, ""},
		{"/.well-known/security.txt", 200, "text/plain; charset=utf-8", serve.CachePrivate, "Contact", "", ""},

		// Missing pages and directories without an index get the site's
		// 404 page, never a listing.
		{"/missing/", 404, "text/html; charset=utf-8", serve.CacheNotFound, "Not here", "", ""},
		{"/public/assets/site.00000000.css", 404, "text/html; charset=utf-8", serve.CacheNotFound, "Not here", "", ""},
		{"/no-index/", 404, "text/html; charset=utf-8", serve.CacheNotFound, "Not here", "", ""},
		{"/files/", 404, "text/html; charset=utf-8", serve.CacheNotFound, "Not here", "", ""},
		{"/public/assets/", 404, "text/html; charset=utf-8", serve.CacheNotFound, "Not here", "", ""},
		{"/compliance-reports/soc/.hidden", 404, "text/html; charset=utf-8", serve.CacheNotFound, "Not here", "", ""},

		// Nothing outside the site, and no path is normalised into
		// another one.
		{"/../secret.txt", 404, "", serve.CacheNotFound, "Not here", "", ""},
		{"/%2e%2e/secret.txt", 404, "", serve.CacheNotFound, "Not here", "", ""},
		{"/public/%2e%2e/index.html", 404, "", serve.CacheNotFound, "Not here", "", ""},
		{"/public/../index.html", 404, "", serve.CacheNotFound, "Not here", "", ""},
		{"/public/./index.html", 404, "", serve.CacheNotFound, "Not here", "", ""},
		{"/public/..%2findex.html", 404, "", serve.CacheNotFound, "Not here", "", ""},
		{"/public/..%2Findex.html", 404, "", serve.CacheNotFound, "Not here", "", ""},
		{"/public/..%5cindex.html", 404, "", serve.CacheNotFound, "Not here", "", ""},
		{"/public/..\\index.html", 404, "", serve.CacheNotFound, "Not here", "", ""},
		{"/public/index.html%00.css", 404, "", serve.CacheNotFound, "Not here", "", ""},
		{"//evil.example/", 404, "", serve.CacheNotFound, "Not here", "", ""},
		{"/public//index.html", 404, "", serve.CacheNotFound, "Not here", "", ""},
		{"/public/abs-link.txt", 404, "", serve.CacheNotFound, "Not here", "", ""},
		{"/public/rel-link.txt", 404, "", serve.CacheNotFound, "Not here", "", ""},
		{"/public/up/secret.txt", 404, "", serve.CacheNotFound, "Not here", "", ""},
		// No symbolic link is followed, even one inside the site: the
		// build writes none, and one under public/ would publish a gated
		// file.
		{"/public/up/", 404, "", serve.CacheNotFound, "Not here", "", ""},
		{"/public/up/catalog.json", 404, "", serve.CacheNotFound, "Not here", "", ""},
		{"/public/catalog.json", 404, "", serve.CacheNotFound, "Not here", "", ""},
		{"/public/documents/soc2/SOC%202%20Type%20II.pdf", 404, "", serve.CacheNotFound, "Not here", "", ""},
		{"/documents/feed.xml", 404, "", serve.CacheNotFound, "Not here", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := do(h, "GET", tt.target, nil)
			res := rec.Result()
			if res.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d; body %q", res.StatusCode, tt.status, rec.Body.String())
			}
			if tt.contentType != "" && res.Header.Get("Content-Type") != tt.contentType {
				t.Errorf("Content-Type = %q, want %q", res.Header.Get("Content-Type"), tt.contentType)
			}
			if got := res.Header.Get("Cache-Control"); got != tt.cache {
				t.Errorf("Cache-Control = %q, want %q", got, tt.cache)
			}
			if !strings.Contains(rec.Body.String(), tt.body) {
				t.Errorf("body %q does not contain %q", rec.Body.String(), tt.body)
			}
			if strings.Contains(rec.Body.String(), "outside") {
				t.Errorf("body leaks a file outside the site: %q", rec.Body.String())
			}
			if got := res.Header.Get("Content-Disposition"); got != tt.disposition {
				t.Errorf("Content-Disposition = %q, want %q", got, tt.disposition)
			}
			if got := res.Header.Get("Location"); got != tt.location {
				t.Errorf("Location = %q, want %q", got, tt.location)
			}
			if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q", got)
			}
			if got := res.Header.Get("Content-Security-Policy"); !strings.Contains(got, "frame-ancestors 'none'") {
				t.Errorf("Content-Security-Policy = %q", got)
			}
			if got := res.Header.Get("Referrer-Policy"); got == "" {
				t.Error("no Referrer-Policy")
			}
		})
	}
}

func TestMethods(t *testing.T) {
	h := serve.New(site(t))
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"} {
		rec := do(h, m, "/index.html", nil)
		if rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s: status %d, want 405", m, rec.Code)
		}
		if got := rec.Header().Get("Allow"); got != "GET, HEAD" {
			t.Errorf("%s: Allow = %q", m, got)
		}
	}
}

func TestHeadAndConditionalGet(t *testing.T) {
	h := serve.New(site(t))
	get := do(h, "GET", "/documents/soc2/SOC%202%20Type%20II.pdf", nil)
	etag := get.Header().Get("ETag")
	if !strings.HasPrefix(etag, `"`) || len(etag) < 10 {
		t.Fatalf("ETag = %q, want a strong ETag", etag)
	}

	head := do(h, "HEAD", "/documents/soc2/SOC%202%20Type%20II.pdf", nil)
	if head.Code != 200 || head.Body.Len() != 0 {
		t.Errorf("HEAD: status %d, body %d bytes", head.Code, head.Body.Len())
	}
	if head.Header().Get("Content-Length") != get.Header().Get("Content-Length") || head.Header().Get("ETag") != etag {
		t.Errorf("HEAD headers differ from GET: %v vs %v", head.Header(), get.Header())
	}
	if head.Header().Get("Content-Disposition") == "" {
		t.Error("HEAD of a download has no Content-Disposition")
	}

	cond := do(h, "GET", "/documents/soc2/SOC%202%20Type%20II.pdf", http.Header{"If-None-Match": {etag}})
	if cond.Code != http.StatusNotModified || cond.Body.Len() != 0 {
		t.Errorf("If-None-Match: status %d, body %d bytes, want 304 and no body", cond.Code, cond.Body.Len())
	}
	other := do(h, "GET", "/documents/soc2/SOC%202%20Type%20II.pdf", http.Header{"If-None-Match": {`"other"`}})
	if other.Code != 200 {
		t.Errorf("other ETag: status %d, want 200", other.Code)
	}

	rng := do(h, "GET", "/documents/soc2/SOC%202%20Type%20II.pdf", http.Header{"Range": {"bytes=0-3"}})
	if rng.Code != http.StatusPartialContent || rng.Body.String() != "%PDF" {
		t.Errorf("Range: status %d, body %q", rng.Code, rng.Body.String())
	}

	head404 := do(h, "HEAD", "/missing", nil)
	if head404.Code != 404 || head404.Body.Len() != 0 {
		t.Errorf("HEAD of a missing page: status %d, body %d bytes", head404.Code, head404.Body.Len())
	}
}

func TestETagFollowsContent(t *testing.T) {
	dir := site(t)
	h := serve.New(dir)
	first := do(h, "GET", "/index.html", nil).Header().Get("ETag")
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<h1>Home, rebuilt</h1>"), 0o644); err != nil {
		t.Fatal(err)
	}
	second := do(h, "GET", "/index.html", nil)
	if second.Header().Get("ETag") == first {
		t.Error("ETag did not change when the file changed")
	}
	if !strings.Contains(second.Body.String(), "rebuilt") {
		t.Errorf("body = %q", second.Body.String())
	}
}

// An atomic build replaces the site directory by renaming; the handler must
// serve the new directory, not the one it saw first.
func TestServesReplacedDirectory(t *testing.T) {
	dir := site(t)
	h := serve.New(dir)
	do(h, "GET", "/", nil)
	next := dir + ".next"
	if err := os.MkdirAll(next, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(next, "index.html"), []byte("new build"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(dir, dir+".old"); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(next, dir); err != nil {
		t.Fatal(err)
	}
	if got := do(h, "GET", "/", nil).Body.String(); got != "new build" {
		t.Errorf("body = %q, want the new build", got)
	}
}

func TestNotFoundWithoutSite404(t *testing.T) {
	h := serve.New(t.TempDir())
	rec := do(h, "GET", "/nope", nil)
	if rec.Code != 404 || !strings.Contains(rec.Body.String(), "Page not found") {
		t.Errorf("status %d, body %q", rec.Code, rec.Body.String())
	}
}

func TestOverServer(t *testing.T) {
	// Through a real server the request target is parsed by net/http, as
	// it is behind oauth2-proxy.
	srv := httptest.NewServer(serve.New(site(t)))
	defer srv.Close()
	for target, want := range map[string]int{
		"/public/%2e%2e/index.html": 404,
		"/public/..%2findex.html":   404,
		"/public/index.html":        200,
		"/no-index/":                404,
	} {
		res, err := http.Get(srv.URL + target)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("%s: status %d, want %d (%q)", target, res.StatusCode, want, body)
		}
		if strings.Contains(string(body), "readme.txt") {
			t.Errorf("%s: body lists a directory: %q", target, body)
		}
	}
}

func TestContentDisposition(t *testing.T) {
	tests := []struct{ name, want string }{
		{"report.pdf", `attachment; filename="report.pdf"`},
		{"SOC 2 (2025).pdf", `attachment; filename="SOC 2 (2025).pdf"`},
		{`a"b\c.pdf`, `attachment; filename="a_b_c.pdf"; filename*=UTF-8''a%22b%5Cc.pdf`},
		{"x\r\nSet-Cookie: a=b.pdf", `attachment; filename="x__Set-Cookie: a=b.pdf"; filename*=UTF-8''x%0D%0ASet-Cookie%3A%20a%3Db.pdf`},
		{"日本.pdf", `attachment; filename="__.pdf"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.pdf`},
	}
	for _, tt := range tests {
		if got := serve.ContentDisposition(tt.name); got != tt.want {
			t.Errorf("ContentDisposition(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestContentType(t *testing.T) {
	tests := map[string]string{
		"/feed.xml":            "application/atom+xml; charset=utf-8",
		"/public/feed.xml":     "application/atom+xml; charset=utf-8",
		"/sitemap.xml":         "application/xml",
		"/a/B.PDF":             "application/pdf",
		"/unknown.bin":         "application/octet-stream",
		"/noext":               "application/octet-stream",
		"/public/assets/x.mjs": "text/javascript; charset=utf-8",
	}
	for name, want := range tests {
		if got := serve.ContentType(name); got != want {
			t.Errorf("ContentType(%q) = %q, want %q", name, got, want)
		}
	}
}
