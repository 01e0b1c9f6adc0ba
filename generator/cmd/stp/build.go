package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"time"

	"github.com/stp-portal/stp/generator/diag"
	"github.com/stp-portal/stp/generator/site"
	"github.com/stp-portal/stp/generator/site/output"
)

func init() {
	commands["build"] = command{summary: "build the site into public/", run: runBuild}
}

func runBuild(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stp build", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o site.Options
	var now, out string
	fs.StringVar(&o.Root, "root", ".", "the site's folder, holding catalog.yaml, content/ and layouts/")
	fs.StringVar(&out, "out", "", "output folder, replaced as a whole by each build: a new or empty one, or one stp build made (default ROOT/public)")
	fs.StringVar(&now, "now", "", "build as of this date, YYYY-MM-DD (default today): decides retention and what is new")
	fs.StringVar(&o.BaseURL, "base-url", "", "override site.base_url, e.g. https://host/pr-12/ for a preview")
	fs.BoolVar(&o.AllowEmpty, "allow-empty", false, "accept a catalog with no documents, written documents: [] (an empty portal is refused otherwise)")
	fs.BoolVar(&o.Preview, "preview", false, `mark every page "Preview — not published" and noindex`)
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the build to this file")
	timings := fs.Bool("timings", false, "print when each phase of the build ends, and how busy the CPUs were, on standard error")
	all := fs.Bool("all", false, "print every warning, also when many are of one kind")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *timings {
		o.Timings = stderr
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "stp build: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	o.Out = out
	if now != "" {
		t, err := time.Parse(time.DateOnly, now)
		if err != nil {
			fmt.Fprintf(stderr, "stp build: --now must be a date written YYYY-MM-DD, not %q\n", now)
			return 2
		}
		o.Now = t
	}
	if *cpuprofile != "" {
		if err := site.CheckSideFile(o, *cpuprofile); err != nil {
			fmt.Fprintln(stderr, "stp build: --cpuprofile", err)
			return 2
		}
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(stderr, "stp build:", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "stp build:", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	if isTerminal(stderr) {
		o.Progress = &site.Progress{}
	}
	stop := showProgress(stderr, "stp build", o.Progress)
	res, err := site.Build(o)
	stop()
	var refused *output.Error
	if errors.As(err, &refused) {
		// Named as it was given: "--out content: that is the site's …".
		if out != "" && refused.Path == out {
			fmt.Fprint(stderr, "stp build: --out ")
		} else {
			fmt.Fprint(stderr, "stp build: ")
		}
		fmt.Fprintln(stderr, refused)
		return 2
	}
	if err != nil {
		return reportProblems(stderr, "stp build", err, *all)
	}
	printProblems(stderr, res.Warnings, *all)
	if out == "" {
		out = "public/"
	}
	kept := ""
	if res.Kept > 0 {
		kept = fmt.Sprintf("; %d outputs were unchanged and not written again", res.Kept)
	}
	fmt.Fprintf(stdout, "built %d pages, %d files, %d document versions (%s) into %s in %s%s\n",
		res.Pages, res.Files, res.Documents, humanSize(res.Bytes), out, res.Duration.Round(time.Millisecond), kept)
	return 0
}

// reportProblems prints every problem on its own line (a flood of one kind
// of warning summarised, unless all) and returns the exit code for a
// failed command.
func reportProblems(stderr io.Writer, cmd string, err error, all bool) int {
	var problems diag.Problems
	if errors.As(err, &problems) {
		printProblems(stderr, problems, all)
		n := len(problems.Errors())
		fmt.Fprintf(stderr, "%s: %d %s; nothing was written\n", cmd, n, plural(n, "error", "errors"))
		return 1
	}
	fmt.Fprintf(stderr, "%s: %v\n", cmd, err)
	return 1
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
