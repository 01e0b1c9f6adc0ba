// Package site builds the portal: it loads the catalog, the Markdown pages
// and the layouts, plans every page of the gated site and of the public
// prefix, and renders them through package output, which writes them and
// swaps the result into place, so that a failed build leaves the previous
// output untouched.
//
// Three entry points, one pass: Build is a one-shot build (stp build),
// Check a build that writes nothing (stp check), and a Rebuilder builds
// the same site again and again in place (the dev server). Each runs one
// pass: load (load.go) → views (views.go) → plan (plan*.go, one planner
// per page family) → render and write (output.Writer).
package site

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/stp-portal/stp/generator/diag"
	"github.com/stp-portal/stp/generator/site/output"
	"github.com/stp-portal/stp/generator/urls"
)

// PublicPrefix is the URL prefix readable without signing in, urls.Public.
const PublicPrefix = urls.Public

// Options say what to build and where.
type Options struct {
	// Root holds catalog.yaml, content/ and layouts/.
	Root string
	// Out is the output folder, replaced as a whole on success: a folder
	// of its own, missing, empty or made by an earlier build.
	Out string
	// Now is the build date: retention, "new" badges and scheduled
	// documents are decided as of this day.
	Now time.Time
	// BaseURL overrides site.base_url, e.g. for a preview at a sub-path.
	BaseURL string
	// Preview marks every page as a preview: a banner and noindex.
	Preview bool
	// Dev adds the dev server's reload script to every page.
	Dev bool
	// Timings, when set, is told when each phase of the build ends.
	Timings io.Writer
	// AllowEmpty builds a portal with no documents when catalog.yaml
	// says documents: [] (see catalog.LoadOptions).
	AllowEmpty bool
	// Progress, when set, is kept up to date as the build goes.
	Progress *Progress
}

// Result tells what a build did.
type Result struct {
	Pages     int
	Files     int
	Documents int // listed versions
	Bytes     int64
	Warnings  diag.Problems
	// Rendered counts the outputs rendered; a rebuild skips unchanged ones.
	// Rewritten names them (published files copied are not included).
	Rendered  int
	Rewritten []string
	// Kept counts the outputs a build over an earlier one (stp build's
	// spare) found in place with the same bytes, and did not write.
	Kept     int
	Duration time.Duration
}

// Build builds the whole site into a folder next to o.Out and swaps it
// into place. Problems in the publisher's input come back as
// diag.Problems (every one found, each at file:line:col); the previous
// output is then left exactly as it was.
//
// The output before the previous one is kept beside o.Out as a hidden
// spare (output.SparePath) and the next build is written over it: files
// whose bytes are unchanged are not written again, and no folder or file
// that stays is made anew. The swap is three renames, so nothing is
// deleted but what the new build no longer has.
//
// Build moves and writes over only folders of its own, which it marks: an
// output that overlaps the site's sources, a file, a link, or a folder
// holding files it did not write is refused with an *output.Error before
// anything is written.
func Build(o Options) (*Result, error) {
	o = o.withDefaults()
	dst, err := output.Claim(o.Root, o.Out)
	if err != nil {
		return nil, err
	}
	w := output.New(dst.Spare, o.writerOptions(output.Reuse(dst.Reuse),
		output.KeepFolders(strings.TrimSuffix(searchDir, "/"), PublicPrefix+strings.TrimSuffix(searchDir, "/")))...)
	trace := newTracer(o.Timings, o.Progress)
	res, _, err := runPass(o, &caches{}, w, passOptions{trace: trace})
	if err != nil {
		return nil, err
	}
	if dst.Reuse {
		if err := w.RemoveStale(); err != nil {
			return nil, fmt.Errorf("cleaning the build folder %s: %w", dst.Spare, err)
		}
		trace.phase("stale outputs removed")
	}
	res.Kept = w.Stats().Kept
	if err := dst.Swap(); err != nil {
		return nil, err
	}
	trace.phase("swapped into place")
	return res, nil
}

// Check does all a build does, rendering every page, but writes nothing.
// It returns every problem, warnings included.
func Check(o Options) diag.Problems {
	o = o.withDefaults()
	trace := newTracer(nil, o.Progress)
	p, problems := load(o, &caches{})
	trace.phase("inputs loaded")
	if p == nil {
		return problems
	}
	p.trace = trace
	err := p.render(output.New("", o.writerOptions(output.Dry())...))
	problems = append(problems, <-p.warnings...)
	if err != nil {
		var ps diag.Problems
		if errors.As(err, &ps) {
			return append(problems, ps...)
		}
		return append(problems, &diag.Problem{Pos: diag.Pos{File: o.Root}, Message: err.Error()})
	}
	return problems
}

// Rebuilder builds the same site again and again in place, as the dev
// server does. It keeps the last build's caches (the catalog, rows, page
// keys…), so that a rebuild re-parses only the catalog entries an edit
// touched, renders only the pages whose inputs changed, writes them in
// place, and removes pages that are gone. Pages are rendered in memory
// first and written only when all succeeded, so a broken edit leaves the
// last good site (and the caches that built it) in place.
type Rebuilder struct {
	o      Options
	caches *caches
	index  *indexer
	// first and ready: see WriteFirst.
	first func() []string
	ready func(pending map[string]bool)
}

