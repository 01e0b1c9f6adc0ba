package main

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestBenchVerdict(t *testing.T) {
	target := benchTargets["10000"]
	for _, c := range []struct {
		cold, ram buildRun
		want      string
	}{
		{buildRun{wall: 2900 * time.Millisecond, maxRSS: 700 << 20}, buildRun{wall: 2100 * time.Millisecond},
			"target for 10000 documents (at most 3s and 1024 MiB): cold build 2.9s within, in RAM 2.1s within, peak RSS 700 MiB within"},
		{buildRun{wall: 3558 * time.Millisecond, maxRSS: 1100 << 20}, buildRun{wall: 2183 * time.Millisecond},
			"target for 10000 documents (at most 3s and 1024 MiB): cold build 3.558s OVER, in RAM 2.183s within, peak RSS 1100 MiB OVER"},
		// No RAM disk: no in-RAM figure.
		{buildRun{wall: 3 * time.Second, maxRSS: 1 << 30}, buildRun{},
			"target for 10000 documents (at most 3s and 1024 MiB): cold build 3s within, peak RSS 1024 MiB within"},
	} {
		if got := target.verdict("10000", c.cold, c.ram); got != c.want {
			t.Errorf("verdict =\n%s\nwant\n%s", got, c.want)
		}
	}
	if _, ok := benchTargets["100000"]; !ok {
		t.Error("no target for 100,000 documents")
	}
}

func TestBuildRunsMedian(t *testing.T) {
	s := func(ms int) buildRun {
		return buildRun{wall: time.Duration(ms) * time.Millisecond, cpu: time.Duration(2*ms) * time.Millisecond}
	}
	for _, c := range []struct {
		runs        buildRuns
		med, lo, hi time.Duration
	}{
		{nil, 0, 0, 0},
		{buildRuns{s(2500)}, 2500 * time.Millisecond, 2500 * time.Millisecond, 2500 * time.Millisecond},
		// Out of order: the middle one by wall time, with its own CPU time.
		{buildRuns{s(3100), s(2200), s(2600)}, 2600 * time.Millisecond, 2200 * time.Millisecond, 3100 * time.Millisecond},
		// Even: the slower of the two middle ones.
		{buildRuns{s(40), s(10), s(30), s(20)}, 30 * time.Millisecond, 10 * time.Millisecond, 40 * time.Millisecond},
	} {
		med, lo, hi := c.runs.median()
		if med.wall != c.med || med.cpu != 2*c.med || lo != c.lo || hi != c.hi {
			t.Errorf("%v: median %v (CPU %v), range %v–%v; want %v, %v–%v", c.runs, med.wall, med.cpu, lo, hi, c.med, c.lo, c.hi)
		}
	}
}

func TestReferencePage(t *testing.T) {
	var buf bytes.Buffer
	if err := referenceTemplate.Execute(&buf, referenceData); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if n := strings.Count(page, "<tr>"); n != 25 {
		t.Errorf("%d rows, want 25", n)
	}
	for _, want := range []string{
		"<title>Reference &amp; list</title>",
		`<a href="/documents/reference-24/">Reference report 24 &lt;draft&gt; &amp; notes</a>`,
		"ISO/IEC 27001, SOC 2, C5",
		`<time datetime="2026-01-25">2026-01-25</time>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("reference page lacks %q:\n%s", want, page)
		}
	}
	if d := referencePage(2); d <= 0 {
		t.Errorf("referencePage(2) = %v", d)
	}
}

// TestSideBySide checks the figures of the side-by-side rounds: medians
// and ranges of wall and CPU time taken apart, STP without its index
// estimated from the profile's share, and the like-for-like ratio.
func TestSideBySide(t *testing.T) {
	r := func(wall, cpu int) buildRun {
		return buildRun{wall: time.Duration(wall) * time.Millisecond, cpu: time.Duration(cpu) * time.Millisecond}
	}
	s := &sideBySide{runs: map[string]buildRuns{
		// The median wall time's build is not the median CPU time's.
		stpBuilder: {r(4000, 9000), r(3000, 8000), r(3500, 10000), r(5000, 7000), r(3800, 8500)},
		expertTwin: {r(8000, 16000), r(7600, 17000), r(9000, 15000), r(7000, 18000), r(8400, 16500)},
		naiveTwin:  {r(16000, 30000)},
	}, searchShare: 0.2}
	if got, want := spreadOf(s.runs[stpBuilder], wallOf).String(), "3.80 s (3.00–5.00 s)"; got != want {
		t.Errorf("wall: %s, want %s", got, want)
	}
	if got, want := spreadOf(s.runs[stpBuilder], cpuOf).String(), "8.50 s (7.00–10.00 s)"; got != want {
		t.Errorf("CPU: %s, want %s", got, want)
	}
	if got, want := s.withoutSearch().String(), "6.80 s (5.60–8.00 s)"; got != want {
		t.Errorf("without search: %s, want %s", got, want)
	}
	want := "like for like, against the expert twin: STP is 2.1× as fast in wall time and uses 1.9× less CPU time with its search index, 2.4× less without it (estimated)"
	if got := s.ratioLine(); got != want {
		t.Errorf("ratio:\n%s\nwant\n%s", got, want)
	}
	// Without the expert twin, the naive one; without a profile, no estimate.
	delete(s.runs, expertTwin)
	s.searchShare = 0
	want = "like for like, against the naive twin: STP is 4.2× as fast in wall time and uses 3.5× less CPU time with its search index"
	if got := s.ratioLine(); got != want {
		t.Errorf("ratio:\n%s\nwant\n%s", got, want)
	}
	if got := spreadOf(nil, wallOf).String(); got != "—" {
		t.Errorf("no runs: %s", got)
	}
}

// TestShownShare reads the share of the search index from go tool pprof's
// header.
func TestShownShare(t *testing.T) {
	top := "Active filters:\n   focus=writeSearchIndexes\nShowing nodes accounting for 1.74s, 19.12% of 9.10s total\n      flat  flat%"
	m := shownShare.FindStringSubmatch(top)
	if m == nil || m[1] != "19.12" {
		t.Errorf("share: %q", m)
	}
}

func TestParseFlagsHugo(t *testing.T) {
	o, ok := parseFlags([]string{"-hugo", "h", "-hugo-twins", "expert", "-gc", "tuned,default", "-rounds", "7"}, io.Discard)
	if !ok || !slices.Equal(o.twins, []string{expertTwin}) || !slices.Equal(o.gcs, []string{"tuned", "default"}) || o.rounds != 7 {
		t.Errorf("parsed %+v, %v", o, ok)
	}
	o, ok = parseFlags(nil, io.Discard)
	if !ok || !slices.Equal(o.twins, []string{naiveTwin, expertTwin}) || !slices.Equal(o.gcs, []string{"tuned"}) || o.rounds != 5 {
		t.Errorf("defaults %+v, %v", o, ok)
	}
	for _, bad := range [][]string{{"-hugo-twins", "clever"}, {"-hugo-twins", "expert,expert"}, {"-gc", "fast"}, {"-rounds", "0"}} {
		if _, ok := parseFlags(bad, io.Discard); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}
