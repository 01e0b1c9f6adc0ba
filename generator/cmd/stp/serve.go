package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/stp-portal/stp/generator/access"
	"github.com/stp-portal/stp/generator/devserver"
	"github.com/stp-portal/stp/generator/serve"
	"github.com/stp-portal/stp/generator/site"
	"github.com/stp-portal/stp/generator/store"
)

func init() {
	commands["serve"] = command{summary: "dev server with live reload; with --dir, serve a built site (the proxy's upstream)", run: runServe}
}

func runServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stp serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "serve this built site as it is (production upstream); without it, build ROOT and rebuild on every save")
	root := fs.String("root", ".", "the site's folder, for the dev server")
	now := fs.String("now", "", "dev server: build as of this date, YYYY-MM-DD")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on; keep it on loopback so that only oauth2-proxy reaches the files")
	keyFile := fs.String("signature-key-file", "", "with --dir: a file holding oauth2-proxy's signature_key (sha256:SECRET); default $"+signatureKeyEnv)
	noGate := fs.Bool("no-gate", false, "with --dir: serve the gated pages to anyone who reaches the address (a local preview of a built site)")
	var sessions sessionFlags
	fs.StringVar(&sessions.store, "session-store", "", "with --dir: the Redis oauth2-proxy keeps sessions in (redis:// or rediss://; password from $"+redisPasswordEnv+"), to end each session --session-lifetime after it began")
	fs.DurationVar(&sessions.lifetime, "session-lifetime", 12*time.Hour, "with --session-store: a session's absolute lifetime, however often it is refreshed")
	fs.StringVar(&sessions.cookie, "session-cookie", "__Host-stp", "with --session-store: oauth2-proxy's cookie_name")
	storeURL := fs.String("store", "", "with --dir: what the portal remembers (organisation settings): sqlite:PATH or postgres://USER@HOST/DB "+
		"(password from $"+storePasswordEnv+"); default sqlite: in the user's state folder, never inside the site, which builds replace")
	var people peopleFlags
	fs.StringVar(&people.clientID, "client-id", "", "with --dir: the portal's application (client) id, for the admin-consent link the Settings page shows an organisation that has not consented yet")
	fs.StringVar(&people.graphURL, "graph-url", "", "with --dir: Microsoft Graph, where Portal Admins' lookups go (default https://graph.microsoft.com)")
	fs.StringVar(&people.authority, "authority", "", "with --dir: Entra ID, for the admin-consent link (default https://login.microsoftonline.com)")
	fs.StringVar(&people.accessFile, "access-file", "", "with --dir: an access file (proxy/access.yaml) whose protected principals never lose a role on the Settings page")
	fs.DurationVar(&people.recheck, "role-recheck", serve.DefaultRoleRecheck, "with --dir: how long a replica trusts the store's answer about a reader's role: the bound on revoking a role given on the Settings page")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "stp serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	var handler http.Handler
	if *dir != "" {
		if info, err := os.Stat(*dir); err != nil || !info.IsDir() {
			fmt.Fprintf(stderr, "stp serve: %s is not a built site directory (run stp build first)\n", *dir)
			return 1
		}
		o, err := upstreamOptions(*dir, *keyFile, *noGate, os.Getenv(signatureKeyEnv), stderr)
		if err != nil {
			fmt.Fprintf(stderr, "stp serve: %v\n", err)
			return 2
		}
		if *noGate && *storeURL != "" {
			fmt.Fprintln(stderr, "stp serve: --store needs the gate (the API must know who is asking): drop --no-gate")
			return 2
		}
		if !*noGate {
			if err := o.Gate.Check(); err != nil {
				fmt.Fprintf(stderr, "stp serve: %v\n", err)
				return 2
			}
			s, where, err := openStore(*storeURL)
			if err != nil {
				fmt.Fprintf(stderr, "stp serve: %v\n", err)
				return 1
			}
			defer s.Close()
			fmt.Fprintf(stdout, "store: %s\n", where)
			o.Store = s
			if err := people.apply(&o); err != nil {
				fmt.Fprintf(stderr, "stp serve: %v\n", err)
				return 2
			}
		}
		if handler, err = serve.Upstream(o); err != nil {
			fmt.Fprintf(stderr, "stp serve: %v\n", err)
			return 2
		}
		if handler, err = sessions.wrap(handler, stderr); err != nil {
			fmt.Fprintf(stderr, "stp serve: %v\n", err)
			return 2
		}
	} else if *keyFile != "" || *noGate || sessions.store != "" || *storeURL != "" {
		fmt.Fprintln(stderr, "stp serve: --signature-key-file, --no-gate, --session-store and --store go with --dir; the dev server has no gate")
		return 2
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "stp serve: %v\n", err)
		return 1
	}
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() && (*dir == "" || *noGate) {
		// Everything here would be readable without signing in.
		fmt.Fprintf(stderr, "stp serve: warning: listening on %s, not loopback: anyone who can reach it reads the gated pages without signing in\n", ln.Addr())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var watch func(stop <-chan struct{}) error
	if *dir != "" {
		fmt.Fprintf(stdout, "serving %s at http://%s/ (Ctrl-C to stop)\n", *dir, ln.Addr())
	} else {
		dev, cleanup, code := startDevServer(*root, *now, ln.Addr().String(), stdout, stderr)
		defer cleanup()
		if dev == nil {
			return code
		}
		handler, watch = dev.handler, dev.watch
	}
	return serveUntilStopped(ctx, ln, handler, watch, stdout, stderr)
}

