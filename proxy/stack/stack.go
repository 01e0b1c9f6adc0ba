// Package stack runs the portal's gate on loopback: the local Entra ID
// stand-in, the upstream serving a built site, and the real oauth2-proxy
// binary between them, configured from proxy/oauth2-proxy.demo.cfg.
//
// `stp demo`, the end-to-end tests and the proxy load test all start it the
// same way, so that what the tests check is what the demo shows.
package stack

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/stp-portal/stp/generator/serve"
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
	// loopback port.
	ProxyAddr, IdPAddr, UpstreamAddr string
	// ProxyOutput receives oauth2-proxy's log (the audit trail); nil
	// discards it.
	ProxyOutput io.Writer
	// ExtraArgs are appended to oauth2-proxy's command line, after the
	// stack's own flags, so they win.
	ExtraArgs []string
	// ReadyTimeout bounds the wait for the proxy to answer /ping.
	ReadyTimeout time.Duration
}

// Stack is a running gate.
type Stack struct {
	ProxyURL    string // where readers go
	UpstreamURL string // the site, on loopback, without the gate
	IdP         *entra.Server
	Store       *entra.Store

	upstream *http.Server
	proxy    *exec.Cmd
	done     chan struct{} // closed when the proxy process has exited
	waitErr  error         // its exit status, valid once done is closed
}

// Start starts the stand-in, the upstream and oauth2-proxy, and returns once
// the proxy answers, or with an error (and everything stopped).
func Start(ctx context.Context, cfg Config) (_ *Stack, err error) {
	if cfg.Store == nil {
		cfg.Store = entra.DemoStore()
	}
	if cfg.ReadyTimeout == 0 {
		cfg.ReadyTimeout = time.Minute
	}
	s := &Stack{Store: cfg.Store}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()

	idpAddr := cfg.IdPAddr
	if idpAddr == "" {
		idpAddr = "127.0.0.1:0"
	}
	if s.IdP, err = entra.Start(idpAddr, cfg.Store); err != nil {
		return nil, fmt.Errorf("starting the Entra ID stand-in: %w", err)
	}

	upAddr := cfg.UpstreamAddr
	if upAddr == "" {
		upAddr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", upAddr)
	if err != nil {
		return nil, fmt.Errorf("starting the upstream: %w", err)
	}
	s.UpstreamURL = "http://" + ln.Addr().String()
	s.upstream = &http.Server{Handler: serve.New(cfg.SiteDir), ReadHeaderTimeout: 10 * time.Second}
	go s.upstream.Serve(ln)

	proxyAddr := cfg.ProxyAddr
	if proxyAddr == "" {
		// oauth2-proxy must know its own URL for the redirect URI before
		// it starts, so the port is chosen here and handed over; the gap
		// between closing and re-opening it is tiny on loopback.
		if proxyAddr, err = freePort(); err != nil {
			return nil, err
		}
	}
	s.ProxyURL = "http://" + proxyAddr
	callback := s.ProxyURL + "/oauth2/callback"
	cfg.Store.SetRedirectURIs(callback)

	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}

	tenant := cfg.Store.Application().HomeTenantID
	args := []string{
		"--config=" + filepath.Join(cfg.ModuleRoot, "proxy", "oauth2-proxy.demo.cfg"),
		"--http-address=" + proxyAddr,
		"--upstream=" + s.UpstreamURL + "/",
		"--redirect-url=" + callback,
		"--whitelist-domain=" + proxyAddr,
		"--custom-templates-dir=" + filepath.Join(cfg.ModuleRoot, "proxy", "templates"),
	}
	if len(cfg.AllowedTenants) > 0 {
		args = append(args,
			"--oidc-issuer-url="+s.IdP.IssuerURL("organizations"),
			"--insecure-oidc-skip-issuer-verification=true")
		for _, t := range cfg.AllowedTenants {
			args = append(args, "--entra-id-allowed-tenant="+t)
		}
	} else {
		args = append(args, "--oidc-issuer-url="+s.IdP.IssuerURL(tenant))
	}
	if cfg.CookieRefresh > 0 {
		args = append(args, "--cookie-refresh="+cfg.CookieRefresh.String())
	}

	args = append(args, cfg.ExtraArgs...)

	var cmd *exec.Cmd
	if cfg.ProxyBinary != "" {
		cmd = exec.Command(cfg.ProxyBinary, args...)
	} else {
		cmd = exec.Command("go", append([]string{"tool", "oauth2-proxy"}, args...)...)
		cmd.Dir = cfg.ModuleRoot
	}
	// The cookie secret goes through the environment, not the command
	// line, so that it does not show in the process list. Settings from
	// the caller's OAUTH2_PROXY_* variables are dropped so that they cannot
	// change what is being run.
	env := []string{"OAUTH2_PROXY_COOKIE_SECRET=" + base64.URLEncoding.EncodeToString(secret)}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OAUTH2_PROXY_") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	out := cfg.ProxyOutput
	if out == nil {
		out = io.Discard
	}
	cmd.Stdout, cmd.Stderr = out, out
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting oauth2-proxy: %w", err)
	}
	s.proxy = cmd
	s.done = make(chan struct{})
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()

	if err := s.waitReady(ctx, cfg.ReadyTimeout); err != nil {
		return nil, err
	}
	return s, nil
}

// waitReady polls the proxy's /ping until it answers, the proxy exits, or
// the time is up.
func (s *Stack) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		res, err := client.Get(s.ProxyURL + "/ping")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.done:
			return fmt.Errorf("oauth2-proxy exited before it was ready: %v (see its log)", s.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("oauth2-proxy did not answer on %s within %s", s.ProxyURL, timeout)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Close stops oauth2-proxy (its whole process group, so that the binary
// started by `go tool` goes too), the upstream and the stand-in.
func (s *Stack) Close() error {
	var errs []error
	if s.proxy != nil && s.proxy.Process != nil {
		select {
		case <-s.done:
			// Already gone.
		default:
			stopProcessGroup(s.proxy, false)
			select {
			case <-s.done:
			case <-time.After(5 * time.Second):
				stopProcessGroup(s.proxy, true)
				<-s.done
			}
		}
		s.proxy = nil
	}
	if s.upstream != nil {
		errs = append(errs, s.upstream.Close())
	}
	if s.IdP != nil {
		errs = append(errs, s.IdP.Close())
	}
	return errors.Join(errs...)
}

// Exited is closed when the proxy process stops, so that `stp demo` can
// notice a proxy that died on its own.
func (s *Stack) Exited() <-chan struct{} { return s.done }

// ProxyPID is the process id of oauth2-proxy (or of `go tool` running it).
func (s *Stack) ProxyPID() int {
	if s.proxy == nil || s.proxy.Process == nil {
		return 0
	}
	return s.proxy.Process.Pid
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
