package catalog

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// wholeParse is Parse without the split: the reference splitParse must match.
func wholeParse(data []byte) *Catalog {
	d := &decoder{file: "catalog.yaml"}
	c := d.parseWhole(data, data, nil)
	if len(d.problems.Errors()) > 0 {
		return nil
	}
	return c
}

// checkSplit fails when splitParse returns a catalog that differs from the
// whole-file parse's; it says whether splitParse took the text.
func checkSplit(t *testing.T, data []byte) bool {
	t.Helper()
	got, ok := splitParse("catalog.yaml", data)
	if !ok {
		return false
	}
	want := wholeParse(data)
	if want == nil {
		t.Fatalf("split parse returned a catalog where the whole parse has errors:\n%s", data)
	}
	if !reflect.DeepEqual(got, want) {
		for i := range min(len(got.Documents), len(want.Documents)) {
			if !reflect.DeepEqual(got.Documents[i], want.Documents[i]) {
				t.Fatalf("document %d:\n%+v\nwant\n%+v", i, got.Documents[i], want.Documents[i])
			}
		}
		t.Fatalf("split parse differs from the whole parse:\n%+v\nwant\n%+v", got, want)
	}
	return true
}

func TestSplitParse(t *testing.T) {
	head := strings.Split(base, "documents:\n")[0]
	entry := func(i int, extra string) string {
		return fmt.Sprintf("  - id: doc-%d\n    kind: trust-document\n    title: Doc %d\n    summary: S\n    version: \"1\"\n    services: [cloud]\n    standards: []\n    regions: all\n    industries: [health]\n    published: 2025-01-0%d\n    file: files/d.pdf\n%s", i, i, i%9+1, extra)
	}
	entries := func(extra map[int]string) string {
		var b strings.Builder
		for i := range 12 {
			b.WriteString(entry(i, extra[i]))
		}
		return b.String()
	}
	plain := entries(nil)
	cases := []struct {
		name, text string
		split      bool
	}{
		{"plain", head + "documents:\n" + plain, true},
		{"comments between entries", head + "documents:\n# first\n" + strings.ReplaceAll(plain, "  - id: doc-5", "# a comment at the margin\n    # and one indented\n\n  - id: doc-5"), true},
		{"dashes at the margin", head + "documents:\n" + strings.ReplaceAll(strings.ReplaceAll(plain, "\n    ", "\n  "), "  - id:", "- id:"), true},
		{"a section after the list", strings.Replace(base, "documents:\n", "documents:\n"+plain, 1)[len(head):] + head, true},
		{"block text with dashes", head + "documents:\n" + entries(map[int]string{3: "    description: |\n      - a list in Markdown\n      - second item\n\n      text\n"}), true},
		{"quoted text over lines that look like entries", head + "documents:\n" + strings.Replace(plain, "summary: S\n", "summary: \"S\n  - id: not-an-entry\"\n", 4), false},
		{"a flow list", head + "documents: [\n" + strings.Repeat("  {id: x},\n", 3) + "]\n", false},
		{"carriage returns", strings.ReplaceAll(head+"documents:\n"+plain, "\n", "\r\n"), false},
		{"two documents sections", head + "documents:\n" + plain + "documents:\n" + plain, false},
		{"a second YAML document", head + "documents:\n" + plain + "---\n" + head, false},
		{"an entry with an error", head + "documents:\n" + strings.Replace(plain, "regions: all", "regions: [mars]", 1), false},
		{"an alias across entries", head + "documents:\n" + strings.Replace(strings.Replace(plain, "summary: S", "summary: &s S", 1), "summary: S", "summary: *s", 1), false},
		{"no newline at the end", strings.TrimSuffix(head+"documents:\n"+plain, "\n"), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := checkSplit(t, []byte(c.text)); got != c.split {
				t.Errorf("split = %v, want %v", got, c.split)
			}
			// Whatever the path, Parse agrees with the whole-file parse.
			got, gotProblems := Parse("catalog.yaml", []byte(c.text))
			d := &decoder{file: "catalog.yaml"}
			want := d.parseWhole([]byte(c.text), []byte(c.text), nil)
			d.problems.Sort()
			if fmt.Sprint(gotProblems) != fmt.Sprint(d.problems) || (got == nil) != (len(d.problems.Errors()) > 0) ||
				(got != nil && !reflect.DeepEqual(got, want)) {
				t.Errorf("Parse differs from the whole-file parse: %v\nwant %v", gotProblems, d.problems)
			}
		})
	}
	if sample, err := os.ReadFile("../../catalog.yaml"); err == nil && !checkSplit(t, sample) {
		t.Errorf("the sample catalog was not split")
	}
}

func TestValidID(t *testing.T) {
	pattern := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	for _, s := range []string{"", "a", "iso-27001", "a--b", "-a", "a-", "A", "a_b", "soc-2-type-ii", "9", "a-9-z", "é", "a b", "-"} {
		if got, want := validID(s), pattern.MatchString(s); got != want {
			t.Errorf("validID(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestCommonPrefixSuffix(t *testing.T) {
	base := []byte(strings.Repeat("0123456789abcdef", 100))
	for _, at := range []int{0, 1, 255, 256, 257, 800, len(base) - 1} {
		for _, edit := range []string{"", "X", "XYZ"} {
			b := append(append(append([]byte{}, base[:at]...), edit...), base[at+1:]...)
			p, s := 0, 0
			for p < len(base) && p < len(b) && base[p] == b[p] {
				p++
			}
			for s < len(base)-p && s < len(b)-p && base[len(base)-1-s] == b[len(b)-1-s] {
				s++
			}
			gp := commonPrefix(base, b)
			if gs := commonSuffix(base[gp:], b[gp:]); gp != p || gs != s {
				t.Errorf("edit %q at %d: prefix, suffix = %d, %d; want %d, %d", edit, at, gp, gs, p, s)
			}
		}
	}
}
