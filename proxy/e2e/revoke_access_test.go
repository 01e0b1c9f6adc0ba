package e2e

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stp-portal/stp/proxy/entra"
	"github.com/stp-portal/stp/proxy/stack"
)

// stpAccess builds the real stp command from this tree and returns a
// function that runs `stp access ARGS` against the gate's stand-in, as an
// administrator would with the environment `stp demo` prints.
func stpAccess(t *testing.T, g *gate) func(args ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "stp")
	build := exec.Command("go", "build", "-o", bin, "./generator/cmd/stp")
	build.Dir = moduleRoot
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building stp: %v\n%s", err, out)
	}
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"access"}, args...)...)
		cmd.Dir = moduleRoot // so that proxy/access.yaml is the file read
		cmd.Env = append(os.Environ(),
			"STP_GRAPH_URL="+g.IdP.URL,
			"STP_AUTHORITY_URL="+g.IdP.URL,
			"STP_CLIENT_ID="+entra.DemoManagerClientID,
			"STP_CLIENT_SECRET="+entra.DemoManagerClientSecret,
			"STP_TENANT_ID=", "STP_SERVICE_PRINCIPAL_ID=", "STP_GRAPH_TOKEN=")
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("stp access %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
		}
		return out.String()
	}
	return run
}

// Revoking through `stp access` (Graph's DELETE appRoleAssignedTo on the
// stand-in) ends the reader's session within the refresh bound; granting
// lets a reader in at their next sign-in.
func TestAccessCommandRevokesAndGrants(t *testing.T) {
	t.Parallel()
	const refresh = 2 * time.Second
	const margin = 2 * time.Second
	g := startGate(t, stack.Config{CookieRefresh: refresh})
	stp := stpAccess(t, g)

	alex := newBrowser(t, g)
	if res := alex.signIn("/", entra.DemoUser); res.StatusCode != 200 {
		t.Fatalf("alex signs in: %d", res.StatusCode)
	}
	signedIn := time.Now()
	if out := stp("revoke", entra.DemoUser); !strings.HasPrefix(out, "revoked Portal User from alex@contoso.example (Alex Wilber; assignment ") {
		t.Fatalf("revoke printed %q", out)
	}
	revoked := time.Now()
	for {
		res := alex.get("/")
		if res.StatusCode == 200 {
			if time.Since(signedIn) > refresh+margin {
				t.Fatalf("alex still reads %s after stp access revoke (cookie_refresh %s)", time.Since(revoked), refresh)
			}
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if res.StatusCode != http.StatusForbidden || !strings.Contains(res.body, permissionHeading) {
			t.Fatalf("after revocation: %d %q, want the permission page", res.StatusCode, res.body)
		}
		t.Logf("alex lost access %s after stp access revoke, %s after signing in (cookie_refresh %s)",
			time.Since(revoked).Round(time.Millisecond), time.Since(signedIn).Round(time.Millisecond), refresh)
		break
	}

	// Megan has no role: the permission page, then a grant, then she
	// gets in by signing in again.
	megan := newBrowser(t, g)
	if res := megan.signIn("/", entra.DemoNoRole); res.StatusCode != http.StatusForbidden {
		t.Fatalf("megan before the grant: %d", res.StatusCode)
	}
	if out := stp("grant", entra.DemoNoRole, "--role", "user"); !strings.HasPrefix(out, "granted Portal User to megan@contoso.example") {
		t.Fatalf("grant printed %q", out)
	}
	megan.signOut()
	if res := megan.signIn("/", entra.DemoNoRole); res.StatusCode != 200 || !strings.Contains(res.body, "Gated home") {
		t.Errorf("megan after the grant: %d", res.StatusCode)
	}

	// Applying proxy/access.yaml puts alex back and takes megan out
	// again (1 of 2 people, so it needs a higher --max-revoke).
	out := stp("apply", "--max-revoke", "50%")
	if !strings.Contains(out, "granted Portal User to alex@contoso.example") || !strings.Contains(out, "revoked Portal User from megan@contoso.example") {
		t.Errorf("apply printed %q", out)
	}
	alex.signOut()
	if res := alex.signIn("/", entra.DemoUser); res.StatusCode != 200 {
		t.Errorf("alex after apply: %d", res.StatusCode)
	}
	if out := stp("apply"); !strings.HasPrefix(out, "No changes: the tenant matches proxy/access.yaml") {
		t.Errorf("second apply printed %q", out)
	}
}
