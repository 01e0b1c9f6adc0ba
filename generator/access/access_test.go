package access_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stp-portal/stp/generator/access"
	"github.com/stp-portal/stp/proxy/entra"
)

// standIn starts the Entra ID stand-in with the demo directory, answering
// Graph lists pageSize items at a time.
func standIn(t *testing.T, pageSize int) *entra.Server {
	t.Helper()
	s, err := entra.Start("127.0.0.1:0", entra.DemoStore(), entra.WithGraphPageSize(pageSize))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func config(s *entra.Server) access.Config {
	return access.Config{
		GraphURL:           s.URL,
		Authority:          s.URL,
		TenantID:           entra.ContosoTenantID,
		ClientID:           entra.DemoManagerClientID,
		ClientSecret:       entra.DemoManagerClientSecret,
		ServicePrincipalID: entra.DemoServicePrincipalID,
	}
}

func client(t *testing.T, cfg access.Config) *access.Client {
	t.Helper()
	c, err := access.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func read(t *testing.T, c *access.Client) *access.Tenant {
	t.Helper()
	tn, err := access.Read(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return tn
}

// holdings renders who holds what, for comparing.
func holdings(tn *access.Tenant) string {
	var parts []string
	for _, h := range tn.Holdings {
		parts = append(parts, string(h.Role)+":"+h.User.Email())
	}
	return strings.Join(parts, " ")
}

func apply(t *testing.T, c *access.Client, p *access.Plan) string {
	t.Helper()
	var out strings.Builder
	if _, err := access.Apply(context.Background(), c, p, &out); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestGrantListRevoke(t *testing.T) {
	s := standIn(t, 1)
	c := client(t, config(s))
	ctx := context.Background()
	tn := read(t, c)
	if got, want := holdings(tn), "admin:adele@contoso.example user:alex@contoso.example"; got != want {
		t.Fatalf("list: %s, want %s", got, want)
	}
	if h := tn.Holdings[0]; !h.Assignment.Created.Equal(time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)) || h.User.DisplayName != "Adele Vance" {
		t.Errorf("holding: %+v", h)
	}

	p, err := access.PlanGrant(ctx, c, tn, nil, entra.DemoNoRole, access.UserRole)
	if err != nil {
		t.Fatal(err)
	}
	if out := apply(t, c, p); !strings.HasPrefix(out, "granted Portal User to megan@contoso.example (Megan Bowen; assignment ") {
		t.Errorf("grant printed %q", out)
	}
	if u, _ := s.Store().User(entra.DemoNoRole); !slices.Equal(u.Roles, []string{entra.RolePortalUser}) {
		t.Errorf("megan's roles in the directory: %v", u.Roles)
	}

	// Granting admin to a Portal User replaces the role.
	tn = read(t, c)
	p, err = access.PlanGrant(ctx, c, tn, nil, entra.DemoNoRole, access.AdminRole)
	if err != nil {
		t.Fatal(err)
	}
	out := apply(t, c, p)
	if !strings.Contains(out, "granted Portal Admin to megan") || !strings.Contains(out, "revoked Portal User from megan") {
		t.Errorf("promotion printed %q", out)
	}
	if got, want := holdings(read(t, c)), "admin:adele@contoso.example admin:megan@contoso.example user:alex@contoso.example"; got != want {
		t.Errorf("after promotion: %s, want %s", got, want)
	}

	tn = read(t, c)
	p, err = access.PlanRevoke(ctx, c, tn, nil, entra.DemoUser)
	if err != nil {
		t.Fatal(err)
	}
	if out := apply(t, c, p); !strings.HasPrefix(out, "revoked Portal User from alex@contoso.example") {
		t.Errorf("revoke printed %q", out)
	}
	if u, _ := s.Store().User(entra.DemoUser); len(u.Roles) != 0 {
		t.Errorf("alex still holds %v", u.Roles)
	}
	// Revoking again changes nothing.
	if p, err := access.PlanRevoke(ctx, c, read(t, c), nil, entra.DemoUser); err != nil || len(p.Changes) != 0 {
		t.Errorf("second revoke: %v %v", p, err)
	}
}

func TestPaging(t *testing.T) {
	s := standIn(t, 2)
	for i := range 9 {
		name := fmt.Sprintf("reader%d@contoso.example", i)
		if err := s.Store().AddUser(entra.User{TenantID: entra.ContosoTenantID, UserPrincipalName: name, Mail: name,
			DisplayName: fmt.Sprintf("Reader %d", i), AccountEnabled: true, Roles: []string{entra.RolePortalUser}}); err != nil {
			t.Fatal(err)
		}
	}
	c := client(t, config(s))
	before := s.GraphRequests()
	as, err := c.Assignments(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 11 {
		t.Fatalf("%d assignments, want 11", len(as))
	}
	if pages := s.GraphRequests() - before; pages != 6 {
		t.Errorf("%d requests for 11 assignments at 2 a page, want 6", pages)
	}
	ids := map[string]bool{}
	for _, a := range as {
		ids[a.ID] = true
	}
	if len(ids) != 11 {
		t.Errorf("paging repeated or lost assignments: %d distinct", len(ids))
	}
	// Holders are resolved fifteen ids per request; all eleven are users.
	if tn := read(t, c); len(tn.Holdings) != 11 || len(tn.Unmanaged) != 0 {
		t.Errorf("holdings %d, unmanaged %d", len(tn.Holdings), len(tn.Unmanaged))
	}
}

func TestThrottling(t *testing.T) {
	s := standIn(t, 1)
	var slept []time.Duration
	var notes []string
	cfg := config(s)
	cfg.Sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	cfg.Notify = func(m string) { notes = append(notes, m) }
	c := client(t, cfg)

	s.ThrottleGraph(2, 3*time.Second)
	if _, err := c.Assignments(context.Background()); err != nil {
		t.Fatalf("throttled twice, then: %v", err)
	}
	if !slices.Equal(slept, []time.Duration{3 * time.Second, 3 * time.Second}) {
		t.Errorf("waited %v, want Retry-After (3s) twice", slept)
	}
	if len(notes) != 2 || !strings.Contains(notes[0], "429 Too Many Requests; retrying in 3s (attempt 2 of 5)") {
		t.Errorf("notes: %q", notes)
	}

	// Bounded: after MaxAttempts the error is Graph's.
	slept = nil
	s.ThrottleGraph(100, time.Second)
	_, err := c.Assignments(context.Background())
	if err == nil || !strings.Contains(err.Error(), "429 Too Many Requests: TooManyRequests") || !strings.Contains(err.Error(), "gave up after 5 attempts") {
		t.Errorf("still throttled: %v", err)
	}
	if len(slept) != 4 {
		t.Errorf("slept %d times, want 4", len(slept))
	}

	// A Retry-After longer than MaxWait ends the command instead.
	s.ThrottleGraph(1, time.Hour)
	if _, err := c.Assignments(context.Background()); err == nil || !strings.Contains(err.Error(), "asks to wait 1h0m0s, longer than 2m0s") {
		t.Errorf("long Retry-After: %v", err)
	}
	s.ThrottleGraph(0, 0)

	// With the real clock: one retry after a one-second Retry-After.
	cfg.Sleep = nil
	c = client(t, cfg)
	s.ThrottleGraph(1, time.Second)
	start := time.Now()
	if _, err := c.Assignments(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("retried after %s, before Retry-After", d)
	}
}

func TestUnknownUser(t *testing.T) {
	s := standIn(t, 2)
	c := client(t, config(s))
	tn := read(t, c)
	_, err := access.PlanGrant(context.Background(), c, tn, nil, "bob@contoso.example", access.UserRole)
	if !errors.Is(err, access.ErrNoSuchUser) || err.Error() != "no such user in the tenant: bob@contoso.example (Microsoft Graph: 404 Request_ResourceNotFound)" {
		t.Errorf("grant to an unknown user: %v", err)
	}
	// A user of another tenant is unknown in this one.
	if _, err := access.PlanGrant(context.Background(), c, tn, nil, entra.DemoForeign, access.UserRole); !errors.Is(err, access.ErrNoSuchUser) {
		t.Errorf("grant to another tenant's user: %v", err)
	}
	// Revoking from someone who does not exist says so too.
	if _, err := access.PlanRevoke(context.Background(), c, tn, nil, "bob@contoso.example"); !errors.Is(err, access.ErrNoSuchUser) {
		t.Errorf("revoke from an unknown user: %v", err)
	}
	// A user whose mail differs from the sign-in name is found by mail.
	if err := s.Store().AddUser(entra.User{TenantID: entra.ContosoTenantID, UserPrincipalName: "guest_fabrikam.example#EXT#@contoso.example",
		Mail: "guest@fabrikam.example", DisplayName: "Guest", AccountEnabled: true}); err != nil {
		t.Fatal(err)
	}
	u, err := c.Resolve(context.Background(), "guest@fabrikam.example")
	if err != nil || u.UserPrincipalName != "guest_fabrikam.example#EXT#@contoso.example" {
		t.Errorf("guest by mail: %+v %v", u, err)
	}
}

func TestGraphErrorsSurfaced(t *testing.T) {
	s := standIn(t, 2)
	ctx := context.Background()

	// The proxy's own registration has no Graph permission.
	cfg := config(s)
	cfg.ClientID, cfg.ClientSecret = entra.DemoClientID, entra.DemoClientSecret
	_, err := access.Read(ctx, client(t, cfg))
	want := "Microsoft Graph refused GET /v1.0/servicePrincipals/" + entra.DemoServicePrincipalID +
		"?$select=id,appId,displayName,appRoles: 403 Forbidden: Authorization_RequestDenied: Insufficient privileges to complete the operation. (request-id "
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "; the app needs the application permissions AppRoleAssignment.ReadWrite.All, Application.Read.All and User.Read.All, with admin consent (see proxy/README.md)") {
		t.Errorf("no permission:\n got %v\nwant %s…", err, want)
	}

	// A wrong secret: the token endpoint's answer, first line only.
	cfg = config(s)
	cfg.ClientSecret = "wrong"
	_, err = access.Read(ctx, client(t, cfg))
	var te *access.TokenError
	if !errors.As(err, &te) || te.Code != "invalid_client" || !strings.Contains(err.Error(), "AADSTS7000215: Invalid client secret provided.") {
		t.Errorf("wrong secret: %v", err)
	}

	// A service principal the tenant does not have.
	cfg = config(s)
	cfg.ServicePrincipalID = "00000000-0000-0000-0000-000000000001"
	_, err = access.Read(ctx, client(t, cfg))
	if !access.IsNotFound(err) || !strings.Contains(err.Error(), "404 Not Found: Request_ResourceNotFound: Resource '00000000-0000-0000-0000-000000000001' does not exist") {
		t.Errorf("unknown service principal: %v", err)
	}

	// A token that is not the stand-in's.
	cfg = config(s)
	cfg.Token = "eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJ4In0.c2ln"
	_, err = access.Read(ctx, client(t, cfg))
	if err == nil || !strings.Contains(err.Error(), "401 Unauthorized: InvalidAuthenticationToken: Access token validation failure.") {
		t.Errorf("foreign token: %v", err)
	}

	// Granting a role someone already holds is refused by Graph.
	c := client(t, config(s))
	tn := read(t, c)
	_, err = c.Assign(ctx, tn.Holdings[1].User.ID, tn.RoleID(access.UserRole))
	if err == nil || !strings.Contains(err.Error(), "400 Bad Request: Request_BadRequest: Permission being assigned already exists on the object.") {
		t.Errorf("duplicate assignment: %v", err)
	}
	// Deleting an assignment that is gone.
	if err := c.Unassign(ctx, "no-such-assignment"); !access.IsNotFound(err) {
		t.Errorf("deleting a missing assignment: %v", err)
	}
}

func writeFile(t *testing.T, body string) *access.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "access.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := access.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestPlanApplyIdempotent(t *testing.T) {
	s := standIn(t, 1)
	c := client(t, config(s))
	ctx := context.Background()
	f := writeFile(t, `
admins:
  - adele@contoso.example
  - megan@contoso.example
users:
  - alex@contoso.example
`)
	p, err := access.PlanFile(ctx, c, read(t, c), f)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 1 || p.Changes[0].Revoke || p.Changes[0].User.Email() != entra.DemoNoRole || p.Changes[0].Why != f.Path+":4:5" {
		t.Fatalf("plan: %+v", p.Changes)
	}
	if err := p.Check(0.25, false); err != nil {
		t.Fatal(err)
	}
	if out := apply(t, c, p); strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "granted Portal Admin to megan@contoso.example") {
		t.Errorf("apply printed %q", out)
	}
	before := s.Store().Assignments(entra.DemoServicePrincipalID)
	p, err = access.PlanFile(ctx, c, read(t, c), f)
	if err != nil || len(p.Changes) != 0 {
		t.Fatalf("second plan: %+v %v", p, err)
	}
	if out := apply(t, c, p); out != "" {
		t.Errorf("second apply printed %q", out)
	}
	if after := s.Store().Assignments(entra.DemoServicePrincipalID); !slices.Equal(before, after) {
		t.Errorf("second apply changed the tenant:\n%v\n%v", before, after)
	}
}

func TestGuardRails(t *testing.T) {
	ctx := context.Background()

	t.Run("last admin", func(t *testing.T) {
		s := standIn(t, 2)
		c := client(t, config(s))
		tn := read(t, c)
		p, err := access.PlanRevoke(ctx, c, tn, nil, entra.DemoAdmin)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Check(1, true); err == nil || !strings.Contains(err.Error(), "would remove the last Portal Admin (adele@contoso.example)") {
			t.Errorf("revoking the last admin, even with --force: %v", err)
		}
		// Demoting the last admin is removing them as admin too.
		p, err = access.PlanGrant(ctx, c, tn, nil, entra.DemoAdmin, access.UserRole)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Check(1, true); err == nil || !strings.Contains(err.Error(), "last Portal Admin") {
			t.Errorf("demoting the last admin: %v", err)
		}
		// With a second admin, the first may go.
		if _, err := s.Store().Assign(entra.StableGUID("oid:"+entra.DemoNoRole), entra.PortalAdminRoleID); err != nil {
			t.Fatal(err)
		}
		p, _ = access.PlanRevoke(ctx, c, read(t, c), nil, entra.DemoAdmin)
		if err := p.Check(0.25, false); err != nil {
			t.Errorf("revoking one of two admins: %v", err)
		}
	})

	t.Run("protected", func(t *testing.T) {
		s := standIn(t, 2)
		c := client(t, config(s))
		tn := read(t, c)
		f := writeFile(t, `
admins: [megan@contoso.example]
users: [alex@contoso.example, adele@contoso.example]
protected: [adele@contoso.example]
`)
		if _, err := access.PlanRevoke(ctx, c, tn, f, entra.DemoAdmin); err == nil || err.Error() != "adele@contoso.example is protected in "+f.Path+":4:13: stp access never revokes their access" {
			t.Errorf("revoke protected: %v", err)
		}
		if _, err := access.PlanGrant(ctx, c, tn, f, entra.DemoAdmin, access.UserRole); err == nil || !strings.Contains(err.Error(), "is protected") {
			t.Errorf("grant protected: %v", err)
		}
		// The file would make adele a Portal User; she is protected, so
		// the plan leaves her alone and says so.
		p, err := access.PlanFile(ctx, c, tn, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range p.Changes {
			if ch.User.Email() == entra.DemoAdmin {
				t.Errorf("plan touches a protected principal: %+v", ch)
			}
		}
		if len(p.Changes) != 1 || len(p.LeftAlone) != 1 || !strings.Contains(p.LeftAlone[0], "adele@contoso.example is protected ("+f.Path+":4:13): granting Portal User and revoking Portal Admin left alone") {
			t.Errorf("plan %+v, left alone %q", p.Changes, p.LeftAlone)
		}
		// Protected and not in the file at all: still left alone.
		f = writeFile(t, "admins: [megan@contoso.example]\nusers: [alex@contoso.example]\nprotected: [adele@contoso.example]\n")
		p, err = access.PlanFile(ctx, c, tn, f)
		if err != nil || len(p.Changes) != 1 || len(p.LeftAlone) != 1 {
			t.Errorf("protected, unlisted: %+v %q %v", p.Changes, p.LeftAlone, err)
		}
	})

	t.Run("max revoke", func(t *testing.T) {
		s := standIn(t, 3)
		var keep []string
		for i := range 6 {
			name := fmt.Sprintf("reader%d@contoso.example", i)
			s.Store().AddUser(entra.User{TenantID: entra.ContosoTenantID, UserPrincipalName: name, Mail: name,
				DisplayName: name, AccountEnabled: true, Roles: []string{entra.RolePortalUser}})
			if i >= 3 {
				keep = append(keep, name)
			}
		}
		// 8 people have access; the file keeps adele and three readers,
		// so 4 of 8 (50%) would lose it.
		c := client(t, config(s))
		f := writeFile(t, "admins: [adele@contoso.example]\nusers: ["+strings.Join(keep, ", ")+"]\n")
		p, err := access.PlanFile(ctx, c, read(t, c), f)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.LosingAccess) != 4 {
			t.Fatalf("losing access: %v", p.LosingAccess)
		}
		if err := p.Check(0.25, false); err == nil || err.Error() != "refused: 4 of the 8 people with access would lose it (50%), more than --max-revoke 25%; check the file, then apply with --force" {
			t.Errorf("over the share: %v", err)
		}
		if err := p.Check(0.5, false); err != nil {
			t.Errorf("at the share: %v", err)
		}
		if err := p.Check(0.25, true); err != nil {
			t.Errorf("with --force: %v", err)
		}
		out := apply(t, c, p)
		if strings.Count(out, "revoked Portal User from reader") != 3 || !strings.Contains(out, "revoked Portal User from alex@contoso.example") {
			t.Errorf("apply printed %q", out)
		}
		if p, err := access.PlanFile(ctx, c, read(t, c), f); err != nil || len(p.Changes) != 0 {
			t.Errorf("after apply: %+v %v", p, err)
		}
	})

	t.Run("unknown users in the file", func(t *testing.T) {
		s := standIn(t, 2)
		c := client(t, config(s))
		f := writeFile(t, "admins: [adele@contoso.example]\nusers:\n  - bob@contoso.example\n  - lee@fabrikam.example\n")
		_, err := access.PlanFile(ctx, c, read(t, c), f)
		want := f.Path + ":3:5: no such user in the tenant: bob@contoso.example\n" + f.Path + ":4:5: no such user in the tenant: lee@fabrikam.example"
		if err == nil || err.Error() != want {
			t.Errorf("got %v\nwant %s", err, want)
		}
	})
}

func TestParseFile(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"no admin", "users: [alex@contoso.example]\n", "a.yaml:1:1: the file names no Portal Admin; list at least one under admins: (the last Portal Admin is never removed)"},
		{"empty admins", "admins: []\n", "a.yaml:1:1: the file names no Portal Admin"},
		{"unknown key", "admins: [a@b.example]\nadmin: [c@d.example]\n", `a.yaml:2:1: unknown key "admin" (known: tenant, servicePrincipal, admins, users, protected)`},
		{"not an address", "admins:\n  - adele\n  - a@b.example\n", `a.yaml:2:5: "adele" is not an e-mail address`},
		{"both roles", "admins: [a@b.example]\nusers:\n  - A@b.example\n", "a.yaml:3:5: A@b.example is listed under admins (line 1) and users; list them once"},
		{"twice", "admins: [a@b.example, a@b.example]\n", "a.yaml:1:23: a@b.example is listed twice under admins (first at line 1)"},
		{"tenant", "tenant: contoso\nadmins: [a@b.example]\n", "a.yaml:1:9: tenant is an object id, a GUID"},
		{"not a mapping", "- a\n", "a.yaml:1:1: the access file is a mapping"},
		{"empty", "", "a.yaml:1:1: the access file is empty"},
		{"several at once", "admins: [x]\nusers: [y]\n", "a.yaml:1:10: \"x\" is not an e-mail address\na.yaml:2:9: \"y\" is not an e-mail address\na.yaml:1:1: the file names no Portal Admin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := access.ParseFile("a.yaml", []byte(tc.body))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("got %v\nwant %s…", err, tc.want)
			}
		})
	}
	f, err := access.ParseFile("a.yaml", []byte("tenant: 3F2D7C1E-5B8A-4C6D-9E0F-1A2B3C4D5E6F\nadmins: [a@b.example]\nusers: [c@d.example]\nprotected: [a@b.example]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Tenant != "3f2d7c1e-5b8a-4c6d-9e0f-1a2b3c4d5e6f" || len(f.Entries) != 2 || f.Entries[1].Role != access.UserRole || len(f.Protected) != 1 {
		t.Errorf("%+v", f)
	}
}

