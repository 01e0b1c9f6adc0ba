package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/stp-portal/stp/generator/store"
)

// The Settings page's "Add user role" part, for Portal Admins only:
//
//	GET    /api/org/users        who holds which portal role in the reader's organisation, since when, granted by whom
//	POST   /api/org/users        {"email": "…", "role": "Portal.User" | "Portal.Admin"}: give a person of the organisation that role
//	DELETE /api/org/users/{oid}  take away the role the portal gave them
//
// Roles from the organisation's directory (Entra ID app roles) are listed
// but changed only there. The guard rails of `stp access` hold: the last
// Portal Admin is neither removed nor demoted, and the Global
// Administrator and the access file's protected principals never lose a
// role here, each checked on the person's object id.

// personView is one line of the list.
type personView struct {
	ObjectID string `json:"oid"`
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	// Source is "portal" (granted on the Settings page) or "directory"
	// (an Entra ID app role, as last seen at their sign-in).
	Source    string    `json:"source"`
	Since     time.Time `json:"since,omitzero"`
	GrantedBy string    `json:"grantedBy,omitempty"`
	// Removable says whether Remove is offered; Note says why not.
	Removable bool   `json:"removable"`
	Note      string `json:"note,omitempty"`
}

type peopleView struct {
	Tenant string       `json:"tenant"`
	People []personView `json:"people"`
	// RecheckSeconds bounds how long a change takes to reach every
	// replica of the portal.
	RecheckSeconds int `json:"recheckSeconds"`
}

// maxEmail is the longest address accepted (RFC 5321's path limit).
const maxEmail = 254

var objectIDRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func (a *api) adminOnly(w http.ResponseWriter, r *http.Request, id Identity) bool {
	if id.Admin() {
		return true
	}
	a.refuse(w, r, id, http.StatusForbidden, "not a Portal Admin", "only a Portal Admin may see and change who has access")
	return false
}

func (a *api) people(w http.ResponseWriter, r *http.Request, id Identity) {
	if !a.adminOnly(w, r, id) {
		return
	}
	assigned, directory, err := a.store.Assignments(r.Context(), id.Tenant)
	if err != nil {
		a.failed(w, r, id, err)
		return
	}
	writeAPI(w, http.StatusOK, peopleView{Tenant: id.Tenant, People: listPeople(assigned, directory),
		RecheckSeconds: int(a.gate.roleCache.ttl.Round(time.Second) / time.Second)})
}

// listPeople merges the store's grants and the directory's roles into the
// list the Settings page shows, saying for each grant whether Remove is
// offered.
func listPeople(assigned []store.Assignment, directory []store.DirectoryRole) []personView {
	admins := map[string]bool{}
	globalAdmins := map[string]bool{}
	for _, d := range directory {
		if d.Role == RoleAdmin {
			admins[d.ObjectID] = true
		}
		if d.GlobalAdmin {
			globalAdmins[d.ObjectID] = true
		}
	}
	for _, as := range assigned {
		if as.Role == RoleAdmin {
			admins[as.ObjectID] = true
		}
	}
	out := []personView{}
	for _, as := range assigned {
		p := personView{ObjectID: as.ObjectID, Email: as.Email, Name: as.Name, Role: as.Role, Source: "portal",
			Since: as.GrantedAt, GrantedBy: as.GrantedBy.Email, Removable: true}
		switch {
		case globalAdmins[as.ObjectID]:
			p.Removable, p.Note = false, "your organisation's Global Administrator"
		case as.Role == RoleAdmin && len(admins) == 1:
			p.Removable, p.Note = false, "the last Portal Admin"
		}
		out = append(out, p)
	}
	for _, d := range directory {
		if d.Role == "" {
			continue
		}
		out = append(out, personView{ObjectID: d.ObjectID, Email: d.Email, Name: d.Name, Role: d.Role, Source: "directory",
			Since: d.SeenAt, Note: "from your directory (Microsoft Entra ID): changed there, not here"})
	}
	return out
}

// grantRequest is the body of POST /api/org/users.
type grantRequest struct {
	Email string `json:"email"`
	Role  string `json:"role"`
}

func (a *api) addPerson(w http.ResponseWriter, r *http.Request, id Identity) {
	if !a.adminOnly(w, r, id) {
		return
	}
	var req grantRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || dec.More() {
		a.refuse(w, r, id, http.StatusBadRequest, "bad body", `send {"email": "name@your-organisation", "role": "Portal.User" or "Portal.Admin"}`)
		return
	}
	req.Email = strings.TrimSpace(req.Email)
	if problem := checkAddress(req.Email); problem != "" {
		a.refuse(w, r, id, http.StatusBadRequest, problem, problem)
		return
	}
	if req.Role != RoleAdmin && req.Role != RoleUser {
		a.refuse(w, r, id, http.StatusBadRequest, "bad role", `choose the role "Portal.User" or "Portal.Admin"`)
		return
	}
	person, err := a.directory.lookup(r.Context(), r, id, req.Email)
	if err != nil {
		a.lookupFailed(w, r, id, err)
		return
	}
	if req.Role == RoleUser {
		// Lowering a protected principal's role is removing one.
		if refused := a.guard(w, r, id, person.ObjectID); refused {
			return
		}
	}
	by := store.Actor{ObjectID: id.ObjectID, Email: id.Email}
	granted, err := a.store.Grant(r.Context(), id.Tenant, person, req.Role, by)
	if a.storeRefused(w, r, id, err) {
		return
	}
	a.gate.roleCache.forget(id.Tenant, person.ObjectID)
	a.gate.log.LogAttrs(r.Context(), slog.LevelInfo, "api: role granted",
		slog.String("user", id.Email), slog.String("oid", id.ObjectID), slog.String("tenant", id.Tenant),
		slog.String("to", person.Email), slog.String("toOid", person.ObjectID), slog.String("role", req.Role))
	writeAPI(w, http.StatusOK, personView{ObjectID: person.ObjectID, Email: person.Email, Name: person.Name, Role: req.Role,
		Source: "portal", Since: granted.GrantedAt, GrantedBy: id.Email, Removable: true})
}

