package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stp-portal/stp/generator/store"
	"github.com/stp-portal/stp/generator/store/storetest"
)

const (
	contoso  = "3f2d7c1e-5b8a-4c6d-9e0f-1a2b3c4d5e6f"
	fabrikam = "8a9b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d"
)

var (
	adele = store.Actor{ObjectID: "oid-adele", Email: "adele@contoso.example"}
	lee   = store.Actor{ObjectID: "oid-lee", Email: "lee@fabrikam.example"}
)

// pg is the throwaway PostgreSQL every test here shares, each in a
// database of its own; pgErr says why there is none.
var (
	pg    *storetest.Postgres
	pgErr error
)

func TestMain(m *testing.M) {
	pg, pgErr = storetest.StartPostgres()
	code := m.Run()
	if pg != nil {
		pg.Stop()
	}
	os.Exit(code)
}

// backend opens a fresh, empty store; url names it, to open it again.
type backend struct {
	name string
	new  func(t *testing.T) (url string)
}

var backends = []backend{
	{"sqlite", func(t *testing.T) string {
		return "sqlite:" + filepath.Join(t.TempDir(), "state", "store.db")
	}},
	{"postgres", func(t *testing.T) string {
		if pgErr != nil {
			t.Fatalf("the store's tests run against PostgreSQL too: %v", pgErr)
		}
		url, err := pg.NewDatabase(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return url
	}},
}

func password() string {
	if pg == nil {
		return ""
	}
	return pg.Password
}

func open(t *testing.T, url string) store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), url, password())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// each runs test against every back end: the same suite for both.
func each(t *testing.T, test func(t *testing.T, url string, s store.Store)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			url := b.new(t)
			test(t, url, open(t, url))
		})
	}
}

func TestOrgSettingsStartEmpty(t *testing.T) {
	each(t, func(t *testing.T, _ string, s store.Store) {
		got, err := s.OrgSettings(context.Background(), contoso)
		if err != nil {
			t.Fatal(err)
		}
		if !got.UpdatedAt.IsZero() || got.Regions == nil || len(got.Regions) != 0 || len(got.Industries) != 0 {
			t.Errorf("a tenant nobody configured: %+v", got)
		}
	})
}

