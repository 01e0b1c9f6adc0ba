package site

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestBuildOverSpare: stp build writes over the output before the last
// one, kept as a spare. Whatever the spare holds (the same site, another
// version of it, or half of a failed build), the result is the tree a
// fresh build makes, folder for folder and byte for byte; a build of an
// unchanged site writes none of its pages again.
func TestBuildOverSpare(t *testing.T) {
	dir := writeSite(t, small)
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
		"v1": func() { writeFile(t, cat, v1); writeFile(t, pdf, []byte("%PDF-1.4 open")); writeFile(t, page, layout) },
		"v2": func() {
			writeFile(t, cat, v2)
			writeFile(t, pdf, []byte("%PDF-1.4 open, revised"))
			writeFile(t, page, layout)
		},
		"v3": func() {
			writeFile(t, cat, v2)
			writeFile(t, page, bytes.Replace(layout, []byte("{{.Content.Body}}"), []byte("{{.Content.Bodyy}}"), 1))
		},
	}
	// What a fresh build of each good version makes.
	fresh := map[string]map[string]string{}
	for _, v := range []string{"v1", "v2"} {
		versions[v]()
		out := filepath.Join(t.TempDir(), "public")
		if _, err := Build(Options{Root: dir, Out: out, Now: day("2025-02-10")}); err != nil {
			t.Fatal(err)
		}
		fresh[v] = tree(t, out)
	}
	out := filepath.Join(dir, "public")
	spare := filepath.Join(dir, ".public.stp-spare")
	for i, v := range []string{"v1", "v2", "v1", "v1", "v2", "v3", "v1", "v2"} {
		versions[v]()
		res, err := Build(Options{Root: dir, Out: out, Now: day("2025-02-10")})
		if v == "v3" {
			if err == nil {
				t.Fatalf("build %d (%s) succeeded", i, v)
			}
			continue
		}
		if err != nil {
			t.Fatalf("build %d (%s): %v", i, v, err)
		}
		if got := tree(t, out); !mapsEqual(got, fresh[v]) {
			t.Errorf("build %d (%s) over the spare differs from a fresh build:\n%s", i, v, treeDiff(got, fresh[v]))
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
	writeFile(t, elsewhere, page404)
	if err := os.Remove(filepath.Join(spare, "404.html")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(spare, "404.html")); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(Options{Root: dir, Out: out, Now: day("2025-02-10")}); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(filepath.Join(out, "404.html")); err != nil || !st.Mode().IsRegular() {
		t.Errorf("404.html over a link in the spare: %v, %v; want a regular file", st.Mode(), err)
	}
}

// tree maps every file and folder under out to its bytes ("/" for a
// folder).
func tree(t *testing.T, out string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		if d.IsDir() {
			m[filepath.ToSlash(rel)] = "/"
			return nil
		}
		b, err := os.ReadFile(p)
		m[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func treeDiff(got, want map[string]string) string {
	var lines []string
	for k, v := range got {
		if w, ok := want[k]; !ok {
			lines = append(lines, "extra "+k)
		} else if w != v {
			lines = append(lines, "differs "+k)
		}
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			lines = append(lines, "missing "+k)
		}
	}
	slices.Sort(lines)
	if len(lines) > 20 {
		lines = append(lines[:20], "…")
	}
	return strings.Join(lines, "\n")
}
