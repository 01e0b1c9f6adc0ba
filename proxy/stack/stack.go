// Package stack runs the portal's gate on loopback: the local Entra ID
// stand-in, the upstream serving a built site, and the real oauth2-proxy
// binary between them.
//
// Two topologies: the demo's (one proxy on plain HTTP, configured from
// proxy/oauth2-proxy.demo.cfg), which `stp demo` shows, and the production
// one (a TLS terminator with the shipped nginx or Caddy rules, two proxy
// replicas configured from proxy/oauth2-proxy.cfg, sessions in Redis), which
// operators deploy. The end-to-end tests run both, so that what they check
// is what the demo shows and what operators run.
package stack

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/stp-portal/stp/generator/serve"
	"github.com/stp-portal/stp/generator/site"
	"github.com/stp-portal/stp/generator/store"
	"github.com/stp-portal/stp/proxy/entra"
)

// Config says what to start.
type Config struct {
	// SiteDir is the built site to serve.
	SiteDir string
	// ModuleRoot is the repository root; the proxy configuration and
	// templates are read from its proxy/ directory, and `go tool
	// oauth2-proxy` runs there when ProxyBinary is empty.
	ModuleRoot string
	// ProxyBinary is a prebuilt oauth2-proxy. When empty, the proxy is run
	// with `go tool oauth2-proxy` (the first run compiles it).
	ProxyBinary string
	// Store is the stand-in's directory; nil means entra.DemoStore().
	Store *entra.Store
	// CookieRefresh overrides the configuration's cookie_refresh when set.
	CookieRefresh time.Duration
	// AllowedTenants switches the proxy to the multi-tenant set-up (the
	// "organizations" endpoint, issuer check skipped, only these tenants
	// admitted) when not empty.
	AllowedTenants []string
	// ProxyAddr and IdPAddr are the listen addresses; empty means a free
	// loopback port. In the production topology ProxyAddr is the
	// terminator's.
	ProxyAddr, IdPAddr, UpstreamAddr string
	// ProxyOutput receives oauth2-proxy's log (the audit trail) and, in the
	// production topology, Redis's and the terminator's; nil discards it.
	ProxyOutput io.Writer
	// UpstreamLog receives the upstream's log lines (refused requests);
	// nil discards them.
	UpstreamLog io.Writer
	// ExtraArgs are appended to oauth2-proxy's command line, after the
	// stack's own flags, so they win.
	ExtraArgs []string
	// ReadyTimeout bounds the wait for the proxy to answer /ping.
	ReadyTimeout time.Duration
	// Production, when set, runs the topology operators deploy instead of
	// the demo's.
	Production *Production
	// NoUpstreamGate serves the site without checking that requests came
	// through the proxy with a session, as a careless deployment would.
	// Only for the tests that show the attack corpus notices.
	NoUpstreamGate bool
	// SessionLifetime is the upstream's absolute session lifetime in the
	// production topology with Redis sessions; 0 means 12 hours, the
	// production configuration's cookie_expire.
	SessionLifetime time.Duration
	// UpstreamHook, when set, is told of every response the upstream sends:
	// the request, the status and the body bytes written. The attack
	// corpus counts with it what got past the proxy.
	UpstreamHook func(r *http.Request, status int, bytes int64)
	// PortalStore is the upstream's store (`stp serve --store`), which
	// serves the portal's API: "sqlite:PATH" or "postgres://…" with
	// PortalStorePassword. Empty means a SQLite file in the stack's
	// temporary folder, gone when it stops.
	PortalStore, PortalStorePassword string
	// RoleRecheck is how long the upstream trusts what its store said
	// about a reader's role; 0 means serve.DefaultRoleRecheck.
	RoleRecheck time.Duration
}

