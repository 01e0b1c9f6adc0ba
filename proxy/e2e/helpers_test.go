package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stp-portal/stp/generator/site"
	"github.com/stp-portal/stp/proxy/stack"
)

// The site behind the gate: the shapes the generator writes, plus a file
// next to the site that nothing may ever serve.
var siteFiles = map[string]string{
	"index.html":                                 "<!DOCTYPE html><title>Home</title><h1>Gated home</h1>",
	"404.html":                                   "<!DOCTYPE html><title>Not found</title><h1>The portal has no such page</h1>",
	"feed.xml":                                   `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>gated feed</title></feed>`,
	"catalog.json":                               `{"documents":["gated"]}`,
	"compliance-reports/index.html":              "<h1>Compliance reports</h1>",
	"settings/index.html":                        "<h1>Settings</h1>",
	"documents/soc2/SOC 2 Type II.pdf":           pdf("gated SOC 2 report"),
	"no-index/notes.txt":                         "listing bait",
	"public/index.html":                          "<h1>Public home</h1>",
	"public/faq/index.html":                      "<h1>FAQ</h1>",
	"public/feed.xml":                            `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>public feed</title></feed>`,
	"public/assets/site.3f9a1c2b.css":            "body{font-family:system-ui}",
	"public/documents/whitepaper/Whitepaper.pdf": pdf("public whitepaper"),
	"public/documents/whitepaper/index.html":     "<h1>Whitepaper</h1>",
	"public/documents/empty-dir/.placeholder":    "",
}

const secretOutside = "SECRET-OUTSIDE-THE-SITE"

func pdf(s string) string {
	return "%PDF-1.7\n" + s + "\n" + strings.Repeat("0123456789abcdef", 4096) + "\n%%EOF\n"
}

func writeSite(t testing.TB) string {
	t.Helper()
	parent := t.TempDir()
	dir := filepath.Join(parent, "public")
	for name, body := range siteFiles {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// oauth2-proxy's pages, as the build makes them.
	if err := os.CopyFS(filepath.Join(dir, filepath.FromSlash(site.ProxyTemplates)),
		os.DirFS(filepath.Join(sampleSite, filepath.FromSlash(site.ProxyTemplates)))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(parent, "secret.txt"), []byte(secretOutside), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../secret.txt", filepath.Join(dir, "public", "secret-link.txt")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// syncBuffer collects the proxy's log while it runs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type gate struct {
	*stack.Stack
	log *syncBuffer
}

// startGate starts a gate on fresh ports with its own stand-in directory.
func startGate(t testing.TB, cfg stack.Config) *gate {
	t.Helper()
	log := &syncBuffer{}
	cfg.ModuleRoot = moduleRoot
	cfg.ProxyBinary = proxyBinary
	cfg.ProxyOutput = log
	if cfg.SiteDir == "" {
		cfg.SiteDir = writeSite(t)
	}
	s, err := stack.Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("%v\n--- oauth2-proxy log ---\n%s", err, log.String())
	}
	t.Cleanup(func() {
		s.Close()
		if t.Failed() {
			t.Logf("--- oauth2-proxy log ---\n%s", log.String())
		}
	})
	return &gate{Stack: s, log: log}
}

// browser is a client with a cookie jar that does not follow redirects on
// its own, so that every hop can be checked.
type browser struct {
	t      testing.TB
	g      *gate
	client *http.Client
}

func newBrowser(t testing.TB, g *gate) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, g: g, client: g.Client(jar)}
}

type response struct {
	*http.Response
	body string
}

func (b *browser) do(method, u string, header http.Header) response {
	b.t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return response{res, string(body)}
}

func (b *browser) get(path string) response { return b.do("GET", b.g.ProxyURL+path, nil) }

// signIn opens path, goes through the stand-in's account picker as user,
// and returns the first response that is not a redirect.
func (b *browser) signIn(path, user string) response {
	b.t.Helper()
	res := b.get(path)
	for hops := 0; hops < 10; hops++ {
		switch {
		case res.StatusCode == http.StatusFound || res.StatusCode == http.StatusMovedPermanently || res.StatusCode == http.StatusSeeOther:
			loc, err := res.Request.URL.Parse(res.Header.Get("Location"))
			if err != nil {
				b.t.Fatal(err)
			}
			res = b.do("GET", loc.String(), nil)
		case res.StatusCode == http.StatusOK && strings.HasPrefix(res.Request.URL.String(), b.g.IdP.URL) &&
			strings.Contains(res.Request.URL.Path, "/oauth2/v2.0/authorize"):
			// The account picker: pick user.
			form := url.Values{"user": {user}}
			req, _ := http.NewRequest("POST", res.Request.URL.String(), strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r, err := b.client.Do(req)
			if err != nil {
				b.t.Fatal(err)
			}
			body, _ := io.ReadAll(r.Body)
			r.Body.Close()
			res = response{r, string(body)}
		default:
			return res
		}
	}
	b.t.Fatalf("sign-in for %s did not settle", path)
	return response{}
}

// sessionCookie returns the proxy's session cookie from the jar.
func (b *browser) sessionCookie() *http.Cookie {
	u, _ := url.Parse(b.g.ProxyURL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == b.g.CookieName {
			return c
		}
	}
	return nil
}

// raw sends a request target exactly as given, bypassing every client-side
// normalisation, the way an attacker's client would.
func raw(t testing.TB, g *gate, target string, cookie string) (int, http.Header, string) {
	t.Helper()
	u, _ := url.Parse(g.ProxyURL)
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if u.Scheme == "https" {
		c := g.TLSConfig().Clone()
		c.ServerName = u.Hostname()
		conn = tls.Client(conn, c)
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", target, u.Host)
	if cookie != "" {
		fmt.Fprintf(conn, "Cookie: %s\r\n", cookie)
	}
	fmt.Fprint(conn, "\r\n")
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(body)
}
