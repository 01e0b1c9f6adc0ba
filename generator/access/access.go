// Package access manages who may open the portal: the holders of its two
// Entra ID app roles, Portal Admin and Portal User, read and changed through
// Microsoft Graph's app role assignments on the portal's service principal.
//
// It owns the Graph client (client credentials or a given token, paging,
// throttling), the access file (proxy/access.yaml: who holds which role,
// who is protected), and the plan that brings the tenant in line with the
// file, with its guard rails: the last Portal Admin is never removed,
// protected principals never lose a role, and a plan that revokes more
// than a set share of the people with access needs --force. Every guard
// rail compares directory objects: a name on the command line or in the
// file is resolved to the user it names (by object id, sign-in name,
// e-mail address or alias) before it is checked.
package access

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Role is a portal role, as the access file and the command name it.
type Role string

const (
	AdminRole Role = "admin"
	UserRole  Role = "user"
)

// Roles are the portal's roles, the stronger first.
var Roles = []Role{AdminRole, UserRole}

// Value is the app role's value, which tokens carry in their roles claim.
func (r Role) Value() string {
	if r == AdminRole {
		return "Portal.Admin"
	}
	return "Portal.User"
}

// Title is the app role's display name.
func (r Role) Title() string {
	if r == AdminRole {
		return "Portal Admin"
	}
	return "Portal User"
}

// ParseRole reads "admin" or "user" (or the app role's value or title).
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if strings.EqualFold(s, string(r)) || strings.EqualFold(s, r.Value()) || strings.EqualFold(s, r.Title()) {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q (known: admin, user)", s)
}

// Holding is one portal role held by one user.
type Holding struct {
	User       User
	Role       Role
	Assignment Assignment
}

// Tenant is the portal's access as Graph shows it now.
type Tenant struct {
	ServicePrincipal ServicePrincipal
	roleIDs          map[Role]string
	// Holdings are the users' portal roles, admins first, then by e-mail.
	Holdings []Holding
	// Unmanaged are assignments stp access does not manage: to groups or
	// service principals, or of other app roles (such as default access).
	Unmanaged []Assignment
}

// Read reads the service principal, its assignments and the users holding
// them.
func Read(ctx context.Context, c *Client) (*Tenant, error) {
	sp, err := c.ServicePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	t := &Tenant{ServicePrincipal: sp, roleIDs: map[Role]string{}}
	for _, r := range Roles {
		i := slices.IndexFunc(sp.AppRoles, func(ar AppRole) bool { return ar.Value == r.Value() })
		if i < 0 {
			return nil, fmt.Errorf("the service principal %s (%s) has no app role %q: load proxy/entra-app-manifest.json into the app registration (see proxy/README.md)",
				sp.DisplayName, sp.ID, r.Value())
		}
		t.roleIDs[r] = sp.AppRoles[i].ID
	}
	as, err := c.Assignments(ctx)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, a := range as {
		if a.PrincipalType == "User" && t.role(a.AppRoleID) != "" && !slices.Contains(ids, a.PrincipalID) {
			ids = append(ids, a.PrincipalID)
		}
	}
	users, err := c.UsersByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		u, ok := users[a.PrincipalID]
		r := t.role(a.AppRoleID)
		if a.PrincipalType != "User" || r == "" || !ok {
			t.Unmanaged = append(t.Unmanaged, a)
			continue
		}
		t.Holdings = append(t.Holdings, Holding{User: u, Role: r, Assignment: a})
	}
	slices.SortStableFunc(t.Holdings, func(a, b Holding) int {
		if a.Role != b.Role {
			return slices.Index(Roles, a.Role) - slices.Index(Roles, b.Role)
		}
		return strings.Compare(strings.ToLower(a.User.Email()), strings.ToLower(b.User.Email()))
	})
	return t, nil
}

func (t *Tenant) role(appRoleID string) Role {
	for r, id := range t.roleIDs {
		if id == appRoleID {
			return r
		}
	}
	return ""
}

// RoleID is the id of a portal role's app role on the service principal.
func (t *Tenant) RoleID(r Role) string { return t.roleIDs[r] }

// HoldingsOf returns the holdings of the user with object id id.
func (t *Tenant) HoldingsOf(id string) []Holding {
	var out []Holding
	for _, h := range t.Holdings {
		if strings.EqualFold(h.User.ID, id) {
			out = append(out, h)
		}
	}
	return out
}

// holders returns the users holding a portal role whom name names.
func (t *Tenant) holders(name string) []User {
	var out []User
	for _, h := range t.Holdings {
		if h.User.has(name) && !slices.ContainsFunc(out, func(u User) bool { return u.ID == h.User.ID }) {
			out = append(out, h.User)
		}
	}
	return out
}

// People counts the users holding any portal role.
func (t *Tenant) People() int {
	seen := map[string]bool{}
	for _, h := range t.Holdings {
		seen[h.User.ID] = true
	}
	return len(seen)
}

// Since formats when an assignment was made.
func Since(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}
