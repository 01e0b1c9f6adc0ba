// Package entra is a local stand-in for Microsoft Entra ID, for development,
// demos and tests only.
//
// It speaks enough OpenID Connect, shaped like the Entra ID v2.0 endpoints,
// for the real oauth2-proxy (provider "entra-id") to run its real flow
// offline: discovery, JWKS, the authorization code flow with PKCE, rotating
// refresh tokens, and ID and access tokens carrying tid, oid, roles and the
// other claims Entra sends. Users and their app-role assignments live in a
// Store that can change while the stand-in runs, so that revocation can be
// shown and tested.
//
// The Store is deliberately shaped like the directory objects Microsoft
// Graph exposes (users with an id, userPrincipalName and mail; app role
// assignments by role id) so that Graph endpoints can later share it.
package entra

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Tenant is an Entra ID tenant (a directory).
type Tenant struct {
	ID          string // the tenant id (tid), a GUID
	DisplayName string
	Domain      string // the verified domain users sign in with
}

// AppRole is an app role defined on the application registration. Value is
// what tokens carry in the roles claim; DisplayName is what administrators
// see when they assign it.
type AppRole struct {
	ID          string
	Value       string
	DisplayName string
	Description string
}

// Application is the app registration oauth2-proxy signs in with.
type Application struct {
	ClientID     string
	ClientSecret string
	// RedirectURIs are the registered reply URLs. The authorize endpoint
	// refuses any other redirect_uri, as Entra ID does; when empty, any
	// loopback http:// URI is accepted so that tests can pick ports.
	RedirectURIs []string
	// HomeTenantID is the tenant that owns the registration.
	HomeTenantID string
	// MultiTenant lets users of other tenants sign in through the
	// "organizations" and "common" endpoints. The per-tenant endpoints
	// accept only the tenant's own users, as for a single-tenant app.
	MultiTenant bool
	AppRoles    []AppRole
}

// Role returns the app role with the given value or id.
func (a Application) Role(valueOrID string) (AppRole, bool) {
	for _, r := range a.AppRoles {
		if r.Value == valueOrID || r.ID == valueOrID {
			return r, true
		}
	}
	return AppRole{}, false
}

// User is a user account in one tenant.
type User struct {
	ObjectID          string // oid
	TenantID          string // tid
	UserPrincipalName string // the sign-in name, preferred_username
	Mail              string // email; empty for some guests
	DisplayName       string // name
	AccountEnabled    bool
	// Roles are the values of the app roles assigned to the user.
	Roles []string
}

// ErrNoSuchUser is returned for an unknown sign-in name.
var ErrNoSuchUser = errors.New("no such user")

// Store holds tenants, users and app-role assignments. It is safe for
// concurrent use; every read returns a copy.
type Store struct {
	mu      sync.RWMutex
	app     Application
	tenants map[string]Tenant
	users   []*User
}

// NewStore returns an empty store for the application app.
func NewStore(app Application) *Store {
	return &Store{app: app, tenants: map[string]Tenant{}}
}

// Application returns the application registration.
func (s *Store) Application() Application {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a := s.app
	a.AppRoles = slices.Clone(a.AppRoles)
	a.RedirectURIs = slices.Clone(a.RedirectURIs)
	return a
}

// SetRedirectURIs replaces the registered reply URLs, for callers that learn
// the proxy's port only after the store is made.
func (s *Store) SetRedirectURIs(uris ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.app.RedirectURIs = slices.Clone(uris)
}

// AddTenant adds or replaces a tenant.
func (s *Store) AddTenant(t Tenant) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tenants[t.ID] = t
}

// Tenant returns the tenant with the given id.
func (s *Store) Tenant(id string) (Tenant, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, ok := s.tenants[id]
	return t, ok
}

// AddUser adds a user. The object id defaults to a stable GUID derived from
// the sign-in name, so that demo tokens are the same from run to run.
func (s *Store) AddUser(u User) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tenants[u.TenantID]; !ok {
		return fmt.Errorf("user %s: unknown tenant %q", u.UserPrincipalName, u.TenantID)
	}
	if s.find(u.UserPrincipalName) != nil {
		return fmt.Errorf("user %s already exists", u.UserPrincipalName)
	}
	if err := s.checkRoles(u.Roles); err != nil {
		return err
	}
	if u.ObjectID == "" {
		u.ObjectID = StableGUID("oid:" + strings.ToLower(u.UserPrincipalName))
	}
	u.Roles = normalRoles(u.Roles)
	s.users = append(s.users, &u)
	return nil
}

// User returns the user whose sign-in name or e-mail is name.
func (s *Store) User(name string) (User, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.find(name)
	if u == nil {
		return User{}, false
	}
	return copyUser(u), true
}

// UserByObjectID returns the user with the given oid.
func (s *Store) UserByObjectID(oid string) (User, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, u := range s.users {
		if u.ObjectID == oid {
			return copyUser(u), true
		}
	}
	return User{}, false
}

// Users returns every user, in the order they were added.
func (s *Store) Users() []User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]User, len(s.users))
	for i, u := range s.users {
		out[i] = copyUser(u)
	}
	return out
}

// SetRoles replaces the app roles assigned to a user. Tokens issued from
// then on, including on refresh, carry exactly these roles.
func (s *Store) SetRoles(name string, roles ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.find(name)
	if u == nil {
		return fmt.Errorf("%w: %s", ErrNoSuchUser, name)
	}
	if err := s.checkRoles(roles); err != nil {
		return err
	}
	u.Roles = normalRoles(roles)
	return nil
}

// SetAccountEnabled enables or disables a user's account. A disabled
// account cannot sign in, and its refresh tokens are refused with
// invalid_grant, as Entra ID does.
func (s *Store) SetAccountEnabled(name string, enabled bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.find(name)
	if u == nil {
		return fmt.Errorf("%w: %s", ErrNoSuchUser, name)
	}
	u.AccountEnabled = enabled
	return nil
}

func (s *Store) find(name string) *User {
	for _, u := range s.users {
		if strings.EqualFold(u.UserPrincipalName, name) || (u.Mail != "" && strings.EqualFold(u.Mail, name)) {
			return u
		}
	}
	return nil
}

func (s *Store) checkRoles(roles []string) error {
	for _, r := range roles {
		if _, ok := s.app.Role(r); !ok {
			known := make([]string, len(s.app.AppRoles))
			for i, ar := range s.app.AppRoles {
				known[i] = ar.Value
			}
			return fmt.Errorf("unknown app role %q (known: %s)", r, strings.Join(known, ", "))
		}
	}
	return nil
}

func normalRoles(roles []string) []string {
	out := slices.Clone(roles)
	sort.Strings(out)
	return slices.Compact(out)
}

func copyUser(u *User) User {
	c := *u
	c.Roles = slices.Clone(u.Roles)
	return c
}

// StableGUID derives a GUID-shaped identifier from a seed, so that demo
// identifiers are stable and obviously not real ones.
func StableGUID(seed string) string {
	h := sha256.Sum256([]byte(seed))
	h[6] = h[6]&0x0f | 0x50 // version 5-like, name based
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}