// RebuildOption sets how a Rebuilder works.
type RebuildOption func(*Rebuilder)

// OnIndexError sends errors of the background search index writes to f;
// without it they are dropped.
func OnIndexError(f func(error)) RebuildOption {
	return func(r *Rebuilder) { r.index.errs = f }
}

// WriteFirst names, through first, outputs (such as
// "regions/europe/index.html") that a rebuild renders and writes before
// all others: the pages open in a browser. ready is then called once they
// are written, with the outputs still to come, so that a dev server can
// reload those pages while the rest of the site is rendered. When the rest
// fails, the pages written first stay written and the build returns the
// error.
func WriteFirst(first func() []string, ready func(pending map[string]bool)) RebuildOption {
	return func(r *Rebuilder) { r.first, r.ready = first, ready }
}

// NewRebuilder returns a Rebuilder that writes into o.Out in place.
func NewRebuilder(o Options, opts ...RebuildOption) *Rebuilder {
	r := &Rebuilder{o: o.withDefaults(), caches: &caches{}, index: &indexer{}}
	for _, opt := range opts {
		opt(r)
	}
	return r
}

// Rebuild builds the site again. changed names the inputs that changed,
// relative to the root (e.g. "content/files/a.pdf"); nil means anything
// may have, and the first rebuild builds everything.
func (r *Rebuilder) Rebuild(changed ...string) (*Result, error) {
	prev := r.caches
	opts := []output.Option{output.InPlace(prev.keys, prev.outputs)}
	if r.first != nil && r.ready != nil {
		first := map[string]bool{}
		for _, rel := range r.first() {
			first[rel] = true
		}
		opts = append(opts, output.WriteFirst(first, r.ready))
	}
	if prev.outputs == nil {
		if _, err := output.Path(r.o.Root, r.o.Out); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(r.o.Out, 0o755); err != nil {
		return nil, err
	}
	// The stamps of published files that changed are forgotten, here and
	// not in the pass: a failed pass leaves the caches as they were.
	if changed == nil {
		prev.files = nil // re-check every file
	}
	trustFiles := changed != nil
	for _, c := range changed {
		delete(prev.files, filepath.Join(r.o.Root, filepath.FromSlash(c)))
		if strings.HasPrefix(c, "content/") && !strings.HasSuffix(c, ".md") {
			trustFiles = false
		}
	}
	w := output.New(r.o.Out, r.o.writerOptions(opts...)...)
	res, next, err := runPass(r.o, prev, w, passOptions{
		trace: newTracer(r.o.Timings, r.o.Progress), trustFiles: trustFiles, index: r.index})
	if err != nil {
		return nil, err
	}
	// Remove what the previous build wrote and this one did not (if it
	// wrote no new outputs and as many, there is none).
	if w.Stats().Added > 0 || len(next.outputs) != len(prev.outputs) {
		for rel := range prev.outputs {
			if !next.outputs[rel] {
				_ = os.Remove(filepath.Join(r.o.Out, filepath.FromSlash(rel)))
			}
		}
	}
	r.caches = next
	return res, nil
}

// WaitIndex waits for background index writes to finish.
func (r *Rebuilder) WaitIndex() { r.index.wait() }

// passOptions are what a pass needs besides the site's options.
type passOptions struct {
	trace *tracer
	// trustFiles says no published file changed since the last build.
	trustFiles bool
	// index writes the search index in the background (a Rebuilder's);
	// nil writes it beside the pages and waits for it.
	index *indexer
}

// runPass runs one pass through w: load, plan and render. It reads the
// last pass's caches, prev, and returns this one's.
func runPass(o Options, prev *caches, w *output.Writer, po passOptions) (*Result, *caches, error) {
	start := time.Now()
	p, problems := load(o, prev)
	po.trace.phase("inputs loaded")
	if p == nil {
		return nil, nil, problems
	}
	p.trace, p.trustFiles, p.indexer = po.trace, po.trustFiles, po.index
	if err := p.render(w); err != nil {
		return nil, nil, err
	}
	problems = append(problems, <-p.warnings...)
	p.next.keys = w.Keys()
	p.next.outputs = w.Written()
	st := w.Stats()
	return &Result{Warnings: problems, Pages: st.Pages, Files: st.Files, Bytes: st.Bytes,
		Documents: p.listedVersions, Rendered: st.Rendered, Rewritten: st.Rewritten, Duration: time.Since(start)}, p.next, nil
}

// writerOptions are the output options every build of o shares, then
// more.
func (o Options) writerOptions(more ...output.Option) []output.Option {
	opts := []output.Option{output.Explain(templateProblem)}
	if o.Progress != nil {
		opts = append(opts, output.Metered(meter{o.Progress}))
	}
	return append(opts, more...)
}

func (o Options) withDefaults() Options {
	if o.Root == "" {
		o.Root = "."
	}
	if o.Out == "" {
		o.Out = filepath.Join(o.Root, "public")
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	o.Now = o.Now.UTC().Truncate(24 * time.Hour)
	return o
}

// CheckSideFile refuses a file a command writes beside the build, such as
// a CPU profile, when it is one of the site's sources, is inside one, or
// is inside the output folder (which the build replaces as a whole).
func CheckSideFile(o Options, p string) error {
	o = o.withDefaults()
	return output.CheckSideFile(o.Root, o.Out, p)
}
