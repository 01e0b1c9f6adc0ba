package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stp-portal/stp/generator/search"
)

func TestSearchCommand(t *testing.T) {
	site := t.TempDir()
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	recs := []search.Record{
		{ID: "a-2025", Series: "a", Version: "2025", Kind: "compliance-report", Title: "Contoso Cloud ISO/IEC 27001 Certificate",
			Summary: "Certificate of registration.", Standards: []string{"iso-27001"}, Regions: []string{"europe"}, Published: day("2025-01-02"), URL: "documents/a/", Current: true, Public: true},
		{ID: "b-2025", Series: "b", Version: "2025", Kind: "trust-document", Title: "Penetration Test Summary",
			Summary: "Annual test.", Regions: []string{"asia-pacific"}, Published: day("2025-02-03"), URL: "documents/b/", Current: true},
		{ID: "a-2024", Series: "a", Version: "2024", Kind: "compliance-report", Title: "Contoso Cloud ISO/IEC 27001 Certificate",
			Summary: "Certificate of registration.", Standards: []string{"iso-27001"}, Regions: []string{"europe"}, Published: day("2024-01-05"), URL: "documents/a/"},
	}
	labels := search.Labels{search.FacetStandard: {"iso-27001": "ISO/IEC 27001"}}
	if _, err := search.Write(filepath.Join(site, "search"), recs, labels, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := search.Write(filepath.Join(site, "public", "search"), recs[:1], labels, nil); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"search", "--site", site, "penetraton"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "Penetration Test Summary") {
		t.Fatalf("%d %s %s", code, out.String(), errb.String())
	}
	out.Reset()
	if code := run([]string{"search", "--site", site, "--public", "penetration"}, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "0 documents") {
		t.Fatalf("public index found a gated document: %s", out.String())
	}
	out.Reset()
	// One document, its earlier version inside.
	if code := run([]string{"search", "--site", site, "iso", "27001"}, &out, &errb); code != 0 ||
		!strings.HasPrefix(out.String(), "1 document for") || !strings.Contains(out.String(), "also matches: version 2024 (published 2024-01-05)") {
		t.Fatalf("%d %s %s", code, out.String(), errb.String())
	}
	out.Reset()
	if code := run([]string{"search", "--site", site, "iso", "--region", "europe", "--json"}, &out, &errb); code != 0 || !strings.Contains(out.String(), `"total": 1`) {
		t.Fatalf("%d %s %s", code, out.String(), errb.String())
	}
	// The export is a Bleve index (search's TestExportOpensWithBleve opens
	// and queries one).
	out.Reset()
	bdir := filepath.Join(t.TempDir(), "bleve")
	if code := run([]string{"search", "--site", site, "--export", bdir}, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "wrote 3 document versions to ") {
		t.Fatalf("export: %d %s %s", code, out.String(), errb.String())
	}
	if _, err := os.Stat(filepath.Join(bdir, "index_meta.json")); err != nil {
		t.Fatal(err)
	}
	errb.Reset()
	if code := run([]string{"search", "--site", site, strings.Repeat("x", 10000)}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "limit is 512") {
		t.Fatalf("%d %s", code, errb.String())
	}
	errb.Reset()
	if code := run([]string{"search", "--site", t.TempDir(), "x"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "stp build") {
		t.Fatalf("%d %s", code, errb.String())
	}
}
