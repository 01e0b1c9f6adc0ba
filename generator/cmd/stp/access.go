package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
  stp access grant NAME --role admin|user  give NAME exactly that role
  stp access revoke NAME                   take every portal role from NAME
  stp access plan                          what apply would change to match the access file
  stp access apply [--force]               make those changes, and print each one

NAME is an e-mail address, a sign-in name, an alias or an object id: the
guard rails check the user it names, whatever the spelling.

The access file is proxy/access.yaml of the STP repository the working
directory is in (found by walking up to it), or --file PATH. grant and
revoke refuse to run without one, since then nobody is protected, unless
given --no-access-file; the last Portal Admin is never removed either way.

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

// accessRun is one stp access command after its arguments are read: what
// every subcommand needs.
type accessRun struct {
	sub            string
	fl             *accessFlags
	maxRevoke      float64
	stdout, stderr io.Writer
	ctx            context.Context
	file           *access.File
	client         *access.Client
	tenant         *access.Tenant
}

func (a *accessRun) fail(err error) int {
	fmt.Fprintf(a.stderr, "stp access %s: %v\n", a.sub, err)
	return 1
}

func runAccess(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, accessUsage)
		newAccessFlags(stdout).fs.PrintDefaults()
		return 0
	}
	a := &accessRun{sub: args[0], stdout: stdout, stderr: stderr}
	pos, code := a.parse(args[1:])
	if code != 0 {
		return code
	}
	var err error
	if a.file, err = a.fl.accessFile(a.sub); err != nil {
		return a.fail(err)
	}
	if a.client, err = a.fl.client(a.file, stderr); err != nil {
		return a.fail(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *a.fl.timeout)
	defer cancel()
	a.ctx = ctx
	if a.tenant, err = access.Read(ctx, a.client); err != nil {
		return a.fail(err)
	}
	switch a.sub {
	case "list":
		protected, err := access.ResolveProtected(ctx, a.client, a.tenant, a.file)
		if err != nil {
			return a.fail(err)
		}
		writeList(stdout, a.tenant, a.file, protected)
		return 0
	case "grant", "revoke":
		return a.grantOrRevoke(pos[0])
	}
	return a.planOrApply()
}

// parse reads the subcommand's flags and arguments; a non-zero code is the
// exit code of a usage error, already reported.
func (a *accessRun) parse(args []string) ([]string, int) {
	switch a.sub {
	case "list", "grant", "revoke", "plan", "apply":
	default:
		fmt.Fprintf(a.stderr, "stp access: unknown subcommand %q (list, grant, revoke, plan, apply)\n", a.sub)
		return nil, 2
	}
	a.fl = newAccessFlags(a.stderr)
	a.fl.fs.Usage = func() {
		fmt.Fprint(a.stderr, accessUsage)
		a.fl.fs.PrintDefaults()
	}
	pos, err := parseInterspersed(a.fl.fs, args)
	if err != nil {
		return nil, 2
	}
	a.fl.fs.Visit(func(f *flag.Flag) { a.fl.fileSet = a.fl.fileSet || f.Name == "file" })
	want := map[string]int{"list": 0, "plan": 0, "apply": 0, "grant": 1, "revoke": 1}[a.sub]
	usage := func(format string, args ...any) ([]string, int) {
		fmt.Fprintf(a.stderr, "stp access %s: %s\n", a.sub, fmt.Sprintf(format, args...))
		return nil, 2
	}
	switch {
	case len(pos) != want && want == 1:
		return usage("give one user, by e-mail address or object id, e.g. stp access %s alex@contoso.example", a.sub)
	case len(pos) != want:
		return usage("unexpected argument %q", pos[0])
	case a.sub == "grant" && *a.fl.role == "":
		return usage("say which role: --role admin or --role user")
	case *a.fl.noFile && a.fl.fileSet:
		return usage("give --file or --no-access-file, not both")
	case *a.fl.noFile && (a.sub == "plan" || a.sub == "apply"):
		return usage("%s compares the tenant with the access file; --no-access-file is for list, grant and revoke", a.sub)
	}
	if a.maxRevoke, err = parseShare(*a.fl.maxRevoke); err != nil {
		return usage("--max-revoke: %v", err)
	}
	return pos, 0
}

func (a *accessRun) grantOrRevoke(name string) int {
	var plan *access.Plan
	var role access.Role
	var err error
	if a.sub == "grant" {
		if role, err = access.ParseRole(*a.fl.role); err != nil {
			return a.fail(err)
		}
		plan, err = access.PlanGrant(a.ctx, a.client, a.tenant, a.file, name, role)
	} else {
		plan, err = access.PlanRevoke(a.ctx, a.client, a.tenant, a.file, name)
	}
	if err != nil {
		return a.fail(err)
	}
	user := plan.Principal
	who := access.Named(user, name)
	if len(plan.Changes) == 0 {
		if a.sub == "grant" {
			h := a.tenant.HoldingsOf(user.ID)
			fmt.Fprintf(a.stdout, "%s already holds %s (since %s); nothing changed.\n", who, role.Title(), access.Since(h[0].Assignment.Created))
		} else {
			fmt.Fprintf(a.stdout, "%s holds no portal role; nothing changed.\n", who)
		}
		return 0
	}
	if err := plan.Check(a.maxRevoke, *a.fl.force); err != nil {
		return a.fail(err)
	}
	if _, err := access.Apply(a.ctx, a.client, plan, a.stdout); err != nil {
		return a.fail(err)
	}
	if a.sub == "revoke" {
		fmt.Fprintf(a.stdout, "%s loses access at their next session refresh (cookie_refresh in the proxy's configuration).\n", user.Email())
	}
	noteDrift(a.stdout, a.file, user, a.sub, role)
	return 0
}

