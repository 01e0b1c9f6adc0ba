package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// A reader does not type a name the way the document writes it: "soc2" for
// "SOC 2", "subprocessor" for "Sub-processor", "pen test" for "Penetration
// Test". The index keeps the words as written; the query adds, beside the
// words typed, alternatives that stand for one or more of them:
//
//   - a word not in the index split into two that are ("soc2" → "soc 2",
//     "subprocessors" → "sub processors", "pcidss" → "pci dss");
//   - two words typed side by side joined into one ("sub processor" →
//     "subprocessor", "self assessment" → "selfassessment");
//   - the other names of a synonym group (DefaultSynonyms and the
//     publisher's) for a run of words that is one of its names.
//
// A document matches a word when it matches the word or an alternative
// that covers it; alternatives add to the score of the documents they
// match, as another clause of the conjunction would.

// alternative stands for the clauses first..last of the text.
type alternative struct {
	first, last int
	terms       []string // analysed; several are a phrase
}

// DefaultSynonyms are names readers use for the same thing in compliance
// and security; a publisher adds groups in the catalog (site.search.synonyms).
// Each group lists equivalent names, any of which finds the others.
var DefaultSynonyms = [][]string{
	{"pentest", "pen test", "penetration test"},
	{"bcdr", "business continuity and disaster recovery"},
	{"bcp", "business continuity plan"},
	{"dr", "disaster recovery"},
	{"isms", "information security management system"},
	{"pims", "privacy information management system"},
	{"dpa", "data protection addendum", "data processing agreement", "data processing addendum"},
	{"caiq", "consensus assessments initiative questionnaire"},
	{"aoc", "attestation of compliance"},
	{"roc", "report on compliance"},
	{"ssp", "system security plan"},
	{"soa", "statement of applicability"},
	{"baa", "business associate agreement"},
	{"phi", "protected health information"},
	{"pii", "personally identifiable information", "personal data"},
	{"mfa", "multi-factor authentication", "2fa", "two-factor authentication"},
	{"sso", "single sign-on"},
	{"sla", "service level agreement"},
	{"rto", "recovery time objective"},
	{"rpo", "recovery point objective"},
	{"byok", "bring your own key", "customer-managed key"},
	{"kms", "key management"},
	{"sdl", "sdlc", "secure development lifecycle"},
	{"cuec", "complementary user entity controls"},
	{"gdpr", "general data protection regulation"},
	{"ccpa", "california consumer privacy act"},
	{"fedramp", "federal risk and authorization management program"},
	{"pci", "payment card industry"},
	{"hitrust", "health information trust alliance"},
	{"vuln", "vulnerability"},
	{"subprocessor", "subcontractor"},
	{"certificate", "certification"},
}

// Option is a setting of the index BuildIndex writes.
type Option func(*options)

type options struct {
	synonyms [][]string
}

func buildOptions(opts []Option) options {
	var o options
	for _, f := range opts {
		f(&o)
	}
	return o
}

// WithSynonyms adds the publisher's synonym groups (the catalog's
// site.search.synonyms) to DefaultSynonyms. They are written into the
// index header, so that every host that opens the index answers with them.
func WithSynonyms(groups [][]string) Option {
	return func(o *options) { o.synonyms = append(o.synonyms, groups...) }
}

// synonymTable is the synonym groups as analysed term lists.
type synonymTable [][][]string

// newSynonymTable analyses every name of every group.
func newSynonymTable(groups [][]string) synonymTable {
	an, err := textAnalyzer()
	if err != nil {
		return nil
	}
	var t synonymTable
	for _, g := range groups {
		var names [][]string
		for _, name := range g {
			var terms []string
			for _, tok := range an.Analyze([]byte(name)) {
				terms = append(terms, string(tok.Term))
			}
			if len(terms) > 0 && len(terms) <= MaxPhraseWords {
				names = append(names, terms)
			}
		}
		if len(names) > 1 {
			t = append(t, names)
		}
	}
	return t
}

