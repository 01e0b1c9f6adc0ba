package synth

import (
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

func TestAppendText(t *testing.T) {
	for _, tt := range []struct {
		in    string
		plain bool
	}{
		{"Fabrikam Compute", true},
		{"ISO/IEC 27001 Certificate", true},
		{"SOC 2 + HITRUST Type II Report", true},
		{"Auditor's report (Japan), 2025.", true},
		{"SOC 2 Type II Report: Fabrikam Compute", false},
		{"21 CFR Part 11 Assessment", false},
		{"#0b5cad", false},
		{"yes", false},
		{"No", false},
		{"null", false},
		{"a # comment", false},
		{`say "hi"`, false},
		{"trailing ", false},
		{"", false},
		{"Zürich", false},
		{"line\nbreak", false},
	} {
		if got := plain(tt.in); got != tt.plain {
			t.Errorf("plain(%q) = %v, want %v", tt.in, got, tt.plain)
		}
		roundTrip(t, tt.in)
	}
}

func roundTrip(t *testing.T, s string) {
	t.Helper()
	doc := append([]byte("key: "), appendText(nil, s)...)
	var m map[string]string
	if err := yaml.Unmarshal(doc, &m); err != nil {
		t.Fatalf("%s: %v", doc, err)
	}
	if m["key"] != s {
		t.Errorf("%q reads back as %q from %s", s, m["key"], doc)
	}
}

func FuzzAppendText(f *testing.F) {
	for _, s := range []string{"Fabrikam", "a: b", "- x", "'q'", "\t\x00\u2028", "true"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			t.Skip("catalog text is UTF-8")
		}
		roundTrip(t, s)
	})
}

func TestAppendSlug(t *testing.T) {
	for in, want := range map[string]string{
		"SOC 2 Type II Report":               "soc-2-type-ii-report",
		"IRAP Assessment Report (PROTECTED)": "irap-assessment-report-protected",
		"ISO/IEC 27001":                      "iso-iec-27001",
		"  --x--  ":                          "x",
		"2025 Q3":                            "2025-q3",
	} {
		if got := string(appendSlug(nil, in)); got != want {
			t.Errorf("appendSlug(%q) = %q, want %q", in, got, want)
		}
	}
	if got := string(appendSlug([]byte("series"), "v1.2")); got != "series-v1-2" {
		t.Errorf("appending to series gave %q", got)
	}
}
