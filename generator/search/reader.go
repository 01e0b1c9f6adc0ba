package search

import (
	"fmt"
	"sync"

	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	"github.com/blevesearch/vellum"
	"github.com/blevesearch/vellum/levenshtein"
)

// reader reads the dictionaries of the index's one zap segment, held in
// memory, for the evaluator (eval.go): the terms of a field that start
// with a prefix or lie within some edits of a word, and whether a
// document id is in the index. The index has exactly one segment and no
// deletions, so a document number is the segment's local number.
type reader struct {
	seg segment.Segment
}

// FieldDictPrefix lists the terms of field that start with prefix.
func (r *reader) FieldDictPrefix(field string, prefix []byte) (*fieldDict, error) {
	return r.fieldDict(field, nil, prefix, prefixEnd(prefix))
}

// FieldDictFuzzy lists the terms of field that start with prefix and lie
// within fuzziness edits of term, with their edit distances.
func (r *reader) FieldDictFuzzy(field, term string, fuzziness int, prefix string) (*fieldDict, error) {
	a, err := levAutomaton(term, fuzziness)
	if err != nil {
		return nil, err
	}
	var start, end []byte
	if prefix != "" {
		start = []byte(prefix)
		end = prefixEnd(start)
	}
	return r.fieldDict(field, a, start, end)
}

func (r *reader) fieldDict(field string, a vellum.FuzzyAutomaton, start, end []byte) (*fieldDict, error) {
	dict, err := r.seg.Dictionary(field)
	if err != nil {
		return nil, err
	}
	var aut segment.Automaton = &vellum.AlwaysMatch{}
	if a != nil {
		aut = a
	}
	return &fieldDict{it: dict.AutomatonIterator(aut, start, end), fuzzy: a}, nil
}

// has says whether the index holds the document with this id.
func (r *reader) has(id string) bool {
	bm, err := r.seg.DocNumbers([]string{id})
	return err == nil && !bm.IsEmpty()
}

// prefixEnd is the smallest key greater than every key starting with prefix,
// or nil when there is none.
func prefixEnd(prefix []byte) []byte {
	end := append([]byte(nil), prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

var (
	levOnce     sync.Once
	levBuilders [3]*levenshtein.LevenshteinAutomatonBuilder
	levErr      error
)

func levAutomaton(term string, fuzziness int) (vellum.FuzzyAutomaton, error) {
	if fuzziness < 1 || fuzziness > 2 {
		return nil, fmt.Errorf("fuzziness %d out of range", fuzziness)
	}
	levOnce.Do(func() {
		for d := 1; d <= 2 && levErr == nil; d++ {
			levBuilders[d], levErr = levenshtein.NewLevenshteinAutomatonBuilder(uint8(d), true)
		}
	})
	if levErr != nil {
		return nil, levErr
	}
	key := levKey{term, fuzziness}
	levCache.Lock()
	a, ok := levCache.m[key]
	levCache.Unlock()
	if ok {
		return a, nil
	}
	dfa, err := levBuilders[fuzziness].BuildDfa(term, uint8(fuzziness))
	if err != nil {
		return nil, err
	}
	levCache.Lock()
	if len(levCache.m) >= levCacheSize {
		clear(levCache.m)
	}
	levCache.m[key] = dfa
	levCache.Unlock()
	return dfa, nil
}

// levCache keeps the automata of recent words: building one costs more
// than matching it against a dictionary, and a reader typing, paging or
// filtering asks for the same words again. The automata are read-only.
type levKey struct {
	term string
	k    int
}

const levCacheSize = 256

var levCache = struct {
	sync.Mutex
	m map[levKey]vellum.FuzzyAutomaton
}{m: map[levKey]vellum.FuzzyAutomaton{}}

// fieldDict iterates over dictionary entries, with each term's edit
// distance when it comes from a fuzzy automaton.
type fieldDict struct {
	it    segment.DictionaryIterator
	fuzzy vellum.FuzzyAutomaton
	entry index.DictEntry
}

func (f *fieldDict) Next() (*index.DictEntry, error) {
	e, err := f.it.Next()
	if err != nil || e == nil {
		return nil, err
	}
	f.entry = *e
	if f.fuzzy != nil {
		_, f.entry.EditDistance = f.fuzzy.MatchAndDistance(e.Term)
	}
	return &f.entry, nil
}

// collect reads every entry: the terms, and the boost of each by its edit
// distance (0 for a prefix dictionary).
func (f *fieldDict) collect(boost func(distance int) float64) (terms []string, boosts []float64, err error) {
	for {
		e, err := f.Next()
		if err != nil || e == nil {
			return terms, boosts, err
		}
		terms = append(terms, e.Term)
		boosts = append(boosts, boost(int(e.EditDistance)))
	}
}
