package search_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stp-portal/stp/generator/internal/sitetest"
	"github.com/stp-portal/stp/generator/search"
	"github.com/stp-portal/stp/generator/site"
)

// relevanceCase is a query a reader types and the series that must take
// the first places, in any order among themselves (top), and those that must not be found (absent).
// A case with no top must find nothing.
type relevanceCase struct {
	q      string
	top    []string
	absent []string
	// known says why a case fails on purpose, until the engine learns it.
	known string
}

// relevanceSet is asked of the sample catalog (catalog.yaml) as its
// gated area indexes it: every listed version.
var relevanceSet = []relevanceCase{
	// Words and names as written.
	{q: "soc 1", top: []string{"contoso-cloud-soc-1-type-2", "contoso-365-soc-1-type-2"}},
	{q: "soc 2", top: []string{"contoso-cloud-soc-2-type-2", "contoso-365-soc-2-type-2", "contoso-dynamics-soc-2-type-2"}},
	{q: "soc 3", top: []string{"contoso-cloud-soc-3", "contoso-365-soc-3"}},
	{q: "iso 27001", top: []string{"contoso-iso-27001-certificate", "contoso-iso-27001-27017-27018-assessment"}},
	{q: "iso 27701", top: []string{"contoso-iso-27701-assessment"}},
	{q: "fedramp", top: []string{"contoso-cloud-fedramp-high", "contoso-365-fedramp-moderate"}},
	{q: "fedramp moderate", top: []string{"contoso-365-fedramp-moderate"}},
	{q: "c5", top: []string{"contoso-cloud-c5"}},
	{q: "irap", top: []string{"contoso-cloud-irap"}},
	{q: "ismap", top: []string{"contoso-cloud-ismap"}},
	{q: "hitrust", top: []string{"contoso-cloud-hitrust"}},
	{q: "pci dss", top: []string{"contoso-pci-dss-aoc"}},
	{q: "gdpr", top: []string{"contoso-gdpr-customer-guide"}},
	{q: "csa star", top: []string{"contoso-cloud-csa-star-caiq"}},
	{q: "cyber essentials", top: []string{"contoso-cyber-essentials-plus"}},
	{q: "shared responsibility", top: []string{"contoso-shared-responsibility-guide"}},
	{q: "encryption key management", top: []string{"contoso-encryption-whitepaper"}},
	{q: "security whitepaper", top: []string{"contoso-security-overview"}},
	{q: "bridge letter", top: []string{"contoso-cloud-soc-1-type-2"}},
	{q: "hipaa", top: []string{"contoso-hipaa-hitech"}},
	// Typos and words being typed.
	{q: "penetraton test", top: []string{"contoso-pen-test-summary"}},
	{q: "fedram", top: []string{"contoso-cloud-fedramp-high"}},
	{q: "encrypt", top: []string{"contoso-encryption-whitepaper"}},
	// Compounds and hyphens.
	{q: "sub-processor", top: []string{"contoso-sub-processors"}},
	{q: "subprocessor", top: []string{"contoso-sub-processors"}},
	{q: "subprocessors", top: []string{"contoso-sub-processors"}},
	{q: "sub processor list", top: []string{"contoso-sub-processors"}},
	{q: "self assessment", top: []string{"contoso-cloud-csa-star-caiq"}},
	{q: "selfassessment", top: []string{"contoso-cloud-csa-star-caiq"}},
	// Letters next to digits.
	{q: "soc2", top: []string{"contoso-cloud-soc-2-type-2", "contoso-365-soc-2-type-2", "contoso-dynamics-soc-2-type-2"}},
	{q: "SOC1", top: []string{"contoso-cloud-soc-1-type-2", "contoso-365-soc-1-type-2"}},
	{q: "iso27001", top: []string{"contoso-iso-27001-certificate", "contoso-iso-27001-27017-27018-assessment"}},
	{q: "iso27701", top: []string{"contoso-iso-27701-assessment"}},
	{q: "pcidss", top: []string{"contoso-pci-dss-aoc"}},
	{q: "soc2 type2", top: []string{"contoso-cloud-soc-2-type-2", "contoso-365-soc-2-type-2", "contoso-dynamics-soc-2-type-2"}},
	// Synonyms and acronyms of the field.
	{q: "pentest", top: []string{"contoso-pen-test-summary"}},
	{q: "pen test", top: []string{"contoso-pen-test-summary"}},
	{q: "penetration testing", top: []string{"contoso-pen-test-summary"}},
	{q: "bcdr", top: []string{"contoso-bcdr-overview"}},
	{q: "disaster recovery", top: []string{"contoso-bcdr-overview"}},
	{q: "isms certificate", top: []string{"contoso-iso-27001-certificate"}},
	{q: "dpa", top: []string{"contoso-sub-processors", "contoso-gdpr-customer-guide"}},
	{q: "caiq", top: []string{"contoso-cloud-csa-star-caiq"}},
	{q: "aoc", top: []string{"contoso-pci-dss-aoc"}},
	// The publisher's synonyms (catalog.yaml, site.search.synonyms).
	{q: "ccm", top: []string{"contoso-cloud-csa-star-caiq"}},
	{q: "cloud controls matrix", top: []string{"contoso-cloud-csa-star-caiq"}},
	// Taxonomy names as words.
	{q: "healthcare", top: []string{"contoso-hipaa-hitech", "contoso-cloud-hitrust"}},
	{q: "financial institutions", top: []string{"contoso-dynamics-financial-services-guide"}},
	{q: "japan", top: []string{"contoso-cloud-ismap"}},
	{q: "australia", top: []string{"contoso-cloud-irap"}},
	// Nothing to find.
	{q: "kubernetes quantum"},
	{q: "zzzzqx"},
}