// checkAddress says what is wrong with an address typed into the form, or "".
func checkAddress(s string) string {
	local, domain, ok := strings.Cut(s, "@")
	switch {
	case s == "":
		return "enter the person's e-mail address"
	case len(s) > maxEmail:
		return fmt.Sprintf("an e-mail address has at most %d characters", maxEmail)
	case !ok || local == "" || domain == "" || strings.ContainsAny(s, " \t\r\n'\"<>()[]\\,;:") || strings.Count(s, "@") != 1:
		return "enter one e-mail address, like name@example.com"
	}
	for _, c := range s {
		if c < 0x20 || c == 0x7f {
			return "enter one e-mail address, like name@example.com"
		}
	}
	return ""
}

func (a *api) removePerson(w http.ResponseWriter, r *http.Request, id Identity) {
	if !a.adminOnly(w, r, id) {
		return
	}
	oid := r.PathValue("oid")
	if !objectIDRE.MatchString(oid) {
		a.refuse(w, r, id, http.StatusBadRequest, "bad object id", "name the person by their object id, as the list gives it")
		return
	}
	oid = strings.ToLower(oid)
	if refused := a.guard(w, r, id, oid); refused {
		return
	}
	revoked, err := a.store.Revoke(r.Context(), id.Tenant, oid, store.Actor{ObjectID: id.ObjectID, Email: id.Email})
	if a.storeRefused(w, r, id, err) {
		return
	}
	a.gate.roleCache.forget(id.Tenant, oid)
	a.gate.log.LogAttrs(r.Context(), slog.LevelInfo, "api: role revoked",
		slog.String("user", id.Email), slog.String("oid", id.ObjectID), slog.String("tenant", id.Tenant),
		slog.String("from", revoked.Email), slog.String("fromOid", oid), slog.String("role", revoked.Role))
	writeAPI(w, http.StatusOK, personView{ObjectID: oid, Email: revoked.Email, Name: revoked.Name, Role: revoked.Role, Source: "portal"})
}

// guard refuses (and reports true) when the person with object id oid of
// the admin's tenant may not lose a role: their organisation's Global
// Administrator, as last seen signing in, or protected by the access file.
func (a *api) guard(w http.ResponseWriter, r *http.Request, id Identity, oid string) bool {
	_, directory, err := a.store.Assignments(r.Context(), id.Tenant)
	if err != nil {
		a.failed(w, r, id, err)
		return true
	}
	for _, d := range directory {
		if d.ObjectID == oid && d.GlobalAdmin {
			a.refuse(w, r, id, http.StatusForbidden, "protected: global administrator",
				fmt.Sprintf("%s is your organisation's Global Administrator: their access is not lowered here", d.Email))
			return true
		}
	}
	protected, err := a.directory.protected(r.Context(), r, id, oid)
	if protected {
		msg := "this person is protected by the portal's access file: their access is not lowered here"
		if err != nil {
			msg = "the portal could not check that this person is not protected (" + err.Error() + "), so nothing was changed"
		}
		a.refuse(w, r, id, http.StatusForbidden, "protected", msg)
		return true
	}
	return false
}

// storeRefused answers a refused or failed Grant or Revoke and reports
// true, or reports false when err is nil.
func (a *api) storeRefused(w http.ResponseWriter, r *http.Request, id Identity, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, store.ErrLastAdmin):
		a.refuse(w, r, id, http.StatusConflict, "last admin",
			"this is your organisation's last Portal Admin: make someone else a Portal Admin first")
	case errors.Is(err, store.ErrNoAssignment):
		a.refuse(w, r, id, http.StatusNotFound, "no assignment",
			"this person holds no role given on this page (a role from your directory is changed in Microsoft Entra ID)")
	case errors.Is(err, store.ErrInvalid):
		a.refuse(w, r, id, http.StatusBadRequest, err.Error(), err.Error())
	default:
		a.failed(w, r, id, err)
	}
	return true
}

// lookupFailed answers a lookup in the admin's directory that did not
// find exactly one person.
func (a *api) lookupFailed(w http.ResponseWriter, r *http.Request, id Identity, err error) {
	var consent errNeedsConsent
	switch {
	case errors.As(err, &consent):
		a.gate.log.LogAttrs(r.Context(), slog.LevelWarn, "api: refused",
			slog.String("method", r.Method), slog.String("path", bounded(r.URL.Path)),
			slog.String("user", bounded(id.Email)), slog.String("tenant", id.Tenant),
			slog.Int("status", http.StatusForbidden), slog.String("reason", "needs consent"))
		writeAPI(w, http.StatusForbidden, struct {
			Error   string `json:"error"`
			Consent string `json:"consentUrl,omitempty"`
		}{err.Error(), consent.link})
	case errors.Is(err, errNotFound):
		a.refuse(w, r, id, http.StatusNotFound, "not in the directory", err.Error())
	case errors.Is(err, errAmbiguous):
		a.refuse(w, r, id, http.StatusConflict, "ambiguous", err.Error())
	case errors.As(err, new(errGraph)):
		a.failed(w, r, id, err)
	default:
		a.refuse(w, r, id, http.StatusForbidden, err.Error(), err.Error())
	}
}