// devSite is the dev server, ready to serve and watch.
type devSite struct {
	handler http.Handler
	watch   func(stop <-chan struct{}) error
}

// startDevServer builds root into a temporary folder, which cleanup
// removes, and returns the dev server over it; or nil and the exit code.
func startDevServer(root, now, addr string, stdout, stderr io.Writer) (dev *devSite, cleanup func(), code int) {
	cleanup = func() {}
	o := site.Options{Root: root, BaseURL: "http://" + addr + "/"}
	if now != "" {
		t, err := time.Parse(time.DateOnly, now)
		if err != nil {
			fmt.Fprintf(stderr, "stp serve: --now must be a date written YYYY-MM-DD, not %q\n", now)
			return nil, cleanup, 2
		}
		o.Now = t
	}
	siteDir, err := os.MkdirTemp("", "stp-dev-")
	if err != nil {
		fmt.Fprintf(stderr, "stp serve: %v\n", err)
		return nil, cleanup, 1
	}
	cleanup = func() { os.RemoveAll(siteDir) }
	o.Out = siteDir
	fmt.Fprintf(stdout, "building %s…\n", root)
	srv, err := devserver.New(devserver.Options{Build: o, Log: func(format string, args ...any) {
		fmt.Fprintf(stderr, time.Now().Format("15:04:05 ")+format+"\n", args...)
	}})
	if err != nil {
		fmt.Fprintf(stderr, "stp serve: %v\n", err)
		return nil, cleanup, 1
	}
	// The dev server is the site; the search API answers beside it.
	handler, err := serve.Upstream(serve.UpstreamOptions{Dir: siteDir, NoGate: true, Site: srv})
	if err != nil {
		fmt.Fprintf(stderr, "stp serve: %v\n", err)
		return nil, cleanup, 1
	}
	fmt.Fprintf(stdout, "dev server at http://%s/ — watching catalog.yaml, content/ and layouts/ (Ctrl-C to stop)\n", addr)
	return &devSite{handler: handler, watch: srv.Watch}, cleanup, 0
}

