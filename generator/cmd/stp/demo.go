package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/stp-portal/stp/proxy/entra"
	"github.com/stp-portal/stp/proxy/stack"
)

func init() {
	commands["demo"] = command{summary: "build the sample site and run it behind oauth2-proxy with the local Entra ID stand-in", run: runDemo}
}

func runDemo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stp demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("root", ".", "the repository (with catalog.yaml and proxy/)")
	site := fs.String("site", "", "serve this already built site instead of building ROOT into a temporary folder")
	addr := fs.String("addr", "127.0.0.1:4180", "where the portal (oauth2-proxy) listens")
	idpAddr := fs.String("idp-addr", "127.0.0.1:5556", "where the Entra ID stand-in listens")
	refresh := fs.Duration("refresh", 0, "override cookie_refresh (the demo configuration uses 1m), e.g. 10s to show revocation quickly")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "stp demo: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	modRoot, err := stack.ModuleRoot(*root)
	if err != nil {
		fmt.Fprintf(stderr, "stp demo: %v\n", err)
		return 1
	}

	dir := *site
	if dir == "" {
		tmp, err := os.MkdirTemp("", "stp-demo-")
		if err != nil {
			fmt.Fprintf(stderr, "stp demo: %v\n", err)
			return 1
		}
		defer os.RemoveAll(tmp)
		dir = filepath.Join(tmp, "public")
		if code := buildForDemo(modRoot, dir, stdout, stderr); code != 0 {
			return code
		}
	}

	binary := os.Getenv("STP_OAUTH2_PROXY")
	if binary == "" {
		fmt.Fprintln(stdout, "starting oauth2-proxy with `go tool oauth2-proxy` (the first run compiles it, which takes a few minutes; set STP_OAUTH2_PROXY to a built binary to skip that)")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := stack.Start(ctx, stack.Config{
		SiteDir:       dir,
		ModuleRoot:    modRoot,
		ProxyBinary:   binary,
		CookieRefresh: *refresh,
		ProxyAddr:     *addr,
		IdPAddr:       *idpAddr,
		ProxyOutput:   stderr,
		UpstreamLog:   stderr,
		ReadyTimeout:  10 * time.Minute,
	})
	if err != nil {
		fmt.Fprintf(stderr, "stp demo: %v\n", err)
		return 1
	}
	defer s.Close()

	fmt.Fprintf(stdout, `
The portal is running. Open %s/

  Public pages (no sign-in):  %s/public/
  Entra ID stand-in:          %s/  (%s)

`, s.ProxyURL, s.ProxyURL, s.IdP.URL, entra.Banner)
	printAccounts(stdout, s.Store)
	fmt.Fprintf(stdout, `
Try what a Portal Admin does, on the portal's Settings page (%[1]s/settings/):
  1. Sign in as %[2]s. Under "Your organisation's settings", pick regions and save.
  2. Under "People with access" -> "Add user role", enter %[3]s, keep Portal User, select Add User.
  3. In another browser (or a private window), sign in as %[3]s: she was refused, now she gets in;
     as %[4]s, the Settings page shows the regions Adele chose.
  4. Back as Adele, Remove Megan's access and confirm: her next page is the permission page
     (at once on this upstream; within --role-recheck, 5s, on other replicas).
`, s.ProxyURL, entra.DemoAdmin, entra.DemoNoRole, entra.DemoUser)
	fmt.Fprintf(stdout, `
To see revocation of a role from the directory, remove it on the stand-in's page, or:
  curl -X POST -H 'Content-Type: application/json' -d '{"roles":[]}' %[1]s/_standin/users/%[2]s/roles
and the reader loses access at the next session refresh. Or revoke as the vendor's operator
does with stp access, through Microsoft Graph (the stand-in serves it; see proxy/README.md):
  export STP_GRAPH_URL=%[1]s STP_AUTHORITY_URL=%[1]s STP_CLIENT_ID=%[3]s STP_CLIENT_SECRET=%[4]s
  go run ./generator/cmd/stp access revoke %[2]s

A real tenant's administrator consents once, at:
  https://login.microsoftonline.com/<tenant-id>/adminconsent?client_id=<application-id>
(see proxy/README.md, "Consent"); the stand-in's is %[5]s. The proxy's request log, below, records who opened what.

Ctrl-C stops everything.
`, s.IdP.URL, entra.DemoUser, entra.DemoManagerClientID, entra.DemoManagerClientSecret,
		s.IdP.AdminConsentURL(entra.ContosoTenantID, entra.DemoClientID))

	select {
	case <-ctx.Done():
		fmt.Fprintln(stdout, "\nstopping")
	case <-s.Exited():
		fmt.Fprintln(stderr, "stp demo: oauth2-proxy stopped on its own; see its log above")
		return 1
	}
	if err := s.Close(); err != nil {
		fmt.Fprintf(stderr, "stp demo: %v\n", err)
		return 1
	}
	return 0
}

// buildForDemo builds the repository's site into out by running this same
// binary's build command, so that the demo shows exactly what `stp build`
// makes.
func buildForDemo(root, out string, stdout, stderr io.Writer) int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "stp demo: %v\n", err)
		return 1
	}
	var buildOut bytes.Buffer
	cmd := exec.Command(self, "build", "--root", root, "--out", out)
	cmd.Stdout, cmd.Stderr = &buildOut, &buildOut
	fmt.Fprintln(stdout, "building the sample site")
	if err := cmd.Run(); err != nil {
		stderr.Write(buildOut.Bytes())
		fmt.Fprintf(stderr, "stp demo: building the site failed: %v\n", err)
		return 1
	}
	stdout.Write(buildOut.Bytes())
	return 0
}
