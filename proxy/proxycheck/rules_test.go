package proxycheck_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stp-portal/stp/generator/diag"
	"github.com/stp-portal/stp/proxy/proxycheck"
)

// gate is a production configuration that passes every rule. A test case
// puts its snippet first, so that the snippet's lines are lines 1, 2, … of
// the file, and leaves out the lines of gate it replaces or drops.
const gate = `provider = "entra-id"
oidc_issuer_url = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0"
client_id = "00000000-0000-0000-0000-000000000000"
code_challenge_method = "S256"
insecure_oidc_skip_nonce = false
scope = "openid email profile offline_access"
oidc_groups_claim = "roles"
email_domains = ["*"]
skip_auth_routes = ["GET=^/public/", "HEAD=^/public/"]
upstreams = ["http://127.0.0.1:8080/"]
pass_basic_auth = false
pass_user_headers = true
# signature_key comes from OAUTH2_PROXY_SIGNATURE_KEY.
reverse_proxy = true
trusted_proxy_ips = ["192.0.2.10"]
redirect_url = "https://trust.contoso.example/oauth2/callback"
whitelist_domains = ["trust.contoso.example"]
cookie_name = "__Host-stp"
cookie_secure = true
cookie_samesite = "lax"
cookie_expire = "12h"
cookie_refresh = "5m"
cookie_csrf_per_request = true
cookie_csrf_per_request_limit = 5
session_store_type = "redis"
redis_connection_url = "rediss://redis.internal:6380/0"
`

// gateWith returns snippet followed by gate without the settings snippet
// sets and without the lines starting with one of drop.
func gateWith(snippet string, drop ...string) string {
	for _, line := range strings.Split(snippet, "\n") {
		if key, _, ok := strings.Cut(strings.TrimSpace(line), " ="); ok {
			drop = append(drop, key+" =")
		}
	}
	var b strings.Builder
	b.WriteString(snippet + "\n")
	for _, line := range strings.SplitAfter(gate, "\n") {
		if !hasAnyPrefix(line, drop) {
			b.WriteString(line)
		}
	}
	return b.String()
}

