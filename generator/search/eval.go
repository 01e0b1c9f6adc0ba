package search

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// The text of a query is evaluated term at a time into per-document score
// accumulators, with the scores Bleve's searchers give the same query tree
// (term, fuzzy and prefix disjunctions, phrases, conjunction of clauses;
// tf-idf with query norm and coordination), but without Bleve's
// document-at-a-time machinery: no DocumentMatch per posting, no heap of
// searchers, no Advance calls. At 100,000 documents that machinery was
// most of a query's time.
//
// The query tree is:
//
//	conjunction over clauses
//	  disjunction over a clause's parts (score × matched parts / parts)
//	    part: one term        score of the term
//	          several terms   (fuzzy, prefix) disjunction: sum × matched / terms
//	          phrase          conjunction of its terms where they are adjacent
//	          all terms       conjunction of its terms (phrases in the body)
//
// and every term scores sqrt(freq) × norm × idf × boost × idf × queryNorm,
// queryNorm being 1/sqrt(Σ (boost × idf)²) over all the tree's terms.

// partKind says how a part combines its terms.
type partKind uint8

const (
	partTerm   partKind = iota // one term
	partAny                    // disjunction of terms with coordination
	partAll                    // every term
	partPhrase                 // every term, at adjacent positions
)

// leaf is one term of one field with its boost.
type leaf struct {
	field string
	term  []byte
	boost float64
	pl    segment.PostingsList
	idf   float64
	qw    float64 // boost × idf × queryNorm
}

type part struct {
	kind   partKind
	leaves []leaf
}

// qclause is the parts of one clause of the text. An optional clause adds
// to the score of the documents it matches, and a document need not match it.
type qclause struct {
	parts    []part
	optional bool
	// covers is the clauses of the text (bit i for clause i) a document
	// matching this one has matched: its own for a word or phrase, those
	// it stands for for an alternative, none for an optional pair.
	covers uint32
	// alt marks an alternative: it covers clauses but is not one.
	alt bool
}

// scratch is the per-query working memory: dense per-document arrays,
// reused between queries (sync.Pool; in the browser there is one thread).
type scratch struct {
	total   []float64 // sum of the clause scores
	matched []uint32  // clauses of the text matched (qclause.covers)
	cAcc    []float64 // current clause: sum of its parts' scores
	cCnt    []uint8   // current clause: parts matched
	cDocs   []uint32  // docs touched by the current clause
	pAcc    []float64 // current part
	pCnt    []uint16  // current part: terms matched
	pDocs   []uint32  // docs touched by the current part
}

var scratchPool sync.Pool

func getScratch(n int) *scratch {
	s, _ := scratchPool.Get().(*scratch)
	if s == nil || len(s.total) != n {
		s = &scratch{
			total: make([]float64, n), matched: make([]uint32, n),
			cAcc: make([]float64, n), cCnt: make([]uint8, n),
			pAcc: make([]float64, n), pCnt: make([]uint16, n),
		}
	}
	return s
}

// putScratch returns s cleared (only total and matched can be dirty: the
// clause and part arrays are reset as they are folded).
func putScratch(s *scratch) {
	clear(s.total)
	clear(s.matched)
	s.cDocs, s.pDocs = s.cDocs[:0], s.pDocs[:0]
	scratchPool.Put(s)
}

// dicts opens each field's term dictionary once per query (a dictionary's
// reader is not safe for concurrent use, so it is not shared between
// queries).
type dicts map[string]segment.TermDictionary

func (idx *Index) dict(ds dicts, field string) (segment.TermDictionary, error) {
	if d, ok := ds[field]; ok {
		return d, nil
	}
	d, err := idx.seg.Dictionary(field)
	if err != nil {
		return nil, err
	}
	ds[field] = d
	return d, nil
}

// newLeaf looks up term in field.
func (idx *Index) newLeaf(ds dicts, field string, term []byte, boost float64) (leaf, error) {
	d, err := idx.dict(ds, field)
	if err != nil {
		return leaf{}, err
	}
	pl, err := d.PostingsList(term, nil, nil)
	if err != nil {
		return leaf{}, err
	}
	// Bleve's classic idf: 1 + ln(docs / (docFreq + 1)).
	idf := 1.0 + math.Log(float64(idx.n)/float64(pl.Count()+1))
	return leaf{field: field, term: term, boost: boost, pl: pl, idf: idf}, nil
}

