package diag_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/stp-portal/stp/generator/diag"
)

func ExampleProblems() {
	var ps diag.Problems
	ps.Errorf(diag.Pos{File: "catalog.yaml", Line: 41, Col: 15}, "unknown region %q (known: apac, emea)", "emaa")
	ps.Warnf(diag.Pos{File: "catalog.yaml", Line: 7, Col: 3}, "site.tagline is empty")
	ps.Errorf(diag.Pos{File: "layouts/"}, "the base layout is missing")
	ps.Sort()
	fmt.Println(ps)
	fmt.Println(len(ps.Errors()), "errors")
	// Output:
	// catalog.yaml:7:3: warning: site.tagline is empty
	// catalog.yaml:41:15: unknown region "emaa" (known: apac, emea)
	// layouts/: the base layout is missing
	// 2 errors
}

func TestPos(t *testing.T) {
	for _, tc := range []struct {
		pos  diag.Pos
		want string
	}{
		{diag.Pos{File: "catalog.yaml", Line: 3, Col: 5}, "catalog.yaml:3:5"},
		{diag.Pos{File: "content/", Line: 0, Col: 0}, "content/"},
		{diag.Pos{File: "--base-url"}, "--base-url"},
		{diag.Pos{Line: 2, Col: 1}, ":2:1"},
	} {
		if got := tc.pos.String(); got != tc.want {
			t.Errorf("%#v: got %q, want %q", tc.pos, got, tc.want)
		}
	}
}

// Sort is stable: problems found at one place keep the order found.
func TestSort(t *testing.T) {
	at := func(file string, line, col int, msg string) *diag.Problem {
		return &diag.Problem{Pos: diag.Pos{File: file, Line: line, Col: col}, Message: msg}
	}
	ps := diag.Problems{at("b", 1, 1, "1"), at("a", 2, 1, "2"), at("a", 1, 9, "3"), at("a", 1, 2, "4"), at("a", 1, 2, "5"), at("a", 0, 0, "6")}
	ps.Sort()
	got := ""
	for _, p := range ps {
		got += p.Message
	}
	if got != "645321" {
		t.Errorf("sorted %s, want 645321", got)
	}
}

func TestProblemsAsError(t *testing.T) {
	var ps diag.Problems
	ps.Errorf(diag.Pos{File: "a.yaml", Line: 1, Col: 10}, "%q is not an e-mail address", "x")
	ps.Warnf(diag.Pos{File: "a.yaml"}, "no users")
	var err error = ps
	var back diag.Problems
	if !errors.As(err, &back) || len(back) != 2 {
		t.Fatalf("errors.As: %v", back)
	}
	if want := "a.yaml:1:10: \"x\" is not an e-mail address\na.yaml: warning: no users"; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
	if errs := ps.Errors(); len(errs) != 1 || errs[0] != ps[0] {
		t.Errorf("Errors: %v", errs)
	}
}

func TestMarshalJSON(t *testing.T) {
	for _, tc := range []struct {
		ps   diag.Problems
		want string
	}{
		{nil, `[]`},
		{diag.Problems{}, `[]`},
		{diag.Problems{
			{Pos: diag.Pos{File: "catalog.yaml", Line: 3, Col: 5}, Message: "a <b> & c"},
			{Pos: diag.Pos{File: "content/faq.md"}, Message: "old", Warning: true},
		}, `[{"file":"catalog.yaml","line":3,"column":5,"severity":"error","message":"a \u003cb\u003e \u0026 c"},` +
			`{"file":"content/faq.md","line":0,"column":0,"severity":"warning","message":"old"}]`},
	} {
		got, err := json.Marshal(tc.ps)
		if err != nil || string(got) != tc.want {
			t.Errorf("got %s %v, want %s", got, err, tc.want)
		}
	}
}

func TestYAMLError(t *testing.T) {
	for _, tc := range []struct {
		src  string
		line int
		msg  string
	}{
		// A parser error names the line where the construct began, as
		// the library counts it: YAMLError takes the line as written.
		{"a: [b\n", 1, "did not find expected ',' or ']'"},
		{"a: b\n c: d\n", 2, "mapping values are not allowed in this context"},
		{"a: \"b\n", 2, "found unexpected end of stream"},
		{"\tx: 1\n", 1, "found character that cannot start any token"},
	} {
		var n yaml.Node
		err := yaml.Unmarshal([]byte(tc.src), &n)
		if err == nil {
			t.Fatalf("%q parsed", tc.src)
		}
		if line, msg := diag.YAMLError(err); line != tc.line || msg != tc.msg {
			t.Errorf("%q: got %d %q, want %d %q (from %q)", tc.src, line, msg, tc.line, tc.msg, err)
		}
	}
	if line, msg := diag.YAMLError(errors.New("yaml: something")); line != 1 || msg != "something" {
		t.Errorf("no line: got %d %q", line, msg)
	}
}

func TestYAMLPos(t *testing.T) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("title: FAQ\nmenu:  3\n"), &doc); err != nil {
		t.Fatal(err)
	}
	menu := doc.Content[0].Content[3]
	if got := diag.YAMLPos("content/faq.md", 1, menu); got != (diag.Pos{File: "content/faq.md", Line: 3, Col: 8}) {
		t.Errorf("got %v, want content/faq.md:3:8", got)
	}
}
