package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/stp-portal/stp/generator/store"
)

// maxAPIBody bounds a request body to the API: a choice of every region
// and industry of a large catalog is a few KB.
const maxAPIBody = 64 << 10

// api is the portal's own API under /api/ (the search API aside): what
// the static pages cannot know, kept in the store and answered per
// reader.
//
//	GET /api/me              who the reader is: tenant, e-mail, roles
//	GET /api/org/settings    the reader's organisation's regions and industries
//	PUT /api/org/settings    replace them (Portal Admin only)
//	GET, POST /api/org/users, DELETE /api/org/users/{oid}
//	                         who holds which portal role; add, remove (Portal Admin only; users.go)
//
// Every request passes the gate first, then identify; each handler gets
// the Identity and reads or writes only the reader's own tenant.
type api struct {
	gate      *gate
	store     store.Store
	directory Directory
	catalog   *catalogTerms
	mux       *http.ServeMux
	// crossOrigin refuses a state-changing request a page of another site
	// made the reader's browser send.
	crossOrigin *http.CrossOriginProtection
}

func newAPI(dir string, g *gate, s store.Store, d Directory) *api {
	a := &api{gate: g, store: s, directory: d, catalog: &catalogTerms{file: filepath.Join(dir, "catalog.json")},
		mux: http.NewServeMux(), crossOrigin: http.NewCrossOriginProtection()}
	a.mux.HandleFunc("GET /api/me", a.with(a.me))
	a.mux.HandleFunc("GET /api/org/settings", a.with(a.orgSettings))
	a.mux.HandleFunc("PUT /api/org/settings", a.with(a.setOrgSettings))
	a.mux.HandleFunc("GET /api/org/users", a.with(a.people))
	a.mux.HandleFunc("POST /api/org/users", a.with(a.addPerson))
	a.mux.HandleFunc("DELETE /api/org/users/{oid}", a.with(a.removePerson))
	return a
}

// Check says whether the gate can be made from g, so that a command can
// refuse a bad key before it opens anything else.
func (g Gate) Check() error {
	_, err := g.compile()
	return err
}

// isAPI says whether the api answers p.
func isAPI(p string) bool {
	return strings.HasPrefix(p, "/api/") && p != "/api/search"
}

func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The path is taken as it came, like the site's: ServeMux would
	// redirect an unclean one.
	if path.Clean(r.URL.Path) != r.URL.Path || r.URL.RawPath != "" {
		writeAPI(w, http.StatusNotFound, apiError{"no such API endpoint"})
		return
	}
	// The gate verifies the signature over the body, so the body is
	// bounded before it is read. A body must say its length (browsers and
	// oauth2-proxy do), so a client cannot trickle one in.
	switch {
	case r.ContentLength > maxAPIBody, r.ContentLength < 0:
		w.Header().Set("Connection", "close")
		writeAPI(w, http.StatusRequestEntityTooLarge, apiError{fmt.Sprintf("the body must say its length and stay under %d bytes", maxAPIBody)})
		return
	case r.ContentLength > 0 && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		w.Header().Set("Connection", "close")
		writeAPI(w, http.StatusRequestEntityTooLarge, apiError{"a GET takes no body"})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxAPIBody)
	v := a.gate.admit(r)
	switch {
	case v.reason == "no portal role":
		a.refuse(w, r, v.id, http.StatusForbidden, v.reason, noRoleMessage)
		return
	case strings.HasPrefix(v.reason, "no identity"):
		a.refuse(w, r, v.id, http.StatusForbidden, v.reason, "the portal could not tell who you are; sign out and in again")
		return
	case v.unavailable:
		a.refuse(w, r, v.id, http.StatusServiceUnavailable, v.reason, "the portal cannot check your access now; try again in a moment")
		return
	case v.reason != "":
		a.gate.forbidden(w, r, v)
		return
	}
	// ServeMux answers an unknown path with 404 and a method not listed
	// with 405 and Allow.
	a.mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), identityKey{}, v.id)))
}

// identityKey carries the Identity the gate admitted to the handlers.
type identityKey struct{}

// with gives h the reader's Identity, refusing a request that has none.
func (a *api) with(h func(http.ResponseWriter, *http.Request, Identity)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := r.Context().Value(identityKey{}).(Identity)
		if !ok {
			a.refuse(w, r, Identity{Email: r.Header.Get("X-Forwarded-Email")}, http.StatusForbidden, "no identity",
				"the portal could not tell who you are; sign out and in again")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err := a.sameSite(r); err != nil {
				a.refuse(w, r, id, http.StatusForbidden, err.Error(), err.Error())
				return
			}
		}
		h(w, r, id)
	}
}

// sameSite refuses a request that changes something unless it came from
// the portal's own pages or from outside a browser:
//
//   - http.CrossOriginProtection: browsers say where a request comes from
//     (Sec-Fetch-Site, or Origin, which must then name the request's host;
//     oauth2-proxy and the terminators pass Host on). curl and scripts send
//     neither and still need the session cookie.
//   - a JSON body: a page of another site cannot send one without a CORS
//     preflight, which the proxy refuses (no skip_auth_preflight) and the
//     upstream never answers.
//
// The session cookie is SameSite=Lax and host-only (__Host-), a third
// wall. Unlike the stand-in (proxy/entra), a DNS-rebinding page gains
// nothing here: the browser sends it no session cookie.
func (a *api) sameSite(r *http.Request) error {
	if err := a.crossOrigin.Check(r); err != nil {
		return errors.New("refused a request from another site: change settings from the portal's own Settings page")
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		return errors.New("send JSON (Content-Type: application/json)")
	}
	return nil
}