// termPart is a TermSearcher.
func (idx *Index) termPart(ds dicts, field, term string, boost float64) (part, error) {
	l, err := idx.newLeaf(ds, field, []byte(term), boost)
	return part{kind: partTerm, leaves: []leaf{l}}, err
}

// multiPart is a disjunction of terms; it becomes a single-term part in
// the cases Bleve's fuzzy and prefix searchers fall back to a TermSearcher.
func (idx *Index) multiPart(ds dicts, field, term string, terms []string, boosts []float64) (part, error) {
	if len(terms) == 0 || len(terms) == 1 && terms[0] == term {
		return idx.termPart(ds, field, term, boosts[0])
	}
	p := part{kind: partAny, leaves: make([]leaf, 0, len(terms))}
	for i, t := range terms {
		l, err := idx.newLeaf(ds, field, []byte(t), boosts[i])
		if err != nil {
			return part{}, err
		}
		p.leaves = append(p.leaves, l)
	}
	return p, nil
}

// fuzzyPart is Bleve's FuzzySearcher with a one-rune prefix: the terms of
// field within k edits of term, each boosted by 1/(distance+1).
func (idx *Index) fuzzyPart(ds dicts, field, term string, k int, boost float64) (part, error) {
	prefixTerm := term
	for i := range term {
		if i >= 1 {
			prefixTerm = term[:i]
			break
		}
	}
	fd, err := idx.reader.FieldDictFuzzy(field, term, k, prefixTerm)
	if err != nil {
		return part{}, err
	}
	terms, boosts, err := fd.collect(func(distance int) float64 { return boost / float64(distance+1) })
	if err != nil {
		return part{}, err
	}
	if len(terms) == 0 {
		boosts = []float64{boost}
	} else if len(terms) == 1 && terms[0] == term {
		boosts[0] = boost
	}
	return idx.multiPart(ds, field, term, terms, boosts)
}

// prefixPart is Bleve's TermPrefixSearcher.
func (idx *Index) prefixPart(ds dicts, field, prefix string, boost float64) (part, error) {
	fd, err := idx.reader.FieldDictPrefix(field, []byte(prefix))
	if err != nil {
		return part{}, err
	}
	terms, boosts, err := fd.collect(func(int) float64 { return boost })
	if err != nil {
		return part{}, err
	}
	if len(boosts) == 0 {
		boosts = []float64{boost}
	}
	return idx.multiPart(ds, field, prefix, terms, boosts)
}

// termsPart is a conjunction (all) or phrase of terms in field.
func (idx *Index) termsPart(ds dicts, kind partKind, field string, terms []string, boost float64) (part, error) {
	p := part{kind: kind}
	for _, t := range terms {
		l, err := idx.newLeaf(ds, field, []byte(t), boost)
		if err != nil {
			return part{}, err
		}
		p.leaves = append(p.leaves, l)
	}
	return p, nil
}

