package search

import (
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/vellum"
)

// highlighter marks the words of a stored text that the query matched. It
// re-analyses the text with the index's analyser and applies the same rules
// the searchers do (exact, fuzzy, prefix, phrase), so the index needs no
// term vectors for highlighting and every host marks the same words.
type highlighter struct {
	words   []clause
	phrases [][]string
	// fuzzy holds the edit-distance automata of the words, built once.
	fuzzy map[string]vellum.FuzzyAutomaton
}

func newHighlighter(clauses []clause, alts []alternative) *highlighter {
	h := &highlighter{fuzzy: map[string]vellum.FuzzyAutomaton{}}
	for _, c := range clauses {
		if c.phrase {
			h.phrases = append(h.phrases, c.terms)
		} else {
			h.words = append(h.words, c)
		}
	}
	// An alternative's words are marked where they stand as it says,
	// exactly: "Sub-processor" for "subprocessor".
	for _, a := range alts {
		h.phrases = append(h.phrases, a.terms)
	}
	return h
}

// wordMatches applies the searchers' rules to one token of a stored text:
// term is its analysed form and raw the word as written, in lower case.
func (h *highlighter) wordMatches(term, raw string) bool {
	for _, c := range h.words {
		if term == c.terms[0] {
			return true
		}
		if h.fuzzyMatch(c.terms[0], term) || h.fuzzyMatch(c.raw, raw) {
			return true
		}
		if c.prefix {
			if p := prefix(c.raw); p != "" && strings.HasPrefix(raw, p) {
				return true
			}
		}
	}
	return false
}

// fuzzyMatch is the fuzzy searcher's rule: same first letter, and within
// the word's edit distance.
func (h *highlighter) fuzzyMatch(query, word string) bool {
	k := fuzziness(query)
	if k == 0 || word == "" {
		return false
	}
	r1, _ := utf8.DecodeRuneInString(query)
	r2, _ := utf8.DecodeRuneInString(word)
	if r1 != r2 {
		return false
	}
	a, seen := h.fuzzy[query]
	if !seen {
		a, _ = levAutomaton(query, k)
		h.fuzzy[query] = a
	}
	if a == nil {
		return false
	}
	ok, _ := a.MatchAndDistance(word)
	return ok
}

// marks returns the byte ranges of matched words in text, in order.
func (h *highlighter) marks(text string) [][2]int {
	if text == "" || (len(h.words) == 0 && len(h.phrases) == 0) {
		return nil
	}
	an, err := textAnalyzer()
	if err != nil {
		return nil
	}
	toks := an.Analyze([]byte(text))
	hit := make([]bool, len(toks))
	for i, t := range toks {
		if t.Start < 0 || t.End > len(text) || t.Start > t.End {
			continue
		}
		if h.wordMatches(string(t.Term), strings.ToLower(text[t.Start:t.End])) {
			hit[i] = true
		}
	}
	for _, ph := range h.phrases {
		for i := range toks {
			if phraseAt(toks, i, ph) {
				for j := range ph {
					hit[i+j] = true
				}
			}
		}
	}
	var out [][2]int
	for i, t := range toks {
		if hit[i] && t.Start >= 0 && t.End <= len(text) && t.Start < t.End {
			out = append(out, [2]int{t.Start, t.End})
		}
	}
	return out
}

// phraseAt reports whether the phrase's terms occur at consecutive
// positions from token i.
func phraseAt(toks analysis.TokenStream, i int, ph []string) bool {
	if i+len(ph) > len(toks) {
		return false
	}
	for j, term := range ph {
		t := toks[i+j]
		if string(t.Term) != term || t.Position != toks[i].Position+j {
			return false
		}
	}
	return true
}

// segments splits text into matched and unmatched runs.
func (h *highlighter) segments(text string) []Segment {
	return cut(text, 0, len(text), h.marks(text))
}

func cut(text string, lo, hi int, marks [][2]int) []Segment {
	var out []Segment
	pos := lo
	for _, m := range marks {
		if m[0] < pos || m[1] > hi {
			continue
		}
		if m[0] > pos {
			out = appendSegment(out, text[pos:m[0]], false)
		}
		out = appendSegment(out, text[m[0]:m[1]], true)
		pos = m[1]
	}
	if pos < hi {
		out = appendSegment(out, text[pos:hi], false)
	}
	if out == nil {
		out = []Segment{}
	}
	return out
}

func appendSegment(out []Segment, s string, hit bool) []Segment {
	if n := len(out); n > 0 && out[n-1].Hit == hit {
		out[n-1].Text += s
		return out
	}
	return append(out, Segment{Text: s, Hit: hit})
}
