package site

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stp-portal/stp/generator/catalog"
)

// alwaysRendered are the outputs every build renders: they summarise the
// whole catalog and are cheap.
var alwaysRendered = []string{
	"404.html", "catalog.json", "feed.xml", "index.html", "industries/index.html", "regions/index.html",
	"search/index.html", "services/index.html", "settings/index.html", "standards/index.html",
	"public/catalog.json", "public/feed.xml", "public/help/index.html", "public/index.html", "public/search/index.html",
}

// TestIncrementalRebuild edits one input at a time, rebuilds in place, and
// checks which outputs were rewritten and that the result is byte for byte
// what a full build of the edited site gives.
func TestIncrementalRebuild(t *testing.T) {
	tests := []struct {
		name, file, find, replace string
		// want are the rewritten outputs besides alwaysRendered; nil
		// means every page.
		want []string
	}{
		{"one document", "catalog.yaml", "summary: Health data in Japan.", "summary: Health data held in Japan.", []string{
			"documents/jp-health/index.html",
			"industries/health/by-name/index.html", "industries/health/index.html",
			"regions/japan/by-name/index.html", "regions/japan/index.html",
			"regions/japan/industries/health/by-name/index.html", "regions/japan/industries/health/index.html",
			"services/mail/by-name/index.html", "services/mail/index.html",
			"trust-documents/2025/by-name/index.html", "trust-documents/2025/index.html",
			"trust-documents/by-name/index.html", "trust-documents/index.html",
		}},
		{"a Markdown page", "content/internal.md", "For signed-in readers.", "For signed-in readers only.", []string{"internal/index.html"}},
		{"a taxonomy entry", "catalog.yaml", "{id: japan, name: Japan}", "{id: japan, name: Nippon}", nil},
		{"a partial", "layouts/partials/footer.html", "Atom feed", "Atom feed (new and updated)", nil},
		{"a layout", "layouts/document.html", "All versions", "Every version", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeSite(t, small)
			bl := NewBuilder(Options{Root: dir, Out: filepath.Join(dir, "public"), Now: day("2025-02-10")})
			t.Cleanup(bl.WaitIndex) // before the folder is removed
			first, err := bl.Build()
			if err != nil {
				t.Fatal(err)
			}
			again, err := bl.Build()
			if err != nil {
				t.Fatal(err)
			}
			bl.WaitIndex()
			if extra := without(again.Rewritten, alwaysRendered); len(extra) > 0 {
				t.Errorf("a rebuild with no change rewrote %v", extra)
			}
			path := filepath.Join(dir, filepath.FromSlash(tt.file))
			src, _ := os.ReadFile(path)
			if !strings.Contains(string(src), tt.find) {
				t.Fatalf("%q not in %s", tt.find, tt.file)
			}
			writeFile(t, path, []byte(strings.Replace(string(src), tt.find, tt.replace, 1)))
			res, err := bl.Build(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			bl.WaitIndex()
			got := without(res.Rewritten, alwaysRendered)
			if tt.want == nil {
				if res.Rendered < first.Pages {
					t.Errorf("rendered %d outputs, want every page (%d)", res.Rendered, first.Pages)
				}
			} else if !slices.Equal(got, tt.want) {
				t.Errorf("rewrote:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			full := filepath.Join(t.TempDir(), "full")
			if _, err := Build(Options{Root: dir, Out: full, Now: day("2025-02-10")}); err != nil {
				t.Fatal(err)
			}
			want, have := treeHash(t, full), treeHash(t, bl.o.Out)
			// The marker of a folder Build made; the dev server's builder
			// writes into a folder of its own and needs none.
			delete(want, OutputMarker)
			for f := range want {
				if have[f] != want[f] {
					t.Errorf("%s differs from a full build", f)
				}
			}
			for f := range have {
				if _, ok := want[f]; !ok {
					t.Errorf("%s is left over: a full build has no such file", f)
				}
			}
		})
	}
}

// TestIncrementalKeepsLastGoodSite breaks the catalog: the rebuild fails,
// the pages stay as they were, and fixing it rebuilds.
func TestIncrementalKeepsLastGoodSite(t *testing.T) {
	dir := writeSite(t, small)
	bl := NewBuilder(Options{Root: dir, Out: filepath.Join(dir, "public"), Now: day("2025-02-10")})
	t.Cleanup(bl.WaitIndex)
	if _, err := bl.Build(); err != nil {
		t.Fatal(err)
	}
	bl.WaitIndex()
	before := treeHash(t, bl.o.Out)
	cat := filepath.Join(dir, "catalog.yaml")
	src, _ := os.ReadFile(cat)
	writeFile(t, cat, []byte(strings.Replace(string(src), "regions: [japan]", "regions: [japn]", 1)))
	if _, err := bl.Build("catalog.yaml"); err == nil || !strings.Contains(err.Error(), `unknown region "japn"`) {
		t.Fatalf("error %v, want the unknown region", err)
	}
	after := treeHash(t, bl.o.Out)
	for f, h := range before {
		if after[f] != h {
			t.Errorf("%s changed by a failed rebuild", f)
		}
	}
	writeFile(t, cat, src)
	if _, err := bl.Build("catalog.yaml"); err != nil {
		t.Fatal(err)
	}
	// A removed document's pages and files go away.
	writeFile(t, cat, []byte(strings.Replace(string(src), "  - id: jp-health", "  - id: jp-health-2", 1)))
	if _, err := bl.Build("catalog.yaml"); err != nil {
		t.Fatal(err)
	}
	if exists(bl.o.Out, "documents/jp-health/jp.pdf") || !exists(bl.o.Out, "documents/jp-health-2/jp.pdf") {
		t.Errorf("renamed document's old file left behind or new one missing")
	}
}

func without(list, drop []string) []string {
	var out []string
	for _, s := range list {
		if !slices.Contains(drop, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// TestNewestIsAStableSortsPrefix checks the feed's one-pass selection
// against a stable sort, with many ties.
func TestNewestIsAStableSortsPrefix(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		docs := make([]*DocView, rng.IntN(80))
		for i := range docs {
			docs[i] = &DocView{Document: &catalog.Document{
				Published: time.Date(2025, 1, 1+rng.IntN(5), 0, 0, 0, 0, time.UTC),
				Title:     string(rune('a' + rng.IntN(3))),
			}}
		}
		n := 1 + rng.IntN(60)
		want := slices.Clone(docs)
		slices.SortStableFunc(want, newerFirst)
		want = want[:min(n, len(want))]
		if got := newest(docs, n); !slices.Equal(got, want) {
			t.Fatalf("newest(%d of %d) differs from a stable sort's first %d", n, len(docs), n)
		}
	}
}