// plan turns the text's clauses into the query tree and sets every term's
// query weight.
func (idx *Index) plan(ds dicts, clauses []clause, alts []alternative) []qclause {
	var out []qclause
	for ci, c := range clauses {
		qc := qclause{covers: 1 << ci}
		add := func(p part, err error) {
			// A part that cannot be built is left out rather than failing
			// the search, as before.
			if err == nil && len(p.leaves) > 0 {
				qc.parts = append(qc.parts, p)
			}
		}
		for _, f := range textFields {
			if c.phrase && f.name == fieldBody {
				// No positions in the body: all the phrase's words.
				add(idx.termsPart(ds, partAll, f.name, c.terms, f.boost*bodyPhraseBoost))
				continue
			}
			if c.phrase {
				add(idx.termsPart(ds, partPhrase, f.name, c.terms, f.boost))
				continue
			}
			term := c.terms[0]
			add(idx.termPart(ds, f.name, term, f.boost))
			if f.name == fieldBody {
				if k := fuzziness(term); k > 0 {
					add(idx.fuzzyPart(ds, f.name, term, k, f.boost*fuzzyBoost))
				}
			}
		}
		if !c.phrase {
			// Typos and prefixes against the words as written.
			if k := fuzziness(c.raw); k > 0 {
				add(idx.fuzzyPart(ds, fieldWords, c.raw, k, wordsBoost*fuzzyBoost))
			}
			if c.prefix {
				if p := prefix(c.raw); p != "" {
					add(idx.prefixPart(ds, fieldWords, p, wordsBoost*prefixBoost))
				}
			}
		}
		if len(qc.parts) > 0 {
			out = append(out, qc)
		}
	}
	for _, a := range alts {
		qc := qclause{alt: true}
		for k := a.first; k <= a.last; k++ {
			qc.covers |= 1 << k
		}
		add := func(p part, err error) {
			if err == nil && len(p.leaves) > 0 {
				qc.parts = append(qc.parts, p)
			}
		}
		// Several words are matched as the words typed apart would be:
		// all of them in one field, ranked higher side by side ("ISO/IEC
		// 27001" for "iso27001" has a word between them).
		for _, f := range textFields {
			switch {
			case len(a.terms) == 1:
				add(idx.termPart(ds, f.name, a.terms[0], f.boost))
			case f.name == fieldBody:
				add(idx.termsPart(ds, partAll, f.name, a.terms, f.boost*bodyPhraseBoost))
			default:
				add(idx.termsPart(ds, partAll, f.name, a.terms, f.boost))
				add(idx.termsPart(ds, partPhrase, f.name, a.terms, f.boost))
			}
		}
		if len(qc.parts) > 0 {
			out = append(out, qc)
		}
	}
	// Two words typed side by side rank a document higher where they stand
	// side by side in its name ("soc 2" in "SOC 2 Type 2" rather than in
	// "SOC 3", whose summary has a "2" too): each such pair is an optional
	// phrase in the title and the tags (the names of its standards and
	// services), at those fields' own boosts. With the summary too, a
	// query took 50-80% longer at 100,000 documents (BenchmarkRun); these
	// two add 20-25% there, and about 10% at 10,000.
	for i := 0; i+1 < len(clauses); i++ {
		if !clauses[i].next {
			continue
		}
		pair := []string{clauses[i].terms[0], clauses[i+1].terms[0]}
		qc := qclause{optional: true}
		for _, f := range textFields {
			if f.name != fieldTitle && f.name != fieldTags {
				continue
			}
			if p, err := idx.termsPart(ds, partPhrase, f.name, pair, f.boost); err == nil && len(p.leaves) > 0 {
				qc.parts = append(qc.parts, p)
			}
		}
		if len(qc.parts) > 0 {
			out = append(out, qc)
		}
	}
	// One query norm for the whole tree, as the outermost Bleve searcher
	// sets on every term.
	sum := 0.0
	for _, qc := range out {
		for _, p := range qc.parts {
			for _, l := range p.leaves {
				w := l.boost * l.idf
				sum += w * w
			}
		}
	}
	qnorm := 1.0 / math.Sqrt(sum)
	for ci := range out {
		for pi := range out[ci].parts {
			for li := range out[ci].parts[pi].leaves {
				l := &out[ci].parts[pi].leaves[li]
				l.qw = l.boost * l.idf * qnorm
			}
		}
	}
	return out
}

// termScore is Bleve's TermQueryScorer (tf-idf), given tfNorm(posting).
func termScore(l *leaf, tfn float64) float64 {
	s := tfn * l.idf
	if l.qw != 1.0 {
		s *= l.qw
	}
	return s
}

// normTable and sqrtTable hold zap's norm (1/sqrt(field length), through
// float32) and sqrt(freq) for small values.
var normTable, sqrtTable = func() (n, s [1024]float64) {
	for i := range n {
		n[i] = float64(float32(1.0 / math.Sqrt(float64(i))))
		s[i] = math.Sqrt(float64(i))
	}
	return
}()

// tfNorm is sqrt(freq) × norm of a posting, as Bleve's scorer computes it.
func tfNorm(p segment.Posting) float64 {
	var tf, norm float64
	if f := p.Frequency(); f < uint64(len(sqrtTable)) {
		tf = sqrtTable[f]
	} else {
		tf = math.Sqrt(float64(f))
	}
	if np, ok := p.(interface{ NormUint64() uint64 }); ok {
		if b := np.NormUint64(); b < uint64(len(normTable)) {
			norm = normTable[b]
		} else {
			norm = p.Norm()
		}
	} else {
		norm = p.Norm()
	}
	return tf * norm
}

