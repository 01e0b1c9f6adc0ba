package browsertest

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauth2-proxy/oauth2-proxy/v7/pkg/authentication/hmacauth"
	"github.com/oauth2-proxy/oauth2-proxy/v7/pkg/upstream"

	"github.com/stp-portal/stp/generator/serve"
	"github.com/stp-portal/stp/generator/site"
	"github.com/stp-portal/stp/generator/store"
	"github.com/stp-portal/stp/proxy/entra"
)

// standinSession signs user in at the Entra ID stand-in as oauth2-proxy
// does (authorization code flow with PKCE, the proxy's scopes) and returns
// the session's ID token and Graph access token.
func standinSession(t *testing.T, idp *entra.Server, user string) (idToken, accessToken string) {
	t.Helper()
	b := make([]byte, 32)
	rand.Read(b)
	verifier := base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(verifier))
	const redirect = "http://127.0.0.1:1/oauth2/callback"
	u, ok := idp.Store().User(user)
	if !ok {
		t.Fatalf("the stand-in has no %s", user)
	}
	q := url.Values{"client_id": {entra.DemoClientID}, "redirect_uri": {redirect}, "response_type": {"code"},
		"scope":          {"openid email profile offline_access https://graph.microsoft.com/User.ReadBasic.All"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.PostForm(idp.URL+"/"+u.TenantID+"/oauth2/v2.0/authorize?"+q.Encode(), url.Values{"user": {user}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("no code for %s: %s %q", user, res.Status, res.Header.Get("Location"))
	}
	res, err = http.PostForm(idp.URL+"/"+u.TenantID+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {redirect},
		"code_verifier": {verifier}, "client_id": {entra.DemoClientID}, "client_secret": {entra.DemoClientSecret}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var tok struct{ IDToken, AccessToken string }
	var raw map[string]any
	body, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(body, &raw); err != nil || res.StatusCode != 200 {
		t.Fatalf("token for %s: %s %s", user, res.Status, body)
	}
	tok.IDToken, _ = raw["id_token"].(string)
	tok.AccessToken, _ = raw["access_token"].(string)
	return tok.IDToken, tok.AccessToken
}

// asSession stands in for oauth2-proxy in front of h with a session of
// the stand-in's: the ID token (pass_authorization_header), the Graph
// access token (pass_access_token), the user headers with the token's
// roles as groups, signed as the proxy signs.
func asSession(t *testing.T, h http.Handler, idp *entra.Server, email string) string {
	idToken, access := standinSession(t, idp, email)
	u, _ := idp.Store().User(email)
	signer := hmacauth.NewHmacAuth(crypto.SHA256, []byte(adminTestSecret), upstream.SignatureHeader, upstream.SignatureHeaders)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+idToken)
		r.Header.Set("X-Forwarded-Access-Token", access)
		r.Header.Set("X-Forwarded-User", email)
		r.Header.Set("X-Forwarded-Email", email)
		r.Header.Set("X-Forwarded-Groups", strings.Join(u.Roles, ","))
		r.Header.Set("GAP-Auth", email)
		signer.SignRequest(r)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// portal is the upstream `stp serve --dir` runs, over the built sample,
// with a store of its own and the Entra ID stand-in's directory and Graph.
func portal(t *testing.T) (http.Handler, *entra.Server) {
	t.Helper()
	idp, err := entra.Start("127.0.0.1:0", entra.DemoStore())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idp.Close() })
	s, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "store.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	h, err := serve.Upstream(serve.UpstreamOptions{
		Dir:            siteDir,
		Gate:           serve.Gate{SignatureKey: "sha256:" + adminTestSecret, Log: slog.New(slog.NewJSONHandler(io.Discard, nil))},
		Store:          s,
		ProxyTemplates: filepath.Join(siteDir, site.ProxyTemplates),
		Directory:      serve.Directory{GraphURL: idp.URL, Authority: idp.URL, ClientID: entra.DemoClientID},
	})
	if err != nil {
		t.Fatal(err)
	}
	return h, idp
}

func status(t *testing.T, u string) int {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// Issue 23, part 3: Adele (Portal Admin) adds Megan by e-mail on the
// Settings page, sees her listed, removes her; Megan gets in and out;
// an address of another tenant is not found; Adele's own directory role
// has no Remove; Alex (Portal User) sees none of it and a forged request
// of his gets 403; axe finds nothing on the page with the admin's part.
func TestPeopleWithAccess(t *testing.T) {
	if skipped != "" {
		t.Skip("browser tests skipped: " + skipped)
	}
	h, idp := portal(t)
	adeleURL := asSession(t, h, idp, entra.DemoAdmin)
	alexURL := asSession(t, h, idp, entra.DemoUser)
	meganURL := asSession(t, h, idp, entra.DemoNoRole)
	if got := status(t, meganURL+"/settings/"); got != 403 {
		t.Fatalf("Megan before she is added: %d", got)
	}

	adele := newTab(t)
	adele.open(adeleURL + "/settings/")
	adele.wait(`!document.querySelector("[data-people]").hidden && document.querySelectorAll("[data-people-table] tbody tr").length > 0`, "the people part for a Portal Admin")
	// Adele's role comes from the directory: listed, not removable here.
	if got := adele.text("[data-people-table] tbody tr:first-child"); !strings.Contains(got, "Adele Vance") || !strings.Contains(got, "from your directory") {
		t.Errorf("Adele's row: %q", got)
	}
	if n := eval[int](adele, `document.querySelectorAll("[data-people-table] button").length`); n != 0 {
		t.Errorf("%d Remove buttons for roles from the directory", n)
	}
	add := func(email, role string) {
		eval[bool](adele, `(function(){var f=document.querySelector("[data-people-form]"); f.email.value=`+jsString(email)+
			`; f.role.value=`+jsString(role)+`; f.querySelector("button[type=submit]").click(); return true})()`)
	}
	// Another tenant's address: not found, like any unknown one.
	add(entra.DemoForeign, "Portal.User")
	adele.wait(`document.querySelector("[data-people-status]").textContent.indexOf("Not added: no one in your organisation's directory has this address") === 0`, "not found")

	add("megan@contoso.example", "Portal.User")
	adele.wait(`document.querySelector("[data-people-status]").textContent.indexOf("Megan Bowen (megan@contoso.example) is now a Portal User") === 0`, "Megan added")
	adele.wait(`document.querySelector("[data-people-table] tbody").textContent.indexOf("megan@contoso.example") >= 0`, "Megan listed")
	row := eval[string](adele, `Array.prototype.find.call(document.querySelectorAll("[data-people-table] tbody tr"), function (tr) {
		return tr.textContent.indexOf("megan@contoso.example") >= 0 }).innerText`)
	if !strings.Contains(row, "Megan Bowen") || !strings.Contains(row, "Portal User") || !strings.Contains(row, entra.DemoAdmin) || !strings.Contains(row, "Remove") {
		t.Errorf("Megan's row: %q", row)
	}
	checkAxe(t, adele, "settings, people with access")
	adele.screenshots("settings-people")
	if got := status(t, meganURL+"/settings/"); got != 200 {
		t.Errorf("Megan after she is added: %d", got)
	}

	// Megan, a Portal User now, and Alex see no admin controls; Alex's
	// forged request is refused.
	for _, u := range []string{meganURL, alexURL} {
		tb := newTab(t)
		tb.open(u + "/settings/")
		tb.wait(`!document.querySelector("[data-org]").hidden`, "the organisation's settings")
		if tb.visible("[data-people]") || tb.visible("[data-org-form]") {
			t.Errorf("%s: a Portal User sees admin controls", u)
		}
		if u == alexURL {
			got := eval[int](tb, `fetch("/api/org/users", {method: "POST", headers: {"Content-Type": "application/json"},
				body: JSON.stringify({email: "megan@contoso.example", role: "Portal.Admin"})}).then(function (r) { return r.status })`)
			if got != 403 {
				t.Errorf("Alex's forged POST: %d", got)
			}
			checkAxe(t, tb, "settings, Portal User, with the people part hidden")
		}
	}

	// Remove, confirmed.
	eval[bool](adele, `Array.prototype.find.call(document.querySelectorAll("[data-people-table] button"), function (b) { return b.textContent === "Remove" }).click(), true`)
	adele.wait(`document.activeElement && document.activeElement.textContent === "Confirm removal"`, "the confirmation, focused")
	eval[bool](adele, `document.activeElement.click(), true`)
	adele.wait(`document.querySelector("[data-people-status]").textContent === "Megan Bowen no longer has access to the portal."`, "Megan removed")
	adele.wait(`document.querySelector("[data-people-table] tbody").textContent.indexOf("megan@contoso.example") < 0`, "Megan no longer listed")
	if got := status(t, meganURL+"/settings/"); got != 403 {
		t.Errorf("Megan after she is removed: %d", got)
	}
}
