package proxycheck

import (
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/oauth2-proxy/oauth2-proxy/v7/pkg/apis/options"
)

// The widest range trusted_proxy_ips may name: a TLS terminator is a few
// machines, and every address in the range can set X-Forwarded-Uri.
const (
	widestTrustedIPv4 = 24
	widestTrustedIPv6 = 64
)

// Limits on the CSRF cookies. An unfinished sign-in leaves one cookie of
// about 0.4 KB (60 anonymous navigations made a 22.7 KB Cookie header,
// where most front ends stop at about 8 KB).
const (
	csrfCookieLimit  = 5
	longestCSRFLife  = time.Hour
	longestSession   = 24 * time.Hour
	longestRefresh   = time.Hour
	stpCookieRefresh = "5m"
)

// The only skip-auth rules STP ships: the site is static, and only
// /public/ is public.
var publicRoutes = []string{"GET=^/public/", "HEAD=^/public/"}

// stpRules are STP's rules on top of oauth2-proxy's, from the identity
// provider to the session store.
func (c *checker) stpRules(l *options.LegacyOptions) {
	// The demo runs against the loopback stand-in, whose client secret is
	// public, and the browser talks plain HTTP to a loopback redirect_url,
	// where a Secure cookie cannot be set.
	standIn := isLoopbackHTTP(l.LegacyProvider.OIDCIssuerURL)
	plainHTTP := isLoopbackHTTP(l.Options.RawRedirectURL)

	c.identityRules(&l.LegacyProvider)
	c.bypassRules(&l.Options, &l.LegacyHeaders)
	c.forwardingRules(&l.Options)
	c.upstreamRules(l)
	c.tlsRules(l)
	c.cookieRules(&l.Options.Cookie, plainHTTP)
	c.sessionRules(&l.Options.Session, plainHTTP)
	c.redirectRules(&l.Options, standIn)
	if !standIn {
		c.secretsNotInFile()
	}
}

// identityRules keep the door to the tenant's readers with a role.
func (c *checker) identityRules(p *options.LegacyProvider) {
	if p.ProviderType != "entra-id" {
		c.add("provider", `provider is %q; STP's gate is built for provider = "entra-id"`, p.ProviderType)
	}
	if len(p.AllowedRoles) > 0 {
		c.add("allowed_roles", `allowed_roles is for Keycloak only and is ignored for Entra ID; use oidc_groups_claim = "roles"; the upstream checks the roles`)
	}
	if p.OIDCGroupsClaim != "roles" {
		c.add("oidc_groups_claim", `oidc_groups_claim must be "roles", so that X-Forwarded-Groups carries the reader's app roles, which the upstream checks against the ID token (it is %q)`, p.OIDCGroupsClaim)
	}
	// allowed_groups is neither required nor refused: the upstream's gate
	// checks the role on every request (from the token, or granted on the
	// Settings page and kept in its store, which the proxy cannot see).
	// A configuration that lists groups keeps out only the people the
	// Settings page adds.
	if p.InsecureOIDCSkipIssuerVerification && len(p.EntraIDAllowedTenants) == 0 {
		c.add("insecure_oidc_skip_issuer_verification", "insecure_oidc_skip_issuer_verification = true without entra_id_allowed_tenants admits every tenant whose administrators assign themselves a portal role; list the admitted tenants in entra_id_allowed_tenants")
	}
	if !slices.Contains(strings.Fields(p.Scope), "offline_access") {
		c.add("scope", "scope %q lacks offline_access: without a refresh token, a reader whose role is removed keeps access until the cookie expires", p.Scope)
	}
	if p.CodeChallengeMethod != "S256" {
		c.add("code_challenge_method", `code_challenge_method should be "S256" (PKCE)`)
	}
	if p.InsecureOIDCSkipNonce {
		c.add("insecure_oidc_skip_nonce", "insecure_oidc_skip_nonce should be false, so that the ID token's nonce is checked")
	}
}

