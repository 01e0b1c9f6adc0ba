// Package content reads the publisher's Markdown: pages under content/ with
// their YAML front matter, and the long descriptions of documents. Markdown
// goes through goldmark with raw HTML off, so publisher text can never inject
// markup or script.
package content

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/stp-portal/stp/generator/diag"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
	"go.yaml.in/yaml/v3"
)

// Page is a Markdown page such as getting-started.md.
type Page struct {
	// Slug is the file name without .md; the page lives at /<slug>/ (or
	// /public/<slug>/ when Public).
	Slug        string
	Title       string
	Description string
	Public      bool
	// Menu orders the page in the header navigation; 0 keeps it out.
	Menu int
	// Source is the Markdown body; Body is it rendered.
	Source []byte
	Body   template.HTML
	// Links are the body's links, with positions in the body, and IDs
	// its headings' anchors, for checking where links lead.
	Links    []Link
	IDs      []string
	File     string
	bodyLine int
}

// Markdown renders publisher Markdown. Headings are shifted down by the
// given number of levels so that a description's "# Scope" sits below the
// page's own title. Links to other pages are written as links to their
// Markdown files, [FAQ](faq.md), as in any Markdown editor; they become the
// pages' URLs.
type Markdown struct {
	md goldmark.Markdown
}

// NewMarkdown returns a renderer whose headings start at level 1+shift and
// which turns links to the files named in pages (e.g. "faq.md") into their
// URLs. pages must not change afterwards: renderers are shared by goroutines.
func NewMarkdown(shift int, pages map[string]string) *Markdown {
	return &Markdown{md: goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(
			parser.WithAutoHeadingID(),
			parser.WithASTTransformers(
				util.Prioritized(headingShift(shift), 100),
				util.Prioritized(pageLinks(pages), 101),
			),
		),
	)}
}

// HTML renders src. goldmark leaves out raw HTML and dangerous link
// destinations (javascript:, vbscript:, data:) unless told otherwise, and we
// never tell it. A link to a Markdown file that is not a page is an error
// naming its line.
func (m *Markdown) HTML(src []byte) (template.HTML, error) {
	r, err := m.render(src, false)
	return r.HTML, err
}

// HTMLAndText renders src as HTML and as the plain text Text returns, from
// one parse: a description is shown on its page and indexed for search.
func (m *Markdown) HTMLAndText(src []byte) (template.HTML, string, error) {
	r, err := m.render(src, true)
	return r.HTML, r.Text, err
}

// Rendered is Markdown rendered, with what a link check needs to know
// about it.
type Rendered struct {
	HTML template.HTML
	Text string
	// Links are its links as Links returns them; IDs its headings'
	// anchors.
	Links []Link
	IDs   []string
}

// Render renders src as HTML and plain text and lists its links and
// anchors, from one parse.
func (m *Markdown) Render(src []byte) (Rendered, error) {
	return m.render(src, true)
}

func (m *Markdown) render(src []byte, withText bool) (Rendered, error) {
	ctx := parser.NewContext()
	doc := m.md.Parser().Parse(text.NewReader(src), parser.WithContext(ctx))
	var b bytes.Buffer
	if err := m.md.Renderer().Render(&b, src, doc); err != nil {
		return Rendered{}, err
	}
	if bad, ok := ctx.Get(brokenLinkKey).(*brokenLink); ok && bad != nil {
		return Rendered{}, bad
	}
	r := Rendered{HTML: template.HTML(b.String())}
	if withText {
		r.Text = plainText(doc, src)
		r.Links, r.IDs = linksOf(doc, src, ctx)
	}
	return r, nil
}

var (
	brokenLinkKey = parser.NewContextKey()
	// writtenKey holds the destinations of links to pages as written
	// (faq.md#x), by link, before they become URLs.
	writtenKey = parser.NewContextKey()
)

// brokenLink is a link to a .md file that is not one of the site's pages.
type brokenLink struct {
	Line, Col int
	Target    string
}

func (e *brokenLink) Error() string {
	return fmt.Sprintf("link to %q, which is not a page under content/; link to an existing page such as faq.md", e.Target)
}

// pageLinks rewrites links to Markdown pages.
type pageLinks map[string]string

func (p pageLinks) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		link, ok := n.(*ast.Link)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		dest := string(link.Destination)
		target, fragment, _ := strings.Cut(dest, "#")
		if !strings.HasSuffix(target, ".md") || strings.Contains(target, ":") {
			return ast.WalkContinue, nil
		}
		u, found := p[strings.TrimPrefix(target, "./")]
		if !found {
			if pc.Get(brokenLinkKey) == nil {
				line, col := lineOf(link, src), 1
				if off := link.Pos(); off >= 0 {
					line, col = LineCol(src, off)
				}
				pc.Set(brokenLinkKey, &brokenLink{Line: line, Col: col, Target: target})
			}
			return ast.WalkContinue, nil
		}
		if fragment != "" {
			u += "#" + fragment
		}
		written, _ := pc.Get(writtenKey).(map[ast.Node]string)
		if written == nil {
			written = map[ast.Node]string{}
			pc.Set(writtenKey, written)
		}
		written[link] = dest
		link.Destination = []byte(u)
		return ast.WalkContinue, nil
	})
}

// lineOf finds the 1-based line of a link from its first text segment.
func lineOf(n ast.Node, src []byte) int {
	for c := n.FirstChild(); c != nil; c = c.FirstChild() {
		if t, ok := c.(*ast.Text); ok {
			return bytes.Count(src[:t.Segment.Start], []byte("\n")) + 1
		}
	}
	return 1
}

