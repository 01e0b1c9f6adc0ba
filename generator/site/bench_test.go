package site_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stp-portal/stp/generator/internal/sitetest"
	"github.com/stp-portal/stp/generator/site"
	"github.com/stp-portal/stp/generator/synth"
)

// benchSite writes a synthetic portal of n documents once per process.
func benchSite(b *testing.B, n int) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "stp-bench-site-"+strconv.Itoa(n))
	if _, err := os.Stat(filepath.Join(dir, "catalog.yaml")); err != nil {
		if err := synth.Write(dir, synth.Options{Documents: n, Regions: 8, Industries: 12, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	_ = os.RemoveAll(filepath.Join(dir, "layouts"))
	sitetest.CopyTree(b, filepath.Join(repoRoot, "layouts"), filepath.Join(dir, "layouts"))
	return dir
}

func benchmarkBuild(b *testing.B, n int) {
	dir := benchSite(b, n)
	out := filepath.Join(b.TempDir(), "public")
	b.ResetTimer()
	for b.Loop() {
		res, err := site.Build(site.Options{Root: dir, Out: out, Now: synth.Today()})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Pages), "pages")
		b.ReportMetric(float64(res.Bytes)/(1<<20), "MiB")
	}
}

func BenchmarkBuild1k(b *testing.B)  { benchmarkBuild(b, 1_000) }
func BenchmarkBuild10k(b *testing.B) { benchmarkBuild(b, 10_000) }

// BenchmarkRebuildOneDocument10k times the dev server's rebuild after one
// document's summary changed in a 10,000-document catalog.
func BenchmarkRebuildOneDocument10k(b *testing.B) {
	dir := benchSite(b, 10_000)
	bl := site.NewRebuilder(site.Options{Root: dir, Out: filepath.Join(b.TempDir(), "public"), Now: synth.Today()})
	if _, err := bl.Rebuild(); err != nil {
		b.Fatal(err)
	}
	bl.WaitIndex()
	cat := filepath.Join(dir, "catalog.yaml")
	orig, err := os.ReadFile(cat)
	if err != nil {
		b.Fatal(err)
	}
	defer os.WriteFile(cat, orig, 0o644)
	at, _, err := synth.CurrentSummary(orig, synth.Today())
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		edited := append(append(append([]byte{}, orig[:at]...), fmt.Sprintf("Edit %d. ", i)...), orig[at:]...)
		if err := os.WriteFile(cat, edited, 0o644); err != nil {
			b.Fatal(err)
		}
		res, err := bl.Rebuild("catalog.yaml")
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Rendered), "rendered")
		b.StopTimer()
		bl.WaitIndex()
		b.StartTimer()
	}
}
