// Package sitetest is the harness for tests that build a site, in the
// spirit of Hugo's IntegrationTestBuilder: a small site as txtar text (or
// a shared fixture from testdata/) in, a build as of a date, assertions on
// the output files, then edits and an incremental rebuild:
//
//	s := sitetest.New(t, "small", `
//	-- content/faq.md --
//	---
//	title: FAQ
//	---
//	Questions.
//	`)
//	s.Build("2025-02-10")
//	s.AssertFile("faq/index.html", "<h1>FAQ</h1>", "! Internal notes")
//	s.Edit("content/faq.md", "---\ntitle: Help\n---\n")
//	s.Rebuild()
//	s.AssertFile("faq/index.html", "<h1>Help</h1>")
//
// The site gets the repository's layouts/ unless its files bring some.
// (Package generator/internal/sitetest only writes files; it is what this
// package writes them with, and what package site's own tests use.)
package sitetest

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	files "github.com/stp-portal/stp/generator/internal/sitetest"
	"github.com/stp-portal/stp/generator/site"
)

// Site is a site under test: its folder, the options it builds with, and
// the last build's result.
type Site struct {
	t testing.TB
	// Root is the site's folder; Out its output, Root/public unless
	// Options says otherwise.
	Root string
	// Options are what Build and Rebuild build with; Root, Out and Now
	// are filled in.
	Options site.Options
	// Result is the last build's.
	Result *site.Result

	rebuilder *site.Rebuilder
	rebuilt   bool
	// edited are the files Edit changed since the last Rebuild.
	edited []string
}

// New writes a site into a new temporary folder. Each of files is either
// the name of a fixture in this package's testdata/ ("small" for
// testdata/small.txtar) or txtar text; later ones add to and override
// earlier ones, and a file given empty is deleted; "" adds nothing.
func New(t testing.TB, fileSets ...string) *Site {
	t.Helper()
	s := &Site{t: t, Root: t.TempDir()}
	for _, set := range fileSets {
		if set != "" && !strings.Contains(set, "\n") {
			set = Fixture(t, set)
		}
		files.Write(t, s.Root, set)
	}
	s.Options = site.Options{Root: s.Root, Out: filepath.Join(s.Root, "public")}
	return s
}

// Existing is a site already on disk at root, such as the repository's
// sample; it is built into root/public unless Options.Out is changed.
func Existing(t testing.TB, root string) *Site {
	return &Site{t: t, Root: root, Options: site.Options{Root: root, Out: filepath.Join(root, "public")}}
}

// Fixture returns the text of testdata/NAME.txtar, a site shared by the
// tests of several packages.
func Fixture(t testing.TB, name string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(file), "testdata", name+".txtar"))
	if err != nil {
		t.Fatalf("fixture %q: %v", name, err)
	}
	return string(b)
}

// Out is the output folder.
func (s *Site) Out() string { return s.Options.Out }

// Build builds the whole site as of now (YYYY-MM-DD) with site.Build and
// fails the test on an error.
func (s *Site) Build(now string) *Site {
	s.t.Helper()
	if _, err := s.TryBuild(now); err != nil {
		s.t.Fatalf("build: %v", err)
	}
	return s
}

// TryBuild builds as Build does and returns the error, for a test that
// expects one.
func (s *Site) TryBuild(now string) (*site.Result, error) {
	s.t.Helper()
	s.Options.Now = Day(s.t, now)
	res, err := site.Build(s.Options)
	if err == nil {
		s.Result = res
	}
	return res, err
}

// Start makes the long-lived Rebuilder (the dev server's) that Rebuild
// uses, building as of now; opts are its options. Rebuild starts one with
// no options when there is none.
func (s *Site) Start(now string, opts ...site.RebuildOption) *Site {
	s.t.Helper()
	s.Options.Now = Day(s.t, now)
	s.rebuilder, s.rebuilt = site.NewRebuilder(s.Options, opts...), false
	s.t.Cleanup(s.rebuilder.WaitIndex) // before the folder is removed
	return s
}

// Rebuild builds the site in place with the Rebuilder, told which files
// Edit changed since the last Rebuild (the first builds everything), waits
// for the search index, and fails the test on an error.
func (s *Site) Rebuild() *Site {
	s.t.Helper()
	if _, err := s.TryRebuild(); err != nil {
		s.t.Fatalf("rebuild: %v", err)
	}
	return s
}

// TryRebuild rebuilds as Rebuild does and returns the error, for a test
// that expects one. The files edited stay to be told to the next rebuild
// when this one fails.
func (s *Site) TryRebuild() (*site.Result, error) {
	s.t.Helper()
	if s.rebuilder == nil {
		now := s.Options.Now
		if now.IsZero() {
			s.t.Fatal("sitetest: Rebuild before Build or Start: no build date")
		}
		s.Start(now.Format(time.DateOnly))
	}
	var changed []string // the first rebuild: anything may have changed
	if s.rebuilt {
		changed = append([]string{}, s.edited...)
	}
	res, err := s.rebuilder.Rebuild(changed...)
	s.rebuilder.WaitIndex()
	if err != nil {
		return nil, err
	}
	s.Result, s.edited, s.rebuilt = res, nil, true
	return res, nil
}

