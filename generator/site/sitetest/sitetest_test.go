package sitetest_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stp-portal/stp/generator/site/sitetest"
)

// TestHarness is the harness at work on a new page: a fixture plus one
// file, a build, an edit and an incremental rebuild that renders that
// page alone besides the pages every build renders.
func TestHarness(t *testing.T) {
	s := sitetest.New(t, "small", `
-- content/status.md --
---
title: Status
public: true
---
All systems go.
`)
	s.Build("2025-02-10")
	s.AssertFile("public/status/index.html", "<h1>Status</h1>", "All systems go.", "! Internal notes")
	s.AssertFile("documents/soc/index.html", "SOC 2 Report")
	s.AssertNoFile("status/index.html") // public pages live under the public prefix only

	s.Start("2025-02-10").Rebuild()
	s.Replace("content/status.md", "All systems go.", "One system down.").Rebuild()
	s.AssertFile("public/status/index.html", "One system down.", "! All systems go.")
	if !slices.Contains(s.Result.Rewritten, "public/status/index.html") || slices.Contains(s.Result.Rewritten, "documents/soc/index.html") {
		t.Errorf("the rebuild rewrote %v; want the edited page and not the documents", s.Result.Rewritten)
	}

	s.Edit("content/status.md", "").Rebuild()
	s.AssertNoFile("public/status/index.html")
}

// TestAssertionsFail: the assertions report what they should.
func TestAssertionsFail(t *testing.T) {
	s := sitetest.New(t, "small").Build("2025-02-10")
	rec := &recorder{TB: t}
	r := sitetest.Existing(rec, s.Root)
	r.AssertFile("index.html", "no such text anywhere", "! Test Portal")
	r.AssertNoFile("index.html")
	r.AssertFileExact("404.html", "x")
	want := []string{
		`index.html does not hold "no such text anywhere"`,
		`index.html holds "Test Portal", and should not`,
		"index.html: want no such output, have one (<nil>)",
	}
	if len(rec.errors) != 4 || !slices.Equal(rec.errors[:3], want) {
		t.Errorf("assertions reported:\n%q\nwant:\n%q and 404.html's", rec.errors, want)
	}
}

// recorder is a testing.TB that records errors instead of failing.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
