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
	// share applies the --max-revoke guard rail (file plans only).
	share bool
}

// PlanFile plans the changes that make the tenant match the access file.
// Users the file names but the tenant does not know are reported at their
// line, all at once.
func PlanFile(ctx context.Context, c *Client, t *Tenant, f *File) (*Plan, error) {
	p := &Plan{Tenant: t, share: true}
	var errs []error
	var revokes []Change
	for _, e := range f.Entries {
		holds := t.Of(e.Email)
		var user User
		has := false
		for _, h := range holds {
			user = h.User
			if h.Role == e.Role {
				has = true
			}
		}
		var changes []Change
		if !has {
			if len(holds) == 0 {
				u, err := c.UserByEmail(ctx, e.Email)
				if errors.Is(err, ErrNoSuchUser) {
					errs = append(errs, fmt.Errorf("%s: no such user in the tenant: %s", f.At(e), e.Email))
					continue
				} else if err != nil {
					return nil, err
				}
				user = u
			}
			changes = append(changes, Change{User: user, Role: e.Role, Why: f.At(e)})
		}
		for _, h := range holds {
			if h.Role != e.Role {
				changes = append(changes, Change{Revoke: true, User: h.User, Role: h.Role, Assignment: h.Assignment,
					Why: fmt.Sprintf("%s makes them a %s", f.At(e), e.Role.Title())})
			}
		}
		pe, ok := f.IsProtected(e.Email)
		if !ok && user.ID != "" {
			pe, ok = protected(f, user)
		}
		if ok && len(changes) > 0 {
			p.LeftAlone = append(p.LeftAlone, fmt.Sprintf("%s is protected (%s): %s left alone", e.Email, f.At(pe), describe(changes)))
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
		if slices.ContainsFunc(f.Entries, func(e Entry) bool { return h.User.has(e.Email) }) {
			continue
		}
		ch := Change{Revoke: true, User: h.User, Role: h.Role, Assignment: h.Assignment,
			Why: fmt.Sprintf("not in %s (held since %s)", f.Path, Since(h.Assignment.Created))}
		if pe, ok := protected(f, h.User); ok {
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

func protected(f *File, u User) (Entry, bool) {
	for _, e := range f.Protected {
		if u.has(e.Email) {
			return e, true
		}
	}
	return Entry{}, false
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

// PlanGrant plans giving the user known by email exactly the role r:
// granting it, and revoking their other portal role if they hold one.
func PlanGrant(ctx context.Context, c *Client, t *Tenant, f *File, email string, r Role) (*Plan, error) {
	if e, ok := f.IsProtected(email); ok {
		return nil, fmt.Errorf("%s is protected in %s: stp access never changes their roles", email, f.At(e))
	}
	p := &Plan{Tenant: t}
	holds := t.Of(email)
	var user User
	has := false
	for _, h := range holds {
		user = h.User
		has = has || h.Role == r
	}
	if len(holds) == 0 {
		u, err := c.UserByEmail(ctx, email)
		if err != nil {
			return nil, err
		}
		user = u
	}
	if !has {
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

// PlanRevoke plans taking every portal role from the user known by email.
func PlanRevoke(ctx context.Context, c *Client, t *Tenant, f *File, email string) (*Plan, error) {
	if e, ok := f.IsProtected(email); ok {
		return nil, fmt.Errorf("%s is protected in %s: stp access never revokes their access", email, f.At(e))
	}
	holds := t.Of(email)
	if len(holds) == 0 {
		// Say whether the user exists at all, which is the usual mistake.
		if _, err := c.UserByEmail(ctx, email); err != nil {
			return nil, err
		}
	}
	p := &Plan{Tenant: t}
	for _, h := range holds {
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
