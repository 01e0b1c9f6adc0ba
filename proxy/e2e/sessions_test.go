package e2e

import (
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/stp-portal/stp/proxy/entra"
	"github.com/stp-portal/stp/proxy/stack"
)

// copied is a session cookie taken from a signed-in browser, replayed by
// someone else (a stolen cookie, or the same reader's other device).
type copied struct {
	g      *gate
	cookie string
}

// status asks for a gated page with the copied cookie at base (the portal,
// or one replica directly) and returns the status and whether gated
// content came back.
func (c copied) status(t *testing.T, base string) (int, bool) {
	t.Helper()
	client := c.g.Client(nil)
	req, _ := http.NewRequest("GET", base+"/compliance-reports/", nil)
	req.Header.Set("Cookie", c.cookie)
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	buf := make([]byte, 4096)
	n, _ := res.Body.Read(buf)
	return res.StatusCode, strings.Contains(string(buf[:n]), "Compliance reports")
}

// everywhere is the portal's front door and each replica.
func everywhere(g *gate) []string { return append([]string{g.ProxyURL}, g.Replicas...) }

// With sessions in Redis, two replicas share them: a session started
// through one is good on the other, and signing out on one ends it on
// both, for a copied cookie too.
func TestRedisSessionsAcrossReplicas(t *testing.T) {
	g := startProduction(t, stack.Nginx, stack.Config{})
	if len(g.Replicas) != 2 || g.RedisAddr == "" {
		t.Fatalf("want two replicas and Redis, got %d replicas, Redis %q", len(g.Replicas), g.RedisAddr)
	}
	b := newBrowser(t, g)
	if res := b.signIn("/", entra.DemoUser); res.StatusCode != 200 {
		t.Fatalf("sign-in: %d", res.StatusCode)
	}
	c := copied{g, g.CookieName + "=" + b.sessionCookie().Value}
	for _, base := range everywhere(g) {
		if status, ok := c.status(t, base); status != 200 || !ok {
			t.Fatalf("before sign-out, %s: %d", base, status)
		}
	}

	// Sign out through the terminator (whichever replica that reaches).
	out := b.get("/oauth2/sign_out")
	if out.StatusCode != http.StatusFound {
		t.Fatalf("sign-out: %d", out.StatusCode)
	}
	signedOut := time.Now()
	for _, base := range everywhere(g) {
		if status, ok := c.status(t, base); status == 200 || ok {
			t.Errorf("a copied cookie after sign-out, %s: %d, want refused", base, status)
		}
	}
	t.Logf("a copied cookie was refused on both replicas %s after sign-out", time.Since(signedOut).Round(time.Millisecond))
}

// Cookie sessions, for a single small deployment, have the limits
// proxy/README.md states: signing out clears the browser's cookie, but a
// copy of it stays good until it expires, because nothing on the server
// remembers the session. This test keeps that statement true.
func TestCookieSessionsLimits(t *testing.T) {
	g := startProduction(t, stack.Nginx, stack.Config{Production: &stack.Production{CookieSessions: true, Replicas: 1}})
	b := newBrowser(t, g)
	if res := b.signIn("/", entra.DemoUser); res.StatusCode != 200 {
		t.Fatalf("sign-in: %d", res.StatusCode)
	}
	c := copied{g, g.CookieName + "=" + b.sessionCookie().Value}
	if out := b.get("/oauth2/sign_out"); out.StatusCode != http.StatusFound {
		t.Fatalf("sign-out: %d", out.StatusCode)
	}
	if res := b.get("/compliance-reports/"); res.StatusCode == 200 {
		t.Errorf("the signed-out browser still reads: %d", res.StatusCode)
	}
	if status, ok := c.status(t, g.ProxyURL); status != 200 || !ok {
		t.Errorf("a copied cookie session after sign-out: %d; proxy/README.md says it stays good until it expires — update the README if this changed", status)
	}
}

