package main

import (
	"bytes"
	"cmp"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/stp-portal/stp/generator/devserver"
	sitepkg "github.com/stp-portal/stp/generator/site"
	"github.com/stp-portal/stp/generator/synth"
)

// runBench builds the sample and synthetic portals in a child process each
// time, so that wall time and peak memory are the build's own, and prints a
// table. Figures from one run are comparable with each other; machines are
// shared and noisy, so compare ratios rather than absolute times across runs.
func runBench(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stpbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("sizes", "sample,10000,100000", "comma-separated: sample, or a number of synthetic documents")
	root := fs.String("root", ".", "the repository (for the sample and layouts/)")
	keep := fs.Bool("keep", false, "keep the synthetic sites and their output")
	dev := fs.Bool("dev", true, "also time the dev server's edit-to-reload on the largest synthetic site up to 10,000 documents")
	ramRuns := fs.Int("ram-runs", 3, "in-RAM builds of each site: the table shows their median and range")
	hugo := fs.String("hugo", "", "a hugo binary: also build the same documents with Hugo (synthetic sites up to 10,000 documents), taking turns with STP's in-RAM builds")
	stp := fs.String("stp", "", "the stp binary to time (default: one go build makes from ROOT/generator/cmd/stp)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *ramRuns < 1 {
		fmt.Fprintln(stderr, "stpbench: -ram-runs must be at least 1")
		return 2
	}
	work, err := os.MkdirTemp("", "stp-bench-")
	if err != nil {
		fmt.Fprintln(stderr, "stpbench:", err)
		return 1
	}
	if !*keep {
		defer os.RemoveAll(work)
	}
	self := *stp
	if self == "" {
		if self, err = buildStp(*root, work); err != nil {
			fmt.Fprintln(stderr, "stpbench:", err)
			return 1
		}
	}
	devSite, devNow := "", ""
	// This machine's disk makes a new inode slowly for minutes after many
	// were deleted (ext4 skips recently freed ones one by one), so every
	// cold build runs before any output is deleted or replaced, and the
	// disk's state is measured first.
	fmt.Fprintf(stdout, "disk: %s per new folder and file in %s now (a quiet disk: about 20 µs)\n", inodeCost(work), work)
	fmt.Fprintf(stdout, "cpu: %s per reference page on each core before the builds\n", referencePage(referencePages))
	type sized struct {
		size, site, now, docs string
		writeTime             time.Duration
		cold, ram, warm       buildRun
		ramRuns               buildRuns // ram is their median
		ramLo, ramHi          time.Duration
		pages                 int
		bytes                 int64
		hugoSite              string    // the same documents as a Hugo project, with -hugo
		hugoRuns              buildRuns // its in-RAM builds, taking turns with STP's
		hugoPages             int
		hugoBytes             int64
	}
	hugoVersion := ""
	if *hugo != "" {
		out, err := exec.Command(*hugo, "version").Output()
		if err != nil {
			fmt.Fprintf(stderr, "stpbench: %s version: %v\n", *hugo, err)
			return 1
		}
		hugoVersion, _, _ = strings.Cut(strings.TrimSpace(string(out)), " linux")
	}
	var runs []*sized
	for _, size := range strings.Split(*sizes, ",") {
		r := &sized{size: size, site: *root, now: "2026-11-27", docs: "sample"}
		if size != "sample" {
			n, err := strconv.Atoi(size)
			if err != nil || n <= 0 {
				fmt.Fprintf(stderr, "stpbench: bad size %q\n", size)
				return 2
			}
			r.site, r.docs = filepath.Join(work, size), size
			start := time.Now()
			if err := synth.Write(r.site, synth.Options{Documents: n, Regions: 8, Industries: 12, Seed: 1}); err != nil {
				fmt.Fprintln(stderr, "stpbench:", err)
				return 1
			}
			r.writeTime = time.Since(start)
			if *hugo != "" && n <= 10_000 {
				r.hugoSite = filepath.Join(work, "hugo-"+size)
				if err := synth.WriteHugo(r.hugoSite, synth.Options{Documents: n, Regions: 8, Industries: 12, Seed: 1}); err != nil {
					fmt.Fprintln(stderr, "stpbench:", err)
					return 1
				}
			}
			if err := copyDir(filepath.Join(*root, "layouts"), filepath.Join(r.site, "layouts")); err != nil {
				fmt.Fprintln(stderr, "stpbench:", err)
				return 1
			}
			r.now = synth.Today().Format(time.DateOnly)
			if n <= 10_000 {
				devSite, devNow = r.site, r.now
			}
		}
		// Each build starts on a disk that has written back what came
		// before (the synthetic site, the previous build), so that it is
		// timed on its own.
		syncDisk()
		var err error
		if r.cold, err = timedBuild(self, r.site, filepath.Join(work, "out-"+size), r.now); err != nil {
			fmt.Fprintf(stderr, "stpbench: %s: %v\n", size, err)
			return 1
		}
		r.pages, r.bytes = treeSize(filepath.Join(work, "out-"+size))
		runs = append(runs, r)
	}
	// The same builds into memory, where there is a RAM disk: what a build
	// itself costs, without this machine's disk. This machine's speed
	// drifts by a fifth within minutes, so each is run several times, the
	// sizes taking turns, and the median is the figure.
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		for range *ramRuns {
			for _, r := range runs {
				if dir, err := os.MkdirTemp("/dev/shm", "stp-bench-"); err == nil {
					syncDisk()
					if run, err := timedBuild(self, r.site, filepath.Join(dir, "out"), r.now); err == nil {
						r.ramRuns = append(r.ramRuns, run)
					}
					_ = os.RemoveAll(dir)
				}
				if r.hugoSite == "" {
					continue
				}
				if dir, err := os.MkdirTemp("/dev/shm", "stp-bench-hugo-"); err == nil {
					syncDisk()
					out := filepath.Join(dir, "out")
					run, err := timed(exec.Command(*hugo, "--source", r.hugoSite, "--destination", out, "--cacheDir", filepath.Join(dir, "cache"), "--quiet"))
					if err != nil {
						fmt.Fprintf(stderr, "stpbench: hugo on %s: %v\n", r.size, err)
						return 1
					}
					r.hugoRuns = append(r.hugoRuns, run)
					r.hugoPages, r.hugoBytes = treeSize(out)
					_ = os.RemoveAll(dir)
				}
			}
		}
		for _, r := range runs {
			r.ram, r.ramLo, r.ramHi = r.ramRuns.median()
		}
	}
	// Then each build twice more over its output: the first keeps the
	// output it replaces as the spare, and the second, timed, is written
	// over that spare, as every rebuild after the first is.
	for _, r := range runs {
		out := filepath.Join(work, "out-"+r.size)
		for range 2 {
			syncDisk()
			var err error
			if r.warm, err = timedBuild(self, r.site, out, r.now); err != nil {
				fmt.Fprintf(stderr, "stpbench: %s: %v\n", r.size, err)
				return 1
			}
		}
		if !*keep {
			_ = os.RemoveAll(out)
			_ = os.RemoveAll(sitepkg.SparePath(out))
		}
	}
	fmt.Fprintf(stdout, "cpu: %s per reference page on each core after them\n", referencePage(referencePages))
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "site\tdocuments\twrite catalog\tcold build\tin RAM\tCPU in RAM\tpeak RSS\trebuild\tpages\toutput\t")
	ms := func(d time.Duration) string {
		if d == 0 {
			return "—"
		}
		return d.Round(time.Millisecond).String()
	}
	ranged := false
	for _, r := range runs {
		inRAM := ms(r.ram.wall)
		if len(r.ramRuns) > 1 {
			inRAM += fmt.Sprintf(" (%s–%s)", ms(r.ramLo), ms(r.ramHi))
			ranged = true
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d MiB\t%s\t%d\t%s\t\n", r.size, r.docs, ms(r.writeTime), ms(r.cold.wall), inRAM,
			ms(r.ram.cpu), r.cold.maxRSS>>20, ms(r.warm.wall), r.pages, humanSize(r.bytes))
	}
	tw.Flush()
	if ranged {
		fmt.Fprintf(stdout, "(in RAM: the median of %d builds and their range; CPU in RAM is the median build's)\n", *ramRuns)
	}
	for _, r := range runs {
		if t, ok := benchTargets[r.size]; ok {
			fmt.Fprintln(stdout, t.verdict(r.size, r.cold, r.ram))
		}
	}
	for _, r := range runs {
		if len(r.hugoRuns) > 0 {
			fmt.Fprintln(stdout, hugoLine(hugoVersion, r.size, r.ram, r.hugoRuns, r.hugoPages, r.hugoBytes))
		}
	}
	if *dev && devSite != "" {
		if err := benchDev(devSite, devNow, stdout); err != nil {
			fmt.Fprintln(stderr, "stpbench: dev server:", err)
			return 1
		}
	}
	return 0
}

