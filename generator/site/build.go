// Package site builds the portal: it loads the catalog, the Markdown pages
// and the layouts, plans every page of the gated site and of the public
// prefix, renders them in parallel and swaps the result into place, so that
// a failed build leaves the previous output untouched.
package site

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/stp-portal/stp/generator/catalog"
)

// PublicPrefix is the URL prefix readable without signing in. The proxy
// lets exactly this prefix through.
const PublicPrefix = "public/"

// Options say what to build and where.
type Options struct {
	// Root holds catalog.yaml, content/ and layouts/.
	Root string
	// Out is the output folder, replaced as a whole on success.
	Out string
	// Now is the build date: retention, "new" badges and scheduled
	// documents are decided as of this day.
	Now time.Time
	// BaseURL overrides site.base_url, e.g. for a preview at a sub-path.
	BaseURL string
	// Preview marks every page as a preview: a banner and noindex.
	Preview bool
}

// Result tells what a build did.
type Result struct {
	Pages     int
	Files     int
	Documents int // listed versions
	Bytes     int64
	Warnings  catalog.Problems
	Duration  time.Duration
}

// Build builds the whole site. Problems in the publisher's input come back
// as catalog.Problems (every one found, each at file:line:col); the previous
// output is then left as it was.
func Build(o Options) (*Result, error) {
	start := time.Now()
	o = o.withDefaults()
	s, problems := load(o)
	if s == nil {
		return nil, problems
	}
	res := &Result{Warnings: problems}

	tmp, err := os.MkdirTemp(filepath.Dir(filepath.Clean(o.Out)), "."+filepath.Base(o.Out)+".build-")
	if err != nil {
		return nil, fmt.Errorf("cannot create the build folder next to %s: %w", o.Out, err)
	}
	defer os.RemoveAll(tmp) // gone after a successful swap; cleans up after a failure
	w := newWriter(tmp)
	if err := s.render(w); err != nil {
		return nil, err
	}
	if err := swap(tmp, o.Out); err != nil {
		return nil, err
	}
	res.Pages, res.Files, res.Bytes = w.pages, w.files, w.bytes
	res.Documents = s.listedVersions
	res.Duration = time.Since(start)
	return res, nil
}

// Check does all a build does, rendering every page, but writes nothing.
// It returns every problem, warnings included.
func Check(o Options) catalog.Problems {
	o = o.withDefaults()
	s, problems := load(o)
	if s == nil {
		return problems
	}
	if err := s.render(&writer{dry: true, dirs: map[string]bool{}, written: map[string]bool{}}); err != nil {
		var ps catalog.Problems
		if errors.As(err, &ps) {
			return append(problems, ps...)
		}
		return append(problems, &catalog.Problem{Pos: catalog.Pos{File: o.Root}, Message: err.Error()})
	}
	return problems
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

// swap replaces out with the freshly built dir. The old output is moved
// aside first and removed last, so out is never half-written.
func swap(built, out string) error {
	old := ""
	if _, err := os.Stat(out); err == nil {
		old = built + ".old"
		if err := os.Rename(out, old); err != nil {
			return fmt.Errorf("cannot move the previous %s aside: %w", out, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.Rename(built, out); err != nil {
		if old != "" {
			_ = os.Rename(old, out)
		}
		return fmt.Errorf("cannot put the new build in place at %s: %w", out, err)
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

// basePath returns the path part of a base URL, always ending in "/".
func basePath(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Path == "" {
		return "/"
	}
	p := u.EscapedPath()
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}
