package main

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var updateGraph = flag.Bool("update-graph", false, "rewrite the package graph in generator/README.md")

// TestPackageGraph keeps the package list in generator/README.md true: it
// is what `go list` says each package of the module imports from the
// module.
func TestPackageGraph(t *testing.T) {
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const module = "github.com/stp-portal/stp/"
	var b strings.Builder
	b.WriteString("| package | imports from the module |\n|---|---|\n")
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		var deps []string
		for _, imp := range fields[1:] {
			if strings.HasPrefix(imp, module) {
				deps = append(deps, strings.TrimPrefix(imp, module))
			}
		}
		slices.Sort(deps)
		list := ""
		if len(deps) > 0 {
			list = "`" + strings.Join(deps, "`, `") + "`"
		}
		b.WriteString("| `" + strings.TrimPrefix(fields[0], module) + "` | " + list + " |\n")
	}
	want := b.String()

	readme := filepath.Join(root, "generator", "README.md")
	doc, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	const open, close = "<!-- package-graph -->\n", "<!-- /package-graph -->"
	before, rest, ok1 := strings.Cut(string(doc), open)
	have, after, ok2 := strings.Cut(rest, close)
	if !ok1 || !ok2 {
		t.Fatalf("generator/README.md has no %q … %q block", strings.TrimSpace(open), close)
	}
	if have == want {
		return
	}
	if *updateGraph {
		if err := os.WriteFile(readme, []byte(before+open+want+close+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("generator/README.md's package graph is out of date (go test ./generator/cmd/stp -run TestPackageGraph -update-graph):\nhave:\n%s\nwant:\n%s", have, want)
}
