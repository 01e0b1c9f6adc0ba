package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

// workflow is the CI workflow that checks, previews, compares and
// publishes the portal.
var workflow = filepath.Join("..", "..", "..", ".github", "workflows", "portal.yml")

// TestWorkflowLint runs actionlint (pinned in go.mod; `go tool actionlint`
// runs the same version by hand) on the workflow in this process. The
// shellcheck and pyflakes passes are off so that the result does not depend
// on what else the machine has installed.
func TestWorkflowLint(t *testing.T) {
	var out bytes.Buffer
	l, err := actionlint.NewLinter(&out, &actionlint.LinterOptions{Color: actionlint.ColorOptionKindNever, Oneline: true})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := l.LintFile(workflow, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Errorf("%s:%d:%d: %s [%s]", e.Filepath, e.Line, e.Column, e.Message, e.Kind)
	}
}

// TestWorkflowRunsTheTools checks that the workflow still does what the
// README promises, with the commands and flags stp has.
func TestWorkflowRunsTheTools(t *testing.T) {
	data, err := os.ReadFile(workflow)
	if err != nil {
		t.Fatal(err)
	}
	w := string(data)
	for _, want := range []string{
		"pull_request:",
		"go run ./generator/cmd/stp check",
		`build --preview --base-url "$PREVIEW_URL"`,
		"actions/upload-artifact@",
		`diff --link-base "$PREVIEW_URL"`,
		"diff --format json",
		"github.rest.issues.createComment",
		"branches: [main]",
		"stp build --out public",
	} {
		if !strings.Contains(w, want) {
			t.Errorf("the workflow no longer contains %q", want)
		}
	}
	// Every stp subcommand the workflow runs exists.
	for _, line := range strings.Split(w, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "#") || strings.Contains(line, "go build") {
			continue
		}
		for _, marker := range []string{"./generator/cmd/stp ", `"$RUNNER_TEMP/stp" `} {
			if _, rest, ok := strings.Cut(line, marker); ok {
				sub, _, _ := strings.Cut(rest, " ")
				if _, known := commands[sub]; !known {
					t.Errorf("the workflow runs stp %q, which does not exist: %s", sub, line)
				}
			}
		}
	}
}