// serveUntilStopped serves handler on ln, and runs watch beside it when
// set, until ctx is done (Ctrl-C) or either fails; it returns the exit
// code.
func serveUntilStopped(ctx context.Context, ln net.Listener, handler http.Handler, watch func(stop <-chan struct{}) error, stdout, stderr io.Writer) int {
	srv := serve.NewServer(handler, serve.DefaultTimeouts)
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	done := make(chan struct{})
	if watch != nil {
		go func() { errc <- watch(done) }()
	}
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "stp serve: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	close(done)
	shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, context.DeadlineExceeded) {
		fmt.Fprintf(stderr, "stp serve: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, "stopped")
	return 0
}

// signatureKeyEnv holds oauth2-proxy's signature_key for `stp serve --dir`,
// and redisPasswordEnv the password of the session store.
const (
	signatureKeyEnv  = "STP_SIGNATURE_KEY"
	redisPasswordEnv = "STP_REDIS_PASSWORD"
)

// sessionFlags say where oauth2-proxy keeps sessions, for the absolute
// session lifetime (serve.SessionLifetime).
type sessionFlags struct {
	store    string
	lifetime time.Duration
	cookie   string
}

// wrap puts the session lifetime in front of h when a store is given.
func (f sessionFlags) wrap(h http.Handler, stderr io.Writer) (http.Handler, error) {
	if f.store == "" {
		return h, nil
	}
	if f.lifetime <= 0 {
		return nil, fmt.Errorf("--session-lifetime must be positive, not %s", f.lifetime)
	}
	starts, err := serve.NewRedisStarts(f.store, os.Getenv(redisPasswordEnv))
	if err != nil {
		return nil, err
	}
	l := serve.SessionLifetime{Max: f.lifetime, CookieName: f.cookie, Starts: starts, Log: slog.New(slog.NewJSONHandler(stderr, nil))}
	return l.Wrap(h), nil
}

// upstream returns the router of `stp serve --dir` without the portal's
// API; see upstreamOptions.
func upstream(dir, keyFile string, noGate bool, envKey string, stderr io.Writer) (http.Handler, error) {
	o, err := upstreamOptions(dir, keyFile, noGate, envKey, stderr)
	if err != nil {
		return nil, err
	}
	return serve.Upstream(o)
}

// peopleFlags configure the Settings page's "Add user role" part.
type peopleFlags struct {
	clientID, graphURL, authority, accessFile string
	recheck                                   time.Duration
}

func (f peopleFlags) apply(o *serve.UpstreamOptions) error {
	o.Gate.RoleRecheck = f.recheck
	o.ProxyTemplates = filepath.Join(o.Dir, filepath.FromSlash(site.ProxyTemplates))
	o.Directory = serve.Directory{GraphURL: f.graphURL, Authority: f.authority, ClientID: f.clientID}
	if f.accessFile != "" {
		file, err := access.LoadFile(f.accessFile)
		if err != nil {
			return err
		}
		o.Directory.Protected = file
	}
	return nil
}

// storePasswordEnv holds the PostgreSQL store's password when its URL has
// none.
const storePasswordEnv = "STP_STORE_PASSWORD"

// openStore opens the upstream's store: url, or by default a SQLite file
// in the user's state folder ($XDG_STATE_HOME/stp, else
// ~/.local/state/stp). Never inside the site folder: a build replaces that
// folder whole. It returns where the store is, to print.
func openStore(url string) (store.Store, string, error) {
	if url == "" {
		dir := os.Getenv("XDG_STATE_HOME")
		if dir == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return nil, "", fmt.Errorf("no folder for the store (%v): give --store sqlite:PATH or --store postgres://…", err)
			}
			dir = filepath.Join(home, ".local", "state")
		}
		url = "sqlite:" + filepath.Join(dir, "stp", "store.db")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := store.Open(ctx, url, os.Getenv(storePasswordEnv))
	if err != nil {
		return nil, "", err
	}
	where := url
	if !strings.HasPrefix(url, "sqlite:") {
		where = "PostgreSQL"
	}
	return s, where, nil
}

// upstreamOptions are the options of `stp serve --dir`'s router: the gate
// keyed from keyFile or, without one, envKey; or, with noGate, no gate,
// after a warning. Without a key or noGate it refuses, saying how to set
// one.
func upstreamOptions(dir, keyFile string, noGate bool, envKey string, stderr io.Writer) (serve.UpstreamOptions, error) {
	o := serve.UpstreamOptions{Dir: dir}
	key := envKey
	if keyFile != "" {
		b, err := os.ReadFile(keyFile)
		if err != nil {
			return o, err
		}
		key = strings.TrimSpace(string(b))
		if key == "" {
			return o, fmt.Errorf("%s is empty; it must hold oauth2-proxy's signature_key, sha256:SECRET", keyFile)
		}
	}
	switch {
	case noGate && key != "":
		return o, errors.New("--no-gate and a signature key: choose one")
	case noGate:
		fmt.Fprintln(stderr, "stp serve: warning: --no-gate: the gated pages are served to anyone who can reach this address, "+
			"without signing in; use it only to preview a built site")
		o.NoGate = true
		return o, nil
	case key == "":
		return o, fmt.Errorf("--dir serves the upstream behind oauth2-proxy, which must prove each request came through it: "+
			"set %s or --signature-key-file to the value of oauth2-proxy's signature_key "+
			"(sha256:SECRET, e.g. sha256:$(openssl rand -base64 32); OAUTH2_PROXY_SIGNATURE_KEY), "+
			"or pass --no-gate to preview a built site locally", signatureKeyEnv)
	}
	o.Gate = serve.Gate{SignatureKey: key, Log: slog.New(slog.NewJSONHandler(stderr, nil))}
	return o, nil
}
