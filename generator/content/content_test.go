package content

import (
	"fmt"
	"strings"
	"testing"
)

func TestParsePage(t *testing.T) {
	src := "---\ntitle: FAQ\ndescription: Answers.\npublic: true\nmenu: 20\n---\n## Why?\n\nBecause <script>alert(1)</script> [x](javascript:alert(1)).\n"
	p, problems := ParsePage("content/faq.md", "faq", []byte(src))
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if problem := p.Render(NewMarkdown(0, nil)); problem != nil {
		t.Fatal(problem)
	}
	if p.Title != "FAQ" || p.Description != "Answers." || !p.Public || p.Menu != 20 {
		t.Errorf("front matter: %+v", p)
	}
	body := string(p.Body)
	if !strings.Contains(body, `<h2 id="why">Why?</h2>`) {
		t.Errorf("heading missing: %s", body)
	}
	// Raw HTML is dropped and dangerous links are emptied.
	if strings.Contains(body, "<script") || strings.Contains(body, "javascript:") {
		t.Errorf("unsafe output: %s", body)
	}
}

func TestParsePageErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"---\ntitle: A\n", "content/x.md:1:1: front matter starts with --- but never ends; close it with a line of ---"},
		{"---\ntitle: A\ncolour: red\n---\n", `content/x.md:3:1: unknown front matter field "colour" (known: title, description, public, menu)`},
		{"---\ntitle: A\npublic: yes please\n---\n", "content/x.md:3:9: public must be true or false"},
		{"---\ntitle: A\nmenu: first\n---\n", "content/x.md:3:7: menu must be a whole number from 1 to 1000 (its place in the navigation)"},
		{"---\ntitle: [A\n---\n", "content/x.md:2:1: front matter YAML: did not find expected ',' or ']'"},
		{"# Just text\n", "content/x.md:1:1: page has no title; start the file with front matter that gives one: a line ---, a line title: Getting started, a line ---"},
		{"---\ntitle:\n  - a\n---\n", "content/x.md:3:3: title must be text"},
	}
	for _, tt := range tests {
		_, problems := ParsePage("content/x.md", "x", []byte(tt.src))
		if len(problems) != 1 || problems[0].Error() != tt.want {
			t.Errorf("%q: problems %v\nwant %s", tt.src, problems, tt.want)
		}
	}
}

func TestHeadingShiftAndText(t *testing.T) {
	md := NewMarkdown(1, nil)
	h, err := md.HTML([]byte("# Scope\n\nText with **bold**.\n"))
	if err != nil || !strings.Contains(string(h), "<h2") {
		t.Errorf("shifted heading: %s %v", h, err)
	}
	got := md.Text([]byte("# Scope\n\nText with **bold** and a [link](https://x.example).\n\n- one\n- two\n"))
	if got != "Scope Text with bold and a link . one two" && got != "Scope Text with bold and a link. one two" {
		t.Errorf("Text = %q", got)
	}
}

// FuzzParsePage: any bytes give a page or problems, never a panic, and
// never markup from the input.
func FuzzParsePage(f *testing.F) {
	f.Add([]byte("---\ntitle: A\npublic: true\nmenu: 3\n---\nbody"))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("---\r\ntitle: x\r\n---\r\n<b>x</b>"))
	md := NewMarkdown(0, map[string]string{"faq.md": "/public/faq/"})
	f.Fuzz(func(t *testing.T, src []byte) {
		p, problems := ParsePage("content/x.md", "x", src)
		if (p == nil) == (len(problems) == 0) {
			t.Fatalf("page %v with problems %v", p, problems)
		}
		if p == nil {
			return
		}
		if problem := p.Render(md); problem != nil && problem.Pos.Line < 1 {
			t.Fatalf("problem without a line: %v", problem)
		}
		if strings.Contains(string(p.Body), "<script") {
			t.Fatalf("raw HTML passed through: %s", p.Body)
		}
	})
}

func TestPageLinks(t *testing.T) {
	md := NewMarkdown(0, map[string]string{"faq.md": "/public/faq/", "admins.md": "/public/admins/"})
	p, _ := ParsePage("content/a.md", "a", []byte("---\ntitle: A\n---\nSee [FAQ](faq.md#consent) and [admins](./admins.md).\n\nAnd [gone](gone.md).\n"))
	problem := p.Render(md)
	want := `content/a.md:6:5: link to "gone.md", which is not a page under content/; link to an existing page such as faq.md`
	if problem == nil || problem.Error() != want {
		t.Fatalf("problem %v, want %s", problem, want)
	}
	p, _ = ParsePage("content/a.md", "a", []byte("---\ntitle: A\n---\nSee [FAQ](faq.md#consent) and [admins](./admins.md).\n"))
	if problem := p.Render(md); problem != nil {
		t.Fatal(problem)
	}
	if !strings.Contains(string(p.Body), `href="/public/faq/#consent"`) || !strings.Contains(string(p.Body), `href="/public/admins/"`) {
		t.Errorf("links not rewritten: %s", p.Body)
	}
}

// TestHTMLAndText: one parse gives what HTML and Text give apart, broken
// page links included.
func TestHTMLAndText(t *testing.T) {
	md := NewMarkdown(1, map[string]string{"faq.md": "/faq/"})
	for _, src := range []string{
		"# Scope\n\nText with **bold** and a [link](https://x.example).\n\n- one\n- two\n",
		"See the [FAQ](faq.md).\n\n```\ncode block\n```\n",
		"A [broken](gone.md) link.\n",
		"",
	} {
		h, text, err := md.HTMLAndText([]byte(src))
		wantH, wantErr := md.HTML([]byte(src))
		if h != wantH || fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Errorf("%q: HTML %q, %v; want %q, %v", src, h, err, wantH, wantErr)
		}
		if want := md.Text([]byte(src)); err == nil && text != want {
			t.Errorf("%q: text %q, want %q", src, text, want)
		}
	}
}

// TestLinks: links, images and bare URLs with where they start, page links
// resolved (and kept as written); columns count characters.
func TestLinks(t *testing.T) {
	md := NewMarkdown(0, map[string]string{"faq.md": "/public/faq/"})
	src := "Één [a](../documents/x/) and ![i](/i.png)\nsee <https://h.example/y> or https://h.example/z and [**b**](faq.md#q) [r][ref]\n\n[ref]: /r/\n\n```\n[no](link)\n```\n"
	want := []Link{
		{"../documents/x/", "../documents/x/", 1, 5}, {"/i.png", "/i.png", 1, 30}, {"https://h.example/y", "https://h.example/y", 2, 5},
		{"https://h.example/z", "https://h.example/z", 2, 30}, {"/public/faq/#q", "faq.md#q", 2, 54}, {"/r/", "/r/", 2, 72},
	}
	if got := md.Links([]byte(src)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("links\n%v, want\n%v", got, want)
	}
}
