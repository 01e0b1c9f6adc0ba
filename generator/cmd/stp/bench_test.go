package main

import (
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
