package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stp-portal/stp/proxy/entra"
	"github.com/stp-portal/stp/proxy/stack"
)

// sameOrigin is what the Settings page's fetch sends with a change.
var sameOrigin = map[string]string{"Sec-Fetch-Site": "same-origin"}

type person struct {
	OID, Email, Name, Role, Source, GrantedBy, Note string
	Since                                           time.Time
	Removable                                       bool
}

func (b *browser) people() []person {
	b.t.Helper()
	res := b.get("/api/org/users")
	var v struct{ People []person }
	if err := json.Unmarshal([]byte(res.body), &v); res.StatusCode != 200 || err != nil {
		b.t.Fatalf("GET /api/org/users: %d %q %v", res.StatusCode, res.body, err)
	}
	return v.People
}

func (b *browser) add(email, role string) response {
	b.t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "role": role})
	return b.send("POST", "/api/org/users", string(body), sameOrigin)
}

// signOut ends the session, as the portal's "Sign out" link does.
func (b *browser) signOut() {
	b.t.Helper()
	b.get("/oauth2/sign_out")
}

// waitFor polls path as b until it answers want, and returns how long that
// took from start; it fails after limit.
func (b *browser) waitFor(path string, want int, start time.Time, limit time.Duration) time.Duration {
	b.t.Helper()
	for {
		res := b.get(path)
		if res.StatusCode == want {
			return time.Since(start)
		}
		if time.Since(start) > limit {
			b.t.Fatalf("%s still answers %d %.200q after %s, want %d", path, res.StatusCode, res.body, time.Since(start), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Issue 23, part 3, through the production topology (nginx, two
// oauth2-proxy replicas started with proxy/oauth2-proxy.cfg, Redis, the
// upstream and its store) with two tenants admitted: Adele (Portal Admin
// from Contoso's directory) adds Megan (no role) by e-mail; Megan, already
// signed in, gets in; Adele removes her and she is out. Alex (Portal
// User) can neither see nor change who has access; an address of another
// tenant is answered exactly like one that exists nowhere.
func TestPortalRolesThroughTheProxy(t *testing.T) {
	var upstreamLog syncBuffer
	g := startProduction(t, stack.Nginx, stack.Config{
		SiteDir:        writeSite(t),
		AllowedTenants: []string{entra.ContosoTenantID, entra.FabrikamTenantID},
		UpstreamLog:    &upstreamLog,
	})
	adele, alex, megan, lee := newBrowser(t, g), newBrowser(t, g), newBrowser(t, g), newBrowser(t, g)
	if res := adele.signIn("/", entra.DemoAdmin); res.StatusCode != 200 {
		t.Fatalf("Adele signs in: %d", res.StatusCode)
	}
	expectNoRolePage(t, megan, megan.signIn("/", entra.DemoNoRole))
	if res := alex.signIn("/", entra.DemoUser); res.StatusCode != 200 {
		t.Fatalf("Alex signs in: %d", res.StatusCode)
	}

	// The directory's roles of those seen signing in are listed, and
	// cannot be removed here.
	list := adele.people()
	if len(list) != 2 || list[0].Email != entra.DemoAdmin || list[0].Role != "Portal.Admin" || list[1].Email != entra.DemoUser ||
		slices.ContainsFunc(list, func(p person) bool { return p.Source != "directory" || p.Removable }) {
		t.Errorf("the list before any grant: %+v", list)
	}

	// A Portal User sees nothing and changes nothing, forged headers or not.
	for _, forged := range []map[string]string{sameOrigin, {"X-Forwarded-Groups": "Portal.Admin", "Sec-Fetch-Site": "same-origin"}} {
		body := `{"email":"megan@contoso.example","role":"Portal.Admin"}`
		if res := alex.send("POST", "/api/org/users", body, forged); res.StatusCode != 403 {
			t.Errorf("Alex's POST with %v: %d %s", forged, res.StatusCode, res.body)
		}
	}
	if res := alex.get("/api/org/users"); res.StatusCode != 403 {
		t.Errorf("Alex's GET /api/org/users: %d %s", res.StatusCode, res.body)
	}
	// From another site, even Adele's browser is refused.
	if res := adele.send("POST", "/api/org/users", `{"email":"megan@contoso.example","role":"Portal.User"}`,
		map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}); res.StatusCode != 403 {
		t.Errorf("a cross-site POST: %d %s", res.StatusCode, res.body)
	}

	// No one learns whether an address exists in another tenant: Lee's
	// address, and addresses that exist nowhere, get the same answer.
	var answers []string
	for _, addr := range []string{entra.DemoForeign, "nobody@contoso.example", "nobody@fabrikam.example", "LEE@FABRIKAM.EXAMPLE"} {
		res := adele.add(addr, "Portal.User")
		if res.StatusCode != 404 {
			t.Errorf("adding %s: %d %s", addr, res.StatusCode, res.body)
		}
		answers = append(answers, res.body)
	}
	if len(slices.Compact(slices.Clone(answers))) != 1 {
		t.Errorf("the answers differ between tenants: %q", answers)
	}

	// Add User: Megan, signed in without a role, gets in.
	added := time.Now()
	res := adele.add("Megan@Contoso.example", "Portal.User")
	if res.StatusCode != 200 || !strings.Contains(res.body, `"email":"megan@contoso.example"`) {
		t.Fatalf("Adele adds Megan: %d %s", res.StatusCode, res.body)
	}
	in := megan.waitFor("/", 200, added, 15*time.Second)
	t.Logf("Add User -> Megan (already signed in) reads the portal: %s", in.Round(time.Millisecond))

	list = adele.people()
	i := slices.IndexFunc(list, func(p person) bool { return p.Email == entra.DemoNoRole })
	if i < 0 || list[i].Role != "Portal.User" || list[i].Source != "portal" || list[i].GrantedBy != entra.DemoAdmin ||
		list[i].Since.Before(added.Add(-time.Second)) || !list[i].Removable || list[i].Name != "Megan Bowen" {
		t.Fatalf("the list after adding Megan: %+v", list)
	}
	megansOID := list[i].OID
	// Megan is a Portal User now: no admin controls for her either.
	if res := megan.get("/api/org/users"); res.StatusCode != 403 {
		t.Errorf("Megan's GET /api/org/users: %d", res.StatusCode)
	}

	// Lee (Fabrikam) sees none of Contoso's people, and cannot remove Megan.
	if res := lee.signIn("/", entra.DemoForeign); res.StatusCode != 200 {
		t.Fatalf("Lee signs in: %d", res.StatusCode)
	}
	if res := lee.send("DELETE", "/api/org/users/"+megansOID, "", sameOrigin); res.StatusCode != 403 {
		t.Errorf("Lee's DELETE of Megan: %d %s", res.StatusCode, res.body)
	}

	// Remove: Megan is out.
	removed := time.Now()
	if res := adele.send("DELETE", "/api/org/users/"+megansOID, "", sameOrigin); res.StatusCode != 200 {
		t.Fatalf("Adele removes Megan: %d %s", res.StatusCode, res.body)
	}
	out := megan.waitFor("/documents/soc2/SOC%202%20Type%20II.pdf", 403, removed, 10*time.Second)
	t.Logf("Remove -> Megan refused: %s (same upstream replica; another replica within --role-recheck, 5s)", out.Round(time.Millisecond))
	if res := megan.get("/"); res.StatusCode != 403 || !strings.Contains(res.body, permissionHeading) {
		t.Errorf("Megan after removal: %d %.200q", res.StatusCode, res.body)
	}
	// Removing again says there is nothing to remove; Adele's own
	// directory role is not removable here.
	if res := adele.send("DELETE", "/api/org/users/"+megansOID, "", sameOrigin); res.StatusCode != 404 {
		t.Errorf("removing Megan again: %d %s", res.StatusCode, res.body)
	}
	// Add User for someone not signed in yet: the time to their first
	// page includes the whole sign-in through the proxy.
	added = time.Now()
	if res := adele.add(entra.DemoNoRole, "Portal.Admin"); res.StatusCode != 200 {
		t.Fatalf("Adele adds Megan as a Portal Admin: %d %s", res.StatusCode, res.body)
	}
	fresh := newBrowser(t, g)
	if res := fresh.signIn("/", entra.DemoNoRole); res.StatusCode != 200 {
		t.Fatalf("Megan signs in after she is added: %d", res.StatusCode)
	}
	t.Logf("Add User -> Megan (not signed in) signs in and reads the portal: %s", time.Since(added).Round(time.Millisecond))
	if got := fresh.people(); len(got) < 3 {
		t.Errorf("Megan, a Portal Admin now, lists %+v", got)
	}
	for _, want := range []string{`"msg":"api: role granted","user":"adele@contoso.example"`, `"msg":"api: role revoked","user":"adele@contoso.example"`} {
		if !strings.Contains(upstreamLog.String(), want) {
			t.Errorf("the upstream did not log %s", want)
		}
	}
}

// expectNoRolePage checks that a signed-in reader without a portal role got
// the upstream's permission page, and keeps getting it (their session
// stays, so that a role given on the Settings page admits them at once).
func expectNoRolePage(t *testing.T, b *browser, res response) {
	t.Helper()
	if res.StatusCode != http.StatusForbidden || !strings.Contains(res.body, permissionHeading) {
		t.Fatalf("want the 403 permission page, got %d %.300q", res.StatusCode, res.body)
	}
	if !strings.Contains(res.body, "trust@contoso.example") || !strings.Contains(res.body, "Portal Admin") {
		t.Errorf("the permission page does not say whom to ask: %q", res.body)
	}
	for _, p := range []string{"/", "/catalog.json", "/api/me", "/api/org/settings"} {
		if next := b.get(p); next.StatusCode != http.StatusForbidden {
			t.Errorf("after the permission page, GET %s = %d, want 403", p, next.StatusCode)
		}
	}
}

// An organisation whose administrator has not consented: adding someone
// says so, with the admin-consent link; once consented (and the admin has
// signed in again), it works.
func TestPortalRolesNeedConsent(t *testing.T) {
	dir := entra.DemoStore()
	dir.AddTenant(entra.Tenant{ID: entra.ContosoTenantID, DisplayName: "Contoso", Domain: "contoso.example"}) // no consent
	g := startGate(t, stack.Config{Store: dir})
	adele := newBrowser(t, g)
	if res := adele.signIn("/", entra.DemoAdmin); res.StatusCode != 200 {
		t.Fatalf("Adele signs in: %d", res.StatusCode)
	}
	res := adele.add(entra.DemoNoRole, "Portal.User")
	var refusal struct{ Error, ConsentURL string }
	json.Unmarshal([]byte(res.body), &refusal)
	want := g.IdP.AdminConsentURL(entra.ContosoTenantID, entra.DemoClientID)
	if res.StatusCode != 403 || refusal.ConsentURL != want || !strings.Contains(refusal.Error, "must consent once") {
		t.Fatalf("adding without consent: %d %s (want the link %s)", res.StatusCode, res.body, want)
	}
	// The administrator opens the link and accepts.
	page, err := http.Get(refusal.ConsentURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	m := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(string(body))
	if m == nil || !strings.Contains(string(body), "User.ReadBasic.All") {
		t.Fatalf("the consent page: %q", body)
	}
	accept, err := http.PostForm(refusal.ConsentURL, url.Values{"token": {m[1]}})
	if err != nil {
		t.Fatal(err)
	}
	accept.Body.Close()
	if accept.StatusCode != 200 {
		t.Fatalf("accepting: %s", accept.Status)
	}
	adele.signOut()
	if res := adele.signIn("/", entra.DemoAdmin); res.StatusCode != 200 {
		t.Fatalf("Adele signs in again: %d", res.StatusCode)
	}
	if res := adele.add(entra.DemoNoRole, "Portal.User"); res.StatusCode != 200 {
		t.Errorf("adding after consent: %d %s", res.StatusCode, res.body)
	}
}
