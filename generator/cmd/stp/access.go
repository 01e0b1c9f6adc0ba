package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/stp-portal/stp/generator/access"
)

func init() {
	commands["access"] = command{summary: "list, grant and revoke access to the portal through Microsoft Graph; plan and apply proxy/access.yaml", run: runAccess}
}

const accessUsage = `usage:
  stp access list                          who holds Portal Admin and Portal User, since when
  stp access grant EMAIL --role admin|user give EMAIL exactly that role
  stp access revoke EMAIL                  take every portal role from EMAIL
  stp access plan                          what apply would change to match the access file
  stp access apply [--force]               make those changes, and print each one

Microsoft Graph is reached as an app registration (client credentials) or
with a token; the secret and the token are read from the environment only:
  STP_CLIENT_SECRET          the app registration's client secret
  STP_GRAPH_TOKEN            a Graph access token to use instead (e.g. from az account get-access-token --resource-type ms-graph)
  STP_TENANT_ID              --tenant (or tenant: in the access file)
  STP_CLIENT_ID              --client-id
  STP_SERVICE_PRINCIPAL_ID   --sp (or servicePrincipal: in the access file)
  STP_GRAPH_URL              --graph-url (default https://graph.microsoft.com)
  STP_AUTHORITY_URL          --authority (default https://login.microsoftonline.com)
The app needs the application permissions AppRoleAssignment.ReadWrite.All,
Application.Read.All and User.Read.All (see proxy/README.md).

flags:
`

