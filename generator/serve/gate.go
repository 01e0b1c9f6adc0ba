package serve

import (
	"crypto"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/oauth2-proxy/oauth2-proxy/v7/pkg/authentication/hmacauth"

	"github.com/stp-portal/stp/generator/store"
)

// DefaultRoles are the portal roles that may read the gated pages.
var DefaultRoles = []string{"Portal.Admin", "Portal.User"}

// signatureHeaders are the headers oauth2-proxy signs, in its order
// (upstream.SignatureHeaders in pkg/upstream/http.go of v7.15.6). The list is
// copied rather than imported because that package pulls in most of
// oauth2-proxy; a test compares the two.
var signatureHeaders = []string{
	"Content-Length",
	"Content-Md5",
	"Content-Type",
	"Date",
	"Authorization",
	"X-Forwarded-User",
	"X-Forwarded-Email",
	"X-Forwarded-Preferred-User",
	"X-Forwarded-Access-Token",
	"Cookie",
	"Gap-Auth",
}

// minSecretLen is the shortest signature secret accepted: 32 characters,
// what `openssl rand -base64 24` prints.
const minSecretLen = 32

// Gate says who may read outside the public prefix: only a request that
// came through oauth2-proxy with a session holding a portal role.
//
// oauth2-proxy's skip_auth_routes are matched against X-Forwarded-Uri when
// reverse_proxy is on, while the real path is forwarded, so a request the
// proxy let through as public may ask for a gated file. The upstream
// therefore checks for itself, from what only the proxy can produce:
//
//   - GAP-Signature, the HMAC oauth2-proxy computes with signature_key over
//     the method, the path and query, and the signed headers (Cookie,
//     GAP-Auth, X-Forwarded-User and others);
//   - GAP-Auth, which the proxy overwrites before signing and fills only
//     from a loaded session;
//   - a portal role: from the reader's directory (the session's ID token,
//     in the signed Authorization header, confirmed by X-Forwarded-Groups;
//     see identify), or granted by their organisation's Portal Admins and
//     kept in the store. The proxy admits every signed-in user of an
//     admitted tenant (it has no allowed_groups, since it cannot see the
//     store's roles), so this is the one role check; it runs on every
//     request, skip-auth routes included.
type Gate struct {
	// SignatureKey is oauth2-proxy's signature_key, "sha256:SECRET"
	// (OAUTH2_PROXY_SIGNATURE_KEY). SHA-224, -256, -384 and -512 are
	// accepted, and a secret of at least 32 characters.
	SignatureKey string
	// Roles may read the gated pages; nil means DefaultRoles.
	Roles []string
	// Log receives one line per refused request; nil means slog.Default().
	Log *slog.Logger
	// RoleRecheck is how long the gate trusts what the store said about
	// a reader's role before asking again: the longest a role removed on
	// the Settings page keeps working on another replica. 0 means
	// DefaultRoleRecheck.
	RoleRecheck time.Duration
}

// DefaultRoleRecheck bounds how long a removed portal role still admits a
// reader (on a replica other than the one that removed it).
const DefaultRoleRecheck = 5 * time.Second

// gate is a Gate checked and ready.
type gate struct {
	auth      hmacauth.HmacAuth
	algorithm string // the signature's prefix, e.g. "sha256 "
	roles     []string
	log       *slog.Logger
	// store, when set, grants portal roles besides the directory's.
	store     store.Store
	roleCache *roleCache
	// permission is the page a reader without a role gets; nil means a
	// line of text.
	permission *permissionPage
}

func (g Gate) compile() (*gate, error) {
	name, secret, ok := strings.Cut(g.SignatureKey, ":")
	if !ok || strings.Contains(secret, ":") {
		return nil, errors.New(`the signature key must be written ALGORITHM:SECRET, e.g. "sha256:` +
			`$(openssl rand -base64 32)", the same value as oauth2-proxy's signature_key`)
	}
	var hash crypto.Hash
	switch name {
	case "sha224":
		hash = crypto.SHA224
	case "sha256":
		hash = crypto.SHA256
	case "sha384":
		hash = crypto.SHA384
	case "sha512":
		hash = crypto.SHA512
	default:
		// oauth2-proxy also takes md4, md5, sha1 and ripemd160; they are
		// refused here because nothing forces their use.
		return nil, fmt.Errorf("signature key algorithm %q is not accepted; use sha256", name)
	}
	if len(secret) < minSecretLen {
		return nil, fmt.Errorf("the signature key's secret has %d characters; it needs at least %d (openssl rand -base64 32)",
			len(secret), minSecretLen)
	}
	roles := g.Roles
	if roles == nil {
		roles = DefaultRoles
	}
	if len(roles) == 0 {
		return nil, errors.New("the gate lets no role in: list at least one")
	}
	log := g.Log
	if log == nil {
		log = slog.Default()
	}
	recheck := g.RoleRecheck
	if recheck <= 0 {
		recheck = DefaultRoleRecheck
	}
	return &gate{
		auth:      hmacauth.NewHmacAuth(hash, []byte(secret), "GAP-Signature", signatureHeaders),
		algorithm: name + " ",
		roles:     slices.Clone(roles),
		log:       log,
		roleCache: newRoleCache(recheck),
	}, nil
}

