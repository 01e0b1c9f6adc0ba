package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/stp-portal/stp/generator/diag"
	"github.com/stp-portal/stp/generator/site"
	"github.com/stp-portal/stp/proxy/proxycheck"
)

func init() {
	commands["check"] = command{summary: "check catalog, pages, layouts and proxy configuration; write nothing", run: runCheck}
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stp check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o site.Options
	fs.StringVar(&o.Root, "root", ".", "the site's folder")
	now := fs.String("now", "", "check as of this date, YYYY-MM-DD (default today)")
	proxyCfg := fs.String("proxy", "proxy/oauth2-proxy.cfg", "oauth2-proxy configuration to check, relative to the root; empty to skip")
	fs.BoolVar(&o.AllowEmpty, "allow-empty", false, "accept a catalog with no documents, written documents: [] (an empty portal is refused otherwise)")
	format := fs.String("format", "text", "text, or json for tools (which lists every problem)")
	all := fs.Bool("all", false, "print every warning, also when many are of one kind")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "stp check: --format must be text or json\n")
		return 2
	}
	if *now != "" {
		t, err := time.Parse(time.DateOnly, *now)
		if err != nil {
			fmt.Fprintf(stderr, "stp check: --now must be a date written YYYY-MM-DD, not %q\n", *now)
			return 2
		}
		o.Now = t
	}
	// The default configuration is checked when the site has one; only a
	// path given with --proxy must exist.
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "proxy" })
	if isTerminal(stderr) {
		o.Progress = &site.Progress{}
	}
	stop := showProgress(stderr, "stp check", o.Progress)
	problems := site.Check(o)
	stop()
	if *proxyCfg != "" {
		path := filepath.Join(o.Root, filepath.FromSlash(*proxyCfg))
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) && !explicit {
			// No proxy set up (yet): nothing to check.
		} else if err == nil {
			for _, p := range proxycheck.Check(path) {
				p.Pos.File = filepath.ToSlash(*proxyCfg)
				problems = append(problems, p)
			}
		} else {
			problems = append(problems, &diag.Problem{Pos: diag.Pos{File: *proxyCfg}, Message: "proxy configuration not found; pass --proxy PATH, or --proxy '' to skip it"})
		}
	}
	problems.Sort()
	errs := len(problems.Errors())
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(problems)
	} else {
		printProblems(stdout, problems, *all)
		warns := len(problems) - errs
		fmt.Fprintf(stdout, "%d %s, %d %s\n", errs, plural(errs, "error", "errors"), warns, plural(warns, "warning", "warnings"))
	}
	if errs > 0 {
		return 1
	}
	return 0
}