func runAccess(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, accessUsage)
		newAccessFlags(stdout).fs.PrintDefaults()
		return 0
	}
	sub := args[0]
	switch sub {
	case "list", "grant", "revoke", "plan", "apply":
	default:
		fmt.Fprintf(stderr, "stp access: unknown subcommand %q (list, grant, revoke, plan, apply)\n", sub)
		return 2
	}
	fl := newAccessFlags(stderr)
	fl.fs.Usage = func() {
		fmt.Fprint(stderr, accessUsage)
		fl.fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fl.fs, args[1:])
	if err != nil {
		return 2
	}
	want := map[string]int{"list": 0, "plan": 0, "apply": 0, "grant": 1, "revoke": 1}[sub]
	if len(pos) != want {
		if want == 1 {
			fmt.Fprintf(stderr, "stp access %s: give one e-mail address, e.g. stp access %s alex@contoso.example\n", sub, sub)
		} else {
			fmt.Fprintf(stderr, "stp access %s: unexpected argument %q\n", sub, pos[0])
		}
		return 2
	}
	if sub == "grant" && *fl.role == "" {
		fmt.Fprintln(stderr, "stp access grant: say which role: --role admin or --role user")
		return 2
	}
	maxRevoke, err := parseShare(*fl.maxRevoke)
	if err != nil {
		fmt.Fprintf(stderr, "stp access: --max-revoke: %v\n", err)
		return 2
	}

	fail := func(err error) int {
		fmt.Fprintf(stderr, "stp access %s: %v\n", sub, err)
		return 1
	}
	file, err := fl.loadFile(sub == "plan" || sub == "apply")
	if err != nil {
		return fail(err)
	}
	client, err := fl.client(file, stderr)
	if err != nil {
		return fail(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *fl.timeout)
	defer cancel()
	tenant, err := access.Read(ctx, client)
	if err != nil {
		return fail(err)
	}

	switch sub {
	case "list":
		writeList(stdout, tenant, file)
		return 0
	case "grant", "revoke":
		email := pos[0]
		var plan *access.Plan
		var role access.Role
		if sub == "grant" {
			if role, err = access.ParseRole(*fl.role); err != nil {
				return fail(err)
			}
			plan, err = access.PlanGrant(ctx, client, tenant, file, email, role)
		} else {
			plan, err = access.PlanRevoke(ctx, client, tenant, file, email)
		}
		if err != nil {
			return fail(err)
		}
		if len(plan.Changes) == 0 {
			if sub == "grant" {
				h := tenant.Of(email)
				fmt.Fprintf(stdout, "%s already holds %s (since %s); nothing changed.\n", email, role.Title(), access.Since(h[0].Assignment.Created))
			} else {
				fmt.Fprintf(stdout, "%s holds no portal role; nothing changed.\n", email)
			}
			return 0
		}
		if err := plan.Check(maxRevoke, *fl.force); err != nil {
			return fail(err)
		}
		if _, err := access.Apply(ctx, client, plan, stdout); err != nil {
			return fail(err)
		}
		if sub == "revoke" {
			fmt.Fprintf(stdout, "%s loses access at their next session refresh (cookie_refresh in the proxy's configuration).\n", email)
		}
		noteDrift(stdout, file, email, sub, role)
		return 0
	}

	// plan, apply
	plan, err := access.PlanFile(ctx, client, tenant, file)
	if err != nil {
		return fail(err)
	}
	if len(plan.Changes) == 0 {
		plan.Write(stdout)
		fmt.Fprintf(stdout, "No changes: the tenant matches %s (%s).\n", file.Path, peopleSummary(tenant))
		return 0
	}
	if sub == "plan" {
		fmt.Fprintf(stdout, "To bring %s (service principal %s) in line with %s:\n",
			tenant.ServicePrincipal.DisplayName, tenant.ServicePrincipal.ID, file.Path)
		plan.Write(stdout)
		fmt.Fprintf(stdout, "Plan: %s\n", plan.Summary())
		if err := plan.Check(maxRevoke, *fl.force); err != nil {
			fmt.Fprintf(stderr, "stp access plan: apply would be %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, "Run `stp access apply` to make these changes.")
		return 0
	}
	if err := plan.Check(maxRevoke, *fl.force); err != nil {
		plan.Write(stderr)
		return fail(err)
	}
	done, err := access.Apply(ctx, client, plan, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "stp access apply: stopped after %d of %d changes; `stp access plan` shows what is left\n", done, len(plan.Changes))
		return fail(err)
	}
	for _, s := range plan.LeftAlone {
		fmt.Fprintf(stdout, "left alone: %s\n", s)
	}
	granted := 0
	for _, c := range plan.Changes {
		if !c.Revoke {
			granted++
		}
	}
	fmt.Fprintf(stdout, "Applied %d changes: %d granted, %d revoked. Now %s.\n", len(plan.Changes), granted, len(plan.Changes)-granted, peopleAfter(plan))
	return 0
}

type accessFlags struct {
	fs                                          *flag.FlagSet
	file, graphURL, authority, tenant, clientID *string
	sp, role, maxRevoke                         *string
	force                                       *bool
	timeout                                     *time.Duration
	fileSet                                     bool
}

func newAccessFlags(out io.Writer) *accessFlags {
	fs := flag.NewFlagSet("stp access", flag.ContinueOnError)
	fs.SetOutput(out)
	env := func(name, def string) string {
		if v := os.Getenv(name); v != "" {
			return v
		}
		return def
	}
	return &accessFlags{
		fs:        fs,
		file:      fs.String("file", "proxy/access.yaml", "the access file (who holds which role, who is protected)"),
		graphURL:  fs.String("graph-url", env("STP_GRAPH_URL", access.DefaultGraphURL), "Microsoft Graph's base URL ($STP_GRAPH_URL)"),
		authority: fs.String("authority", env("STP_AUTHORITY_URL", access.DefaultAuthority), "the Entra ID authority that issues tokens ($STP_AUTHORITY_URL)"),
		tenant:    fs.String("tenant", os.Getenv("STP_TENANT_ID"), "the tenant id ($STP_TENANT_ID; default: the access file's tenant)"),
		clientID:  fs.String("client-id", os.Getenv("STP_CLIENT_ID"), "the managing app registration's client id ($STP_CLIENT_ID)"),
		sp:        fs.String("sp", os.Getenv("STP_SERVICE_PRINCIPAL_ID"), "the portal's service principal object id ($STP_SERVICE_PRINCIPAL_ID; default: the access file's servicePrincipal)"),
		role:      fs.String("role", "", "grant: admin or user"),
		maxRevoke: fs.String("max-revoke", "25%", "apply: refuse to revoke access from more than this share of the people who have it, without --force"),
		force:     fs.Bool("force", false, "apply: revoke more than --max-revoke allows (the last Portal Admin is never removed)"),
		timeout:   fs.Duration("timeout", 5*time.Minute, "give up after this long"),
	}
}

// parseInterspersed parses flags given before and after the positional
// arguments, so that `grant EMAIL --role admin` works as written.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// loadFile reads the access file. list, grant and revoke work without
// one (nobody is then protected but the last admin), unless --file names
// it explicitly.
func (fl *accessFlags) loadFile(required bool) (*access.File, error) {
	fl.fs.Visit(func(f *flag.Flag) {
		if f.Name == "file" {
			fl.fileSet = true
		}
	})
	f, err := access.LoadFile(*fl.file)
	if errors.Is(err, fs.ErrNotExist) && !required && !fl.fileSet {
		return nil, nil
	}
	return f, err
}

func (fl *accessFlags) client(file *access.File, stderr io.Writer) (*access.Client, error) {
	cfg := access.Config{
		GraphURL:           *fl.graphURL,
		Authority:          *fl.authority,
		TenantID:           strings.ToLower(*fl.tenant),
		ClientID:           *fl.clientID,
		ClientSecret:       os.Getenv("STP_CLIENT_SECRET"),
		Token:              os.Getenv("STP_GRAPH_TOKEN"),
		ServicePrincipalID: strings.ToLower(*fl.sp),
		Notify:             func(msg string) { fmt.Fprintln(stderr, "stp access:", msg) },
	}
	if file != nil {
		// The file names the tenant and service principal it is for; a
		// different one from the environment is a mistake worth stopping.
		tenant := cfg.TenantID
		if tenant == "" && cfg.Token != "" {
			tenant = tokenTenant(cfg.Token)
		}
		if file.Tenant != "" && tenant != "" && tenant != file.Tenant {
			return nil, fmt.Errorf("%s is for tenant %s, but the tenant given is %s", file.Path, file.Tenant, tenant)
		}
		if file.ServicePrincipal != "" && cfg.ServicePrincipalID != "" && cfg.ServicePrincipalID != file.ServicePrincipal {
			return nil, fmt.Errorf("%s is for service principal %s, but the one given is %s", file.Path, file.ServicePrincipal, cfg.ServicePrincipalID)
		}
		if cfg.TenantID == "" {
			cfg.TenantID = file.Tenant
		}
		if cfg.ServicePrincipalID == "" {
			cfg.ServicePrincipalID = file.ServicePrincipal
		}
	}
	if missing := cfg.Missing(); len(missing) > 0 {
		where := map[string]string{
			"ServicePrincipalID": "the portal's service principal (--sp, STP_SERVICE_PRINCIPAL_ID or servicePrincipal: in the access file)",
			"TenantID":           "the tenant (--tenant, STP_TENANT_ID or tenant: in the access file)",
			"ClientID":           "the client id (--client-id or STP_CLIENT_ID)",
			"ClientSecret":       "the client secret (STP_CLIENT_SECRET; or a token in STP_GRAPH_TOKEN instead)",
		}
		for i, f := range missing {
			missing[i] = where[f]
		}
		return nil, fmt.Errorf("missing %s", strings.Join(missing, "; "))
	}
	return access.NewClient(cfg)
}

// tokenTenant reads the tid claim of a JWT without checking it: only to
// compare it with the access file's tenant.
func tokenTenant(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var c struct {
		Tid string `json:"tid"`
	}
	json.Unmarshal(b, &c)
	return strings.ToLower(c.Tid)
}

// parseShare reads "25%", "25" or "0.25".
func parseShare(s string) (float64, error) {
	pct := strings.HasSuffix(s, "%")
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%q is not a share like 25%%", s)
	}
	if pct || v > 1 {
		v /= 100
	}
	if v > 1 {
		return 0, fmt.Errorf("%q is more than 100%%", s)
	}
	return v, nil
}

