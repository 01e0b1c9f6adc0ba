package entra

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Banner is shown on every page the stand-in renders.
const Banner = "Local Entra ID stand-in — for development, demos and tests only"

// graphAudience is Microsoft Graph's application id: Entra ID issues access
// tokens for Graph when a client asks only for the OpenID scopes, which is
// what oauth2-proxy does.
const graphAudience = "00000003-0000-0000-c000-000000000000"

// Provider is the stand-in's OpenID Connect provider. It is an
// http.Handler; see Start for one listening on loopback.
type Provider struct {
	store   *Store
	baseURL string
	key     *signingKey
	// TokenLifetime is the lifetime of ID and access tokens (Entra's
	// default is about an hour).
	tokenLifetime time.Duration
	now           func() time.Time

	mu       sync.Mutex
	codes    map[string]authCode
	refreshs map[string]refreshGrant

	graph graphState

	// formToken is in the forms of the stand-in's own page; a form post
	// to /_standin/ without it is refused (see sameOrigin).
	formToken string
}

type authCode struct {
	clientID    string
	redirectURI string
	oid         string
	scope       []string
	nonce       string
	challenge   string
	expires     time.Time
}

type refreshGrant struct {
	clientID string
	oid      string
	scope    []string
	expires  time.Time
}

// ProviderOption configures a Provider.
type ProviderOption func(*Provider)

// WithTokenLifetime sets the lifetime of issued ID and access tokens.
func WithTokenLifetime(d time.Duration) ProviderOption {
	return func(p *Provider) { p.tokenLifetime = d }
}

// NewProvider returns a provider for the directory in store, reachable at
// baseURL (scheme, host and port, no path), which becomes part of every
// issuer.
func NewProvider(store *Store, baseURL string, opts ...ProviderOption) (*Provider, error) {
	key, err := newSigningKey()
	if err != nil {
		return nil, err
	}
	p := &Provider{
		store:         store,
		baseURL:       strings.TrimSuffix(baseURL, "/"),
		key:           key,
		tokenLifetime: time.Hour,
		now:           time.Now,
		codes:         map[string]authCode{},
		refreshs:      map[string]refreshGrant{},
		graph:         graphState{pageSize: DefaultGraphPageSize},
		formToken:     randomToken(),
	}
	for _, o := range opts {
		o(p)
	}
	return p, nil
}

// Store returns the directory the provider signs users in from.
func (p *Provider) Store() *Store { return p.store }

// BaseURL returns the URL the provider is reachable at.
func (p *Provider) BaseURL() string { return p.baseURL }

// IssuerURL returns the issuer of tokens for a tenant, shaped like
// https://login.microsoftonline.com/<tenant-id>/v2.0. With "organizations"
// or "common" it returns the multi-tenant discovery URL's base.
func (p *Provider) IssuerURL(tenant string) string {
	return p.baseURL + "/" + tenant + "/v2.0"
}

// AdminConsentURL returns the admin-consent URL of a tenant, in the form a
// real tenant uses.
func (p *Provider) AdminConsentURL(tenant, clientID string) string {
	return p.baseURL + "/" + tenant + "/adminconsent?client_id=" + url.QueryEscape(clientID)
}

func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	if r.URL.Path == "/" {
		p.servePage(w, http.StatusOK, "Local Entra ID stand-in", indexBody(p))
		return
	}
	if strings.HasPrefix(r.URL.Path, "/_standin/") {
		p.serveAdmin(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/v1.0/") {
		p.serveGraph(w, r)
		return
	}
	// /{tenant}/...
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)
	if len(parts) != 2 || !p.knownTenantSegment(parts[0]) {
		p.servePage(w, http.StatusNotFound, "Not found", "<p>The stand-in has no such endpoint or tenant.</p>")
		return
	}
	tenant, rest := parts[0], "/"+parts[1]
	switch rest {
	case "/v2.0/.well-known/openid-configuration":
		p.discovery(w, tenant)
	case "/discovery/v2.0/keys":
		writeJSON(w, http.StatusOK, p.key.jwks())
	case "/oauth2/v2.0/authorize":
		p.authorize(w, r, tenant)
	case "/oauth2/v2.0/token":
		p.token(w, r, tenant)
	case "/oauth2/v2.0/logout":
		p.servePage(w, http.StatusOK, "Signed out", "<p>You have been signed out of the stand-in.</p>")
	case "/adminconsent":
		p.adminConsent(w, r, tenant)
	default:
		p.servePage(w, http.StatusNotFound, "Not found", "<p>The stand-in has no such endpoint.</p>")
	}
}