// Production is the topology proxy/README.md tells operators to deploy:
//
//	client --HTTPS--> terminator --> oauth2-proxy replicas --> upstream
//	                  (nginx/Caddy)   (proxy/oauth2-proxy.cfg,   (stp serve's
//	                                   sessions in Redis)        router, gated)
//
// with the production configuration file, TLS from a throwaway CA, and the
// Entra ID stand-in as the only fake.
type Production struct {
	// Terminator is Nginx (the default) or Caddy.
	Terminator string
	// Replicas is the number of oauth2-proxy instances behind the
	// terminator; 0 means 2.
	Replicas int
	// CookieSessions keeps sessions in the cookie instead of Redis.
	CookieSessions bool
	// BareTerminator leaves out the shipped terminator rules (see
	// terminatorConfig.bare). Only for the tests that show the attack
	// corpus notices.
	BareTerminator bool
}

// Stack is a running gate.
type Stack struct {
	ProxyURL    string // where readers go (the terminator in production)
	UpstreamURL string // the site, on loopback, behind its own gate
	IdP         *entra.Server
	Store       *entra.Store
	// Replicas are the oauth2-proxy instances' own URLs.
	Replicas []string
	// CookieName is the session cookie's name in the configuration used.
	CookieName string
	// RedisAddr is the session store's address, when sessions live in Redis.
	RedisAddr string

	tls      *tls.Config // trusts the throwaway CA (production only)
	upstream *http.Server
	portal   store.Store // the upstream's store; nil without the gate
	procs    []*proc     // the terminator first, then the replicas, then Redis
	proxies  []*proc
	tmp      string
}

