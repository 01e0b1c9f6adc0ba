package catalog_test

import (
	"fmt"

	"github.com/stp-portal/stp/generator/catalog"
)

// Parse reads a catalog and reports every problem at its line and column,
// with the fix, all at once.
func ExampleParse() {
	src := []byte(`site:
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
    version: "2025"
    services: [cloud]
    standards: [soc-2]
    regions: [eurpoe]
    industries: all
    published: 2025-03-14
    audit_period: {from: 2024-01-01, to: 2024-12-31}
    file: files/soc-2-2025.pdf
`)
	_, problems := catalog.Parse("catalog.yaml", src)
	for _, p := range problems {
		fmt.Println(p)
	}
	// Output:
	// catalog.yaml:16:15: unknown region "eurpoe" (did you mean "europe"?); add it to the catalog's regions or use a known id (known: europe)
}
