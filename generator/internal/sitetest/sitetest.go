// Package sitetest writes small sites for tests, in the style of Hugo's
// integration tests: a txtar archive holds catalog.yaml and content/, and
// the repository's own layouts/ are added unless the archive brings some.
package sitetest

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// RepoRoot is the repository this package sits in.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// Write writes a txtar archive over dir and adds the repository's layouts/
// when dir has none. A file the archive gives with no content is deleted,
// so that an archive can describe an edit.
func Write(t testing.TB, dir, archive string) {
	t.Helper()
	for _, f := range txtar.Parse([]byte(archive)).Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if len(f.Data) == 0 {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		WriteFile(t, p, f.Data)
	}
	if _, err := os.Stat(filepath.Join(dir, "layouts")); err != nil {
		CopyTree(t, filepath.Join(RepoRoot(), "layouts"), filepath.Join(dir, "layouts"))
	}
}

// WriteFile writes a file, making its folder.
func WriteFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// CopyTree copies the files below from to to.
func CopyTree(t testing.TB, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		WriteFile(t, filepath.Join(to, rel), data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
