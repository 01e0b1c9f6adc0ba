package main

import (
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/stp-portal/stp/generator/synth"
)

func init() {
	commands["bench"] = command{summary: "time full builds of the sample and of synthetic portals", run: runBench}
}

// runBench builds the sample and synthetic portals in a child process each
// time, so that wall time and peak memory are the build's own, and prints a
// table. Figures from one run are comparable with each other; machines are
// shared and noisy, so compare ratios rather than absolute times across runs.
func runBench(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stp bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("sizes", "sample,10000,100000", "comma-separated: sample, or a number of synthetic documents")
	root := fs.String("root", ".", "the repository (for the sample and layouts/)")
	keep := fs.Bool("keep", false, "keep the synthetic sites and their output")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, "stp bench:", err)
		return 1
	}
	work, err := os.MkdirTemp("", "stp-bench-")
	if err != nil {
		fmt.Fprintln(stderr, "stp bench:", err)
		return 1
	}
	if !*keep {
		defer os.RemoveAll(work)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "site\tdocuments\twrite catalog\tcold build\tpeak RSS\trebuild\tpages\toutput\t")
	for _, size := range strings.Split(*sizes, ",") {
		site, now, docs := *root, "2026-11-27", "sample"
		var writeTime time.Duration
		if size != "sample" {
			n, err := strconv.Atoi(size)
			if err != nil || n <= 0 {
				fmt.Fprintf(stderr, "stp bench: bad size %q\n", size)
				return 2
			}
			site, docs = filepath.Join(work, size), size
			start := time.Now()
			if err := synth.Write(site, synth.Options{Documents: n, Regions: 8, Industries: 12, Seed: 1}); err != nil {
				fmt.Fprintln(stderr, "stp bench:", err)
				return 1
			}
			writeTime = time.Since(start)
			if err := copyDir(filepath.Join(*root, "layouts"), filepath.Join(site, "layouts")); err != nil {
				fmt.Fprintln(stderr, "stp bench:", err)
				return 1
			}
			now = synth.Today().Format(time.DateOnly)
		}
		out := filepath.Join(work, "out-"+size)
		cold, err := timedBuild(self, site, out, now)
		if err != nil {
			fmt.Fprintf(stderr, "stp bench: %s: %v\n", size, err)
			return 1
		}
		warm, err := timedBuild(self, site, out, now) // replaces the previous output
		if err != nil {
			fmt.Fprintf(stderr, "stp bench: %s: %v\n", size, err)
			return 1
		}
		pages, bytes := treeSize(out)
		wt := "—"
		if writeTime > 0 {
			wt = writeTime.Round(time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d MiB\t%s\t%d\t%s\t\n", size, docs, wt, cold.wall.Round(time.Millisecond),
			cold.maxRSS>>20, warm.wall.Round(time.Millisecond), pages, humanSize(bytes))
		tw.Flush()
	}
	return 0
}

type buildRun struct {
	wall   time.Duration
	maxRSS int64
}

func timedBuild(self, site, out, now string) (buildRun, error) {
	cmd := exec.Command(self, "build", "--root", site, "--out", out, "--now", now)
	var errBuf strings.Builder
	cmd.Stderr = &errBuf
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return buildRun{}, fmt.Errorf("%v\n%s", err, errBuf.String())
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss << 10 // Linux reports kilobytes
	}
	return buildRun{wall: wall, maxRSS: rss}, nil
}

func treeSize(dir string) (pages int, bytes int64) {
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasSuffix(p, ".html") {
			pages++
		}
		if info, err := d.Info(); err == nil {
			bytes += info.Size()
		}
		return nil
	})
	return pages, bytes
}

func copyDir(from, to string) error {
	return filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		target := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}