func TestOrgSettingsSavedAndAudited(t *testing.T) {
	each(t, func(t *testing.T, _ string, s store.Store) {
		ctx := context.Background()
		before := time.Now().Add(-time.Second)
		want := store.Choice{Regions: []string{"japan", "europe"}, Industries: []string{"healthcare"}}
		saved, err := s.SetOrgSettings(ctx, contoso, want, adele)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.OrgSettings(ctx, contoso)
		if err != nil {
			t.Fatal(err)
		}
		// The order chosen is kept.
		if !slices.Equal(got.Regions, want.Regions) || !slices.Equal(got.Industries, want.Industries) {
			t.Errorf("read back %+v, saved %+v", got.Choice, want)
		}
		if got.UpdatedBy != adele || got.UpdatedAt.Before(before) || !got.UpdatedAt.Equal(saved.UpdatedAt.Truncate(time.Microsecond)) && !got.UpdatedAt.Equal(saved.UpdatedAt) {
			t.Errorf("who and when: read %v %v, saved %v %v", got.UpdatedBy, got.UpdatedAt, saved.UpdatedBy, saved.UpdatedAt)
		}

		// A second choice replaces the first entirely.
		next := store.Choice{Regions: []string{"asia-pacific"}}
		if _, err := s.SetOrgSettings(ctx, contoso, next, adele); err != nil {
			t.Fatal(err)
		}
		got, _ = s.OrgSettings(ctx, contoso)
		if !slices.Equal(got.Regions, []string{"asia-pacific"}) || len(got.Industries) != 0 {
			t.Errorf("after the second save: %+v", got.Choice)
		}

		log, err := s.AuditLog(ctx, contoso, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 2 {
			t.Fatalf("audit log: %d entries, want 2: %+v", len(log), log)
		}
		for i, c := range []store.Choice{{Regions: []string{"asia-pacific"}, Industries: []string{}}, want} {
			e := log[i] // newest first
			var detail store.Choice
			if err := json.Unmarshal([]byte(e.Detail), &detail); err != nil {
				t.Fatal(err)
			}
			if e.Action != store.ActionOrgSettings || e.Actor != adele || e.Tenant != contoso || e.At.Before(before) ||
				!slices.Equal(detail.Regions, c.Regions) || !slices.Equal(detail.Industries, c.Industries) {
				t.Errorf("audit entry %d: %+v", i, e)
			}
		}
	})
}

// One organisation's settings and audit log are never another's.
func TestOrgSettingsStayInTheirTenant(t *testing.T) {
	each(t, func(t *testing.T, _ string, s store.Store) {
		ctx := context.Background()
		if _, err := s.SetOrgSettings(ctx, contoso, store.Choice{Regions: []string{"europe"}}, adele); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetOrgSettings(ctx, fabrikam, store.Choice{Industries: []string{"government"}}, lee); err != nil {
			t.Fatal(err)
		}
		c, _ := s.OrgSettings(ctx, contoso)
		f, _ := s.OrgSettings(ctx, fabrikam)
		if !slices.Equal(c.Regions, []string{"europe"}) || len(c.Industries) != 0 || c.UpdatedBy != adele {
			t.Errorf("Contoso: %+v", c)
		}
		if len(f.Regions) != 0 || !slices.Equal(f.Industries, []string{"government"}) || f.UpdatedBy != lee {
			t.Errorf("Fabrikam: %+v", f)
		}
		log, _ := s.AuditLog(ctx, fabrikam, 10)
		if len(log) != 1 || log[0].Actor != lee {
			t.Errorf("Fabrikam's audit log: %+v", log)
		}
	})
}

func TestOrgSettingsRefused(t *testing.T) {
	each(t, func(t *testing.T, _ string, s store.Store) {
		ctx := context.Background()
		for name, call := range map[string]func() error{
			"no tenant": func() error { _, err := s.SetOrgSettings(ctx, "", store.Choice{}, adele); return err },
			"no actor":  func() error { _, err := s.SetOrgSettings(ctx, contoso, store.Choice{}, store.Actor{}); return err },
			"twice": func() error {
				_, err := s.SetOrgSettings(ctx, contoso, store.Choice{Regions: []string{"europe", "europe"}}, adele)
				return err
			},
			"empty id": func() error {
				_, err := s.SetOrgSettings(ctx, contoso, store.Choice{Industries: []string{""}}, adele)
				return err
			},
		} {
			if err := call(); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", name, err)
			}
		}
		if log, _ := s.AuditLog(ctx, contoso, 10); len(log) != 0 {
			t.Errorf("refused changes were recorded: %+v", log)
		}
	})
}

// Writers at once (two replicas, two admins) all get through, and each
// change is recorded once.
func TestOrgSettingsConcurrentWriters(t *testing.T) {
	each(t, func(t *testing.T, url string, s store.Store) {
		ctx := context.Background()
		other := open(t, url) // a second process's handle
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for i := range 20 {
			wg.Go(func() {
				h := s
				if i%2 == 1 {
					h = other
				}
				_, err := h.SetOrgSettings(ctx, contoso, store.Choice{Regions: []string{fmt.Sprint("r", i)}}, adele)
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		log, _ := s.AuditLog(ctx, contoso, 100)
		got, _ := s.OrgSettings(ctx, contoso)
		if len(log) != 20 || len(got.Regions) != 1 {
			t.Errorf("%d audit entries (want 20), settings %+v", len(log), got.Choice)
		}
	})
}

// Migrations run once: opening the store again, or from several processes
// at once, applies nothing twice and keeps the data.
func TestMigrationsOnce(t *testing.T) {
	want := len(mustMigrations(t, "sqlite"))
	each(t, func(t *testing.T, url string, s store.Store) {
		ctx := context.Background()
		if v, err := s.SchemaVersion(ctx); err != nil || v != want {
			t.Fatalf("schema version %d (%v), want %d", v, err, want)
		}
		if _, err := s.SetOrgSettings(ctx, contoso, store.Choice{Regions: []string{"europe"}}, adele); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				again, err := store.Open(ctx, url, password())
				if err != nil {
					t.Error(err)
					return
				}
				defer again.Close()
				if v, _ := again.SchemaVersion(ctx); v != want {
					t.Errorf("reopened at version %d, want %d", v, want)
				}
			})
		}
		wg.Wait()
		got, _ := s.OrgSettings(ctx, contoso)
		if !slices.Equal(got.Regions, []string{"europe"}) {
			t.Errorf("after reopening: %+v", got.Choice)
		}
	})
}

// mustMigrations counts the dialect's migration files.
func mustMigrations(t *testing.T, dialect string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("migrations", dialect, "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations for %s: %v", dialect, err)
	}
	return files
}