// The repository's own access file is valid and matches the demo tenant.
func TestRepositoryAccessFile(t *testing.T) {
	f, err := access.LoadFile("../../proxy/access.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if f.Tenant != entra.ContosoTenantID || f.ServicePrincipal != entra.DemoServicePrincipalID {
		t.Errorf("tenant %s, service principal %s", f.Tenant, f.ServicePrincipal)
	}
	s := standIn(t, 2)
	c := client(t, config(s))
	p, err := access.PlanFile(context.Background(), c, read(t, c), f)
	if err != nil || len(p.Changes) != 0 {
		t.Errorf("the demo tenant does not match proxy/access.yaml: %+v %v", p, err)
	}
}

// The guard rails check the user a name resolves to, however it is
// spelled: object id, sign-in name in another case, an alias of the
// mailbox or another address.
func TestGuardRailsByIdentity(t *testing.T) {
	ctx := context.Background()
	adele := entra.StableGUID("oid:" + entra.DemoAdmin)
	spellings := []string{adele, strings.ToUpper(adele), "ADELE@Contoso.Example", entra.DemoAdminAlias, entra.DemoAdminOtherMail}

	t.Run("protected", func(t *testing.T) {
		s := standIn(t, 2)
		c := client(t, config(s))
		// megan is a second admin, so that only protection stands in the way.
		if err := s.Store().SetRoles(entra.DemoNoRole, entra.RolePortalAdmin); err != nil {
			t.Fatal(err)
		}
		tn := read(t, c)
		// The protected entry is written as one spelling; every other
		// one names the same person.
		for _, entry := range []string{entra.DemoAdmin, entra.DemoAdminAlias, adele} {
			f := writeFile(t, "admins: [adele@contoso.example, megan@contoso.example]\nprotected: ["+entry+"]\n")
			for _, name := range spellings {
				if _, err := access.PlanRevoke(ctx, c, tn, f, name); err == nil || !strings.Contains(err.Error(), "is protected in "+f.Path+":2:13: stp access never revokes their access") {
					t.Errorf("protected %s, revoke %s: %v", entry, name, err)
				}
				if _, err := access.PlanGrant(ctx, c, tn, f, name, access.UserRole); err == nil || !strings.Contains(err.Error(), "is protected") {
					t.Errorf("protected %s, grant %s: %v", entry, name, err)
				}
			}
		}
		f := writeFile(t, "admins: [adele@contoso.example]\nprotected: [adele@contoso.example]\n")
		_, err := access.PlanRevoke(ctx, c, tn, f, adele)
		if want := "adele@contoso.example (given as " + adele + ") is protected in " + f.Path + ":2:13: stp access never revokes their access"; err == nil || err.Error() != want {
			t.Errorf("got %v\nwant %s", err, want)
		}
		// Someone else is not protected by adele's entry.
		if _, err := access.PlanRevoke(ctx, c, tn, f, entra.DemoUser); err != nil {
			t.Errorf("revoking alex: %v", err)
		}
	})

	t.Run("last admin", func(t *testing.T) {
		s := standIn(t, 2)
		c := client(t, config(s))
		tn := read(t, c)
		for _, name := range spellings {
			p, err := access.PlanGrant(ctx, c, tn, nil, name, access.UserRole)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Check(1, true); err == nil || !strings.Contains(err.Error(), "would remove the last Portal Admin (adele@contoso.example)") {
				t.Errorf("demoting the last admin as %s: %+v %v", name, p.Changes, err)
			}
			p, err = access.PlanRevoke(ctx, c, tn, nil, name)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Check(1, true); err == nil || !strings.Contains(err.Error(), "last Portal Admin") {
				t.Errorf("revoking the last admin as %s: %v", name, err)
			}
		}
	})

	t.Run("apply restores a protected admin", func(t *testing.T) {
		s := standIn(t, 2)
		c := client(t, config(s))
		// Demoted behind stp access's back (in the portal, say).
		if err := s.Store().SetRoles(entra.DemoAdmin, entra.RolePortalUser); err != nil {
			t.Fatal(err)
		}
		f, err := access.LoadFile("../../proxy/access.yaml")
		if err != nil {
			t.Fatal(err)
		}
		p, err := access.PlanFile(ctx, c, read(t, c), f)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Check(0.25, false); err != nil {
			t.Fatal(err)
		}
		out := apply(t, c, p)
		if !strings.Contains(out, "granted Portal Admin to adele@contoso.example") || !strings.Contains(out, "revoked Portal User from adele@contoso.example") {
			t.Errorf("apply printed %q", out)
		}
		if got, want := holdings(read(t, c)), "admin:adele@contoso.example user:alex@contoso.example"; got != want {
			t.Errorf("after apply: %s, want %s", got, want)
		}
	})

	t.Run("one user, two names", func(t *testing.T) {
		s := standIn(t, 2)
		c := client(t, config(s))
		tn := read(t, c)
		f := writeFile(t, "admins: [adele@contoso.example]\nusers:\n  - alex@contoso.example\n  - adele.vance@outlook.example\n")
		_, err := access.PlanFile(ctx, c, tn, f)
		if want := f.Path + ":4:5: adele.vance@outlook.example and adele@contoso.example (line 1) are one user, Adele Vance (object id " + adele + "); list them once"; err == nil || err.Error() != want {
			t.Errorf("got %v\nwant %s", err, want)
		}
		// A name two users answer to is refused, not guessed.
		if err := s.Store().AddUser(entra.User{TenantID: entra.ContosoTenantID, UserPrincipalName: "av@contoso.example", Mail: "av@contoso.example",
			DisplayName: "A. Vance", AccountEnabled: true, OtherMails: []string{entra.DemoAdminAlias}}); err != nil {
			t.Fatal(err)
		}
		if _, err := access.PlanGrant(ctx, c, tn, nil, entra.DemoAdminAlias, access.UserRole); !errors.Is(err, access.ErrAmbiguousUser) ||
			!strings.Contains(err.Error(), "give the object id of the one you mean") {
			t.Errorf("ambiguous name: %v", err)
		}
	})
}