func (p *Provider) knownTenantSegment(s string) bool {
	if s == "organizations" || s == "common" {
		return true
	}
	_, ok := p.store.Tenant(s)
	return ok
}

func (p *Provider) discovery(w http.ResponseWriter, tenant string) {
	issuer := p.IssuerURL(tenant)
	if tenant == "organizations" || tenant == "common" {
		// Entra's multi-tenant metadata names a placeholder issuer; each
		// token carries its own tenant's issuer.
		issuer = p.baseURL + "/{tenantid}/v2.0"
	}
	base := p.baseURL + "/" + tenant
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                issuer,
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"end_session_endpoint":                  base + "/oauth2/v2.0/logout",
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
		"code_challenge_methods_supported":      []string{"S256"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token", "client_credentials"},
		"claims_supported": []string{"sub", "iss", "aud", "exp", "iat", "nbf", "name", "oid", "tid",
			"preferred_username", "email", "roles", "nonce", "ver"},
		"tenant_region_scope": "EU",
	})
}

// authorize shows the account picker (GET) and, when an account is picked
// (POST with user=<sign-in name>), redirects back with a code, or with an
// error shaped like Entra's when the account may not sign in.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request, tenant string) {
	q := r.URL.Query()
	app := p.store.Application()
	redirectURI := q.Get("redirect_uri")
	if q.Get("client_id") != app.ClientID {
		p.servePage(w, http.StatusBadRequest, "Sign-in error",
			"<p>AADSTS700016: Application with identifier "+esc(q.Get("client_id"))+" was not found in the directory.</p>")
		return
	}
	if !p.redirectAllowed(app, redirectURI) {
		// Never redirect to an unregistered URI: that would make the
		// stand-in an open redirector, which Entra ID is not.
		p.servePage(w, http.StatusBadRequest, "Sign-in error",
			"<p>AADSTS50011: The redirect URI "+esc(redirectURI)+" does not match the redirect URIs configured for the application.</p>")
		return
	}
	fail := func(code, desc string) {
		target, _ := url.Parse(redirectURI)
		v := target.Query()
		v.Set("error", code)
		v.Set("error_description", desc)
		if s := q.Get("state"); s != "" {
			v.Set("state", s)
		}
		target.RawQuery = v.Encode()
		http.Redirect(w, r, target.String(), http.StatusFound)
	}
	if q.Get("response_type") != "code" {
		fail("unsupported_response_type", "AADSTS700054: response_type must be 'code'.")
		return
	}
	scope := strings.Fields(q.Get("scope"))
	if !slices.Contains(scope, "openid") {
		fail("invalid_request", "AADSTS900144: The request body must contain the scope 'openid'.")
		return
	}
	// The stand-in insists on PKCE with S256 so that a configuration that
	// stopped sending it fails in development rather than in production.
	challenge := q.Get("code_challenge")
	if challenge == "" || q.Get("code_challenge_method") != "S256" {
		fail("invalid_request", "AADSTS501491: PKCE with code_challenge_method=S256 is required by the stand-in.")
		return
	}

	if r.Method == http.MethodGet {
		p.servePage(w, http.StatusOK, "Pick an account", pickerBody(p, r.URL.RequestURI()))
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		p.servePage(w, http.StatusMethodNotAllowed, "Method not allowed", "")
		return
	}
	if err := r.ParseForm(); err != nil {
		p.servePage(w, http.StatusBadRequest, "Sign-in error", "<p>"+esc(err.Error())+"</p>")
		return
	}
	user, ok := p.store.User(r.PostForm.Get("user"))
	if !ok {
		p.servePage(w, http.StatusBadRequest, "Sign-in error", "<p>AADSTS50034: The user account does not exist.</p>")
		return
	}
	if !user.AccountEnabled {
		fail("access_denied", "AADSTS50057: The user account is disabled.")
		return
	}
	switch {
	case tenant == "organizations" || tenant == "common":
		if !app.MultiTenant && user.TenantID != app.HomeTenantID {
			fail("access_denied", "AADSTS50194: Application is not configured as a multi-tenant application.")
			return
		}
	case user.TenantID != tenant:
		fail("access_denied", "AADSTS50020: User account '"+user.UserPrincipalName+
			"' from identity provider does not exist in tenant and cannot access the application.")
		return
	}

	code := randomToken()
	p.mu.Lock()
	p.codes[code] = authCode{
		clientID:    app.ClientID,
		redirectURI: redirectURI,
		oid:         user.ObjectID,
		scope:       scope,
		nonce:       q.Get("nonce"),
		challenge:   challenge,
		expires:     p.now().Add(10 * time.Minute),
	}
	p.mu.Unlock()

	target, _ := url.Parse(redirectURI)
	v := target.Query()
	v.Set("code", code)
	if s := q.Get("state"); s != "" {
		v.Set("state", s)
	}
	target.RawQuery = v.Encode()
	http.Redirect(w, r, target.String(), http.StatusFound)
}

