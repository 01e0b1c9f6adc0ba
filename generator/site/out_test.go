package site_test

import (
	"bytes"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	files "github.com/stp-portal/stp/generator/internal/sitetest"

	"github.com/stp-portal/stp/generator/site"
	"github.com/stp-portal/stp/generator/site/output"
	"github.com/stp-portal/stp/generator/site/sitetest"
)

// TestOutKilled: a build killed at any moment (kill -9) leaves the
// previous output in place or the new one, never a mix, and the next
// build finishes the job.
func TestOutKilled(t *testing.T) {
	if root := os.Getenv("STP_OUT_KILLED_ROOT"); root != "" {
		// The build to kill, in a process of its own.
		if _, err := site.Build(site.Options{Root: root, Now: day(t, "2025-02-10")}); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	s := sitetest.New(t, small)
	dir := s.Root
	v1, v2 := siteVersions(t, dir)
	out := filepath.Join(dir, "public")
	for _, delay := range []time.Duration{0, 20, 50, 100, 150, 200, 300, 500} {
		v1()
		s.Build("2025-02-10").Out()
		s.Build("2025-02-10").Out()
		old := sitetest.Tree(t, out)
		v2()
		cmd := exec.Command(os.Args[0], "-test.run=^TestOutKilled$")
		cmd.Env = append(os.Environ(), "STP_OUT_KILLED_ROOT="+dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay * time.Millisecond)
		_ = cmd.Process.Kill()
		state := "killed"
		if err := cmd.Wait(); err == nil {
			state = "finished"
		}
		t.Logf("after %d ms: %s", delay, state)
		after, err := os.Stat(out)
		switch {
		case err == nil && after.IsDir():
			if got := sitetest.Tree(t, out); !maps.Equal(got, old) && !maps.Equal(got, fresh(t, dir)) {
				t.Errorf("killed after %d ms: the output is neither the previous nor the new build:\n%s", delay, sitetest.TreeDiff(got, old))
			}
		case errors.Is(err, os.ErrNotExist):
			// Killed between two renames of the swap: the previous output
			// is aside, whole.
			if got := sitetest.Tree(t, filepath.Join(dir, ".public.stp-old")); !maps.Equal(got, old) {
				t.Errorf("killed after %d ms: the output is missing and the previous one is not aside:\n%s", delay, sitetest.TreeDiff(got, old))
			}
		default:
			t.Fatal(err)
		}
		if _, err := site.Build(site.Options{Root: dir, Now: day(t, "2025-02-10")}); err != nil {
			t.Fatalf("the build after one killed after %d ms: %v", delay, err)
		}
		if got, want := sitetest.Tree(t, out), fresh(t, dir); !maps.Equal(got, want) {
			t.Errorf("the build after one killed after %d ms differs from a fresh build:\n%s", delay, sitetest.TreeDiff(got, want))
		}
	}
}

// TestOutInterrupted: the states a build killed half-way leaves behind,
// each made on purpose, are recovered from by the next build: a spare
// half written over (with a file half replaced), a spare folder made but
// not yet marked, and a swap stopped between its renames.
func TestOutInterrupted(t *testing.T) {
	s := sitetest.New(t, small)
	dir := s.Root
	v1, v2 := siteVersions(t, dir)
	out := filepath.Join(dir, "public")
	spare := filepath.Join(dir, ".public.stp-spare")
	aside := filepath.Join(dir, ".public.stp-old")
	tests := []struct {
		name string
		kill func(t *testing.T)
	}{
		{"spare half written", func(t *testing.T) {
			for _, rel := range []string{"index.html", "documents", "public/search"} {
				if err := os.RemoveAll(filepath.Join(spare, rel)); err != nil {
					t.Fatal(err)
				}
			}
			files.WriteFile(t, filepath.Join(spare, "404.html.stp-new"), []byte("<!doctype html><ht"))
			files.WriteFile(t, filepath.Join(spare, "regions", "half.html"), []byte("<"))
		}},
		{"spare made, not marked", func(t *testing.T) {
			if err := os.RemoveAll(spare); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(spare, 0o755); err != nil {
				t.Fatal(err)
			}
		}},
		{"swap stopped with the output aside", func(t *testing.T) {
			if err := os.Rename(out, aside); err != nil {
				t.Fatal(err)
			}
		}},
		{"swap stopped before the spare", func(t *testing.T) {
			if err := os.Rename(spare, aside); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, f := range []string{out, spare, aside} {
				if err := os.RemoveAll(f); err != nil {
					t.Fatal(err)
				}
			}
			v1()
			s.Build("2025-02-10").Out()
			s.Build("2025-02-10").Out()
			tt.kill(t)
			if _, err := site.Build(site.Options{Root: dir, Now: day(t, "2025-02-10")}); err != nil {
				t.Fatalf("the build after: %v", err)
			}
			want := fresh(t, dir)
			if got := sitetest.Tree(t, out); !maps.Equal(got, want) {
				t.Errorf("the build after differs from a fresh build:\n%s", sitetest.TreeDiff(got, want))
			}
			if _, err := os.Stat(aside); !os.IsNotExist(err) {
				t.Errorf("the output aside is still there: %v", err)
			}
			// And the one after that, over a different site, too.
			v2()
			if _, err := site.Build(site.Options{Root: dir, Now: day(t, "2025-02-10")}); err != nil {
				t.Fatalf("the second build after: %v", err)
			}
			if got, want := sitetest.Tree(t, out), fresh(t, dir); !maps.Equal(got, want) {
				t.Errorf("the second build after differs from a fresh build:\n%s", sitetest.TreeDiff(got, want))
			}
		})
	}
}

// TestOutLegacy: outputs from before builds were marked are taken at the
// default ROOT/public when they hold what every build writes, and
// refused elsewhere or when they do not; Build then marks them.
func TestOutLegacy(t *testing.T) {
	s := sitetest.New(t, small)
	dir := s.Root
	out := filepath.Join(dir, "public")
	spare := filepath.Join(dir, ".public.stp-spare")
	unmark := func(dirs ...string) {
		for _, d := range dirs {
			if err := os.Remove(filepath.Join(d, output.Marker)); err != nil {
				t.Fatal(err)
			}
		}
	}
	s.Build("2025-02-10").Out()
	s.Build("2025-02-10").Out()
	markerText := s.File(output.Marker)
	unmark(out, spare)
	res, err := site.Build(site.Options{Root: dir, Now: day(t, "2025-02-10")})
	if err != nil {
		t.Fatalf("a build over an earlier version's public/: %v", err)
	}
	if res.Kept < res.Pages {
		t.Errorf("the earlier version's spare was not written over: %d outputs kept of %d pages", res.Kept, res.Pages)
	}
	for _, d := range []string{out, spare} {
		if b, err := os.ReadFile(filepath.Join(d, output.Marker)); err != nil || string(b) != markerText {
			t.Errorf("%s not marked: %q, %v", d, b, err)
		}
	}

	// Elsewhere, an earlier version's output is refused.
	other := filepath.Join(t.TempDir(), "site")
	elsewhere := sitetest.Existing(t, dir)
	elsewhere.Options.Out = other
	elsewhere.Build("2025-02-10")
	unmark(other)
	_, err = site.Build(site.Options{Root: dir, Out: other, Now: day(t, "2025-02-10")})
	var refused *output.Error
	if !errors.As(err, &refused) || refused.Path != other {
		t.Errorf("an unmarked earlier build at %s: %v, want it refused", other, err)
	}

	// At public/, a spare of the publisher's (moved there by an earlier
	// version from a public/ of theirs) is refused, and left as it is.
	unmark(spare)
	notes := filepath.Join(spare, "NOTES.txt")
	if err := os.RemoveAll(filepath.Join(spare, "index.html")); err != nil {
		t.Fatal(err)
	}
	files.WriteFile(t, notes, []byte("mine"))
	_, err = site.Build(site.Options{Root: dir, Now: day(t, "2025-02-10")})
	if !errors.As(err, &refused) || refused.Path != spare {
		t.Errorf("a spare holding the publisher's files: %v, want it refused", err)
	}
	if b, err := os.ReadFile(notes); err != nil || string(b) != "mine" {
		t.Errorf("the publisher's file in the spare: %q, %v", b, err)
	}
}

// TestOutDevServer: the dev server's Rebuilder refuses the sources as its
// output too, and writes nowhere.
func TestOutDevServer(t *testing.T) {
	s := sitetest.New(t, small)
	dir := s.Root
	_, err := site.NewRebuilder(site.Options{Root: dir, Out: filepath.Join(dir, "layouts"), Now: day(t, "2025-02-10")}).Rebuild()
	var refused *output.Error
	if !errors.As(err, &refused) {
		t.Fatalf("a dev build into layouts/: %v, want it refused", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "layouts", "index.html")); err == nil {
		t.Error("the refused dev build wrote into layouts/")
	}
}

// siteVersions returns edits that set the small site in dir to one of two
// versions, which differ in a summary and a file's bytes.
func siteVersions(t *testing.T, dir string) (v1, v2 func()) {
	cat := filepath.Join(dir, "catalog.yaml")
	pdf := filepath.Join(dir, "content", "files", "open.pdf")
	c1, err := os.ReadFile(cat)
	if err != nil {
		t.Fatal(err)
	}
	p1, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatal(err)
	}
	c2 := bytes.Replace(c1, []byte("Everyone may read this."), []byte("Anyone may read this."), 1)
	if bytes.Equal(c1, c2) {
		t.Fatal("test edit: the summary is not in catalog.yaml")
	}
	return func() { files.WriteFile(t, cat, c1); files.WriteFile(t, pdf, p1) },
		func() { files.WriteFile(t, cat, c2); files.WriteFile(t, pdf, []byte("%PDF-1.4 revised")) }
}

// fresh returns the tree a build of dir into a new folder makes.
func fresh(t *testing.T, dir string) map[string]string {
	t.Helper()
	s := sitetest.Existing(t, dir)
	s.Options.Out = filepath.Join(t.TempDir(), "public")
	return s.Build("2025-02-10").Files()
}
