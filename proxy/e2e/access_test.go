package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stp-portal/stp/proxy/entra"
	"github.com/stp-portal/stp/proxy/stack"
)

// expectPermissionPage checks that a sign-in ended on STP's 403 page, with
// no session, so that the next request goes to sign-in again.
func expectPermissionPage(t *testing.T, b *browser, res response) {
	t.Helper()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d, want 403; body %q", res.StatusCode, res.body)
	}
	if !strings.Contains(res.body, permissionHeading) {
		t.Errorf("403 body is not the permission page: %q", res.body)
	}
	if !strings.Contains(res.body, "trust@contoso.example") || !strings.Contains(res.body, "Portal User") {
		t.Errorf("permission page does not say who to ask: %q", res.body)
	}
	if c := b.sessionCookie(); c != nil && c.Value != "" {
		t.Errorf("a session cookie was kept: %v", c)
	}
	if next := b.get("/"); next.StatusCode != http.StatusFound {
		t.Errorf("after the 403, GET / = %d, want 302 to sign in", next.StatusCode)
	}
}

// A signed-in reader without a role gets the upstream's permission page
// (the proxy admits every signed-in user of the tenant; the upstream
// decides, since roles may also be given on the Settings page).
func TestUserWithoutRole(t *testing.T) {
	g := startGate(t, stack.Config{})
	b := newBrowser(t, g)
	expectNoRolePage(t, b, b.signIn("/", entra.DemoNoRole))
}

// In the default single-tenant set-up, the tenant's endpoint refuses a
// user of another tenant (AADSTS50020) and the proxy shows the permission
// page.
func TestForeignTenantSingleTenant(t *testing.T) {
	g := startGate(t, stack.Config{})
	b := newBrowser(t, g)
	expectPermissionPage(t, b, b.signIn("/", entra.DemoForeign))
}

// In the multi-tenant set-up the foreign user gets a valid token from their
// own tenant, holding Portal User there, and only the allowed-tenants check
// keeps them out; a user of the allowed tenant still gets in.
func TestForeignTenantMultiTenant(t *testing.T) {
	g := startGate(t, stack.Config{AllowedTenants: []string{entra.ContosoTenantID}})
	b := newBrowser(t, g)
	expectPermissionPage(t, b, b.signIn("/", entra.DemoForeign))

	ok := newBrowser(t, g)
	if res := ok.signIn("/", entra.DemoUser); res.StatusCode != 200 || !strings.Contains(res.body, "Gated home") {
		t.Errorf("allowed tenant's user: %d %q", res.StatusCode, res.body)
	}
}

// A reader whose role is removed loses access at the next session refresh:
// within cookie_refresh plus a small margin (oauth2-proxy counts session
// age in whole seconds, and the request must arrive).
func TestRoleRemovedLosesAccess(t *testing.T) {
	// Mostly waiting for the clock, so it runs beside the others.
	t.Parallel()
	const refresh = 2 * time.Second
	const margin = 2 * time.Second
	g := startGate(t, stack.Config{CookieRefresh: refresh})
	b := newBrowser(t, g)
	if res := b.signIn("/", entra.DemoUser); res.StatusCode != 200 {
		t.Fatalf("sign-in: %d", res.StatusCode)
	}
	signedIn := time.Now()

	// Revoke through the stand-in's HTTP endpoint, as the demo does.
	req, _ := http.NewRequest("POST", g.IdP.URL+"/_standin/users/"+entra.DemoUser+"/roles", strings.NewReader(`{"roles":[]}`))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("revoke: %s", res.Status)
	}
	revoked := time.Now()

	for {
		res := b.get("/")
		elapsed := time.Since(signedIn)
		if res.StatusCode == 200 {
			if elapsed > refresh+margin {
				t.Fatalf("still reading %s after the role was removed (refresh %s)", time.Since(revoked), refresh)
			}
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if res.StatusCode != http.StatusForbidden || !strings.Contains(res.body, permissionHeading) {
			t.Fatalf("after revocation: %d %q, want the 403 permission page", res.StatusCode, res.body)
		}
		t.Logf("access lost %s after revocation, %s after sign-in (cookie_refresh %s)",
			time.Since(revoked).Round(time.Millisecond), elapsed.Round(time.Millisecond), refresh)
		break
	}
	if next := b.get("/documents/soc2/SOC%202%20Type%20II.pdf"); next.StatusCode != http.StatusForbidden {
		t.Errorf("after losing access, a download gives %d, want 403", next.StatusCode)
	}

	// Granting the role again lets them back in with a new sign-in (or
	// at the next refresh: the session stayed).
	if err := g.Store.SetRoles(entra.DemoUser, entra.RolePortalUser); err != nil {
		t.Fatal(err)
	}
	b.signOut()
	if res := b.signIn("/", entra.DemoUser); res.StatusCode != 200 {
		t.Errorf("sign-in after the role came back: %d", res.StatusCode)
	}
}