func (a *api) me(w http.ResponseWriter, r *http.Request, id Identity) {
	writeAPI(w, http.StatusOK, struct {
		Identity
		Admin bool `json:"admin"`
	}{id, id.Admin()})
}

// orgSettingsView is the organisation's settings as the API shows them.
type orgSettingsView struct {
	Tenant     string    `json:"tenant"`
	Regions    []string  `json:"regions"`
	Industries []string  `json:"industries"`
	UpdatedAt  time.Time `json:"updatedAt,omitzero"`
	UpdatedBy  string    `json:"updatedBy,omitempty"`
}

func viewOf(tenant string, s store.OrgSettings) orgSettingsView {
	return orgSettingsView{Tenant: tenant, Regions: s.Regions, Industries: s.Industries, UpdatedAt: s.UpdatedAt, UpdatedBy: s.UpdatedBy.Email}
}

func (a *api) orgSettings(w http.ResponseWriter, r *http.Request, id Identity) {
	s, err := a.store.OrgSettings(r.Context(), id.Tenant)
	if err != nil {
		a.failed(w, r, id, err)
		return
	}
	writeAPI(w, http.StatusOK, viewOf(id.Tenant, s))
}

func (a *api) setOrgSettings(w http.ResponseWriter, r *http.Request, id Identity) {
	if !id.Admin() {
		a.refuse(w, r, id, http.StatusForbidden, "not a Portal Admin",
			"only a Portal Admin may change the organisation's settings")
		return
	}
	var c store.Choice
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil || dec.More() {
		a.refuse(w, r, id, http.StatusBadRequest, "bad body",
			`send {"regions": [ids], "industries": [ids]}`)
		return
	}
	if problem, err := a.catalog.check(c); err != nil {
		a.failed(w, r, id, err)
		return
	} else if problem != "" {
		a.refuse(w, r, id, http.StatusBadRequest, problem, problem)
		return
	}
	saved, err := a.store.SetOrgSettings(r.Context(), id.Tenant, c, store.Actor{ObjectID: id.ObjectID, Email: id.Email})
	if errors.Is(err, store.ErrInvalid) {
		a.refuse(w, r, id, http.StatusBadRequest, err.Error(), err.Error())
		return
	}
	if err != nil {
		a.failed(w, r, id, err)
		return
	}
	a.gate.log.LogAttrs(r.Context(), slog.LevelInfo, "api: organisation settings changed",
		slog.String("user", id.Email), slog.String("oid", id.ObjectID), slog.String("tenant", id.Tenant),
		slog.Any("regions", saved.Regions), slog.Any("industries", saved.Industries))
	writeAPI(w, http.StatusOK, viewOf(id.Tenant, saved))
}

// refuse answers a request the API will not carry out, and logs who asked
// what and why.
func (a *api) refuse(w http.ResponseWriter, r *http.Request, id Identity, status int, reason, message string) {
	a.gate.log.LogAttrs(r.Context(), slog.LevelWarn, "api: refused",
		slog.String("method", r.Method), slog.String("path", bounded(r.URL.Path)),
		slog.String("user", bounded(id.Email)), slog.String("tenant", id.Tenant),
		slog.Int("status", status), slog.String("reason", bounded(reason)))
	writeAPI(w, status, apiError{message})
}

// failed answers a request the store could not serve.
func (a *api) failed(w http.ResponseWriter, r *http.Request, id Identity, err error) {
	level := slog.LevelError
	if errors.Is(err, context.Canceled) {
		level = slog.LevelInfo
	}
	a.gate.log.LogAttrs(r.Context(), level, "api: failed",
		slog.String("method", r.Method), slog.String("path", bounded(r.URL.Path)),
		slog.String("user", id.Email), slog.String("tenant", id.Tenant), slog.String("error", err.Error()))
	writeAPI(w, http.StatusServiceUnavailable, apiError{"the portal cannot answer this now; try again in a moment"})
}

type apiError struct {
	Error string `json:"error"`
}

// writeAPI sends v as JSON that no cache keeps: every answer is about one
// reader.
func writeAPI(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// catalogTerms are the region and industry ids of the built catalog, read
// again when a build replaces catalog.json.
type catalogTerms struct {
	file       string
	mu         sync.Mutex
	stamp      time.Time
	size       int64
	regions    map[string]bool
	industries map[string]bool
}

// check says what is wrong with c ("" when nothing), or fails when the
// catalog cannot be read.
func (t *catalogTerms) check(c store.Choice) (string, error) {
	regions, industries, err := t.load()
	if err != nil {
		return "", err
	}
	for _, id := range c.Regions {
		if !regions[id] {
			return fmt.Sprintf("unknown region %q: the catalog has no such region", bounded(id)), nil
		}
	}
	for _, id := range c.Industries {
		if !industries[id] {
			return fmt.Sprintf("unknown industry %q: the catalog has no such industry", bounded(id)), nil
		}
	}
	return "", nil
}

func (t *catalogTerms) load() (map[string]bool, map[string]bool, error) {
	info, err := os.Stat(t.file)
	if err != nil {
		return nil, nil, fmt.Errorf("the site has no catalog.json: %w", err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.regions != nil && info.ModTime().Equal(t.stamp) && info.Size() == t.size {
		return t.regions, t.industries, nil
	}
	f, err := os.Open(t.file)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var cat struct {
		Regions, Industries []struct {
			ID string `json:"id"`
		}
	}
	if err := json.NewDecoder(f).Decode(&cat); err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", t.file, err)
	}
	t.regions, t.industries = map[string]bool{}, map[string]bool{}
	for _, r := range cat.Regions {
		t.regions[r.ID] = true
	}
	for _, i := range cat.Industries {
		t.industries[i.ID] = true
	}
	t.stamp, t.size = info.ModTime(), info.Size()
	return t.regions, t.industries, nil
}