func writeList(w io.Writer, t *access.Tenant, file *access.File) {
	fmt.Fprintf(w, "%s (service principal %s)\n", t.ServicePrincipal.DisplayName, t.ServicePrincipal.ID)
	for _, r := range access.Roles {
		fmt.Fprintf(w, "\n%s (%s)\n", r.Title(), r.Value())
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		n := 0
		for _, h := range t.Holdings {
			if h.Role != r {
				continue
			}
			n++
			var notes []string
			if _, ok := file.IsProtected(h.User.Email()); ok {
				notes = append(notes, "protected")
			}
			if file != nil {
				if e, ok := file.Role(h.User.Email()); !ok {
					notes = append(notes, "not in "+file.Path)
				} else if e.Role != r {
					notes = append(notes, fmt.Sprintf("%s says %s", file.Path, e.Role))
				}
			}
			line := fmt.Sprintf("  %s\t%s\tsince %s", h.User.Email(), h.User.DisplayName, access.Since(h.Assignment.Created))
			if len(notes) > 0 {
				line += "\t(" + strings.Join(notes, "; ") + ")"
			}
			fmt.Fprintln(tw, line)
		}
		tw.Flush()
		if n == 0 {
			fmt.Fprintln(w, "  nobody")
		}
	}
	for _, a := range t.Unmanaged {
		fmt.Fprintf(w, "\nAlso assigned, not managed by stp access: %s %q (app role %s, since %s)\n",
			strings.ToLower(a.PrincipalType), a.PrincipalDisplayName, a.AppRoleID, access.Since(a.Created))
	}
	fmt.Fprintf(w, "\n%s.\n", peopleSummary(t))
}

