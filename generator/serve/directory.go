package serve

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/stp-portal/stp/generator/access"
	"github.com/stp-portal/stp/generator/store"
)

// Directory says how the API looks people up in a Portal Admin's
// organisation when they add someone by e-mail.
//
// The lookup is Microsoft Graph's GET /v1.0/users, with the admin's own
// delegated access token for Graph, which oauth2-proxy holds in the
// session and passes as X-Forwarded-Access-Token (pass_access_token =
// true; GAP-Signature covers that header). The token carries the
// delegated permission User.ReadBasic.All, which the organisation's
// administrator consented to once for everyone in it. So the portal reads
// basic profiles of the admin's own tenant only, only while an admin is
// adding someone, and never with the vendor's application secret; Graph
// answers from the token's tenant alone, so an address of another tenant
// is not found, exactly as an address that exists nowhere.
type Directory struct {
	// GraphURL is Microsoft Graph; empty means https://graph.microsoft.com.
	GraphURL string
	// Authority and ClientID make the admin-consent link shown when an
	// organisation has not consented yet; empty Authority means
	// https://login.microsoftonline.com.
	Authority, ClientID string
	// Protected, when set, is the access file: its protected principals
	// (in its tenant) never lose a role on the Settings page either.
	Protected *access.File
	// HTTPClient calls Graph; nil means one with a 10 s timeout.
	HTTPClient *http.Client
}

// lookupScopes are the delegated permissions that let the portal find a
// user of the admin's tenant; the least of them is the one asked for.
var lookupScopes = []string{"User.ReadBasic.All", "User.Read.All", "Directory.Read.All"}

// errNeedsConsent is a lookup refused because the organisation's
// administrator has not consented to User.ReadBasic.All.
type errNeedsConsent struct{ link string }

func (e errNeedsConsent) Error() string {
	msg := "your organisation has not allowed the portal to look people up in its directory yet: " +
		"an administrator of your organisation (Global Administrator, or Cloud Application Administrator) must consent once"
	if e.link != "" {
		msg += ", at " + e.link
	}
	return msg + "; then sign out and in again"
}

// errNotFound is the one answer for an address nobody in the admin's
// directory has, whether it exists elsewhere or nowhere.
var errNotFound = errors.New("no one in your organisation's directory has this address: check the spelling, " +
	"or ask them for the address they sign in with")

// errAmbiguous is an address several people of the directory answer to.
var errAmbiguous = errors.New("more than one person of your organisation answers to this address: add them by the address they sign in with")

// errGraph wraps a failure to ask Graph at all (not a refusal).
type errGraph struct{ err error }

func (e errGraph) Error() string { return "looking someone up in Microsoft Graph: " + e.err.Error() }
func (e errGraph) Unwrap() error { return e.err }

// delegatedClaims are the access token's claims the lookup checks.
type delegatedClaims struct {
	TenantID string `json:"tid"`
	ObjectID string `json:"oid"`
	Scope    string `json:"scp"`
}

// consentLink is the admin-consent URL of tenant for the portal.
func (d Directory) consentLink(tenant string) string {
	if d.ClientID == "" {
		return ""
	}
	authority := d.Authority
	if authority == "" {
		authority = access.DefaultAuthority
	}
	return strings.TrimSuffix(authority, "/") + "/" + url.PathEscape(tenant) + "/adminconsent?client_id=" + url.QueryEscape(d.ClientID)
}

// token returns the admin's delegated Graph token, checked to be theirs
// and to allow the lookup.
func (d Directory) token(r *http.Request, id Identity) (string, error) {
	tok := r.Header.Get("X-Forwarded-Access-Token")
	if tok == "" {
		return "", errors.New("the portal has no Graph token for your session (oauth2-proxy needs pass_access_token = true); tell the portal's operator")
	}
	parts := strings.Split(tok, ".")
	var c delegatedClaims
	if len(parts) != 3 {
		return "", errors.New("the session's Graph token is not a JWT; sign out and in again")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil || json.Unmarshal(payload, &c) != nil {
		return "", errors.New("the session's Graph token cannot be read; sign out and in again")
	}
	// The token is the session's (the signature covers it), so this holds
	// unless the proxy mixed sessions; checked anyway, since a token of
	// another tenant would look people up there.
	if c.TenantID != id.Tenant || c.ObjectID != id.ObjectID {
		return "", errors.New("the session's Graph token is not yours; sign out and in again")
	}
	if !slices.ContainsFunc(strings.Fields(c.Scope), func(s string) bool { return slices.Contains(lookupScopes, s) }) {
		return "", errNeedsConsent{d.consentLink(id.Tenant)}
	}
	return tok, nil
}

// lookup resolves address to exactly one person of the admin's tenant.
func (d Directory) lookup(ctx context.Context, r *http.Request, id Identity, address string) (store.Principal, error) {
	tok, err := d.token(r, id)
	if err != nil {
		return store.Principal{}, err
	}
	users, err := access.NewUserLookup(d.GraphURL, tok, d.HTTPClient).FindUsers(ctx, address)
	var ge *access.GraphError
	if errors.As(err, &ge) && (ge.Status == http.StatusForbidden || ge.Status == http.StatusUnauthorized) {
		return store.Principal{}, errNeedsConsent{d.consentLink(id.Tenant)}
	}
	if err != nil {
		return store.Principal{}, errGraph{err}
	}
	switch len(users) {
	case 0:
		return store.Principal{}, errNotFound
	case 1:
	default:
		return store.Principal{}, errAmbiguous
	}
	u := users[0]
	return store.Principal{ObjectID: u.ID, Email: u.Email(), Name: u.DisplayName}, nil
}

// protected says whether the person with object id oid of the admin's
// tenant is protected by the access file, resolving its entries in that
// directory so that any spelling of them counts. It fails closed: an
// entry that cannot be resolved protects whoever is asked about.
func (d Directory) protected(ctx context.Context, r *http.Request, id Identity, oid string) (bool, error) {
	f := d.Protected
	if f == nil || len(f.Protected) == 0 || !strings.EqualFold(f.Tenant, id.Tenant) {
		return false, nil
	}
	for _, e := range f.Protected {
		if strings.EqualFold(e.Name, oid) {
			return true, nil
		}
	}
	tok, err := d.token(r, id)
	if err != nil {
		return true, err
	}
	c := access.NewUserLookup(d.GraphURL, tok, d.HTTPClient)
	for _, e := range f.Protected {
		users, err := c.FindUsers(ctx, e.Name)
		if err != nil {
			return true, fmt.Errorf("resolving the protected entry %s: %w", e.Name, err)
		}
		if slices.ContainsFunc(users, func(u access.User) bool { return strings.EqualFold(u.ID, oid) }) {
			return true, nil
		}
	}
	return false, nil
}
