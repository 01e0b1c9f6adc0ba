package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Both dialects have the same migrations, by number and name.
func TestMigrationsMatch(t *testing.T) {
	lite, err := loadMigrations("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	pg, err := loadMigrations("postgres")
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) != len(pg) {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].name != pg[i].name {
			t.Errorf("migration %d: sqlite %s, postgres %s", i+1, lite[i].name, pg[i].name)
		}
	}
}

// The SQLite file is created on first start, with its folder, readable by
// its owner only.
func TestSQLiteFileCreated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "stp", "store.db")
	s, err := Open(context.Background(), "sqlite:"+path, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("store file mode %v, want 0600", info.Mode().Perm())
	}
}

func TestOpenRefuses(t *testing.T) {
	for url, want := range map[string]string{
		"mysql://x":                  "write sqlite:PATH or postgres://",
		"sqlite:":                    "no file named",
		"sqlite:/tmp/a?b.db":         "may not contain",
		"postgres://u:secret@%zz/db": "xxxxx",
	} {
		_, err := Open(context.Background(), url, "")
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q): %v, want it to say %q and hide the password", url, err, want)
		}
	}
}
