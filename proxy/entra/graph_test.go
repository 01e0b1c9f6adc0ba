package entra_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stp-portal/stp/proxy/entra"
)

// appToken gets a Graph token with the client credentials grant.
func appToken(t *testing.T, s *entra.Server, clientID, secret string) string {
	t.Helper()
	res, err := http.PostForm(s.URL+"/"+entra.ContosoTenantID+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret},
		"scope": {"https://graph.microsoft.com/.default"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(res.Body).Decode(&body)
	if res.StatusCode != 200 || body.AccessToken == "" {
		t.Fatalf("token: %s", res.Status)
	}
	return body.AccessToken
}

type graphAnswer struct {
	status int
	header http.Header
	body   map[string]any
}

func graph(t *testing.T, s *entra.Server, token, method, path, body string) graphAnswer {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	a := graphAnswer{status: res.StatusCode, header: res.Header}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &a.body); err != nil {
			t.Fatalf("%s %s: %q is not JSON", method, path, raw)
		}
	}
	return a
}

func errorCode(a graphAnswer) string {
	e, _ := a.body["error"].(map[string]any)
	code, _ := e["code"].(string)
	msg, _ := e["message"].(string)
	return code + ": " + msg
}

func TestGraphEndpoints(t *testing.T) {
	s, err := entra.Start("127.0.0.1:0", entra.DemoStore(), entra.WithGraphPageSize(1))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	token := appToken(t, s, entra.DemoManagerClientID, entra.DemoManagerClientSecret)
	sp := "/v1.0/servicePrincipals/" + entra.DemoServicePrincipalID

	if a := graph(t, s, "", "GET", "/v1.0/users/"+entra.DemoUser, ""); a.status != 401 || errorCode(a) != "InvalidAuthenticationToken: Access token is empty." {
		t.Errorf("no token: %d %v", a.status, a.body)
	}
	a := graph(t, s, token, "GET", "/v1.0/users/"+entra.DemoUser, "")
	if a.status != 200 || a.body["id"] != entra.StableGUID("oid:"+entra.DemoUser) || a.body["mail"] != entra.DemoUser {
		t.Errorf("user: %d %v", a.status, a.body)
	}
	if a := graph(t, s, token, "GET", "/v1.0/users/bob@contoso.example", ""); a.status != 404 ||
		errorCode(a) != "Request_ResourceNotFound: Resource 'bob@contoso.example' does not exist or one of its queried reference-property objects are not present." {
		t.Errorf("unknown user: %d %v", a.status, a.body)
	}
	// Another tenant's user is not in this tenant's directory.
	if a := graph(t, s, token, "GET", "/v1.0/users/"+entra.DemoForeign, ""); a.status != 404 {
		t.Errorf("foreign user: %d", a.status)
	}

	a = graph(t, s, token, "GET", sp, "")
	if roles, _ := a.body["appRoles"].([]any); a.status != 200 || len(roles) != 2 {
		t.Errorf("service principal: %d %v", a.status, a.body)
	}

	// Paging: one assignment per page, then no next link.
	a = graph(t, s, token, "GET", sp+"/appRoleAssignedTo", "")
	next, _ := a.body["@odata.nextLink"].(string)
	if v, _ := a.body["value"].([]any); a.status != 200 || len(v) != 1 || !strings.HasPrefix(next, s.URL+sp+"/appRoleAssignedTo?%24skiptoken=") {
		t.Fatalf("first page: %d %v", a.status, a.body)
	}
	a = graph(t, s, token, "GET", strings.TrimPrefix(next, s.URL), "")
	if _, more := a.body["@odata.nextLink"]; a.status != 200 || more {
		t.Errorf("last page: %d %v", a.status, a.body)
	}
	alexAssignment := a.body["value"].([]any)[0].(map[string]any)
	if alexAssignment["appRoleId"] != entra.PortalUserRoleID || alexAssignment["createdDateTime"] != "2025-01-06T09:00:00.0000000Z" {
		t.Errorf("assignment: %v", alexAssignment)
	}

	// Grant, refuse the same grant twice, revoke; the directory follows.
	megan := entra.StableGUID("oid:" + entra.DemoNoRole)
	grant := `{"principalId":"` + megan + `","resourceId":"` + entra.DemoServicePrincipalID + `","appRoleId":"` + entra.PortalUserRoleID + `"}`
	a = graph(t, s, token, "POST", sp+"/appRoleAssignedTo", grant)
	if a.status != 201 || a.body["principalId"] != megan {
		t.Fatalf("grant: %d %v", a.status, a.body)
	}
	if u, _ := s.Store().User(entra.DemoNoRole); len(u.Roles) != 1 {
		t.Errorf("megan's roles after the grant: %v", u.Roles)
	}
	if a := graph(t, s, token, "POST", sp+"/appRoleAssignedTo", grant); a.status != 400 ||
		errorCode(a) != "Request_BadRequest: Permission being assigned already exists on the object." {
		t.Errorf("second grant: %d %v", a.status, a.body)
	}
	if a := graph(t, s, token, "DELETE", sp+"/appRoleAssignedTo/"+alexAssignment["id"].(string), ""); a.status != 204 {
		t.Errorf("revoke: %d %v", a.status, a.body)
	}
	if u, _ := s.Store().User(entra.DemoUser); len(u.Roles) != 0 {
		t.Errorf("alex's roles after the revocation: %v", u.Roles)
	}
	if a := graph(t, s, token, "DELETE", sp+"/appRoleAssignedTo/"+alexAssignment["id"].(string), ""); a.status != 404 {
		t.Errorf("revoke twice: %d", a.status)
	}

	// Throttling.
	s.ThrottleGraph(1, 2*time.Second)
	if a := graph(t, s, token, "GET", sp, ""); a.status != 429 || a.header.Get("Retry-After") != "2" || !strings.HasPrefix(errorCode(a), "TooManyRequests: ") {
		t.Errorf("throttled: %d %v %v", a.status, a.header, a.body)
	}
	if a := graph(t, s, token, "GET", sp, ""); a.status != 200 {
		t.Errorf("after throttling: %d", a.status)
	}

	// The proxy's registration gets a token, but without permissions.
	weak := appToken(t, s, entra.DemoClientID, entra.DemoClientSecret)
	if a := graph(t, s, weak, "GET", sp+"/appRoleAssignedTo", ""); a.status != 403 ||
		errorCode(a) != "Authorization_RequestDenied: Insufficient privileges to complete the operation." {
		t.Errorf("no permission: %d %v", a.status, a.body)
	}
}

