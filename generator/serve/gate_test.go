package serve_test

import (
	"bytes"
	"crypto"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/oauth2-proxy/oauth2-proxy/v7/pkg/apis/middleware"
	"github.com/oauth2-proxy/oauth2-proxy/v7/pkg/apis/options"
	"github.com/oauth2-proxy/oauth2-proxy/v7/pkg/app/pagewriter"
	"github.com/oauth2-proxy/oauth2-proxy/v7/pkg/authentication/hmacauth"
	"github.com/oauth2-proxy/oauth2-proxy/v7/pkg/upstream"

	"github.com/stp-portal/stp/generator/serve"
)

const testSecret = "k9D3pQ7vX2mL8sR4tY6wZ1aB5cE0fG3h"

var testKey = "sha256:" + testSecret

// proxySigner signs as oauth2-proxy does with signature_key = testKey.
func proxySigner(hash crypto.Hash, secret string) hmacauth.HmacAuth {
	return hmacauth.NewHmacAuth(hash, []byte(secret), upstream.SignatureHeader, upstream.SignatureHeaders)
}

// asProxy dresses a request the way oauth2-proxy forwards it: the session's
// headers (none for an anonymous request on a skip-auth route), GAP-Auth
// overwritten, then signed.
func asProxy(signer hmacauth.HmacAuth, user string, roles ...string) func(*http.Request) {
	return func(r *http.Request) {
		r.Header.Set("Cookie", "__Host-stp=session")
		if user != "" {
			r.Header.Set("X-Forwarded-User", user)
			r.Header.Set("X-Forwarded-Email", user)
			if r.Header.Get("Authorization") == "" {
				// pass_authorization_header: the session's ID token.
				r.Header.Set("Authorization", "Bearer "+idToken(map[string]any{
					"tid": contosoTID, "oid": "oid-" + user, "email": user, "roles": roles}))
			}
		}
		if len(roles) > 0 {
			r.Header.Set("X-Forwarded-Groups", strings.Join(roles, ","))
		}
		r.Header.Set("GAP-Auth", user)
		if signer != nil {
			signer.SignRequest(r)
		}
	}
}

