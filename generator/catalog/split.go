package catalog

import (
	"bytes"
	"runtime"
	"sync"
)

// splitMin is the size from which parseSplit is worth its scan: the YAML
// library parses about 18 MB/s here, one core at a time.
const splitMin = 256 << 10

// parseSplit parses a large catalog on every core: it finds the entries of
// the top-level documents list by their dashes, parses runs of them apart
// (as a dev server's Reparse does for an edit) and the rest of the file with
// that list blanked out, keeping every line where it was. It gives up
// (false) on any text it cannot split with certainty, and on any problem at
// all, so that the whole-file parse reports problems exactly and in order:
// parseSplit either returns what that parse would, or nothing.
func parseSplit(d *decoder, data []byte) (*Catalog, bool) {
	if len(data) < splitMin {
		return nil, false
	}
	return splitParse(d.file, data)
}

func splitParse(file string, data []byte) (*Catalog, bool) {
	sec, ok := findDocuments(data)
	if !ok || len(sec.starts) < 2 {
		return nil, false
	}
	chunks := min(len(sec.starts), 4*runtime.GOMAXPROCS(0))
	parts := make([]*items, chunks)
	clean := make([]bool, chunks)
	var wg sync.WaitGroup
	for k := range chunks {
		i0, i1 := k*len(sec.starts)/chunks, (k+1)*len(sec.starts)/chunks
		wg.Go(func() {
			end := sec.end
			if i1 < len(sec.starts) {
				end = sec.starts[i1].off
			}
			first := sec.starts[i0]
			parts[k], clean[k] = parseItems(file, data[first.off:end], first.line-1, sec.indent+1, i1-i0)
		})
	}
	wg.Wait()
	pre := &items{seqCol: sec.indent + 1}
	for k, p := range parts {
		if p == nil || !clean[k] {
			return nil, false // the whole parse says what is wrong, in order
		}
		pre.docs = append(pre.docs, p.docs...)
		pre.lines = append(pre.lines, p.lines...)
	}
	// The rest of the file, the list's lines left empty.
	skeleton := make([]byte, 0, sec.start+(sec.endLine-sec.startLine)+len(data)-sec.end)
	skeleton = append(skeleton, data[:sec.start]...)
	skeleton = append(skeleton, bytes.Repeat([]byte{'\n'}, sec.endLine-sec.startLine)...)
	skeleton = append(skeleton, data[sec.end:]...)
	whole := &decoder{file: file}
	c := whole.parseWhole(data, skeleton, pre)
	if c == nil || len(whole.problems) > 0 {
		return nil, false
	}
	return c, true
}

// docSection is where the top-level documents list lies in a catalog's
// text: from byte start (line startLine) to byte end (line endLine), its
// dashes indented by indent spaces.
type docSection struct {
	start, end         int
	startLine, endLine int
	indent             int
	starts             []lineAt
}

type lineAt struct{ off, line int }

// findDocuments finds the documents list of a catalog written the usual
// way: a line "documents:" at the left margin, then entries that each begin
// with a dash at the same indentation, up to the next top-level key or the
// end. Anything unusual (a second "documents:", document markers, carriage
// returns, a flow list, text at the list's indentation that is not an
// entry) and it reports false.
func findDocuments(data []byte) (docSection, bool) {
	var s docSection
	if bytes.IndexByte(data, '\r') >= 0 {
		return s, false
	}
	const (
		before = iota
		opening
		inside
		after
	)
	state := before
	line := 0
	for off := 0; off < len(data); {
		line++
		next := len(data)
		if i := bytes.IndexByte(data[off:], '\n'); i >= 0 {
			next = off + i + 1
		}
		text := bytes.TrimRight(data[off:next], "\n")
		if bytes.HasPrefix(text, []byte("---")) || bytes.HasPrefix(text, []byte("...")) {
			return s, false
		}
		trimmed := bytes.TrimLeft(text, " ")
		indent := len(text) - len(trimmed)
		blank := len(trimmed) == 0 || trimmed[0] == '#'
		switch {
		case bytes.HasPrefix(text, []byte("documents:")):
			if state != before || len(bytes.TrimRight(text, " ")) != len("documents:") {
				return s, false
			}
			state, s.start, s.startLine = opening, next, line+1
		case state == before || state == after || blank:
		case indent == 0 && !isEntry(trimmed):
			if state == opening {
				return s, false // documents: with nothing in it
			}
			state, s.end, s.endLine = after, off, line
		case state == opening:
			if !isEntry(trimmed) {
				return s, false // a flow list, or something stranger
			}
			state, s.indent = inside, indent
			s.starts = append(s.starts, lineAt{off, line})
		case indent < s.indent:
			return s, false
		case indent == s.indent:
			if !isEntry(trimmed) {
				return s, false
			}
			s.starts = append(s.starts, lineAt{off, line})
		}
		off = next
	}
	switch state {
	case inside:
		s.end, s.endLine = len(data), line+1
		if len(data) > 0 && data[len(data)-1] != '\n' {
			return s, false // keep the blanked lines' count simple
		}
	case after:
	default:
		return s, false
	}
	return s, true
}

// isEntry says whether a line's text, indentation removed, begins an entry
// of a block list.
func isEntry(t []byte) bool {
	return len(t) > 0 && t[0] == '-' && (len(t) == 1 || t[1] == ' ')
}
