package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stp-portal/stp/proxy/entra"
)

// accessSession runs stp access commands against a fresh stand-in, with
// the environment an operator would set.
type accessSession struct {
	t    *testing.T
	idp  *entra.Server
	file string
}

func newAccessSession(t *testing.T) *accessSession {
	s, err := entra.Start("127.0.0.1:0", entra.DemoStore(), entra.WithGraphPageSize(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for k, v := range map[string]string{
		"STP_GRAPH_URL":            s.URL,
		"STP_AUTHORITY_URL":        s.URL,
		"STP_CLIENT_ID":            entra.DemoManagerClientID,
		"STP_CLIENT_SECRET":        entra.DemoManagerClientSecret,
		"STP_TENANT_ID":            "",
		"STP_SERVICE_PRINCIPAL_ID": "",
		"STP_GRAPH_TOKEN":          "",
	} {
		t.Setenv(k, v)
	}
	data, err := os.ReadFile("../../../proxy/access.yaml")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "access.yaml")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return &accessSession{t: t, idp: s, file: file}
}

func (s *accessSession) run(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(append(append([]string{"access"}, args...), "--file", s.file), &out, &errb)
	return code, out.String(), errb.String()
}

func (s *accessSession) expect(wantCode int, wantOut, wantErr string, args ...string) string {
	s.t.Helper()
	code, out, errs := s.run(args...)
	if code != wantCode || !strings.Contains(out, wantOut) || !strings.Contains(errs, wantErr) {
		s.t.Errorf("stp access %s: exit %d\n--- stdout\n%s--- stderr\n%s--- want exit %d, stdout with %q, stderr with %q",
			strings.Join(args, " "), code, out, errs, wantCode, wantOut, wantErr)
	}
	return out
}

func TestAccessCommand(t *testing.T) {
	s := newAccessSession(t)
	s.expect(0, `Service Trust Portal (service principal 9d4e2b7a-6c1f-4e3d-8a5b-0f9e8d7c6b5a)

Portal Admin (Portal.Admin)
  adele@contoso.example  Adele Vance  since 2025-01-06 09:00 UTC  (protected)

Portal User (Portal.User)
  alex@contoso.example  Alex Wilber  since 2025-01-06 09:00 UTC

2 people with access: 1 Portal Admin, 1 Portal User.
`, "", "list")

	s.expect(0, "granted Portal User to megan@contoso.example (Megan Bowen; assignment ", "", "grant", "megan@contoso.example", "--role", "user")
	s.expect(0, "megan@contoso.example already holds Portal User", "", "grant", "megan@contoso.example", "--role", "user")
	s.expect(0, "  megan@contoso.example  Megan Bowen  since ", "", "list")

	// The file does not list megan: plan shows her revocation, which is
	// 1 of 3 people (33%), over the default --max-revoke.
	out := s.expect(1, "  - revoke  Portal User  megan@contoso.example  Megan Bowen  not in "+s.file, "apply would be refused: 1 of the 3 people with access would lose it (33%)", "plan")
	if !strings.Contains(out, "Plan: 0 to grant, 1 to revoke; 1 of 3 people with access would lose it (33%).") {
		t.Errorf("plan summary: %s", out)
	}
	s.expect(1, "", "refused: 1 of the 3 people with access would lose it (33%), more than --max-revoke 25%", "apply")
	if u, _ := s.idp.Store().User(entra.DemoNoRole); len(u.Roles) != 1 {
		t.Errorf("a refused apply changed the tenant: %v", u.Roles)
	}
	s.expect(0, "revoked Portal User from megan@contoso.example (Megan Bowen; assignment ", "", "apply", "--max-revoke", "50%")
	s.expect(0, "No changes: the tenant matches "+s.file+" (2 people with access: 1 Portal Admin, 1 Portal User).", "", "apply")

	s.expect(0, "revoked Portal User from alex@contoso.example", "", "revoke", entra.DemoUser)
	s.expect(0, "+ grant  Portal User  alex@contoso.example  Alex Wilber  "+s.file+":19:5", "", "plan")
	s.expect(0, "granted Portal User to alex@contoso.example", "", "apply")

	// Guard rails and errors, each with a clear message and exit 1.
	s.expect(1, "", "stp access revoke: adele@contoso.example is protected in "+s.file+":24:5: stp access never revokes their access", "revoke", entra.DemoAdmin)
	s.expect(1, "", "stp access grant: no such user in the tenant: bob@contoso.example (Microsoft Graph: 404 Request_ResourceNotFound)", "grant", "bob@contoso.example", "--role", "admin")
	s.expect(2, "", "say which role: --role admin or --role user", "grant", "bob@contoso.example")
	s.expect(1, "", `unknown role "owner" (known: admin, user)`, "grant", "bob@contoso.example", "--role", "owner")
	s.expect(2, "", `unknown subcommand "remove"`, "remove", "alex@contoso.example")

	// Without the protection of the file, the last admin still stays.
	t.Setenv("STP_TENANT_ID", entra.ContosoTenantID)
	t.Setenv("STP_SERVICE_PRINCIPAL_ID", entra.DemoServicePrincipalID)
	os.WriteFile(s.file, []byte("admins: [megan@contoso.example]\n"), 0o644)
	s.expect(1, "", "would remove the last Portal Admin (adele@contoso.example)", "revoke", entra.DemoAdmin, "--force")

	// A file for another tenant is not applied to this one.
	os.WriteFile(s.file, []byte("tenant: "+entra.FabrikamTenantID+"\nadmins: [adele@contoso.example]\n"), 0o644)
	s.expect(1, "", "is for tenant "+entra.FabrikamTenantID+", but the tenant given is "+entra.ContosoTenantID, "plan")
}

func TestAccessCommandGraphTrouble(t *testing.T) {
	s := newAccessSession(t)
	// Throttled: retried after Retry-After, and said so.
	s.idp.ThrottleGraph(1, time.Second)
	start := time.Now()
	s.expect(0, "2 people with access", "stp access: Microsoft Graph answered GET /v1.0/servicePrincipals/9d4e2b7a-6c1f-4e3d-8a5b-0f9e8d7c6b5a?$select=id,appId,displayName,appRoles with 429 Too Many Requests; retrying in 1s (attempt 2 of 5)", "list")
	if time.Since(start) < time.Second {
		t.Error("did not wait for Retry-After")
	}

	// No Graph permission: Graph's error and what to do about it.
	t.Setenv("STP_CLIENT_ID", entra.DemoClientID)
	t.Setenv("STP_CLIENT_SECRET", entra.DemoClientSecret)
	s.expect(1, "", "403 Forbidden: Authorization_RequestDenied: Insufficient privileges to complete the operation.", "list")

	t.Setenv("STP_CLIENT_SECRET", "")
	s.expect(1, "", "stp access list: missing the client secret (STP_CLIENT_SECRET; or a token in STP_GRAPH_TOKEN instead)", "list")

	// A token from the environment instead of client credentials.
	t.Setenv("STP_GRAPH_TOKEN", "not-a-token")
	s.expect(1, "", "401 Unauthorized: InvalidAuthenticationToken", "list")
}

// runIn runs stp access in dir, without --file: the access file is found
// from the repository, or not at all.
func (s *accessSession) runIn(dir string, args ...string) (int, string, string) {
	s.t.Chdir(dir)
	var out, errb bytes.Buffer
	code := run(append([]string{"access"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func (s *accessSession) expectIn(dir string, wantCode int, wantOut, wantErr string, args ...string) {
	s.t.Helper()
	code, out, errs := s.runIn(dir, args...)
	if code != wantCode || !strings.Contains(out, wantOut) || !strings.Contains(errs, wantErr) {
		s.t.Errorf("in %s: stp access %s: exit %d\n--- stdout\n%s--- stderr\n%s--- want exit %d, stdout with %q, stderr with %q",
			dir, strings.Join(args, " "), code, out, errs, wantCode, wantOut, wantErr)
	}
}

// The access file is the repository's, wherever in it the command runs;
// from outside a repository grant and revoke refuse rather than run
// without guard rails. The protected admin is refused by every name.
func TestAccessCommandFindsTheFile(t *testing.T) {
	s := newAccessSession(t)
	t.Setenv("STP_TENANT_ID", entra.ContosoTenantID)
	t.Setenv("STP_SERVICE_PRINCIPAL_ID", entra.DemoServicePrincipalID)
	adele := entra.StableGUID("oid:" + entra.DemoAdmin)
	// megan is a second admin, so that only protection stands in the way.
	if err := s.idp.Store().SetRoles(entra.DemoNoRole, entra.RolePortalAdmin); err != nil {
		t.Fatal(err)
	}
	adeleIsAdmin := func() {
		t.Helper()
		if u, _ := s.idp.Store().User(entra.DemoAdmin); len(u.Roles) != 1 || u.Roles[0] != entra.RolePortalAdmin {
			t.Fatalf("adele's roles: %v", u.Roles)
		}
	}

	// Outside any repository: no file, so no protection; refused.
	elsewhere := t.TempDir()
	s.expectIn(elsewhere, 1, "", "stp access revoke: no access file: "+elsewhere+" is not inside an STP repository", "revoke", entra.DemoAdmin)
	s.expectIn(elsewhere, 1, "", "or --no-access-file to grant with only the last-admin guard rail", "grant", adele, "--role", "user")
	s.expectIn(elsewhere, 1, "", "no access file: ", "plan")
	adeleIsAdmin()
	s.expectIn(elsewhere, 2, "", "--no-access-file is for list, grant and revoke", "apply", "--no-access-file")
	s.expectIn(elsewhere, 2, "", "give --file or --no-access-file, not both", "revoke", entra.DemoUser, "--no-access-file", "--file", s.file)
	s.expectIn(elsewhere, 0, "2 Portal Admins", "", "list") // list changes nothing
	// Told explicitly, it goes on with the last-admin guard rail only.
	s.expectIn(elsewhere, 0, "revoked Portal User from alex@contoso.example", "", "revoke", entra.DemoUser, "--no-access-file")

	// In a repository, from a folder deep inside it.
	repo := t.TempDir()
	for name, body := range map[string]string{"go.mod": "module example\n", "catalog.yaml": "site: {}\n", "content/reports/x.md": "x\n"} {
		os.MkdirAll(filepath.Join(repo, filepath.Dir(name)), 0o755)
		os.WriteFile(filepath.Join(repo, name), []byte(body), 0o644)
	}
	deep := filepath.Join(repo, "content", "reports")
	s.expectIn(deep, 1, "", "no access file: the STP repository "+repo+" has no proxy/access.yaml", "revoke", entra.DemoAdmin)
	os.MkdirAll(filepath.Join(repo, "proxy"), 0o755)
	data, _ := os.ReadFile(s.file)
	os.WriteFile(filepath.Join(repo, "proxy", "access.yaml"), data, 0o644)
	for _, name := range []string{entra.DemoAdmin, adele, strings.ToUpper(adele), "Adele@CONTOSO.example", entra.DemoAdminAlias, entra.DemoAdminOtherMail} {
		s.expectIn(deep, 1, "", "is protected in ../../proxy/access.yaml:24:5: stp access never revokes their access", "revoke", name)
		s.expectIn(deep, 1, "", "is protected in ../../proxy/access.yaml:24:5: stp access never changes their roles", "grant", name, "--role", "user")
	}
	adeleIsAdmin()
	s.expectIn(deep, 1, "", "stp access revoke: adele@contoso.example (given as "+adele+") is protected in", "revoke", adele)
	s.expectIn(repo, 0, "  adele@contoso.example  Adele Vance  since 2025-01-06 09:00 UTC  (protected)", "", "list")
	// apply still works from there: it puts alex back and takes megan's
	// admin role (1 of 3 people: over 25%).
	s.expectIn(deep, 0, "granted Portal User to alex@contoso.example", "", "apply", "--max-revoke", "50%")
	s.expectIn(repo, 0, "No changes: the tenant matches proxy/access.yaml", "", "apply")
	adeleIsAdmin()

	// Without a file, the last admin stays by every name too.
	s.idp.Store().SetRoles(entra.DemoNoRole)
	s.expectIn(elsewhere, 1, "", "would remove the last Portal Admin (adele@contoso.example)", "grant", adele, "--role", "user", "--no-access-file", "--force")
	s.expectIn(elsewhere, 1, "", "would remove the last Portal Admin", "revoke", entra.DemoAdminAlias, "--no-access-file", "--force")
	adeleIsAdmin()
}
