package synth_test

import (
	"testing"

	"github.com/stp-portal/stp/generator/catalog"
	"github.com/stp-portal/stp/generator/synth"
)

// TestLoads checks the synthetic portal against the real parser: a portal
// that did not load would benchmark nothing.
func TestLoads(t *testing.T) {
	for _, o := range []synth.Options{
		large,
		{Documents: 2_000, Regions: 30, Industries: 30, Seed: 5},
		{Documents: 0, Regions: 8, Industries: 12},
	} {
		dir := writeLarge(t)
		if o != large {
			dir = write(t, o)
		}
		// An empty portal loads only when asked for, with a warning.
		c, problems := catalog.Reload(dir, nil, catalog.LoadOptions{AllFiles: true, AllowEmpty: o.Documents == 0})
		for _, p := range problems {
			if !p.Warning || o.Documents > 0 {
				t.Error(p)
			}
		}
		if c == nil {
			continue
		}
		if len(c.Documents) != o.Documents || len(c.Regions) != o.Regions || len(c.Industries) != o.Industries {
			t.Errorf("loaded %d documents, %d regions, %d industries; want %+v", len(c.Documents), len(c.Regions), len(c.Industries), o)
		}
		listed := c.Listed(synth.Today())
		t.Logf("%d documents: %d series listed on %s", o.Documents, len(listed), synth.Today().Format("2006-01-02"))
	}
}