// Client returns an HTTP client for the portal: with a cookie jar when jar
// is not nil, trusting the run's throwaway CA in the production topology,
// and never following redirects, so that tests see every hop.
func (s *Stack) Client(jar http.CookieJar) *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = s.TLSConfig()
	return &http.Client{
		Jar:           jar,
		Transport:     transport,
		Timeout:       15 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// TLSConfig returns a client TLS configuration trusting the run's CA, or nil
// in the demo topology (plain HTTP). Each call returns a new one, because
// an http.Transport changes the one it is given (it adds "h2").
func (s *Stack) TLSConfig() *tls.Config {
	if s.tls == nil {
		return nil
	}
	return s.tls.Clone()
}

// Start starts the stand-in, the upstream and oauth2-proxy (and in the
// production topology Redis and the terminator), and returns once the
// portal answers, or with an error (and everything stopped).
func Start(ctx context.Context, cfg Config) (_ *Stack, err error) {
	if cfg.Store == nil {
		cfg.Store = entra.DemoStore()
	}
	if cfg.ReadyTimeout == 0 {
		cfg.ReadyTimeout = time.Minute
	}
	prod := cfg.Production
	if prod != nil {
		if prod.Terminator == "" {
			prod.Terminator = Nginx
		}
		if prod.Replicas == 0 {
			prod.Replicas = 2
		}
	}
	// The cookie names of proxy/oauth2-proxy.demo.cfg and oauth2-proxy.cfg.
	s := &Stack{Store: cfg.Store, CookieName: "_stp_demo"}
	if prod != nil {
		s.CookieName = "__Host-stp"
	}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if s.tmp, err = os.MkdirTemp("", "stp-stack-"); err != nil {
		return nil, err
	}

	idpAddr := cfg.IdPAddr
	if idpAddr == "" {
		idpAddr = "127.0.0.1:0"
	}
	if s.IdP, err = entra.Start(idpAddr, cfg.Store); err != nil {
		return nil, fmt.Errorf("starting the Entra ID stand-in: %w", err)
	}

	// The request signature proves to the upstream that a request came
	// through the proxy: the same secret goes to both, new each run.
	sec := secrets{signatureKey: "sha256:" + randomSecret(), cookie: randomSecret()}
	// Sessions in Redis (production): the proxies keep them there, and the
	// upstream remembers there when each began.
	if prod != nil && !prod.CookieSessions {
		sec.redis = randomSecret()
		r, addr, err := startRedis(ctx, s.tmp, sec.redis, cfg.ProxyOutput)
		if err != nil {
			return nil, err
		}
		s.procs = append(s.procs, r)
		s.RedisAddr = addr
	}
	if err := s.startUpstream(cfg, sec.signatureKey, sec.redis); err != nil {
		return nil, err
	}

	// oauth2-proxy must know the portal's URL for the redirect URI before
	// it starts, so the ports are chosen here and handed over; the gap
	// between closing and re-opening them is tiny on loopback.
	portalAddr := cfg.ProxyAddr
	if portalAddr == "" {
		if portalAddr, err = freePort(); err != nil {
			return nil, err
		}
	}
	replicaAddrs := []string{portalAddr}
	scheme := "http"
	if prod != nil {
		scheme = "https"
		if replicaAddrs, err = freePorts(prod.Replicas); err != nil {
			return nil, err
		}
	}
	s.ProxyURL = scheme + "://" + portalAddr
	cfg.Store.SetRedirectURIs(s.ProxyURL + "/oauth2/callback")

	args, env, err := s.proxyCommandLine(cfg, portalAddr, sec)
	if err != nil {
		return nil, err
	}
	for i, addr := range replicaAddrs {
		if err := s.startProxy(ctx, cfg, i, addr, args, env); err != nil {
			return nil, err
		}
	}
	if prod != nil {
		if err := s.startFront(ctx, cfg, portalAddr, replicaAddrs); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// secrets are the run's: new each time, given to the processes through
// their environment.
type secrets struct {
	signatureKey, cookie, redis string
}

// proxyCommandLine returns oauth2-proxy's arguments and environment: the
// configuration file of the topology, with what differs per run given on
// the command line (addresses, the stand-in's issuer and application, the
// built site's pages) and the secrets in the environment.
func (s *Stack) proxyCommandLine(cfg Config, portalAddr string, sec secrets) (args, env []string, err error) {
	prod := cfg.Production
	app := cfg.Store.Application()
	// oauth2-proxy's own pages, made by the build from proxy/templates with
	// the portal's title, logo, contact and base path.
	templates := filepath.Join(cfg.SiteDir, filepath.FromSlash(site.ProxyTemplates))
	if _, err := os.Stat(filepath.Join(templates, "error.html")); err != nil {
		return nil, nil, fmt.Errorf("the site in %s has no pages for oauth2-proxy (%s): build it with stp build", cfg.SiteDir, site.ProxyTemplates)
	}
	configFile := "oauth2-proxy.demo.cfg"
	if prod != nil {
		configFile = "oauth2-proxy.cfg"
	}
	args = []string{
		"--config=" + filepath.Join(cfg.ModuleRoot, "proxy", configFile),
		"--upstream=" + s.UpstreamURL + "/",
		"--redirect-url=" + s.ProxyURL + "/oauth2/callback",
		"--whitelist-domain=" + portalAddr,
		"--custom-templates-dir=" + templates,
	}
	env = []string{
		"OAUTH2_PROXY_COOKIE_SECRET=" + sec.cookie,
		"OAUTH2_PROXY_SIGNATURE_KEY=" + sec.signatureKey,
	}
	if prod != nil {
		// The stand-in in place of Entra ID: its issuer and application.
		// Everything else is the production file as operators deploy it.
		args = append(args, "--client-id="+app.ClientID, "--trusted-proxy-ip=127.0.0.1")
		env = append(env, "OAUTH2_PROXY_CLIENT_SECRET="+app.ClientSecret)
		if prod.CookieSessions {
			args = append(args, "--session-store-type=cookie")
		} else {
			args = append(args, "--session-store-type=redis", "--redis-connection-url=redis://"+s.RedisAddr+"/0")
			env = append(env, "OAUTH2_PROXY_REDIS_PASSWORD="+sec.redis)
		}
	}
	if len(cfg.AllowedTenants) > 0 {
		args = append(args,
			"--oidc-issuer-url="+s.IdP.IssuerURL("organizations"),
			"--insecure-oidc-skip-issuer-verification=true")
		for _, t := range cfg.AllowedTenants {
			args = append(args, "--entra-id-allowed-tenant="+t)
		}
	} else {
		args = append(args, "--oidc-issuer-url="+s.IdP.IssuerURL(app.HomeTenantID))
	}
	if cfg.CookieRefresh > 0 {
		args = append(args, "--cookie-refresh="+cfg.CookieRefresh.String())
	}
	// Secrets go through the environment, not the command line, so that
	// they do not show in the process list. Settings from the caller's
	// OAUTH2_PROXY_* variables are dropped so that they cannot change what
	// is being run.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OAUTH2_PROXY_") {
			env = append(env, kv)
		}
	}
	return args, env, nil
}

// startProxy starts oauth2-proxy replica i on addr and waits until it
// answers.
func (s *Stack) startProxy(ctx context.Context, cfg Config, i int, addr string, args, env []string) error {
	args = append(append(slices.Clip(args), "--http-address="+addr), cfg.ExtraArgs...)
	var cmd *exec.Cmd
	if cfg.ProxyBinary != "" {
		cmd = exec.Command(cfg.ProxyBinary, args...)
	} else {
		cmd = exec.Command("go", append([]string{"tool", "oauth2-proxy"}, args...)...)
		cmd.Dir = cfg.ModuleRoot
	}
	cmd.Env = env
	p, err := startProc(fmt.Sprintf("oauth2-proxy #%d", i+1), cmd, cfg.ProxyOutput)
	if err != nil {
		return err
	}
	s.procs = append(s.procs, p)
	s.proxies = append(s.proxies, p)
	s.Replicas = append(s.Replicas, "http://"+addr)
	return p.waitReady(ctx, cfg.ReadyTimeout, addr, func() bool { return ping("http://" + addr) })
}

// startFront starts the production topology's TLS terminator at
// portalAddr, in front of the replicas, with a certificate from a CA made
// for this run.
func (s *Stack) startFront(ctx context.Context, cfg Config, portalAddr string, replicas []string) error {
	prod := cfg.Production
	ca, err := newThrowawayCA(s.tmp)
	if err != nil {
		return err
	}
	s.tls = ca.ClientTLS()
	dir := filepath.Join(s.tmp, prod.Terminator)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	t, err := startTerminator(ctx, prod.Terminator, terminatorConfig{
		moduleRoot: cfg.ModuleRoot, dir: dir, addr: portalAddr, proxies: replicas, ca: ca, bare: prod.BareTerminator,
	}, cfg.ProxyOutput)
	if err != nil {
		return err
	}
	s.procs = append([]*proc{t}, s.procs...)
	return nil
}

// startUpstream serves the site on loopback with the router `stp serve
// --dir` runs in production, behind its gate.
func (s *Stack) startUpstream(cfg Config, signatureKey, redisPassword string) error {
	upAddr := cfg.UpstreamAddr
	if upAddr == "" {
		upAddr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", upAddr)
	if err != nil {
		return fmt.Errorf("starting the upstream: %w", err)
	}
	s.UpstreamURL = "http://" + ln.Addr().String()
	if !cfg.NoUpstreamGate {
		url := cfg.PortalStore
		if url == "" {
			url = "sqlite:" + filepath.Join(s.tmp, "store.db")
		}
		if s.portal, err = store.Open(context.Background(), url, cfg.PortalStorePassword); err != nil {
			ln.Close()
			return err
		}
	}
	log := slog.New(slog.NewJSONHandler(orDiscard(cfg.UpstreamLog), nil))
	h, err := upstreamHandler(cfg, s.IdP, signatureKey, s.portal, log)
	if err != nil {
		ln.Close()
		return err
	}
	if s.RedisAddr != "" {
		starts, err := serve.NewRedisStarts("redis://"+s.RedisAddr+"/0", redisPassword)
		if err != nil {
			ln.Close()
			return err
		}
		lifetime := cfg.SessionLifetime
		if lifetime == 0 {
			lifetime = 12 * time.Hour
		}
		h = serve.SessionLifetime{Max: lifetime, CookieName: s.CookieName, Starts: starts, Log: log}.Wrap(h)
	}
	if hook := cfg.UpstreamHook; hook != nil {
		inner := h
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := &recorder{ResponseWriter: w, status: http.StatusOK}
			inner.ServeHTTP(rec, r)
			hook(r, rec.status, rec.bytes)
		})
	}
	s.upstream = serve.NewServer(h, serve.DefaultTimeouts)
	go s.upstream.Serve(ln)
	return nil
}

