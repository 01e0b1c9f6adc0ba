package catalog

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/stp-portal/stp/generator/diag"
)

// The YAML library names the line where it gave up, often far from the
// mistake: a key indented one space too many is reported at the start of
// its document, a quote left open at the end of the file. explainSyntax
// reads the text of a catalog the library refused as a publisher writes
// it (a line a key, lists of dashes, indentation by spaces) and finds the
// first line that cannot be right, with what to change there. It knows
// only what block YAML a catalog uses; on anything else it gives up (nil)
// and the library's own message is shown.

// syntaxLine is one line of the text being explained.
type syntaxLine struct {
	n      int    // 1-based
	text   string // without the line break
	indent int    // leading spaces
}

// syntaxContext is a block mapping or list open at some indentation.
type syntaxContext struct {
	indent int
	list   bool
	// name says whose keys or entries these are, for messages: "this
	// document", "site:", "documents:".
	name string
	// key is the last key of a mapping, and key0 the first; list is the
	// list's key.
	key, key0 string
}

var (
	keyLine     = regexp.MustCompile(`^([A-Za-z0-9_][A-Za-z0-9_. -]*|"[^"]*"|'[^']*'|<<):(\s|$)`)
	noSpaceLine = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_-]*):([^\s/:].*)$`)
)

// entryNames names the mapping of one entry of each top-level list.
var entryNames = map[string]string{
	"documents": "this document", "regions": "this region", "industries": "this industry",
	"services": "this service", "standards": "this standard",
}

// explainSyntax returns the first mistake in data, or nil.
func explainSyntax(file string, data []byte) *diag.Problem {
	at := func(line, col int, format string, args ...any) *diag.Problem {
		return &diag.Problem{Pos: diag.Pos{File: file, Line: line, Col: col}, Message: fmt.Sprintf(format, args...)}
	}
	if p := checkEncoding(data, at); p != nil {
		return p
	}
	var lines []syntaxLine
	for i, t := range strings.Split(string(data), "\n") {
		t = strings.TrimSuffix(t, "\r")
		lines = append(lines, syntaxLine{n: i + 1, text: t, indent: len(t) - len(strings.TrimLeft(t, " "))})
	}
	e := &explainer{lines: lines, at: at}
	return e.run()
}

// checkEncoding finds bytes that are not text: invalid UTF-8, NUL and
// control characters, which YAML refuses.
func checkEncoding(data []byte, at func(line, col int, format string, args ...any) *diag.Problem) *diag.Problem {
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return at(line, col, "byte 0x%02X is not UTF-8 text (the file was saved in another encoding, such as Latin-1); save catalog.yaml as UTF-8 or retype the character", data[i])
		case r == 0:
			return at(line, col, "a NUL byte (0x00) here: catalog.yaml must be plain text; delete it")
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0x7f, r >= 0x80 && r <= 0x9f && r != 0x85:
			return at(line, col, "an invisible control character (U+%04X) here; delete it", r)
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return nil
}

type explainer struct {
	lines []syntaxLine
	at    func(line, col int, format string, args ...any) *diag.Problem
	stack []syntaxContext
	// opener is the indentation of a key with no value on its line (or
	// of a dash with nothing after it): the next line may open a block
	// below it. -1: none.
	opener int
	// openerKey is the key that opened, for naming what opens below it.
	openerKey  string
	openerDash bool
	// plain is the indentation of a key whose plain value may go on over
	// more indented lines; -1: none.
	plain int
}

func (e *explainer) run() *diag.Problem {
	e.opener, e.plain = -1, -1
	for i := 0; i < len(e.lines); i++ {
		l := e.lines[i]
		body := strings.TrimLeft(l.text, " ")
		if body == "" || body[0] == '#' {
			continue
		}
		if body[0] == '\t' && strings.TrimSpace(body) != "" {
			return e.at(l.n, l.indent+1, "a tab character here: YAML indents with spaces only; replace the tab with spaces, as many as the lines around it")
		}
		if l.indent == 0 && (strings.HasPrefix(body, "---") || strings.HasPrefix(body, "...")) {
			e.stack, e.opener, e.plain = nil, -1, -1
			continue
		}
		if e.plain >= 0 && l.indent > e.plain && !keyLine.MatchString(body) && !strings.HasPrefix(body, "- ") {
			continue // a plain value going on
		}
		e.plain = -1
		next, p := e.line(i, l.indent, body)
		if p != nil {
			return p
		}
		if next < 0 {
			return nil // something this explainer does not know
		}
		i = next
	}
	return nil
}

// line reads one line (from column indent+1, text body) and returns the
// index of the last line it used.
func (e *explainer) line(i, indent int, body string) (int, *diag.Problem) {
	l := e.lines[i]
	if body == "-" || strings.HasPrefix(body, "- ") {
		if p := e.enter(l, indent, true, body); p != nil {
			return i, p
		}
		rest := strings.TrimLeft(body[1:], " ")
		e.opener, e.openerDash = indent, true
		if rest == "" || rest[0] == '#' {
			return i, nil
		}
		col := indent + len(body) - len(rest)
		if keyLine.MatchString(rest) || rest == "-" || strings.HasPrefix(rest, "- ") {
			return e.line(i, col, rest)
		}
		e.opener, e.openerDash = -1, false
		return e.value(i, indent, "", rest, col+1)
	}
	if m := keyLine.FindStringSubmatch(body); m != nil {
		if p := e.enter(l, indent, false, body); p != nil {
			return i, p
		}
		key := strings.Trim(m[1], `"'`)
		top := &e.stack[len(e.stack)-1]
		top.key = key
		if top.key0 == "" {
			top.key0 = key
		}
		valueCol := indent + len(m[1]) + 2
		value := strings.TrimLeft(body[len(m[1])+1:], " \t")
		valueCol += len(body[len(m[1])+1:]) - len(value)
		return e.value(i, indent, key, value, valueCol)
	}
	if m := noSpaceLine.FindStringSubmatch(body); m != nil {
		return i, e.at(l.n, indent+len(m[1])+2, "%s:%s needs a space after the colon: write %s: %s", m[1], clipLine(m[2]), m[1], clipLine(m[2]))
	}
	return -1, nil
}

