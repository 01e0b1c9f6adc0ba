package site

import (
	"sync"
	"sync/atomic"
)

// Progress tells how far a build is, for a command to show while it works
// (stp build on a terminal). A build updates it from several goroutines;
// its readers may call its methods at any time.
type Progress struct {
	mu    sync.Mutex
	phase string
	done  atomic.Int64
	total atomic.Int64
}

// Now returns what the build is doing and, while it writes, how many of
// the outputs it has planned so far are written.
func (p *Progress) Now() (phase string, done, total int64) {
	p.mu.Lock()
	phase = p.phase
	p.mu.Unlock()
	return phase, p.done.Load(), p.total.Load()
}

// nextPhase names what a build does after each phase the tracer reports.
var nextPhase = map[string]string{
	"inputs loaded":         "rendering descriptions",
	"descriptions rendered": "copying files",
	"files copied":          "planning pages",
	"pages planned":         "checking links",
	"links checked":         "writing pages",
	"pages written":         "finishing",
}

func (p *Progress) setPhase(name string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.phase = name
	p.mu.Unlock()
}

func (p *Progress) planned(n int) {
	if p != nil {
		p.total.Add(int64(n))
	}
}

func (p *Progress) written() {
	if p != nil {
		p.done.Add(1)
	}
}

// meter tells a Progress about the outputs a writer plans and writes.
type meter struct{ p *Progress }

func (m meter) Planned(n int) { m.p.planned(n) }
func (m meter) Written()      { m.p.written() }
