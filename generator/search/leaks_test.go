package search

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPublicLeaks(t *testing.T) {
	site := t.TempDir()
	recs := sampleRecords()
	var public []Record
	for _, r := range recs {
		if r.Public {
			public = append(public, r)
		}
	}
	pub := filepath.Join(site, "public")
	if _, err := Write(filepath.Join(pub, "search"), public, sampleLabels(), nil); err != nil {
		t.Fatal(err)
	}
	if leaks := PublicLeaks(pub, recs); len(leaks) != 0 {
		t.Fatalf("public index leaks: %v", leaks)
	}
	// A gated index under the public prefix, and a gated title in a page, are caught.
	if _, err := Write(filepath.Join(pub, "oops"), recs, sampleLabels(), nil); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(pub, "page.html"), []byte("<h1>Contoso Cloud SOC 2 Type 2 Report</h1>"), 0o644)
	leaks := PublicLeaks(pub, recs)
	joined := strings.Join(leaks, "\n")
	if !strings.Contains(joined, `gated document "cloud-soc-2-2025"`) || !strings.Contains(joined, "page.html") {
		t.Fatalf("leaks not found: %v", leaks)
	}
}
