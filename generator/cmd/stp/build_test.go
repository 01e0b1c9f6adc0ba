package main

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
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
	want := []string{"inputs loaded", "descriptions rendered", "files copied", "pages planned", "pages written",
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
