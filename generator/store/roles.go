package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// The portal roles, as tokens and the store name them.
const (
	RoleAdmin = "Portal.Admin"
	RoleUser  = "Portal.User"
)

// Audit actions of role changes; their detail is a RoleChange.
const (
	ActionRoleGrant  = "role.grant"
	ActionRoleRevoke = "role.revoke"
)

var (
	// ErrLastAdmin is returned for a change that would leave the tenant
	// without a Portal Admin.
	ErrLastAdmin = errors.New("the organisation's last Portal Admin")
	// ErrNoAssignment is returned for a revocation of a role the portal
	// did not grant.
	ErrNoAssignment = errors.New("no portal role assignment")
)

// Principal is a person of a tenant's directory, as it resolved them.
type Principal struct {
	ObjectID string `json:"oid"`
	Email    string `json:"email"`
	Name     string `json:"name"`
}

// Assignment is a portal role the portal's admins granted, kept in the
// store.
type Assignment struct {
	Principal
	Role      string
	GrantedAt time.Time
	GrantedBy Actor
}

// DirectoryRole is what a reader was last seen holding from their own
// directory: the Entra app role in their ID token ("" for none), and
// whether they were their tenant's Global Administrator.
type DirectoryRole struct {
	Principal
	Role        string
	GlobalAdmin bool
	SeenAt      time.Time
}

// RoleChange is the audit detail of a grant or revocation.
type RoleChange struct {
	Principal
	Role     string `json:"role"`
	Previous string `json:"previous,omitempty"`
}

// higher is the stronger of two portal roles ("" is none).
func higher(a, b string) string {
	if a == RoleAdmin || b == RoleAdmin {
		return RoleAdmin
	}
	if a == RoleUser || b == RoleUser {
		return RoleUser
	}
	return ""
}

func validRole(role string) bool { return role == RoleAdmin || role == RoleUser }

// PortalRole records what the reader holds from their directory (when it
// changed since last seen) and returns the role the store grants them,
// or "".
func (s *sqlStore) PortalRole(ctx context.Context, tenant string, seen DirectoryRole) (string, error) {
	if tenant == "" || seen.ObjectID == "" {
		return "", fmt.Errorf("%w: no tenant or object id", ErrInvalid)
	}
	var role string
	err := s.db.QueryRowContext(ctx, s.q(
		`SELECT role FROM role_assignments WHERE tenant_id = ? AND principal_oid = ? AND revoked_at IS NULL`),
		tenant, seen.ObjectID).Scan(&role)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: reading a role: %w", err)
	}
	var known DirectoryRole
	var ga int
	err = s.db.QueryRowContext(ctx, s.q(
		`SELECT email, display_name, role, global_admin FROM directory_roles WHERE tenant_id = ? AND principal_oid = ?`),
		tenant, seen.ObjectID).Scan(&known.Email, &known.Name, &known.Role, &ga)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if seen.Role == "" && !seen.GlobalAdmin {
			return role, nil // nothing worth remembering
		}
	case err != nil:
		return "", fmt.Errorf("store: reading directory roles: %w", err)
	case known.Email == seen.Email && known.Name == seen.Name && known.Role == seen.Role && (ga == 1) == seen.GlobalAdmin:
		return role, nil
	}
	if _, err := s.db.ExecContext(ctx, s.q(
		`INSERT INTO directory_roles (tenant_id, principal_oid, email, display_name, role, global_admin, seen_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?)
		 ON CONFLICT (tenant_id, principal_oid) DO UPDATE SET email = excluded.email, display_name = excluded.display_name,
		   role = excluded.role, global_admin = excluded.global_admin, seen_at = excluded.seen_at`),
		tenant, seen.ObjectID, seen.Email, seen.Name, seen.Role, boolInt(seen.GlobalAdmin), s.timeArg(s.now())); err != nil {
		return "", fmt.Errorf("store: recording directory roles: %w", err)
	}
	return role, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Assignments returns the tenant's live portal role assignments, oldest
