package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/stp-portal/stp/generator/devserver"
	sitepkg "github.com/stp-portal/stp/generator/site"
	"github.com/stp-portal/stp/generator/synth"
)

// benchDev measures the dev server: from saving an edit to the reload
// signal, for one document in catalog.yaml and for a layout, each repeated.
// Both files are restored at the end.
func benchDev(site, now string, stdout io.Writer) error {
	day, _ := time.Parse(time.DateOnly, now)
	out, err := os.MkdirTemp("", "stp-bench-dev-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(out)
	d, stop, err := startDevServer(site, out, day)
	if err != nil {
		return err
	}
	defer stop()

	doc, err := newCatalogEdit(site, day)
	if err != nil {
		return err
	}
	defer doc.restore()
	// The edited document's page is open in a "browser".
	var done func()
	d.events, done = d.srv.Subscribe("/documents/" + doc.series + "/")
	defer done()
	layout, err := newLayoutEdit(site)
	if err != nil {
		return err
	}
	defer layout.restore()

	docFigures, err := d.measure(7, doc.edit)
	if err != nil {
		return err
	}
	layoutFigures, err := d.measure(3, layout.edit)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "dev server on %s: first build %s\n", site, d.first.Round(time.Millisecond))
	fmt.Fprintf(stdout, "  (the edited document's page open; the reload signal comes once it is written;\n")
	fmt.Fprintf(stdout, "   \"in the server\" leaves out the file watcher and the %s debounce)\n", devserver.Debounce)
	fmt.Fprintln(stdout, docFigures.line("one-document edit → reload signal: "))
	fmt.Fprintln(stdout, layoutFigures.line("layout edit → reload signal:       "))
	return nil
}

// catalogEdit adds a few words to a current document's summary in a
// portal's catalog.yaml.
type catalogEdit struct {
	path   string
	orig   []byte
	at     int    // where the summary's text starts
	series string // the document's
}

func newCatalogEdit(site string, now time.Time) (catalogEdit, error) {
	e := catalogEdit{path: filepath.Join(site, "catalog.yaml")}
	var err error
	if e.orig, err = os.ReadFile(e.path); err != nil {
		return e, err
	}
	e.at, e.series, err = synth.CurrentSummary(e.orig, now)
	return e, err
}

// edit saves as editors do: a temporary file written, then renamed over
// the catalog (the save).
func (e catalogEdit) edit(i int) (save func() error, err error) {
	edited := append(append(append([]byte{}, e.orig[:e.at]...), fmt.Sprintf("Edit %d. ", i)...), e.orig[e.at:]...)
	tmp := e.path + ".tmp~"
	if err := os.WriteFile(tmp, edited, 0o644); err != nil {
		return nil, err
	}
	time.Sleep(50 * time.Millisecond) // the temporary file's events have passed
	return func() error { return os.Rename(tmp, e.path) }, nil
}

func (e catalogEdit) restore() { _ = os.WriteFile(e.path, e.orig, 0o644) }

// layoutEdit adds a template comment to the footer partial, which every
// page uses.
type layoutEdit struct {
	path string
	orig []byte
}

func newLayoutEdit(site string) (layoutEdit, error) {
	e := layoutEdit{path: filepath.Join(site, "layouts", "partials", "footer.html")}
	var err error
	e.orig, err = os.ReadFile(e.path)
	return e, err
}

func (e layoutEdit) edit(i int) (save func() error, err error) {
	return func() error {
		return os.WriteFile(e.path, append(append([]byte{}, e.orig...), fmt.Sprintf("{{/* edit %d */}}\n", i)...), 0o644)
	}, nil
}

func (e layoutEdit) restore() { _ = os.WriteFile(e.path, e.orig, 0o644) }

// devSession is a running dev server with one page open.
type devSession struct {
	srv    *devserver.Server
	first  time.Duration // its first build
	events <-chan devserver.Event
}

// startDevServer starts the dev server on site, building into out as of
// day, and its file watcher until stop is called.
func startDevServer(site, out string, day time.Time) (d *devSession, stop func(), err error) {
	start := time.Now()
	srv, err := devserver.New(devserver.Options{Build: sitepkg.Options{Root: site, Out: out, Now: day}})
	if err != nil {
		return nil, nil, err
	}
	d = &devSession{srv: srv, first: time.Since(start)}
	srv.WaitIndex()
	done := make(chan struct{})
	go func() { _ = srv.Watch(done) }()
	// The cold builds before left hundreds of megabytes for the disk to
	// write back; let it, so that the edits are timed on a quiet disk.
	syncDisk()
	time.Sleep(200 * time.Millisecond) // the watcher is set up
	return d, func() { close(done) }, nil
}

// next waits for the open page's next event.
func (d *devSession) next() (devserver.Event, error) {
	select {
	case ev := <-d.events:
		if ev.Type == "error" {
			return ev, fmt.Errorf("build failed: %+v", ev.Problems)
		}
		return ev, nil
	case <-time.After(60 * time.Second):
		return devserver.Event{}, errors.New("no reload within 60 s")
	}
}

// devFigures are n saves' times to the reload signal, to the end of the
// rebuild (later when the open page went first), and the part the server
// reported, and how many outputs each rebuild rendered.
type devFigures struct {
	signal, done, server []time.Duration
	rendered             []int
}

// measure makes n edits and times each save; edit prepares edit i and
// returns the save itself, timed from its start.
func (d *devSession) measure(n int, edit func(i int) (save func() error, err error)) (devFigures, error) {
	var f devFigures
	for i := range n {
		save, err := edit(i)
		if err != nil {
			return f, err
		}
		t0 := time.Now()
		if err := save(); err != nil {
			return f, err
		}
		ev, err := d.next()
		if err != nil {
			return f, err
		}
		f.signal = append(f.signal, time.Since(t0))
		f.server = append(f.server, time.Duration(ev.Took*float64(time.Millisecond)))
		if ev.Partial {
			if ev, err = d.next(); err != nil {
				return f, err
			}
		}
		f.done = append(f.done, time.Since(t0))
		f.rendered = append(f.rendered, ev.Rendered)
		d.srv.WaitIndex()
		time.Sleep(100 * time.Millisecond)
	}
	return f, nil
}

// line is the figures' line of the report, after the label.
func (f devFigures) line(label string) string {
	r := func(d time.Duration) time.Duration { return d.Round(100 * time.Microsecond) }
	return fmt.Sprintf("  %smedian %s (in the server %s), max %s; rebuild done: median %s (%d outputs rendered)",
		label, r(median(f.signal)), r(median(f.server)), r(slices.Max(f.signal)), r(median(f.done)), f.rendered[0])
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
