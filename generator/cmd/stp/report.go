package main

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"sync"
	"time"

	"github.com/stp-portal/stp/generator/diag"
	"github.com/stp-portal/stp/generator/site"
)

// floodShown is how many warnings of one kind are printed before the rest
// are counted: a large catalog can have a thousand of the same, and the
// summary after them would scroll away.
const floodShown = 3

var (
	quotedText = regexp.MustCompile(`"[^"]*"|\([^)]*\)`)
	digits     = regexp.MustCompile(`[0-9]+`)
)

// warningKind is what warnings of one kind share: their message without
// the names, ids, numbers and asides ("(today)") in it.
func warningKind(p *diag.Problem) string {
	return digits.ReplaceAllString(quotedText.ReplaceAllString(p.Message, `"…"`), "0")
}

// printProblems prints problems one a line. Unless all, a kind of warning
// found more than floodShown times shows its first floodShown, then a line
// that counts the rest.
func printProblems(w io.Writer, problems diag.Problems, all bool) {
	count := map[string]int{}
	if !all {
		for _, p := range problems {
			if p.Warning {
				count[warningKind(p)]++
			}
		}
	}
	shown := map[string]int{}
	for _, p := range problems {
		if !p.Warning || all || count[warningKind(p)] <= floodShown {
			fmt.Fprintln(w, p)
			continue
		}
		k := warningKind(p)
		shown[k]++
		switch n := shown[k]; {
		case n < floodShown:
			fmt.Fprintln(w, p)
		case n == floodShown:
			fmt.Fprintln(w, p)
			fmt.Fprintf(w, "… and %d more like this (stp check --all lists them)\n", count[k]-floodShown)
		}
	}
}

// isTerminal says whether w is a terminal, where a progress line may
// rewrite itself; a CI log gets none.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// showProgress prints, on a terminal, what a build is doing on one line
// that rewrites itself, once it has taken more than a second; stop clears
// the line. Elsewhere it does nothing.
func showProgress(w io.Writer, cmd string, p *site.Progress) (stop func()) {
	if !isTerminal(w) {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		start := time.Now()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		printed := false
		for {
			select {
			case <-done:
				if printed {
					fmt.Fprint(w, "\r\033[K")
				}
				return
			case now := <-tick.C:
				if now.Sub(start) < time.Second {
					continue
				}
				phase, n, total := p.Now()
				line := fmt.Sprintf("%s: %s", cmd, phase)
				if phase == "writing pages" && total > 0 {
					line += fmt.Sprintf(", %d of %d written", n, total)
				}
				fmt.Fprintf(w, "\r\033[K%s (%.0fs)", line, now.Sub(start).Seconds())
				printed = true
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			wg.Wait()
		})
	}
}
