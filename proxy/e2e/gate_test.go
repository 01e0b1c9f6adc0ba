package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stp-portal/stp/generator/serve"
	"github.com/stp-portal/stp/proxy/entra"
	"github.com/stp-portal/stp/proxy/stack"
)

const permissionHeading = "You do not have permission to open this portal"

func TestAnonymous(t *testing.T) {
	g := startGate(t, stack.Config{})
	b := newBrowser(t, g)

	// Gated pages, feeds and downloads send the reader to sign in with
	// Entra ID (the stand-in), with PKCE and the refresh scope.
	for _, p := range []string{"/", "/index.html", "/compliance-reports/", "/settings/", "/feed.xml",
		"/catalog.json", "/documents/soc2/SOC%202%20Type%20II.pdf", "/no-index/", "/missing"} {
		res := b.get(p)
		if res.StatusCode != http.StatusFound {
			t.Errorf("%s: status %d, want 302 to sign in", p, res.StatusCode)
			continue
		}
		loc, _ := url.Parse(res.Header.Get("Location"))
		if got := loc.Scheme + "://" + loc.Host + loc.Path; got != g.IdP.URL+"/"+entra.ContosoTenantID+"/oauth2/v2.0/authorize" {
			t.Errorf("%s: redirected to %s, want the tenant's authorize endpoint", p, got)
		}
		q := loc.Query()
		if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" {
			t.Errorf("%s: authorize request without PKCE S256 or nonce: %s", p, loc.RawQuery)
		}
		if !strings.Contains(" "+q.Get("scope")+" ", " offline_access ") {
			t.Errorf("%s: scope %q lacks offline_access", p, q.Get("scope"))
		}
		if strings.Contains(res.body, "Gated") || strings.Contains(res.body, "gated") {
			t.Errorf("%s: gated content in the redirect body", p)
		}
	}

	// Public pages, assets and downloads need no session.
	public := []struct {
		path, contentType, cache, body, disposition string
	}{
		{"/public/", "text/html; charset=utf-8", serve.CachePublic, "Public home", ""},
		{"/public/faq/", "text/html; charset=utf-8", serve.CachePublic, "FAQ", ""},
		{"/public/feed.xml", "application/atom+xml; charset=utf-8", serve.CachePublic, "public feed", ""},
		{"/public/assets/site.3f9a1c2b.css", "text/css; charset=utf-8", serve.CacheImmutable, "system-ui", ""},
		{"/public/documents/whitepaper/Whitepaper.pdf", "application/pdf", serve.CachePublic, "public whitepaper", `attachment; filename="Whitepaper.pdf"`},
	}
	for _, p := range public {
		res := b.get(p.path)
		if res.StatusCode != 200 {
			t.Errorf("%s: status %d, want 200", p.path, res.StatusCode)
			continue
		}
		checkHeader(t, p.path, res.Header, "Content-Type", p.contentType)
		checkHeader(t, p.path, res.Header, "Cache-Control", p.cache)
		checkHeader(t, p.path, res.Header, "Content-Disposition", p.disposition)
		checkHeader(t, p.path, res.Header, "X-Content-Type-Options", "nosniff")
		if !strings.Contains(res.body, p.body) {
			t.Errorf("%s: body lacks %q", p.path, p.body)
		}
	}

	// Only GET and HEAD are let through without a session.
	if res := b.do("HEAD", g.ProxyURL+"/public/", nil); res.StatusCode != 200 {
		t.Errorf("HEAD /public/: %d", res.StatusCode)
	}
	if res := b.do("POST", g.ProxyURL+"/public/", nil); res.StatusCode == 200 {
		t.Errorf("POST /public/ was let through: %d", res.StatusCode)
	}
	// A missing public page is the site's 404 page.
	res := b.get("/public/nope/")
	if res.StatusCode != 404 || !strings.Contains(res.body, "The portal has no such page") {
		t.Errorf("/public/nope/: %d %q, want the site's 404 page", res.StatusCode, res.body)
	}
	// No listing of a public directory without an index.
	res = b.get("/public/documents/empty-dir/")
	if res.StatusCode != 404 || strings.Contains(res.body, ".placeholder") {
		t.Errorf("/public/documents/empty-dir/: %d %q, want 404 without a listing", res.StatusCode, res.body)
	}
}

func checkHeader(t *testing.T, what string, h http.Header, name, want string) {
	t.Helper()
	if got := h.Get(name); got != want {
		t.Errorf("%s: %s = %q, want %q", what, name, got, want)
	}
}

