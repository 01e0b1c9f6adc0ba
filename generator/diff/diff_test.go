package diff

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stp-portal/stp/generator/site/sitetest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// before is the site as it was; each case below edits it.
const before = `
-- catalog.yaml --
site:
  title: Test Portal
  base_url: https://trust.example.com/
  contact: {name: Trust team, email: trust@example.com}
regions:
  - {id: europe, name: Europe}
  - {id: japan, name: Japan}
industries:
  - {id: health, name: Healthcare}
  - {id: finance, name: Finance}
services:
  - {id: cloud, name: Cloud}
  - {id: mail, name: Mail}
standards:
  - {id: iso-27001, name: ISO/IEC 27001, group: ISO}
  - {id: soc-2, name: SOC 2, group: SOC}
documents:
  - id: soc-2024
    kind: compliance-report
    title: SOC 2 Report
    summary: The SOC 2 report for Cloud.
    series: soc
    version: "2024"
    services: [cloud]
    standards: [soc-2]
    regions: all
    industries: all
    published: 2024-03-10
    audit_period: {from: 2023-01-01, to: 2023-12-31}
    file: files/soc-2024.pdf
  - id: soc-2025
    kind: compliance-report
    title: SOC 2 Report
    summary: The SOC 2 report for Cloud.
    series: soc
    version: "2025"
    services: [cloud]
    standards: [soc-2]
    regions: all
    industries: all
    published: 2025-02-01
    audit_period: {from: 2024-01-01, to: 2024-12-31}
    file: files/soc-2025.pdf
  - id: pentest-2025
    kind: trust-document
    title: Penetration Test Summary
    summary: What the testers found.
    version: "2025"
    services: [cloud, mail]
    regions: [europe]
    industries: all
    published: 2025-01-10
    file: files/pentest-2025.pdf
  - id: jp-health
    kind: trust-document
    title: Japan Health Guide
    summary: Health data in Japan.
    version: "1"
    services: [mail]
    regions: [japan]
    industries: [health]
    published: 2024-06-10
    expires: 2025-06-10
    file: files/jp.pdf
  - id: iso-cert
    kind: compliance-report
    title: ISO/IEC 27001 Certificate
    summary: The certificate.
    version: "2024"
    services: all
    standards: [iso-27001]
    regions: all
    industries: all
    published: 2024-12-01
    audit_period: {from: 2024-01-01, to: 2024-10-31}
    file: files/iso.pdf
-- content/files/soc-2024.pdf --
%PDF-1.4 soc 2024
-- content/files/soc-2025.pdf --
%PDF-1.4 soc 2025
-- content/files/pentest-2025.pdf --
%PDF-1.4 pentest
-- content/files/jp.pdf --
%PDF-1.4 jp
-- content/files/iso.pdf --
%PDF-1.4 iso
-- content/index.md --
---
title: Home
---
Welcome to the **test** portal.
-- content/faq.md --
---
title: FAQ
public: true
menu: 10
---
## Questions
`

