// Package diag owns what STP says about a mistake in the publisher's
// input: where it is (Pos: file, line, column), what it is (Problem: a
// message, an error or a warning), and every problem one run finds
// (Problems: sorted into file order, filtered to the errors, printed one
// a line, written as JSON for tools). It also owns how a position is read
// from YAML (YAMLPos, YAMLError), which the catalog, the front matter of
// pages and the access file share.
//
// The catalog, the content pages, the layouts, the access file, the proxy
// configuration check, `stp check` and the dev server all report through
// these types, so a problem reads the same wherever it was found:
//
//	catalog.yaml:41:15: unknown region "emaa" (known: apac, emea, …)
//	content/faq.md:3:1: warning: …
package diag

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Pos is a position in a source file, 1-based. Line and Col are 0 when a
// problem is about the whole file (or a folder, or a flag).
type Pos struct {
	File      string
	Line, Col int
}

// String is file:line:col, or the file alone when the line is not known.
func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return p.File + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col)
}

// Problem is one thing wrong (or worth a warning) in the publisher's input,
// at the position where it was written.
type Problem struct {
	Pos     Pos
	Message string
	Warning bool
}

func (p *Problem) Error() string {
	if p.Warning {
		return p.Pos.String() + ": warning: " + p.Message
	}
	return p.Pos.String() + ": " + p.Message
}

// Problems is every problem found in one run, in file order once sorted.
// As an error it prints one problem a line.
type Problems []*Problem

// Errorf adds an error at at.
func (ps *Problems) Errorf(at Pos, format string, args ...any) {
	*ps = append(*ps, &Problem{Pos: at, Message: fmt.Sprintf(format, args...)})
}

// Warnf adds a warning at at.
func (ps *Problems) Warnf(at Pos, format string, args ...any) {
	*ps = append(*ps, &Problem{Pos: at, Message: fmt.Sprintf(format, args...), Warning: true})
}

func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.Error())
	}
	return b.String()
}

// Errors returns the problems that are not warnings.
func (ps Problems) Errors() Problems {
	var out Problems
	for _, p := range ps {
		if !p.Warning {
			out = append(out, p)
		}
	}
	return out
}

// Sort orders problems by file, line and column, keeping the order of
// problems found at the same place.
func (ps Problems) Sort() {
	slices.SortStableFunc(ps, func(a, b *Problem) int {
		return cmp.Or(
			cmp.Compare(a.Pos.File, b.Pos.File),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col),
		)
	})
}

// MarshalJSON writes the form `stp check --format json` gives tools: a
// list (empty, not null, when there are no problems) of objects with file,
// line, column, severity ("error" or "warning") and message.
func (ps Problems) MarshalJSON() ([]byte, error) {
	type item struct {
		File     string `json:"file"`
		Line     int    `json:"line"`
		Column   int    `json:"column"`
		Severity string `json:"severity"`
		Message  string `json:"message"`
	}
	items := make([]item, 0, len(ps))
	for _, p := range ps {
		sev := "error"
		if p.Warning {
			sev = "warning"
		}
		items = append(items, item{p.Pos.File, p.Pos.Line, p.Pos.Col, sev, p.Message})
	}
	return json.Marshal(items)
}