// decoded is a term's postings read once: documents and tfNorm. It is
// never changed after it is made, so queries share it.
type decoded struct {
	docs []uint32
	tfn  []float64
}

// postingsCache keeps the decoded postings of recently queried terms: a
// reader typing, paging or filtering asks for the same terms again, and
// reading a slice is several times cheaper than zap's iterator (most of
// a query's time at 100,000 documents). Bounded by limit bytes; when full
// it starts over. Results do not depend on it: a cached term scores
// exactly as a freshly read one.
type postingsCache struct {
	sync.Mutex
	m     map[string]*decoded
	bytes int
	limit int
}

// cacheLimit bounds the postings cache of an index of size bytes: a few
// times the index, at least enough for a session's queries in a browser
// at 10,000 documents, at most what a server can spare.
func cacheLimit(size int) int { return min(max(24<<20, 4*size), 256<<20) }

func (c *postingsCache) get(key string) *decoded {
	c.Lock()
	defer c.Unlock()
	return c.m[key]
}

func (c *postingsCache) put(key string, d *decoded) {
	size := 12*len(d.docs) + len(key) + 64
	if size > c.limit/4 {
		return
	}
	c.Lock()
	defer c.Unlock()
	if c.m == nil || c.bytes+size > c.limit {
		c.m, c.bytes = map[string]*decoded{}, 0
	}
	if _, ok := c.m[key]; !ok {
		c.m[key] = d
		c.bytes += size
	}
}

// Warm reads the postings of the most frequent terms of the text fields
// into the postings cache, up to half its budget: those are the longest
// lists, the ones a first query for them spends most of its time reading.
// A server calls it once, before it answers.
func (idx *Index) Warm() error {
	type term struct {
		field, text string
		pl          segment.PostingsList
	}
	var terms []term
	for _, f := range textFields {
		err := idx.eachPostings(f.name, func(text string, pl segment.PostingsList) error {
			terms = append(terms, term{f.name, text, pl})
			return nil
		})
		if err != nil {
			return err
		}
	}
	slices.SortStableFunc(terms, func(a, b term) int { return cmp.Compare(b.pl.Count(), a.pl.Count()) })
	used := 0
	for _, t := range terms {
		if used += 12*int(t.pl.Count()) + 64; used > idx.pcache.limit/2 {
			break
		}
		l := &leaf{field: t.field, term: []byte(t.text), pl: t.pl}
		dec, err := idx.decode(l)
		if err != nil {
			return err
		}
		idx.pcache.put(l.key(), dec)
	}
	return nil
}

func (l *leaf) key() string { return l.field + "\x00" + string(l.term) }

// postings calls fn for every posting of l below n.
func (idx *Index) postings(l *leaf, fn func(d uint32, tfn float64)) error {
	key := l.key()
	dec := idx.pcache.get(key)
	if dec == nil {
		var err error
		if dec, err = idx.decode(l); err != nil {
			return err
		}
		idx.pcache.put(key, dec)
	}
	for i, d := range dec.docs {
		fn(d, dec.tfn[i])
	}
	return nil
}

func (idx *Index) decode(l *leaf) (*decoded, error) {
	n := uint64(idx.n)
	c := l.pl.Count()
	dec := &decoded{docs: make([]uint32, 0, c), tfn: make([]float64, 0, c)}
	it := l.pl.Iterator(true, true, false, nil)
	for {
		po, err := it.Next()
		if err != nil {
			return nil, err
		}
		if po == nil {
			return dec, nil
		}
		if d := po.Number(); d < n {
			dec.docs = append(dec.docs, uint32(d))
			dec.tfn = append(dec.tfn, tfNorm(po))
		}
	}
}

// search evaluates the text clauses and calls visit for every matching
// document, in document order, with the score Bleve's searchers give it
// (bleve_test.go holds it to that).
func (idx *Index) search(ctx context.Context, ds dicts, clauses []clause, alts []alternative, visit func(match)) error {
	tree := idx.plan(ds, clauses, alts)
	if len(tree) == 0 {
		return nil
	}
	s := getScratch(idx.n)
	defer putScratch(s)
	for ci := range tree {
		if err := idx.evalClause(ctx, s, &tree[ci]); err != nil {
			return err
		}
	}
	var want uint32
	for _, qc := range tree {
		if !qc.optional && !qc.alt {
			want |= qc.covers
		}
	}
	if want == 0 {
		return nil
	}
	for d, m := range s.matched {
		if m&want != want {
			continue
		}
		visit(match{doc: d, score: s.total[d]})
	}
	return nil
}

