package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// openSQLite opens (creating it readable by its owner only) the store in
// the file at path, and brings its schema up to date.
//
// The file is in WAL mode, so that readers never wait for the one writer;
// every transaction takes the write lock when it begins (_txlock=immediate),
// so that two writers wait for each other (busy_timeout) instead of one
// failing halfway with SQLITE_BUSY.
func openSQLite(ctx context.Context, path string) (Store, error) {
	if path == "" {
		return nil, errors.New("store: sqlite: no file named; write sqlite:PATH")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("store: sqlite: %q: the file name may not contain ? or #", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	// Created here rather than by SQLite, so that only the owner may read
	// the e-mail addresses it will hold.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	f.Close()
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	s := &sqlStore{db: db, now: time.Now, d: dialect{
		name:     "sqlite",
		textTime: true,
		// Each migration's transaction takes the write lock at BEGIN
		// (_txlock=immediate), which is all the serialising SQLite needs.
		lock: func(context.Context, *sql.Conn) (func(), error) { return func() {}, nil },
	}}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: sqlite:%s: %w", path, err)
	}
	return s, nil
}
