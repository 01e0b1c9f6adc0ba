package site_test

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"testing"

	files "github.com/stp-portal/stp/generator/internal/sitetest"

	"github.com/stp-portal/stp/generator/site"
	"github.com/stp-portal/stp/generator/site/sitetest"
)

// TestBuildOverSpare: stp build writes over the output before the last
// one, kept as a spare. Whatever the spare holds (the same site, another
// version of it, or half of a failed build), the result is the tree a
// fresh build makes, folder for folder and byte for byte; a build of an
// unchanged site writes none of its pages again.
func TestBuildOverSpare(t *testing.T) {
	s := sitetest.New(t, small)
	dir := s.Root
	cat := filepath.Join(dir, "catalog.yaml")
	v1, err := os.ReadFile(cat)
	if err != nil {
		t.Fatal(err)
	}
	// v2: a series renamed (its folder goes, another comes), a summary
	// changed, a file's bytes changed; v3 fails while rendering pages.
	v2 := bytes.Replace(v1, []byte("  - id: jp-health"), []byte("  - id: jp-health-2"), 1)
	v2 = bytes.Replace(v2, []byte("Everyone may read this."), []byte("Anyone may read this."), 1)
	pdf := filepath.Join(dir, "content", "files", "open.pdf")
	page := filepath.Join(dir, "layouts", "page.html")
	layout, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	versions := map[string]func(){
		"v1": func() {
			files.WriteFile(t, cat, v1)
			files.WriteFile(t, pdf, []byte("%PDF-1.4 open"))
			files.WriteFile(t, page, layout)
		},
		"v2": func() {
			files.WriteFile(t, cat, v2)
			files.WriteFile(t, pdf, []byte("%PDF-1.4 open, revised"))
			files.WriteFile(t, page, layout)
		},
		"v3": func() {
			files.WriteFile(t, cat, v2)
			files.WriteFile(t, page, bytes.Replace(layout, []byte("{{.Content.Body}}"), []byte("{{.Content.Bodyy}}"), 1))
		},
	}
	// What a fresh build of each good version makes.
	fresh := map[string]map[string]string{}
	for _, v := range []string{"v1", "v2"} {
		versions[v]()
		out := filepath.Join(t.TempDir(), "public")
		if _, err := site.Build(site.Options{Root: dir, Out: out, Now: day(t, "2025-02-10")}); err != nil {
			t.Fatal(err)
		}
		fresh[v] = sitetest.Tree(t, out)
	}
	out := filepath.Join(dir, "public")
	spare := filepath.Join(dir, ".public.stp-spare")
	for i, v := range []string{"v1", "v2", "v1", "v1", "v2", "v3", "v1", "v2"} {
		versions[v]()
		res, err := site.Build(site.Options{Root: dir, Out: out, Now: day(t, "2025-02-10")})
		if v == "v3" {
			if err == nil {
				t.Fatalf("build %d (%s) succeeded", i, v)
			}
			continue
		}
		if err != nil {
			t.Fatalf("build %d (%s): %v", i, v, err)
		}
		if got := sitetest.Tree(t, out); !maps.Equal(got, fresh[v]) {
			t.Errorf("build %d (%s) over the spare differs from a fresh build:\n%s", i, v, sitetest.TreeDiff(got, fresh[v]))
		}
		if _, err := os.Stat(filepath.Join(dir, ".public.stp-old")); !os.IsNotExist(err) {
			t.Errorf("build %d left the old output aside: %v", i, err)
		}
		// Build 2 is v1 over a spare holding build 0's v1.
		if i == 2 && res.Kept < res.Pages {
			t.Errorf("an unchanged rebuild kept %d outputs of %d pages; want every page kept", res.Kept, res.Pages)
		}
		if i == 0 && res.Kept != 0 {
			t.Errorf("the first build kept %d outputs", res.Kept)
		}
	}
	if st, err := os.Stat(spare); err != nil || !st.IsDir() {
		t.Fatalf("no spare kept beside the output: %v", err)
	}
	// A link in the spare is replaced, not followed, even when what it
	// points at has the right bytes.
	page404, err := os.ReadFile(filepath.Join(out, "404.html"))
	if err != nil {
		t.Fatal(err)
	}
	elsewhere := filepath.Join(t.TempDir(), "404.html")
	files.WriteFile(t, elsewhere, page404)
	if err := os.Remove(filepath.Join(spare, "404.html")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(spare, "404.html")); err != nil {
		t.Fatal(err)
	}
	if _, err := site.Build(site.Options{Root: dir, Out: out, Now: day(t, "2025-02-10")}); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(filepath.Join(out, "404.html")); err != nil || !st.Mode().IsRegular() {
		t.Errorf("404.html over a link in the spare: %v, %v; want a regular file", st.Mode(), err)
	}
}
