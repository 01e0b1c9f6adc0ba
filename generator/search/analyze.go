package search

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	porterstemmer "github.com/blevesearch/go-porterstemmer"
	"github.com/blevesearch/segment"
)

// The analyzers are Bleve's English analyzer ("en": Unicode word
// boundaries, possessives, lower case, stop words, the Porter stemmer) and
// the same without stop words and stemmer, built from the pieces Bleve's
// are built from (blevesearch/segment, go-porterstemmer) rather than
// through Bleve's registry: the registry's packages pull Bleve's query,
// geo and JSON code into the browser engine, a third of its bytes.
// TestAnalyzersMatchBleve holds them to Bleve's own, token for token.
var (
	textEN       analysis.Analyzer = englishAnalyzer{stem: true}
	wordAnalyzer analysis.Analyzer = englishAnalyzer{}
)

// textAnalyzer is Bleve's English analyzer.
func textAnalyzer() (analysis.Analyzer, error) { return textEN, nil }

// englishAnalyzer is Bleve's unicode tokenizer followed by possessive_en
// and to_lower, and, with stem, stop_en and stemmer_porter.
type englishAnalyzer struct{ stem bool }

func (a englishAnalyzer) Analyze(input []byte) analysis.TokenStream {
	var toks analysis.TokenStream
	seg := segment.NewWordSegmenterDirect(input)
	start, pos := 0, 1
	for seg.Segment() {
		b := seg.Bytes()
		end := start + len(b)
		if typ := seg.Type(); typ != segment.None {
			toks = append(toks, &analysis.Token{Term: b, Start: start, End: end, Position: pos, Type: tokenType(typ)})
			pos++
		}
		start = end
	}
	kept := toks[:0]
	for _, t := range toks {
		t.Term = toLower(dropPossessive(t.Term))
		if a.stem {
			if englishStopWords[string(t.Term)] {
				continue
			}
			t.Term = []byte(string(porterstemmer.StemWithoutLowerCasing(bytes.Runes(t.Term))))
		}
		kept = append(kept, t)
	}
	return kept
}

func tokenType(t int) analysis.TokenType {
	switch t {
	case segment.Ideo, segment.Kana:
		return analysis.Ideographic
	case segment.Number:
		return analysis.Numeric
	}
	return analysis.AlphaNumeric
}

// dropPossessive cuts a final 's after any of the three apostrophes Bleve
// knows.
func dropPossessive(term []byte) []byte {
	last, n := utf8.DecodeLastRune(term)
	if last != 's' && last != 'S' {
		return term
	}
	prev, m := utf8.DecodeLastRune(term[:len(term)-n])
	if prev == '’' || prev == '\'' || prev == '＇' {
		return term[:len(term)-n-m]
	}
	return term
}

// toLower lower-cases s in place, as Bleve's to_lower does (a final Σ
// becomes ς), falling back to bytes.ToLower where a lower-case letter is
// wider than its capital.
func toLower(s []byte) []byte {
	j := 0
	for i := 0; i < len(s); {
		r, w := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, w = utf8.DecodeRune(s[i:])
		}
		l := unicode.ToLower(r)
		if l == r {
			i += w
			j += w
			continue
		}
		if l == 'σ' && i+2 == len(s) {
			l = 'ς'
		}
		lw := utf8.RuneLen(l)
		if lw > w {
			rest := bytes.ToLower(s[i:])
			out := make([]byte, j+len(rest))
			copy(out, s[:j])
			copy(out[j:], rest)
			return out
		}
		utf8.EncodeRune(s[j:], l)
		i += w
		j += lw
	}
	return s[:j]
}

// englishStopWords is Bleve's stop_en list (Snowball's English stop words).
var englishStopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a about above after again against all am an and any are aren't as at be
because been before being below between both but by can't cannot could couldn't did didn't do does
doesn't doing don't down during each few for from further had hadn't has hasn't have haven't having he
he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is
isn't it it's its itself let's me more most mustn't my myself no nor not of off on once only or other
ought our ours ourselves out over own same shan't she she'd she'll she's should shouldn't so some such
than that that's the their theirs them themselves then there there's these they they'd they'll they're
they've this those through to too under until up very was wasn't we we'd we'll we're we've were weren't
what what's when when's where where's which while who who's whom why why's with won't would wouldn't you
you'd you'll you're you've your yours yourself yourselves`) {
		m[w] = true
	}
	return m
}()
