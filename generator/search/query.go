package search

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds on what one query may ask, so that no input makes the engine slow.
const (
	// MaxQueryLength is the longest search text accepted, in characters.
	MaxQueryLength = 512
	// MaxClauses is how many words and phrases of the text are used.
	MaxClauses = 16
	// MaxPhraseWords bounds the words of one quoted phrase.
	MaxPhraseWords = 12
	// DefaultPageSize and MaxPageSize bound the hits on one page.
	DefaultPageSize = 10
	MaxPageSize     = 50
	// maxFilterValues bounds the selected values of one facet.
	maxFilterValues = 64
)

// Query is what a reader asks: search text, filters and the page wanted.
// Its URL form (Values, ParseValues) is what the search page's address
// carries, e.g. /search/?q=iso&standard=iso-27001&page=2.
type Query struct {
	Text       string   `json:"q,omitempty"`
	Kinds      []string `json:"kind,omitempty"`
	Services   []string `json:"service,omitempty"`
	Standards  []string `json:"standard,omitempty"`
	Regions    []string `json:"region,omitempty"`
	Industries []string `json:"industry,omitempty"`
	Years      []string `json:"year,omitempty"`
	// From and To bound the published date, inclusive, as YYYY-MM-DD.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Sort is "relevance" (default with text) or "newest" (default without).
	Sort string `json:"sort,omitempty"`
	Page int    `json:"page,omitempty"`
	Size int    `json:"size,omitempty"`
}

// filters returns pointers to the facet selections in facetNames order.
func (q *Query) filters() [len(facetNames)]*[]string {
	return [...]*[]string{&q.Kinds, &q.Services, &q.Standards, &q.Regions, &q.Industries, &q.Years}
}

// ParseValues reads a query from URL parameters: q, kind, service,
// standard, region, industry, year (each repeatable, or comma-separated),
// from, to, sort, page and size. It never fails: Run reports what it cannot
// use.
func ParseValues(v url.Values) Query {
	q := Query{Text: v.Get("q"), From: v.Get("from"), To: v.Get("to"), Sort: v.Get("sort")}
	fs := q.filters()
	for i, name := range facetNames {
		for _, raw := range v[name] {
			for _, s := range strings.Split(raw, ",") {
				if s = strings.TrimSpace(s); s != "" {
					*fs[i] = append(*fs[i], s)
				}
			}
		}
	}
	q.Page, _ = strconv.Atoi(v.Get("page"))
	q.Size, _ = strconv.Atoi(v.Get("size"))
	return q
}

// Values is the URL form of q, with defaults left out.
func (q Query) Values() url.Values {
	v := url.Values{}
	if q.Text != "" {
		v.Set("q", q.Text)
	}
	fs := q.filters()
	for i, name := range facetNames {
		for _, s := range *fs[i] {
			v.Add(name, s)
		}
	}
	for k, s := range map[string]string{"from": q.From, "to": q.To, "sort": q.Sort} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if q.Page > 1 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	if q.Size != 0 && q.Size != DefaultPageSize {
		v.Set("size", strconv.Itoa(q.Size))
	}
	return v
}

// InputError is a query the engine refuses; its message says how to fix it.
type InputError struct{ Message string }

func (e *InputError) Error() string { return e.Message }

// clause is one word or quoted phrase of the search text, analysed.
type clause struct {
	terms  []string // analysed terms; one for a word
	raw    string   // the word as typed, lower case (words only)
	phrase bool
	// prefix is set on the last word when the reader may still be typing it.
	prefix bool
	// next says the following clause is the next word of the same text
	// (not a phrase, no common word left out between them): the two may
	// stand side by side in a document, which ranks it higher.
	next bool
}

// parsedText is the search text as clauses, plus what the reader should be
// told about it.
type parsedText struct {
	clauses []clause
	notices []string
}

// isQuote reports whether r opens or closes a phrase.
func isQuote(r rune) bool {
	switch r {
	case '"', '\u201c', '\u201d', '\u201e', '\u00ab', '\u00bb':
		return true
	}
	return false
}

// cleanText makes any input safe to analyse: valid UTF-8, no control or
// format characters, bounded length.
func cleanText(s string) (string, error) {
	if n := utf8.RuneCountInString(s); n > MaxQueryLength {
		return "", &InputError{Message: fmt.Sprintf(
			"The search text is %d characters long; the limit is %d. Search for a few distinctive words instead.", n, MaxQueryLength)}
	}
	s = strings.ToValidUTF8(s, " ")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Cs, unicode.Co) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s), nil
}

// parseText splits the search text into words and "quoted phrases". It
// accepts any input: an unclosed quote runs to the end, extra words are
// dropped, and every such repair is explained in a notice.
func parseText(text string) (parsedText, error) {
	var p parsedText
	s, err := cleanText(text)
	if err != nil {
		return p, err
	}
	an, err := textAnalyzer()
	if err != nil {
		return p, err
	}
	trimmed := strings.TrimRightFunc(s, unicode.IsSpace)
	// A word is "being typed" when the text ends right after it.
	typing := len(trimmed) == len(s)
	dropped := 0
	add := func(c clause) {
		if len(p.clauses) >= MaxClauses {
			dropped++
			return
		}
		p.clauses = append(p.clauses, c)
	}
	inQuote := false
	start := 0
	flush := func(seg string, phrase bool, endsText bool) {
		toks := an.Analyze([]byte(seg))
		if phrase {
			var terms []string
			for _, t := range toks {
				terms = append(terms, string(t.Term))
			}
			switch {
			case len(terms) == 0:
				if strings.TrimSpace(seg) != "" {
					p.notices = append(p.notices, fmt.Sprintf("The phrase %q has only common words, so it was left out.", strings.TrimSpace(seg)))
				}
			case len(terms) == 1:
				add(clause{terms: terms, raw: strings.ToLower(string(toks[0].Term))})
			default:
				if len(terms) > MaxPhraseWords {
					terms = terms[:MaxPhraseWords]
					p.notices = append(p.notices, fmt.Sprintf("Only the first %d words of a phrase are used.", MaxPhraseWords))
				}
				add(clause{terms: terms, phrase: true})
			}
			return
		}
		for i, t := range toks {
			raw := strings.ToLower(seg[t.Start:t.End])
			last := endsText && i == len(toks)-1 && t.End == len(strings.TrimRightFunc(seg, unicode.IsSpace)) && t.End == len(seg)
			if i > 0 && toks[i-1].Position+1 == t.Position && len(p.clauses) < MaxClauses {
				p.clauses[len(p.clauses)-1].next = true
			}
			add(clause{terms: []string{string(t.Term)}, raw: raw, prefix: last && typing})
		}
	}
	for i, r := range trimmed {
		if !isQuote(r) {
			continue
		}
		flush(trimmed[start:i], inQuote, false)
		inQuote = !inQuote
		start = i + utf8.RuneLen(r)
	}
	flush(trimmed[start:], inQuote, !inQuote)
	if inQuote {
		p.notices = append(p.notices, "A closing quote is missing, so the text after the last quote was searched as a phrase.")
	}
	if dropped > 0 {
		p.notices = append(p.notices, fmt.Sprintf("Only the first %d words were used; %d more were left out.", MaxClauses, dropped))
	}
	return p, nil
}