// enter checks that a key (or a dash, when list) at indent belongs to an
// open mapping (or list), or opens one below the line before.
func (e *explainer) enter(l syntaxLine, indent int, list bool, body string) *diag.Problem {
	var popped *syntaxContext
	for len(e.stack) > 0 && e.stack[len(e.stack)-1].indent > indent {
		c := e.stack[len(e.stack)-1]
		if !c.list && popped == nil {
			popped = &c
		}
		e.stack = e.stack[:len(e.stack)-1]
	}
	opener, openerKey, openerDash := e.opener, e.openerKey, e.openerDash
	e.opener, e.openerKey, e.openerDash = -1, "", false
	var top *syntaxContext
	if len(e.stack) > 0 {
		top = &e.stack[len(e.stack)-1]
	}
	if top != nil && top.indent == indent && top.list == list {
		return nil
	}
	// A block opens below a key with no value: a mapping further in, or a
	// list further in or (YAML allows it) at the key's own indentation.
	opens := opener >= 0 && (indent > opener || (list && !openerDash && indent == opener))
	if top == nil {
		opens = true // the first line
	}
	if opens {
		c := syntaxContext{indent: indent, list: list}
		switch {
		case top == nil:
			c.name = "the catalog"
		case list:
			c.name = openerKey + ":"
		case openerDash && len(e.stack) > 0 && e.stack[len(e.stack)-1].list:
			c.name = entryName(e.stack[len(e.stack)-1].name)
		default:
			c.name = openerKey + ":"
		}
		e.stack = append(e.stack, c)
		return nil
	}
	what := "`" + firstWords(body) + "`"
	if list {
		for j := len(e.stack) - 1; j >= 0; j-- {
			if c := e.stack[j]; c.list {
				return e.at(l.n, indent+1, "%s is indented %s but the other entries of %s are indented %d; line its dash up with theirs", what, spaces(indent), c.name, c.indent)
			}
		}
		return e.at(l.n, indent+1, "%s is indented %s, which lines it up with no list above; indent it under the key it belongs to", what, spaces(indent))
	}
	want := popped
	if top != nil && !top.list && (want == nil || indent-top.indent <= want.indent-indent) {
		want = top
	}
	if want == nil {
		return e.at(l.n, indent+1, "%s is indented %s, which lines it up with no key above; indent it like the keys it belongs with", what, spaces(indent))
	}
	if want.name == "the catalog" {
		return e.at(l.n, indent+1, "%s is indented %s but the sections of the catalog (site:, regions:, documents: …) start at the left margin; remove the spaces before it", what, spaces(indent))
	}
	like := want.key
	if like == "" {
		like = want.key0
	}
	return e.at(l.n, indent+1, "%s is indented %s but the other keys of %s are indented %d; indent it like `%s:` above", what, spaces(indent), want.name, want.indent, like)
}