func (a *accessRun) planOrApply() int {
	plan, err := access.PlanFile(a.ctx, a.client, a.tenant, a.file)
	if err != nil {
		return a.fail(err)
	}
	stdout, stderr := a.stdout, a.stderr
	if len(plan.Changes) == 0 {
		plan.Write(stdout)
		fmt.Fprintf(stdout, "No changes: the tenant matches %s (%s).\n", a.file.Path, peopleSummary(a.tenant))
		return 0
	}
	if a.sub == "plan" {
		fmt.Fprintf(stdout, "To bring %s (service principal %s) in line with %s:\n",
			a.tenant.ServicePrincipal.DisplayName, a.tenant.ServicePrincipal.ID, a.file.Path)
		plan.Write(stdout)
		fmt.Fprintf(stdout, "Plan: %s\n", plan.Summary())
		if err := plan.Check(a.maxRevoke, *a.fl.force); err != nil {
			fmt.Fprintf(stderr, "stp access plan: apply would be %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, "Run `stp access apply` to make these changes.")
		return 0
	}
	if err := plan.Check(a.maxRevoke, *a.fl.force); err != nil {
		plan.Write(stderr)
		return a.fail(err)
	}
	done, err := access.Apply(a.ctx, a.client, plan, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "stp access apply: stopped after %d of %d changes; `stp access plan` shows what is left\n", done, len(plan.Changes))
		return a.fail(err)
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
	force, noFile                               *bool
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
		file:      fs.String("file", "", "the access file (who holds which role, who is protected); default: proxy/access.yaml of the STP repository the working directory is in"),
		noFile:    fs.Bool("no-access-file", false, "grant, revoke: go on without an access file, so with no protected principal (the last Portal Admin is still never removed)"),
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

// accessFile reads the access file: --file, or proxy/access.yaml of the
// STP repository around the working directory. It is not looked up
// relative to the working directory: from another folder that would find
// no file, and so protect nobody. Without a file, list goes on (it changes
// nothing), grant and revoke only when told --no-access-file, and plan and
// apply not at all.
func (fl *accessFlags) accessFile(sub string) (*access.File, error) {
	if *fl.noFile {
		return nil, nil
	}
	if fl.fileSet {
		return access.LoadFile(*fl.file)
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	path, repo := findAccessFile(wd)
	if path != "" {
		// Named relative to where the command runs, as a publisher would
		// type it: proxy/access.yaml from the repository's root.
		if rel, err := filepath.Rel(wd, path); err == nil {
			path = rel
		}
		return access.LoadFile(path)
	}
	if sub == "list" {
		return nil, nil
	}
	where := fmt.Sprintf("%s is not inside an STP repository (no folder above it holds go.mod and catalog.yaml, or proxy/access.yaml)", wd)
	if repo != "" {
		where = fmt.Sprintf("the STP repository %s has no proxy/access.yaml", repo)
	}
	if sub == "plan" || sub == "apply" {
		return nil, fmt.Errorf("no access file: %s; run from the repository or give --file PATH", where)
	}
	return nil, fmt.Errorf("no access file: %s, so no principal would be protected; run from the repository, give --file PATH, or --no-access-file to %s with only the last-admin guard rail", where, sub)
}

// findAccessFile walks up from dir to the STP repository: the first folder
// holding proxy/access.yaml, or go.mod with catalog.yaml. It returns the
// access file's path, or "" and the repository's root when the repository
// has none, or "" and "" outside any repository.
func findAccessFile(dir string) (path, repo string) {
	exists := func(p string) bool {
		_, err := os.Stat(p)
		return err == nil
	}
	for {
		if p := filepath.Join(dir, "proxy", "access.yaml"); exists(p) {
			return p, dir
		}
		if exists(filepath.Join(dir, "go.mod")) && exists(filepath.Join(dir, "catalog.yaml")) {
			return "", dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ""
		}
		dir = parent
	}
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

func writeList(w io.Writer, t *access.Tenant, file *access.File, protected access.Protected) {
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
			if _, ok := protected.Of(h.User); ok {
				notes = append(notes, "protected")
			}
			if file != nil {
				if e, ok := file.Listed(h.User); !ok {
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
		if !c.Revoke && len(p.Tenant.HoldingsOf(c.User.ID)) == 0 {
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
func noteDrift(w io.Writer, file *access.File, u access.User, sub string, role access.Role) {
	if file == nil {
		return
	}
	e, listed := file.Listed(u)
	email := u.Email()
	switch {
	case sub == "grant" && !listed:
		fmt.Fprintf(w, "Note: %s does not list %s; the next `stp access apply` would revoke this. Add them under %ss: to keep it.\n", file.Path, email, role)
	case sub == "grant" && e.Role != role:
		fmt.Fprintf(w, "Note: %s lists %s under %ss; the next `stp access apply` would undo this. Move them to %ss: to keep it.\n", file.At(e), email, e.Role, role)
	case sub == "revoke" && listed:
		fmt.Fprintf(w, "Note: %s still lists %s under %ss; the next `stp access apply` would grant it again. Remove that line to keep this.\n", file.At(e), email, e.Role)
	}
}
