package site

import (
	"bytes"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template/parse"

	"github.com/stp-portal/stp/generator/content"
	"github.com/stp-portal/stp/generator/diag"
)

// Template errors come from three places, each with its own text:
// text/template's parser ("template: FILE:LINE: msg", no column), the
// html/template escaper ("html/template:FILE:LINE:COL: msg", sometimes with
// no line), and execution ("template: FILE:LINE:COL: executing "NAME" at
// <.X>: msg", possibly nested in a partialCached call). Every template is
// parsed under its file's name, so FILE is the layout to blame; this file
// turns each into a problem at that file's line and column, with the fix.

var templateErrAt = regexp.MustCompile(`(?:html/)?template: ?([^:\s]+):(\d+)(?::(\d+))?: ?`)

// templateProblem turns a template error into a positioned problem, or
// returns nil when err holds no template position. A nested error (a
// partial failing inside partialCached) is blamed on the innermost
// template, where the cause is.
func templateProblem(err error) *diag.Problem {
	msg := err.Error()
	all := templateErrAt.FindAllStringSubmatchIndex(msg, -1)
	if all == nil {
		return nil
	}
	m := all[0]
	for _, next := range all[1:] {
		if !strings.HasSuffix(msg[m[1]:next[0]], "error calling partialCached: ") {
			break
		}
		m = next
	}
	file := msg[m[2]:m[3]]
	line, _ := strconv.Atoi(msg[m[4]:m[5]])
	col := 1
	if m[6] >= 0 {
		// text/template counts columns from 0.
		col, _ = strconv.Atoi(msg[m[6]:m[7]])
		col++
	}
	text := execMessage(strings.TrimSpace(msg[m[1]:]))
	if strings.HasPrefix(file, proxySources) && strings.HasPrefix(text, "{{") {
		// The proxy's pages are written with [[ ]].
		if end := strings.Index(text, "}}"); end > 0 {
			text = "[[" + text[2:end] + "]]" + text[end+2:]
		}
	}
	return &diag.Problem{Pos: diag.Pos{File: file, Line: line, Col: col}, Message: text}
}

// anyTemplateProblem is templateProblem for an error known to be a
// template's, placed at file when it carries no position.
func anyTemplateProblem(err error, file string) *diag.Problem {
	if p := templateProblem(err); p != nil {
		return p
	}
	return &diag.Problem{Pos: diag.Pos{File: file}, Message: err.Error()}
}

var (
	execAt       = regexp.MustCompile(`^executing "[^"]*" at <(.*?)>: `)
	noField      = regexp.MustCompile(`^can't evaluate field (\w+) in type (\S+)$`)
	nilPointer   = regexp.MustCompile(`^nil pointer evaluating (\S+)\.(\w+)$`)
	wrongType    = regexp.MustCompile(`^wrong type for value; expected (\S+); got (\S+)$`)
	noSuchTmpl   = regexp.MustCompile(`^no such template "([^"]*)"$`)
	notDefinedFn = regexp.MustCompile(`^function "([^"]*)" not defined$`)
)

// execMessage rewrites an execution error's text ("executing "row" at
// <.Nope>: can't evaluate field Nope in type *site.DocView") as what is
// wrong and how to fix it.
func execMessage(text string) string {
	at := ""
	if m := execAt.FindStringSubmatch(text); m != nil {
		at, text = m[1], text[len(m[0]):]
	}
	// partialCached's own wrapping, when the error is its partial's.
	text = strings.TrimPrefix(text, "error calling partialCached: ")
	var msg string
	switch {
	case noField.MatchString(text):
		m := noField.FindStringSubmatch(text)
		msg = fmt.Sprintf("{{%s}}: %s has no field or method %s", at, strings.TrimPrefix(m[2], "*"), m[1])
		if names := fieldNames(m[2]); len(names) > 0 {
			if near := nearest(m[1], names); near != "" {
				msg += "; did you mean ." + near + "?"
			} else {
				msg += " (it has " + strings.Join(names, ", ") + ")"
			}
		}
	case nilPointer.MatchString(text):
		m := nilPointer.FindStringSubmatch(text)
		parent := strings.TrimSuffix(at, "."+m[2])
		msg = fmt.Sprintf("{{%s}}: %s is not set on this kind of page, so it has no %s; print it inside {{with %s}}…{{end}}", at, parent, m[2], parent)
	case wrongType.MatchString(text):
		m := wrongType.FindStringSubmatch(text)
		msg = fmt.Sprintf("{{%s}}: a %s is given where a %s is needed; pass a value of that type", at, m[2], m[1])
	case at != "":
		msg = "{{" + at + "}}: " + text
	default:
		msg = text
	}
	if len(msg) > 300 { // text/template quotes whole values, such as a page of rows
		msg = msg[:300] + "…"
	}
	return msg
}

