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
// The Store is shaped like the directory objects Microsoft Graph exposes
// (users with an id, userPrincipalName and mail; a service principal per
// tenant; app role assignments with their own ids), and the stand-in serves
// the Graph v1.0 endpoints that `stp access` uses from the same Store, so
// that a role revoked through Graph is missing from the next token.
package entra

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Tenant is an Entra ID tenant (a directory).
type Tenant struct {
	ID          string // the tenant id (tid), a GUID
	DisplayName string
	Domain      string // the verified domain users sign in with
	// Consented are the delegated Microsoft Graph permissions an
	// administrator of the tenant granted the portal for everyone in it
	// (admin consent), e.g. User.ReadBasic.All. Tokens carry only these
	// in scp, besides User.Read, which every user may grant themselves.
	Consented []string
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
	// DisplayName is the enterprise application's name in Graph.
	DisplayName string
	// ServicePrincipalID is the object id of the application's service
	// principal (the enterprise application) in its home tenant, which
	// Graph's appRoleAssignedTo hangs off. Empty means one derived from
	// the client id; see Store.ServicePrincipalID.
	ServicePrincipalID string
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
	// OtherMails are further addresses of the user (Graph's otherMails),
	// and ProxyAddresses the mailbox's addresses with their type, as
	// Exchange keeps them: "SMTP:" for the primary one, "smtp:" for an
	// alias. Graph finds a user by either with $filter and any().
	OtherMails     []string
	ProxyAddresses []string
	// Roles are the values of the app roles assigned to the user. The
	// Store keeps the assignments themselves (see AppRoleAssignment);
	// this is what tokens carry, read from them.
	Roles []string
}

// AppRoleAssignment is one app role held by one user, as Graph's
// appRoleAssignment resource has it.
type AppRoleAssignment struct {
	ID          string
	AppRoleID   string
	PrincipalID string // the user's object id
	// ResourceID is the service principal of the application in the
	// user's tenant.
	ResourceID string
	Created    time.Time
}

// GraphClient is an app registration that calls Microsoft Graph with the
// client credentials grant, holding the application permissions an
// administrator consented to (what its tokens carry in the roles claim).
type GraphClient struct {
	ClientID     string
	ClientSecret string
	DisplayName  string
	TenantID     string
	Permissions  []string
}

var (
	// ErrNoSuchUser is returned for an unknown sign-in name or object id.
	ErrNoSuchUser = errors.New("no such user")
	// ErrNoSuchAssignment is returned for an unknown assignment id.
	ErrNoSuchAssignment = errors.New("no such app role assignment")
	// ErrAssignmentExists is returned when the user already holds the role.
	ErrAssignmentExists = errors.New("permission being assigned already exists on the object")
)

// Store holds tenants, users and app-role assignments. It is safe for
// concurrent use; every read returns a copy.
type Store struct {
	mu          sync.RWMutex
	app         Application
	tenants     map[string]Tenant
	users       []*User
	assignments []AppRoleAssignment // in the order they were made
	clients     []GraphClient
	sequence    int // makes assignment ids unique and stable from run to run
	now         func() time.Time
}

// NewStore returns an empty store for the application app.
func NewStore(app Application) *Store {
	return &Store{app: app, tenants: map[string]Tenant{}, now: time.Now}
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

// GrantConsent records an administrator's consent, for everyone in the
// tenant, to the delegated Graph permissions perms.
func (s *Store) GrantConsent(tenantID string, perms ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tenants[tenantID]
	if !ok {
		return fmt.Errorf("unknown tenant %q", tenantID)
	}
	for _, p := range perms {
		if !slices.Contains(t.Consented, p) {
			t.Consented = append(slices.Clip(t.Consented), p)
		}
	}
	s.tenants[tenantID] = t
	return nil
}

// Tenant returns the tenant with the given id.
func (s *Store) Tenant(id string) (Tenant, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, ok := s.tenants[id]
	t.Consented = slices.Clone(t.Consented)
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
	roles := normalRoles(u.Roles)
	u.Roles = nil // held as assignments
	u.OtherMails, u.ProxyAddresses = slices.Clone(u.OtherMails), slices.Clone(u.ProxyAddresses)
	s.users = append(s.users, &u)
	for _, r := range roles {
		s.assign(&u, r)
	}
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
	return s.copyUser(u), true
}

// UserByObjectID returns the user with the given oid.
func (s *Store) UserByObjectID(oid string) (User, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if u := s.findByID(oid); u != nil {
		return s.copyUser(u), true
	}
	return User{}, false
}

// Users returns every user, in the order they were added.
func (s *Store) Users() []User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]User, len(s.users))
	for i, u := range s.users {
		out[i] = s.copyUser(u)
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
	want := normalRoles(roles)
	// Assignments for roles the user keeps stay as they are (same id,
	// same date), as they would in Entra ID.
	s.assignments = slices.DeleteFunc(s.assignments, func(a AppRoleAssignment) bool {
		if a.PrincipalID != u.ObjectID {
			return false
		}
		r, _ := s.app.Role(a.AppRoleID)
		return !slices.Contains(want, r.Value)
	})
	have := s.rolesOf(u.ObjectID)
	for _, r := range want {
		if !slices.Contains(have, r) {
			s.assign(u, r)
		}
	}
	return nil
}