func TestPortalUserAndAdmin(t *testing.T) {
	g := startGate(t, stack.Config{})
	for _, user := range []string{entra.DemoUser, entra.DemoAdmin} {
		t.Run(user, func(t *testing.T) {
			b := newBrowser(t, g)
			res := b.signIn("/compliance-reports/", user)
			if res.StatusCode != 200 || !strings.Contains(res.body, "Compliance reports") {
				t.Fatalf("after sign-in: %d %q", res.StatusCode, res.body)
			}
			if res.Request.URL.Path != "/compliance-reports/" {
				t.Errorf("landed on %s, want the page asked for", res.Request.URL)
			}
			c := b.sessionCookie()
			if c == nil {
				t.Fatal("no session cookie")
			}

			for _, p := range []string{"/", "/compliance-reports/", "/settings/"} {
				res := b.get(p)
				if res.StatusCode != 200 {
					t.Errorf("%s: %d", p, res.StatusCode)
					continue
				}
				checkHeader(t, p, res.Header, "Content-Type", "text/html; charset=utf-8")
				checkHeader(t, p, res.Header, "Cache-Control", serve.CachePrivate)
				checkHeader(t, p, res.Header, "X-Content-Type-Options", "nosniff")
				checkHeader(t, p, res.Header, "X-Frame-Options", "DENY")
				checkHeader(t, p, res.Header, "Referrer-Policy", "same-origin")
				if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
					t.Errorf("%s: Content-Security-Policy = %q", p, csp)
				}
			}
			feed := b.get("/feed.xml")
			checkHeader(t, "/feed.xml", feed.Header, "Content-Type", "application/atom+xml; charset=utf-8")

			dl := b.get("/documents/soc2/SOC%202%20Type%20II.pdf")
			if dl.StatusCode != 200 || dl.body != siteFiles["documents/soc2/SOC 2 Type II.pdf"] {
				t.Fatalf("download: %d, %d bytes", dl.StatusCode, len(dl.body))
			}
			checkHeader(t, "download", dl.Header, "Content-Type", "application/pdf")
			checkHeader(t, "download", dl.Header, "Content-Disposition", `attachment; filename="SOC 2 Type II.pdf"`)
			checkHeader(t, "download", dl.Header, "Cache-Control", serve.CachePrivate)

			// Conditional GET works through the proxy.
			etag := dl.Header.Get("ETag")
			if cond := b.do("GET", g.ProxyURL+"/documents/soc2/SOC%202%20Type%20II.pdf", http.Header{"If-None-Match": {etag}}); cond.StatusCode != 304 {
				t.Errorf("If-None-Match through the proxy: %d, want 304", cond.StatusCode)
			}

			// The audit trail: the download is logged with who made it.
			waitFor(t, time.Second, func() bool {
				for _, line := range strings.Split(g.log.String(), "\n") {
					if strings.Contains(line, "user="+user) && strings.Contains(line, `uri="/documents/soc2/SOC%202%20Type%20II.pdf"`) &&
						strings.Contains(line, "status=200") {
						return true
					}
				}
				return false
			}, "no request log line records "+user+" downloading the report")
		})
	}
}

func waitFor(t *testing.T, d time.Duration, ok func() bool, msg string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Error(msg)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSessionCookieFlags(t *testing.T) {
	g := startGate(t, stack.Config{})
	b := newBrowser(t, g)
	// Stop at the callback to read its Set-Cookie as sent.
	res := b.get("/")
	authorize := res.Header.Get("Location")
	b.do("GET", authorize, nil)
	form := url.Values{"user": {entra.DemoUser}}
	req, _ := http.NewRequest("POST", authorize, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	back, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	back.Body.Close()
	cb := b.do("GET", back.Header.Get("Location"), nil)
	var session *http.Cookie
	for _, c := range cb.Cookies() {
		if c.Name == g.CookieName && c.Value != "" {
			session = c
		}
	}
	if session == nil {
		t.Fatalf("callback set no session cookie: %v", cb.Header["Set-Cookie"])
	}
	if !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" {
		t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax, Path=/", session)
	}
	if cb.StatusCode != http.StatusFound || cb.Header.Get("Location") != "/" {
		t.Errorf("callback: %d to %q, want 302 to /", cb.StatusCode, cb.Header.Get("Location"))
	}
}
