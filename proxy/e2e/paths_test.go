package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stp-portal/stp/proxy/entra"
	"github.com/stp-portal/stp/proxy/stack"
)

// After sign-in the proxy sends the reader only to a path on its own host:
// rd= pointing anywhere else falls back to /.
func TestNoOpenRedirect(t *testing.T) {
	g := startGate(t, stack.Config{})
	for _, rd := range []string{
		"https://evil.example/",
		"//evil.example/",
		"/\\evil.example/",
		"/%5Cevil.example/",
		"http://" + strings.TrimPrefix(g.ProxyURL, "http://") + ".evil.example/",
		"https://evil.example/" + strings.TrimPrefix(g.ProxyURL, "http://"),
		"javascript:alert(1)",
	} {
		t.Run(rd, func(t *testing.T) {
			b := newBrowser(t, g)
			start := b.get("/oauth2/start?rd=" + url.QueryEscape(rd))
			if start.StatusCode != http.StatusFound {
				t.Fatalf("/oauth2/start: %d", start.StatusCode)
			}
			// Follow the sign-in, stopping at the callback's redirect.
			authorize := start.Header.Get("Location")
			b.do("GET", authorize, nil)
			req, _ := http.NewRequest("POST", authorize, strings.NewReader("user="+url.QueryEscape(entra.DemoUser)))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			back, err := b.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			back.Body.Close()
			cb := b.do("GET", back.Header.Get("Location"), nil)
			if cb.StatusCode != http.StatusFound {
				t.Fatalf("callback: %d %q", cb.StatusCode, cb.body)
			}
			// What a browser does with Location: resolve it against the
			// callback URL. It must stay on the proxy's host.
			loc := cb.Header.Get("Location")
			target, err := cb.Request.URL.Parse(loc)
			if err != nil || target.Scheme+"://"+target.Host != g.ProxyURL || strings.Contains(loc, "\\") {
				t.Errorf("rd=%s: sent to %q, want a path on the portal", rd, loc)
			}
		})
	}
	// A same-host path is kept.
	b := newBrowser(t, g)
	if res := b.signIn("/oauth2/start?rd="+url.QueryEscape("/settings/"), entra.DemoUser); res.Request.URL.Path != "/settings/" {
		t.Errorf("rd=/settings/ landed on %s", res.Request.URL)
	}
}

// Paths that try to step out of /public/ (which is let through without a
// session) or out of the site reach nothing, signed in or not.
func TestPathsStayInside(t *testing.T) {
	g := startGate(t, stack.Config{})
	b := newBrowser(t, g)
	if res := b.signIn("/", entra.DemoUser); res.StatusCode != 200 {
		t.Fatalf("sign-in: %d", res.StatusCode)
	}
	cookie := g.CookieName + "=" + b.sessionCookie().Value

	targets := []string{
		"/public/%2e%2e/index.html",
		"/public/%2E%2E/documents/soc2/SOC%202%20Type%20II.pdf",
		"/public/../index.html",
		"/public/./../index.html",
		"/public/..%2findex.html",
		"/public/..%2Fdocuments/soc2/SOC%202%20Type%20II.pdf",
		"/public/..%5cindex.html",
		"/public/..\\index.html",
		"/public/%2e%2e%2f%2e%2e%2fsecret.txt",
		"/public/%2e%2e/%2e%2e/secret.txt",
		"/public/secret-link.txt",
		"/%2e%2e/secret.txt",
		"/%2e%2e/%2e%2e/secret.txt",
		"/..%2fsecret.txt",
		"//evil.example",
		"//evil.example/",
		"//evil.example/%2e%2e/",
		"/public//evil.example/",
		"/public/%2fevil.example",
		"/public/index.html%00.css",
	}
	for _, target := range targets {
		for _, signedIn := range []bool{false, true} {
			c := ""
			if signedIn {
				c = cookie
			}
			status, header, body := raw(t, g, target, c)
			who := "anonymous"
			if signedIn {
				who = "signed in"
			}
			if strings.Contains(body, secretOutside) {
				t.Errorf("%s %s: served a file outside the site", who, target)
			}
			if !signedIn && (strings.Contains(body, "Gated home") || strings.Contains(body, "gated SOC 2")) {
				t.Errorf("%s %s: served gated content (%d)", who, target, status)
			}
			if loc := header.Get("Location"); loc != "" {
				u, err := url.Parse(loc)
				if err != nil || (u.Host != "" && !strings.HasPrefix(loc, g.ProxyURL) && !strings.HasPrefix(loc, g.IdP.URL)) {
					t.Errorf("%s %s: redirected off-site to %q", who, target, loc)
				}
			}
			if status == 200 {
				t.Errorf("%s %s: 200, want no page", who, target)
			}
		}
	}

	// Signed in: no listing of a directory without an index, and the
	// site's own 404 page for a missing one.
	for _, p := range []string{"/no-index/", "/files/", "/documents/soc2/", "/public/assets/"} {
		res := b.get(p)
		if res.StatusCode != http.StatusNotFound || strings.Contains(res.body, "notes.txt") || strings.Contains(res.body, "SOC 2 Type II.pdf") {
			t.Errorf("%s: %d %q, want 404 without a listing", p, res.StatusCode, res.body)
		}
	}
	res := b.get("/compliance-reports/no-such-report/")
	if res.StatusCode != http.StatusNotFound || !strings.Contains(res.body, "The portal has no such page") {
		t.Errorf("missing page: %d %q, want the site's 404 page", res.StatusCode, res.body)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("missing page: Cache-Control %q", cc)
	}
}
