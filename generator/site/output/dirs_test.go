package output

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDirMaker: folders are made once each, parents first, before the
// output that needs them is waited for; a folder that cannot be made
// fails the wait; a dry run makes none.
func TestDirMaker(t *testing.T) {
	dir := t.TempDir()
	w := New(dir)
	rels := []string{"a/b/c/index.html", "a/b/index.html", "a/x/page.html", "top.html", "d/e/f/g/index.html"}
	dm := w.makeDirs(rels)
	for i, rel := range rels {
		if err := dm.wait(i); err != nil {
			t.Fatalf("wait(%d): %v", i, err)
		}
		if st, err := os.Stat(filepath.Join(dir, filepath.Dir(rel))); err != nil || !st.IsDir() {
			t.Errorf("after wait(%d), the folder of %s is missing: %v", i, rel, err)
		}
	}
	for _, d := range []string{"a", "a/b", "a/b/c", "a/x", "d/e/f/g"} {
		if !w.dirs[d] {
			t.Errorf("%s not recorded as made", d)
		}
	}

	if err := os.WriteFile(filepath.Join(dir, "blocked"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	dm = w.makeDirs([]string{"ok/index.html", "blocked/x/index.html", "later/index.html"})
	if err := dm.wait(0); err != nil {
		t.Errorf("the first output's folder: %v", err)
	}
	if err := dm.wait(2); err == nil {
		t.Error("a folder below a file was made, or its error lost")
	}

	dry := t.TempDir()
	w = New(dry, Dry())
	if err := w.makeDirs([]string{"x/y/index.html"}).wait(0); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dry, "x")); !os.IsNotExist(err) {
		t.Errorf("a dry run made a folder: %v", err)
	}
}
