package main

import (
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stp-portal/stp/generator/site/output"
	"github.com/stp-portal/stp/generator/synth"
)

// sideBySideMax is the largest synthetic portal that Hugo and the dev
// server are timed on: beyond it Hugo takes minutes, and the dev server's
// first build does too.
const sideBySideMax = 10_000

// sampleNow is the date the sample portal is built as of.
const sampleNow = "2026-11-27"

// options are stpbench's flags.
type options struct {
	sizes   []size
	root    string // the repository: the sample portal, layouts/ and stp's source
	keep    bool
	dev     bool
	ramRuns int
	hugo    string   // a Hugo binary, or none
	twins   []string // the Hugo twins built side by side with STP: naiveTwin, expertTwin
	rounds  int      // side-by-side rounds
	gcs     []string // the gcSettings both tools run with, one set of rounds each
	stp     string   // the stp binary timed; empty until run builds one
}

// size is one portal to build: the sample, or a synthetic portal of so
// many documents.
type size struct {
	name      string // as the flag gave it: the table's first column
	documents int    // 0 for the sample
}

// parseFlags reads the command line. When it returns false it has printed
// why, and the exit code is 2.
func parseFlags(args []string, stderr io.Writer) (options, bool) {
	var o options
	fs := flag.NewFlagSet("stpbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("sizes", "sample,10000,100000", "comma-separated: sample, or a number of synthetic documents")
	fs.StringVar(&o.root, "root", ".", "the repository (for the sample and layouts/)")
	fs.BoolVar(&o.keep, "keep", false, "keep the synthetic sites and their output")
	fs.BoolVar(&o.dev, "dev", true, "also time the dev server's edit-to-reload on the largest synthetic site up to 10,000 documents")
	fs.IntVar(&o.ramRuns, "ram-runs", 3, "in-RAM builds of each site: the table shows their median and range")
	fs.StringVar(&o.hugo, "hugo", "", "a hugo binary: also build the same documents with Hugo (synthetic sites up to 10,000 documents), taking turns with STP in RAM")
	twins := fs.String("hugo-twins", "naive,expert", "the Hugo twins to build with -hugo: naive (synth.WriteHugo, as first written), expert (synth.WriteHugoExpert); comma-separated")
	fs.IntVar(&o.rounds, "rounds", 5, "with -hugo: rounds of STP and each twin taking turns")
	gcs := fs.String("gc", "tuned", "with -hugo: the GC settings both tools run with, one set of rounds each: tuned (GOGC=400 GOMEMLIMIT=3GiB, stp's own), default (Go's); comma-separated")
	fs.StringVar(&o.stp, "stp", "", "the stp binary to time (default: one go build makes from ROOT/generator/cmd/stp)")
	if err := fs.Parse(args); err != nil {
		return o, false
	}
	if o.ramRuns < 1 || o.rounds < 1 {
		fmt.Fprintln(stderr, "stpbench: -ram-runs and -rounds must be at least 1")
		return o, false
	}
	for _, t := range strings.Split(*twins, ",") {
		if t != naiveTwin && t != expertTwin || slices.Contains(o.twins, t) {
			fmt.Fprintf(stderr, "stpbench: bad -hugo-twins %q (naive, expert)\n", *twins)
			return o, false
		}
		o.twins = append(o.twins, t)
	}
	for _, g := range strings.Split(*gcs, ",") {
		if _, ok := gcSettings[g]; !ok || slices.Contains(o.gcs, g) {
			fmt.Fprintf(stderr, "stpbench: bad -gc %q (tuned, default)\n", *gcs)
			return o, false
		}
		o.gcs = append(o.gcs, g)
	}
	for _, name := range strings.Split(*sizes, ",") {
		s := size{name: name}
		if name != "sample" {
			n, err := strconv.Atoi(name)
			if err != nil || n <= 0 {
				fmt.Fprintf(stderr, "stpbench: bad size %q\n", name)
				return o, false
			}
			s.documents = n
		}
		o.sizes = append(o.sizes, s)
	}
	return o, true
}

// runBench builds the sample and synthetic portals in a child process each
// time, so that wall time and peak memory are the build's own, and prints a
// table. Figures from one run are comparable with each other; machines are
// shared and noisy, so compare ratios rather than absolute times across runs.
func runBench(args []string, stdout, stderr io.Writer) int {
	o, ok := parseFlags(args, stderr)
	if !ok {
		return 2
	}
	b := &bench{options: o, stdout: stdout}
	if err := b.run(); err != nil {
		fmt.Fprintln(stderr, "stpbench:", err)
		return 1
	}
	return 0
}

// bench is one run of stpbench.
type bench struct {
	options
	work        string // the folder the synthetic portals and the builds on disk go in
	hugoVersion string
	stdout      io.Writer
}

// portal is one portal the bench builds, and its figures.
type portal struct {
	size            string
	dir, now, docs  string // the portal's folder, its build date, the documents column
	documents       int    // 0 for the sample
	writeTime       time.Duration
	cold, ram, warm buildRun
	ramRuns         buildRuns // ram is their median
	ramLo, ramHi    time.Duration
	pages           int
	bytes           int64
	hugoDirs        map[string]string // the same documents as Hugo projects, by twin, with -hugo
	sides           []*sideBySide     // STP and the twins taking turns, per GC setting
}

// run measures and prints, phase by phase.
func (b *bench) run() error {
	work, err := os.MkdirTemp("", "stp-bench-")
	if err != nil {
		return err
	}
	if !b.keep {
		defer os.RemoveAll(work)
	}
	b.work = work
	if b.stp == "" {
		if b.stp, err = buildStp(b.root, work); err != nil {
			return err
		}
	}
	// This machine's disk makes a new inode slowly for minutes after many
	// were deleted (ext4 skips recently freed ones one by one), so every
	// cold build runs before any output is deleted or replaced, and the
	// disk's state is measured first.
	fmt.Fprintf(b.stdout, "disk: %s per new folder and file in %s now (a quiet disk: about 20 µs)\n", inodeCost(work), work)
	fmt.Fprintf(b.stdout, "cpu: %s per reference page on each core before the builds\n", referencePage(referencePages))
	if err := b.readHugoVersion(); err != nil {
		return err
	}
	portals, err := b.buildCold()
	if err != nil {
		return err
	}
	if err := b.buildInRAM(portals); err != nil {
		return err
	}
	for _, p := range portals {
		if err := b.runSideBySide(p); err != nil {
			return err
		}
	}
	if err := b.rebuildOverSpare(portals); err != nil {
		return err
	}
	fmt.Fprintf(b.stdout, "cpu: %s per reference page on each core after them\n", referencePage(referencePages))
	b.printFigures(portals)
	if dev := devPortal(portals); b.dev && dev != nil {
		if err := benchDev(dev.dir, dev.now, b.stdout); err != nil {
			return fmt.Errorf("dev server: %w", err)
		}
	}
	return nil
}

// readHugoVersion asks the -hugo binary for its version, which the Hugo
// lines name.
func (b *bench) readHugoVersion() error {
	if b.hugo == "" {
		return nil
	}
	out, err := exec.Command(b.hugo, "version").Output()
	if err != nil {
		return fmt.Errorf("%s version: %v", b.hugo, err)
	}
	b.hugoVersion, _, _ = strings.Cut(strings.TrimSpace(string(out)), " linux")
	return nil
}

// buildCold writes each synthetic portal and builds every portal once on
// disk into an empty folder, one size after the other.
func (b *bench) buildCold() ([]*portal, error) {
	var portals []*portal
	for _, s := range b.sizes {
		p, err := b.writePortal(s)
		if err != nil {
			return nil, err
		}
		// Each build starts on a disk that has written back what came
		// before (the synthetic site, the previous build), so that it is
		// timed on its own.
		syncDisk()
		out := b.diskOut(p)
		if p.cold, err = timedBuild(b.stp, p.dir, out, p.now); err != nil {
			return nil, fmt.Errorf("%s: %w", p.size, err)
		}
		p.pages, p.bytes = treeSize(out)
		portals = append(portals, p)
	}
	return portals, nil
}

// writePortal writes the synthetic portal of size s, with the repository's
// layouts and, with -hugo, as a Hugo project too; the sample is the
// repository itself.
func (b *bench) writePortal(s size) (*portal, error) {
	p := &portal{size: s.name, dir: b.root, now: sampleNow, docs: "sample", documents: s.documents}
	if s.documents == 0 {
		return p, nil
	}
	p.dir, p.docs = filepath.Join(b.work, s.name), s.name
	o := synth.Options{Documents: s.documents, Regions: 8, Industries: 12, Seed: 1}
	start := time.Now()
	if err := synth.Write(p.dir, o); err != nil {
		return nil, err
	}
	p.writeTime = time.Since(start)
	if err := synth.CopyLayouts(p.dir, filepath.Join(b.root, "layouts")); err != nil {
		return nil, err
	}
	if b.hugo != "" && s.documents <= sideBySideMax {
		if err := b.writeHugoTwins(p, o); err != nil {
			return nil, err
		}
	}
	p.now = synth.Today().Format(time.DateOnly)
	return p, nil
}

// diskOut is where p is built on disk.
func (b *bench) diskOut(p *portal) string { return filepath.Join(b.work, "out-"+p.size) }

// buildInRAM builds the same portals into memory, where there is a RAM
// disk: what a build itself costs, without this machine's disk. This
// machine's speed drifts by a fifth within minutes, so each is run several
// times, the sizes taking turns, and the median is the figure.
func (b *bench) buildInRAM(portals []*portal) error {
	if st, err := os.Stat("/dev/shm"); err != nil || !st.IsDir() {
		return nil
	}
	for range b.ramRuns {
		for _, p := range portals {
			b.buildSTPInRAM(p)
		}
	}
	for _, p := range portals {
		p.ram, p.ramLo, p.ramHi = p.ramRuns.median()
	}
	return nil
}

// buildSTPInRAM adds one in-RAM build to p's runs. A build that fails here,
// after the same build succeeded on disk, is left out of them.
func (b *bench) buildSTPInRAM(p *portal) {
	dir, err := os.MkdirTemp("/dev/shm", "stp-bench-")
	if err != nil {
		return
	}
	defer os.RemoveAll(dir)
	syncDisk()
	if run, err := timedBuild(b.stp, p.dir, filepath.Join(dir, "out"), p.now); err == nil {
		p.ramRuns = append(p.ramRuns, run)
	}
}

// rebuildOverSpare builds each portal twice more over its cold output: the
// first keeps the output it replaces as the spare, and the second, timed,
// is written over that spare, as every rebuild after the first is.
func (b *bench) rebuildOverSpare(portals []*portal) error {
	for _, p := range portals {
		out := b.diskOut(p)
		for range 2 {
			syncDisk()
			var err error
			if p.warm, err = timedBuild(b.stp, p.dir, out, p.now); err != nil {
				return fmt.Errorf("%s: %w", p.size, err)
			}
		}
		if !b.keep {
			_ = os.RemoveAll(out)
			_ = os.RemoveAll(output.SparePath(out))
		}
	}
	return nil
}

// devPortal is the portal the dev server is timed on: the last synthetic
// one of at most sideBySideMax documents, or nil.
func devPortal(portals []*portal) *portal {
	var dev *portal
	for _, p := range portals {
		if p.documents > 0 && p.documents <= sideBySideMax {
			dev = p
		}
	}
	return dev
}

// buildStp builds stp from the repository at root into dir, as a user
// does (go build reads the PGO profile beside its main package).
func buildStp(root, dir string) (string, error) {
	bin := filepath.Join(dir, "stp")
	cmd := exec.Command("go", "build", "-o", bin, "./generator/cmd/stp")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./generator/cmd/stp in %s: %v\n%s", root, err, out)
	}
	return bin, nil
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