// upstreamHandler is the router `stp serve --dir` runs, behind its gate.
func upstreamHandler(cfg Config, idp *entra.Server, signatureKey string, portal store.Store, log *slog.Logger) (http.Handler, error) {
	if cfg.NoUpstreamGate {
		return serve.Upstream(serve.UpstreamOptions{Dir: cfg.SiteDir, NoGate: true})
	}
	return serve.Upstream(serve.UpstreamOptions{
		Dir:            cfg.SiteDir,
		Gate:           serve.Gate{SignatureKey: signatureKey, Log: log, RoleRecheck: cfg.RoleRecheck},
		Store:          portal,
		ProxyTemplates: filepath.Join(cfg.SiteDir, filepath.FromSlash(site.ProxyTemplates)),
		// The stand-in serves Graph and the admin-consent page as Entra
		// ID and Microsoft Graph do.
		Directory: serve.Directory{GraphURL: idp.URL, Authority: idp.URL, ClientID: cfg.Store.Application().ClientID},
	})
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// recorder notes a response's status and size for Config.UpstreamHook.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(p []byte) (int, error) {
	n, err := r.ResponseWriter.Write(p)
	r.bytes += int64(n)
	return n, err
}

// ping tells whether oauth2-proxy answers its health check at base.
func ping(base string) bool {
	client := &http.Client{Timeout: 2 * time.Second}
	res, err := client.Get(base + "/ping")
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

// randomSecret returns 32 random bytes in URL-safe base64, the form
// oauth2-proxy takes for its cookie secret.
func randomSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on the platforms Go supports
	}
	return base64.URLEncoding.EncodeToString(b)
}