var sampleIndex struct {
	once sync.Once
	idx  *search.Index
	err  error
}

// openSampleCatalog builds the repository's sample site, searching on the
// server so that no engine is compiled, and opens its gated index.
func openSampleCatalog(t *testing.T) *search.Index {
	t.Helper()
	s := &sampleIndex
	s.once.Do(func() {
		dir, err := os.MkdirTemp("", "stp-relevance-")
		if err != nil {
			s.err = err
			return
		}
		defer os.RemoveAll(dir)
		root := sitetest.RepoRoot()
		cat, err := os.ReadFile(filepath.Join(root, "catalog.yaml"))
		if err != nil {
			s.err = err
			return
		}
		cat = bytes.Replace(cat, []byte("\n    in: browser "), []byte("\n    in: server  "), 1)
		if !bytes.Contains(cat, []byte("in: server")) {
			s.err = errors.New("catalog.yaml no longer says site.search.in: browser")
			return
		}
		sitetest.WriteFile(t, filepath.Join(dir, "site", "catalog.yaml"), cat)
		sitetest.CopyTree(t, filepath.Join(root, "content"), filepath.Join(dir, "site", "content"))
		sitetest.CopyTree(t, filepath.Join(root, "layouts"), filepath.Join(dir, "site", "layouts"))
		now, _ := time.Parse(time.DateOnly, "2026-11-27")
		if _, err := site.Build(site.Options{Root: filepath.Join(dir, "site"), Out: filepath.Join(dir, "out"), Now: now}); err != nil {
			s.err = err
			return
		}
		s.idx, s.err = search.OpenDir(filepath.Join(dir, "out", "search"))
	})
	if s.err != nil {
		t.Fatal(s.err)
	}
	return s.idx
}

// seriesOrder lists the series of a result's hits, each once, in order.
func seriesOrder(res search.Result) []string {
	var out []string
	for _, h := range res.Hits {
		if len(out) == 0 || out[len(out)-1] != h.Series {
			seen := false
			for _, s := range out {
				seen = seen || s == h.Series
			}
			if !seen {
				out = append(out, h.Series)
			}
		}
	}
	return out
}

// TestRelevanceSet asks the sample catalog what readers type and checks
// the series that come first.
func TestRelevanceSet(t *testing.T) {
	idx := openSampleCatalog(t)
	passed := 0
	for _, c := range relevanceSet {
		res, err := search.Run(idx, search.Query{Text: c.q, Size: search.MaxPageSize})
		if err != nil {
			t.Errorf("%q: %v", c.q, err)
			continue
		}
		got := seriesOrder(res)
		ok := len(got) >= len(c.top)
		for i := 0; ok && i < len(c.top); i++ {
			ok = slices.Contains(c.top, got[i])
		}
		if len(c.top) == 0 {
			ok = len(got) == 0
		}
		for _, a := range c.absent {
			for _, s := range got {
				ok = ok && s != a
			}
		}
		if ok {
			passed++
			continue
		}
		shown := got[:min(len(got), len(c.top)+2)]
		if c.known != "" {
			t.Logf("%q (known: %s): got %v, want first %v", c.q, c.known, shown, c.top)
			continue
		}
		t.Errorf("%q: got %v, want first %v", c.q, strings.Join(shown, " "), c.top)
	}
	t.Logf("relevance set: %d of %d queries pass", passed, len(relevanceSet))
}
