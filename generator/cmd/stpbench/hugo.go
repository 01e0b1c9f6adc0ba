package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/stp-portal/stp/generator/synth"
)

// The builders that take turns in the side-by-side rounds.
const (
	stpBuilder    = "STP"
	naiveTwin     = "naive"  // synth.WriteHugo: the twin as first written
	expertTwin    = "expert" // synth.WriteHugoExpert
	noSearchLabel = "STP without its search index"
)

// gcSetting is the garbage collector setting both tools run with in one
// set of rounds: the same for both, given in their environment.
type gcSetting struct {
	name string
	env  []string
}

// gcSettings are the settings -gc chooses from. "tuned" is what stp gives
// itself (generator/cmd/stp/main.go); "default" is Go's.
var gcSettings = map[string]gcSetting{
	"tuned":   {"GOGC=400 GOMEMLIMIT=3GiB", []string{"GOGC=400", "GOMEMLIMIT=3GiB"}},
	"default": {"GOGC=100, no memory limit", []string{"GOGC=100", "GOMEMLIMIT=off"}},
}

// sideBySide is one set of rounds on one portal under one GC setting.
type sideBySide struct {
	gc       gcSetting
	runs     map[string]buildRuns // by builder
	pages    map[string]int
	bytes    map[string]int64
	rowCheck string // what comparing the lists' rows found
	// searchShare is the share of an STP build's CPU samples in the search
	// index, from a profiled build after the rounds; 0 when unknown.
	searchShare float64
	loadBefore  string
	loadAfter   string
}

// writeHugoTwins writes the Hugo projects of portal p that -hugo-twins
// names, beside it.
func (b *bench) writeHugoTwins(p *portal, o synth.Options) error {
	p.hugoDirs = map[string]string{}
	for _, twin := range b.twins {
		dir := filepath.Join(b.work, "hugo-"+twin+"-"+p.size)
		var err error
		switch twin {
		case naiveTwin:
			err = synth.WriteHugo(dir, o)
		case expertTwin:
			err = synth.WriteHugoExpert(dir, p.dir, synth.Today())
		}
		if err != nil {
			return fmt.Errorf("writing the %s Hugo twin: %w", twin, err)
		}
		p.hugoDirs[twin] = dir
	}
	return nil
}

// runSideBySide builds portal p with STP and with each Hugo twin in RAM,
// taking turns, -rounds times under each -gc setting; the order of the
// builders turns round by round, so that none always follows another. The
// first round's STP and expert outputs are kept long enough to compare
// their lists' rows.
func (b *bench) runSideBySide(p *portal) error {
	if len(p.hugoDirs) == 0 {
		return nil
	}
	ram, err := os.MkdirTemp("/dev/shm", "stp-bench-side-")
	if err != nil {
		ram, err = os.MkdirTemp(b.work, "side-") // no RAM disk: both on the same disk
		if err != nil {
			return err
		}
	}
	defer os.RemoveAll(ram)
	builders := []string{stpBuilder}
	for _, twin := range b.twins {
		builders = append(builders, twin)
	}
	for _, gcName := range b.gcs {
		s := &sideBySide{gc: gcSettings[gcName], runs: map[string]buildRuns{}, pages: map[string]int{}, bytes: map[string]int64{}, loadBefore: loadAverage()}
		for round := range b.rounds {
			for i := range builders {
				who := builders[(round+i)%len(builders)]
				out := filepath.Join(ram, who)
				syncDisk()
				run, err := b.buildOnce(p, who, out, filepath.Join(ram, "cache"), s.gc.env)
				if err != nil {
					return err
				}
				s.runs[who] = append(s.runs[who], run)
				s.pages[who], s.bytes[who] = treeSize(out)
				if round > 0 || who != stpBuilder && who != expertTwin {
					_ = os.RemoveAll(out)
				}
				_ = os.RemoveAll(filepath.Join(ram, "cache"))
			}
			if round == 0 {
				s.rowCheck = compareRows(filepath.Join(ram, stpBuilder), filepath.Join(ram, expertTwin), p.hugoDirs[expertTwin] != "")
				_ = os.RemoveAll(filepath.Join(ram, stpBuilder))
				_ = os.RemoveAll(filepath.Join(ram, expertTwin))
			}
		}
		s.loadAfter = loadAverage()
		s.searchShare = b.searchShare(p, filepath.Join(ram, "profiled"), s.gc.env)
		_ = os.RemoveAll(filepath.Join(ram, "profiled"))
		p.sides = append(p.sides, s)
	}
	return nil
}

