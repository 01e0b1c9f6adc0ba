package access

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
)

// Change is one grant or revocation.
type Change struct {
	Revoke bool
	User   User
	Role   Role
	// Assignment is the assignment a revocation deletes.
	Assignment Assignment
	// Why says where the change comes from: a line of the access file,
	// or the command line.
	Why string
}

func (c Change) verb() string {
	if c.Revoke {
		return "- revoke"
	}
	return "+ grant"
}

// Plan is what would bring the tenant in line with what is asked.
type Plan struct {
	Tenant *Tenant
	// Changes are the grants, then the revocations: granting first means
	// that a failure half-way never leaves fewer admins than intended.
	Changes []Change
	// LeftAlone says which differences were not planned because the
	// principal is protected, or the assignment is not managed here.
	LeftAlone []string
	// LosingAccess are the people who hold a portal role now and would
	// hold none.
	LosingAccess []User
	// AdminsAfter are the e-mails of the Portal Admins after the changes.
	AdminsAfter []string
	// Principal is the user a grant or revoke names, resolved.
	Principal User
	// share applies the --max-revoke guard rail (file plans only).
	share bool
}

// Protected is who the access file protects: each protected entry
// resolved to the users of the tenant it names, by object id, so that a
// protected person is recognised by any of their names.
type Protected map[string]Entry

// ResolveProtected resolves the file's protected entries through Graph.
// An entry that names nobody protects nobody; a Graph error ends the
// command, since without the answer nobody could be known safe to change.
func ResolveProtected(ctx context.Context, c *Client, t *Tenant, f *File) (Protected, error) {
	p := Protected{}
	if f == nil {
		return p, nil
	}
	for _, e := range f.Protected {
		users, err := c.FindUsers(ctx, e.Name)
		if err != nil {
			return nil, fmt.Errorf("resolving the protected %s (%s): %w", e.Name, f.At(e), err)
		}
		for _, u := range append(users, t.holders(e.Name)...) {
			if _, ok := p[strings.ToLower(u.ID)]; !ok {
				p[strings.ToLower(u.ID)] = e
			}
		}
	}
	return p, nil
}

// Of returns the protected entry that names u, if any.
func (p Protected) Of(u User) (Entry, bool) {
	e, ok := p[strings.ToLower(u.ID)]
	return e, ok
}

// resolveEntry finds the user a file entry names: among the holders
// first, whose every address is known, so that a file of present holders
// costs no Graph request; then through Graph.
func resolveEntry(ctx context.Context, c *Client, t *Tenant, name string) (User, error) {
	switch hs := t.holders(name); len(hs) {
	case 0:
		return c.Resolve(ctx, name)
	case 1:
		return hs[0], nil
	default:
		return User{}, ambiguous(name, hs)
	}
}

