package site_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stp-portal/stp/generator/diag"
	"github.com/stp-portal/stp/generator/site"
	"github.com/stp-portal/stp/generator/site/sitetest"
)

// leakSite has a gated series (pentest), a public one (overview), a public
// page, a gated page with the same links, and public descriptions that
// link and name the gated document.
const leakSite = `
-- catalog.yaml --
site:
  title: Test Portal
  base_url: https://trust.example.com/
regions: [{id: europe, name: Europe}]
industries: [{id: health, name: Health}]
services: [{id: cloud, name: Cloud}]
standards: [{id: soc-2, name: SOC 2}]
documents:
  - {id: pentest-2025, kind: trust-document, title: Penetration Test Summary, summary: Gated., series: pentest, version: "2025",
     services: all, standards: all, regions: all, industries: all, published: 2025-01-10, file: files/pentest-2025.pdf}
  - id: overview
    kind: trust-document
    title: Security Overview
    summary: Public.
    version: "1"
    services: all
    standards: all
    regions: all
    industries: all
    published: 2025-01-10
    file: files/overview.pdf
    public: true
    description: |
      # Scope

      Read the [test summary](/documents/pentest/) too.
  - {id: faq-sheet, kind: trust-document, title: FAQ sheet, summary: Public., version: "1", services: all, standards: all,
     regions: all, industries: all, published: 2025-01-10, file: files/faq-sheet.pdf, public: true,
     description: Details are in pentest-2025.pdf for customers.}
-- content/files/pentest-2025.pdf --
%PDF-1.4 pentest
-- content/files/overview.pdf --
%PDF-1.4 overview
-- content/files/faq-sheet.pdf --
%PDF-1.4 faq
-- content/start.md --
---
title: Start
public: true
---
Public [overview](/public/documents/overview/), its [file](/public/documents/overview/overview.pdf)
and [elsewhere](https://example.org/documents/pentest/) are fine.

1. [Absolute](/documents/pentest/)
2. [Relative](../../documents/pentest/?v=2#scope)
3. [Full URL](https://trust.example.com/documents/pentest/)
4. Check ` + "`sha256sum pentest-2025.pdf`" + ` after downloading.
5. [The file](/documents/pentest/pentest-2025.pdf) and [again](files/pentest-2025.pdf): one problem a line
   for each document
6. [Escaped](/downloads/pentest%2D2025.pdf)
7. [Signed-in copy](/documents/overview/)
8. [Preview](/pr-7/documents/pentest/)
-- content/inside.md --
---
title: Inside
---
1. [Absolute](/documents/pentest/)
2. [Relative](../documents/pentest/?v=2#scope)
3. Check ` + "`sha256sum pentest-2025.pdf`" + ` after downloading.
-- content/index.md --
---
title: Home
---
Welcome. Our [test summary](documents/pentest/) is for customers.
`

func TestPublicContentLeaks(t *testing.T) {
	s := sitetest.New(t, leakSite)
	dir := s.Root
	const gated = `"Penetration Test Summary" (pentest-2025), which only signed-in readers may see; public content must not link or name it: `
	const fix = `link a public page instead (such as /public/documents/), make the document public (public: true in catalog.yaml), or remove the link`
	const fileFix = `make the document public (public: true in catalog.yaml) or remove the link`
	want := []string{
		`catalog.yaml:26:16: link to "/documents/pentest/" leads to ` + gated + fix,
		`catalog.yaml:29:34: pentest-2025.pdf is the file of "Penetration Test Summary" (pentest-2025), which only signed-in readers may download; public content must not name it: make the document public (public: true in catalog.yaml) or remove the name`,
		`content/index.md:4:14: link to "documents/pentest/" leads to ` + gated + fix,
		`content/start.md:8:4: link to "/documents/pentest/" leads to ` + gated + fix,
		`content/start.md:9:4: link to "../../documents/pentest/?v=2#scope" leads to ` + gated + fix,
		`content/start.md:10:4: link to "https://trust.example.com/documents/pentest/" leads to ` + gated + fix,
		`content/start.md:11:21: pentest-2025.pdf is the file of "Penetration Test Summary" (pentest-2025), which only signed-in readers may download; public content must not name it: make the document public (public: true in catalog.yaml) or remove the name`,
		`content/start.md:12:4: link to "/documents/pentest/pentest-2025.pdf" names pentest-2025.pdf, the file of ` + gated + fileFix,
		`content/start.md:14:4: link to "/downloads/pentest%2D2025.pdf" names pentest-2025.pdf, the file of ` + gated + fileFix,
		`content/start.md:15:4: warning: link to "/documents/overview/" leads to the signed-in copy of a public document; link its public page /public/documents/overview/ instead, which readers open without signing in`,
	}
	// Built as it is, /pr-7/ is not the site, but the address still names
	// the gated series.
	asIs := append(slices.Clone(want), `content/start.md:16:19: /documents/pentest is the address of "Penetration Test Summary" (pentest-2025), which only signed-in readers may see; public content must not name it: link a public page instead (such as /public/documents/), make the document public (public: true in catalog.yaml), or remove it`)
	checkProblems(t, site.Check(site.Options{Root: dir, Now: day(t, "2025-02-10")}), asIs)

	// Built as a preview under /pr-7/, links under either base path are
	// the site's; the fixes name the preview's addresses.
	preview := slices.Clone(want)
	for i, w := range preview {
		preview[i] = strings.ReplaceAll(w, "(such as /public/documents/)", "(such as /pr-7/public/documents/)")
		preview[i] = strings.ReplaceAll(preview[i], "public page /public/documents/overview/", "public page /pr-7/public/documents/overview/")
	}
	preview = append(preview, `content/start.md:16:4: link to "/pr-7/documents/pentest/" leads to `+strings.ReplaceAll(gated+fix, "/public/", "/pr-7/public/"))
	checkProblems(t, site.Check(site.Options{Root: dir, Now: day(t, "2025-02-10"), BaseURL: "https://preview.example.com/pr-7/"}), preview)
}

func checkProblems(t *testing.T, got diag.Problems, want []string) {
	t.Helper()
	var lines []string
	for _, p := range got {
		lines = append(lines, p.Error())
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}