func upstreamFor(t *testing.T, dir string, log io.Writer) http.Handler {
	t.Helper()
	h, err := serve.Upstream(serve.UpstreamOptions{
		Dir:  dir,
		Gate: serve.Gate{SignatureKey: testKey, Log: slog.New(slog.NewJSONHandler(log, nil))},
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// get sends a GET for target through h after dress has shaped it.
func get(h http.Handler, target string, dress func(*http.Request)) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", target, nil)
	if dress != nil {
		dress(req)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestGate is issue 19's bypass: with reverse_proxy on, oauth2-proxy takes a
// request for /catalog.json with X-Forwarded-Uri: /public/ as public and
// forwards it, signed, with an empty GAP-Auth. The upstream must refuse it.
func TestGate(t *testing.T) {
	var log bytes.Buffer
	h := upstreamFor(t, site(t), &log)
	signer := proxySigner(crypto.SHA256, testSecret)
	attack := func(r *http.Request) {
		r.Header.Set("X-Forwarded-Uri", "/public/")
		asProxy(signer, "")(r)
	}
	refused := []struct {
		name   string
		dress  func(*http.Request)
		reason string
	}{
		{"no signature", nil, "no signature"},
		{"forged headers, no signature", asProxy(nil, "ada@contoso.example", "Portal.Admin"), "no signature"},
		{"another key", asProxy(proxySigner(crypto.SHA256, strings.Repeat("x", 32)), "ada@contoso.example", "Portal.Admin"), "bad signature"},
		{"a weaker algorithm", asProxy(proxySigner(crypto.SHA1, testSecret), "ada@contoso.example", "Portal.Admin"), "bad signature"},
		{"X-Forwarded-Uri: /public/ (no session)", attack, "no session"},
		{"signed, no session", asProxy(signer, ""), "no session"},
		{"signed, session without a role", asProxy(signer, "ada@contoso.example"), "no portal role"},
		{"signed, session with another role", asProxy(signer, "ada@contoso.example", "Portal.Guest", "Portal.Users"), "no portal role"},
		{"role added after signing", func(r *http.Request) {
			asProxy(signer, "")(r)
			r.Header.Set("GAP-Auth", "ada@contoso.example")
			r.Header.Set("X-Forwarded-Groups", "Portal.Admin")
		}, "bad signature"},
	}
	for _, target := range []string{"/catalog.json", "/documents/soc2/SOC%202%20Type%20II.pdf", "/compliance-reports/", "/", "/api/search", "/public", "/publicity/"} {
		for _, tt := range refused {
			t.Run(target+"/"+tt.name, func(t *testing.T) {
				log.Reset()
				rec := get(h, target, tt.dress)
				if rec.Code != http.StatusForbidden {
					t.Fatalf("status %d, want 403; body %.80q", rec.Code, rec.Body.String())
				}
				if got := rec.Header().Get("Cache-Control"); got != "no-store" {
					t.Errorf("Cache-Control = %q, want no-store", got)
				}
				if strings.Contains(rec.Body.String(), "{}") || strings.Contains(rec.Body.String(), "PDF") {
					t.Errorf("body leaks the page: %q", rec.Body.String())
				}
				var line struct{ Msg, Method, Path, Remote, Reason string }
				if err := json.Unmarshal(log.Bytes(), &line); err != nil {
					t.Fatalf("log %q: %v", log.String(), err)
				}
				if line.Reason != tt.reason || line.Method != "GET" || line.Path != target || line.Remote == "" {
					t.Errorf("log line %+v, want reason %q and the request", line, tt.reason)
				}
			})
		}
	}

	allowed := []func(*http.Request){
		asProxy(signer, "ada@contoso.example", "Portal.User"),
		asProxy(signer, "ada@contoso.example", "Portal.Guest", "Portal.Admin"),
	}
	for _, dress := range allowed {
		if rec := get(h, "/catalog.json", dress); rec.Code != 200 || rec.Body.String() != "{}" {
			t.Errorf("/catalog.json with a session and a role: status %d, body %q", rec.Code, rec.Body.String())
		}
		if rec := get(h, "/documents/soc2/SOC%202%20Type%20II.pdf", dress); rec.Code != 200 || !strings.Contains(rec.Body.String(), "gated") {
			t.Errorf("the PDF with a session and a role: status %d", rec.Code)
		}
		if rec := get(h, "/api/search?q=soc", dress); rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "no search index") {
			t.Errorf("/api/search with a session and a role: status %d, body %q", rec.Code, rec.Body.String())
		}
	}

	// The public area needs nothing, whatever comes with the request.
	for _, dress := range []func(*http.Request){nil, attack, asProxy(signer, ""), asProxy(nil, "x")} {
		log.Reset()
		if rec := get(h, "/public/", dress); rec.Code != 200 || !strings.Contains(rec.Body.String(), "Public home") {
			t.Errorf("/public/: status %d", rec.Code)
		}
		if rec := get(h, "/public/api/search?q=x", dress); rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "no search index") {
			t.Errorf("/public/api/search: status %d, body %q", rec.Code, rec.Body.String())
		}
		if log.Len() != 0 {
			t.Errorf("a public request was logged as refused: %s", log.String())
		}
	}
}

// A refusal is logged with what the client chose escaped and cut short.
func TestGateLogIsBounded(t *testing.T) {
	var log bytes.Buffer
	h := upstreamFor(t, site(t), &log)
	get(h, "/"+strings.Repeat("a", 5000)+"%0A%22evil%22", func(r *http.Request) {
		r.Header.Set("GAP-Auth", "mallory\n{\"reason\":\"ok\"}"+strings.Repeat("m", 5000))
	})
	if n := strings.Count(log.String(), "\n"); n != 1 {
		t.Fatalf("%d log lines, want 1: %q", n, log.String())
	}
	if log.Len() > 1000 {
		t.Errorf("log line is %d bytes long", log.Len())
	}
	var line map[string]string
	if err := json.Unmarshal(log.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	if line["reason"] != "no signature" {
		t.Errorf("reason = %q", line["reason"])
	}
}

func TestUpstreamNeedsAKey(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		o    serve.UpstreamOptions
		want string // in the error
	}{
		{serve.UpstreamOptions{Dir: dir}, "no signature key"},
		{serve.UpstreamOptions{Dir: dir, Gate: serve.Gate{SignatureKey: testSecret}}, "ALGORITHM:SECRET"},
		{serve.UpstreamOptions{Dir: dir, Gate: serve.Gate{SignatureKey: "sha1:" + testSecret}}, `"sha1" is not accepted`},
		{serve.UpstreamOptions{Dir: dir, Gate: serve.Gate{SignatureKey: "sha256:short"}}, "at least 32"},
		{serve.UpstreamOptions{Dir: dir, Gate: serve.Gate{SignatureKey: testKey, Roles: []string{}}}, "no role"},
		{serve.UpstreamOptions{Dir: dir, Gate: serve.Gate{SignatureKey: testKey}, NoGate: true}, "choose one"},
	} {
		if _, err := serve.Upstream(tt.o); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Upstream(%+v) = %v, want an error with %q", tt.o, err, tt.want)
		}
	}
	if _, err := serve.Upstream(serve.UpstreamOptions{Dir: dir, NoGate: true}); err != nil {
		t.Errorf("NoGate: %v", err)
	}
}

// errorPages is the one part of oauth2-proxy's page writer its upstream
// proxy uses.
type errorPages struct{ pagewriter.Writer }

func (errorPages) ProxyErrorHandler(w http.ResponseWriter, _ *http.Request, err error) {
	http.Error(w, err.Error(), http.StatusBadGateway)
}

// TestThroughOAuth2ProxyUpstream runs oauth2-proxy's own upstream proxy
// (the signing, then Go's ReverseProxy) in front of the router over real
// sockets, so the signature is checked as it arrives in production: the
// path and query as forwarded, after the proxy's rewriting.
func TestThroughOAuth2ProxyUpstream(t *testing.T) {
	up := httptest.NewServer(upstreamFor(t, site(t), io.Discard))
	defer up.Close()
	proxy, err := upstream.NewProxy(options.UpstreamConfig{Upstreams: []options.Upstream{{ID: "site", Path: "/", URI: up.URL + "/"}}},
		&options.SignatureData{Hash: crypto.SHA256, Key: testSecret}, errorPages{})
	if err != nil {
		t.Fatal(err)
	}
	session := ""
	var roles []string
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = middleware.AddRequestScope(r, &middleware.RequestScope{})
		// What oauth2-proxy's header injector and addHeadersForProxying
		// do for a loaded session.
		r.Header.Del("X-Forwarded-Groups")
		if session != "" {
			w.Header().Set("GAP-Auth", session)
			r.Header.Set("X-Forwarded-Email", session)
			r.Header.Set("Authorization", "Bearer "+idToken(map[string]any{
				"tid": contosoTID, "oid": "oid-ada", "email": session, "roles": roles}))
			if len(roles) > 0 {
				r.Header.Set("X-Forwarded-Groups", strings.Join(roles, ","))
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()

	fetch := func(target string) int {
		t.Helper()
		req, err := http.NewRequest("GET", front.URL+target, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Forwarded-Uri", "/public/")
		req.Header.Set("Cookie", "a=b; c=d")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	targets := []string{"/catalog.json", "/documents/soc2/SOC%202%20Type%20II.pdf?download=1&x=%2F", "/compliance-reports/"}
	for _, tt := range []struct {
		session string
		roles   []string
		want    int
	}{
		{"", nil, 403},
		{"ada@contoso.example", nil, 403},
		{"ada@contoso.example", []string{"Portal.User"}, 200},
	} {
		session, roles = tt.session, tt.roles
		for _, target := range targets {
			if got := fetch(target); got != tt.want {
				t.Errorf("%s with session %q and roles %v: status %d, want %d", target, session, roles, got, tt.want)
			}
		}
		if got := fetch("/public/"); got != 200 {
			t.Errorf("/public/ with session %q: status %d", session, got)
		}
	}
}

// The gate signs with the headers oauth2-proxy signs.
func TestSignatureHeadersMatchOAuth2Proxy(t *testing.T) {
	want := slices.Clone(upstream.SignatureHeaders)
	if got := serve.SignatureHeadersForTest(); !slices.Equal(got, want) {
		t.Errorf("signature headers %v, oauth2-proxy signs %v", got, want)
	}
}
