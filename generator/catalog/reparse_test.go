package catalog

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestReparseEqualsParse edits a catalog in many ways and checks that
// Reparse gives exactly what a full Parse gives.
func TestReparseEqualsParse(t *testing.T) {
	var b strings.Builder
	b.WriteString(strings.Split(base, "documents:\n")[0] + "documents:\n")
	for i := range 6 {
		fmt.Fprintf(&b, "  - id: doc-%d\n    kind: trust-document\n    title: Doc %d\n    summary: S\n    version: \"1\"\n    services: [cloud]\n    standards: []\n    regions: all\n    industries: [health]\n    published: 2025-01-0%d\n    file: files/d.pdf\n", i, i, i+1)
	}
	orig := b.String()
	edits := map[string]func(string) string{
		"title": func(s string) string { return strings.Replace(s, "title: Doc 2", "title: Document two", 1) },
		"add lines": func(s string) string {
			return strings.Replace(s, "Doc 3\n    summary: S\n", "Doc 3\n    summary: S\n    description: |\n      Long\n      text.\n", 1)
		},
		"remove entry": func(s string) string {
			i := strings.Index(s, "  - id: doc-3")
			j := strings.Index(s, "  - id: doc-4")
			return s[:i] + s[j:]
		},
		"insert entry": func(s string) string {
			return strings.Replace(s, "  - id: doc-5", "  - {id: new, kind: trust-document, title: N, summary: S, version: \"1\", services: all, standards: [], regions: all, industries: all, published: 2025-02-01, file: files/n.pdf}\n  - id: doc-5", 1)
		},
		"append at end": func(s string) string {
			return s + "  - {id: last, kind: trust-document, title: L, summary: S, version: \"1\", services: all, standards: [], regions: all, industries: all, published: 2025-02-01, file: files/n.pdf}\n"
		},
		"site title": func(s string) string { return strings.Replace(s, "Test Portal", "Other Portal", 1) },
		"unknown region": func(s string) string {
			return strings.Replace(s, "industries: [health]\n    published: 2025-01-05", "industries: [helth]\n    published: 2025-01-05", 1)
		},
		"duplicate id": func(s string) string { return strings.Replace(s, "id: doc-4", "id: doc-1", 1) },
		"series clash": func(s string) string {
			return strings.Replace(s, "title: Doc 3\n    summary: S\n", "title: Doc 3\n    summary: S\n    series: doc-1\n", 1)
		},
		"join a series": func(s string) string {
			return strings.Replace(s, "title: Doc 3\n    summary: S\n    version: \"1\"", "title: Doc 3\n    summary: S\n    series: doc-1\n    version: \"2\"", 1)
		},
		"syntax error":  func(s string) string { return strings.Replace(s, "title: Doc 4", "title: [Doc 4", 1) },
		"unknown field": func(s string) string { return strings.Replace(s, "title: Doc 4", "titel: Doc 4", 1) },
		"first entry":   func(s string) string { return strings.Replace(s, "title: Doc 0", "title: Doc zero", 1) },
		"nothing":       func(s string) string { return s },
	}
	prev, problems := Parse("catalog.yaml", []byte(orig))
	if prev == nil {
		t.Fatal(problems)
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			data := []byte(edit(orig))
			want, wantProblems := Parse("catalog.yaml", data)
			got, gotProblems := Reparse(prev, data)
			if fmt.Sprint(gotProblems) != fmt.Sprint(wantProblems) {
				t.Fatalf("problems:\n%v\nwant:\n%v", gotProblems, wantProblems)
			}
			if (got == nil) != (want == nil) {
				t.Fatalf("catalog %v, want %v", got != nil, want != nil)
			}
			if want == nil {
				return
			}
			// Edits inside the documents section reuse the untouched
			// documents before the edit instead of parsing them again.
			incremental := name != "site title" && name != "first entry" && name != "nothing"
			if shared := got.Documents[0] == prev.Documents[0]; shared != (incremental || name == "nothing") {
				t.Errorf("first document shared with the previous parse = %v; want %v", shared, incremental)
			}
			if !reflect.DeepEqual(got.Documents, want.Documents) || !reflect.DeepEqual(got.Site, want.Site) || !reflect.DeepEqual(got.Regions, want.Regions) {
				t.Errorf("reparsed catalog differs from a full parse")
				for i := range min(len(got.Documents), len(want.Documents)) {
					if !reflect.DeepEqual(got.Documents[i], want.Documents[i]) {
						t.Errorf("document %d:\n%+v\nwant\n%+v", i, got.Documents[i], want.Documents[i])
						break
					}
				}
			}
			// A second edit on top of the first still agrees.
			if got != nil {
				again := []byte(strings.Replace(string(data), "title: Doc 1", "title: Doc one", 1))
				g2, _ := Reparse(got, again)
				w2, _ := Parse("catalog.yaml", again)
				if (g2 == nil) != (w2 == nil) || (w2 != nil && !reflect.DeepEqual(g2.Documents, w2.Documents)) {
					t.Errorf("second edit differs")
				}
			}
		})
	}
}
