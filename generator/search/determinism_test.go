package search_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stp-portal/stp/generator/search"
	"github.com/stp-portal/stp/generator/synth"
)

func execSelf(t *testing.T, test string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exec.Command(exe, "-test.run=^"+test+"$")
}

func TestDeterministic(t *testing.T) {
	recs := synth.SearchRecords(300, 7)
	a, err := search.BuildIndex(recs, synth.SearchLabels())
	if err != nil {
		t.Fatal(err)
	}
	rev := slices.Clone(recs)
	slices.Reverse(rev)
	for i := 0; i < 3; i++ {
		b, err := search.BuildIndex(rev, synth.SearchLabels())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Fatalf("build %d differs (%d vs %d bytes)", i, len(a), len(b))
		}
	}
	d1, d2 := t.TempDir(), t.TempDir()
	m1, err := search.Write(d1, recs, synth.SearchLabels(), &search.Engine{WASM: []byte("w"), Runtime: []byte("r")})
	if err != nil {
		t.Fatal(err)
	}
	m2, err := search.Write(d2, rev, synth.SearchLabels(), &search.Engine{WASM: []byte("w"), Runtime: []byte("r")})
	if err != nil {
		t.Fatal(err)
	}
	if m1 != m2 {
		t.Fatalf("manifests differ: %+v %+v", m1, m2)
	}
	for _, f := range []string{m1.File, m1.Index, m1.Engine, m1.Runtime} {
		x, err := os.ReadFile(filepath.Join(d1, f))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(d2, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) || len(x) == 0 {
			t.Fatalf("%s differs", f)
		}
	}
}

// TestDeterministicAcrossProcesses rebuilds in a child process, where map
// iteration and allocation differ, and compares bytes.
func TestDeterministicAcrossProcesses(t *testing.T) {
	if os.Getenv("STP_SEARCH_CHILD") != "" {
		b, err := search.BuildIndex(synth.SearchRecords(300, 7), synth.SearchLabels())
		if err != nil {
			// The parent sees the failure in the exit status.
			os.Stderr.WriteString(err.Error())
			os.Exit(1)
		}
		os.Stdout.Write(b)
		os.Exit(0)
	}
	if testing.Short() {
		t.Skip()
	}
	a, err := search.BuildIndex(synth.SearchRecords(300, 7), synth.SearchLabels())
	if err != nil {
		t.Fatal(err)
	}
	cmd := execSelf(t, "TestDeterministicAcrossProcesses")
	cmd.Env = append(os.Environ(), "STP_SEARCH_CHILD=1")
	b, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatalf("child built %d bytes, parent %d, not identical", len(b), len(a))
	}
}
