package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// diffSite is a one-document site; the tests change the document.
const diffSite = `site:
  title: Test Portal
  base_url: https://trust.example.com/
regions: [{id: europe, name: Europe}]
industries: [{id: health, name: Healthcare}]
services: [{id: cloud, name: Cloud}]
standards: [{id: soc-2, name: SOC 2}]
documents:
  - id: overview
    kind: trust-document
    title: Security Overview
    summary: How we keep data safe.
    version: "1"
    services: all
    regions: all
    industries: all
    published: 2025-01-10
    file: files/overview.pdf
`

func writeDiffSite(t *testing.T, dir, catalog string) {
	t.Helper()
	files := map[string]string{
		"catalog.yaml":               catalog,
		"content/files/overview.pdf": "%PDF-1.4 overview",
		"content/index.md":           "---\ntitle: Home\n---\nWelcome.\n",
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	layouts := filepath.Join("..", "..", "..", "layouts")
	err := filepath.WalkDir(layouts, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(layouts, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, "layouts", rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDiffFolders(t *testing.T) {
	dir := t.TempDir()
	oldRoot, newRoot := filepath.Join(dir, "old"), filepath.Join(dir, "new")
	writeDiffSite(t, oldRoot, diffSite)
	writeDiffSite(t, newRoot, diffSite+"    public: true\n")
	var out, errb bytes.Buffer
	for _, root := range []string{oldRoot, newRoot} {
		if code := run([]string{"build", "--root", root, "--out", root + "-site", "--now", "2025-03-01"}, &out, &errb); code != 0 {
			t.Fatalf("build %s: %s", root, errb.String())
		}
	}
	out.Reset()
	if code := run([]string{"diff", "--link-base", "https://previews.example.com/pr-3/", oldRoot + "-site", newRoot + "-site"}, &out, &errb); code != 0 {
		t.Fatalf("diff: %d %s", code, errb.String())
	}
	for _, want := range []string{
		"**Security Overview** `1` is now **public**",
		"- [documents/overview/](https://previews.example.com/pr-3/documents/overview/)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if code := run([]string{"diff", "--format", "json", oldRoot + "-site", newRoot + "-site"}, &out, &errb); code != 0 {
		t.Fatalf("diff --format json: %d %s", code, errb.String())
	}
	var r struct {
		Access []struct{ ID, Change string } `json:"access"`
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil || len(r.Access) != 1 || r.Access[0].Change != "public" {
		t.Errorf("json access = %+v (%v), want overview made public", r.Access, err)
	}
	errb.Reset()
	if code := run([]string{"diff", oldRoot, newRoot + "-site"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "not a built site") {
		t.Errorf("diff of a source folder: %d %q, want 1 and 'not a built site'", code, errb.String())
	}
}

// TestDiffGit commits two versions of a site to a scratch repository and
// compares the revisions, then a revision with the working tree.
func TestDiffGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	repo := t.TempDir()
	siteDir := filepath.Join(repo, "portal")
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", repo, "-c", "user.name=T", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q", "-b", "main")
	writeDiffSite(t, siteDir, diffSite)
	git("add", ".")
	git("commit", "-q", "-m", "first")
	renamed := strings.Replace(diffSite, "title: Security Overview", "title: Security and Privacy Overview", 1)
	if err := os.WriteFile(filepath.Join(siteDir, "catalog.yaml"), []byte(renamed), 0o644); err != nil {
		t.Fatal(err)
	}
	git("commit", "-q", "-am", "rename")

	var out, errb bytes.Buffer
	if code := run([]string{"diff", "--git", "--root", siteDir, "--now", "2025-03-01", "main~1", "main"}, &out, &errb); code != 0 {
		t.Fatalf("diff --git: %d %s", code, errb.String())
	}
	for _, want := range []string{"`main~1 (", "title: “Security Overview” → “Security and Privacy Overview”"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("diff --git output lacks %q:\n%s", want, out.String())
		}
	}

	// The working tree drops the document: a retention problem, which
	// --strict turns into a failure.
	broken := strings.Replace(renamed, "  - id: overview", "  - id: overview-2", 1)
	if err := os.WriteFile(filepath.Join(siteDir, "catalog.yaml"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := run([]string{"diff", "--git", "--strict", "--root", siteDir, "--now", "2025-03-01", "main"}, &out, &errb); code != 1 {
		t.Fatalf("diff --git --strict with an early drop: exit %d, want 1\n%s%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "dropped before its retention ended") || !strings.Contains(out.String(), "`working tree`") {
		t.Errorf("output lacks the retention problem:\n%s", out.String())
	}
	errb.Reset()
	if code := run([]string{"diff", "--git", "--root", siteDir, "no-such-rev"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "no-such-rev") {
		t.Errorf("unknown revision: %d %q", code, errb.String())
	}
}