// A reader whose role is removed loses access within cookie_refresh with
// two replicas sharing the session, as with one.
func TestRevocationWithReplicas(t *testing.T) {
	t.Parallel()
	const refresh = 3 * time.Second
	const margin = 2 * time.Second
	g := startProduction(t, stack.Nginx, stack.Config{CookieRefresh: refresh})
	b := newBrowser(t, g)
	if res := b.signIn("/", entra.DemoUser); res.StatusCode != 200 {
		t.Fatalf("sign-in: %d", res.StatusCode)
	}
	signedIn := time.Now()
	c := copied{g, g.CookieName + "=" + b.sessionCookie().Value}
	if err := g.Store.SetRoles(entra.DemoUser); err != nil {
		t.Fatal(err)
	}
	revoked := time.Now()
	for {
		res := b.get("/")
		if res.StatusCode == 200 {
			if time.Since(signedIn) > refresh+margin {
				t.Fatalf("still reading %s after the role was removed (refresh %s)", time.Since(revoked), refresh)
			}
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if strings.Contains(res.body, "Gated home") {
			t.Fatalf("gated content after revocation: %d", res.StatusCode)
		}
		t.Logf("two replicas: access lost %s after revocation, %s after sign-in (cookie_refresh %s)",
			time.Since(revoked).Round(time.Millisecond), time.Since(signedIn).Round(time.Millisecond), refresh)
		break
	}
	// A copy of the session is refused on every replica, not only through
	// the one that refreshed it.
	for _, base := range everywhere(g) {
		if status, ok := c.status(t, base); status == 200 || ok {
			t.Errorf("after revocation, a copied cookie at %s: %d", base, status)
		}
	}
}

// Every response the terminator sends carries HSTS and the security
// headers, oauth2-proxy's own pages and redirects included; and anonymous
// navigations do not pile up CSRF cookies until the reader's Cookie header
// is too large for front ends to accept.
func TestTerminatorHeadersAndCookies(t *testing.T) {
	for _, term := range terminators {
		t.Run(term, func(t *testing.T) {
			g := startProduction(t, term, stack.Config{Production: &stack.Production{Replicas: 1}})
			anon := newBrowser(t, g)
			megan := newBrowser(t, g)
			permission := megan.signIn("/", entra.DemoNoRole)
			if permission.StatusCode != http.StatusForbidden {
				t.Fatalf("the reader without a role: %d, want the 403 permission page", permission.StatusCode)
			}
			pages := map[string]response{
				"gated page, anonymous (redirect to sign in)": anon.get("/compliance-reports/"),
				"public page":                 anon.get("/public/"),
				"missing public page":         anon.get("/public/nope/"),
				"oauth2-proxy sign-in start":  anon.get("/oauth2/start?rd=%2F"),
				"oauth2-proxy robots.txt":     anon.get("/robots.txt"),
				"oauth2-proxy static":         anon.get("/oauth2/static/nope.css"),
				"oauth2-proxy sign-in page":   anon.get("/oauth2/sign_in"),
				"oauth2-proxy callback error": anon.get("/oauth2/callback?error=access_denied&state=x"),
				"permission page":             permission,
			}
			for what, res := range pages {
				checkHeader(t, what, res.Header, "Strict-Transport-Security", "max-age=31536000")
				checkHeader(t, what, res.Header, "X-Content-Type-Options", "nosniff")
				checkHeader(t, what, res.Header, "X-Frame-Options", "DENY")
				if csp := res.Header.Values("Content-Security-Policy"); len(csp) != 1 || !strings.Contains(csp[0], "frame-ancestors 'none'") {
					t.Errorf("%s: Content-Security-Policy %q, want exactly one with frame-ancestors 'none'", what, csp)
				}
				if res.Header.Get("Referrer-Policy") == "" {
					t.Errorf("%s: no Referrer-Policy", what)
				}
			}

			// Sixty anonymous navigations to gated pages, as a reader
			// clicking around before signing in does.
			jar, _ := cookiejar.New(nil)
			reader := g.Client(jar)
			for i := range 60 {
				res, err := reader.Get(g.ProxyURL + "/compliance-reports/?page=" + string(rune('a'+i%26)))
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
			}
			req, _ := http.NewRequest("GET", g.ProxyURL+"/", nil)
			size := 0
			for _, c := range jar.Cookies(req.URL) {
				size += len(c.Name) + len(c.Value) + 2
			}
			t.Logf("%s: Cookie header after 60 anonymous navigations: %d bytes, %d cookies", term, size, len(jar.Cookies(req.URL)))
			if size > 4096 {
				t.Errorf("Cookie header after 60 anonymous navigations: %d bytes, want at most 4 KiB", size)
			}
		})
	}
}

// A session ends at its absolute lifetime however busy it is: oauth2-proxy
// refreshes it every cookie_refresh, which would keep it alive for ever,
// and the upstream sends it to sign-out once its lifetime is over.
func TestAbsoluteSessionLifetime(t *testing.T) {
	t.Parallel()
	const lifetime = 4 * time.Second
	g := startProduction(t, stack.Nginx, stack.Config{CookieRefresh: time.Second, SessionLifetime: lifetime})
	b := newBrowser(t, g)
	if res := b.signIn("/", entra.DemoUser); res.StatusCode != 200 {
		t.Fatalf("sign-in: %d", res.StatusCode)
	}
	signedIn := time.Now()
	c := copied{g, g.CookieName + "=" + b.sessionCookie().Value}
	refreshed := 0
	last := b.sessionCookie().Value
	for {
		res := b.get("/compliance-reports/")
		if v := b.sessionCookie(); v != nil && v.Value != last {
			refreshed++
			last = v.Value
		}
		if res.StatusCode == 200 {
			if time.Since(signedIn) > lifetime+time.Second {
				t.Fatalf("still reading %s after sign-in (lifetime %s)", time.Since(signedIn), lifetime)
			}
			time.Sleep(200 * time.Millisecond)
			continue
		}
		ended := time.Since(signedIn)
		if res.StatusCode != http.StatusFound || !strings.HasPrefix(res.Header.Get("Location"), "/oauth2/sign_out?rd=") {
			t.Fatalf("at the end of the lifetime: %d to %q, want 302 to sign-out", res.StatusCode, res.Header.Get("Location"))
		}
		if ended < lifetime {
			t.Fatalf("the session ended after %s, before its lifetime %s", ended, lifetime)
		}
		t.Logf("a session used every 200 ms (cookie re-signed %d times by refreshes) ended %s after sign-in (lifetime %s)",
			refreshed, ended.Round(time.Millisecond), lifetime)
		break
	}
	if refreshed == 0 {
		t.Error("the session was never refreshed; the test does not show that refreshes do not extend it")
	}
	// Following the redirect signs out everywhere: the old cookie and a
	// copy of it are refused, and signing in again starts a new session.
	if res := b.get("/oauth2/sign_out?rd=%2F"); res.StatusCode != http.StatusFound {
		t.Fatalf("sign-out: %d", res.StatusCode)
	}
	for _, base := range everywhere(g) {
		if status, ok := c.status(t, base); status == 200 || ok {
			t.Errorf("a copied cookie after the lifetime, %s: %d", base, status)
		}
	}
	if res := b.signIn("/", entra.DemoUser); res.StatusCode != 200 {
		t.Errorf("signing in again: %d", res.StatusCode)
	}
}