// A disabled account's refresh token is refused (invalid_grant), which
// also ends the session at the next refresh.
func TestDisabledAccountLosesAccess(t *testing.T) {
	// Mostly waiting for the clock, so it runs beside the others.
	t.Parallel()
	const refresh = 2 * time.Second
	g := startGate(t, stack.Config{CookieRefresh: refresh})
	b := newBrowser(t, g)
	if res := b.signIn("/", entra.DemoAdmin); res.StatusCode != 200 {
		t.Fatalf("sign-in: %d", res.StatusCode)
	}
	signedIn := time.Now()
	if err := g.Store.SetAccountEnabled(entra.DemoAdmin, false); err != nil {
		t.Fatal(err)
	}
	for {
		res := b.get("/")
		if res.StatusCode == 200 {
			if time.Since(signedIn) > refresh+2*time.Second {
				t.Fatal("a disabled account kept access past the refresh")
			}
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if strings.Contains(res.body, "Gated home") {
			t.Fatalf("gated content after the account was disabled: %d", res.StatusCode)
		}
		break
	}
}

func TestCookies(t *testing.T) {
	// Mostly waiting for the clock, so it runs beside the others.
	t.Parallel()
	g := startGate(t, stack.Config{CookieRefresh: 2 * time.Second, ExtraArgs: []string{"--cookie-expire=4s"}})
	b := newBrowser(t, g)
	if res := b.signIn("/", entra.DemoUser); res.StatusCode != 200 {
		t.Fatalf("sign-in: %d", res.StatusCode)
	}
	good := b.sessionCookie()
	if good == nil {
		t.Fatal("no session cookie")
	}
	withCookie := func(g *gate, value string) response {
		anon := newBrowser(t, g)
		return anon.do("GET", g.ProxyURL+"/", http.Header{"Cookie": {g.CookieName + "=" + value}})
	}
	if res := withCookie(g, good.Value); res.StatusCode != 200 {
		t.Fatalf("the cookie itself: %d", res.StatusCode)
	}

	// Tampered: every part of the value|timestamp|signature triple matters.
	// Each change is to the first character of a part, or the middle of the
	// session: a base64 character there carries six bits of the decoded
	// value. (The signature's last character before its '=' carries only
	// four, and oauth2-proxy compares the decoded signatures, so changing
	// only its unused bits would rightly change nothing.)
	parts := strings.Split(good.Value, "|")
	if len(parts) != 3 {
		t.Fatalf("session cookie is not value|timestamp|signature: %d parts", len(parts))
	}
	timestamp := len(parts[0]) + 1
	signature := timestamp + len(parts[1]) + 1
	for _, i := range []int{0, len(parts[0]) / 2, timestamp, signature} {
		v := []byte(good.Value)
		switch c := v[i]; {
		case c == 'A' || c == '1':
			v[i] = c + 1
		case '0' <= c && c <= '9':
			v[i] = '1'
		default:
			v[i] = 'A'
		}
		if res := withCookie(g, string(v)); res.StatusCode == 200 || strings.Contains(res.body, "Gated") {
			t.Errorf("tampered cookie (byte %d): %d", i, res.StatusCode)
		}
	}

	// Foreign: a cookie from another gate (another cookie secret).
	other := startGate(t, stack.Config{})
	if res := withCookie(other, good.Value); res.StatusCode == 200 || strings.Contains(res.body, "Gated") {
		t.Errorf("cookie from another proxy: %d", res.StatusCode)
	}

	// Expired: replayed after cookie_expire by a client that ignores the
	// cookie's expiry.
	time.Sleep(5 * time.Second)
	if res := withCookie(g, good.Value); res.StatusCode == 200 || strings.Contains(res.body, "Gated") {
		t.Errorf("expired cookie: %d", res.StatusCode)
	}
}
