package main

import (
	"bytes"
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

func TestHugoLine(t *testing.T) {
	s := func(ms int) buildRun {
		return buildRun{wall: time.Duration(ms) * time.Millisecond, cpu: time.Duration(3*ms/2) * time.Millisecond}
	}
	got := hugoLine("hugo v0.165.0", "10000", s(4000), buildRuns{s(30000), s(26000), s(28000)}, 14945, 282<<20)
	want := "hugo v0.165.0 on the same documents (10000, in RAM, taking turns with STP): median 28s (26s–30s), CPU 42s, 14945 pages, 282.0 MiB; STP 7.0× as fast (7.0× less CPU time)"
	if got != want {
		t.Errorf("hugoLine =\n%s\nwant\n%s", got, want)
	}
}
