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
	"syscall"
	"time"

	"github.com/stp-portal/stp/generator/serve"
)

func init() {
	commands["serve"] = command{summary: "serve a built site on loopback (the proxy's upstream)", run: runServe}
}

func runServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stp serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "public", "the built site to serve")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on; keep it on loopback so that only oauth2-proxy reaches the files")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "stp serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if info, err := os.Stat(*dir); err != nil || !info.IsDir() {
		fmt.Fprintf(stderr, "stp serve: %s is not a built site directory (run stp build first)\n", *dir)
		return 1
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
	srv := &http.Server{Handler: serve.New(*dir), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "serving %s at http://%s/ (Ctrl-C to stop)\n", *dir, ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "stp serve: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "stp serve: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, "stopped")
	return 0
}