func TestClientCredentialsScope(t *testing.T) {
	s, err := entra.Start("127.0.0.1:0", entra.DemoStore())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tc := range []struct{ tenant, scope, want string }{
		{entra.ContosoTenantID, "User.Read", "invalid_scope"},
		{"organizations", "https://graph.microsoft.com/.default", "invalid_request"},
		{entra.FabrikamTenantID, "https://graph.microsoft.com/.default", "unauthorized_client"},
	} {
		res, err := http.PostForm(s.URL+"/"+tc.tenant+"/oauth2/v2.0/token", url.Values{
			"grant_type": {"client_credentials"}, "client_id": {entra.DemoManagerClientID},
			"client_secret": {entra.DemoManagerClientSecret}, "scope": {tc.scope}})
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if res.StatusCode != 400 || body["error"] != tc.want {
			t.Errorf("%s %s: %d %v, want %s", tc.tenant, tc.scope, res.StatusCode, body, tc.want)
		}
	}
}

// The lookups a guard rail needs find a user by every name Graph knows
// them by, without regard to case, and only those.
func TestGraphFindsUsersByEveryName(t *testing.T) {
	s, err := entra.Start("127.0.0.1:0", entra.DemoStore())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	token := appToken(t, s, entra.DemoManagerClientID, entra.DemoManagerClientSecret)
	adele := entra.StableGUID("oid:" + entra.DemoAdmin)
	users := func(filter string) graphAnswer {
		t.Helper()
		q := url.Values{"$filter": {filter}, "$select": {"id,mail,otherMails,proxyAddresses"}}
		return graph(t, s, token, "GET", "/v1.0/users?"+q.Encode(), "")
	}
	ids := func(a graphAnswer) string {
		var out []string
		for _, v := range a.body["value"].([]any) {
			out = append(out, v.(map[string]any)["id"].(string))
		}
		return strings.Join(out, ",")
	}

	// GET /users/{id | userPrincipalName}, either in any case.
	for _, key := range []string{adele, strings.ToUpper(adele), "Adele@Contoso.Example"} {
		if a := graph(t, s, token, "GET", "/v1.0/users/"+key, ""); a.status != 200 || a.body["id"] != adele {
			t.Errorf("GET /users/%s: %d %v", key, a.status, a.body)
		}
	}
	// Not by an alias: that takes $filter.
	if a := graph(t, s, token, "GET", "/v1.0/users/"+entra.DemoAdminAlias, ""); a.status != 404 {
		t.Errorf("GET /users/{alias}: %d", a.status)
	}
	// otherMails and proxyAddresses come only when selected, as in Graph.
	if a := graph(t, s, token, "GET", "/v1.0/users/"+adele, ""); a.body["proxyAddresses"] != nil || a.body["otherMails"] != nil {
		t.Errorf("unselected aliases returned: %v", a.body)
	}

	for _, filter := range []string{
		"mail eq 'ADELE@contoso.example'",
		"userPrincipalName eq 'adele@contoso.example'",
		"id eq '" + strings.ToUpper(adele) + "'",
		"otherMails/any(m:m eq 'Adele.Vance@Outlook.Example')",
		"proxyAddresses/any(p:p eq 'smtp:adele.vance@contoso.example')",
		"proxyAddresses/any(p:p eq 'smtp:adele@contoso.example')", // the primary SMTP: one
		"mail eq 'nobody@contoso.example' or otherMails/any(x:x eq 'adele.vance@outlook.example')",
		"id in ('" + adele + "')",
	} {
		if a := users(filter); a.status != 200 || ids(a) != adele {
			t.Errorf("$filter=%s: %d %v", filter, a.status, a.body)
		}
	}
	a := users("proxyAddresses/any(p:p eq 'smtp:adele.vance@contoso.example')")
	if u := a.body["value"].([]any)[0].(map[string]any); len(u["proxyAddresses"].([]any)) != 2 || len(u["otherMails"].([]any)) != 1 {
		t.Errorf("selected aliases: %v", u)
	}
	// An alias of nobody, a quote inside a value, another tenant's user.
	for _, filter := range []string{
		"proxyAddresses/any(p:p eq 'smtp:adele.vance@outlook.example')",
		"mail eq 'o''brien@contoso.example or mail eq ''adele@contoso.example'''",
		"mail eq '" + entra.DemoForeign + "'",
	} {
		if a := users(filter); a.status != 200 || ids(a) != "" {
			t.Errorf("$filter=%s: %d %v", filter, a.status, a.body)
		}
	}
	// What the stand-in does not know, or Graph refuses, is a 400.
	for filter, want := range map[string]string{
		"startswith(mail,'adele')":                                                "Request_UnsupportedQuery: Unsupported Query.",
		"proxyAddresses/any(p:x eq 'smtp:a@b.example')":                           "Request_UnsupportedQuery: Unsupported Query.",
		strings.Repeat("mail eq 'a@b.example' or ", 15) + "mail eq 'c@d.example'": "Request_UnsupportedQuery: Too many child clauses specified in search filter expression containing 'OR' operators: 16. Max allowed: 15.",
	} {
		if a := users(filter); a.status != 400 || errorCode(a) != want {
			t.Errorf("$filter=%s: %d %s", filter, a.status, errorCode(a))
		}
	}
}

