package serve

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/stp-portal/stp/generator/store"
)

// The portal's app roles, as the token's roles claim carries them.
const (
	RoleAdmin = store.RoleAdmin
	RoleUser  = store.RoleUser
)

// Identity is who is asking: the reader the proxy signed in.
type Identity struct {
	// Tenant is the Entra ID tenant (tid): the reader's organisation.
	Tenant string `json:"tenant"`
	// ObjectID is the reader's object id in that tenant (oid), which
	// survives a renamed account.
	ObjectID string `json:"oid"`
	Email    string `json:"email"`
	Name     string `json:"name,omitempty"`
	// Roles are the portal roles the reader holds: those of their
	// directory, each confirmed twice (see identify), and the one the
	// portal's store grants them (see gate.admit).
	Roles []string `json:"roles"`
	// Directory are the roles of Roles that come from the reader's
	// directory (Entra ID app roles), which the portal cannot remove.
	Directory []string `json:"directoryRoles"`
	// GlobalAdmin is set when the ID token says the reader is their
	// tenant's Global Administrator (wids).
	GlobalAdmin bool `json:"globalAdmin,omitempty"`
}

// globalAdminRole is the role template id of Entra ID's Global
// Administrator, as the wids claim carries it.
const globalAdminRole = "62e90394-69f5-4237-9190-012177145e10"

// directoryRole is the higher of the reader's directory roles, or "".
func (id Identity) directoryRole() string {
	for _, r := range []string{RoleAdmin, RoleUser} {
		if slices.Contains(id.Directory, r) {
			return r
		}
	}
	return ""
}

// with returns id holding granted (a role from the store, or "") besides
// its directory roles; Roles lists the higher first.
func (id Identity) with(granted string) Identity {
	roles := []string{}
	for _, r := range []string{RoleAdmin, RoleUser} {
		if r == granted || slices.Contains(id.Directory, r) {
			roles = append(roles, r)
		}
	}
	id.Roles = roles
	return id
}

// Admin says whether the reader is a Portal Admin.
func (id Identity) Admin() bool { return slices.Contains(id.Roles, RoleAdmin) }

// idTokenClaims are the ID token's claims the portal reads; Entra ID v2.0
// and the stand-in write them alike.
type idTokenClaims struct {
	TenantID          string   `json:"tid"`
	ObjectID          string   `json:"oid"`
	Email             string   `json:"email"`
	PreferredUsername string   `json:"preferred_username"`
	UPN               string   `json:"upn"`
	Name              string   `json:"name"`
	Roles             []string `json:"roles"`
	// Wids are the directory roles (role template ids) of the reader,
	// when the app registration asks for them (groupMembershipClaims
	// "DirectoryRole").
	Wids []string `json:"wids"`
}

// identify says who sent r. Call it only for a request the gate let
// through: it trusts what it reads because the gate checked that
// oauth2-proxy sent it.
//
// oauth2-proxy passes the user's e-mail and roles in X-Forwarded-Email and
// X-Forwarded-Groups, but not the tenant or the object id. With
// pass_authorization_header = true it sends the session's ID token as
// "Authorization: Bearer …". That header is one of those GAP-Signature
// covers, and oauth2-proxy drops a client's own Authorization before
// setting it (skip_auth_strip_headers; the terminator drops it too), so the
// token is the one the proxy holds for the session, refreshed with it. Its
// signature is not checked again here: the upstream would need the
// tenants' keys, and the proxy verified the token when it redeemed it. Nor
// is its expiry: the proxy's session, refreshed every cookie_refresh,
// decides how long a sign-in lasts.
//
// tid, oid and the name come from the token. The e-mail is the signed
// X-Forwarded-Email, which must be one of the token's names for the
// reader. A directory role counts only when the token's roles claim and
// X-Forwarded-Groups both carry it: the header is not signed, the token
// is; both come from the same session, so they agree unless something
// between the proxy and the upstream changed one. A reader may have no
// directory role at all; the gate then asks the store. Nothing a browser
// sends can raise a role.
func identify(r *http.Request) (Identity, error) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		return Identity{}, errors.New("no ID token: oauth2-proxy must pass it (pass_authorization_header = true)")
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return Identity{}, errors.New("the Authorization header holds no JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return Identity{}, errors.New("the ID token's claims are not base64url")
	}
	var c idTokenClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return Identity{}, errors.New("the ID token's claims are not JSON")
	}
	if c.TenantID == "" || c.ObjectID == "" {
		return Identity{}, errors.New("the ID token has no tid or oid claim")
	}
	email := r.Header.Get("X-Forwarded-Email")
	if email == "" || !slices.ContainsFunc([]string{c.Email, c.PreferredUsername, c.UPN}, func(s string) bool {
		return s != "" && strings.EqualFold(s, email)
	}) {
		return Identity{}, errors.New("the ID token is not the signed-in user's")
	}
	id := Identity{Tenant: c.TenantID, ObjectID: c.ObjectID, Email: email, Name: c.Name,
		Directory: []string{}, GlobalAdmin: slices.Contains(c.Wids, globalAdminRole)}
	groups := map[string]bool{}
	for _, v := range r.Header.Values("X-Forwarded-Groups") {
		for g := range strings.SplitSeq(v, ",") {
			groups[strings.TrimSpace(g)] = true
		}
	}
	for _, role := range []string{RoleAdmin, RoleUser} {
		if slices.Contains(c.Roles, role) && groups[role] {
			id.Directory = append(id.Directory, role)
		}
	}
	return id.with(""), nil
}