// bypassRules refuse every way into a gated page other than signing in
// with a role: STP lets through GET and HEAD under /public/ and nothing
// else.
func (c *checker) bypassRules(o *options.Options, h *options.LegacyHeaders) {
	c.checkPublicRoutes(o.SkipAuthRoutes, o.SkipAuthRegex)
	if o.SkipAuthPreflight {
		c.add("skip_auth_preflight", "skip_auth_preflight = true lets every OPTIONS request through to the upstream without signing in; the portal needs no CORS preflight: remove it")
	}
	if len(o.TrustedIPs) > 0 {
		c.add("trusted_ips", "trusted_ips lets every request from those addresses in without signing in (behind reverse_proxy the address even comes from a header); STP admits readers by role only: remove it")
	}
	if o.SkipJwtBearerTokens {
		c.warn("skip_jwt_bearer_tokens", "skip_jwt_bearer_tokens = true admits requests with a bearer token instead of the session cookie; the roles are still checked but the token is never refreshed, so a revoked reader keeps access until it expires; the portal has no API clients: remove it")
	}
	if len(o.ExtraJwtIssuers) > 0 {
		c.add("extra_jwt_issuers", "extra_jwt_issuers admits bearer tokens from other issuers or audiences, whose roles claim STP does not control: remove it")
	}
	if o.HtpasswdFile != "" {
		c.add("htpasswd_file", "htpasswd_file adds a password sign-in that skips Entra ID and the portal's roles: remove it")
	}
	if !h.SkipAuthStripHeaders {
		c.add("skip_auth_strip_headers", "skip_auth_strip_headers = false passes the X-Forwarded-User, -Email, -Groups and -Preferred-Username a client sends on to the upstream, which would take them for the reader's identity; remove it (true is the default)")
	}
}

// checkPublicRoutes requires a rule that lets /public/ through and refuses
// any rule that lets a gated path through or is more than STP's two.
func (c *checker) checkPublicRoutes(routes, regexes []string) {
	key := "skip_auth_routes"
	if len(routes) == 0 && len(regexes) > 0 {
		key = "skip_auth_regex"
	}
	gated := []string{"/", "/index.html", "/documents/x/report.pdf", "/compliance-reports/", "/feed.xml", "/catalog.json", "/settings/", "/publicity/"}
	public := false
	check := func(key, r string, allMethods bool) {
		method, re := "", r
		if i := strings.Index(r, "="); i >= 0 && i < 8 && !allMethods {
			method, re = strings.TrimSuffix(r[:i], "!"), r[i+1:]
		}
		rx, err := regexp.Compile(re)
		if err != nil {
			c.add(key, "skip rule %q: %v", r, err)
			return
		}
		for _, g := range gated {
			if rx.MatchString(g) {
				c.add(key, "skip rule %q lets the gated path %s through without signing in; anchor it: \"GET=^/public/\"", r, g)
				return
			}
		}
		if rx.MatchString("/public/index.html") && (method == "" || method == "GET") {
			public = true
		}
		switch {
		case allMethods:
			c.add(key, `skip_auth_regex entry %q lets every method through (POST, OPTIONS, …); use skip_auth_routes = ["GET=^/public/", "HEAD=^/public/"] instead`, r)
		case !slices.Contains(publicRoutes, r):
			c.add(key, `skip rule %q is more than the public prefix: STP lets through exactly "GET=^/public/" and "HEAD=^/public/"`, r)
		}
	}
	for _, r := range routes {
		check("skip_auth_routes", r, false)
	}
	for _, r := range regexes {
		check("skip_auth_regex", r, true)
	}
	if !public {
		c.add(key, `no rule lets the public prefix through: add skip_auth_routes = ["GET=^/public/", "HEAD=^/public/"]`)
	}
}

// forwardingRules are about reverse_proxy: oauth2-proxy then takes the
// request's path for skip_auth_routes from X-Forwarded-Uri but forwards
// the real path (oauth2-proxy issue #3506), so whoever may set that header
// can read every gated file.
func (c *checker) forwardingRules(o *options.Options) {
	if !o.ReverseProxy {
		return
	}
	const terminator = "list only the TLS terminator's addresses, and make the terminator overwrite X-Forwarded-Uri, -Host, -Proto and -For on every request (proxy/deploy/ has nginx and Caddy examples)"
	if len(o.TrustedProxyIPs) == 0 {
		c.add("reverse_proxy", "reverse_proxy = true without trusted_proxy_ips trusts X-Forwarded-* from every client: anyone can send X-Forwarded-Uri: /public/x and read any gated file (oauth2-proxy issue #3506); set trusted_proxy_ips: %s", terminator)
		return
	}
	for _, e := range o.TrustedProxyIPs {
		if ones, widest, ok := prefixLength(e); ok && ones < widest {
			c.add("trusted_proxy_ips", "trusted_proxy_ips entry %q is wider than a /%d: every address in it can send X-Forwarded-Uri: /public/x and read any gated file (oauth2-proxy issue #3506); %s", e, widest, terminator)
		}
	}
}

// prefixLength returns the prefix length of an address or CIDR range, and
// the widest STP accepts for its family; ok is false if e is neither (which
// oauth2-proxy's validation reports).
func prefixLength(e string) (ones, widest int, ok bool) {
	ip, n, err := net.ParseCIDR(e)
	if err != nil {
		if ip = net.ParseIP(e); ip == nil {
			return 0, 0, false
		}
		n = &net.IPNet{IP: ip, Mask: net.CIDRMask(8*len(ip), 8*len(ip))}
	}
	ones, bits := n.Mask.Size()
	if ip.To4() != nil {
		// An IPv4-mapped IPv6 range counts as the IPv4 range it maps.
		return ones - (bits - 32), widestTrustedIPv4, true
	}
	return ones, widestTrustedIPv6, true
}

