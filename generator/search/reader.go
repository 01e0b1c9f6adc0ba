package search

import (
	"context"
	"errors"
	"fmt"
	"sync"

	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	"github.com/blevesearch/vellum"
	"github.com/blevesearch/vellum/levenshtein"
)

// reader lets Bleve's searchers run over one zap segment held in memory.
//
// Bleve's own reader (scorch) keeps its snapshot list in bbolt and opens
// segments with mmap, neither of which exists in a browser, so the engine
// implements the small part of index.IndexReader that the searchers call.
// The index has exactly one segment and no deletions, which keeps this
// simple: a document number is the segment's local number.
type reader struct {
	seg segment.Segment
}

var errUnsupported = errors.New("search: operation not supported by the static index")

func (r *reader) TermFieldReader(_ context.Context, term []byte, field string, includeFreq, includeNorm, includeTermVectors bool) (index.TermFieldReader, error) {
	dict, err := r.seg.Dictionary(field)
	if err != nil {
		return nil, err
	}
	pl, err := dict.PostingsList(term, nil, nil)
	if err != nil {
		return nil, err
	}
	return &termFieldReader{
		pl:    pl,
		it:    pl.Iterator(includeFreq, includeNorm, includeTermVectors, nil),
		freq:  includeFreq,
		norm:  includeNorm,
		vecs:  includeTermVectors,
		count: pl.Count(),
	}, nil
}

func (r *reader) DocIDReaderAll() (index.DocIDReader, error) {
	return &docIDReader{n: r.seg.Count()}, nil
}

func (r *reader) DocIDReaderOnly(ids []string) (index.DocIDReader, error) {
	bm, err := r.seg.DocNumbers(ids)
	if err != nil {
		return nil, err
	}
	nums := make([]uint64, 0, bm.GetCardinality())
	it := bm.Iterator()
	for it.HasNext() {
		nums = append(nums, uint64(it.Next()))
	}
	return &docIDReader{only: nums, n: uint64(len(nums)), useOnly: true}, nil
}

func (r *reader) FieldDict(field string) (index.FieldDict, error) {
	return r.fieldDict(field, nil, nil, nil)
}

func (r *reader) FieldDictRange(field string, start, end []byte) (index.FieldDict, error) {
	// Bleve's range is inclusive at both ends; the FST's end is exclusive.
	var endEx []byte
	if end != nil {
		endEx = append(append([]byte(nil), end...), 0)
	}
	return r.fieldDict(field, nil, start, endEx)
}

func (r *reader) FieldDictPrefix(field string, prefix []byte) (index.FieldDict, error) {
	return r.fieldDict(field, nil, prefix, prefixEnd(prefix))
}

func (r *reader) FieldDictFuzzy(field, term string, fuzziness int, prefix string) (index.FieldDict, error) {
	fd, _, err := r.FieldDictFuzzyAutomaton(field, term, fuzziness, prefix)
	return fd, err
}

func (r *reader) FieldDictFuzzyAutomaton(field, term string, fuzziness int, prefix string) (index.FieldDict, index.FuzzyAutomaton, error) {
	a, err := levAutomaton(term, fuzziness)
	if err != nil {
		return nil, nil, err
	}
	var start, end []byte
	if prefix != "" {
		start = []byte(prefix)
		end = prefixEnd(start)
	}
	fd, err := r.fieldDict(field, a, start, end)
	if err != nil {
		return nil, nil, err
	}
	return fd, a, nil
}

func (r *reader) fieldDict(field string, a vellum.FuzzyAutomaton, start, end []byte) (index.FieldDict, error) {
	dict, err := r.seg.Dictionary(field)
	if err != nil {
		return nil, err
	}
	var aut segment.Automaton = &vellum.AlwaysMatch{}
	if a != nil {
		aut = a
	}
	return &fieldDict{it: dict.AutomatonIterator(aut, start, end), fuzzy: a, card: dict.Cardinality()}, nil
}

func (r *reader) Document(string) (index.Document, error) { return nil, errUnsupported }

func (r *reader) DocValueReader([]string) (index.DocValueReader, error) {
	return nil, errUnsupported
}

