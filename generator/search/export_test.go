package search

import (
	"context"
	"strings"
)

// What bleve_test.go (package search_test, so that it can use the
// synthetic and sample portals) needs to build, with Bleve's own engine,
// the query the parser means.

// TextField is a text field and its boost.
type TextField struct {
	Name  string
	Boost float64
}

// TextFields are the fields a word is looked for in, with their boosts.
func TextFields() []TextField {
	var out []TextField
	for _, f := range textFields {
		out = append(out, TextField{f.name, f.boost})
	}
	return out
}

// Field names and boosts of the query tree (eval.go).
const (
	FieldWords           = fieldWords
	FieldBody            = fieldBody
	FieldTitle           = fieldTitle
	FieldTags            = fieldTags
	FieldSeries          = fieldSeries
	FieldDate            = fieldDate
	FieldCurrent         = fieldCurrent
	FuzzyBoost           = fuzzyBoost
	PrefixBoost          = prefixBoost
	WordsBoost           = wordsBoost
	BodyPhraseBoost      = bodyPhraseBoost
	EarlierVersionWeight = earlierVersionWeight
)

var (
	Fuzziness = fuzziness
	PrefixOf  = prefix
	// FacetNames are the facets in the order of Query's filters.
	FacetNames = facetNames[:]
)

// TagsAndWords are the texts of the tags and words fields of r.
func TagsAndWords(r *Record, labels Labels) (tags, words string) {
	t := strings.Join(tagNames(r, normaliseLabels(labels)), " ; ")
	return t, r.Title + " ; " + t + " ; " + r.Summary
}

// Clause is a word or phrase of the text as the parser read it.
type Clause struct {
	Terms                []string
	Raw                  string
	Phrase, Prefix, Next bool
}

// Alternative stands for the clauses First..Last.
type Alternative struct {
	First, Last int
	Terms       []string
}

// ParseText is the parser's reading of text and the alternatives idx adds.
func ParseText(idx *Index, text string) ([]Clause, []Alternative, error) {
	p, err := parseText(text)
	if err != nil {
		return nil, nil, err
	}
	var cs []Clause
	for _, c := range p.clauses {
		cs = append(cs, Clause{c.terms, c.raw, c.phrase, c.prefix, c.next})
	}
	var as []Alternative
	for _, a := range idx.alternatives(dicts{}, p.clauses) {
		as = append(as, Alternative{a.first, a.last, a.terms})
	}
	return cs, as, nil
}

// VersionScores answers text over idx as Run does before versions are
// weighted and grouped into documents: every matching version's ID and
// score.
func VersionScores(idx *Index, text string) (map[string]float64, error) {
	p, err := parseText(text)
	if err != nil {
		return nil, err
	}
	ds := dicts{}
	out := map[string]float64{}
	var ids []int
	var scores []float64
	err = idx.search(context.Background(), ds, p.clauses, idx.alternatives(ds, p.clauses), func(m match) {
		ids = append(ids, m.doc)
		scores = append(scores, m.score)
	})
	if err != nil {
		return nil, err
	}
	for i, d := range ids {
		sd, err := idx.storedDoc(d)
		if err != nil {
			return nil, err
		}
		out[sd.ID] = scores[i]
	}
	return out, nil
}
