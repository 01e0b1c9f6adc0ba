package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/stp-portal/stp/generator/devserver"
	"github.com/stp-portal/stp/generator/search"
	"github.com/stp-portal/stp/generator/serve"
	"github.com/stp-portal/stp/generator/site"
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
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "stp serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "stp serve: %v\n", err)
		return 1
	}
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		// Everything here would be readable without signing in.
		fmt.Fprintf(stderr, "stp serve: warning: listening on %s, not loopback: anyone who can reach it reads the gated pages without signing in\n", ln.Addr())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var handler http.Handler
	var watch func(stop <-chan struct{}) error
	siteDir := *dir
	if siteDir != "" {
		if info, err := os.Stat(siteDir); err != nil || !info.IsDir() {
			fmt.Fprintf(stderr, "stp serve: %s is not a built site directory (run stp build first)\n", siteDir)
			return 1
		}
		handler = serve.New(siteDir)
		fmt.Fprintf(stdout, "serving %s at http://%s/ (Ctrl-C to stop)\n", siteDir, ln.Addr())
	} else {
		o := site.Options{Root: *root, BaseURL: "http://" + ln.Addr().String() + "/"}
		if *now != "" {
			t, err := time.Parse(time.DateOnly, *now)
			if err != nil {
				fmt.Fprintf(stderr, "stp serve: --now must be a date written YYYY-MM-DD, not %q\n", *now)
				return 2
			}
			o.Now = t
		}
		siteDir, err = os.MkdirTemp("", "stp-dev-")
		if err != nil {
			fmt.Fprintf(stderr, "stp serve: %v\n", err)
			return 1
		}
		defer os.RemoveAll(siteDir)
		o.Out = siteDir
		fmt.Fprintf(stdout, "building %s…\n", *root)
		dev, err := devserver.New(devserver.Options{Build: o, Log: func(format string, args ...any) {
			fmt.Fprintf(stderr, time.Now().Format("15:04:05 ")+format+"\n", args...)
		}})
		if err != nil {
			fmt.Fprintf(stderr, "stp serve: %v\n", err)
			return 1
		}
		handler, watch = dev, dev.Watch
		fmt.Fprintf(stdout, "dev server at http://%s/ — watching catalog.yaml, content/ and layouts/ (Ctrl-C to stop)\n", ln.Addr())
	}
	mux := http.NewServeMux()
	mux.Handle("/", handler)
	// search: server in catalog.yaml: the same engine answers here, over
	// each area's index, read-only.
	mux.Handle("/api/search", searchEndpoint(filepath.Join(siteDir, "search")))
	mux.Handle("/public/api/search", searchEndpoint(filepath.Join(siteDir, "public", "search")))

	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
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

// searchEndpoint answers queries over the index in dir, opening it again
// when a rebuild replaced it.
func searchEndpoint(dir string) http.Handler {
	var mu sync.Mutex
	var current http.Handler
	var stamp time.Time
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, err := os.Stat(filepath.Join(dir, "manifest.json"))
		if err != nil {
			http.Error(w, `{"error":"this site has no search index"}`, http.StatusNotFound)
			return
		}
		mu.Lock()
		if current == nil || !info.ModTime().Equal(stamp) {
			h, err := search.Handler(dir)
			if err != nil {
				mu.Unlock()
				http.Error(w, `{"error":"the search index cannot be opened"}`, http.StatusServiceUnavailable)
				return
			}
			current, stamp = h, info.ModTime()
		}
		h := current
		mu.Unlock()
		h.ServeHTTP(w, r)
	})
}
