package serve_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/stp-portal/stp/generator/internal/precompress"
	"github.com/stp-portal/stp/generator/serve"
)

// compressedSite is a built site whose search files and one asset have the
// variants the build writes, in both areas.
func compressedSite(t *testing.T) (dir string, raw []byte) {
	t.Helper()
	dir = t.TempDir()
	raw = bytes.Repeat([]byte("the search index of the trust portal; "), 400)
	names := []string{
		"search/index.0123456789abcdef.stpidx",
		"public/search/engine.fedcba9876543210.wasm",
		"public/assets/site.3f9a1c2b7d.js",
	}
	for _, name := range names {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		vs, err := precompress.Compress(raw, precompress.Changing)
		if err != nil || len(vs) != 2 {
			t.Fatalf("Compress: %d variants, %v", len(vs), err)
		}
		for _, v := range vs {
			if err := os.WriteFile(p+v.Suffix, v.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, body := range map[string]string{
		"search/manifest.json":        `{"index":"index.0123456789abcdef.stpidx"}`,
		"public/search/manifest.json": `{}`,
		"public/search/index.html":    "<h1>Search</h1>",
		"public/assets/index.html":    "<h1>Nothing here</h1>",
	} {
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, raw
}

func decode(t *testing.T, coding string, body []byte) []byte {
	t.Helper()
	var r io.Reader
	switch coding {
	case "br":
		r = brotli.NewReader(bytes.NewReader(body))
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	case "":
		return body
	default:
		t.Fatalf("unexpected Content-Encoding %q", coding)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNegotiatesEncoding(t *testing.T) {
	dir, raw := compressedSite(t)
	h := serve.New(dir)
	for _, tc := range []struct {
		accept, want string
	}{
		{"", ""},
		{"gzip, deflate, br, zstd", "br"},
		{"br, gzip", "br"},
		{"gzip", "gzip"},
		{"x-gzip", "gzip"},
		{"deflate", ""},
		{"gzip;q=1, br;q=0.5", "gzip"},
		{"br;q=0, gzip", "gzip"},
		{"br;q=0, gzip;q=0", ""},
		{"*", "br"},
		{"*;q=0.5, br;q=0", "gzip"},
		{"identity", ""},
		{"identity;q=1, br;q=0.5", ""},
		{"identity;q=0, gzip", "gzip"},
		{"br;q=bogus, gzip;q=0.1", "gzip"},
		{" BR ; Q=0.9 , gzip;q=0.8", "br"},
	} {
		res := do(h, http.MethodGet, "/search/index.0123456789abcdef.stpidx", http.Header{"Accept-Encoding": {tc.accept}})
		if res.Code != http.StatusOK {
			t.Fatalf("%q: status %d", tc.accept, res.Code)
		}
		got := res.Header().Get("Content-Encoding")
		if got != tc.want {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", tc.accept, got, tc.want)
		}
		if v := res.Header().Get("Vary"); v != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: Vary %q", tc.accept, v)
		}
		if cl := res.Header().Get("Content-Length"); cl != strconv.Itoa(res.Body.Len()) {
			t.Errorf("Accept-Encoding %q: Content-Length %s for %d bytes", tc.accept, cl, res.Body.Len())
		}
		if ct := res.Header().Get("Content-Type"); ct != "application/octet-stream" {
			t.Errorf("Accept-Encoding %q: Content-Type %q, want the file's own", tc.accept, ct)
		}
		if !bytes.Equal(decode(t, got, res.Body.Bytes()), raw) {
			t.Errorf("Accept-Encoding %q: the decoded body is not the file", tc.accept)
		}
	}
}

func TestVariantsHaveTheirOwnETag(t *testing.T) {
	dir, _ := compressedSite(t)
	h := serve.New(dir)
	const p = "/public/search/engine.fedcba9876543210.wasm"
	tags := map[string]string{}
	for _, coding := range []string{"", "br", "gzip"} {
		res := do(h, http.MethodGet, p, http.Header{"Accept-Encoding": {coding}})
		etag := res.Header().Get("ETag")
		for other, tag := range tags {
			if tag == etag {
				t.Errorf("%q and %q share the ETag %s", coding, other, etag)
			}
		}
		tags[coding] = etag
		if cc := res.Header().Get("Cache-Control"); cc != serve.CacheImmutable {
			t.Errorf("%q: Cache-Control %q, want %q", coding, cc, serve.CacheImmutable)
		}
		if ct := res.Header().Get("Content-Type"); ct != "application/wasm" {
			t.Errorf("%q: Content-Type %q", coding, ct)
		}
		// A repeat visit transfers nothing: the browser revalidates, if at
		// all, with the ETag it has.
		again := do(h, http.MethodGet, p, http.Header{"Accept-Encoding": {coding}, "If-None-Match": {etag}})
		if again.Code != http.StatusNotModified || again.Body.Len() != 0 {
			t.Errorf("%q: If-None-Match: status %d, %d bytes; want 304, none", coding, again.Code, again.Body.Len())
		}
		if again.Header().Get("Content-Encoding") != "" || again.Header().Get("Content-Length") != "" {
			t.Errorf("%q: 304 with Content-Encoding %q, Content-Length %q", coding,
				again.Header().Get("Content-Encoding"), again.Header().Get("Content-Length"))
		}
		if again.Header().Get("ETag") != etag || again.Header().Get("Vary") != "Accept-Encoding" {
			t.Errorf("%q: 304 ETag %q Vary %q", coding, again.Header().Get("ETag"), again.Header().Get("Vary"))
		}
	}
	head := do(h, http.MethodHead, p, http.Header{"Accept-Encoding": {"br"}})
	get := do(h, http.MethodGet, p, http.Header{"Accept-Encoding": {"br"}})
	if head.Header().Get("Content-Length") != strconv.Itoa(get.Body.Len()) || head.Body.Len() != 0 {
		t.Errorf("HEAD: Content-Length %q, body %d; GET sends %d", head.Header().Get("Content-Length"), head.Body.Len(), get.Body.Len())
	}
}

func TestRangeIsServedFromTheFileItself(t *testing.T) {
	dir, raw := compressedSite(t)
	h := serve.New(dir)
	res := do(h, http.MethodGet, "/search/index.0123456789abcdef.stpidx", http.Header{"Accept-Encoding": {"br, gzip"}, "Range": {"bytes=10-19"}})
	if res.Code != http.StatusPartialContent {
		t.Fatalf("status %d, want 206", res.Code)
	}
	if ce := res.Header().Get("Content-Encoding"); ce != "" {
		t.Errorf("a range of the %s variant was sent", ce)
	}
	if !bytes.Equal(res.Body.Bytes(), raw[10:20]) {
		t.Errorf("range body %q, want %q", res.Body.Bytes(), raw[10:20])
	}
	if res.Header().Get("Vary") != "Accept-Encoding" {
		t.Errorf("Vary %q", res.Header().Get("Vary"))
	}
}

func TestFingerprintedFilesAreImmutable(t *testing.T) {
	dir, _ := compressedSite(t)
	h := serve.New(dir)
	for p, want := range map[string]string{
		"/search/index.0123456789abcdef.stpidx":       serve.CachePrivateImmutable,
		"/public/search/engine.fedcba9876543210.wasm": serve.CacheImmutable,
		"/public/assets/site.3f9a1c2b7d.js":           serve.CacheImmutable,
		"/search/manifest.json":                       serve.CachePrivate,
		"/public/search/manifest.json":                serve.CachePublic,
		"/public/search/":                             serve.CachePublic,
		"/public/assets/":                             serve.CachePublic,
	} {
		res := do(h, http.MethodGet, p, http.Header{"Accept-Encoding": {"br"}})
		if res.Code != http.StatusOK {
			t.Errorf("%s: status %d", p, res.Code)
			continue
		}
		if cc := res.Header().Get("Cache-Control"); cc != want {
			t.Errorf("%s: Cache-Control %q, want %q", p, cc, want)
		}
		if strings.HasSuffix(p, "manifest.json") && res.Header().Get("Vary") != "" {
			t.Errorf("%s has no variants but says Vary %q", p, res.Header().Get("Vary"))
		}
	}
}