func hasAnyPrefix(line string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

func TestGatePasses(t *testing.T) {
	if problems := proxycheck.Check(write(t, gate)); len(problems) > 0 {
		t.Errorf("the test's good configuration:\n%s", join(problems))
	}
}

// TestRules runs each of STP's rules on a snippet that breaks it (the
// problem must be reported at the position given, 0:0 for a missing
// setting) and on the snippet that fixes it (no such problem).
func TestRules(t *testing.T) {
	for _, tc := range []struct {
		name    string
		bad     string
		drop    []string // lines of gate the bad snippet also removes
		at      string   // line:col
		message string
		warning bool
		fixed   string
	}{
		{
			name: "reverse proxy trusting everyone", bad: "reverse_proxy = true", drop: []string{"trusted_proxy_ips"},
			at: "1:1", message: "reverse_proxy = true without trusted_proxy_ips trusts X-Forwarded-* from every client",
			fixed: "reverse_proxy = true\ntrusted_proxy_ips = [\"192.0.2.10\"]",
		},
		{
			name: "trusted proxies 0.0.0.0/0", bad: "reverse_proxy = true\n  trusted_proxy_ips = [\"192.0.2.10\", \"0.0.0.0/0\"]",
			at: "2:3", message: `trusted_proxy_ips entry "0.0.0.0/0" is wider than a /24`,
			fixed: "reverse_proxy = true\n  trusted_proxy_ips = [\"192.0.2.10\", \"192.0.2.0/24\"]",
		},
		{
			name: "trusted proxies ::/0", bad: "trusted_proxy_ips = [\"::/0\"]",
			at: "1:1", message: `trusted_proxy_ips entry "::/0" is wider than a /64`,
			fixed: "trusted_proxy_ips = [\"2001:db8::/64\"]",
		},
		{
			name: "trusted proxies a whole network", bad: "trusted_proxy_ips = [\"10.0.0.0/16\"]",
			at: "1:1", message: `trusted_proxy_ips entry "10.0.0.0/16" is wider than a /24`,
			fixed: "trusted_proxy_ips = [\"10.0.0.7\"]",
		},
		{
			name: "trusted proxies every IPv4-mapped address", bad: "trusted_proxy_ips = [\"::ffff:0:0/96\"]",
			at: "1:1", message: `trusted_proxy_ips entry "::ffff:0:0/96" is wider than a /24`,
			fixed: "trusted_proxy_ips = [\"::ffff:192.0.2.10\"]",
		},
		{
			name: "skip rule for another method", bad: `skip_auth_routes = ["GET=^/public/", "HEAD=^/public/", "POST=^/public/"]`,
			at: "1:1", message: `skip rule "POST=^/public/" is more than the public prefix`,
			fixed: `skip_auth_routes = ["GET=^/public/", "HEAD=^/public/"]`,
		},
		{
			name: "skip rule for every method", bad: `skip_auth_routes = ["^/public/"]`,
			at: "1:1", message: `skip rule "^/public/" is more than the public prefix`,
			fixed: `skip_auth_routes = ["GET=^/public/", "HEAD=^/public/"]`,
		},
		{
			name: "skip rule for a gated path", bad: `skip_auth_routes = ["GET=^/public/", "GET=^/documents/"]`,
			at: "1:1", message: `skip rule "GET=^/documents/" lets the gated path /documents/x/report.pdf through`,
			fixed: `skip_auth_routes = ["GET=^/public/", "HEAD=^/public/"]`,
		},
		{
			name: "skip_auth_regex", bad: `skip_auth_regex = ["^/public/"]`,
			at: "1:1", message: `skip_auth_regex entry "^/public/" lets every method through`,
			fixed: `api_routes = ["^/api/"]`,
		},
		{
			name: "preflight", bad: "skip_auth_preflight = true",
			at: "1:1", message: "skip_auth_preflight = true lets every OPTIONS request through",
			fixed: "skip_auth_preflight = false",
		},
		{
			name: "trusted_ips", bad: `trusted_ips = ["192.0.2.0/24"]`,
			at: "1:1", message: "trusted_ips lets every request from those addresses in without signing in",
			fixed: `trusted_ips = []`,
		},
		{
			name: "bearer tokens", bad: "skip_jwt_bearer_tokens = true",
			at: "1:1", message: "skip_jwt_bearer_tokens = true admits requests with a bearer token", warning: true,
			fixed: "skip_jwt_bearer_tokens = false",
		},
		{
			// Validation would fetch this issuer's discovery document:
			// the check must stay offline.
			name: "extra issuers", bad: "skip_jwt_bearer_tokens = true\nextra_jwt_issuers = [\"https://issuer.invalid/=api://portal\"]",
			at: "2:1", message: "extra_jwt_issuers admits bearer tokens from other issuers",
			fixed: "extra_jwt_issuers = []",
		},
		{
			name: "htpasswd", bad: `htpasswd_file = "/etc/stp/htpasswd"`,
			at: "1:1", message: "htpasswd_file adds a password sign-in that skips Entra ID",
			fixed: `htpasswd_file = ""`,
		},
		{
			name: "client identity headers kept", bad: "skip_auth_strip_headers = false",
			at: "1:1", message: "skip_auth_strip_headers = false passes the X-Forwarded-User",
			fixed: "skip_auth_strip_headers = true",
		},
		{
			name: "no identity for the upstream", bad: "pass_user_headers = false",
			at: "1:1", message: "pass_user_headers = false: the upstream gets no X-Forwarded-Groups",
			fixed: "pass_user_headers = true",
		},
		{
			name: "signature key in the file", bad: `signature_key = "sha256:0123456789abcdef0123456789abcdef"`,
			at: "1:1", message: "signature_key is written in the file; give it as OAUTH2_PROXY_SIGNATURE_KEY",
			fixed: "## The signature key comes from OAUTH2_PROXY_SIGNATURE_KEY.",
		},
		{
			name: "no signature key", bad: "## No signature.", drop: []string{"# signature_key"},
			at: "0:0", message: "no signature_key: stp serve refuses requests without a valid GAP-Signature",
			fixed: "## signature_key: from OAUTH2_PROXY_SIGNATURE_KEY in the environment.",
		},
		{
			name: "cookie over HTTP", bad: "cookie_secure = false",
			at: "1:1", message: "cookie_secure must be true in production",
			fixed: "cookie_secure = true",
		},
		{
			name: "cookie without __Host-", bad: `cookie_name = "_stp"`,
			at: "1:1", message: `cookie_name "_stp" lacks the __Host- prefix`, warning: true,
			fixed: `cookie_name = "__Host-stp"`,
		},
		{
			name: "__Host- cookie with a domain", bad: "cookie_name = \"__Host-stp\"\ncookie_domains = [\"trust.contoso.example\"]",
			at: "1:1", message: "a __Host- cookie must have no cookie_domains",
			fixed: `cookie_name = "__Host-stp"`,
		},
		{
			name: "cookie readable by scripts", bad: "cookie_httponly = false",
			at: "1:1", message: "cookie_httponly = false lets the page's scripts read the session cookie",
			fixed: "cookie_httponly = true",
		},
		{
			name: "cross-site cookie", bad: `cookie_samesite = "none"`,
			at: "1:1", message: `cookie_samesite = "none" sends the session cookie with other sites' requests`,
			fixed: `cookie_samesite = "lax"`,
		},
		{
			name: "CSRF cookies without a limit", bad: "cookie_csrf_per_request = true", drop: []string{"cookie_csrf_per_request_limit"},
			at: "1:1", message: "cookie_csrf_per_request = true without cookie_csrf_per_request_limit",
			fixed: "cookie_csrf_per_request = true\ncookie_csrf_per_request_limit = 5",
		},
		{
			name: "CSRF cookie limit too high", bad: "cookie_csrf_per_request_limit = 50",
			at: "1:1", message: "cookie_csrf_per_request_limit is 50", warning: true,
			fixed: "cookie_csrf_per_request_limit = 3",
		},
		{
			name: "long-lived CSRF cookies", bad: `cookie_csrf_expire = "24h"`,
			at: "1:1", message: "cookie_csrf_expire is 24h0m0s", warning: true,
			fixed: `cookie_csrf_expire = "15m"`,
		},
		{
			name: "no refresh", bad: `cookie_refresh = "0s"`,
			at: "1:1", message: "cookie_refresh is not set",
			fixed: `cookie_refresh = "5m"`,
		},
		{
			name: "slow refresh", bad: `cookie_refresh = "2h"`,
			at: "1:1", message: "cookie_refresh is 2h0m0s: a revoked reader keeps access that long",
			fixed: `cookie_refresh = "5m"`,
		},
		{
			name: "long sessions", bad: "cookie_expire = \"168h\"",
			at: "1:1", message: "cookie_expire is 168h0m0s", warning: true,
			fixed: "cookie_expire = \"12h\"",
		},
		{
			name: "cookie sessions", bad: `session_store_type = "cookie"`, drop: []string{"redis_connection_url"},
			at: "1:1", message: `session_store_type = "cookie": signing out does not end a copied session cookie`, warning: true,
			fixed: "session_store_type = \"redis\"\nredis_connection_url = \"rediss://redis.internal:6380/0\"",
		},
		{
			name: "Redis without TLS", bad: `redis_connection_url = "redis://redis.internal:6379/0"`,
			at: "1:1", message: `redis_connection_url "redis://redis.internal:6379/0" is plain redis:// to another host`,
			fixed: `redis_connection_url = "redis://127.0.0.1:6379/0"`,
		},
		{
			name: "Redis password in the URL", bad: `redis_connection_url = "rediss://:hunter2@redis.internal:6380/0"`,
			at: "1:1", message: "redis_connection_url carries a password; give it as OAUTH2_PROXY_REDIS_PASSWORD",
			fixed: `redis_connection_url = "rediss://redis.internal:6380/0"`,
		},
		{
			name: "Redis password in the file", bad: `redis_password = "hunter2"`,
			at: "1:1", message: "redis_password is written in the file; give it as OAUTH2_PROXY_REDIS_PASSWORD",
			fixed: "## The Redis password comes from OAUTH2_PROXY_REDIS_PASSWORD.",
		},
		{
			name: "Redis certificate not checked", bad: "redis_insecure_skip_tls_verify = true",
			at: "1:1", message: "redis_insecure_skip_tls_verify = true accepts any certificate",
			fixed: "redis_insecure_skip_tls_verify = false",
		},
		{
			name: "redirects to every subdomain", bad: `whitelist_domains = [".contoso.example"]`,
			at: "1:1", message: `whitelist_domains entry ".contoso.example" allows redirects to every subdomain`,
			fixed: `whitelist_domains = ["trust.contoso.example"]`,
		},
		{
			name: "redirects to another host", bad: `whitelist_domains = ["trust.contoso.example", "fabrikam.example"]`,
			at: "1:1", message: `whitelist_domains entry "fabrikam.example" is not the portal's host`, warning: true,
			fixed: `whitelist_domains = ["trust.contoso.example"]`,
		},
		{
			name: "Entra certificates not checked", bad: "ssl_insecure_skip_verify = true",
			at: "1:1", message: "ssl_insecure_skip_verify = true accepts any certificate for Entra ID's endpoints",
			fixed: "ssl_insecure_skip_verify = false",
		},
		{
			name: "upstream certificate not checked", bad: "ssl_upstream_insecure_skip_verify = true",
			at: "1:1", message: "ssl_upstream_insecure_skip_verify = true accepts any certificate from the upstream",
			fixed: "ssl_upstream_insecure_skip_verify = false",
		},
		{
			name: "debug pages", bad: "show_debug_on_error = true",
			at: "1:1", message: "show_debug_on_error = true shows readers the proxy's internal error messages",
			fixed: "show_debug_on_error = false",
		},
		{
			name: "every tenant", bad: "oidc_issuer_url = \"https://login.microsoftonline.com/organizations/v2.0\"\ninsecure_oidc_skip_issuer_verification = true",
			at: "2:1", message: "insecure_oidc_skip_issuer_verification = true without entra_id_allowed_tenants",
			fixed: "oidc_issuer_url = \"https://login.microsoftonline.com/organizations/v2.0\"\ninsecure_oidc_skip_issuer_verification = true\nentra_id_allowed_tenants = [\"00000000-0000-0000-0000-000000000000\"]",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := proxycheck.Check(write(t, gateWith(tc.bad, tc.drop...)))
			p, ok := find(bad, tc.message)
			switch {
			case !ok:
				t.Errorf("no problem %q in:\n%s", tc.message, join(bad))
			case fmt.Sprintf("%d:%d", p.Pos.Line, p.Pos.Col) != tc.at || p.Warning != tc.warning:
				t.Errorf("got %s (warning %t), want it at %s (warning %t)", p, p.Warning, tc.at, tc.warning)
			}
			fixed := proxycheck.Check(write(t, gateWith(tc.fixed, tc.drop...)))
			if len(fixed) > 0 {
				t.Errorf("the fixed snippet still has problems:\n%s", join(fixed))
			}
		})
	}
}

func find(ps diag.Problems, message string) (*diag.Problem, bool) {
	for _, p := range ps {
		if strings.Contains(p.Message, message) {
			return p, true
		}
	}
	return nil, false
}

// Validation would fetch the extra issuers' discovery documents; Check
// refuses them without contacting anyone.
func TestExtraIssuersAreNotContacted(t *testing.T) {
	var requests atomic.Int32
	issuer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.NotFound(w, r)
	}))
	defer issuer.Close()
	cfg := write(t, gateWith(fmt.Sprintf("skip_jwt_bearer_tokens = true\nextra_jwt_issuers = [\"%s=api://portal\"]", issuer.URL)))
	proxycheck.Check(cfg)
	if n := requests.Load(); n > 0 {
		t.Errorf("Check sent the extra issuer %d requests", n)
	}
}
