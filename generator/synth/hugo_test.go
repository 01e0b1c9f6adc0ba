package synth_test

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stp-portal/stp/generator/catalog"
	"github.com/stp-portal/stp/generator/synth"
)

// TestWriteHugo checks that the Hugo project holds what STP would list from
// the same options, read back through STP's own parser and retention rule:
// the versions, their fields and expanded taxonomies, and their files.
func TestWriteHugo(t *testing.T) {
	o := synth.Options{Documents: 600, Regions: 8, Industries: 12, Seed: 3}
	c, problems := catalog.Load(write(t, o))
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	hugo := t.TempDir()
	if err := synth.WriteHugo(hugo, o); err != nil {
		t.Fatal(err)
	}

	want := map[string]*catalog.Document{}
	for _, s := range c.Listed(synth.Today()) {
		for _, d := range s.Versions() {
			want[d.ID] = d
		}
	}
	if len(want) == 0 || len(want) == len(c.Documents) {
		t.Fatalf("%d of %d documents listed: the portal does not exercise retention", len(want), len(c.Documents))
	}
	entries, err := os.ReadDir(filepath.Join(hugo, "content", "documents"))
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".md")
		if !ok || id == "_index" {
			continue
		}
		got++
		d := want[id]
		if d == nil {
			t.Errorf("%s: in the Hugo project, but STP does not list it", id)
			continue
		}
		page, err := os.ReadFile(filepath.Join(hugo, "content", "documents", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		front, body, ok := strings.Cut(strings.TrimPrefix(string(page), "---\n"), "---\n")
		if !ok {
			t.Fatalf("%s: no front matter:\n%s", id, page)
		}
		file, err := os.ReadFile(filepath.Join(hugo, "static", "files", id+".pdf"))
		if err != nil {
			t.Error(err)
		}
		var pairs []string
		for _, r := range d.Regions {
			for _, in := range d.Industries {
				pairs = append(pairs, r+"--"+in)
			}
		}
		lines := strings.Split(front, "\n")
		for _, line := range []string{
			"title: " + strconv.Quote(d.Title),
			"date: " + strconv.Quote(d.Published.Format("2006-01-02")),
			"summary: " + strconv.Quote(d.Summary),
			"version: " + strconv.Quote(d.Version),
			"size: " + strconv.Quote(strconv.Itoa(len(file))),
			"services: [" + strings.Join(d.Services, ", ") + "]",
			"standards-by-name: [" + strings.Join(d.Standards, ", ") + "]",
			"regions: [" + strings.Join(d.Regions, ", ") + "]",
			"industries: [" + strings.Join(d.Industries, ", ") + "]",
			"pairs: [" + strings.Join(pairs, ", ") + "]",
		} {
			if !slices.Contains(lines, line) {
				t.Errorf("%s: front matter lacks %q:\n%s", id, line, front)
			}
		}
		if strings.TrimSpace(body) != strings.TrimSpace(d.Description) {
			t.Errorf("%s: body %q, want the description %q", id, body, d.Description)
		}
	}
	if got != len(want) {
		t.Errorf("the Hugo project has %d documents, STP lists %d", got, len(want))
	}

	// Every term of every taxonomy has a named page, in both orders.
	config, err := os.ReadFile(filepath.Join(hugo, "hugo.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for tax, terms := range map[string][]catalog.Term{"regions": c.Regions, "industries": c.Industries, "services": c.Services, "standards": c.Standards} {
		for _, plural := range []string{tax, tax + "-by-name"} {
			if !strings.Contains(string(config), `= "`+plural+`"`) {
				t.Errorf("hugo.toml lacks the taxonomy %s", plural)
			}
			for _, term := range terms {
				page, err := os.ReadFile(filepath.Join(hugo, "content", plural, term.ID, "_index.md"))
				if err != nil || !strings.Contains(string(page), "title: "+strconv.Quote(term.Name)) {
					t.Errorf("%s/%s: %q, %v; want its name %q", plural, term.ID, page, err, term.Name)
				}
			}
		}
	}
}
