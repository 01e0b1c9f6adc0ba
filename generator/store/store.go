// Package store keeps what the portal remembers on the server: each
// organisation's (tenant's) settings, the portal roles its Portal Admins
// grant, the directory roles its readers were last seen holding, and the
// audit log of every change; later access requests, acceptances and
// downloads.
//
// One interface, Store, has two real back ends over database/sql: SQLite in
// one file (modernc.org/sqlite, pure Go), the default, and PostgreSQL
// (github.com/jackc/pgx/v5) when the upstream runs as several replicas.
// Both apply the same numbered migrations, embedded from migrations/, each
// once and in its own transaction, recorded in schema_version.
//
// Every method takes the tenant it works on; callers pass the tenant of the
// signed-in reader and nothing else, so one organisation never reads or
// writes another's rows.
package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Store is what the portal remembers.
type Store interface {
	// OrgSettings returns the tenant's settings; a tenant whose admins
	// never saved any gets the zero OrgSettings (no regions, no
	// industries) and no error.
	OrgSettings(ctx context.Context, tenant string) (OrgSettings, error)
	// SetOrgSettings replaces the tenant's settings and records the change
	// in the audit log, in one transaction. It returns what was saved.
	SetOrgSettings(ctx context.Context, tenant string, s Choice, by Actor) (OrgSettings, error)
	// AuditLog returns the tenant's newest audit entries first, at most
	// limit of them.
	AuditLog(ctx context.Context, tenant string, limit int) ([]AuditEntry, error)
	// PortalRole records what a reader holds from their directory (when
	// it changed since they were last seen) and returns the portal role
	// the store grants them in tenant, or "".
	PortalRole(ctx context.Context, tenant string, seen DirectoryRole) (string, error)
	// Assignments returns the tenant's live portal role assignments and
	// the directory roles its readers were last seen holding.
	Assignments(ctx context.Context, tenant string) ([]Assignment, []DirectoryRole, error)
	// Grant gives a person of tenant exactly role, replacing a role the
	// store gave them before, and audits it; demoting the last Portal
	// Admin fails with ErrLastAdmin.
	Grant(ctx context.Context, tenant string, p Principal, role string, by Actor) (Assignment, error)
	// Revoke ends the role the store gave the person with object id oid
	// and audits it: ErrNoAssignment when there is none, ErrLastAdmin
	// when they are the last Portal Admin.
	Revoke(ctx context.Context, tenant, oid string, by Actor) (Assignment, error)
	// SchemaVersion is the newest migration applied.
	SchemaVersion(ctx context.Context) (int, error)
	Close() error
}

// Choice is a set of regions and industries, by catalog id, in the order
// chosen.
type Choice struct {
	Regions    []string `json:"regions"`
	Industries []string `json:"industries"`
}

// OrgSettings is an organisation's choice and who made it.
type OrgSettings struct {
	Choice
	// UpdatedAt is zero when nobody has saved settings for the tenant.
	UpdatedAt time.Time
	UpdatedBy Actor
}

// Actor is who made a change: the Entra ID object id (oid) and the
// e-mail address the proxy signed in.
type Actor struct {
	ObjectID string `json:"oid"`
	Email    string `json:"email"`
}

// AuditEntry is one recorded change.
type AuditEntry struct {
	ID     int64
	At     time.Time
	Tenant string
	Actor  Actor
	// Action names what changed, e.g. ActionOrgSettings.
	Action string
	// Detail is the change as JSON.
	Detail string
}

// ActionOrgSettings is the audit action of SetOrgSettings; its detail is
// the new Choice.
const ActionOrgSettings = "org.settings.update"

// Open opens the store named by url, creating it and applying migrations
// as needed:
//
//	sqlite:PATH                       one file, created on first start
//	postgres://USER@HOST:PORT/DB?…    PostgreSQL; password from the URL or,
//	                                  when it has none, password
func Open(ctx context.Context, url, password string) (Store, error) {
	switch {
	case strings.HasPrefix(url, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(url, "sqlite:"))
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return openPostgres(ctx, url, password)
	}
	return nil, fmt.Errorf("store %q: write sqlite:PATH or postgres://USER@HOST:PORT/DB", redact(url))
}

// ErrInvalid is wrapped by errors about what a caller asked to save.
var ErrInvalid = errors.New("invalid")

// validate checks what every back end would refuse anyway, with a clear
// message: ids are short, plain and not repeated.
func validate(tenant string, c Choice, by Actor) error {
	if tenant == "" {
		return fmt.Errorf("%w: no tenant", ErrInvalid)
	}
	if by.ObjectID == "" && by.Email == "" {
		return fmt.Errorf("%w: no actor: every change records who made it", ErrInvalid)
	}
	for kind, ids := range map[string][]string{"region": c.Regions, "industry": c.Industries} {
		seen := map[string]bool{}
		for _, id := range ids {
			if id == "" || len(id) > 100 {
				return fmt.Errorf("%w: %s id %q", ErrInvalid, kind, id)
			}
			if seen[id] {
				return fmt.Errorf("%w: %s %q chosen twice", ErrInvalid, kind, id)
			}
			seen[id] = true
		}
	}
	return nil
}

// redact hides a password written in a store URL before it is shown.
func redact(url string) string {
	scheme, rest, ok := strings.Cut(url, "://")
	if !ok {
		return url
	}
	userinfo, host, ok := strings.Cut(rest, "@")
	if !ok {
		return url
	}
	if user, _, hasPass := strings.Cut(userinfo, ":"); hasPass {
		return scheme + "://" + user + ":xxxxx@" + host
	}
	return url
}