// buildOnce runs one build of p by who into out.
func (b *bench) buildOnce(p *portal, who, out, cache string, env []string) (buildRun, error) {
	var cmd *exec.Cmd
	if who == stpBuilder {
		cmd = exec.Command(b.stp, "build", "--root", p.dir, "--out", out, "--now", p.now)
	} else {
		cmd = exec.Command(b.hugo, "--source", p.hugoDirs[who], "--destination", out, "--cacheDir", cache, "--quiet")
	}
	cmd.Env = append(os.Environ(), env...)
	run, err := timed(cmd)
	if err != nil {
		return run, fmt.Errorf("%s on %s: %w", who, p.size, err)
	}
	return run, nil
}

// compareRows compares the lists' rows of STP's output and the expert
// twin's, and says what it found in a line.
func compareRows(stpOut, hugoOut string, expert bool) string {
	if !expert {
		return ""
	}
	want, err := synth.ListRows(stpOut)
	if err != nil {
		return "rows not compared: " + err.Error()
	}
	got, err := synth.ListRows(hugoOut)
	if err != nil {
		return "rows not compared: " + err.Error()
	}
	pages, rows := len(want), 0
	for _, r := range want {
		rows += len(r)
	}
	if diffs := synth.CompareListRows(want, got, "STP", "expert twin", 5); len(diffs) > 0 {
		return "ROWS DIFFER between STP and the expert twin:\n" + strings.Join(diffs, "\n")
	}
	return fmt.Sprintf("rows: STP and the expert twin write the same %d list pages (both orders, every pager page) with the same %d rows, byte for byte", pages, rows)
}

// searchFocus matches the stack frames of building the search index: the
// goroutine that builds it, the search package, Bleve, and compressing
// the index (precompress: the build's only compression when the assets'
// variants are in the cache, as after the first build).
const searchFocus = `writeSearchIndexes|generator/search\.|blevesearch|internal/precompress\.`

// shownShare reads the share of samples `go tool pprof -top` shows.
var shownShare = regexp.MustCompile(`Showing nodes accounting for \S+, ([0-9.]+)% of`)

// searchShare profiles one more STP build of p and returns the share of
// its CPU samples in the search index (0 when it cannot tell): stp has no
// way to build without the index, so STP without it is estimated from it.
func (b *bench) searchShare(p *portal, out string, env []string) float64 {
	prof := out + ".prof"
	defer os.Remove(prof)
	cmd := exec.Command(b.stp, "build", "--root", p.dir, "--out", out, "--now", p.now, "--cpuprofile", prof)
	cmd.Env = append(os.Environ(), env...)
	if _, err := timed(cmd); err != nil {
		return 0
	}
	top, err := exec.Command("go", "tool", "pprof", "-top", "-nodecount=1000000", "-nodefraction=0", "-focus="+searchFocus, prof).Output()
	if err != nil {
		return 0
	}
	m := shownShare.FindSubmatch(top)
	if m == nil {
		return 0
	}
	share, _ := strconv.ParseFloat(string(m[1]), 64)
	return share / 100
}

// loadAverage is the machine's load over the last minute, five and
// fifteen, as uptime prints it.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// spread is the median and range of one measure of some builds.
type spread struct{ med, lo, hi time.Duration }

