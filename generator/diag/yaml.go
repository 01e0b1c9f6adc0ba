package diag

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// YAMLPos is where node n is in file, whose YAML text starts at line
// offset+1: 0 for a file of its own, 1 for front matter after its ---
// line, more for a slice of a file parsed alone.
func YAMLPos(file string, offset int, n *yaml.Node) Pos {
	return Pos{File: file, Line: n.Line + offset, Col: n.Column}
}

// YAMLError splits an error of the YAML library ("yaml: line 7: did not
// find expected key") into the line of the YAML text it names, 1 when it
// names none, and the message without the prefixes.
func YAMLError(err error) (line int, msg string) {
	line, msg = 1, strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, after, ok := strings.Cut(rest, ": "); ok {
			if v, err := strconv.Atoi(n); err == nil {
				line, msg = v, after
			}
		}
	}
	return line, msg
}
