package catalog

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stp-portal/stp/generator/diag"
	"go.yaml.in/yaml/v3"
)

// decoder turns YAML nodes into the model by hand, so that every value keeps
// its position and every unknown key is reported with the keys that would
// have been understood there.
type decoder struct {
	file     string
	problems diag.Problems
	// lineOffset is added to every line: a re-parsed slice of the catalog
	// starts at line lineOffset+1 of the file.
	lineOffset int
	// data is the whole file, when known, to find an item of a list that
	// validation refuses (see locate); starts are its lines' offsets.
	data   []byte
	starts []int
	// text is what the YAML library reads: data, or data with its
	// documents blanked out (see parseSplit).
	text []byte
	// broken are the taxonomies whose section is missing or unreadable,
	// and ghosts the ids of their entries refused: references to them
	// are consequences of a problem already reported, and not reported.
	broken map[string]bool
	ghosts map[string]map[string]bool
}

func (d *decoder) pos(n *yaml.Node) diag.Pos {
	return diag.YAMLPos(d.file, d.lineOffset, n)
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.problems.Errorf(d.pos(n), format, args...)
}

func (d *decoder) warnf(n *yaml.Node, format string, args ...any) {
	d.problems.Warnf(d.pos(n), format, args...)
}

func (d *decoder) errorAt(p diag.Pos, format string, args ...any) {
	d.problems.Errorf(p, format, args...)
}

// field is one key a mapping understands.
type field struct {
	name string
	set  func(v *yaml.Node)
}

// mapping calls each field's setter for the keys present in n and reports
// unknown and repeated keys. It returns the keys that were present; a known
// key that an unknown one was probably meant to be ("titel" for "title") is
// in it with a nil node, so that it is not reported missing as well.
//
// A key given twice is reported once for the mapping, with how many more
// are: a document written without its dash repeats every key of the one
// before, and the first line should say that, not list each of them.
func (d *decoder) mapping(n *yaml.Node, what string, fields []field) map[string]*yaml.Node {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping of keys to values, not %s", what, describe(n))
		return nil
	}
	seen := make(map[string]*yaml.Node, len(n.Content)/2)
	var meant []string
	var dup *diag.Problem
	dups := 0
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, "%s has a key that is not a plain name", what)
			continue
		}
		if prev, dup1 := seen[k.Value]; dup1 {
			if dups++; dup == nil {
				hint := "keep one"
				switch {
				case what == "the catalog":
					hint = fmt.Sprintf("merge the two into one %s: section", k.Value)
				case strings.HasPrefix(what, "a document") || strings.HasPrefix(what, "an entry of"):
					hint = "keep one, or, if a new entry starts here, begin its first line with \"- \" as the others do"
				}
				d.errorf(k, "%q is given twice in %s (first at line %d); %s", k.Value, what, prev.Line+d.lineOffset, hint)
				dup = d.problems[len(d.problems)-1]
			}
			continue
		}
		var f *field
		for j := range fields {
			if fields[j].name == k.Value {
				f = &fields[j]
				break
			}
		}
		if f == nil {
			hint := suggest(k.Value, fieldNames(fields))
			if m, ok := strings.CutPrefix(hint, " (did you mean \""); ok {
				meant = append(meant, strings.TrimSuffix(m, "\"?)"))
			}
			d.errorf(k, "unknown field %q in %s%s (known: %s)", k.Value, what, hint, strings.Join(fieldNames(fields), ", "))
			continue
		}
		seen[k.Value] = k
		f.set(v)
	}
	if dups > 1 {
		dup.Message += fmt.Sprintf(" (%d more keys below are given twice too)", dups-1)
	}
	for _, m := range meant {
		if _, ok := seen[m]; !ok {
			seen[m] = nil
		}
	}
	return seen
}

func fieldNames(fs []field) []string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.name
	}
	return names
}

// suggest returns ` (did you mean "x"?)` when a known name is close to got.
func suggest(got string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		if d := editDistance(got, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance, for "did you mean" hints on
// short names only.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "empty"
		}
		return fmt.Sprintf("%q", clip(n.Value))
	case yaml.AliasNode:
		return "an alias"
	}
	return "something else"
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// str reads a scalar as text. Numbers and dates are taken as written, so
// `version: 2025` means "2025".
func (d *decoder) str(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, "%s must be text, not %s", what, describe(n))
		return ""
	}
	if n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

func (d *decoder) boolean(n *yaml.Node, what string) bool {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		b, err := strconv.ParseBool(strings.ToLower(n.Value))
		if err == nil {
			return b
		}
	}
	switch v := strings.ToLower(n.Value); {
	case n.Kind == yaml.ScalarNode && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 && (v == "true" || v == "false"):
		d.errorf(n, "%s must be true or false without quotes: in quotes it is text; write %s: %s", what, what, v)
	case n.Kind == yaml.ScalarNode && (v == "yes" || v == "no" || v == "on" || v == "off" || v == "y" || v == "n"):
		d.errorf(n, "%s must be true or false, not %s; write %s: %t", what, describe(n), what, v == "yes" || v == "on" || v == "y")
	default:
		d.errorf(n, "%s must be true or false, not %s", what, describe(n))
	}
	return false
}

