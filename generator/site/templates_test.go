package site

import (
	"bytes"
	"strings"
	"testing"
)

// TestRenderWithRows: a list template that prints .Rows once gets the rows
// spliced in where it printed them; one that prints them twice, or not at
// all, is rendered again with the rows joined, so either way the page is
// what the template says.
func TestRenderWithRows(t *testing.T) {
	docs := []*DocView{{Row: "<tr>a</tr>"}, {Row: "<tr>b</tr>"}}
	const rows = "<tr>a</tr>\n<tr>b</tr>\n"
	for _, tc := range []struct {
		name string
		page func(rows string) string
		want string
	}{
		{"once", func(r string) string { return "<h1>L</h1>" + r + "<p>end</p>" }, "<h1>L</h1>" + rows + "<p>end</p>"},
		{"twice", func(r string) string { return "top " + r + " mid " + r + " end" }, "top " + rows + " mid " + rows + " end"},
		{"never", func(string) string { return "no rows here" }, "no rows here"},
		{"escaped", func(r string) string { return strings.ReplaceAll(r, "<", "&lt;") }, strings.ReplaceAll(rows, "<", "&lt;")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lv := &ListView{Docs: docs}
			var buf bytes.Buffer
			buf.WriteString("before|")
			err := renderWithRows(&buf, lv, func(b *bytes.Buffer) error {
				b.WriteString(tc.page(string(lv.Rows)))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := buf.String(), "before|"+tc.want; got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}