// value reads the value of key (at indent), which starts at column col of
// line i, and returns the last line it takes.
func (e *explainer) value(i, indent int, key, value string, col int) (int, *diag.Problem) {
	l := e.lines[i]
	for len(value) > 0 && (value[0] == '&' || value[0] == '!') { // an anchor or a tag
		sp := strings.IndexAny(value, " \t")
		if sp < 0 {
			value = ""
			break
		}
		col += sp + 1
		value = strings.TrimLeft(value[sp+1:], " \t")
	}
	switch {
	case value == "" || value[0] == '#':
		e.opener, e.openerKey = indent, key
		return i, nil
	case value[0] == '|' || value[0] == '>':
		j := i + 1
		for ; j < len(e.lines); j++ {
			if t := e.lines[j]; strings.TrimSpace(t.text) != "" && t.indent <= indent {
				break
			}
		}
		return j - 1, nil
	case value[0] == '"' || value[0] == '\'' || value[0] == '[' || value[0] == '{':
		return e.closed(i, indent, key, value, col)
	case value[0] == '*':
		return i, nil
	}
	plain := value
	if k := strings.Index(plain, " #"); k >= 0 {
		plain = plain[:k]
	}
	if strings.Contains(plain, ": ") || strings.HasSuffix(plain, ":") {
		q := `"` + plain + `"`
		if strings.Contains(plain, `"`) {
			q = "'" + strings.ReplaceAll(plain, "'", "''") + "'"
		}
		return i, e.at(l.n, col, "the value of %s holds \": \", which YAML reads as the start of another key; put the whole value in quotes: %s: %s", key, key, clipLine(q))
	}
	e.plain = indent
	return i, nil
}

// closed follows a quoted or flow value (starting at column col of line
// i) to its end, over several lines if need be, and reports one that is
// never closed: a line that looks like the next key comes first.
func (e *explainer) closed(i, indent int, key, value string, col int) (int, *diag.Problem) {
	open := value[0]
	var quote byte // inside a quoted string
	depth := 0
	l := e.lines[i]
	text := value
	for j := i; j < len(e.lines); j++ {
		if j > i {
			t := e.lines[j]
			body := strings.TrimLeft(t.text, " ")
			if body != "" && t.indent <= indent && (keyLine.MatchString(body) || strings.HasPrefix(body, "- ")) {
				break // the next key: the value was never closed
			}
			text = t.text
		}
		for k := 0; k < len(text); k++ {
			c := text[k]
			switch {
			case quote == '"' && c == '\\':
				k++
			case quote != 0 && c == quote:
				if quote == '\'' && k+1 < len(text) && text[k+1] == '\'' {
					k++
					continue
				}
				quote = 0
				if depth == 0 {
					return j, nil
				}
			case quote != 0:
			case c == '"' || c == '\'':
				quote = c
			case c == '[' || c == '{':
				depth++
			case c == ']' || c == '}':
				depth--
				if depth == 0 {
					return j, nil
				}
			case c == '#' && k > 0 && text[k-1] == ' ':
				k = len(text) // a comment
			}
		}
	}
	line := strings.TrimRight(strings.TrimSpace(l.text), " ")
	switch open {
	case '"', '\'':
		return i, e.at(l.n, col, "the quote %c opened here is never closed; close it at the end of the value, as in %s%c", open, clipLine(line), open)
	case '[':
		return i, e.at(l.n, col, "the [ opened here is never closed; end the list with ], as in %s]", clipLine(line))
	}
	return i, e.at(l.n, col, "the { opened here is never closed; end the mapping with }, as in %s}", clipLine(line))
}

// clipLine shortens a line quoted in a message to 80 characters.
func clipLine(s string) string {
	if utf8.RuneCountInString(s) <= 80 {
		return s
	}
	return string([]rune(s)[:80]) + "…"
}

func entryName(list string) string {
	if n, ok := entryNames[strings.TrimSuffix(list, ":")]; ok {
		return n
	}
	return "this entry of " + list
}

func firstWords(body string) string {
	if k := strings.Index(body, ": "); k >= 0 && !strings.HasPrefix(body, "- ") {
		return body[:k+1]
	}
	return clip(strings.TrimRight(body, " "))
}

func spaces(n int) string {
	if n == 1 {
		return "1 space"
	}
	return fmt.Sprintf("%d spaces", n)
}