// upstreamRules make sure the upstream learns who the reader is and can
// prove the request came through the proxy.
func (c *checker) upstreamRules(l *options.LegacyOptions) {
	if !l.LegacyHeaders.PassUserHeaders && !l.LegacyHeaders.PassBasicAuth {
		c.add("pass_user_headers", "pass_user_headers = false: the upstream gets no X-Forwarded-Groups, -User or -Email, which its gate needs (with GAP-Auth and GAP-Signature) to know the reader and their roles; set pass_user_headers = true")
	}
	const fromEnv = `give it as OAUTH2_PROXY_SIGNATURE_KEY in the proxy's environment ("sha256:" and 32 or more random bytes, the same value as stp serve's STP_SIGNATURE_KEY)`
	switch {
	case c.written("signature_key"):
		c.add("signature_key", "signature_key is written in the file; %s, so that it is never committed", fromEnv)
	case !c.commentMentions("OAUTH2_PROXY_SIGNATURE_KEY"):
		c.add("signature_key", "no signature_key: stp serve refuses requests without a valid GAP-Signature, which proves they came through the proxy; %s, and say so in a comment naming OAUTH2_PROXY_SIGNATURE_KEY", fromEnv)
	}
}

// tlsRules refuse switching off certificate checks towards Entra ID and
// the upstream.
func (c *checker) tlsRules(l *options.LegacyOptions) {
	if l.Options.SSLInsecureSkipVerify {
		c.add("ssl_insecure_skip_verify", "ssl_insecure_skip_verify = true accepts any certificate for Entra ID's endpoints, so a man in the middle can hand the proxy its own tokens; remove it")
	}
	if l.LegacyUpstreams.SSLUpstreamInsecureSkipVerify {
		c.add("ssl_upstream_insecure_skip_verify", "ssl_upstream_insecure_skip_verify = true accepts any certificate from the upstream, so a man in the middle gets every gated file; remove it")
	}
}

// cookieRules keep the session cookie to this host over HTTPS, and the CSRF
// cookies few enough that the Cookie header stays small.
func (c *checker) cookieRules(k *options.Cookie, plainHTTP bool) {
	if !plainHTTP {
		if !k.Secure {
			c.add("cookie_secure", "cookie_secure must be true in production, so that the session cookie is only sent over HTTPS")
		}
		if !strings.HasPrefix(k.Name, "__Host-") {
			c.warn("cookie_name", `cookie_name %q lacks the __Host- prefix, so a sibling host of the portal can set the session and CSRF cookies; use cookie_name = "__Host-stp"`, k.Name)
		}
	}
	if strings.HasPrefix(k.Name, "__Host-") && (len(k.Domains) > 0 || k.Path != "/") {
		c.add("cookie_name", "a __Host- cookie must have no cookie_domains and cookie_path \"/\"; browsers drop it otherwise and nobody can sign in")
	}
	if !k.HTTPOnly {
		c.add("cookie_httponly", "cookie_httponly = false lets the page's scripts read the session cookie; set it to true")
	}
	if strings.EqualFold(k.SameSite, "none") {
		c.add("cookie_samesite", `cookie_samesite = "none" sends the session cookie with other sites' requests; use "lax"`)
	}
	if k.Refresh <= 0 {
		c.add("cookie_refresh", `cookie_refresh is not set: a reader whose role is removed keeps access until the cookie expires (%s); set cookie_refresh = "%s"`, k.Expire, stpCookieRefresh)
	} else if k.Refresh > longestRefresh {
		c.add("cookie_refresh", "cookie_refresh is %s: a revoked reader keeps access that long; %s is STP's default", k.Refresh, stpCookieRefresh)
	}
	if k.Expire > longestSession {
		c.warn("cookie_expire", "cookie_expire is %s: an idle session lasts that long; STP keeps it within a working day (12h)", k.Expire)
	}
	if k.CSRFPerRequest {
		switch {
		case k.CSRFPerRequestLimit <= 0:
			c.add("cookie_csrf_per_request", "cookie_csrf_per_request = true without cookie_csrf_per_request_limit: every unfinished sign-in leaves a CSRF cookie of about 0.4 KB, and after a few dozen the Cookie header passes the 8 KB most front ends accept and the reader is locked out; set cookie_csrf_per_request_limit = %d", csrfCookieLimit)
		case k.CSRFPerRequestLimit > csrfCookieLimit:
			c.warn("cookie_csrf_per_request_limit", "cookie_csrf_per_request_limit is %d: each CSRF cookie is about 0.4 KB beside a session cookie of up to several KB; %d sign-ins in parallel are plenty", k.CSRFPerRequestLimit, csrfCookieLimit)
		}
	}
	if k.CSRFExpire > longestCSRFLife {
		c.warn("cookie_csrf_expire", `cookie_csrf_expire is %s: an unfinished sign-in's cookie stays that long; a sign-in takes minutes: set cookie_csrf_expire = "15m"`, k.CSRFExpire)
	}
}

