package precompress

import (
	"bytes"
	"compress/gzip"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/andybalholm/brotli"
)

func TestOriginal(t *testing.T) {
	for name, want := range map[string]string{
		"search/index.0123456789abcdef.stpidx.br": "search/index.0123456789abcdef.stpidx",
		"public/assets/site.3ff2e55753.css.gz":    "public/assets/site.3ff2e55753.css",
		"documents/soc/report.pdf.gz":             "",
		"documents/soc/data.tar.gz":               "",
		"search/index.stpidx":                     "",
		"feed.xml.br":                             "feed.xml",
	} {
		got, ok := Original(name)
		if got != want || ok != (want != "") {
			t.Errorf("Original(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
}

// TestCompress: variants decode to the original, are the same bytes each
// time, and are left out where they would not save enough.
func TestCompress(t *testing.T) {
	text := bytes.Repeat([]byte("SOC 2 Type 2 report for Contoso Cloud. "), 200)
	random := make([]byte, 4096)
	rand.NewChaCha8([32]byte{1}).Read(random)
	for _, level := range []Level{Changing, Stable} {
		vs, err := Compress(text, level)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 2 || vs[0].Name != "br" || vs[1].Name != "gzip" {
			t.Fatalf("level %d: variants %v, want br and gzip", level, vs)
		}
		again, _ := Compress(text, level)
		for i, v := range vs {
			if !bytes.Equal(v.Data, again[i].Data) {
				t.Errorf("level %d: %s differs between two runs", level, v.Name)
			}
		}
		var r io.Reader
		r, err = gzip.NewReader(bytes.NewReader(vs[1].Data))
		if err != nil {
			t.Fatal(err)
		}
		for _, dec := range []io.Reader{brotli.NewReader(bytes.NewReader(vs[0].Data)), r} {
			got, err := io.ReadAll(dec)
			if err != nil || !bytes.Equal(got, text) {
				t.Errorf("level %d: a variant does not decode to the original (%v)", level, err)
			}
		}
	}
	if vs, err := Compress(random, Changing); err != nil || len(vs) != 0 {
		t.Errorf("random bytes: %d variants (%v), want none: they would not save %.0f%%", len(vs), err, MinSaving*100)
	}
	if vs, err := Compress(text[:100], Changing); err != nil || len(vs) != 0 {
		t.Errorf("100 bytes: %d variants (%v), want none", len(vs), err)
	}
}