// Text returns the plain text of src, words separated by spaces, for search.
func (m *Markdown) Text(src []byte) string {
	return plainText(m.md.Parser().Parse(text.NewReader(src)), src)
}

func plainText(doc ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := n.(type) {
		case *ast.Text:
			b.Write(t.Segment.Value(src))
			if t.SoftLineBreak() || t.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(t.Value)
		case *ast.CodeSpan, *ast.Paragraph, *ast.Heading, *ast.ListItem:
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			lines := t.Lines()
			for i := 0; i < lines.Len(); i++ {
				seg := lines.At(i)
				b.Write(seg.Value(src))
			}
		case *ast.RawHTML, *ast.HTMLBlock:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return strings.Join(strings.Fields(b.String()), " ")
}

type headingShift int

func (s headingShift) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	if s == 0 {
		return
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			h.Level = min(h.Level+int(s), 6)
		}
		return ast.WalkContinue, nil
	})
}

// ParsePage reads a page: optional front matter between --- lines, then
// Markdown, kept in Source until Render. file names the page in problems,
// e.g. "content/faq.md".
func ParsePage(file, slug string, src []byte) (*Page, diag.Problems) {
	p := &Page{Slug: slug, File: file}
	var problems diag.Problems
	top := diag.Pos{File: file, Line: 1, Col: 1}
	front, body, bodyLine, ok := splitFrontMatter(src)
	if !ok {
		problems.Errorf(top, "front matter starts with --- but never ends; close it with a line of ---")
		return nil, problems
	}
	if front != nil {
		var root yaml.Node
		if err := yaml.Unmarshal(front, &root); err != nil {
			line, msg := diag.YAMLError(err)
			problems.Errorf(diag.Pos{File: file, Line: line + 1, Col: 1}, "front matter YAML: %s", msg)
		} else if len(root.Content) > 0 {
			decodeFrontMatter(file, root.Content[0], p, &problems)
		}
	}
	if p.Title == "" && len(problems) == 0 {
		problems.Errorf(top, "page has no title; start the file with front matter that gives one: a line ---, a line title: Getting started, a line ---")
	}
	if len(problems) > 0 {
		return nil, problems
	}
	p.Source, p.bodyLine = body, bodyLine
	return p, nil
}

// Render turns the page's Markdown into Body, and lists its Links and IDs.
func (p *Page) Render(md *Markdown) *diag.Problem {
	r, err := md.render(p.Source, true)
	if err != nil {
		line, col := p.bodyLine, 1
		var bad *brokenLink
		if errors.As(err, &bad) {
			line, col = line+bad.Line-1, bad.Col
		}
		return &diag.Problem{Pos: diag.Pos{File: p.File, Line: line, Col: col}, Message: err.Error()}
	}
	p.Body, p.Links, p.IDs = r.HTML, r.Links, r.IDs
	return nil
}

// decodeFrontMatter reads the front matter mapping of file; positions are
// shifted by the opening --- line.
func decodeFrontMatter(file string, n *yaml.Node, p *Page, problems *diag.Problems) {
	at := func(n *yaml.Node) diag.Pos { return diag.YAMLPos(file, 1, n) }
	if n.Kind != yaml.MappingNode {
		problems.Errorf(at(n), "front matter must be keys and values such as title: FAQ")
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			problems.Errorf(at(k), "%q is given twice; keep one", k.Value)
			continue
		}
		seen[k.Value] = true
		scalar := v.Kind == yaml.ScalarNode
		switch k.Value {
		case "title", "description":
			if !scalar || v.Tag == "!!null" {
				problems.Errorf(at(v), "%s must be text", k.Value)
			} else if k.Value == "title" {
				p.Title = strings.TrimSpace(v.Value)
			} else {
				p.Description = strings.TrimSpace(v.Value)
			}
		case "public":
			b, err := strconv.ParseBool(v.Value)
			if !scalar || v.Tag != "!!bool" || err != nil {
				problems.Errorf(at(v), "public must be true or false")
			}
			p.Public = b
		case "menu":
			m, err := strconv.Atoi(v.Value)
			if !scalar || v.Tag != "!!int" || err != nil || m < 1 || m > 1000 {
				problems.Errorf(at(v), "menu must be a whole number from 1 to 1000 (its place in the navigation)")
			}
			p.Menu = m
		default:
			problems.Errorf(at(k), "unknown front matter field %q (known: title, description, public, menu)", k.Value)
		}
	}
}

// splitFrontMatter separates "---\n...\n---\n" from the body. front is nil
// when the page has none; ok is false when it is not closed.
func splitFrontMatter(src []byte) (front, body []byte, bodyLine int, ok bool) {
	src = bytes.TrimPrefix(src, []byte("\ufeff"))
	first, rest, found := bytes.Cut(src, []byte("\n"))
	if !found || string(bytes.TrimRight(first, "\r")) != "---" {
		return nil, src, 1, true
	}
	line := 2
	for off := 0; off <= len(rest); {
		end := bytes.IndexByte(rest[off:], '\n')
		var l []byte
		if end < 0 {
			l = rest[off:]
		} else {
			l = rest[off : off+end]
		}
		if string(bytes.TrimRight(l, "\r")) == "---" {
			if end < 0 {
				return rest[:off], nil, line + 1, true
			}
			return rest[:off], rest[off+end+1:], line + 1, true
		}
		if end < 0 {
			break
		}
		off += end + 1
		line++
	}
	return nil, nil, 0, false
}