// first, and the directory roles its readers were last seen holding.
func (s *sqlStore) Assignments(ctx context.Context, tenant string) ([]Assignment, []DirectoryRole, error) {
	rows, err := s.db.QueryContext(ctx, s.q(
		`SELECT principal_oid, email, display_name, role, granted_at, granted_by_oid, granted_by FROM role_assignments
		 WHERE tenant_id = ? AND revoked_at IS NULL AND principal_oid IS NOT NULL ORDER BY granted_at, id`), tenant)
	if err != nil {
		return nil, nil, fmt.Errorf("store: reading role assignments: %w", err)
	}
	defer rows.Close()
	assigned := []Assignment{}
	for rows.Next() {
		var a Assignment
		if err := rows.Scan(&a.ObjectID, &a.Email, &a.Name, &a.Role, scanTime{&a.GrantedAt}, &a.GrantedBy.ObjectID, &a.GrantedBy.Email); err != nil {
			return nil, nil, fmt.Errorf("store: reading role assignments: %w", err)
		}
		assigned = append(assigned, a)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	drows, err := s.db.QueryContext(ctx, s.q(
		`SELECT principal_oid, email, display_name, role, global_admin, seen_at FROM directory_roles
		 WHERE tenant_id = ? AND (role <> '' OR global_admin = 1) ORDER BY email`), tenant)
	if err != nil {
		return nil, nil, fmt.Errorf("store: reading directory roles: %w", err)
	}
	defer drows.Close()
	directory := []DirectoryRole{}
	for drows.Next() {
		var d DirectoryRole
		var ga int
		if err := drows.Scan(&d.ObjectID, &d.Email, &d.Name, &d.Role, &ga, scanTime{&d.SeenAt}); err != nil {
			return nil, nil, fmt.Errorf("store: reading directory roles: %w", err)
		}
		d.GlobalAdmin = ga == 1
		directory = append(directory, d)
	}
	return assigned, directory, drows.Err()
}

// Grant gives p exactly role in tenant (replacing a role the store gave
// them before) and records it, refusing to demote the last Portal Admin.
func (s *sqlStore) Grant(ctx context.Context, tenant string, p Principal, role string, by Actor) (Assignment, error) {
	if tenant == "" || p.ObjectID == "" || p.Email == "" || !validRole(role) {
		return Assignment{}, fmt.Errorf("%w: a grant needs a tenant, a person with an object id and address, and %s or %s", ErrInvalid, RoleAdmin, RoleUser)
	}
	if by.ObjectID == "" && by.Email == "" {
		return Assignment{}, fmt.Errorf("%w: no actor: every change records who made it", ErrInvalid)
	}
	now := s.now().UTC()
	a := Assignment{Principal: p, Role: role, GrantedAt: now, GrantedBy: by}
	err := s.inTenantTx(ctx, tenant, func(tx *sql.Tx) error {
		previous, err := s.liveRole(ctx, tx, tenant, p.ObjectID)
		if err != nil {
			return err
		}
		if previous == role {
			return nil // already so: nothing to change or record
		}
		if previous == RoleAdmin {
			if err := s.notLastAdmin(ctx, tx, tenant, p.ObjectID); err != nil {
				return err
			}
		}
		if err := s.endLive(ctx, tx, tenant, p.ObjectID, now, by); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(
			`INSERT INTO role_assignments (tenant_id, principal_oid, email, display_name, role, granted_at, granted_by, granted_by_oid)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			tenant, p.ObjectID, p.Email, p.Name, role, s.timeArg(now), by.Email, by.ObjectID); err != nil {
			return err
		}
		return s.audit(ctx, tx, tenant, by, now, ActionRoleGrant, RoleChange{Principal: p, Role: role, Previous: previous})
	})
	if err != nil {
		return Assignment{}, fmt.Errorf("store: granting a role: %w", err)
	}
	return a, nil
}

// Revoke ends the role the store gave the person with object id oid in
// tenant and records it, refusing to remove the last Portal Admin.
func (s *sqlStore) Revoke(ctx context.Context, tenant, oid string, by Actor) (Assignment, error) {
	if tenant == "" || oid == "" {
		return Assignment{}, fmt.Errorf("%w: a revocation needs a tenant and an object id", ErrInvalid)
	}
	if by.ObjectID == "" && by.Email == "" {
		return Assignment{}, fmt.Errorf("%w: no actor: every change records who made it", ErrInvalid)
	}
	var a Assignment
	now := s.now().UTC()
	err := s.inTenantTx(ctx, tenant, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.q(
			`SELECT principal_oid, email, display_name, role, granted_at, granted_by_oid, granted_by FROM role_assignments
			 WHERE tenant_id = ? AND principal_oid = ? AND revoked_at IS NULL`), tenant, oid).
			Scan(&a.ObjectID, &a.Email, &a.Name, &a.Role, scanTime{&a.GrantedAt}, &a.GrantedBy.ObjectID, &a.GrantedBy.Email)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNoAssignment
		}
		if err != nil {
			return err
		}
		if a.Role == RoleAdmin {
			if err := s.notLastAdmin(ctx, tx, tenant, oid); err != nil {
				return err
			}
		}
		if err := s.endLive(ctx, tx, tenant, oid, now, by); err != nil {
			return err
		}
		return s.audit(ctx, tx, tenant, by, now, ActionRoleRevoke, RoleChange{Principal: a.Principal, Role: a.Role})
	})
	if err != nil {
		return Assignment{}, fmt.Errorf("store: revoking a role: %w", err)
	}
	return a, nil
}

func (s *sqlStore) liveRole(ctx context.Context, tx *sql.Tx, tenant, oid string) (string, error) {
	var role string
	err := tx.QueryRowContext(ctx, s.q(
		`SELECT role FROM role_assignments WHERE tenant_id = ? AND principal_oid = ? AND revoked_at IS NULL`), tenant, oid).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return role, err
}

func (s *sqlStore) endLive(ctx context.Context, tx *sql.Tx, tenant, oid string, now time.Time, by Actor) error {
	_, err := tx.ExecContext(ctx, s.q(
		`UPDATE role_assignments SET revoked_at = ?, revoked_by = ?, revoked_by_oid = ?
		 WHERE tenant_id = ? AND principal_oid = ? AND revoked_at IS NULL`),
		s.timeArg(now), by.Email, by.ObjectID, tenant, oid)
	return err
}

// notLastAdmin fails with ErrLastAdmin unless someone other than oid stays
// a Portal Admin of tenant: by the store's grant, or from the directory as
// last seen (anyone, oid included, since the directory's role is not
// changed here).
func (s *sqlStore) notLastAdmin(ctx context.Context, tx *sql.Tx, tenant, oid string) error {
	var n int
	if err := tx.QueryRowContext(ctx, s.q(
		`SELECT (SELECT count(*) FROM role_assignments WHERE tenant_id = ? AND role = ? AND revoked_at IS NULL AND principal_oid <> ?)
		      + (SELECT count(*) FROM directory_roles WHERE tenant_id = ? AND role = ?)`),
		tenant, RoleAdmin, oid, tenant, RoleAdmin).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return ErrLastAdmin
	}
	return nil
}

func (s *sqlStore) audit(ctx context.Context, tx *sql.Tx, tenant string, by Actor, at time.Time, action string, detail any) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.q(
		`INSERT INTO audit_log (at, tenant_id, actor_oid, actor_email, action, detail) VALUES (?, ?, ?, ?, ?, ?)`),
		s.timeArg(at), tenant, by.ObjectID, by.Email, action, string(b))
	return err
}

// inTenantTx runs f in a transaction that no other change of the same
// tenant's roles runs beside, so that two admins removing each other at
// once cannot both pass the last-admin rule.
func (s *sqlStore) inTenantTx(ctx context.Context, tenant string, f func(*sql.Tx) error) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if s.d.tenantLock != nil {
			if err := s.d.tenantLock(ctx, tx, tenant); err != nil {
				return err
			}
		}
		return f(tx)
	})
}
