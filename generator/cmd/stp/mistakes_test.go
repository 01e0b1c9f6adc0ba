package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/stp-portal/stp/generator/internal/sitetest"
)

// TestMistakes makes each mistake of testdata/mistakes (one txtar file a
// mistake, over the valid site of base.txtar) and runs stp build and stp
// check on it, as a publisher would. Each must exit as its header says and
// print exactly its want lines, the cause first, before the command's
// summary; a build that fails must leave the site's sources and the last
// good build's output byte for byte as they were.
//
// A case's header holds:
//
//	exit: N           stp build's exit status
//	want: LINE        one line a problem prints, in order ("want: -" for none)
//	args: FLAGS       flags for both stp build and stp check
//	buildargs: FLAGS  flags for stp build only; stp check is then not run
//	delete: PATH      a file or folder of the base to remove
//	symlink: P -> T   make P a symbolic link to T
//
// $ROOT in flags and in what is printed is the site's folder. STP_MISTAKES_RECORD=FILE appends
// what each case printed to FILE instead of failing, for comparing one
// version of stp with another.
func TestMistakes(t *testing.T) {
	dir := filepath.Join("testdata", "mistakes")
	base, err := os.ReadFile(filepath.Join(dir, "base.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("base", func(t *testing.T) {
		root, out := t.TempDir(), filepath.Join(t.TempDir(), "public")
		sitetest.Write(t, root, string(base))
		got := runMistake(t, root, out, &mistake{})
		if got.exit != 0 || len(got.build) > 0 || len(got.check) > 0 {
			t.Fatalf("the base site does not build clean: exit %d\nbuild:\n%s\ncheck:\n%s",
				got.exit, strings.Join(got.build, "\n"), strings.Join(got.check, "\n"))
		}
	})
	record := os.Getenv("STP_MISTAKES_RECORD")
	names, err := filepath.Glob(filepath.Join(dir, "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	cases := 0
	for _, name := range names {
		if filepath.Base(name) == "base.txtar" {
			continue
		}
		cases++
		t.Run(strings.TrimSuffix(filepath.Base(name), ".txtar"), func(t *testing.T) {
			c := readMistake(t, name)
			root, out := t.TempDir(), filepath.Join(t.TempDir(), "public")
			sitetest.Write(t, root, string(base))
			if got := runMistake(t, root, out, &mistake{}); got.exit != 0 {
				t.Fatalf("the base site does not build: %s", strings.Join(got.build, "\n"))
			}
			before := hashTree(t, out)
			c.apply(t, root)
			sources := hashTree(t, root)
			got := runMistake(t, root, out, c)
			if record != "" {
				f, err := os.OpenFile(record, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(f, "== %s exit %d\n%s\n", filepath.Base(name), got.exit, strings.Join(got.build, "\n"))
				f.Close()
				return
			}
			if got.exit != c.exit {
				t.Errorf("stp build exited %d, want %d", got.exit, c.exit)
			}
			runs := []struct {
				cmd   string
				lines []string
			}{{"stp build", got.build}}
			if c.buildArgs == nil {
				runs = append(runs, struct {
					cmd   string
					lines []string
				}{"stp check", got.check})
			}
			for _, r := range runs {
				if !slices.Equal(r.lines, c.want) {
					t.Errorf("%s printed:\n\t%s\nwant:\n\t%s", r.cmd, strings.Join(r.lines, "\n\t"), strings.Join(c.want, "\n\t"))
				}
			}
			if c.exit != 0 {
				if diff := treeChanges(before, hashTree(t, out)); diff != "" {
					t.Errorf("the failed build changed the output:\n%s", diff)
				}
				if diff := treeChanges(sources, hashTree(t, root)); diff != "" {
					t.Errorf("the failed build changed the site's sources:\n%s", diff)
				}
			}
		})
	}
	if cases == 0 {
		t.Fatal("no mistakes in testdata/mistakes")
	}
}

// mistake is one case of testdata/mistakes.
type mistake struct {
	exit      int
	want      []string
	args      []string
	buildArgs []string
	deletes   []string
	symlinks  [][2]string // path, target
	files     []txtar.File
}

// readMistake reads a case: its header's directives and its files.
func readMistake(t *testing.T, name string) *mistake {
	t.Helper()
	a, err := txtar.ParseFile(name)
	if err != nil {
		t.Fatal(err)
	}
	c := &mistake{exit: -1, files: a.Files}
	sc := bufio.NewScanner(bytes.NewReader(a.Comment))
	nothing := false
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ": ")
		if !ok {
			continue
		}
		switch key {
		case "exit":
			if c.exit, err = strconv.Atoi(value); err != nil {
				t.Fatalf("%s: exit: %v", name, err)
			}
		case "want":
			if value == "-" {
				nothing = true
			} else {
				c.want = append(c.want, value)
			}
		case "args":
			c.args = append(c.args, strings.Fields(value)...)
		case "buildargs":
			c.buildArgs = append(c.buildArgs, strings.Fields(value)...)
		case "delete":
			c.deletes = append(c.deletes, value)
		case "symlink":
			from, to, ok := strings.Cut(value, " -> ")
			if !ok {
				t.Fatalf("%s: symlink: want PATH -> TARGET, got %q", name, value)
			}
			c.symlinks = append(c.symlinks, [2]string{from, to})
		}
	}
	if c.exit < 0 || len(c.want) == 0 && !nothing {
		t.Fatalf("%s: the header needs exit: and at least one want: (want: - for none)", name)
	}
	return c
}

// apply makes the mistake in the site at root.
func (c *mistake) apply(t *testing.T, root string) {
	t.Helper()
	for _, f := range c.files {
		sitetest.WriteFile(t, filepath.Join(root, filepath.FromSlash(f.Name)), f.Data)
	}
	for _, p := range c.deletes {
		if err := os.RemoveAll(filepath.Join(root, filepath.FromSlash(p))); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range c.symlinks {
		p := filepath.Join(root, filepath.FromSlash(l[0]))
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.FromSlash(l[1]), p); err != nil {
			t.Fatal(err)
		}
	}
}

// mistakeRun is what stp build and stp check printed about the site: the
// problems, without the commands' summaries.
type mistakeRun struct {
	exit         int
	build, check []string
}

func runMistake(t *testing.T, root, out string, c *mistake) mistakeRun {
	t.Helper()
	const now = "2025-03-01"
	expand := func(args []string) []string {
		var out []string
		for _, a := range args {
			out = append(out, strings.ReplaceAll(a, "$ROOT", root))
		}
		return out
	}
	var r mistakeRun
	var stdout, stderr bytes.Buffer
	args := append([]string{"build", "--root", root, "--out", out, "--now", now}, expand(c.args)...)
	r.exit = run(append(args, expand(c.buildArgs)...), &stdout, &stderr)
	r.build = problemLines(strings.ReplaceAll(stderr.String(), root, "$ROOT"), "stp build: ")
	if c.buildArgs != nil {
		return r
	}
	stdout.Reset()
	stderr.Reset()
	code := run(append([]string{"check", "--root", root, "--now", now}, expand(c.args)...), &stdout, &stderr)
	if (code == 0) != (r.exit == 0) {
		t.Errorf("stp check exited %d but stp build %d", code, r.exit)
	}
	r.check = problemLines(stdout.String()+stderr.String(), "")
	// Check ends with its count ("1 error, 0 warnings").
	if n := len(r.check); n > 0 && (strings.HasSuffix(r.check[n-1], " warnings") || strings.HasSuffix(r.check[n-1], " warning")) {
		r.check = r.check[:n-1]
	}
	return r
}

// problemLines splits output into lines, dropping the command's own
// summary line (which starts with prefix).
func problemLines(s, prefix string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if l == "" || (prefix != "" && strings.HasPrefix(l, prefix) && strings.Contains(l, "nothing was written")) {
			continue
		}
		out = append(out, l)
	}
	return out
}