// redirectAllowed accepts a registered reply URL, or, when none is
// registered, any http:// URL on a loopback address.
func (p *Provider) redirectAllowed(app Application, uri string) bool {
	if uri == "" {
		return false
	}
	if len(app.RedirectURIs) > 0 {
		return slices.Contains(app.RedirectURIs, uri)
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "http" {
		return false
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// tokenError is an OAuth error response shaped like Entra's.
type tokenError struct {
	status int
	code   string
	desc   string
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request, tenant string) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"error": "invalid_request",
			"error_description": "AADSTS900561: The endpoint only accepts POST requests."})
		return
	}
	resp, terr := p.issue(r, tenant)
	if terr != nil {
		writeJSON(w, terr.status, map[string]any{
			"error":             terr.code,
			"error_description": terr.desc,
			"timestamp":         p.now().UTC().Format("2006-01-02 15:04:05Z"),
		})
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (p *Provider) issue(r *http.Request, tenant string) (map[string]any, *tokenError) {
	if err := r.ParseForm(); err != nil {
		return nil, &tokenError{http.StatusBadRequest, "invalid_request", err.Error()}
	}
	app := p.store.Application()
	clientID, secret := clientCredentials(r)
	if r.PostForm.Get("grant_type") == "client_credentials" {
		return p.issueAppToken(r, tenant, clientID, secret)
	}
	if clientID != app.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(app.ClientSecret)) != 1 {
		return nil, &tokenError{http.StatusUnauthorized, "invalid_client",
			"AADSTS7000215: Invalid client secret provided."}
	}

	var oid, nonce string
	var scope []string
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		code := r.PostForm.Get("code")
		p.mu.Lock()
		ac, ok := p.codes[code]
		delete(p.codes, code) // A code is good for one redemption only.
		p.mu.Unlock()
		if !ok || p.now().After(ac.expires) || ac.clientID != clientID {
			return nil, &tokenError{http.StatusBadRequest, "invalid_grant",
				"AADSTS70008: The provided authorization code or refresh token has expired or was already used."}
		}
		if r.PostForm.Get("redirect_uri") != ac.redirectURI {
			return nil, &tokenError{http.StatusBadRequest, "invalid_grant",
				"AADSTS500112: The reply address does not match the reply address of the authorization request."}
		}
		verifier := r.PostForm.Get("code_verifier")
		if verifier == "" || subtle.ConstantTimeCompare([]byte(pkceS256(verifier)), []byte(ac.challenge)) != 1 {
			return nil, &tokenError{http.StatusBadRequest, "invalid_grant",
				"AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request."}
		}
		oid, scope, nonce = ac.oid, ac.scope, ac.nonce
	case "refresh_token":
		rt := r.PostForm.Get("refresh_token")
		p.mu.Lock()
		g, ok := p.refreshs[rt]
		// Refresh tokens rotate: each is good for one use, and the
		// response carries its successor.
		delete(p.refreshs, rt)
		p.mu.Unlock()
		if !ok || p.now().After(g.expires) || g.clientID != clientID {
			return nil, &tokenError{http.StatusBadRequest, "invalid_grant",
				"AADSTS70008: The provided authorization code or refresh token has expired or was already used."}
		}
		oid, scope = g.oid, g.scope
	default:
		return nil, &tokenError{http.StatusBadRequest, "unsupported_grant_type",
			"AADSTS70003: The app requested an unsupported grant type."}
	}

	// Claims are taken from the directory as it is now, so that a role
	// removed since sign-in is missing from the refreshed tokens.
	user, ok := p.store.UserByObjectID(oid)
	if !ok || !user.AccountEnabled {
		return nil, &tokenError{http.StatusBadRequest, "invalid_grant",
			"AADSTS50057: The user account is disabled or was deleted."}
	}

	now := p.now()
	exp := now.Add(p.tokenLifetime)
	issuer := p.IssuerURL(user.TenantID)
	id := map[string]any{
		"aud":                app.ClientID,
		"iss":                issuer,
		"iat":                now.Unix(),
		"nbf":                now.Unix(),
		"exp":                exp.Unix(),
		"name":               user.DisplayName,
		"oid":                user.ObjectID,
		"preferred_username": user.UserPrincipalName,
		"sub":                StableGUID("sub:" + app.ClientID + ":" + user.ObjectID),
		"tid":                user.TenantID,
		"uti":                randomToken()[:22],
		"ver":                "2.0",
	}
	if user.Mail != "" && slices.Contains(scope, "email") {
		id["email"] = user.Mail
	}
	// Entra ID leaves the roles claim out altogether when no role is
	// assigned, rather than sending an empty list.
	if len(user.Roles) > 0 {
		id["roles"] = user.Roles
	}
	if nonce != "" {
		id["nonce"] = nonce
	}
	idToken, err := p.key.sign(id)
	if err != nil {
		return nil, &tokenError{http.StatusInternalServerError, "server_error", err.Error()}
	}
	access := map[string]any{
		"aud":   graphAudience,
		"iss":   "https://sts.windows.net/" + user.TenantID + "/",
		"iat":   now.Unix(),
		"nbf":   now.Unix(),
		"exp":   exp.Unix(),
		"appid": app.ClientID,
		"name":  user.DisplayName,
		"oid":   user.ObjectID,
		"scp":   strings.Join(p.grantedScopes(user.TenantID, scope), " "),
		"sub":   StableGUID("graph-sub:" + user.ObjectID),
		"tid":   user.TenantID,
		"upn":   user.UserPrincipalName,
		"ver":   "1.0",
	}
	accessToken, err := p.key.sign(access)
	if err != nil {
		return nil, &tokenError{http.StatusInternalServerError, "server_error", err.Error()}
	}
	resp := map[string]any{
		"token_type":     "Bearer",
		"scope":          strings.Join(scope, " "),
		"expires_in":     int(p.tokenLifetime.Seconds()),
		"ext_expires_in": int(p.tokenLifetime.Seconds()),
		"access_token":   accessToken,
		"id_token":       idToken,
	}
	if slices.Contains(scope, "offline_access") {
		rt := randomToken()
		p.mu.Lock()
		p.refreshs[rt] = refreshGrant{clientID: clientID, oid: oid, scope: scope, expires: now.Add(24 * time.Hour)}
		p.mu.Unlock()
		resp["refresh_token"] = rt
	}
	return resp, nil
}