func (r *reader) Fields() ([]string, error) { return r.seg.Fields(), nil }

func (r *reader) GetInternal([]byte) ([]byte, error) { return nil, nil }

func (r *reader) DocCount() (uint64, error) { return r.seg.Count(), nil }

func (r *reader) ExternalID(id index.IndexInternalID) (string, error) {
	b, err := r.seg.DocID(id.Value())
	return string(b), err
}

func (r *reader) InternalID(id string) (index.IndexInternalID, error) {
	bm, err := r.seg.DocNumbers([]string{id})
	if err != nil || bm.IsEmpty() {
		return nil, err
	}
	return index.NewIndexInternalID(nil, uint64(bm.Minimum())), nil
}

func (r *reader) Close() error { return nil }

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

type termFieldReader struct {
	pl               segment.PostingsList
	it               segment.PostingsIterator
	freq, norm, vecs bool
	count            uint64
	cur              uint64
	started          bool
}

func (t *termFieldReader) fill(p segment.Posting, rv *index.TermFieldDoc) *index.TermFieldDoc {
	if rv == nil {
		rv = &index.TermFieldDoc{}
	}
	rv.ID = index.NewIndexInternalID(rv.ID, p.Number())
	t.cur, t.started = p.Number(), true
	if t.freq {
		rv.Freq = p.Frequency()
	}
	if t.norm {
		rv.Norm = p.Norm()
	}
	if t.vecs {
		locs := p.Locations()
		if cap(rv.Vectors) < len(locs) {
			rv.Vectors = make([]*index.TermFieldVector, len(locs))
			backing := make([]index.TermFieldVector, len(locs))
			for i := range backing {
				rv.Vectors[i] = &backing[i]
			}
		}
		rv.Vectors = rv.Vectors[:len(locs)]
		for i, l := range locs {
			*rv.Vectors[i] = index.TermFieldVector{Field: l.Field(), Start: l.Start(), End: l.End(), Pos: l.Pos()}
		}
	}
	return rv
}

func (t *termFieldReader) Next(pre *index.TermFieldDoc) (*index.TermFieldDoc, error) {
	p, err := t.it.Next()
	if err != nil || p == nil {
		return nil, err
	}
	return t.fill(p, pre), nil
}

func (t *termFieldReader) Advance(id index.IndexInternalID, pre *index.TermFieldDoc) (*index.TermFieldDoc, error) {
	target := id.Value()
	if t.started && t.cur >= target {
		// Seeking backwards: start over, as scorch does.
		t.it = t.pl.Iterator(t.freq, t.norm, t.vecs, nil)
		t.started = false
	}
	p, err := t.it.Advance(target)
	if err != nil || p == nil {
		return nil, err
	}
	return t.fill(p, pre), nil
}

func (t *termFieldReader) Count() uint64 { return t.count }
func (t *termFieldReader) Close() error  { return nil }
func (t *termFieldReader) Size() int     { return 64 }

type fieldDict struct {
	it    segment.DictionaryIterator
	fuzzy vellum.FuzzyAutomaton
	card  int
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

func (f *fieldDict) Close() error      { return nil }
func (f *fieldDict) Cardinality() int  { return f.card }
func (f *fieldDict) BytesRead() uint64 { return 0 }

type docIDReader struct {
	n       uint64
	next    uint64
	only    []uint64
	useOnly bool
}

func (d *docIDReader) at(i uint64) uint64 {
	if d.useOnly {
		return d.only[i]
	}
	return i
}

func (d *docIDReader) Next() (index.IndexInternalID, error) {
	if d.next >= d.n {
		return nil, nil
	}
	v := d.at(d.next)
	d.next++
	return index.NewIndexInternalID(nil, v), nil
}

func (d *docIDReader) Advance(id index.IndexInternalID) (index.IndexInternalID, error) {
	want := id.Value()
	d.next = 0
	for d.next < d.n && d.at(d.next) < want {
		d.next++
	}
	return d.Next()
}

func (d *docIDReader) Size() int    { return 64 }
func (d *docIDReader) Close() error { return nil }
