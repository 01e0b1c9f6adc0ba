package main

import (
	"cmp"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// buildRun is what one build took.
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

// timedBuild times `stp build` of site into out as of now.
func timedBuild(stp, site, out, now string) (buildRun, error) {
	return timed(exec.Command(stp, "build", "--root", site, "--out", out, "--now", now))
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