// clientCredentials returns the client id and secret of a token request,
// sent either as HTTP Basic authentication or in the form.
func clientCredentials(r *http.Request) (id, secret string) {
	id, secret, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
		return id, secret
	}
	return r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
}

// graphResource is the application id URI client-credential requests name
// in their scope, as https://graph.microsoft.com/.default.
const graphResource = "https://graph.microsoft.com"

// issueAppToken answers the client credentials grant with an app-only
// access token for Microsoft Graph, carrying the application permissions
// the client was granted in its roles claim, as Entra ID does. The portal's
// own registration may ask too; it was granted no permission, so its token
// has none, and Graph refuses it.
func (p *Provider) issueAppToken(r *http.Request, tenant, clientID, secret string) (map[string]any, *tokenError) {
	if tenant == "organizations" || tenant == "common" {
		return nil, &tokenError{http.StatusBadRequest, "invalid_request",
			"AADSTS90009: The client credentials grant needs a tenant-specific endpoint, not /" + tenant + "/."}
	}
	client, ok := p.store.GraphClient(clientID)
	if !ok {
		app := p.store.Application()
		if clientID != app.ClientID {
			return nil, &tokenError{http.StatusBadRequest, "unauthorized_client",
				"AADSTS700016: Application with identifier '" + clientID + "' was not found in the directory '" + tenant + "'."}
		}
		client = GraphClient{ClientID: app.ClientID, ClientSecret: app.ClientSecret, DisplayName: app.DisplayName, TenantID: app.HomeTenantID}
	}
	if client.TenantID != tenant {
		return nil, &tokenError{http.StatusBadRequest, "unauthorized_client",
			"AADSTS700016: Application with identifier '" + clientID + "' was not found in the directory '" + tenant + "'."}
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(client.ClientSecret)) != 1 {
		return nil, &tokenError{http.StatusUnauthorized, "invalid_client", "AADSTS7000215: Invalid client secret provided."}
	}
	scope := r.PostForm.Get("scope")
	if scope != graphResource+"/.default" && scope != graphAudience+"/.default" {
		return nil, &tokenError{http.StatusBadRequest, "invalid_scope",
			"AADSTS1002012: The provided value for scope " + scope + " is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."}
	}
	now := p.now()
	claims := map[string]any{
		"aud":             graphResource,
		"iss":             "https://sts.windows.net/" + tenant + "/",
		"iat":             now.Unix(),
		"nbf":             now.Unix(),
		"exp":             now.Add(p.tokenLifetime).Unix(),
		"app_displayname": client.DisplayName,
		"appid":           client.ClientID,
		"idtyp":           "app",
		"oid":             StableGUID("client-sp:" + tenant + ":" + client.ClientID),
		"sub":             StableGUID("client-sp:" + tenant + ":" + client.ClientID),
		"tid":             tenant,
		"ver":             "1.0",
	}
	if len(client.Permissions) > 0 {
		claims["roles"] = client.Permissions
	}
	token, err := p.key.sign(claims)
	if err != nil {
		return nil, &tokenError{http.StatusInternalServerError, "server_error", err.Error()}
	}
	return map[string]any{
		"token_type":     "Bearer",
		"expires_in":     int(p.tokenLifetime.Seconds()),
		"ext_expires_in": int(p.tokenLifetime.Seconds()),
		"access_token":   token,
	}, nil
}