// verdict is what the gate decided about a request: who it came from
// (when it got that far) and, when refused, why.
type verdict struct {
	id     Identity
	reason string // "" when admitted
	// unavailable is set when the store could not be asked and nothing
	// else admitted the reader: 503, not 403.
	unavailable bool
}

// admit checks a request for a gated page or the API. The request must
// have no body: verifying the signature reads it.
//
// The reader's roles are those of their directory (the ID token's roles,
// confirmed by X-Forwarded-Groups; see identify) and the one the portal's
// store grants them in their tenant, the higher winning; the store is
// asked at most every RoleRecheck per reader (see roleCache).
func (g *gate) admit(r *http.Request) verdict {
	sig := r.Header.Get("GAP-Signature")
	if sig == "" {
		return verdict{reason: "no signature"}
	}
	// hmacauth accepts whichever algorithm the header names; only the
	// configured one is taken, so that no weaker one can be chosen.
	if !strings.HasPrefix(sig, g.algorithm) {
		return verdict{reason: "bad signature"}
	}
	if res, _, _ := g.auth.AuthenticateRequest(r); res != hmacauth.ResultMatch {
		return verdict{reason: "bad signature"}
	}
	if r.Header.Get("GAP-Auth") == "" {
		return verdict{reason: "no session"}
	}
	id, err := identify(r)
	if err != nil {
		return verdict{id: Identity{Email: r.Header.Get("X-Forwarded-Email")}, reason: "no identity: " + err.Error()}
	}
	if g.store != nil {
		granted, err := g.roleCache.role(r.Context(), g.store, id)
		if err != nil {
			g.log.LogAttrs(r.Context(), slog.LevelError, "gate: the store could not say the reader's role",
				slog.String("user", bounded(id.Email)), slog.String("tenant", id.Tenant), slog.String("error", err.Error()))
			if !g.reads(id) {
				return verdict{id: id, reason: "store unavailable", unavailable: true}
			}
		}
		id = id.with(granted)
	}
	if !g.reads(id) {
		return verdict{id: id, reason: "no portal role"}
	}
	return verdict{id: id}
}

// reads says whether id holds a role that may read the gated pages.
func (g *gate) reads(id Identity) bool {
	return slices.ContainsFunc(id.Roles, func(role string) bool { return slices.Contains(g.roles, role) })
}

// forbidden answers a refused request and logs it. A signed-in reader
// without a role gets the portal's permission page.
func (g *gate) forbidden(w http.ResponseWriter, r *http.Request, v verdict) {
	g.log.LogAttrs(r.Context(), slog.LevelWarn, "gate: refused",
		slog.String("method", bounded(r.Method)),
		slog.String("path", bounded(r.URL.EscapedPath())),
		slog.String("remote", r.RemoteAddr),
		slog.String("user", bounded(r.Header.Get("GAP-Auth"))),
		slog.String("reason", bounded(v.reason)))
	hdr := w.Header()
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Content-Type-Options", "nosniff")
	status := http.StatusForbidden
	if v.unavailable {
		status = http.StatusServiceUnavailable
	}
	if v.reason == "no portal role" && g.permission != nil && g.permission.write(w, r) {
		return
	}
	hdr.Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	switch {
	case v.unavailable:
		w.Write([]byte("The portal cannot check your access now; try again in a moment.\n"))
	case v.reason == "no portal role":
		w.Write([]byte(noRoleMessage + "\n"))
	default:
		w.Write([]byte("Forbidden: sign in through the portal to read this page.\n"))
	}
}

// noRoleMessage is what a signed-in reader without a portal role is told.
const noRoleMessage = "You do not have permission to open this portal yet: ask a Portal Admin of your organisation " +
	"to add you on the portal's Settings page (or to assign you the Portal User role in Microsoft Entra ID)."

// bounded shortens a value a client chose before it is logged; the JSON
// handler escapes it (and replaces invalid UTF-8, such as a rune cut here).
func bounded(s string) string {
	const max = 200
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