// sessionRules are about where sessions live: cookies cannot be ended by
// the server, Redis must be reached over TLS with a password from the
// environment.
func (c *checker) sessionRules(s *options.SessionOptions, plainHTTP bool) {
	if s.Type == options.CookieSessionStoreType {
		if !plainHTTP {
			c.warn("session_store_type", `session_store_type = "cookie": signing out does not end a copied session cookie, each refresh re-signs the cookie so cookie_expire does not bound a session in use, and several proxy replicas would all need the same secret; use session_store_type = "redis" with a rediss:// redis_connection_url`)
		}
		return
	}
	if s.Type != options.RedisSessionStoreType {
		return
	}
	r := s.Redis
	for key, urls := range map[string][]string{
		"redis_connection_url":           {r.ConnectionURL},
		"redis_sentinel_connection_urls": r.SentinelConnectionURLs,
		"redis_cluster_connection_urls":  r.ClusterConnectionURLs,
	} {
		for _, raw := range urls {
			u, err := url.Parse(raw)
			if raw == "" || err != nil {
				continue
			}
			if _, set := u.User.Password(); set {
				c.add(key, "%s carries a password; give it as OAUTH2_PROXY_REDIS_PASSWORD so that it is never committed", key)
			}
			if u.Scheme == "redis" && !isLoopbackHost(u.Hostname()) {
				c.add(key, "%s %q is plain redis:// to another host: the sessions, with their refresh tokens, and the password cross the network unencrypted; use rediss://", key, u.Redacted())
			}
		}
	}
	for _, key := range []string{"redis_password", "redis_sentinel_password"} {
		if c.written(key) {
			c.add(key, "%s is written in the file; give it as OAUTH2_PROXY_%s so that it is never committed", key, strings.ToUpper(key))
		}
	}
	if r.InsecureSkipTLSVerify {
		c.add("redis_insecure_skip_tls_verify", "redis_insecure_skip_tls_verify = true accepts any certificate for Redis, so a man in the middle reads every session; remove it")
	}
}

// redirectRules keep the post-sign-in redirect on the portal's own host.
func (c *checker) redirectRules(o *options.Options, standIn bool) {
	redirect, _ := url.Parse(o.RawRedirectURL)
	for _, d := range o.WhitelistDomains {
		switch {
		case strings.HasPrefix(d, ".") || strings.HasPrefix(d, "*"):
			c.add("whitelist_domains", "whitelist_domains entry %q allows redirects to every subdomain; list the portal's own host only", d)
		case redirect != nil && redirect.Host != "" && !strings.EqualFold(d, redirect.Host) && !strings.EqualFold(d, redirect.Hostname()):
			c.warn("whitelist_domains", "whitelist_domains entry %q is not the portal's host (%s, from redirect_url); readers can be sent there after signing in: list the portal's own host only", d, redirect.Host)
		}
	}
	if o.Templates.Debug {
		c.add("show_debug_on_error", "show_debug_on_error = true shows readers the proxy's internal error messages; set it to false")
	}
	if standIn {
		return
	}
	if len(o.WhitelistDomains) == 0 && o.RawRedirectURL == "" {
		c.add("redirect_url", "redirect_url is not set; set it to https://<portal host>/oauth2/callback")
	}
	if strings.HasPrefix(o.RawRedirectURL, "http://") {
		c.add("redirect_url", "redirect_url %q is not HTTPS", o.RawRedirectURL)
	}
}

// secretsNotInFile refuses secrets written in a committed file. The
// signature key is refused everywhere, in upstreamRules.
func (c *checker) secretsNotInFile() {
	for _, s := range []struct{ key, env, file string }{
		{"cookie_secret", "OAUTH2_PROXY_COOKIE_SECRET", "cookie_secret_file"},
		{"client_secret", "OAUTH2_PROXY_CLIENT_SECRET", "client_secret_file"},
	} {
		if c.written(s.key) {
			c.add(s.key, "%s is written in the file; give it as %s or %s so that it is never committed", s.key, s.env, s.file)
		}
	}
}

// isLoopbackHTTP reports whether raw is a plain-HTTP URL on loopback: the
// stand-in's issuer, or the demo's redirect_url.
func isLoopbackHTTP(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == "http" && isLoopbackHost(u.Hostname())
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