func TestCompareGolden(t *testing.T) {
	tests := []struct {
		name string
		// edit is a txtar archive written over the old site to make the
		// new one; a file with no content is deleted.
		edit           string
		oldNow, newNow string
	}{
		{name: "identical", oldNow: "2025-03-01", newNow: "2025-03-01"},
		{
			name:   "time-passes",
			oldNow: "2025-03-01", newNow: "2025-07-01",
		},
		{
			name:   "changes",
			oldNow: "2025-03-01", newNow: "2025-03-01",
			edit: `
-- catalog.yaml --
site:
  title: Test Portal
  base_url: https://trust.example.com/
  contact: {name: Trust team, email: trust@example.com}
regions:
  - {id: europe, name: Europe}
  - {id: japan, name: Japan}
industries:
  - {id: health, name: Healthcare}
  - {id: finance, name: Finance}
services:
  - {id: cloud, name: Cloud}
  - {id: mail, name: Mail}
standards:
  - {id: iso-27001, name: ISO/IEC 27001, group: ISO}
  - {id: soc-2, name: SOC 2, group: SOC}
documents:
  - id: soc-2025
    kind: compliance-report
    title: SOC 2 Report
    summary: The SOC 2 report for Cloud.
    series: soc
    version: "2025"
    services: [cloud]
    standards: [soc-2]
    regions: all
    industries: all
    published: 2025-02-01
    audit_period: {from: 2024-01-01, to: 2024-12-31}
    file: files/soc-2025.pdf
  - id: pentest-2025
    kind: trust-document
    title: Penetration Test Summary
    summary: What the testers found.
    version: "2025"
    services: [cloud, mail]
    regions: [europe]
    industries: all
    published: 2025-01-10
    file: files/pentest-2025.pdf
  - id: pentest-2025b
    kind: trust-document
    title: Penetration Test Summary
    summary: What the testers found, after the retest.
    series: pentest-2025
    version: "2025 retest"
    services: [cloud, mail]
    regions: [europe]
    industries: all
    published: 2025-02-20
    file: files/pentest-2025b.pdf
  - id: jp-health
    kind: trust-document
    title: Japan Health and Privacy Guide
    summary: Health data in Japan.
    version: "1"
    services: [mail]
    regions: [japan, europe]
    industries: [health]
    published: 2024-06-10
    expires: 2025-06-10
    file: files/jp.pdf
    public: true
  - id: bcdr
    kind: trust-document
    title: Business Continuity Overview
    summary: How we keep running.
    version: "1"
    services: all
    regions: all
    industries: all
    published: 2025-02-25
    file: files/bcdr.pdf
    public: true
-- content/files/soc-2025.pdf --
%PDF-1.4 soc 2025, corrected
-- content/files/pentest-2025b.pdf --
%PDF-1.4 pentest retest
-- content/files/bcdr.pdf --
%PDF-1.4 bcdr
-- content/faq.md --
---
title: FAQ
public: true
menu: 10
---
## Questions and answers
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			oldOut := sitetest.New(t, before).Build(tt.oldNow).Out()
			newOut := sitetest.New(t, before, tt.edit).Build(tt.newNow).Out()

			oldSite, err := Load(oldOut, "main")
			if err != nil {
				t.Fatal(err)
			}
			newSite, err := Load(newOut, "pr")
			if err != nil {
				t.Fatal(err)
			}
			r := Compare(oldSite, newSite)
			var md, js bytes.Buffer
			if err := r.Markdown(&md, "https://previews.example.com/pr-7/"); err != nil {
				t.Fatal(err)
			}
			if err := r.JSON(&js); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", tt.name+".md"), md.Bytes())
			golden(t, filepath.Join("testdata", tt.name+".json"), js.Bytes())
		})
	}
}

func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -update to accept):\n%s", file, lineDiff(string(want), string(got)))
	}
}

// lineDiff shows the first lines that differ, enough to see what moved.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 20; i++ {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a != c {
			b.WriteString("-" + a + "\n+" + c + "\n")
			shown++
		}
	}
	return b.String()
}

func TestUnfingerprint(t *testing.T) {
	for in, want := range map[string]string{
		"public/assets/site.3ff2e55753.css":    "public/assets/site.css",
		"public/assets/logo.70a3f21f74.svg":    "public/assets/logo.svg",
		"public/assets/site.css":               "public/assets/site.css",
		"documents/x/report.0123456789.pdf":    "documents/x/report.0123456789.pdf",
		"search/index.590ac9d869d2d741.stpidx": "search/index.stpidx",
		"documents/a/index.html":               "documents/a/index.html",
	} {
		if got := unfingerprint(in); got != want {
			t.Errorf("unfingerprint(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLoadRejectsNonSite(t *testing.T) {
	if _, err := Load(t.TempDir(), "x"); err == nil || !strings.Contains(err.Error(), "not a built site") {
		t.Errorf("Load of an empty folder: %v, want a 'not a built site' error", err)
	}
}

// TestShrink: a change that takes away more than half of the listed
// versions is flagged, however it came about; half or less is not.
func TestShrink(t *testing.T) {
	docs := func(n int) []Document {
		var out []Document
		for i := range n {
			id := fmt.Sprintf("doc-%d", i)
			out = append(out, Document{ID: id, Series: id, Version: "1", Published: "2025-01-01", Current: true})
		}
		return out
	}
	tests := []struct {
		old, new int
		want     *Shrink
	}{
		{4, 0, &Shrink{4, 0}},
		{5, 2, &Shrink{5, 2}},
		{4, 2, nil},
		{1, 0, nil}, // one document replaced by nothing is a removal to review, not a slip
		{0, 0, nil},
	}
	for _, tt := range tests {
		r := Compare(&Site{Catalog: Catalog{Documents: docs(tt.old)}}, &Site{Catalog: Catalog{Documents: docs(tt.new)}})
		if (r.Shrink == nil) != (tt.want == nil) || (r.Shrink != nil && *r.Shrink != *tt.want) {
			t.Errorf("%d → %d versions: shrink %v, want %v", tt.old, tt.new, r.Shrink, tt.want)
		}
		var md strings.Builder
		if err := r.Markdown(&md, ""); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(md.String(), "Most of the portal removed"); got != (tt.want != nil) {
			t.Errorf("%d → %d versions: the Markdown report warns %v", tt.old, tt.new, got)
		}
	}
}

// TestBasePathEscaped: a site built under a base path that needs escaping
// (a space, a non-ASCII letter) writes its URLs escaped, and the report
// still gives them relative to the site. (diff once trimmed the unescaped
// path, so its URLs kept the base and no page was picked to look at.)
func TestBasePathEscaped(t *testing.T) {
	old := strings.Replace(before, "base_url: https://trust.example.com/", "base_url: https://example.com/pr 12/prüfung/", 1)
	oldOut := sitetest.New(t, old).Build("2025-03-01").Out()
	new := strings.Replace(old, "    file: files/soc-2025.pdf\n", "    file: files/soc-2025.pdf\n    public: true\n", 1)
	newOut := sitetest.New(t, new).Build("2025-03-01").Out()
	o, err := Load(oldOut, "old")
	if err != nil {
		t.Fatal(err)
	}
	n, err := Load(newOut, "new")
	if err != nil {
		t.Fatal(err)
	}
	r := Compare(o, n)
	if len(r.Access) != 1 || r.Access[0].URL != "documents/soc/" {
		t.Fatalf("access changes %+v, want soc-2025 now public at documents/soc/", r.Access)
	}
	if len(r.LookAt) < 2 || r.LookAt[0] != "documents/soc/" || r.LookAt[1] != "public/documents/soc/" {
		t.Errorf("pages to look at %q, want documents/soc/ and public/documents/soc/ first", r.LookAt)
	}
}
