package search_test

import (
	"fmt"
	"log"
	"time"

	"github.com/stp-portal/stp/generator/search"
)

// Run answers a query over an index, as the browser, `stp serve`'s
// /api/search and `stp search` do: the same engine, the same answers.
func ExampleRun() {
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	records := []search.Record{
		{ID: "soc-2-2025", Series: "soc-2", Version: "2025", Kind: "compliance-report",
			Title: "SOC 2 Type 2 Report", Summary: "Controls for security and availability.",
			Services: []string{"cloud"}, Standards: []string{"soc-2"}, Regions: []string{"europe"}, Industries: []string{"health"},
			Published: day("2025-03-14"), PeriodFrom: day("2024-01-01"), PeriodTo: day("2024-12-31"),
			URL: "documents/soc-2/", Current: true},
		{ID: "pentest-2025", Series: "pentest", Version: "2025", Kind: "trust-document",
			Title: "Penetration Test Summary", Summary: "What the 2025 penetration test found.",
			Services: []string{"cloud"}, Regions: []string{"europe"}, Industries: []string{"health"},
			Published: day("2025-02-01"), URL: "documents/pentest/", Current: true},
	}
	labels := search.Labels{
		search.FacetService:  {"cloud": "Contoso Cloud"},
		search.FacetStandard: {"soc-2": "SOC 2"},
		search.FacetRegion:   {"europe": "Europe"},
		search.FacetIndustry: {"health": "Healthcare"},
	}
	data, err := search.BuildIndex(records, labels)
	if err != nil {
		log.Fatal(err)
	}
	idx, err := search.Open(data)
	if err != nil {
		log.Fatal(err)
	}
	for _, text := range []string{"soc2", "pentest", "soc 2 report"} {
		res, err := search.Run(idx, search.Query{Text: text})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%q:", text)
		for _, h := range res.Hits {
			fmt.Printf(" %s", h.URL)
		}
		fmt.Println()
	}
	// Output:
	// "soc2": documents/soc-2/
	// "pentest": documents/pentest/
	// "soc 2 report": documents/soc-2/
}
