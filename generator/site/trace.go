package site

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// tracer prints when each phase of a build ended, how long it took and
// how busy the CPUs were meanwhile (stp build --timings): the figures that
// tell a slow disk from slow templates on a large catalog.
type tracer struct {
	mu       sync.Mutex
	w        io.Writer
	progress *Progress
	start    time.Time
	last     time.Time
	lastCPU  time.Duration
}

func newTracer(w io.Writer, progress *Progress) *tracer {
	if w == nil && progress == nil {
		return nil
	}
	progress.setPhase("loading the catalog, pages and layouts")
	now := time.Now()
	return &tracer{w: w, progress: progress, start: now, last: now, lastCPU: cpuTime()}
}

// phase reports that the phase called name has ended. A nil tracer
// reports nothing.
func (t *tracer) phase(name string) {
	if t == nil {
		return
	}
	if next, ok := nextPhase[name]; ok {
		t.progress.setPhase(next)
	}
	if t.w == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now, cpu := time.Now(), cpuTime()
	wall := now.Sub(t.last)
	busy := ""
	if cpu > 0 && wall > 0 {
		busy = fmt.Sprintf(", CPU %3.0f%%", 100*float64(cpu-t.lastCPU)/float64(wall))
	}
	fmt.Fprintf(t.w, "%7.2fs  %-24s %6.2fs%s\n", now.Sub(t.start).Seconds(), name, wall.Seconds(), busy)
	t.last, t.lastCPU = now, cpu
}