func (d *decoder) integer(n *yaml.Node, what string, lo, hi int) int {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
		if v, err := strconv.Atoi(n.Value); err == nil && v >= lo && v <= hi {
			return v
		}
	}
	d.errorf(n, "%s must be a whole number from %d to %d, not %s", what, lo, hi, describe(n))
	return 0
}

// date reads a calendar date written as YYYY-MM-DD.
func (d *decoder) date(n *yaml.Node, what string) (time.Time, bool) {
	if n.Kind == yaml.ScalarNode {
		if t, err := time.Parse(time.DateOnly, n.Value); err == nil {
			return t, true
		}
	}
	d.errorf(n, "%s must be a date written YYYY-MM-DD (e.g. 2025-03-14), not %s", what, describe(n))
	return time.Time{}, false
}

// ids reads a list of taxonomy ids, or the word "all". It returns the ids
// and whether "all" was written.
func (d *decoder) ids(n *yaml.Node, what string) ([]string, bool) {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Value == All {
			return nil, true
		}
		if n.Tag == "!!null" {
			return nil, false
		}
		d.errorf(n, "%s must be a list of ids such as [%s] or the word all, not %s", what, n.Value, describe(n))
		return nil, false
	case yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		for i, item := range n.Content {
			if item.Kind != yaml.ScalarNode || item.Tag == "!!null" {
				d.errorf(item, "%s must hold ids, not %s", what, describe(item))
				continue
			}
			if item.Value == All {
				d.errorf(item, "write %s: all instead of listing all among other ids", what)
				continue
			}
			if slices.Contains(out, item.Value) {
				d.warnf(item, "%s lists %q twice (item %d); remove this one", what, item.Value, i+1)
				continue
			}
			out = append(out, item.Value)
		}
		return out, false
	}
	d.errorf(n, "%s must be a list of ids or the word all, not %s", what, describe(n))
	return nil, false
}

// locate finds id, an item of the list at at, in the catalog's text:
// a flow list such as [emea, apacc] has one position, its bracket, and a
// publisher looks for the item. It returns at when it cannot tell.
func (d *decoder) locate(at diag.Pos, id string) diag.Pos {
	if d.data == nil || at.Line < 1 || id == "" {
		return at
	}
	if d.starts == nil {
		d.starts = lineStarts(d.data)
	}
	if at.Line > len(d.starts) {
		return at
	}
	rest := d.data[d.starts[at.Line-1]:]
	for c := 1; c < at.Col && len(rest) > 0 && rest[0] != '\n'; c++ {
		_, size := utf8.DecodeRune(rest)
		rest = rest[size:]
	}
	start := len(d.data) - len(rest)
	text := d.data[start:min(len(d.data), start+64<<10)]
	for i := 0; i < len(text); {
		k := bytes.Index(text[i:], []byte(id))
		if k < 0 {
			break
		}
		k += i
		before, after := byte(' '), byte('\n')
		if k > 0 {
			before = text[k-1]
		}
		if k+len(id) < len(text) {
			after = text[k+len(id)]
		}
		if strings.IndexByte(" \t[,-\"'", before) >= 0 && strings.IndexByte(" \t],\n\r#\"'", after) >= 0 {
			off := start + k
			line := sort.SearchInts(d.starts, off+1)
			return diag.Pos{File: at.File, Line: line, Col: utf8.RuneCount(d.data[d.starts[line-1]:off]) + 1}
		}
		i = k + 1
	}
	return at
}

// rejectAliases reports the aliases in the tree: the first, with how many
// more there are. Aliases are never needed in a catalog, and expanding
// them is how hostile YAML blows up memory.
func (d *decoder) rejectAliases(n *yaml.Node) bool {
	deep := false
	var first *yaml.Node
	aliases := 0
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if depth > 64 {
			if !deep {
				d.errorf(n, "nesting is deeper than 64 levels; a catalog needs at most 5")
			}
			deep = true
			return
		}
		if n.Kind == yaml.AliasNode {
			if aliases++; first == nil {
				first = n
			}
			return
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	if first != nil {
		more := ""
		switch {
		case aliases == 2:
			more = " (and 1 more alias)"
		case aliases > 2:
			more = fmt.Sprintf(" (and %d more aliases)", aliases-1)
		}
		d.errorf(first, "aliases (*%s) are not allowed in a catalog%s; write each value out in full where it is used", first.Value, more)
	}
	return !deep && first == nil
}
