package content

import (
	"bytes"
	"unicode/utf8"

	"github.com/stp-portal/stp/generator/diag"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// Link is a link, image or web autolink in Markdown source, for checks of
// where a page leads.
type Link struct {
	// Dest is the destination as the page carries it: links to pages
	// ([FAQ](faq.md)) are already their pages' URLs. Written is the
	// destination as the source has it.
	Dest, Written string
	// Line and Col are where the link starts in the source ("[" or "!" or
	// the autolink's first character), 1-based; Col counts characters.
	Line, Col int
}

// Links returns the links of src in source order, after links to pages are
// resolved as HTML resolves them. A link to a Markdown file that is not a
// page is left as written (HTML reports it).
func (m *Markdown) Links(src []byte) []Link {
	ctx := parser.NewContext()
	doc := m.md.Parser().Parse(text.NewReader(src), parser.WithContext(ctx))
	links, _ := linksOf(doc, src, ctx)
	return links
}

// linksOf returns the links of a parsed document and its headings' ids.
func linksOf(doc ast.Node, src []byte, ctx parser.Context) ([]Link, []string) {
	written, _ := ctx.Get(writtenKey).(map[ast.Node]string)
	var links []Link
	var ids []string
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		var dest []byte
		switch l := n.(type) {
		case *ast.Heading:
			if id, ok := l.AttributeString("id"); ok {
				if b, ok := id.([]byte); ok {
					ids = append(ids, string(b))
				}
			}
			return ast.WalkContinue, nil
		case *ast.Link:
			dest = l.Destination
		case *ast.Image:
			dest = l.Destination
		case *ast.AutoLink:
			if l.AutoLinkType != ast.AutoLinkURL {
				return ast.WalkContinue, nil
			}
			dest = l.URL(src)
		default:
			return ast.WalkContinue, nil
		}
		line, col := 1, 1
		if off := n.Pos(); off >= 0 {
			if a, ok := n.(*ast.AutoLink); ok {
				// A bare URL's position is the character that set off its
				// parsing, often the space before it.
				if i := bytes.Index(src[off:], a.Label(src)); i >= 0 && !bytes.HasPrefix(src[off:], []byte("<")) {
					off += i
				}
			}
			line, col = LineCol(src, off)
		}
		w, ok := written[n]
		if !ok {
			w = string(dest)
		}
		links = append(links, Link{Dest: string(dest), Written: w, Line: line, Col: col})
		return ast.WalkContinue, nil
	})
	return links, ids
}

// LineCol returns the 1-based line and column of the byte offset off in
// src. Columns count characters, as editors and the catalog's YAML
// positions do.
func LineCol(src []byte, off int) (line, col int) {
	off = min(max(off, 0), len(src))
	start := bytes.LastIndexByte(src[:off], '\n') + 1
	return bytes.Count(src[:start], []byte("\n")) + 1, utf8.RuneCount(src[start:off]) + 1
}

// Pos returns where a line and column of the page's Markdown body are in
// its file, past the front matter.
func (p *Page) Pos(line, col int) diag.Pos {
	return diag.Pos{File: p.File, Line: p.bodyLine + line - 1, Col: col}
}
