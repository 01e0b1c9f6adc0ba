package catalog

import (
	"bytes"
	"sort"
	"unicode/utf8"

	"github.com/stp-portal/stp/generator/diag"
)

// DescriptionPos returns where a line and column of a document's
// description (1-based; columns count characters) are written in the
// catalog, so that a problem found in the Markdown points at the catalog.
// A literal block (description: |) maps line for line. Other styles fold
// or unescape their lines, so needle, the text found there, is looked for
// in the document's entry after the description starts; when it is not
// found the description's own position is returned.
func (c *Catalog) DescriptionPos(d *Document, line, col int, needle string) diag.Pos {
	at := d.At("description")
	if c.src == nil || at.Line == 0 {
		return at
	}
	data := c.src.data
	start := lineOffset(data, at.Line)
	if start < 0 {
		return at
	}
	head := data[start:]
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	keyIndent := len(head) - len(bytes.TrimLeft(head, " "))
	value := head[min(len(head), byteOffset(head, at.Col-1)):]
	if bytes.HasPrefix(value, []byte("|")) {
		indent := -1
		for _, ch := range value[1:] {
			if ch >= '1' && ch <= '9' {
				indent = keyIndent + int(ch-'0')
			}
		}
		if indent < 0 {
			indent = blockIndent(data[start:])
		}
		return diag.Pos{File: at.File, Line: at.Line + line, Col: indent + col}
	}
	if needle == "" {
		return at
	}
	from := start + len(head) - len(value)
	end := len(data)
	if next := sort.SearchInts(c.src.docLines, d.Pos.Line+1); next < len(c.src.docLines) {
		if o := lineOffset(data, c.src.docLines[next]); o >= 0 {
			end = o
		}
	}
	if from >= end {
		return at
	}
	i := bytes.Index(data[from:end], []byte(needle))
	if i < 0 {
		return at
	}
	off := from + i
	ls := bytes.LastIndexByte(data[:off], '\n') + 1
	return diag.Pos{File: at.File, Line: bytes.Count(data[:ls], []byte("\n")) + 1, Col: utf8.RuneCount(data[ls:off]) + 1}
}

// lineOffset returns the byte offset where 1-based line n starts, or -1.
func lineOffset(data []byte, n int) int {
	off := 0
	for ; n > 1; n-- {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			return -1
		}
		off += i + 1
	}
	return off
}

// byteOffset returns the byte offset of the character n (0-based) of s.
func byteOffset(s []byte, n int) int {
	off := 0
	for ; n > 0 && off < len(s); n-- {
		_, size := utf8.DecodeRune(s[off:])
		off += size
	}
	return off
}

// blockIndent returns the indentation of a block scalar's content: that of
// its first line that is not blank, after the header line at data's start.
func blockIndent(data []byte) int {
	_, rest, _ := bytes.Cut(data, []byte("\n"))
	for len(rest) > 0 {
		var l []byte
		l, rest, _ = bytes.Cut(rest, []byte("\n"))
		if t := bytes.TrimLeft(l, " "); len(bytes.TrimSpace(t)) > 0 {
			return len(l) - len(t)
		}
	}
	return 0
}