// PlanFile plans the changes that make the tenant match the access file.
// Names the tenant does not know, and two names of one user, are reported
// at their line, all at once. A protected principal is never demoted or
// revoked, but is given the role the file lists for them when they lack
// it, so that apply restores a protected admin whom something else
// demoted.
func PlanFile(ctx context.Context, c *Client, t *Tenant, f *File) (*Plan, error) {
	protected, err := ResolveProtected(ctx, c, t, f)
	if err != nil {
		return nil, err
	}
	p := &Plan{Tenant: t, share: true}
	var errs []error
	var revokes []Change
	listed := map[string]Entry{} // by object id
	for _, e := range f.Entries {
		user, err := resolveEntry(ctx, c, t, e.Name)
		if errors.Is(err, ErrNoSuchUser) {
			errs = append(errs, fmt.Errorf("%s: no such user in the tenant: %s", f.At(e), e.Name))
			continue
		} else if errors.Is(err, ErrAmbiguousUser) {
			errs = append(errs, fmt.Errorf("%s: %v", f.At(e), err))
			continue
		} else if err != nil {
			return nil, err
		}
		id := strings.ToLower(user.ID)
		if prev, dup := listed[id]; dup {
			errs = append(errs, fmt.Errorf("%s: %s and %s (line %d) are one user, %s (object id %s); list them once",
				f.At(e), e.Name, prev.Name, prev.Line, user.DisplayName, user.ID))
			continue
		}
		listed[id] = e
		holds := t.HoldingsOf(user.ID)
		var changes []Change
		if !slices.ContainsFunc(holds, func(h Holding) bool { return h.Role == e.Role }) {
			changes = append(changes, Change{User: user, Role: e.Role, Why: f.At(e).String()})
		}
		for _, h := range holds {
			if h.Role != e.Role {
				changes = append(changes, Change{Revoke: true, User: h.User, Role: h.Role, Assignment: h.Assignment,
					Why: fmt.Sprintf("%s makes them a %s", f.At(e), e.Role.Title())})
			}
		}
		demotes := slices.ContainsFunc(changes, func(ch Change) bool { return ch.Revoke && ch.Role == AdminRole })
		if pe, ok := protected.Of(user); ok && demotes {
			p.LeftAlone = append(p.LeftAlone, fmt.Sprintf("%s is protected (%s): %s left alone", user.Email(), f.At(pe), describe(changes)))
			continue
		}
		for _, ch := range changes {
			if ch.Revoke {
				revokes = append(revokes, ch)
			} else {
				p.Changes = append(p.Changes, ch)
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, h := range t.Holdings {
		if _, ok := listed[strings.ToLower(h.User.ID)]; ok {
			continue
		}
		ch := Change{Revoke: true, User: h.User, Role: h.Role, Assignment: h.Assignment,
			Why: fmt.Sprintf("not in %s (held since %s)", f.Path, Since(h.Assignment.Created))}
		if pe, ok := protected.Of(h.User); ok {
			p.LeftAlone = append(p.LeftAlone, fmt.Sprintf("%s is protected (%s): %s left alone", h.User.Email(), f.At(pe), describe([]Change{ch})))
			continue
		}
		revokes = append(revokes, ch)
	}
	p.Changes = append(p.Changes, revokes...)
	for _, a := range t.Unmanaged {
		p.LeftAlone = append(p.LeftAlone, fmt.Sprintf("%s %q holds app role %s: not managed by the access file, left alone",
			strings.ToLower(a.PrincipalType), a.PrincipalDisplayName, a.AppRoleID))
	}
	p.settle()
	return p, nil
}

func describe(cs []Change) string {
	var parts []string
	for _, c := range cs {
		if c.Revoke {
			parts = append(parts, "revoking "+c.Role.Title())
		} else {
			parts = append(parts, "granting "+c.Role.Title())
		}
	}
	return strings.Join(parts, " and ")
}

// principal resolves the user a command names and refuses a protected one.
func principal(ctx context.Context, c *Client, t *Tenant, f *File, name, never string) (User, error) {
	u, err := c.Resolve(ctx, name)
	if err != nil {
		return User{}, err
	}
	protected, err := ResolveProtected(ctx, c, t, f)
	if err != nil {
		return User{}, err
	}
	if e, ok := protected.Of(u); ok {
		return User{}, fmt.Errorf("%s is protected in %s: stp access never %s", Named(u, name), f.At(e), never)
	}
	return u, nil
}

// Named is how messages name the user u, given as name: by their address,
// and by the name given too when that was another one.
func Named(u User, name string) string {
	if strings.EqualFold(u.Email(), name) {
		return u.Email()
	}
	return fmt.Sprintf("%s (given as %s)", u.Email(), name)
}

// PlanGrant plans giving the user name names exactly the role r: granting
// it, and revoking their other portal role if they hold one.
func PlanGrant(ctx context.Context, c *Client, t *Tenant, f *File, name string, r Role) (*Plan, error) {
	user, err := principal(ctx, c, t, f, name, "changes their roles")
	if err != nil {
		return nil, err
	}
	p := &Plan{Tenant: t, Principal: user}
	holds := t.HoldingsOf(user.ID)
	if !slices.ContainsFunc(holds, func(h Holding) bool { return h.Role == r }) {
		p.Changes = append(p.Changes, Change{User: user, Role: r, Why: "stp access grant"})
	}
	for _, h := range holds {
		if h.Role != r {
			p.Changes = append(p.Changes, Change{Revoke: true, User: h.User, Role: h.Role, Assignment: h.Assignment,
				Why: "replaced by " + r.Title()})
		}
	}
	p.settle()
	return p, nil
}

// PlanRevoke plans taking every portal role from the user name names.
func PlanRevoke(ctx context.Context, c *Client, t *Tenant, f *File, name string) (*Plan, error) {
	user, err := principal(ctx, c, t, f, name, "revokes their access")
	if err != nil {
		return nil, err
	}
	p := &Plan{Tenant: t, Principal: user}
	for _, h := range t.HoldingsOf(user.ID) {
		p.Changes = append(p.Changes, Change{Revoke: true, User: h.User, Role: h.Role, Assignment: h.Assignment, Why: "stp access revoke"})
	}
	p.settle()
	return p, nil
}

// settle works out who loses access and who the admins are afterwards.
func (p *Plan) settle() {
	after := map[string]map[Role]bool{}
	users := map[string]User{}
	for _, h := range p.Tenant.Holdings {
		if after[h.User.ID] == nil {
			after[h.User.ID] = map[Role]bool{}
		}
		after[h.User.ID][h.Role] = true
		users[h.User.ID] = h.User
	}
	now := map[string]bool{}
	for id := range after {
		now[id] = true
	}
	for _, c := range p.Changes {
		if after[c.User.ID] == nil {
			after[c.User.ID] = map[Role]bool{}
		}
		after[c.User.ID][c.Role] = !c.Revoke
		users[c.User.ID] = c.User
	}
	for id, roles := range after {
		if roles[AdminRole] {
			p.AdminsAfter = append(p.AdminsAfter, users[id].Email())
		}
		if now[id] && !roles[AdminRole] && !roles[UserRole] {
			p.LosingAccess = append(p.LosingAccess, users[id])
		}
	}
	slices.Sort(p.AdminsAfter)
	slices.SortFunc(p.LosingAccess, func(a, b User) int { return strings.Compare(a.Email(), b.Email()) })
}

// Check applies the guard rails. The last Portal Admin is never removed,
// whatever force says; a file plan revoking more than maxRevoke (a share,
// 0.25 for 25%) of the people with access needs force.
func (p *Plan) Check(maxRevoke float64, force bool) error {
	var admins []string
	for _, h := range p.Tenant.Holdings {
		if h.Role == AdminRole {
			admins = append(admins, h.User.Email())
		}
	}
	if len(p.AdminsAfter) == 0 && len(admins) > 0 {
		return fmt.Errorf("refused: this would remove the last Portal Admin (%s), and nobody could manage the portal's access; grant Portal Admin to someone else first",
			strings.Join(admins, ", "))
	}
	if p.share && !force {
		people := p.Tenant.People()
		if n := len(p.LosingAccess); n > 0 && float64(n) > maxRevoke*float64(people)+1e-9 {
			return fmt.Errorf("refused: %d of the %d people with access would lose it (%s), more than --max-revoke %s; check the file, then apply with --force",
				n, people, percent(float64(n)/float64(people)), percent(maxRevoke))
		}
	}
	return nil
}

func percent(f float64) string { return fmt.Sprintf("%d%%", int(math.Round(f*100))) }

// Write prints the plan, one line per change.
func (p *Plan) Write(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range p.Changes {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", c.verb(), c.Role.Title(), c.User.Email(), c.User.DisplayName, c.Why)
	}
	tw.Flush()
	for _, s := range p.LeftAlone {
		fmt.Fprintf(w, "  = %s\n", s)
	}
}

// Summary is the plan's last line.
func (p *Plan) Summary() string {
	grants, revokes := 0, 0
	for _, c := range p.Changes {
		if c.Revoke {
			revokes++
		} else {
			grants++
		}
	}
	s := fmt.Sprintf("%d to grant, %d to revoke", grants, revokes)
	if n := len(p.LosingAccess); n > 0 {
		people := p.Tenant.People()
		s += fmt.Sprintf("; %d of %d people with access would lose it (%s)", n, people, percent(float64(n)/float64(people)))
	}
	return s + "."
}

// Apply makes the plan's changes in order and prints each one as it is
// made, so that the output is exactly what changed even when a change
// fails half-way.
func Apply(ctx context.Context, c *Client, p *Plan, w io.Writer) (int, error) {
	for i, ch := range p.Changes {
		if ch.Revoke {
			if err := c.Unassign(ctx, ch.Assignment.ID); err != nil {
				return i, fmt.Errorf("revoking %s from %s: %w", ch.Role.Title(), ch.User.Email(), err)
			}
			fmt.Fprintf(w, "revoked %s from %s (%s; assignment %s)\n", ch.Role.Title(), ch.User.Email(), ch.User.DisplayName, ch.Assignment.ID)
			continue
		}
		a, err := c.Assign(ctx, ch.User.ID, p.Tenant.RoleID(ch.Role))
		if err != nil {
			return i, fmt.Errorf("granting %s to %s: %w", ch.Role.Title(), ch.User.Email(), err)
		}
		fmt.Fprintf(w, "granted %s to %s (%s; assignment %s)\n", ch.Role.Title(), ch.User.Email(), ch.User.DisplayName, a.ID)
	}
	return len(p.Changes), nil
}