// ServicePrincipalID returns the object id of the application's service
// principal in a tenant: the configured one in the home tenant, and one
// derived from the tenant and client id elsewhere.
func (s *Store) ServicePrincipalID(tenantID string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.spID(tenantID)
}

func (s *Store) spID(tenantID string) string {
	if tenantID == s.app.HomeTenantID && s.app.ServicePrincipalID != "" {
		return s.app.ServicePrincipalID
	}
	return StableGUID("sp:" + tenantID + ":" + s.app.ClientID)
}

// Assignments returns the app role assignments on a service principal, in
// the order they were made.
func (s *Store) Assignments(servicePrincipalID string) []AppRoleAssignment {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []AppRoleAssignment
	for _, a := range s.assignments {
		if a.ResourceID == servicePrincipalID {
			out = append(out, a)
		}
	}
	return out
}

// Assign gives the user with object id principalID the app role with id
// appRoleID, as Graph's POST appRoleAssignedTo does.
func (s *Store) Assign(principalID, appRoleID string) (AppRoleAssignment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.findByID(principalID)
	if u == nil {
		return AppRoleAssignment{}, fmt.Errorf("%w: %s", ErrNoSuchUser, principalID)
	}
	r, ok := s.app.Role(appRoleID)
	if !ok || r.ID != appRoleID {
		return AppRoleAssignment{}, fmt.Errorf("no app role with id %q", appRoleID)
	}
	if slices.Contains(s.rolesOf(principalID), r.Value) {
		return AppRoleAssignment{}, ErrAssignmentExists
	}
	return s.assign(u, r.Value), nil
}

// Unassign deletes an app role assignment by its id, as Graph's DELETE
// appRoleAssignedTo/{id} does.
func (s *Store) Unassign(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.assignments, func(a AppRoleAssignment) bool { return a.ID == id })
	if i < 0 {
		return fmt.Errorf("%w: %s", ErrNoSuchAssignment, id)
	}
	s.assignments = slices.Delete(s.assignments, i, i+1)
	return nil
}

// assign records a new assignment of the role with value role; the caller
// holds the lock and has checked the role.
func (s *Store) assign(u *User, role string) AppRoleAssignment {
	r, _ := s.app.Role(role)
	s.sequence++
	// Graph's assignment ids are 43 characters of base64url; these are
	// derived from the user, the role and a counter, so that a demo run
	// shows the same ids every time.
	sum := sha256.Sum256(fmt.Appendf(nil, "assignment:%s:%s:%d", u.ObjectID, r.ID, s.sequence))
	a := AppRoleAssignment{
		ID:          base64.RawURLEncoding.EncodeToString(sum[:]),
		AppRoleID:   r.ID,
		PrincipalID: u.ObjectID,
		ResourceID:  s.spID(u.TenantID),
		Created:     s.now().UTC().Truncate(time.Second),
	}
	s.assignments = append(s.assignments, a)
	return a
}

func (s *Store) rolesOf(oid string) []string {
	var roles []string
	for _, a := range s.assignments {
		if a.PrincipalID == oid {
			if r, ok := s.app.Role(a.AppRoleID); ok {
				roles = append(roles, r.Value)
			}
		}
	}
	return normalRoles(roles)
}

// AddGraphClient registers an app that may get Graph tokens with the
// client credentials grant.
func (s *Store) AddGraphClient(c GraphClient) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.Permissions = slices.Clone(c.Permissions)
	s.clients = append(s.clients, c)
}

// GraphClient returns the registered Graph client with the given id.
func (s *Store) GraphClient(clientID string) (GraphClient, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, c := range s.clients {
		if c.ClientID == clientID {
			c.Permissions = slices.Clone(c.Permissions)
			return c, true
		}
	}
	return GraphClient{}, false
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

func (s *Store) findByID(oid string) *User {
	for _, u := range s.users {
		if strings.EqualFold(u.ObjectID, oid) {
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

func (s *Store) copyUser(u *User) User {
	c := *u
	c.Roles = s.rolesOf(u.ObjectID)
	c.OtherMails, c.ProxyAddresses = slices.Clone(u.OtherMails), slices.Clone(u.ProxyAddresses)
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
