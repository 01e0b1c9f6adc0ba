package catalog

import (
	"bytes"
	"maps"
	"slices"
	"sort"

	"github.com/stp-portal/stp/generator/diag"
	"go.yaml.in/yaml/v3"
)

// source is the text a catalog was parsed from and where each document
// entry starts, so that an edit of a few documents re-parses only those.
// Parsing a 10,000-document catalog takes about half a second; a dev server
// that wants an edit on screen in 100 ms cannot pay that on every save.
type source struct {
	data []byte
	// docLines are the 1-based lines where each document entry starts.
	docLines []int
	// seqCol is the column of the documents list's dashes.
	seqCol int
	// endLine is the first line after the documents section; 0 when the
	// section runs to the end of the file.
	endLine int
	// ids and series hold the documents by id and by series, so that a
	// reparse checks the entries it parsed against the others without
	// going through them all. (Documents after an edit that moved them are
	// listed as they were: only their ids, series and versions matter.)
	ids    map[string]*Document
	series map[string][]*Document
}

// newSource records where the documents of body, parsed from data, start;
// pre has them when they were parsed apart.
func newSource(data []byte, body *yaml.Node, pre *items) *source {
	for i := 0; i+1 < len(body.Content); i += 2 {
		if body.Content[i].Value != "documents" {
			continue
		}
		var s *source
		if seq := body.Content[i+1]; pre != nil {
			s = &source{data: data, seqCol: pre.seqCol, docLines: pre.lines}
		} else if seq.Kind == yaml.SequenceNode {
			s = &source{data: data, seqCol: seq.Column}
			for _, item := range seq.Content {
				s.docLines = append(s.docLines, item.Line)
			}
		} else {
			return nil
		}
		if i+2 < len(body.Content) {
			s.endLine = body.Content[i+2].Line
		}
		return s
	}
	return nil
}

// Reparse parses data, an edited version of the text prev was parsed from,
// and returns what Parse(prev.File, data) would. When the edit lies within
// the documents section and the entries it touches parse cleanly, only those
// entries are decoded again; the others are shared with prev (those after
// the edit are copied with their positions moved). Anything else is parsed
// in full.
func Reparse(prev *Catalog, data []byte) (*Catalog, diag.Problems) {
	if c, problems, ok := reparseDocuments(prev, data); ok {
		return c, problems
	}
	return Parse(prev.File, data)
}

func reparseDocuments(prev *Catalog, data []byte) (*Catalog, diag.Problems, bool) {
	src := prev.src
	if src == nil || len(src.docLines) == 0 || len(src.docLines) != len(prev.Documents) {
		return nil, nil, false
	}
	old := src.data
	p := commonPrefix(old, data)
	s := commonSuffix(old[p:], data[p:])
	if p == len(old) && p == len(data) {
		return prev, nil, true // nothing changed
	}
	starts := lineStarts(old)
	lineOf := func(off int) int { return sort.SearchInts(starts, off+1) } // 1-based
	first := lineOf(p)
	last := lineOf(max(len(old)-s-1, p))
	if first < src.docLines[0] || (src.endLine != 0 && last >= src.endLine) {
		return nil, nil, false
	}
	entry := func(line int) int { return sort.SearchInts(src.docLines, line+1) - 1 }
	i0, i1 := entry(first), entry(last)
	startByte := starts[src.docLines[i0]-1]
	endByte := len(old)
	switch {
	case i1+1 < len(src.docLines):
		endByte = starts[src.docLines[i1+1]-1]
	case src.endLine != 0:
		endByte = starts[src.endLine-1]
	}
	newEnd := endByte + len(data) - len(old)
	if newEnd < startByte || newEnd > len(data) || (newEnd < len(data) && newEnd > 0 && data[newEnd-1] != '\n') {
		return nil, nil, false
	}
	slice := data[startByte:newEnd]
	parsed, ok := parseItems(prev.File, slice, src.docLines[i0]-1, src.seqCol, -1)
	if !ok {
		return nil, nil, false
	}
	docs, lines := parsed.docs, parsed.lines
	d := &decoder{file: prev.File, data: data}
	delta := bytes.Count(slice, []byte{'\n'}) - bytes.Count(old[startByte:endByte], []byte{'\n'})

	c := *prev
	c.Documents = make([]*Document, 0, len(prev.Documents)-(i1-i0+1)+len(docs))
	c.Documents = append(c.Documents, prev.Documents[:i0]...)
	c.Documents = append(c.Documents, docs...)
	next := &source{data: data, seqCol: src.seqCol, endLine: src.endLine}
	if next.endLine != 0 {
		next.endLine += delta
	}
	next.docLines = append(append(next.docLines, src.docLines[:i0]...), lines...)
	for k, doc := range prev.Documents[i1+1:] {
		if delta != 0 {
			doc = doc.movedBy(delta)
		}
		c.Documents = append(c.Documents, doc)
		next.docLines = append(next.docLines, src.docLines[i1+1+k]+delta)
	}
	c.src = next
	// Only the entries parsed again need checking on their own: the
	// others passed before, and the taxonomies are as they were.
	d.validateDocuments(&c, docs)
	if !d.checkEdited(src, next, prev.Documents[i0:i1+1], docs) {
		return nil, nil, false // a clash: a full parse reports it in order
	}
	d.problems.Sort()
	if len(d.problems.Errors()) > 0 {
		return nil, d.problems, true
	}
	return &c, d.problems, true
}

