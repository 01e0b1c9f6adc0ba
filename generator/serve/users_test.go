package serve_test

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stp-portal/stp/generator/serve"
	"github.com/stp-portal/stp/generator/store"
)

const (
	meganOID = "5e0c2b7a-1111-4a3d-8a5b-0f9e8d7c6b5a"
	leeOID   = "7b1d2c3e-2222-4f3d-8a5b-0f9e8d7c6b5a"
)

var megan = reader{contosoTID, meganOID, "megan@contoso.example", nil}

// withGraphToken adds the session's Graph access token, as
// pass_access_token does, before signing.
func (u reader) withGraphToken(scp string) func(*http.Request) {
	return func(r *http.Request) {
		r.Header.Set("X-Forwarded-Access-Token", idToken(map[string]any{"tid": u.tid, "oid": u.oid, "scp": scp}))
		u.as()(r)
	}
}

// A reader the directory gives no role gets in with a role from the store,
// and out again when it is revoked: at once on the replica that revoked
// it, within RoleRecheck on another replica sharing the store.
func TestStoreRoleAdmitsAndRevocationIsBounded(t *testing.T) {
	s, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "store.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dir := apiSite(t)
	const recheck = 300 * time.Millisecond
	replica := func() http.Handler {
		h, err := serve.Upstream(serve.UpstreamOptions{Dir: dir, Store: s,
			Gate: serve.Gate{SignatureKey: testKey, RoleRecheck: recheck, Log: slog.New(slog.DiscardHandler)}})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	a, b := replica(), replica()
	for _, h := range []http.Handler{a, b} {
		if rec := get(h, "/index.html", megan.as()); rec.Code != 403 || !strings.Contains(rec.Body.String(), "ask a Portal Admin") {
			t.Fatalf("Megan without a role: %d %q", rec.Code, rec.Body.String())
		}
	}
	p := store.Principal{ObjectID: meganOID, Email: megan.email, Name: "Megan Bowen"}
	if _, err := s.Grant(context.Background(), contosoTID, p, store.RoleUser, store.Actor{ObjectID: "oid-adele", Email: adele.email}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(recheck)
	for _, h := range []http.Handler{a, b} {
		if rec := get(h, "/index.html", megan.as()); rec.Code != 200 {
			t.Fatalf("Megan with Portal User from the store: %d", rec.Code)
		}
		if rec := get(h, "/index.html", reader{fabrikamTID, meganOID, megan.email, nil}.as()); rec.Code != 403 {
			t.Errorf("the same object id in another tenant: %d", rec.Code)
		}
	}
	if _, err := s.Revoke(context.Background(), contosoTID, meganOID, store.Actor{ObjectID: "oid-adele", Email: adele.email}); err != nil {
		t.Fatal(err)
	}
	revoked := time.Now()
	for get(b, "/index.html", megan.as()).Code == 200 {
		if time.Since(revoked) > recheck+time.Second {
			t.Fatalf("Megan still reads %s after the revocation (RoleRecheck %s)", time.Since(revoked), recheck)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("another replica refused Megan %s after the revocation (RoleRecheck %s)", time.Since(revoked).Round(time.Millisecond), recheck)
}

// Only Portal Admins see or change who has access; what the browser sends
// is checked before anything is looked up.
func TestAPIUsersRefusals(t *testing.T) {
	f := newAPI(t)
	del := "/api/org/users/" + meganOID
	for _, tt := range []struct {
		name, method, target, body string
		header                     map[string]string
		dress                      func(*http.Request)
		status                     int
		says                       string
	}{
		{"a Portal User lists", "GET", "/api/org/users", "", nil, alex.as(), 403, "only a Portal Admin"},
		{"a Portal User adds", "POST", "/api/org/users", `{"email":"megan@contoso.example","role":"Portal.Admin"}`, nil, alex.as(), 403, "only a Portal Admin"},
		{"a Portal User removes", "DELETE", del, "", map[string]string{"Content-Type": "application/json"}, alex.as(), 403, "only a Portal Admin"},
		{"no role at all", "GET", "/api/org/users", "", nil, megan.as(), 403, "ask a Portal Admin"},
		{"cross-site add", "POST", "/api/org/users", `{"email":"megan@contoso.example","role":"Portal.User"}`, map[string]string{"Sec-Fetch-Site": "cross-site"}, adele.as(), 403, "another site"},
		{"a form", "POST", "/api/org/users", `email=megan`, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, adele.as(), 403, "send JSON"},
		{"removal without JSON", "DELETE", del, "", nil, adele.as(), 403, "send JSON"},
		{"unknown field", "POST", "/api/org/users", `{"email":"megan@contoso.example","role":"Portal.User","tenant":"x"}`, nil, adele.as(), 400, "send {"},
		{"no address", "POST", "/api/org/users", `{"email":"","role":"Portal.User"}`, nil, adele.as(), 400, "enter the person's e-mail address"},
		{"two addresses", "POST", "/api/org/users", `{"email":"a@x.example, b@x.example","role":"Portal.User"}`, nil, adele.as(), 400, "enter one e-mail address"},
		{"an OData quote", "POST", "/api/org/users", `{"email":"a'or'1@x.example","role":"Portal.User"}`, nil, adele.as(), 400, "enter one e-mail address"},
		{"a long address", "POST", "/api/org/users", `{"email":"` + strings.Repeat("a", 250) + `@x.example","role":"Portal.User"}`, nil, adele.as(), 400, "at most 254"},
		{"another role", "POST", "/api/org/users", `{"email":"megan@contoso.example","role":"Global.Admin"}`, nil, adele.as(), 400, "choose the role"},
		{"no Graph token", "POST", "/api/org/users", `{"email":"megan@contoso.example","role":"Portal.User"}`, nil, adele.as(), 403, "pass_access_token"},
		{"not consented", "POST", "/api/org/users", `{"email":"megan@contoso.example","role":"Portal.User"}`, nil, adele.withGraphToken("openid profile email User.Read"), 403, "must consent once"},
		{"another's Graph token", "POST", "/api/org/users", `{"email":"megan@contoso.example","role":"Portal.User"}`, nil, func(r *http.Request) {
			r.Header.Set("X-Forwarded-Access-Token", idToken(map[string]any{"tid": fabrikamTID, "oid": "oid-lee", "scp": "User.ReadBasic.All"}))
			adele.as()(r)
		}, 403, "not yours"},
		{"a bad object id", "DELETE", "/api/org/users/megan@contoso.example", "", map[string]string{"Content-Type": "application/json"}, adele.as(), 400, "object id"},
		{"nothing to remove", "DELETE", del, "", map[string]string{"Content-Type": "application/json"}, adele.as(), 404, "holds no role given on this page"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.send(tt.method, tt.target, tt.body, tt.header, tt.dress)
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.says) {
				t.Errorf("%d %q, want %d saying %q", rec.Code, rec.Body.String(), tt.status, tt.says)
			}
		})
	}
	if log, _ := f.store.AuditLog(context.Background(), contosoTID, 10); len(log) != 0 {
		t.Errorf("refused requests were recorded: %+v", log)
	}
}

// The guard rails hold on the API: the last Portal Admin and the
// organisation's Global Administrator keep their role.
func TestAPIUsersGuardRails(t *testing.T) {
	f := newAPI(t)
	ctx := context.Background()
	lee := reader{fabrikamTID, leeOID, "lee@fabrikam.example", nil}
	if _, err := f.store.Grant(ctx, fabrikamTID, store.Principal{ObjectID: leeOID, Email: lee.email}, store.RoleAdmin,
		store.Actor{ObjectID: "oid-operator", Email: "operator@vendor.example"}); err != nil {
		t.Fatal(err)
	}
	json := map[string]string{"Content-Type": "application/json"}
	// Lee, Fabrikam's only Portal Admin, removes himself: refused.
	if rec := f.send("DELETE", "/api/org/users/"+leeOID, "", json, lee.as()); rec.Code != 409 || !strings.Contains(rec.Body.String(), "last Portal Admin") {
		t.Errorf("the last admin removes himself: %d %s", rec.Code, rec.Body)
	}
	// The list says so, and lists Fabrikam's only.
	rec := f.send("GET", "/api/org/users", "", nil, lee.as())
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"note":"the last Portal Admin"`) || strings.Contains(rec.Body.String(), "contoso") {
		t.Errorf("Fabrikam's list: %d %s", rec.Code, rec.Body)
	}
	// Fabrikam's Global Administrator, seen signing in (wids), holds a
	// role from the store: nobody removes it here.
	ga := reader{fabrikamTID, "9a8b7c6d-3333-4f3d-8a5b-0f9e8d7c6b5a", "it@fabrikam.example", nil}
	claims := ga.claims()
	claims["wids"] = []string{"62e90394-69f5-4237-9190-012177145e10"}
	if _, err := f.store.Grant(ctx, fabrikamTID, store.Principal{ObjectID: ga.oid, Email: ga.email}, store.RoleAdmin,
		store.Actor{ObjectID: leeOID, Email: lee.email}); err != nil {
		t.Fatal(err)
	}
	if rec := f.send("GET", "/index.html", "", nil, ga.asWith(claims, nil)); rec.Code != 200 {
		t.Fatalf("the Global Administrator with Portal Admin from the store: %d", rec.Code)
	}
	if rec := f.send("DELETE", "/api/org/users/"+ga.oid, "", json, lee.as()); rec.Code != 403 || !strings.Contains(rec.Body.String(), "Global Administrator") {
		t.Errorf("removing the Global Administrator: %d %s", rec.Code, rec.Body)
	}
	// Now Lee is not the last admin, and may step down.
	if rec := f.send("DELETE", "/api/org/users/"+strings.ToUpper(leeOID), "", json, lee.as()); rec.Code != 200 {
		t.Errorf("Lee steps down beside another admin: %d %s", rec.Code, rec.Body)
	}
	log, _ := f.store.AuditLog(ctx, fabrikamTID, 10)
	if len(log) != 3 || log[0].Action != store.ActionRoleRevoke || log[0].Actor.Email != lee.email {
		t.Errorf("audit log: %+v", log)
	}
}
