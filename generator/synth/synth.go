// Package synth writes synthetic service trust portals: a catalog.yaml of
// realistic compliance reports and trust documents, drawn deterministically
// from a seed, with the Markdown pages and one small PDF per document. The
// benchmarks and tests of the generator build these portals at sizes no
// hand-written fixture reaches.
package synth

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Options says how big a synthetic portal to write.
type Options struct {
	Documents  int   // e.g. 10_000 or 100_000
	Regions    int   // >= 8
	Industries int   // >= 12
	Seed       int64 // same options → same bytes
}

// Today is the date a synthetic portal is written as of: publish dates fall
// in the three years before it, a few in its last 30 days, and the newest
// version of every series is unexpired on it. Builds that want the same
// "new" marks and retention results every time use it as their clock.
func Today() time.Time { return today }

func (o Options) check() error {
	var errs []error
	if o.Documents < 0 {
		errs = append(errs, fmt.Errorf("options: Documents is %d; it cannot be negative", o.Documents))
	}
	if o.Regions < 8 {
		errs = append(errs, fmt.Errorf("options: Regions is %d; a synthetic portal needs at least 8", o.Regions))
	}
	if o.Industries < 12 {
		errs = append(errs, fmt.Errorf("options: Industries is %d; a synthetic portal needs at least 12", o.Industries))
	}
	return errors.Join(errs...)
}

// Write writes catalog.yaml and content/ (Markdown pages and the documents'
// files) of a synthetic portal into dir, and copies nothing else; the caller
// adds layouts. Files already in dir are overwritten, others left alone.
func Write(dir string, o Options) error {
	if err := o.check(); err != nil {
		return err
	}
	p := plan(o)
	return writeWithFiles(filepath.Join(dir, "content", "files"), p, func() error { return writeText(dir, p) }, nil)
}

// writeWithFiles writes every document's PDF into files while text writes
// the rest, and gives each document with its PDF to each, if not nil.
// Creating the files costs far more than templating them, so one writer
// per CPU shares the documents while text runs beside them. More writers
// made it slower: creating files in one folder serialises in the kernel.
func writeWithFiles(files string, p *portal, text func() error, each func(d *document, pdf []byte) error) error {
	if err := os.MkdirAll(files, 0o755); err != nil {
		return err
	}
	workers := runtime.GOMAXPROCS(0)
	errs := make([]error, workers+1)
	var (
		next   atomic.Int64
		failed atomic.Bool
		wg     sync.WaitGroup
	)
	wg.Go(func() {
		errs[workers] = text()
		if errs[workers] != nil {
			failed.Store(true)
		}
	})
	for w := range workers {
		wg.Go(func() {
			var buf, scratch []byte
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= len(p.documents) {
					return
				}
				d := p.documents[i]
				buf, scratch = appendPDF(buf[:0], scratch, p, d)
				err := os.WriteFile(filepath.Join(files, d.id+".pdf"), buf, 0o644)
				if err == nil && each != nil {
					err = each(d, buf)
				}
				if err != nil {
					errs[w] = err
					failed.Store(true)
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// writeText writes catalog.yaml and the Markdown pages.
func writeText(dir string, p *portal) error {
	f, err := os.Create(filepath.Join(dir, "catalog.yaml"))
	if err != nil {
		return err
	}
	if err := writeCatalog(f, p); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	for _, pg := range pages {
		if err := os.WriteFile(filepath.Join(dir, "content", pg.name), []byte(pg.text), 0o644); err != nil {
			return err
		}
	}
	return nil
}