func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("search took too long: %w", err)
	}
	return nil
}

// evalClause adds the clause's score to every document it matches.
func (idx *Index) evalClause(ctx context.Context, s *scratch, qc *qclause) error {
	for pi := range qc.parts {
		if err := ctxErr(ctx); err != nil {
			return err
		}
		if err := idx.evalPart(ctx, s, &qc.parts[pi]); err != nil {
			return err
		}
	}
	coordTotal := float64(len(qc.parts))
	for _, d := range s.cDocs {
		s.total[d] += s.cAcc[d] * (float64(s.cCnt[d]) / coordTotal)
		s.matched[d] |= qc.covers
		s.cAcc[d], s.cCnt[d] = 0, 0
	}
	s.cDocs = s.cDocs[:0]
	return nil
}

// addToClause adds one part's score for d to the current clause.
func (s *scratch) addToClause(d uint32, score float64) {
	if s.cCnt[d] == 0 {
		s.cDocs = append(s.cDocs, d)
	}
	s.cAcc[d] += score
	s.cCnt[d]++
}

func (idx *Index) evalPart(ctx context.Context, s *scratch, p *part) error {
	if p.kind == partTerm {
		l := &p.leaves[0]
		return idx.postings(l, func(d uint32, tfn float64) {
			s.addToClause(d, termScore(l, tfn))
		})
	}
	// Several terms: accumulate per document, then fold into the clause.
	for li := range p.leaves {
		if li%64 == 63 {
			if err := ctxErr(ctx); err != nil {
				return err
			}
		}
		l := &p.leaves[li]
		err := idx.postings(l, func(d uint32, tfn float64) {
			if s.pCnt[d] == 0 {
				s.pDocs = append(s.pDocs, d)
			}
			s.pAcc[d] += termScore(l, tfn)
			s.pCnt[d]++
		})
		if err != nil {
			return err
		}
	}
	k := len(p.leaves)
	var phrase *phraseChecker
	if p.kind == partPhrase {
		phrase = newPhraseChecker(p)
	}
	for _, d := range s.pDocs {
		acc, cnt := s.pAcc[d], int(s.pCnt[d])
		s.pAcc[d], s.pCnt[d] = 0, 0
		switch p.kind {
		case partAny:
			s.addToClause(d, acc*(float64(cnt)/float64(k)))
		case partAll:
			if cnt == k {
				s.addToClause(d, acc)
			}
		case partPhrase:
			if cnt == k {
				ok, err := phrase.matches(uint64(d))
				if err != nil {
					s.pDocs = s.pDocs[:0]
					return err
				}
				if ok {
					s.addToClause(d, acc)
				}
			}
		}
	}
	s.pDocs = s.pDocs[:0]
	return nil
}

// phraseChecker tells whether a document that has all of a phrase's terms
// has them at adjacent positions, reading the terms' locations. Documents
// must be asked in increasing order.
type phraseChecker struct {
	its []segment.PostingsIterator
	pos [][]uint64
}

func newPhraseChecker(p *part) *phraseChecker {
	c := &phraseChecker{pos: make([][]uint64, len(p.leaves))}
	for i := range p.leaves {
		c.its = append(c.its, p.leaves[i].pl.Iterator(false, false, true, nil))
	}
	return c
}

func (c *phraseChecker) matches(d uint64) (bool, error) {
	for i, it := range c.its {
		po, err := it.Advance(d)
		if err != nil {
			return false, err
		}
		if po == nil || po.Number() != d {
			return false, nil
		}
		c.pos[i] = c.pos[i][:0]
		for _, l := range po.Locations() {
			c.pos[i] = append(c.pos[i], l.Pos())
		}
	}
	// Some start position p with term i at p+i for every i.
	for _, p0 := range c.pos[0] {
		ok := true
		for i := 1; i < len(c.pos) && ok; i++ {
			found := false
			for _, p := range c.pos[i] {
				if p == p0+uint64(i) {
					found = true
					break
				}
			}
			ok = found
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}
