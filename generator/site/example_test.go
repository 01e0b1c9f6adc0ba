package site_test

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/stp-portal/stp/generator/site"
)

// exampleSite writes a portal of one document, with the repository's
// layouts, into a new folder.
func exampleSite() string {
	root, err := os.MkdirTemp("", "stp-example-")
	if err != nil {
		log.Fatal(err)
	}
	files := map[string]string{
		"catalog.yaml": `site:
  title: Contoso Service Trust Portal
  base_url: https://trust.contoso.example/
regions: [{id: europe, name: Europe}]
industries: [{id: health, name: Health}]
services: [{id: cloud, name: Contoso Cloud}]
standards: [{id: soc-2, name: SOC 2}]
documents:
  - id: soc-2-2025
    kind: compliance-report
    title: SOC 2 Type 2 Report
    summary: The 2025 SOC 2 report.
    series: soc-2
    version: "2025"
    services: [cloud]
    standards: [soc-2]
    regions: all
    industries: all
    published: 2025-03-14
    audit_period: {from: 2024-01-01, to: 2024-12-31}
    file: files/soc-2-2025.pdf
`,
		"content/files/soc-2-2025.pdf": "%PDF-1.7 the report",
	}
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	// The repository's own layouts.
	if err := os.CopyFS(filepath.Join(root, "layouts"), os.DirFS("../../layouts")); err != nil {
		log.Fatal(err)
	}

	return root
}

// Build turns a folder with catalog.yaml, content/ and layouts/ into the
// portal, atomically: a failed build leaves the previous output as it was.
func ExampleBuild() {
	root := exampleSite()
	defer os.RemoveAll(root)
	out := filepath.Join(root, "public")
	res, err := site.Build(site.Options{Root: root, Out: out, Now: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Documents, "document version listed")
	for _, page := range []string{"index.html", "documents/soc-2/index.html", "documents/soc-2/soc-2-2025.pdf", "regions/europe/index.html", "public/index.html"} {
		_, err := os.Stat(filepath.Join(out, filepath.FromSlash(page)))
		fmt.Println(page, err == nil)
	}
	// Output:
	// 1 document version listed
	// index.html true
	// documents/soc-2/index.html true
	// documents/soc-2/soc-2-2025.pdf true
	// regions/europe/index.html true
	// public/index.html true
}

// A Rebuilder builds the same site again and again in place, as the dev
// server does: told which inputs changed, it renders only the pages whose
// inputs did.
func ExampleRebuilder() {
	root := exampleSite()
	defer os.RemoveAll(root)
	r := site.NewRebuilder(site.Options{Root: root, Out: filepath.Join(root, "public"), Now: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)},
		site.OnIndexError(func(err error) { log.Print(err) }))
	defer r.WaitIndex()
	first, err := r.Rebuild() // the first builds everything
	if err != nil {
		log.Fatal(err)
	}
	cat := filepath.Join(root, "catalog.yaml")
	src, err := os.ReadFile(cat)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(cat, bytes.Replace(src, []byte("The 2025 SOC 2 report."), []byte("The SOC 2 report for 2025."), 1), 0o644); err != nil {
		log.Fatal(err)
	}
	res, err := r.Rebuild("catalog.yaml")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("document page rendered again:", slices.Contains(res.Rewritten, "documents/soc-2/index.html"))
	fmt.Println("fewer outputs rendered than the first time:", res.Rendered < first.Rendered)
	// Output:
	// document page rendered again: true
	// fewer outputs rendered than the first time: true
}
