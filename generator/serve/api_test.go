package serve_test

import (
	"bytes"
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stp-portal/stp/generator/serve"
	"github.com/stp-portal/stp/generator/store"
)

const (
	contosoTID  = "3f2d7c1e-5b8a-4c6d-9e0f-1a2b3c4d5e6f"
	fabrikamTID = "8a9b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d"
)

// reader is a signed-in user as the stand-in and Entra ID describe them.
type reader struct {
	tid, oid, email string
	roles           []string
}

var (
	adele = reader{contosoTID, "oid-adele", "adele@contoso.example", []string{"Portal.Admin"}}
	alex  = reader{contosoTID, "oid-alex", "alex@contoso.example", []string{"Portal.User"}}
	lee   = reader{fabrikamTID, "oid-lee", "lee@fabrikam.example", []string{"Portal.Admin"}}
)

// idToken is an unsigned JWT with the reader's claims; the upstream reads
// the claims of the token the proxy vouches for, it does not verify it.
func idToken(claims map[string]any) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]string{"alg": "RS256", "typ": "JWT"}) + "." + enc(claims) + ".c2lnbmF0dXJl"
}

func (u reader) claims() map[string]any {
	return map[string]any{"tid": u.tid, "oid": u.oid, "email": u.email, "preferred_username": u.email, "name": u.email, "roles": u.roles}
}

// as dresses a request as oauth2-proxy forwards one of u's, with
// pass_authorization_header = true: the session's headers, the ID token
// in Authorization, then the signature over all of it and the body.
func (u reader) as() func(*http.Request) {
	return u.asWith(u.claims(), u.roles)
}

func (u reader) asWith(claims map[string]any, groups []string) func(*http.Request) {
	return func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+idToken(claims))
		asProxy(proxySigner(crypto.SHA256, testSecret), u.email, groups...)(r)
	}
}

