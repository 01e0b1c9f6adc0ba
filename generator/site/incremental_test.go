package site_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stp-portal/stp/generator/site/output"
	"github.com/stp-portal/stp/generator/site/sitetest"
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
			s := sitetest.New(t, small).Start("2025-02-10")
			first := s.Rebuild().Result
			again := s.Rebuild().Result
			if extra := without(again.Rewritten, alwaysRendered); len(extra) > 0 {
				t.Errorf("a rebuild with no change rewrote %v", extra)
			}
			res := s.Replace(tt.file, tt.find, tt.replace).Rebuild().Result
			got := without(res.Rewritten, alwaysRendered)
			if tt.want == nil {
				if res.Rendered < first.Pages {
					t.Errorf("rendered %d outputs, want every page (%d)", res.Rendered, first.Pages)
				}
			} else if !slices.Equal(got, tt.want) {
				t.Errorf("rewrote:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			full := sitetest.Existing(t, s.Root)
			full.Options.Out = filepath.Join(t.TempDir(), "full")
			want, have := full.Build("2025-02-10").Files(), s.Files()
			// The marker of a folder Build made; the dev server's Rebuilder
			// writes into a folder of its own and needs none.
			delete(want, output.Marker)
			for _, f := range sitetest.Paths(want) {
				if have[f] != want[f] {
					t.Errorf("%s differs from a full build", f)
				}
			}
			for _, f := range sitetest.Paths(have) {
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
	s := sitetest.New(t, small).Start("2025-02-10").Rebuild()
	before := s.Files()
	src := s.Source("catalog.yaml")
	s.Replace("catalog.yaml", "regions: [japan]", "regions: [japn]")
	if _, err := s.TryRebuild(); err == nil || !strings.Contains(err.Error(), `unknown region "japn"`) {
		t.Fatalf("error %v, want the unknown region", err)
	}
	after := s.Files()
	for f, h := range before {
		if after[f] != h {
			t.Errorf("%s changed by a failed rebuild", f)
		}
	}
	s.Edit("catalog.yaml", src).Rebuild()
	// A removed document's pages and files go away.
	s.Edit("catalog.yaml", strings.Replace(src, "  - id: jp-health", "  - id: jp-health-2", 1)).Rebuild()
	if s.Exists("documents/jp-health/jp.pdf") || !s.Exists("documents/jp-health-2/jp.pdf") {
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