// checkEdited is checkDocuments for an edit that replaced the entries
// removed with those added: it checks only the added ones' ids and series
// against the rest, and records the result in next. It reports false on
// any clash.
func (d *decoder) checkEdited(prev, next *source, removed, added []*Document) bool {
	if prev.ids == nil {
		return false
	}
	ids, series := maps.Clone(prev.ids), maps.Clone(prev.series)
	for _, r := range removed {
		delete(ids, r.ID)
		series[r.Series] = slices.DeleteFunc(slices.Clone(series[r.Series]), func(o *Document) bool { return o.ID == r.ID })
		if len(series[r.Series]) == 0 {
			delete(series, r.Series)
		}
	}
	touched := map[string]bool{}
	for _, a := range added {
		if _, dup := ids[a.ID]; dup || !validID(a.ID) {
			return false
		}
		ids[a.ID] = a
		series[a.Series] = append(slices.Clip(series[a.Series]), a)
		touched[a.Series] = true
	}
	before := len(d.problems)
	for id := range touched {
		d.checkSeries(id, series[id])
	}
	if len(d.problems) > before {
		return false
	}
	next.ids, next.series = ids, series
	return true
}

// movedBy returns a copy of d with its positions moved down by lines.
func (d *Document) movedBy(lines int) *Document {
	c := *d
	c.Pos.Line += lines
	for i := range c.fields {
		if c.fields[i].line > 0 {
			c.fields[i].line += int32(lines)
		}
	}
	return &c
}

// lineStarts returns the byte offset where each line starts.
func lineStarts(data []byte) []int {
	starts := make([]int, 1, bytes.Count(data, []byte{'\n'})+1)
	for i := 0; ; {
		j := bytes.IndexByte(data[i:], '\n')
		if j < 0 || i+j+1 >= len(data) {
			return starts
		}
		i += j + 1
		starts = append(starts, i)
	}
}

// commonPrefix returns how many bytes a and b share at their start,
// comparing a block at a time (an edit of a large catalog changes a few
// bytes among millions).
func commonPrefix(a, b []byte) int {
	const block = 256
	n := min(len(a), len(b))
	p := 0
	for p+block <= n && bytes.Equal(a[p:p+block], b[p:p+block]) {
		p += block
	}
	for p < n && a[p] == b[p] {
		p++
	}
	return p
}

// commonSuffix returns how many bytes a and b share at their end.
func commonSuffix(a, b []byte) int {
	const block = 256
	n := min(len(a), len(b))
	s := 0
	for s+block <= n && bytes.Equal(a[len(a)-s-block:len(a)-s], b[len(b)-s-block:len(b)-s]) {
		s += block
	}
	for s < n && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	return s
}

// items are document entries parsed apart from the rest of the catalog.
type items struct {
	docs   []*Document
	lines  []int // where each starts, 1-based
	seqCol int   // the column of their dashes, 1-based
}

// parseItems parses text, a run of whole entries of the documents list
// starting at line lineOffset+1 of the file, their dashes at column seqCol.
// want is the number of entries expected (-1: any). It fails on anything
// but clean entries, so that a parse of the whole file reports problems in
// order.
func parseItems(file string, text []byte, lineOffset, seqCol, want int) (*items, bool) {
	var root yaml.Node
	if err := yaml.Unmarshal(text, &root); err != nil {
		return nil, false
	}
	d := &decoder{file: file, lineOffset: lineOffset}
	var nodes []*yaml.Node
	if len(root.Content) > 0 {
		seq := root.Content[0]
		if seq.Kind != yaml.SequenceNode || seq.Column != seqCol || !d.rejectAliases(&root) {
			return nil, false
		}
		nodes = seq.Content
	}
	if want >= 0 && len(nodes) != want {
		return nil, false
	}
	out := &items{docs: make([]*Document, 0, len(nodes)), lines: make([]int, 0, len(nodes)), seqCol: seqCol}
	for _, n := range nodes {
		doc := d.document(n)
		if doc == nil {
			return nil, false
		}
		out.docs = append(out.docs, doc)
		out.lines = append(out.lines, n.Line+lineOffset)
	}
	return out, len(d.problems) == 0
}
