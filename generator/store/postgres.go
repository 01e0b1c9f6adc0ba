package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// migrationLockKey is the advisory lock that serialises migrations between
// replicas starting at once ("stp.store" as a number).
const migrationLockKey = 0x7374702e73746f72

// openPostgres connects to the database at url (password from the URL or,
// when it has none, password) and brings its schema up to date.
func openPostgres(ctx context.Context, url, password string) (Store, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		// pgx's message may quote the URL, password and all.
		return nil, fmt.Errorf("store: %s: not a PostgreSQL URL", redact(url))
	}
	if cfg.Password == "" {
		cfg.Password = password
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &sqlStore{db: db, now: time.Now, d: dialect{
		name:     "postgres",
		numbered: true,
		lock: func(ctx context.Context, c *sql.Conn) (func(), error) {
			if _, err := c.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, int64(migrationLockKey)); err != nil {
				return nil, err
			}
			return func() {
				c.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, int64(migrationLockKey))
			}, nil
		},
		tenantLock: func(ctx context.Context, tx *sql.Tx, tenant string) error {
			_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('stp.roles:' || $1))`, tenant)
			return err
		},
	}}
	if err := s.db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: %s: %w", redact(url), err)
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: %s: %w", redact(url), err)
	}
	return s, nil
}