// alternatives finds the alternatives of the text's word clauses.
func (idx *Index) alternatives(ds dicts, clauses []clause) []alternative {
	var out []alternative
	an, err := textAnalyzer()
	if err != nil {
		return nil
	}
	analyse := func(s string) []string {
		var terms []string
		for _, tok := range an.Analyze([]byte(s)) {
			terms = append(terms, string(tok.Term))
		}
		return terms
	}
	for i, c := range clauses {
		if c.phrase {
			continue
		}
		// A word the index does not have, split into two it has.
		if !idx.hasWord(ds, c.raw, c.terms[0]) {
			for _, split := range idx.splits(ds, c.raw) {
				if terms := analyse(split[0] + " " + split[1]); len(terms) == 2 {
					out = append(out, alternative{first: i, last: i, terms: terms})
				}
			}
		}
		// Two words side by side, joined.
		if c.next && i+1 < len(clauses) && !clauses[i+1].phrase {
			if terms := analyse(c.raw + clauses[i+1].raw); len(terms) == 1 {
				out = append(out, alternative{first: i, last: i + 1, terms: terms})
			}
		}
	}
	// Synonyms: a run of consecutive words that is one name of a group
	// stands for each of the group's other names.
	for _, group := range idx.synonyms {
		for ni, name := range group {
			for i := 0; i+len(name) <= len(clauses); i++ {
				if !runIs(clauses[i:i+len(name)], name) {
					continue
				}
				for oi, other := range group {
					if oi != ni {
						out = append(out, alternative{first: i, last: i + len(name) - 1, terms: other})
					}
				}
			}
		}
	}
	return out
}

// runIs tells whether the clauses are the words of name, side by side.
func runIs(run []clause, name []string) bool {
	for k, c := range run {
		if c.phrase || c.terms[0] != name[k] || k < len(run)-1 && !c.next {
			return false
		}
	}
	return true
}

// hasWord tells whether any document has the word, as written or stemmed.
func (idx *Index) hasWord(ds dicts, raw, term string) bool {
	return idx.docFreq(ds, fieldWords, raw) > 0 || idx.docFreq(ds, fieldTitle, term) > 0 ||
		idx.docFreq(ds, fieldSummary, term) > 0 || idx.docFreq(ds, fieldBody, term) > 0
}

func (idx *Index) docFreq(ds dicts, field, term string) uint64 {
	d, err := idx.dict(ds, field)
	if err != nil {
		return 0
	}
	pl, err := d.PostingsList([]byte(term), nil, nil)
	if err != nil || pl == nil {
		return 0
	}
	return pl.Count()
}

// maxSplitLength bounds the words that are tried in two: each split costs
// two dictionary look-ups.
const maxSplitLength = 32

// splits returns the ways raw divides into two words the index has: each
// part two letters at least, or digits. Letters next to digits are tried
// first ("iso27001" → "iso 27001").
func (idx *Index) splits(ds dicts, raw string) [][2]string {
	if utf8.RuneCountInString(raw) > maxSplitLength {
		return nil
	}
	an, err := textAnalyzer()
	if err != nil {
		return nil
	}
	known := func(part string) bool {
		if idx.docFreq(ds, fieldWords, part) > 0 {
			return true
		}
		toks := an.Analyze([]byte(part))
		return len(toks) == 1 && idx.docFreq(ds, fieldBody, string(toks[0].Term)) > 0
	}
	ok := func(part string) bool {
		n := utf8.RuneCountInString(part)
		digits := strings.IndexFunc(part, func(r rune) bool { return !unicode.IsDigit(r) }) < 0
		return (n >= 2 || digits) && known(part)
	}
	var out [][2]string
	var rest [][2]string
	prev := rune(-1)
	for i, r := range raw {
		if i > 0 {
			a, b := raw[:i], raw[i:]
			boundary := unicode.IsDigit(prev) != unicode.IsDigit(r)
			if ok(a) && ok(b) {
				if boundary {
					out = append(out, [2]string{a, b})
				} else {
					rest = append(rest, [2]string{a, b})
				}
			}
		}
		prev = r
	}
	// At most two splits: more are guesses.
	return append(out, rest...)[:min(2, len(out)+len(rest))]
}
