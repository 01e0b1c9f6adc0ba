package main

import (
	"fmt"
	"text/tabwriter"
	"time"
)

// printFigures prints the table, how the 10,000 and 100,000-document
// portals compare with their targets, and Hugo beside STP.
func (b *bench) printFigures(portals []*portal) {
	b.printTable(portals)
	for _, p := range portals {
		if t, ok := benchTargets[p.size]; ok {
			fmt.Fprintln(b.stdout, t.verdict(p.size, p.cold, p.ram))
		}
	}
	for _, p := range portals {
		for _, s := range p.sides {
			b.printSideBySide(p, s)
		}
	}
}

// printTable prints a row of figures per portal.
func (b *bench) printTable(portals []*portal) {
	tw := tabwriter.NewWriter(b.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "site\tdocuments\twrite catalog\tcold build\tin RAM\tCPU in RAM\tpeak RSS\trebuild\tpages\toutput\t")
	ranged := false
	for _, p := range portals {
		inRAM := ms(p.ram.wall)
		if len(p.ramRuns) > 1 {
			inRAM += fmt.Sprintf(" (%s–%s)", ms(p.ramLo), ms(p.ramHi))
			ranged = true
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d MiB\t%s\t%d\t%s\t\n", p.size, p.docs, ms(p.writeTime), ms(p.cold.wall), inRAM,
			ms(p.ram.cpu), p.cold.maxRSS>>20, ms(p.warm.wall), p.pages, humanSize(p.bytes))
	}
	tw.Flush()
	if ranged {
		fmt.Fprintf(b.stdout, "(in RAM: the median of %d builds and their range; CPU in RAM is the median build's)\n", b.ramRuns)
	}
}

// ms is a table cell's time: to the millisecond, a dash for none.
func ms(d time.Duration) string {
	if d == 0 {
		return "—"
	}
	return d.Round(time.Millisecond).String()
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