// delegatedToken signs user in asking for the portal's scopes, as
// oauth2-proxy does, and returns the access token for Graph and its scp.
func delegatedToken(t *testing.T, s *entra.Server, tenant, user string) (string, []string) {
	t.Helper()
	loc := signInFor(t, s, tenant, user, "verifier-0123456789-0123456789-0123456789",
		"openid email profile offline_access https://graph.microsoft.com/User.ReadBasic.All")
	status, tr := token(t, s, tenant, url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
		"redirect_uri": {redirectURI}, "code_verifier": {"verifier-0123456789-0123456789-0123456789"}})
	if status != 200 {
		t.Fatalf("token: %d %+v", status, tr)
	}
	claims := verify(t, s, tenant, tr.AccessToken)
	scp, _ := claims["scp"].(string)
	if claims["tid"] != tenant || claims["oid"] == "" {
		t.Errorf("delegated token claims: %v", claims)
	}
	return tr.AccessToken, strings.Fields(scp)
}

// A delegated token carries User.ReadBasic.All only once the tenant's
// administrator consented; with it, Graph shows basic profiles of the
// token's tenant only, and no more than the basic profile.
func TestDelegatedGraphAndConsent(t *testing.T) {
	s := start(t)
	tok, scp := delegatedToken(t, s, entra.ContosoTenantID, entra.DemoAdmin)
	if !slices.Contains(scp, "User.ReadBasic.All") {
		t.Fatalf("Contoso consented; scp %v", scp)
	}
	a := graph(t, s, tok, "GET", "/v1.0/users?$filter="+url.QueryEscape("mail eq 'megan@contoso.example'"), "")
	users, _ := a.body["value"].([]any)
	if a.status != 200 || len(users) != 1 {
		t.Fatalf("find Megan: %d %v", a.status, a.body)
	}
	if _, ok := users[0].(map[string]any)["proxyAddresses"]; ok {
		t.Errorf("a basic profile shows proxyAddresses: %v", users[0])
	}
	if a := graph(t, s, tok, "GET", "/v1.0/users?$filter="+url.QueryEscape("mail eq 'lee@fabrikam.example'"), ""); a.status != 200 || len(a.body["value"].([]any)) != 0 {
		t.Errorf("Contoso's token finds Fabrikam's Lee: %d %v", a.status, a.body)
	}
	if a := graph(t, s, tok, "GET", "/v1.0/users?$filter="+url.QueryEscape("proxyAddresses/any(x:x eq 'smtp:adele.vance@contoso.example')"), ""); a.status != 403 {
		t.Errorf("User.ReadBasic.All filters on proxyAddresses: %d", a.status)
	}

	tok, scp = delegatedToken(t, s, entra.FabrikamTenantID, entra.DemoForeign)
	if slices.Contains(scp, "User.ReadBasic.All") {
		t.Fatalf("Fabrikam has not consented; scp %v", scp)
	}
	if a := graph(t, s, tok, "GET", "/v1.0/users?$filter="+url.QueryEscape("mail eq 'lee@fabrikam.example'"), ""); a.status != 403 {
		t.Errorf("without consent: %d", a.status)
	}
	consent := s.AdminConsentURL(entra.FabrikamTenantID, entra.DemoClientID)
	if res, err := http.PostForm(consent, url.Values{"token": {"forged"}}); err != nil || res.StatusCode != 403 {
		t.Errorf("consent with a forged form token: %v %v", res.Status, err)
	}
	req, _ := http.NewRequest("POST", consent, nil)
	req.Header.Set("Content-Type", "application/json")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
		t.Fatalf("consent: %v %v", res, err)
	}
	if _, scp = delegatedToken(t, s, entra.FabrikamTenantID, entra.DemoForeign); !slices.Contains(scp, "User.ReadBasic.All") {
		t.Errorf("after consent; scp %v", scp)
	}
}
