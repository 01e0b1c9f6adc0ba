package serve

import (
	"crypto"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/oauth2-proxy/oauth2-proxy/v7/pkg/authentication/hmacauth"
)

// DefaultRoles are the app roles that may read the gated pages, as
// proxy/oauth2-proxy.cfg's allowed_groups lists them.
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
//   - a role in X-Forwarded-Groups, which the proxy sets from the session's
//     roles claim and strips from the client's request. On a skip-auth
//     route the proxy does not run its authorisation check, so a session
//     whose role was removed would otherwise still pass.
type Gate struct {
	// SignatureKey is oauth2-proxy's signature_key, "sha256:SECRET"
	// (OAUTH2_PROXY_SIGNATURE_KEY). SHA-224, -256, -384 and -512 are
	// accepted, and a secret of at least 32 characters.
	SignatureKey string
	// Roles may read the gated pages; nil means DefaultRoles.
	Roles []string
	// Log receives one line per refused request; nil means slog.Default().
	Log *slog.Logger
}

// gate is a Gate checked and ready.
type gate struct {
	auth      hmacauth.HmacAuth
	algorithm string // the signature's prefix, e.g. "sha256 "
	roles     []string
	log       *slog.Logger
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
	return &gate{
		auth:      hmacauth.NewHmacAuth(hash, []byte(secret), "GAP-Signature", signatureHeaders),
		algorithm: name + " ",
		roles:     slices.Clone(roles),
		log:       log,
	}, nil
}

// refusal says why a request may not read a gated page, or is "" when it
// may. The request must have no body: verifying the signature reads it.
func (g *gate) refusal(r *http.Request) string {
	sig := r.Header.Get("GAP-Signature")
	if sig == "" {
		return "no signature"
	}
	// hmacauth accepts whichever algorithm the header names; only the
	// configured one is taken, so that no weaker one can be chosen.
	if !strings.HasPrefix(sig, g.algorithm) {
		return "bad signature"
	}
	if res, _, _ := g.auth.AuthenticateRequest(r); res != hmacauth.ResultMatch {
		return "bad signature"
	}
	if r.Header.Get("GAP-Auth") == "" {
		return "no session"
	}
	for _, v := range r.Header.Values("X-Forwarded-Groups") {
		// oauth2-proxy joins the session's groups with commas.
		for role := range strings.SplitSeq(v, ",") {
			if slices.Contains(g.roles, strings.TrimSpace(role)) {
				return ""
			}
		}
	}
	return "no portal role"
}

// forbidden answers a refused request and logs it.
func (g *gate) forbidden(w http.ResponseWriter, r *http.Request, reason string) {
	g.log.LogAttrs(r.Context(), slog.LevelWarn, "gate: refused",
		slog.String("method", bounded(r.Method)),
		slog.String("path", bounded(r.URL.EscapedPath())),
		slog.String("remote", r.RemoteAddr),
		slog.String("user", bounded(r.Header.Get("GAP-Auth"))),
		slog.String("reason", reason))
	hdr := w.Header()
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Content-Type", "text/plain; charset=utf-8")
	hdr.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusForbidden)
	if r.Method != http.MethodHead {
		w.Write([]byte("Forbidden: sign in through the portal to read this page.\n"))
	}
}

// bounded shortens a value a client chose before it is logged; the JSON
// handler escapes it (and replaces invalid UTF-8, such as a rune cut here).
func bounded(s string) string {
	const max = 200
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