// Edit writes a file of the site (a path relative to its root, such as
// "content/faq.md"); empty content deletes it. The next Rebuild is told.
func (s *Site) Edit(rel, content string) *Site {
	s.t.Helper()
	p := filepath.Join(s.Root, filepath.FromSlash(rel))
	if content == "" {
		if err := os.Remove(p); err != nil {
			s.t.Fatal(err)
		}
	} else {
		files.WriteFile(s.t, p, []byte(content))
	}
	s.edited = append(s.edited, rel)
	return s
}

// Replace edits a file of the site, replacing the first old with new, and
// fails the test when old is not in it. The next Rebuild is told.
func (s *Site) Replace(rel, old, new string) *Site {
	s.t.Helper()
	src := s.Source(rel)
	if !strings.Contains(src, old) {
		s.t.Fatalf("sitetest: %q is not in %s", old, rel)
	}
	return s.Edit(rel, strings.Replace(src, old, new, 1))
}

// Source returns a file of the site, such as "catalog.yaml".
func (s *Site) Source(rel string) string {
	s.t.Helper()
	b, err := os.ReadFile(filepath.Join(s.Root, filepath.FromSlash(rel)))
	if err != nil {
		s.t.Fatal(err)
	}
	return string(b)
}

// File returns an output file's content (rel is relative to the output,
// such as "regions/europe/index.html") and fails the test when it is
// missing.
func (s *Site) File(rel string) string {
	s.t.Helper()
	b, err := os.ReadFile(filepath.Join(s.Out(), filepath.FromSlash(rel)))
	if err != nil {
		s.t.Fatalf("%s: %v", rel, err)
	}
	return string(b)
}

// Exists tells whether the output has a file or folder at rel.
func (s *Site) Exists(rel string) bool {
	_, err := os.Stat(filepath.Join(s.Out(), filepath.FromSlash(rel)))
	return err == nil
}

// AssertFile checks that the output file rel exists and holds each of
// want; a want that starts with "! " must not be in it.
func (s *Site) AssertFile(rel string, want ...string) {
	s.t.Helper()
	got := s.File(rel)
	for _, w := range want {
		if not, ok := strings.CutPrefix(w, "! "); ok {
			if strings.Contains(got, not) {
				s.t.Errorf("%s holds %q, and should not", rel, not)
			}
		} else if !strings.Contains(got, w) {
			s.t.Errorf("%s does not hold %q", rel, w)
		}
	}
}

// AssertFileExact checks that the output file rel holds exactly want.
func (s *Site) AssertFileExact(rel, want string) {
	s.t.Helper()
	if got := s.File(rel); got != want {
		s.t.Errorf("%s:\n%s\nwant:\n%s", rel, got, want)
	}
}

// AssertNoFile checks that the output has nothing at rel.
func (s *Site) AssertNoFile(rel string) {
	s.t.Helper()
	_, err := os.Stat(filepath.Join(s.Out(), filepath.FromSlash(rel)))
	if !errors.Is(err, os.ErrNotExist) {
		s.t.Errorf("%s: want no such output, have one (%v)", rel, err)
	}
}

// AssertRendered checks that the last build rendered exactly the outputs
// rels (in any order), as an incremental rebuild should.
func (s *Site) AssertRendered(rels ...string) {
	s.t.Helper()
	got := map[string]bool{}
	for _, r := range s.Result.Rewritten {
		got[r] = true
	}
	want := map[string]bool{}
	for _, r := range rels {
		want[r] = true
		if !got[r] {
			s.t.Errorf("%s was not rendered again", r)
		}
	}
	var extra bytes.Buffer
	for _, r := range s.Result.Rewritten {
		if !want[r] {
			extra.WriteString(" " + r)
		}
	}
	if extra.Len() > 0 {
		s.t.Errorf("rendered again, unexpectedly:%s", extra.String())
	}
}

// Day parses a build date, YYYY-MM-DD.
func Day(t testing.TB, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatalf("sitetest: date %q: %v", s, err)
	}
	return d
}

// Tree returns every file and folder below dir, by its "/"-separated path
// relative to dir ("." for dir itself), with its content, "/" for a
// folder: two trees are the same site when their maps are equal.
func Tree(t testing.TB, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
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

// Paths returns the files (not folders) of a Tree, sorted.
func Paths(tree map[string]string) []string {
	var out []string
	for rel, content := range tree {
		if content != "/" {
			out = append(out, rel)
		}
	}
	slices.Sort(out)
	return out
}

// TreeDiff lists, one a line, the paths two Trees disagree on: extra,
// missing, or differing in got.
func TreeDiff(got, want map[string]string) string {
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

// Files returns the output's Tree.
func (s *Site) Files() map[string]string {
	s.t.Helper()
	return Tree(s.t, s.Out())
}