// apiSite is a built site's catalog, enough for the API to check ids.
func apiSite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cat := `{"regions":[{"id":"europe","name":"Europe"},{"id":"japan","name":"Japan"}],` +
		`"industries":[{"id":"healthcare","name":"Healthcare"},{"id":"government","name":"Government"}],"documents":[]}`
	if err := os.WriteFile(filepath.Join(dir, "catalog.json"), []byte(cat), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<h1>Home</h1>"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

type apiFixture struct {
	h     http.Handler
	store store.Store
	log   *bytes.Buffer
}

func newAPI(t *testing.T) apiFixture {
	t.Helper()
	s, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "store.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var log bytes.Buffer
	h, err := serve.Upstream(serve.UpstreamOptions{
		Dir:   apiSite(t),
		Gate:  serve.Gate{SignatureKey: testKey, Log: slog.New(slog.NewJSONHandler(&log, nil))},
		Store: s,
	})
	if err != nil {
		t.Fatal(err)
	}
	return apiFixture{h, s, &log}
}

// send makes a request through the upstream; header is set before dress
// signs it.
func (f apiFixture) send(method, target, body string, header map[string]string, dress func(*http.Request)) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if dress != nil {
		dress(req)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

type settingsView struct {
	Tenant, UpdatedBy   string
	Regions, Industries []string
}

func decodeAPI[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("status %d, body %q: %v", rec.Code, rec.Body.String(), err)
	}
	return v
}

func TestAPIMe(t *testing.T) {
	f := newAPI(t)
	for _, tt := range []struct {
		who   reader
		admin bool
	}{{adele, true}, {alex, false}} {
		rec := f.send("GET", "/api/me", "", nil, tt.who.as())
		me := decodeAPI[struct {
			Tenant, OID, Email string
			Roles              []string
			Admin              bool
		}](t, rec)
		if rec.Code != 200 || me.Tenant != tt.who.tid || me.OID != tt.who.oid || me.Email != tt.who.email ||
			me.Admin != tt.admin || !slices.Equal(me.Roles, tt.who.roles) {
			t.Errorf("%s: %d %+v", tt.who.email, rec.Code, me)
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q", cc)
		}
	}
}

// Adele sets Contoso's settings; Alex reads them and cannot change them;
// Fabrikam's admin sees and changes only Fabrikam's.
func TestAPIOrgSettings(t *testing.T) {
	f := newAPI(t)
	if got := decodeAPI[settingsView](t, f.send("GET", "/api/org/settings", "", nil, alex.as())); len(got.Regions) != 0 || got.Regions == nil {
		t.Errorf("before any save: %+v", got)
	}
	rec := f.send("PUT", "/api/org/settings", `{"regions":["japan"],"industries":["healthcare"]}`, nil, adele.as())
	if rec.Code != 200 {
		t.Fatalf("Adele's PUT: %d %s", rec.Code, rec.Body)
	}
	got := decodeAPI[settingsView](t, f.send("GET", "/api/org/settings", "", nil, alex.as()))
	if got.Tenant != contosoTID || !slices.Equal(got.Regions, []string{"japan"}) || !slices.Equal(got.Industries, []string{"healthcare"}) || got.UpdatedBy != adele.email {
		t.Errorf("Alex reads %+v", got)
	}
	if !strings.Contains(f.log.String(), `"msg":"api: organisation settings changed","user":"adele@contoso.example","oid":"oid-adele","tenant":"`+contosoTID) {
		t.Errorf("the change is not logged with who made it:\n%s", f.log)
	}

	// Alex is a Portal User: 403, whatever the page shows.
	f.log.Reset()
	rec = f.send("PUT", "/api/org/settings", `{"regions":["europe"],"industries":[]}`, nil, alex.as())
	if rec.Code != 403 || !strings.Contains(rec.Body.String(), "only a Portal Admin") {
		t.Errorf("Alex's PUT: %d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(f.log.String(), `"reason":"not a Portal Admin"`) || !strings.Contains(f.log.String(), alex.email) {
		t.Errorf("the refusal is not logged:\n%s", f.log)
	}

	// Another tenant's admin neither sees nor changes Contoso's.
	if got := decodeAPI[settingsView](t, f.send("GET", "/api/org/settings", "", nil, lee.as())); got.Tenant != fabrikamTID || len(got.Regions) != 0 {
		t.Errorf("Lee reads %+v", got)
	}
	if rec := f.send("PUT", "/api/org/settings", `{"regions":["europe"],"industries":["government"]}`, nil, lee.as()); rec.Code != 200 {
		t.Errorf("Lee's PUT: %d %s", rec.Code, rec.Body)
	}
	if got := decodeAPI[settingsView](t, f.send("GET", "/api/org/settings", "", nil, alex.as())); !slices.Equal(got.Regions, []string{"japan"}) {
		t.Errorf("Contoso's after Fabrikam's change: %+v", got)
	}

	log, err := f.store.AuditLog(context.Background(), contosoTID, 10)
	if err != nil || len(log) != 1 || log[0].Actor != (store.Actor{ObjectID: adele.oid, Email: adele.email}) {
		t.Errorf("Contoso's audit log: %+v %v", log, err)
	}
}

// Nothing a browser or a hop could add makes a Portal User an admin, and
// no request from another site changes settings.
func TestAPIRefusals(t *testing.T) {
	f := newAPI(t)
	body := `{"regions":["europe"],"industries":[]}`
	adminClaims := alex.claims()
	adminClaims["roles"] = []string{"Portal.Admin", "Portal.User"}
	for _, tt := range []struct {
		name   string
		method string
		body   string
		header map[string]string
		dress  func(*http.Request)
		status int
		says   string
	}{
		{"unsigned", "PUT", body, nil, nil, 403, "Forbidden"},
		{"no ID token", "GET", "", nil, func(r *http.Request) {
			r.Header.Set("Authorization", "Basic YWRlbGU6eA==")
			asProxy(proxySigner(crypto.SHA256, testSecret), adele.email, "Portal.Admin")(r)
		}, 403, "could not tell who you are"},
		{"another user's token", "GET", "", nil, alex.asWith(adele.claims(), adele.roles), 403, "could not tell who you are"},
		{"admin in the token only", "PUT", body, nil, alex.asWith(adminClaims, alex.roles), 403, "only a Portal Admin"},
		{"admin in X-Forwarded-Groups only", "PUT", body, nil, alex.asWith(alex.claims(), []string{"Portal.User", "Portal.Admin"}), 403, "only a Portal Admin"},
		{"group added after signing", "PUT", body, nil, func(r *http.Request) {
			alex.as()(r)
			r.Header.Set("X-Forwarded-Groups", "Portal.Admin")
		}, 403, "do not have permission to open this portal yet"},
		{"token swapped after signing", "PUT", body, nil, func(r *http.Request) {
			alex.as()(r)
			r.Header.Set("Authorization", "Bearer "+idToken(adminClaims))
		}, 403, "Forbidden"},
		{"body changed after signing", "PUT", body, nil, func(r *http.Request) {
			adele.as()(r)
			r.Body = io.NopCloser(strings.NewReader(`{"regions":["japan"],"industries":[]}`))
		}, 403, "Forbidden"},
		{"cross-site", "PUT", body, map[string]string{"Sec-Fetch-Site": "cross-site"}, adele.as(), 403, "another site"},
		{"another origin", "PUT", body, map[string]string{"Origin": "https://evil.example"}, adele.as(), 403, "another site"},
		{"a form", "PUT", body, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, adele.as(), 403, "send JSON"},
		{"unknown region", "PUT", `{"regions":["atlantis"],"industries":[]}`, nil, adele.as(), 400, `unknown region \"atlantis\"`},
		{"unknown field", "PUT", `{"regions":[],"industries":[],"admin":true}`, nil, adele.as(), 400, "send {"},
		{"chosen twice", "PUT", `{"regions":["japan","japan"],"industries":[]}`, nil, adele.as(), 400, "twice"},
		{"too large", "PUT", `{"regions":["` + strings.Repeat("x", 70<<10) + `"]}`, nil, adele.as(), 413, "under"},
		{"a body on GET", "GET", body, nil, adele.as(), 413, "takes no body"},
		{"POST", "POST", body, nil, adele.as(), 405, ""},
		{"unknown endpoint", "GET", "", nil, adele.as(), 404, "not found"},
		{"unclean path", "GET", "", nil, adele.as(), 404, "no such API endpoint"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			target := "/api/org/settings"
			switch tt.name {
			case "unknown endpoint":
				target = "/api/org/members"
			case "unclean path":
				target = "/api/org/../me"
			}
			rec := f.send(tt.method, target, tt.body, tt.header, tt.dress)
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.says) {
				t.Errorf("%d %q, want %d saying %q", rec.Code, rec.Body.String(), tt.status, tt.says)
			}
		})
	}
	if got, _ := f.store.OrgSettings(context.Background(), contosoTID); !got.UpdatedAt.IsZero() {
		t.Errorf("a refused request changed the settings: %+v", got)
	}
	// A request from the portal's own page goes through.
	same := map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "http://example.com"}
	if rec := f.send("PUT", "/api/org/settings", body, same, adele.as()); rec.Code != 200 {
		t.Errorf("same-origin PUT: %d %s", rec.Code, rec.Body)
	}
}

// Without a store the upstream is as before: /api/ paths are the site's.
func TestAPIOnlyWithStore(t *testing.T) {
	h := upstreamFor(t, apiSite(t), io.Discard)
	if rec := get(h, "/api/me", adele.as()); rec.Code != 404 {
		t.Errorf("/api/me without a store: %d", rec.Code)
	}
	s, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "s.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := serve.Upstream(serve.UpstreamOptions{Dir: t.TempDir(), NoGate: true, Store: s}); err == nil {
		t.Error("a store without the gate was accepted")
	}
}