// fieldNames lists the exported fields and methods of a type templates
// get (named as reflect prints it: "*site.DocView").
func fieldNames(typeName string) []string {
	t, ok := templateTypes()[strings.TrimPrefix(typeName, "*")]
	if !ok {
		return nil
	}
	var names []string
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() {
			names = append(names, f.Name)
		}
	}
	pt := reflect.PointerTo(t)
	for i := range pt.NumMethod() {
		names = append(names, pt.Method(i).Name)
	}
	return names
}

// templateTypes maps the struct types reachable from Page by name.
var templateTypes = func() func() map[string]reflect.Type {
	var types map[string]reflect.Type
	return func() map[string]reflect.Type {
		if types != nil {
			return types
		}
		types = map[string]reflect.Type{}
		var walk func(t reflect.Type)
		walk = func(t reflect.Type) {
			for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
				t = t.Elem()
			}
			if t.Kind() != reflect.Struct || types[t.String()] != nil {
				return
			}
			types[t.String()] = t
			for i := range t.NumField() {
				walk(t.Field(i).Type)
			}
		}
		walk(reflect.TypeFor[Page]())
		walk(reflect.TypeFor[ProxyPage]())
		return types
	}
}()

// nearest returns the candidate closest to name by edit distance, when it
// is close enough to be what was meant.
func nearest(name string, candidates []string) string {
	best, bestD := "", max(2, len(name)/3+1)
	for _, c := range candidates {
		d := editDistance(strings.ToLower(name), strings.ToLower(c))
		lc, ln := strings.ToLower(c), strings.ToLower(name)
		if strings.HasPrefix(lc, ln) || strings.HasPrefix(ln, lc) || strings.HasSuffix(lc, ln) || strings.HasSuffix(ln, lc) {
			d = min(d, 2)
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance counts the insertions, deletions, substitutions and swaps
// of two neighbours that turn a into b.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// builtinFuncs are text/template's own functions.
var builtinFuncs = []string{"and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf", "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne"}

// parseProblem turns a parse error of the layout file with source src into
// a problem at the line and column where the mistake was written: the
// parser reports only a line, and for an action or a block left open, the
// line where it noticed.
func parseProblem(err error, file, src string, funcs []string) *diag.Problem {
	p := templateProblem(err)
	if p == nil || p.Pos.File != file {
		return &diag.Problem{Pos: diag.Pos{File: file, Line: 1, Col: 1}, Message: err.Error()}
	}
	msg := p.Message
	switch {
	case strings.HasPrefix(msg, "unclosed action") || strings.HasPrefix(msg, "bad character") || strings.HasPrefix(msg, "unexpected \"<\""):
		if off, ok := unclosedAction(src, p.Pos.Line); ok {
			p.Pos.Line, p.Pos.Col = content.LineCol([]byte(src), off)
			p.Message = "{{ is not closed: end the action with }}"
			return p
		}
	case msg == "unexpected EOF":
		if off, what, ok := openBlock(src); ok {
			p.Pos.Line, p.Pos.Col = content.LineCol([]byte(src), off)
			p.Message = fmt.Sprintf("{{%s}} is not closed: the file ends before its {{end}}", what)
			return p
		}
	case notDefinedFn.MatchString(msg):
		name := notDefinedFn.FindStringSubmatch(msg)[1]
		if near := nearest(name, funcs); near != "" {
			p.Message += "; did you mean " + near + "?"
		} else {
			p.Message += "; the functions are " + strings.Join(funcs, ", ")
		}
	}
	// The parser gives no column: point at what it names on that line.
	if p.Pos.Col == 1 {
		if needle := quoted(msg); needle != "" {
			p.Pos.Col = colOf(src, p.Pos.Line, needle)
		} else if strings.HasPrefix(msg, "unexpected {{end}}") {
			p.Pos.Col = colOf(src, p.Pos.Line, "{{end")
		} else if w, ok := strings.CutPrefix(msg, "missing value for "); ok {
			p.Pos.Col = colOf(src, p.Pos.Line, "{{"+w)
		}
	}
	return p
}

// quoted returns the first "..." of a message, unquoted.
func quoted(msg string) string {
	i := strings.IndexByte(msg, '"')
	if i < 0 {
		return ""
	}
	s, err := strconv.QuotedPrefix(msg[i:])
	if err != nil {
		return ""
	}
	u, _ := strconv.Unquote(s)
	return u
}

// colOf returns the column of needle on a line of src, or 1.
func colOf(src string, line int, needle string) int {
	lines := strings.SplitN(src, "\n", line+1)
	if line < 1 || line > len(lines) {
		return 1
	}
	i := strings.Index(lines[line-1], needle)
	if i < 0 {
		return 1
	}
	_, col := content.LineCol([]byte(lines[line-1]), i)
	return col
}

// unclosedAction finds the "{{" that opened an action still open at the end
// of the given line: the last one before it with no "}}" after it.
func unclosedAction(src string, line int) (int, bool) {
	end := len(src)
	if lines := strings.SplitAfterN(src, "\n", line+1); line <= len(lines) {
		end = len(strings.Join(lines[:line], ""))
	}
	open := strings.LastIndex(src[:end], "{{")
	if open < 0 || strings.Contains(src[open:end], "}}") {
		return 0, false
	}
	return open, true
}

// openBlock finds the innermost block ({{define}}, {{if}}, {{range}},
// {{with}}, {{block}}) that src leaves without its {{end}}.
func openBlock(src string) (off int, what string, ok bool) {
	type opened struct {
		off  int
		what string
	}
	var stack []opened
	for i := 0; ; {
		j := strings.Index(src[i:], "{{")
		if j < 0 {
			break
		}
		start := i + j
		k := strings.Index(src[start:], "}}")
		if k < 0 {
			break
		}
		action := strings.TrimSpace(strings.Trim(src[start+2:start+k], "-"))
		i = start + k + 2
		word, rest, _ := strings.Cut(action, " ")
		switch word {
		case "define", "if", "range", "with", "block":
			what := word
			if q := quoted(rest); q != "" {
				what += ` "` + q + `"`
			} else if rest != "" {
				what += " " + rest
			}
			stack = append(stack, opened{start, what})
		case "end":
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if len(stack) == 0 {
		return 0, "", false
	}
	top := stack[len(stack)-1]
	return top.off, top.what, true
}

// layoutChecks finds, once the layouts are parsed, what the parser lets
// through: a page layout with no "main", calls of templates no layout
// defines, and text outside {{define}} in a file that is only used through
// its defines, which no page ever shows.
type layoutChecks struct {
	problems diag.Problems
	seen     map[diag.Pos]bool
}

func (c *layoutChecks) add(p *diag.Problem) {
	if c.seen == nil {
		c.seen = map[diag.Pos]bool{}
	}
	if c.seen[p.Pos] {
		return
	}
	c.seen[p.Pos] = true
	c.problems = append(c.problems, p)
}

// pos returns where node n of tree is.
func nodePos(tree *parse.Tree, n parse.Node) diag.Pos {
	loc, _ := tree.ErrorContext(n)
	// loc is "FILE:LINE:COL".
	i := strings.LastIndexByte(loc, ':')
	j := strings.LastIndexByte(loc[:max(i, 0)], ':')
	if i < 0 || j < 0 {
		return diag.Pos{File: tree.ParseName, Line: 1, Col: 1}
	}
	line, _ := strconv.Atoi(loc[j+1 : i])
	col, _ := strconv.Atoi(loc[i+1:]) // counted from 0
	return diag.Pos{File: loc[:j], Line: line, Col: col + 1}
}

// unusedText warns about what the top level of a file used only through
// its defines holds besides blank text.
func (c *layoutChecks) unusedText(tree *parse.Tree, file string, kind string) {
	if tree == nil || tree.Root == nil {
		return
	}
	for _, n := range tree.Root.Nodes {
		if t, ok := n.(*parse.TextNode); ok {
			trimmed := bytes.TrimLeft(t.Text, " \t\r\n")
			if len(trimmed) == 0 {
				continue
			}
			p := nodePos(tree, n)
			// Point at the first character that is not blank.
			skipped := t.Text[:len(t.Text)-len(trimmed)]
			if nl := bytes.Count(skipped, []byte("\n")); nl > 0 {
				p.Line += nl
				p.Col = 1 + len(skipped) - (bytes.LastIndexByte(skipped, '\n') + 1)
			} else {
				p.Col += len(skipped)
			}
			c.add(&diag.Problem{Pos: p, Warning: true, Message: fmt.Sprintf(
				"text outside {{define}} is never shown: %s is used only through its defines; move it into %s or delete it", file, kind)})
			return
		}
		if n.Type() != parse.NodeText {
			c.add(&diag.Problem{Pos: nodePos(tree, n), Warning: true, Message: fmt.Sprintf(
				"%s outside {{define}} is never run: %s is used only through its defines; move it into %s or delete it", n, file, kind)})
			return
		}
	}
}

// calls reports {{template "NAME"}} calls in tree of templates that
// defined does not have.
func (c *layoutChecks) calls(tree *parse.Tree, defined func(string) bool, names []string) {
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, m := range n.Nodes {
				walk(m)
			}
		case *parse.TemplateNode:
			// A page layout without "main" is reported as such.
			if n.Name != "main" && !defined(n.Name) {
				msg := fmt.Sprintf("no template is called %q: define it with {{define %q}}…{{end}} in a partial, or call one that exists", n.Name, n.Name)
				if near := nearest(n.Name, names); near != "" {
					msg = fmt.Sprintf("no template is called %q; did you mean %q? (or define it with {{define %q}}…{{end}} in a partial)", n.Name, near, n.Name)
				}
				c.add(&diag.Problem{Pos: nodePos(tree, n), Message: msg})
			}
		case *parse.IfNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.List)
			walk(n.ElseList)
		}
	}
	if tree != nil {
		walk(tree.Root)
	}
}

// sortedKeys returns the names of a function map and the built-ins.
func funcNames(funcs map[string]any) []string {
	names := slices.Clone(builtinFuncs)
	for name := range funcs {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// unclosedHTML finds a quoted attribute value or a tag that a layout's
// HTML leaves open, reading around its actions: where html/template's
// "ends in a non-text context" comes from.
func unclosedHTML(src string) (pos diag.Pos, what string, ok bool) {
	var quote byte
	tagAt, quoteAt := -1, -1
	for i := 0; i < len(src); i++ {
		c := src[i]
		if strings.HasPrefix(src[i:], "{{") {
			if end := strings.Index(src[i:], "}}"); end >= 0 {
				i += end + 1
				continue
			}
			return pos, "", false
		}
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case tagAt >= 0:
			switch c {
			case '"', '\'':
				quote, quoteAt = c, i
			case '>':
				tagAt = -1
			}
		case strings.HasPrefix(src[i:], "<!--"):
			end := strings.Index(src[i:], "-->")
			if end < 0 {
				return pos, "", false
			}
			i += end + 2
		case c == '<' && i+1 < len(src) && (src[i+1] == '/' || src[i+1] >= 'a' && src[i+1] <= 'z' || src[i+1] >= 'A' && src[i+1] <= 'Z'):
			for _, raw := range []string{"<script", "<style"} {
				if strings.HasPrefix(strings.ToLower(src[i:]), raw) {
					if end := strings.Index(strings.ToLower(src[i:]), "</"+raw[1:]); end > 0 {
						// The raw text itself is skipped; its tag is read.
						gt := strings.IndexByte(src[i:], '>')
						if gt > 0 && gt < end {
							i += end - 1
							continue
						}
					}
				}
			}
			tagAt = i
		}
	}
	switch {
	case quote != 0:
		line, col := content.LineCol([]byte(src), quoteAt)
		return diag.Pos{Line: line, Col: col}, fmt.Sprintf("the attribute value opened here with %c is never closed, so the rest of the page is inside it: add the closing %c", quote, quote), true
	case tagAt >= 0:
		line, col := content.LineCol([]byte(src), tagAt)
		return diag.Pos{Line: line, Col: col}, "the tag opened here is never closed: end it with >", true
	}
	return pos, "", false
}
