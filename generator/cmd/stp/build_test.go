package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stp-portal/stp/generator/internal/sitetest"
)

// TestBuildTimings: --timings prints every phase of the build, in order,
// each with the time it ended and took, and leaves standard output as it is.
func TestBuildTimings(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "site")
	writeDiffSite(t, root, diffSite)
	var out, errb bytes.Buffer
	if code := run([]string{"build", "--root", root, "--out", filepath.Join(dir, "public"), "--now", "2025-03-01", "--timings"}, &out, &errb); code != 0 {
		t.Fatalf("build: %s", errb.String())
	}
	line := regexp.MustCompile(`^ *\d+\.\d\ds  (\S.*\S) +\d+\.\d\ds(, CPU +\d+%)?$`)
	var phases []string
	for _, l := range strings.Split(strings.TrimSpace(errb.String()), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("not a timing line: %q", l)
		}
		phases = append(phases, m[1])
	}
	want := []string{"inputs loaded", "descriptions rendered", "files copied", "pages planned", "links checked", "pages written",
		"search index waited for", "folders given an index", "swapped into place"}
	var got []string
	for _, p := range phases {
		if p != "search index written" { // ends whenever the index is done
			got = append(got, p)
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") || len(phases) != len(want)+1 {
		t.Errorf("phases %q, want %q and the search index", phases, want)
	}
	if !strings.HasPrefix(out.String(), "built ") {
		t.Errorf("standard output %q, want the build's summary", out.String())
	}
}

// TestBuildOut: stp build refuses an output that overlaps the site's
// sources, a file, a link, or a folder holding files it did not write,
// before writing anything: the exit status is 2, the message names the
// folder and the fix, and every file beside it (the sources, the previous
// output and its spare) is as it was. A build into public/, twice, works.
func TestBuildOut(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "site")
	archive, err := os.ReadFile(filepath.Join("testdata", "outsite.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	sitetest.Write(t, root, string(archive))
	for _, link := range [][2]string{{"content", "docs"}, {"elsewhere", "www"}} {
		if err := os.Symlink(link[0], filepath.Join(root, link[1])); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(root)
	// Twice, so that public/ and its spare are both there.
	for i := range 2 {
		var stdout, stderr bytes.Buffer
		if code := run([]string{"build", "--now", "2025-03-01"}, &stdout, &stderr); code != 0 {
			t.Fatalf("build %d: exit %d: %s", i, code, stderr.String())
		}
	}
	for _, dir := range []string{"public", ".public.stp-spare"} {
		if b, err := os.ReadFile(filepath.Join(dir, ".stp-build")); err != nil || len(b) == 0 {
			t.Errorf("%s is not marked as a build's: %v", dir, err)
		}
	}

	const fix = "; choose a folder of its own, such as public"
	tests := []struct{ out, want string }{
		{"mydocs", "mydocs: that folder holds files stp build did not write (it has no .stp-build file) and a build replaces its output folder as a whole; empty it or choose another folder"},
		{"content", "content: that is the site's content folder" + fix},
		{"layouts", "layouts: that is the site's layouts folder" + fix},
		{"catalog.yaml", "catalog.yaml: that is the site's catalog" + fix},
		{"content/files", "content/files: that is inside the site's content folder" + fix},
		{"layouts/new", "layouts/new: that is inside the site's layouts folder" + fix},
		{root, root + ": that is the site's folder itself" + fix},
		{".", ".: that is the site's folder itself" + fix},
		{"./", "./: that is the site's folder itself" + fix},
		{"docs", "docs: that is the site's content folder" + fix},
		{"docs/files", "docs/files: that is inside the site's content folder" + fix},
		{"content/../content", "content/../content: that is the site's content folder" + fix},
		{"public/../layouts", "public/../layouts: that is the site's layouts folder" + fix},
		{"..", "..: that folder holds the site's folder" + fix},
		{base, base + ": that folder holds the site's folder" + fix},
		{"README.txt", "README.txt: that is a file, not a folder" + fix},
		{"www", "www: that is a symbolic link, and a build replaces its output folder as a whole, which would replace the link rather than fill the folder it leads to; give that folder itself"},
	}
	for _, tt := range tests {
		t.Run(tt.out, func(t *testing.T) {
			before := hashTree(t, base)
			var stdout, stderr bytes.Buffer
			code := run([]string{"build", "--now", "2025-03-01", "--out", tt.out}, &stdout, &stderr)
			if want := "stp build: --out " + tt.want + "\n"; code != 2 || stderr.String() != want {
				t.Errorf("exit %d, standard error:\n%s\nwant exit 2 and:\n%s", code, stderr.String(), want)
			}
			if stdout.Len() > 0 {
				t.Errorf("standard output %q, want none", stdout.String())
			}
			if diff := treeChanges(before, hashTree(t, base)); diff != "" {
				t.Errorf("the refused build changed files:\n%s", diff)
			}
		})
	}

	// A folder of the publisher's that an earlier stp build moved aside,
	// as the spare of "built", is named, not written over.
	before := hashTree(t, base)
	var stdout, stderr bytes.Buffer
	code := run([]string{"build", "--now", "2025-03-01", "--out", "built"}, &stdout, &stderr)
	want := "stp build: .built.stp-spare: that folder holds files stp build did not write (it has no .stp-build file); " +
		"an earlier stp build may have moved a folder of yours there from built: keep what you need from it, then delete it\n"
	if code != 2 || stderr.String() != want {
		t.Errorf("exit %d, standard error:\n%s\nwant exit 2 and:\n%s", code, stderr.String(), want)
	}
	if diff := treeChanges(before, hashTree(t, base)); diff != "" {
		t.Errorf("the refused build changed files:\n%s", diff)
	}

	// An empty folder is taken, and is the build's from then on; so is
	// public/ given as --out in other words.
	if err := os.Mkdir("empty", 0o755); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{"empty", "empty", "./public/", filepath.Join(root, "public")} {
		stdout.Reset()
		stderr.Reset()
		if code := run([]string{"build", "--now", "2025-03-01", "--out", out}, &stdout, &stderr); code != 0 {
			t.Errorf("--out %s: exit %d: %s", out, code, stderr.String())
		}
	}
	if _, err := os.Stat(filepath.Join("empty", "index.html")); err != nil {
		t.Errorf("the empty folder was not built into: %v", err)
	}
}

// hashTree maps every file, folder and link below dir to a hash of what
// it is and holds.
func hashTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.IsDir():
			m[rel] = "folder"
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			m[rel] = "link to " + target
			return err
		default:
			b, err := os.ReadFile(p)
			m[rel] = fmt.Sprintf("%x", sha256.Sum256(b))
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// treeChanges lists what differs between two hashTree maps.
func treeChanges(before, after map[string]string) string {
	var s string
	for p, h := range before {
		if a, ok := after[p]; !ok {
			s += "removed " + p + "\n"
		} else if a != h {
			s += "changed " + p + "\n"
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			s += "added " + p + "\n"
		}
	}
	return s
}
