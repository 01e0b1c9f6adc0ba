package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/stp-portal/stp/generator/store"
)

var (
	megan = store.Principal{ObjectID: "oid-megan", Email: "megan@contoso.example", Name: "Megan Bowen"}
	alexP = store.Principal{ObjectID: "oid-alex", Email: "alex@contoso.example", Name: "Alex Wilber"}
)

func seenAdmin(t *testing.T, s store.Store, tenant string, a store.Actor) {
	t.Helper()
	if _, err := s.PortalRole(context.Background(), tenant, store.DirectoryRole{
		Principal: store.Principal{ObjectID: a.ObjectID, Email: a.Email, Name: a.Email}, Role: store.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
}

// Add, list, change and revoke, each audited with who did it; one
// tenant's grants never reach another.
func TestRolesGrantListRevoke(t *testing.T) {
	each(t, func(t *testing.T, _ string, s store.Store) {
		ctx := context.Background()
		seenAdmin(t, s, contoso, adele)
		role := func(tenant string, p store.Principal) string {
			r, err := s.PortalRole(ctx, tenant, store.DirectoryRole{Principal: p})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		if r := role(contoso, megan); r != "" {
			t.Fatalf("Megan before any grant: %q", r)
		}
		if _, err := s.Grant(ctx, contoso, megan, store.RoleUser, adele); err != nil {
			t.Fatal(err)
		}
		if r := role(contoso, megan); r != store.RoleUser {
			t.Errorf("Megan after the grant: %q", r)
		}
		if r := role(fabrikam, megan); r != "" {
			t.Errorf("Megan's object id in Fabrikam: %q", r)
		}
		// Granting what she holds changes nothing and records nothing.
		if _, err := s.Grant(ctx, contoso, megan, store.RoleUser, adele); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Grant(ctx, contoso, megan, store.RoleAdmin, adele); err != nil {
			t.Fatal(err)
		}
		assigned, directory, err := s.Assignments(ctx, contoso)
		if err != nil {
			t.Fatal(err)
		}
		if len(assigned) != 1 || assigned[0].Principal != megan || assigned[0].Role != store.RoleAdmin || assigned[0].GrantedBy != adele || assigned[0].GrantedAt.IsZero() {
			t.Errorf("assignments: %+v", assigned)
		}
		if len(directory) != 1 || directory[0].ObjectID != adele.ObjectID || directory[0].Role != store.RoleAdmin {
			t.Errorf("directory roles: %+v", directory)
		}
		if a, d, _ := s.Assignments(ctx, fabrikam); len(a) != 0 || len(d) != 0 {
			t.Errorf("Fabrikam sees %+v %+v", a, d)
		}
		if _, err := s.Revoke(ctx, contoso, megan.ObjectID, adele); err != nil {
			t.Fatal(err)
		}
		if r := role(contoso, megan); r != "" {
			t.Errorf("Megan after the revocation: %q", r)
		}
		if _, err := s.Revoke(ctx, contoso, megan.ObjectID, adele); !errors.Is(err, store.ErrNoAssignment) {
			t.Errorf("revoking again: %v", err)
		}
		log, _ := s.AuditLog(ctx, contoso, 10)
		want := []struct{ action, role, previous string }{
			{store.ActionRoleRevoke, store.RoleAdmin, ""},
			{store.ActionRoleGrant, store.RoleAdmin, store.RoleUser},
			{store.ActionRoleGrant, store.RoleUser, ""},
		}
		if len(log) != len(want) {
			t.Fatalf("audit log: %+v", log)
		}
		for i, w := range want {
			var d store.RoleChange
			json.Unmarshal([]byte(log[i].Detail), &d)
			if log[i].Action != w.action || log[i].Actor != adele || d.Principal != megan || d.Role != w.role || d.Previous != w.previous {
				t.Errorf("audit entry %d: %+v %+v", i, log[i], d)
			}
		}
	})
}

// The last Portal Admin is neither removed nor demoted; an admin from the
// directory counts.
func TestRolesLastAdmin(t *testing.T) {
	each(t, func(t *testing.T, _ string, s store.Store) {
		ctx := context.Background()
		if _, err := s.Grant(ctx, fabrikam, store.Principal{ObjectID: lee.ObjectID, Email: lee.Email}, store.RoleAdmin, lee); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Revoke(ctx, fabrikam, lee.ObjectID, lee); !errors.Is(err, store.ErrLastAdmin) {
			t.Errorf("the last admin removed: %v", err)
		}
		if _, err := s.Grant(ctx, fabrikam, store.Principal{ObjectID: lee.ObjectID, Email: lee.Email}, store.RoleUser, lee); !errors.Is(err, store.ErrLastAdmin) {
			t.Errorf("the last admin demoted: %v", err)
		}
		seenAdmin(t, s, fabrikam, store.Actor{ObjectID: "oid-directory-admin", Email: "it@fabrikam.example"})
		if _, err := s.Revoke(ctx, fabrikam, lee.ObjectID, lee); err != nil {
			t.Errorf("with an admin from the directory: %v", err)
		}
		if log, _ := s.AuditLog(ctx, fabrikam, 10); len(log) != 2 {
			t.Errorf("refused changes were recorded: %+v", log)
		}
	})
}

// Two admins removing each other at once: one of them stays.
func TestRolesLastAdminConcurrent(t *testing.T) {
	each(t, func(t *testing.T, url string, s store.Store) {
		ctx := context.Background()
		other := open(t, url)
		a := store.Principal{ObjectID: "oid-a", Email: "a@contoso.example"}
		b := store.Principal{ObjectID: "oid-b", Email: "b@contoso.example"}
		for _, p := range []store.Principal{a, b} {
			if _, err := s.Grant(ctx, contoso, p, store.RoleAdmin, adele); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		wg.Go(func() {
			_, errs[0] = s.Revoke(ctx, contoso, a.ObjectID, store.Actor{ObjectID: b.ObjectID, Email: b.Email})
		})
		wg.Go(func() {
			_, errs[1] = other.Revoke(ctx, contoso, b.ObjectID, store.Actor{ObjectID: a.ObjectID, Email: a.Email})
		})
		wg.Wait()
		assigned, _, _ := s.Assignments(ctx, contoso)
		if len(assigned) != 1 || (errs[0] == nil) == (errs[1] == nil) {
			t.Errorf("left %+v; errors %v", assigned, errs)
		}
	})
}
