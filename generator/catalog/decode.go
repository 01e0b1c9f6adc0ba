package catalog

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// decoder turns YAML nodes into the model by hand, so that every value keeps
// its position and every unknown key is reported with the keys that would
// have been understood there.
type decoder struct {
	file     string
	problems Problems
	// lineOffset is added to every line: a re-parsed slice of the catalog
	// starts at line lineOffset+1 of the file.
	lineOffset int
}

func (d *decoder) pos(n *yaml.Node) Pos {
	return Pos{File: d.file, Line: n.Line + d.lineOffset, Col: n.Column}
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.problems = append(d.problems, &Problem{Pos: d.pos(n), Message: fmt.Sprintf(format, args...)})
}

func (d *decoder) errorAt(p Pos, format string, args ...any) {
	d.problems = append(d.problems, &Problem{Pos: p, Message: fmt.Sprintf(format, args...)})
}

// field is one key a mapping understands.
type field struct {
	name string
	set  func(v *yaml.Node)
}

// mapping calls each field's setter for the keys present in n and reports
// unknown and repeated keys. It returns the keys that were present.
func (d *decoder) mapping(n *yaml.Node, what string, fields []field) map[string]*yaml.Node {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping of keys to values, not %s", what, describe(n))
		return nil
	}
	seen := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, "%s has a key that is not a plain name", what)
			continue
		}
		if prev, dup := seen[k.Value]; dup {
			d.errorf(k, "%q is given twice in %s (first at line %d); keep one", k.Value, what, prev.Line)
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
			d.errorf(k, "unknown field %q in %s%s (known: %s)", k.Value, what, suggest(k.Value, fieldNames(fields)), strings.Join(fieldNames(fields), ", "))
			continue
		}
		seen[k.Value] = k
		f.set(v)
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
	d.errorf(n, "%s must be true or false, not %s", what, describe(n))
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
		for _, item := range n.Content {
			if item.Kind != yaml.ScalarNode || item.Tag == "!!null" {
				d.errorf(item, "%s must hold ids, not %s", what, describe(item))
				continue
			}
			if item.Value == All {
				d.errorf(item, "write %s: all instead of listing all among other ids", what)
				continue
			}
			out = append(out, item.Value)
		}
		return out, false
	}
	d.errorf(n, "%s must be a list of ids or the word all, not %s", what, describe(n))
	return nil, false
}

// rejectAliases reports every alias in the tree. Aliases are never needed in
// a catalog, and expanding them is how hostile YAML blows up memory.
func (d *decoder) rejectAliases(n *yaml.Node) bool {
	ok := true
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if depth > 64 {
			if ok {
				d.errorf(n, "nesting is deeper than 64 levels; a catalog needs at most 5")
			}
			ok = false
			return
		}
		if n.Kind == yaml.AliasNode {
			d.errorf(n, "aliases (*%s) are not allowed in a catalog; write the value out", n.Value)
			ok = false
			return
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return ok
}