// Close stops everything the stack started.
func (s *Stack) Close() error {
	for _, p := range s.procs {
		p.stop()
	}
	s.procs, s.proxies = nil, nil
	var errs []error
	if s.upstream != nil {
		errs = append(errs, s.upstream.Close())
	}
	if s.IdP != nil {
		errs = append(errs, s.IdP.Close())
	}
	if s.portal != nil {
		errs = append(errs, s.portal.Close())
	}
	if s.tmp != "" {
		errs = append(errs, os.RemoveAll(s.tmp))
	}
	return errors.Join(errs...)
}

// Exited is closed when the (first) proxy process stops, so that `stp demo`
// can notice a proxy that died on its own.
func (s *Stack) Exited() <-chan struct{} { return s.proxies[0].done }

// freePorts chooses n free loopback addresses.
func freePorts(n int) ([]string, error) {
	addrs := make([]string, n)
	for i := range addrs {
		a, err := freePort()
		if err != nil {
			return nil, err
		}
		addrs[i] = a
	}
	return addrs, nil
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

// ModuleRoot finds the repository root (the directory with go.mod) from dir
// upwards.
func ModuleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "proxy", "oauth2-proxy.demo.cfg")); err == nil {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no STP repository (go.mod with proxy/oauth2-proxy.demo.cfg) here or above")
		}
		dir = parent
	}
}
