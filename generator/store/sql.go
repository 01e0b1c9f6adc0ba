package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// dialect is what differs between SQLite and PostgreSQL.
type dialect struct {
	name string
	// numbered placeholders ($1, $2) instead of ?.
	numbered bool
	// textTime stores times as RFC 3339 text (SQLite has no time type).
	textTime bool
	// lock serialises migrations between processes that start together
	// (replicas); it returns the unlock.
	lock func(ctx context.Context, c *sql.Conn) (func(), error)
	// tenantLock, when set, holds a lock on one tenant's role changes
	// until tx ends; SQLite needs none (every transaction takes the
	// write lock when it begins).
	tenantLock func(ctx context.Context, tx *sql.Tx, tenant string) error
}

// sqlStore is Store over database/sql.
type sqlStore struct {
	db *sql.DB
	d  dialect
	// now is the clock; tests replace it.
	now func() time.Time
}

// q rewrites a query written with ? placeholders for the dialect.
func (s *sqlStore) q(query string) string {
	if !s.d.numbered {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// timeArg is t as the dialect stores it.
func (s *sqlStore) timeArg(t time.Time) any {
	t = t.UTC()
	if s.d.textTime {
		return t.Format(time.RFC3339Nano)
	}
	return t
}

// scanTime reads a time stored by timeArg, whichever way the driver
// returns it.
type scanTime struct{ t *time.Time }

func (st scanTime) Scan(v any) error {
	switch v := v.(type) {
	case time.Time:
		*st.t = v.UTC()
	case string:
		return st.parse(v)
	case []byte:
		return st.parse(string(v))
	default:
		return fmt.Errorf("store: cannot read a time from %T", v)
	}
	return nil
}

func (st scanTime) parse(s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("store: bad time %q: %w", s, err)
	}
	*st.t = t.UTC()
	return nil
}

func (s *sqlStore) Close() error { return s.db.Close() }

func (s *sqlStore) OrgSettings(ctx context.Context, tenant string) (OrgSettings, error) {
	var out OrgSettings
	err := s.db.QueryRowContext(ctx, s.q(
		`SELECT updated_at, updated_by_oid, updated_by_email FROM org_settings WHERE tenant_id = ?`), tenant).
		Scan(scanTime{&out.UpdatedAt}, &out.UpdatedBy.ObjectID, &out.UpdatedBy.Email)
	if errors.Is(err, sql.ErrNoRows) {
		return OrgSettings{Choice: Choice{Regions: []string{}, Industries: []string{}}}, nil
	}
	if err != nil {
		return OrgSettings{}, fmt.Errorf("store: reading organisation settings: %w", err)
	}
	out.Choice, err = s.terms(ctx, s.db, tenant)
	return out, err
}

// querier is what both *sql.DB and *sql.Tx answer.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (s *sqlStore) terms(ctx context.Context, db querier, tenant string) (Choice, error) {
	c := Choice{Regions: []string{}, Industries: []string{}}
	rows, err := db.QueryContext(ctx, s.q(
		`SELECT kind, term_id FROM org_setting_terms WHERE tenant_id = ? ORDER BY kind, position`), tenant)
	if err != nil {
		return c, fmt.Errorf("store: reading organisation settings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, id string
		if err := rows.Scan(&kind, &id); err != nil {
			return c, fmt.Errorf("store: reading organisation settings: %w", err)
		}
		if kind == "region" {
			c.Regions = append(c.Regions, id)
		} else {
			c.Industries = append(c.Industries, id)
		}
	}
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("store: reading organisation settings: %w", err)
	}
	return c, nil
}

func (s *sqlStore) SetOrgSettings(ctx context.Context, tenant string, c Choice, by Actor) (OrgSettings, error) {
	if err := validate(tenant, c, by); err != nil {
		return OrgSettings{}, err
	}
	if c.Regions == nil {
		c.Regions = []string{}
	}
	if c.Industries == nil {
		c.Industries = []string{}
	}
	now := s.now().UTC()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(
			`INSERT INTO org_settings (tenant_id, updated_at, updated_by_oid, updated_by_email) VALUES (?, ?, ?, ?)
			 ON CONFLICT (tenant_id) DO UPDATE SET updated_at = excluded.updated_at,
			   updated_by_oid = excluded.updated_by_oid, updated_by_email = excluded.updated_by_email`),
			tenant, s.timeArg(now), by.ObjectID, by.Email); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM org_setting_terms WHERE tenant_id = ?`), tenant); err != nil {
			return err
		}
		for kind, ids := range map[string][]string{"region": c.Regions, "industry": c.Industries} {
			for i, id := range ids {
				if _, err := tx.ExecContext(ctx, s.q(
					`INSERT INTO org_setting_terms (tenant_id, kind, term_id, position) VALUES (?, ?, ?, ?)`),
					tenant, kind, id, i); err != nil {
					return err
				}
			}
		}
		return s.audit(ctx, tx, tenant, by, now, ActionOrgSettings, c)
	})
	if err != nil {
		return OrgSettings{}, fmt.Errorf("store: saving organisation settings: %w", err)
	}
	return OrgSettings{Choice: c, UpdatedAt: now, UpdatedBy: by}, nil
}

func (s *sqlStore) AuditLog(ctx context.Context, tenant string, limit int) ([]AuditEntry, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, s.q(
		`SELECT id, at, tenant_id, actor_oid, actor_email, action, detail FROM audit_log
		 WHERE tenant_id = ? ORDER BY id DESC LIMIT ?`), tenant, limit)
	if err != nil {
		return nil, fmt.Errorf("store: reading the audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, scanTime{&e.At}, &e.Tenant, &e.Actor.ObjectID, &e.Actor.Email, &e.Action, &e.Detail); err != nil {
			return nil, fmt.Errorf("store: reading the audit log: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// inTx runs f in a transaction, committed when f returns nil.
func (s *sqlStore) inTx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}