// benchTarget is what a full cold build (every page and file) of a
// synthetic portal should take on the project's 2-core build machine.
type benchTarget struct {
	wall time.Duration
	rss  int64
}

var benchTargets = map[string]benchTarget{
	"10000":  {3 * time.Second, 1 << 30},
	"100000": {30 * time.Second, 4 << 30},
}

// verdict compares a run with the target: the cold build on disk, the same
// build in RAM (what the disk adds is the machine's, but the publisher
// waits for it too), and the peak memory.
func (t benchTarget) verdict(size string, cold, ram buildRun) string {
	within := func(ok bool) string {
		if ok {
			return "within"
		}
		return "OVER"
	}
	line := fmt.Sprintf("target for %s documents (at most %s and %d MiB): cold build %s %s",
		size, t.wall, t.rss>>20, cold.wall.Round(time.Millisecond), within(cold.wall <= t.wall))
	if ram.wall > 0 {
		line += fmt.Sprintf(", in RAM %s %s", ram.wall.Round(time.Millisecond), within(ram.wall <= t.wall))
	}
	return line + fmt.Sprintf(", peak RSS %d MiB %s", cold.maxRSS>>20, within(cold.maxRSS <= t.rss))
}

// referencePages is how many pages referencePage renders on each core:
// about a second's work.
const referencePages = 1500

// referenceData is the reference page's: made once, the same every run.
var referenceData = map[string]any{"Title": "Reference & list", "Rows": func() []referenceRow {
	rows := make([]referenceRow, 25)
	for i := range rows {
		rows[i] = referenceRow{
			URL:     "/documents/reference-" + strconv.Itoa(i) + "/",
			Title:   "Reference report " + strconv.Itoa(i) + " <draft> & notes",
			Summary: strings.Repeat("What the audit covered and found. ", 5),
			Terms:   []string{"ISO/IEC 27001", "SOC 2", "C5"},
			Date:    time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC),
		}
	}
	return rows
}()}

type referenceRow struct {
	URL, Title, Summary string
	Terms               []string
	Date                time.Time
}

var referenceTemplate = template.Must(template.New("reference").Funcs(template.FuncMap{
	"day": func(t time.Time) string { return t.Format(time.DateOnly) },
}).Parse(`<!doctype html><title>{{.Title}}</title><table><caption>{{.Title}}</caption>{{range .Rows}}
<tr><th><a href="{{.URL}}">{{.Title}}</a> <span class="summary">{{.Summary}}</span></th><td>{{range $i, $t := .Terms}}{{if $i}}, {{end}}{{$t}}{{end}}</td><td><time datetime="{{day .Date}}">{{day .Date}}</time></td></tr>{{end}}
</table>`))

// referencePage times a fixed page rendered by Go's html/template on every
// core at once, n times each, and returns the time one page took: a gauge
// of how fast this shared machine is now, with none of STP's code in it,
// on the kind of work (templates, reflection, allocation) that is most of
// a build. Builds slow down with it, so it tells a slow machine from slow
// code when figures from different runs are compared.
func referencePage(n int) time.Duration {
	var wg sync.WaitGroup
	start := time.Now()
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			var buf bytes.Buffer
			for range n {
				buf.Reset()
				if err := referenceTemplate.Execute(&buf, referenceData); err != nil {
					panic(err) // the template and its data are fixed
				}
			}
		})
	}
	wg.Wait()
	return (time.Since(start) / time.Duration(n)).Round(time.Microsecond)
}

// inodeCost times making folders with a small file in each, one after the
// other, under dir: what a build pays for each of its tens of thousands.
// They stay until dir is removed: deleting 4,000 inodes here would slow
// every new inode of the cold builds that follow in dir for a minute or
// more (see runBench).
func inodeCost(dir string) time.Duration {
	probe, err := os.MkdirTemp(dir, "inodes-")
	if err != nil {
		return 0
	}
	const n = 2000
	syncDisk()
	start := time.Now()
	for i := range n {
		d := filepath.Join(probe, strconv.Itoa(i))
		if os.Mkdir(d, 0o755) != nil || os.WriteFile(filepath.Join(d, "index.html"), []byte("<!doctype html>"), 0o644) != nil {
			return 0
		}
	}
	return (time.Since(start) / (2 * n)).Round(100 * time.Nanosecond)
}

type buildRun struct {
	wall   time.Duration
	cpu    time.Duration // user and system time: steadier than wall time on a shared machine
	maxRSS int64
}

// buildRuns are the in-RAM builds of one site.
type buildRuns []buildRun

// median returns the build with the median wall time (the slower of the
// two middle ones when there is an even number), and the fastest and
// slowest wall times; all zero when there was none.
func (rs buildRuns) median() (med buildRun, lo, hi time.Duration) {
	if len(rs) == 0 {
		return buildRun{}, 0, 0
	}
	sorted := slices.SortedFunc(slices.Values(rs), func(a, b buildRun) int { return cmp.Compare(a.wall, b.wall) })
	return sorted[len(sorted)/2], sorted[0].wall, sorted[len(sorted)-1].wall
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

// timedBuild times `stp build` of site into out as of now.
func timedBuild(stp, site, out, now string) (buildRun, error) {
	return timed(exec.Command(stp, "build", "--root", site, "--out", out, "--now", now))
}

// hugoLine compares Hugo's in-RAM builds of a site's documents with STP's
// median one, measured taking turns.
func hugoLine(version, size string, stp buildRun, hugo buildRuns, pages int, bytes int64) string {
	med, lo, hi := hugo.median()
	line := fmt.Sprintf("%s on the same documents (%s, in RAM, taking turns with STP): median %s", version, size, med.wall.Round(time.Millisecond))
	if len(hugo) > 1 {
		line += fmt.Sprintf(" (%s–%s)", lo.Round(time.Millisecond), hi.Round(time.Millisecond))
	}
	line += fmt.Sprintf(", CPU %s, %d pages, %s", med.cpu.Round(time.Millisecond), pages, humanSize(bytes))
	if stp.wall > 0 && stp.cpu > 0 {
		line += fmt.Sprintf("; STP %.1f× as fast (%.1f× less CPU time)", float64(med.wall)/float64(stp.wall), float64(med.cpu)/float64(stp.cpu))
	}
	return line
}

// timed runs a build command and measures it.
func timed(cmd *exec.Cmd) (buildRun, error) {
	var errBuf strings.Builder
	cmd.Stderr = &errBuf
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return buildRun{}, fmt.Errorf("%v\n%s", err, errBuf.String())
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return buildRun{wall: wall, cpu: cpu, maxRSS: peakRSS(cmd.ProcessState)}, nil
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

// benchDev measures the dev server: from saving an edit to the reload
// signal, for one document in catalog.yaml and for a layout, each repeated.
func benchDev(site, now string, stdout io.Writer) error {
	day, _ := time.Parse(time.DateOnly, now)
	out, err := os.MkdirTemp("", "stp-bench-dev-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(out)
	start := time.Now()
	srv, err := devserver.New(devserver.Options{Build: sitepkg.Options{Root: site, Out: out, Now: day}})
	if err != nil {
		return err
	}
	first := time.Since(start)
	srv.WaitIndex()
	stop := make(chan struct{})
	defer close(stop)
	go func() { _ = srv.Watch(stop) }()
	// The cold builds before left hundreds of megabytes for the disk to
	// write back; let it, so that the edits are timed on a quiet disk.
	syncDisk()
	time.Sleep(200 * time.Millisecond) // the watcher is set up
	catPath := filepath.Join(site, "catalog.yaml")
	orig, err := os.ReadFile(catPath)
	if err != nil {
		return err
	}
	defer os.WriteFile(catPath, orig, 0o644)
	// Edit the summary of a current document, with its page open in a
	// "browser".
	at, series, err := synth.CurrentSummary(orig, day)
	if err != nil {
		return err
	}
	events, done := srv.Subscribe("/documents/" + series + "/")
	defer done()
	layout := filepath.Join(site, "layouts", "partials", "footer.html")
	layoutSrc, err := os.ReadFile(layout)
	if err != nil {
		return err
	}
	defer os.WriteFile(layout, layoutSrc, 0o644)

	next := func() (devserver.Event, error) {
		select {
		case ev := <-events:
			if ev.Type == "error" {
				return ev, fmt.Errorf("build failed: %+v", ev.Problems)
			}
			return ev, nil
		case <-time.After(60 * time.Second):
			return devserver.Event{}, errors.New("no reload within 60 s")
		}
	}
	// measure times saves to the reload signal (took) and to the end of
	// the rebuild (whole), which is later when the open page went first.
	// edit prepares edit i and returns the save itself, timed from its
	// start.
	measure := func(n int, edit func(i int) (save func() error, err error)) (took, whole, server []time.Duration, rendered []int, err error) {
		for i := range n {
			save, err := edit(i)
			if err != nil {
				return nil, nil, nil, nil, err
			}
			t0 := time.Now()
			if err := save(); err != nil {
				return nil, nil, nil, nil, err
			}
			ev, err := next()
			if err != nil {
				return nil, nil, nil, nil, err
			}
			took = append(took, time.Since(t0))
			server = append(server, time.Duration(ev.Took*float64(time.Millisecond)))
			if ev.Partial {
				if ev, err = next(); err != nil {
					return nil, nil, nil, nil, err
				}
			}
			whole = append(whole, time.Since(t0))
			rendered = append(rendered, ev.Rendered)
			srv.WaitIndex()
			time.Sleep(100 * time.Millisecond)
		}
		return took, whole, server, rendered, nil
	}
	// Saved as editors do: a temporary file written, then renamed over the
	// catalog (the save).
	docTimes, docWhole, docServer, docRendered, err := measure(7, func(i int) (func() error, error) {
		edited := append(append(append([]byte{}, orig[:at]...), fmt.Sprintf("Edit %d. ", i)...), orig[at:]...)
		tmp := catPath + ".tmp~"
		if err := os.WriteFile(tmp, edited, 0o644); err != nil {
			return nil, err
		}
		time.Sleep(50 * time.Millisecond) // the temporary file's events have passed
		return func() error { return os.Rename(tmp, catPath) }, nil
	})
	if err != nil {
		return err
	}
	layoutTimes, layoutWhole, layoutServer, layoutRendered, err := measure(3, func(i int) (func() error, error) {
		return func() error {
			return os.WriteFile(layout, append(append([]byte{}, layoutSrc...), fmt.Sprintf("{{/* edit %d */}}\n", i)...), 0o644)
		}, nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "dev server on %s: first build %s\n", site, first.Round(time.Millisecond))
	fmt.Fprintf(stdout, "  (the edited document's page open; the reload signal comes once it is written;\n")
	fmt.Fprintf(stdout, "   \"in the server\" leaves out the file watcher and the %s debounce)\n", devserver.Debounce)
	ms := func(d time.Duration) time.Duration { return d.Round(100 * time.Microsecond) }
	fmt.Fprintf(stdout, "  one-document edit → reload signal: median %s (in the server %s), max %s; rebuild done: median %s (%d outputs rendered)\n",
		ms(median(docTimes)), ms(median(docServer)), ms(slices.Max(docTimes)), ms(median(docWhole)), docRendered[0])
	fmt.Fprintf(stdout, "  layout edit → reload signal:       median %s (in the server %s), max %s; rebuild done: median %s (%d outputs rendered)\n",
		ms(median(layoutTimes)), ms(median(layoutServer)), ms(slices.Max(layoutTimes)), ms(median(layoutWhole)), layoutRendered[0])
	return nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// humanSize writes a byte count as stp build's summary line does
// (generator/cmd/stp/build.go), so that the two read alike.
func humanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
