package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/stp-portal/stp/proxy/entra"
)

func init() {
	commands["idp"] = command{summary: "run the local Entra ID stand-in (development, demos and tests only)", run: runIdP}
}

func runIdP(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stp idp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:5556", "loopback address to listen on")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "stp idp: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	srv, err := entra.Start(*addr, entra.DemoStore())
	if err != nil {
		fmt.Fprintf(stderr, "stp idp: %v\n", err)
		return 1
	}
	defer srv.Close()
	fmt.Fprintf(stdout, "%s\n\n", entra.Banner)
	fmt.Fprintf(stdout, "  stand-in:       %s/\n", srv.URL)
	fmt.Fprintf(stdout, "  issuer:         %s\n", srv.IssuerURL(entra.ContosoTenantID))
	fmt.Fprintf(stdout, "  multi-tenant:   %s\n", srv.IssuerURL("organizations"))
	fmt.Fprintf(stdout, "  client id:      %s\n  client secret:  %s\n", entra.DemoClientID, entra.DemoClientSecret)
	fmt.Fprintf(stdout, "  access manager (for stp access): %s / %s\n\n", entra.DemoManagerClientID, entra.DemoManagerClientSecret)
	printAccounts(stdout, srv.Store())
	fmt.Fprintln(stdout, "\nCtrl-C to stop.")

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return 0
}

// printAccounts lists the stand-in's accounts and their roles.
func printAccounts(w io.Writer, store *entra.Store) {
	fmt.Fprintln(w, "Demo accounts (no password: pick one on the stand-in's sign-in page):")
	for _, u := range store.Users() {
		t, _ := store.Tenant(u.TenantID)
		roles := "no role: gets the permission page until a Portal Admin adds them"
		if len(u.Roles) > 0 {
			roles = fmt.Sprint(u.Roles)
		}
		if u.TenantID != store.Application().HomeTenantID {
			roles += ", but from another tenant: refused"
		}
		fmt.Fprintf(w, "  %-24s %-12s %-9s %s\n", u.UserPrincipalName, u.DisplayName, t.DisplayName, roles)
	}
}