func spreadOf(rs buildRuns, measure func(buildRun) time.Duration) spread {
	if len(rs) == 0 {
		return spread{}
	}
	ds := make([]time.Duration, len(rs))
	for i, r := range rs {
		ds[i] = measure(r)
	}
	slices.Sort(ds)
	return spread{ds[len(ds)/2], ds[0], ds[len(ds)-1]}
}

func (s spread) String() string {
	if s.med == 0 {
		return "—"
	}
	return fmt.Sprintf("%s s (%s–%s s)", secs(s.med), secs(s.lo), secs(s.hi))
}

// secs is a time in seconds to two decimals.
func secs(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) }

func wallOf(r buildRun) time.Duration { return r.wall }
func cpuOf(r buildRun) time.Duration  { return r.cpu }

// printSideBySide prints one set of rounds: a row per builder, and the
// like-for-like ratio.
func (b *bench) printSideBySide(p *portal, s *sideBySide) {
	n := len(s.runs[stpBuilder])
	fmt.Fprintf(b.stdout, "\n%s and STP on %s documents, in RAM, %d rounds taking turns, both with %s (load %s before, %s after):\n",
		b.hugoVersion, p.size, n, s.gc.name, s.loadBefore, s.loadAfter)
	tw := tabwriter.NewWriter(b.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "build\twall: median (range)\tCPU: median (range)\tpeak RSS\tpages\toutput\t")
	label := map[string]string{stpBuilder: "STP with its search index", naiveTwin: "Hugo twin as written (synth.WriteHugo)", expertTwin: "Hugo twin, expert (synth.WriteHugoExpert)"}
	for _, who := range append(slices.Clone(b.twins), stpBuilder) {
		rs := s.runs[who]
		med, _, _ := rs.median()
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d MiB\t%d\t%s\t\n", label[who], spreadOf(rs, wallOf), spreadOf(rs, cpuOf), med.maxRSS>>20, s.pages[who], humanSize(s.bytes[who]))
	}
	noSearch := s.withoutSearch()
	if noSearch.med > 0 {
		fmt.Fprintf(tw, "%s (CPU estimated)\t—\t%s\t\t\t\t\n", noSearchLabel, noSearch)
	}
	tw.Flush()
	if noSearch.med > 0 {
		fmt.Fprintf(b.stdout, "(stp cannot build without its search index: %.0f%% of a profiled STP build's CPU samples were in it, taken off STP's CPU times)\n", 100*s.searchShare)
	}
	if s.rowCheck != "" {
		fmt.Fprintln(b.stdout, s.rowCheck)
	}
	fmt.Fprintln(b.stdout, s.ratioLine())
}

// withoutSearch is STP's CPU time less the search index's share of it.
func (s *sideBySide) withoutSearch() spread {
	if s.searchShare <= 0 {
		return spread{}
	}
	c := spreadOf(s.runs[stpBuilder], cpuOf)
	scale := func(d time.Duration) time.Duration { return time.Duration(float64(d) * (1 - s.searchShare)) }
	return spread{scale(c.med), scale(c.lo), scale(c.hi)}
}

// ratioLine is the like-for-like comparison: the expert twin's medians
// over STP's, with and without the search index.
func (s *sideBySide) ratioLine() string {
	ref := expertTwin
	if _, ok := s.runs[ref]; !ok {
		ref = naiveTwin
	}
	h, st := s.runs[ref], s.runs[stpBuilder]
	if len(h) == 0 || len(st) == 0 {
		return ""
	}
	hw, hc := spreadOf(h, wallOf).med, spreadOf(h, cpuOf).med
	sw, sc := spreadOf(st, wallOf).med, spreadOf(st, cpuOf).med
	line := fmt.Sprintf("like for like, against the %s twin: STP is %.1f× as fast in wall time and uses %.1f× less CPU time with its search index",
		ref, float64(hw)/float64(sw), float64(hc)/float64(sc))
	if ns := s.withoutSearch().med; ns > 0 {
		line += fmt.Sprintf(", %.1f× less without it (estimated)", float64(hc)/float64(ns))
	}
	return line
}