func isOIDCOnlyScope(s string) bool { return s == "openid" || s == "offline_access" }

// grantedScopes are the scopes a delegated access token for Graph
// carries in scp: the OpenID Connect ones asked for (profile, email), and
// of the Graph permissions asked for (bare, or as
// https://graph.microsoft.com/NAME) User.Read, which a user consents to
// for themselves, and those the tenant's administrator consented to for
// everyone. Entra ID would stop a sign-in asking for more with "Need admin
// approval"; the stand-in leaves them out instead, so that the portal's
// answer to a missing consent can be shown.
func (p *Provider) grantedScopes(tenantID string, asked []string) []string {
	t, _ := p.store.Tenant(tenantID)
	var out []string
	for _, s := range asked {
		if isOIDCOnlyScope(s) {
			continue
		}
		name := strings.TrimPrefix(s, graphResource+"/")
		switch {
		case name == "profile" || name == "email" || name == "User.Read" || slices.Contains(t.Consented, name):
			if !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	return out
}

// DelegatedGraphPermissions are the delegated Graph permissions the
// portal asks for and an administrator consents to for everyone in their
// organisation: reading basic profiles (name, e-mail, sign-in name) of
// the organisation's users, so that a Portal Admin can add someone by
// e-mail address.
var DelegatedGraphPermissions = []string{"User.ReadBasic.All"}

// adminConsent is the step an administrator of a customer's tenant takes
// once: GET shows what the portal asks for; POST (from that page, with its
// token) records the consent for everyone in the tenant and, when the
// request named a registered redirect_uri, returns there with
// admin_consent=True and the tenant, as Entra ID does. The stand-in asks
// no one to sign in first; Entra ID asks for a Global Administrator, a
// Privileged Role Administrator or a Cloud Application Administrator.
func (p *Provider) adminConsent(w http.ResponseWriter, r *http.Request, tenant string) {
	app := p.store.Application()
	q := r.URL.Query()
	if q.Get("client_id") != app.ClientID {
		p.servePage(w, http.StatusBadRequest, "Admin consent", "<p>AADSTS700016: Unknown client_id.</p>")
		return
	}
	t, ok := p.store.Tenant(tenant)
	if !ok {
		p.servePage(w, http.StatusBadRequest, "Admin consent", "<p>Admin consent needs a tenant id, not /"+esc(tenant)+"/.</p>")
		return
	}
	redirect := q.Get("redirect_uri")
	if redirect != "" && !p.redirectAllowed(app, redirect) {
		p.servePage(w, http.StatusBadRequest, "Admin consent",
			"<p>AADSTS50011: The redirect URI "+esc(redirect)+" does not match the redirect URIs configured for the application.</p>")
		return
	}
	if r.Method == http.MethodPost {
		if err := p.sameOrigin(r); err != nil {
			p.servePage(w, http.StatusForbidden, "Admin consent", "<p>"+esc(err.Error())+"</p>")
			return
		}
		if err := p.store.GrantConsent(tenant, DelegatedGraphPermissions...); err != nil {
			p.servePage(w, http.StatusBadRequest, "Admin consent", "<p>"+esc(err.Error())+"</p>")
			return
		}
		if redirect != "" {
			target, _ := url.Parse(redirect)
			v := target.Query()
			v.Set("admin_consent", "True")
			v.Set("tenant", tenant)
			target.RawQuery = v.Encode()
			http.Redirect(w, r, target.String(), http.StatusSeeOther)
			return
		}
		p.servePage(w, http.StatusOK, "Admin consent", "<p>Consent granted for everyone in "+esc(t.DisplayName)+
			". Readers get the permission at their next sign-in (or session refresh).</p>")
		return
	}
	state := "not yet granted"
	if slices.Contains(t.Consented, DelegatedGraphPermissions[0]) {
		state = "already granted"
	}
	p.servePage(w, http.StatusOK, "Admin consent",
		`<p>`+esc(app.DisplayName)+` asks an administrator of <b>`+esc(t.DisplayName)+`</b> to grant, for everyone in the organisation (`+state+`):</p>
<ul><li><b>Sign in and read user profile</b> (User.Read, openid, profile, email): who is signing in, for the page and the audit log;</li>
<li><b>Maintain access to data you have given it access to</b> (offline_access): so the proxy re-checks a reader's roles every few minutes instead of trusting a week-old sign-in;</li>
<li><b>Read all users' basic profiles</b> (User.ReadBasic.All, delegated): so that a Portal Admin of your organisation can add a colleague by e-mail address on the portal's Settings page. The portal reads names, e-mail addresses and sign-in names of your organisation's users, on the admin's behalf, only while they add someone; it changes nothing in your directory.</li></ul>
<form method="post"><input type="hidden" name="token" value="`+esc(p.formToken)+`"><button type="submit">Accept</button></form>`)
}

// serveAdmin answers the stand-in's own API:
//
//	GET  /_standin/users                   the users and their roles, as JSON
//	POST /_standin/users/{name}/roles      replace a user's roles: JSON {"roles": [...]}
//	                                       or a form with repeated roles= values
//	POST /_standin/graph/throttle          answer the next N Graph requests with 429:
//	                                       JSON {"requests": N, "retryAfterSeconds": S}
//
// A request that changes anything must come from the stand-in's own page or
// from outside a browser (see sameOrigin).
func (p *Provider) serveAdmin(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/_standin/")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if err := p.sameOrigin(r); err != nil {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": err.Error()})
			return
		}
	}
	switch {
	case rest == "users" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"users": userViews(p.store.Users())})
	case rest == "graph/throttle" && r.Method == http.MethodPost:
		var body struct {
			Requests          int `json:"requests"`
			RetryAfterSeconds int `json:"retryAfterSeconds"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<12)).Decode(&body); err != nil || body.Requests < 0 || body.RetryAfterSeconds < 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": `want {"requests": N, "retryAfterSeconds": S}`})
			return
		}
		p.ThrottleGraph(body.Requests, time.Duration(body.RetryAfterSeconds)*time.Second)
		writeJSON(w, http.StatusOK, body)
	case strings.HasPrefix(rest, "users/") && strings.HasSuffix(rest, "/roles"):
		name := strings.TrimSuffix(strings.TrimPrefix(rest, "users/"), "/roles")
		if r.Method != http.MethodPost && r.Method != http.MethodPut {
			w.Header().Set("Allow", "POST, PUT")
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use POST"})
			return
		}
		var roles []string
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			var body struct {
				Roles []string `json:"roles"`
			}
			if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&body); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
				return
			}
			roles = body.Roles
		} else {
			if err := r.ParseForm(); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
				return
			}
			roles = slices.DeleteFunc(r.PostForm["roles"], func(s string) bool { return s == "" })
		}
		if err := p.store.SetRoles(name, roles...); err != nil {
			status := http.StatusBadRequest
			if errors.Is(err, ErrNoSuchUser) {
				status = http.StatusNotFound
			}
			writeJSON(w, status, map[string]string{"error": err.Error()})
			return
		}
		if r.PostForm != nil && r.PostForm.Get("back") != "" {
			// The index page's form: go back to it.
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
		u, _ := p.store.User(name)
		writeJSON(w, http.StatusOK, userViews([]User{u})[0])
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such stand-in endpoint"})
	}
}

// sameOrigin refuses a request to change the directory that a web page of
// another site could have made the developer's browser send: any page may
// post a form to http://127.0.0.1:5556/. Browsers say where a request
// comes from (Sec-Fetch-Site, Origin); curl and the tests say nothing and
// are let through. The request must also be JSON, which a page of another
// site cannot send without a CORS preflight the stand-in never answers, or
// a form from the stand-in's own page, carrying its token.
//
// http.CrossOriginProtection is not enough here: without Sec-Fetch-Site it
// compares Origin with the Host header, which a DNS-rebinding page chooses.
func (p *Provider) sameOrigin(r *http.Request) error {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return fmt.Errorf("refused a %s request (Sec-Fetch-Site: %s): the stand-in's directory changes only from its own page (%s/) or outside a browser", site, site, p.baseURL)
	}
	if origin := r.Header.Get("Origin"); origin != "" && origin != p.baseURL {
		return fmt.Errorf("refused a request from %s: the stand-in's directory changes only from its own page (%s/) or outside a browser", origin, p.baseURL)
	}
	switch ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct {
	case "application/json":
		return nil
	case "application/x-www-form-urlencoded":
		if subtle.ConstantTimeCompare([]byte(r.PostFormValue("token")), []byte(p.formToken)) == 1 {
			return nil
		}
		return fmt.Errorf("refused a form without the stand-in page's token: use the page at %s/ (reload it), or send JSON", p.baseURL)
	}
	return errors.New(`send JSON (Content-Type: application/json), e.g. {"roles": ["Portal.User"]}`)
}

type userView struct {
	ObjectID          string   `json:"id"`
	TenantID          string   `json:"tenantId"`
	UserPrincipalName string   `json:"userPrincipalName"`
	Mail              string   `json:"mail,omitempty"`
	DisplayName       string   `json:"displayName"`
	AccountEnabled    bool     `json:"accountEnabled"`
	Roles             []string `json:"roles"`
}

func userViews(users []User) []userView {
	out := make([]userView, len(users))
	for i, u := range users {
		roles := u.Roles
		if roles == nil {
			roles = []string{}
		}
		out[i] = userView{u.ObjectID, u.TenantID, u.UserPrincipalName, u.Mail, u.DisplayName, u.AccountEnabled, roles}
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		// The client went away; there is nobody to tell.
		return
	}
}

// Server is a Provider listening on a loopback port.
type Server struct {
	*Provider
	URL      string
	listener net.Listener
	srv      *http.Server
}

// Start listens on addr (for example "127.0.0.1:0" for any free port) and
// serves a provider for store until Close.
func Start(addr string, store *Store, opts ...ProviderOption) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	base := "http://" + ln.Addr().String()
	p, err := NewProvider(store, base, opts...)
	if err != nil {
		ln.Close()
		return nil, err
	}
	s := &Server{Provider: p, URL: base, listener: ln,
		srv: &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Println("entra stand-in:", err)
		}
	}()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }
