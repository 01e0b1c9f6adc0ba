package entra_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stp-portal/stp/proxy/entra"
)

const redirectURI = "http://127.0.0.1:4180/oauth2/callback"

func start(t *testing.T) *entra.Server {
	t.Helper()
	s, err := entra.Start("127.0.0.1:0", entra.DemoStore())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func getJSON(t *testing.T, u string, into any) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %s", u, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(into); err != nil {
		t.Fatal(err)
	}
}

// signIn runs the authorization request as a browser would and returns the
// redirect back to the client.
func signIn(t *testing.T, s *entra.Server, tenant, user, verifier string) *url.URL {
	t.Helper()
	return signInFor(t, s, tenant, user, verifier, "openid email profile offline_access")
}

// signInFor is signIn asking for scope.
func signInFor(t *testing.T, s *entra.Server, tenant, user, verifier, scope string) *url.URL {
	t.Helper()
	q := url.Values{
		"client_id":             {entra.DemoClientID},
		"redirect_uri":          {redirectURI},
		"response_type":         {"code"},
		"scope":                 {scope},
		"state":                 {"st"},
		"nonce":                 {"n-0S6_WzA2Mj"},
		"code_challenge":        {s256(verifier)},
		"code_challenge_method": {"S256"},
	}
	authorize := s.URL + "/" + tenant + "/oauth2/v2.0/authorize?" + q.Encode()
	page, err := http.Get(authorize)
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	if page.StatusCode != 200 {
		t.Fatalf("authorize page: %s", page.Status)
	}
	res, err := noRedirects.PostForm(authorize, url.Values{"user": {user}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		t.Fatalf("pick account: %s", res.Status)
	}
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if loc.Query().Get("state") != "st" {
		t.Errorf("state not returned: %s", loc)
	}
	return loc
}

func s256(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

type tokenResponse struct {
	IDToken      string `json:"id_token"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
	Error        string `json:"error"`
}

func token(t *testing.T, s *entra.Server, tenant string, form url.Values) (int, tokenResponse) {
	t.Helper()
	form.Set("client_id", entra.DemoClientID)
	form.Set("client_secret", entra.DemoClientSecret)
	res, err := http.PostForm(s.URL+"/"+tenant+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var tr tokenResponse
	if err := json.NewDecoder(res.Body).Decode(&tr); err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, tr
}

// verify checks a token's RS256 signature against the JWKS and returns its
// claims.
func verify(t *testing.T, s *entra.Server, tenant, jwt string) map[string]any {
	t.Helper()
	var keys struct {
		Keys []struct{ Kid, N, E string }
	}
	getJSON(t, s.URL+"/"+tenant+"/discovery/v2.0/keys", &keys)
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", jwt)
	}
	var header struct{ Alg, Kid string }
	decode(t, parts[0], &header)
	if header.Alg != "RS256" || header.Kid != keys.Keys[0].Kid {
		t.Fatalf("header %+v does not match the JWKS", header)
	}
	n, _ := base64.RawURLEncoding.DecodeString(keys.Keys[0].N)
	e, _ := base64.RawURLEncoding.DecodeString(keys.Keys[0].E)
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		t.Fatalf("signature: %v", err)
	}
	var claims map[string]any
	decode(t, parts[1], &claims)
	return claims
}

func decode(t *testing.T, part string, into any) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, into); err != nil {
		t.Fatal(err)
	}
}

func TestDiscovery(t *testing.T) {
	s := start(t)
	var doc map[string]any
	getJSON(t, s.URL+"/"+entra.ContosoTenantID+"/v2.0/.well-known/openid-configuration", &doc)
	if doc["issuer"] != s.URL+"/"+entra.ContosoTenantID+"/v2.0" {
		t.Errorf("issuer = %v", doc["issuer"])
	}
	if doc["token_endpoint"] != s.URL+"/"+entra.ContosoTenantID+"/oauth2/v2.0/token" {
		t.Errorf("token_endpoint = %v", doc["token_endpoint"])
	}
	getJSON(t, s.URL+"/organizations/v2.0/.well-known/openid-configuration", &doc)
	if doc["issuer"] != s.URL+"/{tenantid}/v2.0" {
		t.Errorf("multi-tenant issuer = %v", doc["issuer"])
	}
}

func TestCodeFlowAndRefresh(t *testing.T) {
	s := start(t)
	tid := entra.ContosoTenantID
	verifier := "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	back := signIn(t, s, tid, entra.DemoAdmin, verifier)
	code := back.Query().Get("code")

	status, tr := token(t, s, tid, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {redirectURI}, "code_verifier": {verifier}})
	if status != 200 {
		t.Fatalf("redeem: %d %s", status, tr.Error)
	}
	id := verify(t, s, tid, tr.IDToken)
	want := map[string]any{
		"iss": s.URL + "/" + tid + "/v2.0", "aud": entra.DemoClientID, "tid": tid, "ver": "2.0",
		"preferred_username": entra.DemoAdmin, "email": entra.DemoAdmin, "name": "Adele Vance", "nonce": "n-0S6_WzA2Mj",
	}
	for k, v := range want {
		if id[k] != v {
			t.Errorf("id_token %s = %v, want %v", k, id[k], v)
		}
	}
	if roles, _ := id["roles"].([]any); len(roles) != 1 || roles[0] != entra.RolePortalAdmin {
		t.Errorf("roles = %v", id["roles"])
	}
	if id["oid"] == "" || id["sub"] == "" || id["sub"] == id["oid"] {
		t.Errorf("oid %v, sub %v: want both, different", id["oid"], id["sub"])
	}
	if tr.ExpiresIn != 3600 {
		t.Errorf("expires_in = %d, want seconds", tr.ExpiresIn)
	}
	verify(t, s, tid, tr.AccessToken)

	// A code is good once.
	if status, _ := token(t, s, tid, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {redirectURI}, "code_verifier": {verifier}}); status != 400 {
		t.Errorf("second redemption: %d, want 400", status)
	}

	// Refresh tokens rotate and reflect role changes.
	if err := s.Store().SetRoles(entra.DemoAdmin); err != nil {
		t.Fatal(err)
	}
	status, tr2 := token(t, s, tid, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}})
	if status != 200 {
		t.Fatalf("refresh: %d %s", status, tr2.Error)
	}
	if tr2.RefreshToken == "" || tr2.RefreshToken == tr.RefreshToken {
		t.Error("refresh token did not rotate")
	}
	if id2 := verify(t, s, tid, tr2.IDToken); id2["roles"] != nil || id2["nonce"] != nil {
		t.Errorf("after removal: roles %v nonce %v, want neither", id2["roles"], id2["nonce"])
	}
	if status, tr3 := token(t, s, tid, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}}); status != 400 || tr3.Error != "invalid_grant" {
		t.Errorf("reused refresh token: %d %q, want 400 invalid_grant", status, tr3.Error)
	}

	// A disabled account cannot refresh.
	if err := s.Store().SetAccountEnabled(entra.DemoAdmin, false); err != nil {
		t.Fatal(err)
	}
	if status, tr4 := token(t, s, tid, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr2.RefreshToken}}); status != 400 || tr4.Error != "invalid_grant" {
		t.Errorf("disabled account refresh: %d %q", status, tr4.Error)
	}
}

func TestPKCEIsVerified(t *testing.T) {
	s := start(t)
	tid := entra.ContosoTenantID
	back := signIn(t, s, tid, entra.DemoUser, "the-right-verifier-the-right-verifier-1234")
	status, tr := token(t, s, tid, url.Values{"grant_type": {"authorization_code"}, "code": {back.Query().Get("code")},
		"redirect_uri": {redirectURI}, "code_verifier": {"a-wrong-verifier-a-wrong-verifier-a-wrong"}})
	if status != 400 || tr.Error != "invalid_grant" {
		t.Errorf("wrong verifier: %d %q, want 400 invalid_grant", status, tr.Error)
	}
}

func TestTenants(t *testing.T) {
	s := start(t)
	// A single-tenant endpoint refuses another tenant's user.
	back := signIn(t, s, entra.ContosoTenantID, entra.DemoForeign, "v-v-v-v-v-v-v-v-v-v-v-v-v-v-v-v-v-v-v-v-v-v")
	if back.Query().Get("error") != "access_denied" || !strings.Contains(back.Query().Get("error_description"), "AADSTS50020") {
		t.Errorf("foreign user on the tenant endpoint: %s", back)
	}
	// The multi-tenant endpoint signs them in, with their own tenant as
	// issuer and tid.
	verifier := "w-w-w-w-w-w-w-w-w-w-w-w-w-w-w-w-w-w-w-w-w-w"
	back = signIn(t, s, "organizations", entra.DemoForeign, verifier)
	_, tr := token(t, s, "organizations", url.Values{"grant_type": {"authorization_code"}, "code": {back.Query().Get("code")},
		"redirect_uri": {redirectURI}, "code_verifier": {verifier}})
	id := verify(t, s, "organizations", tr.IDToken)
	if id["tid"] != entra.FabrikamTenantID || id["iss"] != s.URL+"/"+entra.FabrikamTenantID+"/v2.0" {
		t.Errorf("tid %v iss %v", id["tid"], id["iss"])
	}
}

func TestRefusesUnregisteredRedirect(t *testing.T) {
	s := start(t)
	s.Store().SetRedirectURIs(redirectURI)
	q := url.Values{"client_id": {entra.DemoClientID}, "redirect_uri": {"http://127.0.0.1:9/evil"},
		"response_type": {"code"}, "scope": {"openid"}, "code_challenge": {"x"}, "code_challenge_method": {"S256"}}
	res, err := noRedirects.PostForm(s.URL+"/"+entra.ContosoTenantID+"/oauth2/v2.0/authorize?"+q.Encode(), url.Values{"user": {entra.DemoUser}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 400 || res.Header.Get("Location") != "" {
		t.Errorf("unregistered redirect_uri: %s, Location %q", res.Status, res.Header.Get("Location"))
	}
}

func TestRolesEndpoint(t *testing.T) {
	s := start(t)
	post := func(name, body string) int {
		res, err := http.Post(s.URL+"/_standin/users/"+name+"/roles", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := post(entra.DemoNoRole, `{"roles":["Portal.User"]}`); got != 200 {
		t.Fatalf("grant: %d", got)
	}
	if u, _ := s.Store().User(entra.DemoNoRole); len(u.Roles) != 1 || u.Roles[0] != entra.RolePortalUser {
		t.Errorf("roles = %v", u.Roles)
	}
	if got := post(entra.DemoNoRole, `{"roles":["Portal.Owner"]}`); got != 400 {
		t.Errorf("unknown role: %d, want 400", got)
	}
	if got := post("nobody@contoso.example", `{"roles":[]}`); got != 404 {
		t.Errorf("unknown user: %d, want 404", got)
	}
}

func TestEveryPageSaysWhatItIs(t *testing.T) {
	s := start(t)
	for _, p := range []string{"/", "/nope", "/" + entra.ContosoTenantID + "/oauth2/v2.0/logout",
		"/" + entra.ContosoTenantID + "/adminconsent?client_id=" + entra.DemoClientID} {
		res, err := http.Get(s.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(body), entra.Banner) {
			t.Errorf("%s: no banner", p)
		}
	}
}

// A page of another site cannot change the stand-in's directory through
// the developer's browser; the stand-in's own page and curl can.
func TestAdminRefusesCrossSiteRequests(t *testing.T) {
	s := start(t)
	post := func(contentType, body string, header map[string]string) int {
		t.Helper()
		req, _ := http.NewRequest("POST", s.URL+"/_standin/users/"+entra.DemoUser+"/roles", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		res, err := noRedirects.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	roles := func() []string {
		u, _ := s.Store().User(entra.DemoUser)
		return u.Roles
	}
	const jsonType, formType = "application/json", "application/x-www-form-urlencoded"
	for _, tc := range []struct {
		name, contentType, body string
		header                  map[string]string
	}{
		{"cross-site JSON", jsonType, `{"roles":[]}`, map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}},
		{"another origin", jsonType, `{"roles":[]}`, map[string]string{"Origin": "http://evil.example"}},
		{"same site, another port", jsonType, `{"roles":[]}`, map[string]string{"Sec-Fetch-Site": "same-site"}},
		{"DNS rebinding", jsonType, `{"roles":[]}`, map[string]string{"Origin": "http://evil.example:5556", "Sec-Fetch-Site": "same-origin"}},
		{"cross-site form", formType, "roles=", map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}},
		{"form without the page's token", formType, "roles=", nil},
		{"text/plain", "text/plain", `{"roles":[]}`, nil},
	} {
		if got := post(tc.contentType, tc.body, tc.header); got != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", tc.name, got)
		}
	}
	if got := roles(); len(got) != 1 || got[0] != entra.RolePortalUser {
		t.Fatalf("a refused request changed alex's roles: %v", got)
	}
	// DELETE and PUT are refused the same way.
	for _, method := range []string{"PUT", "DELETE", "PATCH"} {
		req, _ := http.NewRequest(method, s.URL+"/_standin/users/"+entra.DemoUser+"/roles", strings.NewReader(`{"roles":[]}`))
		req.Header.Set("Content-Type", jsonType)
		req.Header.Set("Origin", "http://evil.example")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site %s: %d", method, res.StatusCode)
		}
	}
	// The throttle switch too.
	req, _ := http.NewRequest("POST", s.URL+"/_standin/graph/throttle", strings.NewReader(`{"requests":5,"retryAfterSeconds":60}`))
	req.Header.Set("Content-Type", jsonType)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site throttle: %v %v", res.Status, err)
	}

	// curl: JSON, no Origin.
	if got := post(jsonType, `{"roles":["Portal.Admin"]}`, nil); got != 200 {
		t.Errorf("curl: %d", got)
	}
	// The stand-in's own page: its form, with its token, from its origin.
	res, err := http.Get(s.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="token" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatal("the page's forms carry no token")
	}
	same := map[string]string{"Origin": s.URL, "Sec-Fetch-Site": "same-origin"}
	if got := post(formType, "back=1&roles=Portal.User&token="+string(m[1]), same); got != http.StatusSeeOther {
		t.Errorf("the page's form: %d, want 303 back to the page", got)
	}
	if got := roles(); len(got) != 1 || got[0] != entra.RolePortalUser {
		t.Errorf("after the page's form: %v", got)
	}
	if got := post(formType, "back=1&roles=&token=not-the-token", same); got != http.StatusForbidden {
		t.Errorf("a wrong token: %d", got)
	}
}
