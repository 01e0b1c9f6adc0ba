package diff_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/stp-portal/stp/generator/diff"
	"github.com/stp-portal/stp/generator/site"
)

// exampleCatalog is a one-document portal; versions adds more documents.
const exampleCatalog = `site:
  title: Contoso Service Trust Portal
  base_url: https://trust.contoso.example/
regions: [{id: europe, name: Europe}]
industries: [{id: health, name: Health}]
services: [{id: cloud, name: Contoso Cloud}]
standards: [{id: soc-2, name: SOC 2}]
documents:
  - {id: soc-2-2025, kind: compliance-report, title: SOC 2 Type 2 Report, summary: The 2025 report., series: soc-2,
     version: "2025", services: [cloud], standards: [soc-2], regions: all, industries: all, published: 2025-03-14,
     audit_period: {from: 2024-01-01, to: 2024-12-31}, file: files/soc-2-2025.pdf}
`

// Compare tells what a change does to the built portal, for a reviewer:
// here a whitepaper added, readable without signing in.
func ExampleCompare() {
	dir, err := os.MkdirTemp("", "stp-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	whitepaper := `  - {id: whitepaper-1, kind: trust-document, title: Security Whitepaper, summary: How Contoso Cloud is secured., series: whitepaper,
     version: "1", services: all, standards: all, regions: all, industries: all, published: 2025-05-01, file: files/whitepaper.pdf, public: true}
`
	old := build(dir, "old", exampleCatalog)
	new := build(dir, "new", exampleCatalog+whitepaper)
	r := diff.Compare(old, new)
	for _, a := range r.Added {
		fmt.Println("added:", a.Title, a.Current.Version)
	}
	for _, a := range r.Access {
		fmt.Println("access:", a.Title, a.Version.Version, a.Change)
	}
	fmt.Println("versions:", r.Old.Versions, "→", r.New.Versions)
	// Output:
	// added: Security Whitepaper 1
	// access: Security Whitepaper 1 added-public
	// versions: 1 → 2
}

// build writes a site with the given catalog and builds it as of one day.
func build(dir, name, catalog string) *diff.Site {
	root := filepath.Join(dir, name)
	for file, body := range map[string]string{
		"catalog.yaml":                 catalog,
		"content/files/soc-2-2025.pdf": "%PDF-1.7 report",
		"content/files/whitepaper.pdf": "%PDF-1.7 whitepaper",
	} {
		p := filepath.Join(root, filepath.FromSlash(file))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	if err := os.CopyFS(filepath.Join(root, "layouts"), os.DirFS("../../layouts")); err != nil {
		log.Fatal(err)
	}
	out := filepath.Join(root, "public")
	if _, err := site.Build(site.Options{Root: root, Out: out, Now: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		log.Fatal(strings.TrimSpace(err.Error()))
	}
	s, err := diff.Load(out, name)
	if err != nil {
		log.Fatal(err)
	}
	return s
}
