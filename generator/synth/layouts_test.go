package synth

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCopyLayouts(t *testing.T) {
	src := t.TempDir()
	if err := os.MkdirAll(filepath.Join(src, "partials"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"page.html": "page", "partials/footer.html": "footer"} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("page.html", filepath.Join(src, "link.html")); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// A file of the same name is overwritten.
	if err := os.MkdirAll(filepath.Join(dir, "layouts"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "layouts", "page.html"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CopyLayouts(dir, src); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"page.html": "page", "partials/footer.html": "footer"} {
		if got, err := os.ReadFile(filepath.Join(dir, "layouts", name)); err != nil || string(got) != want {
			t.Errorf("layouts/%s = %q, %v; want %q", name, got, err, want)
		}
	}
	if _, err := os.Lstat(filepath.Join(dir, "layouts", "link.html")); !os.IsNotExist(err) {
		t.Errorf("the symbolic link was copied (%v)", err)
	}
}