// peopleAfter re-reads nothing: it counts from the plan what apply made.
func peopleAfter(p *access.Plan) string {
	n := p.Tenant.People() - len(p.LosingAccess)
	for _, c := range p.Changes {
		if !c.Revoke && len(p.Tenant.Of(c.User.Email())) == 0 {
			n++
		}
	}
	if n == 1 {
		return "1 person has access"
	}
	return fmt.Sprintf("%d people have access", n)
}

func peopleSummary(t *access.Tenant) string {
	count := map[access.Role]int{}
	for _, h := range t.Holdings {
		count[h.Role]++
	}
	people := t.People()
	noun := "people"
	if people == 1 {
		noun = "person"
	}
	plural := func(n int, s string) string {
		if n == 1 {
			return fmt.Sprintf("%d %s", n, s)
		}
		return fmt.Sprintf("%d %ss", n, s)
	}
	return fmt.Sprintf("%d %s with access: %s, %s", people, noun, plural(count[access.AdminRole], "Portal Admin"), plural(count[access.UserRole], "Portal User"))
}

// noteDrift says when a change from the command line differs from the
// access file, which the next apply would undo.
func noteDrift(w io.Writer, file *access.File, email, sub string, role access.Role) {
	if file == nil {
		return
	}
	e, listed := file.Role(email)
	switch {
	case sub == "grant" && !listed:
		fmt.Fprintf(w, "Note: %s does not list %s; the next `stp access apply` would revoke this. Add them under %ss: to keep it.\n", file.Path, email, role)
	case sub == "grant" && e.Role != role:
		fmt.Fprintf(w, "Note: %s lists %s under %ss; the next `stp access apply` would undo this. Move them to %ss: to keep it.\n", file.At(e), email, e.Role, role)
	case sub == "revoke" && listed:
		fmt.Fprintf(w, "Note: %s still lists %s under %ss; the next `stp access apply` would grant it again. Remove that line to keep this.\n", file.At(e), email, e.Role)
	}
}
