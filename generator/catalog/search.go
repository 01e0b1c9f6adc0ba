package catalog

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Bounds on the publisher's synonyms: a name is a short term of the
// field, and every group is tried against every query.
const (
	maxSynonymGroups = 500
	maxSynonymNames  = 16 // names in one group
	maxSynonymLength = 64 // characters in one name
	maxSynonymWords  = 8  // words in one name
)

// search reads site.search: where queries run (browser or server), as a
// word, or a mapping of that (in) and the publisher's synonym groups:
//
//	search:
//	  in: browser
//	  synonyms:
//	    - [soc report, service organization controls report]
func (d *decoder) search(n *yaml.Node, s *Site) {
	where := func(v *yaml.Node, what string) {
		s.Search = d.str(v, what)
		if s.Search != "browser" && s.Search != "server" {
			d.errorf(v, "%s must be browser or server, not %s", what, describe(v))
		}
	}
	if n.Kind != yaml.MappingNode {
		where(n, "site.search")
		return
	}
	d.mapping(n, "site.search", []field{
		{"in", func(v *yaml.Node) { where(v, "site.search.in") }},
		{"synonyms", func(v *yaml.Node) { s.SearchSynonyms = d.synonyms(v) }},
	})
}

// synonyms reads site.search.synonyms: a list of groups, each a list of
// two or more names that find each other.
func (d *decoder) synonyms(n *yaml.Node) [][]string {
	const what = "site.search.synonyms"
	const example = "e.g. - [soc report, service organization controls report]"
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s must be a list of groups of names that mean the same, %s; not %s", what, example, describe(n))
		return nil
	}
	if len(n.Content) > maxSynonymGroups {
		d.errorf(n, "%s has %d groups; the limit is %d", what, len(n.Content), maxSynonymGroups)
		return nil
	}
	var groups [][]string
	for i, g := range n.Content {
		at := what + " group " + strconv.Itoa(i+1)
		if g.Kind != yaml.SequenceNode {
			d.errorf(g, "%s must be a list of two or more names, %s; not %s", at, example, describe(g))
			continue
		}
		if len(g.Content) < 2 {
			d.errorf(g, "%s has %d name; a group needs two or more names that mean the same", at, len(g.Content))
			continue
		}
		if len(g.Content) > maxSynonymNames {
			d.errorf(g, "%s has %d names; the limit is %d (split it into groups)", at, len(g.Content), maxSynonymNames)
			continue
		}
		var names []string
		ok := true
		for _, item := range g.Content {
			name := ""
			if item.Kind == yaml.ScalarNode && item.Tag != "!!null" {
				name = strings.TrimSpace(item.Value)
			}
			switch {
			case item.Kind != yaml.ScalarNode:
				d.errorf(item, "%s must hold names (text), not %s", at, describe(item))
			case name == "":
				d.errorf(item, "%s has an empty name; remove it or write the name", at)
			case utf8.RuneCountInString(name) > maxSynonymLength:
				d.errorf(item, "%s has a name of %d characters (%s); the limit is %d", at, utf8.RuneCountInString(name), describe(item), maxSynonymLength)
			case len(strings.Fields(name)) > maxSynonymWords:
				d.errorf(item, "%s has a name of %d words (%s); the limit is %d", at, len(strings.Fields(name)), describe(item), maxSynonymWords)
			default:
				names = append(names, name)
				continue
			}
			ok = false
		}
		if ok {
			groups = append(groups, names)
		}
	}
	return groups
}
