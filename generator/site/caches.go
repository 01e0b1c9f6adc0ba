package site

import (
	"bytes"
	"fmt"
	"html/template"

	"github.com/stp-portal/stp/generator/catalog"
	"github.com/stp-portal/stp/generator/site/output"
)

// caches are what one pass leaves for the next, so that a rebuild redoes
// only what an edit touched. A pass reads the last pass's caches (prev,
// never written) and fills its own (next), which runPass returns; a
// Rebuilder keeps them only when the pass succeeded. Build and Check start
// from empty caches.
type caches struct {
	cat *catalog.Catalog
	// files remembers the size, time and SHA-256 of published files.
	files map[string]output.Stamp
	// rows and json cache each area's list rows and catalog.json entries
	// by document key; descs rendered descriptions by their Markdown.
	rows [2]map[uint64]template.HTML
	json [2]map[uint64][]byte
	// docKeys remembers each document's key and what else it hashed.
	docKeys [2]map[*catalog.Document]keyMemo
	descs   map[string]description
	// gate is what public content may not link or name, as of the
	// catalog.
	gate *gate
	// global hashes what every page shows (rows depend on it); linksKey
	// where Markdown links lead (descriptions depend on it).
	global, linksKey uint64
	// keys are the input hashes of the pass's outputs; outputs holds every
	// file it wrote, pages or not.
	keys    map[string]uint64
	outputs map[string]bool
	// lists are the pass's list plans, by area and path.
	lists map[string]listPlan
	// pages counts the pass's outputs before folder placeholders, and
	// missing are the folders that then had no index page.
	pages   int
	missing []string
}

// listPlan is what a build planned for one list: the hash of its members
// and its pages' outputs and keys (not the pages' data, which a dev server
// would otherwise keep alive from build to build).
type listPlan struct {
	membership uint64
	rels       []string
	keys       []uint64
}

// listUnchanged returns jobs for the last pass's pages of a list whose
// members are the same, when every one of them is in place with that key,
// so that the writer skips them without rendering.
func (c *caches) listUnchanged(key string, membership uint64) ([]output.Job, bool) {
	plan, ok := c.lists[key]
	if !ok || plan.membership != membership || c.keys == nil {
		return nil, false
	}
	out := make([]output.Job, len(plan.rels))
	for i, rel := range plan.rels {
		if plan.keys[i] == 0 || c.keys[rel] != plan.keys[i] {
			return nil, false
		}
		out[i] = output.Job{Rel: rel, Key: plan.keys[i], Render: func(*bytes.Buffer) error {
			return fmt.Errorf("internal: %s was planned as unchanged", rel)
		}}
	}
	return out, true
}

// missingIndexes returns w.MissingIndexes() and records it in next, or
// takes the last pass's answer when w wrote the same outputs.
func missingIndexes(prev, next *caches, w *output.Writer, inPlace bool) []string {
	// No output that the last build did not write, none of its folder
	// placeholders, and as many as its other outputs: the same outputs.
	written := w.Written()
	same := inPlace && w.Stats().Added == 0 && len(written) == prev.pages
	for _, dir := range prev.missing {
		same = same && !written[dir+"index.html"]
	}
	if same {
		next.pages, next.missing = prev.pages, prev.missing
	} else {
		next.pages, next.missing = len(written), w.MissingIndexes()
	}
	return next.missing
}
