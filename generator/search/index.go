package search

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	segment "github.com/blevesearch/scorch_segment_api/v2"
	"github.com/blevesearch/vellum"
	zap "github.com/blevesearch/zapx/v15"
)

// Index is an opened search index: the zap segment plus the per-document
// tables that filters, facets and sorting read.
type Index struct {
	reader *reader
	seg    *zap.SegmentBase
	labels Labels
	n      int

	// facets holds, per facet in facetNames order, the values and each
	// document's value numbers.
	facets [len(facetNames)]facetTable
	// date is each document's published date as YYYYMMDD, 0 when unknown.
	date []int32
	// current is true for the current version of a series.
	current []bool
	// pcache keeps recently read postings (eval.go).
	pcache postingsCache
	// synonyms are DefaultSynonyms and the publisher's, analysed.
	synonyms synonymTable
	// series groups the versions of each document (series.go).
	series seriesTable
}

// facetTable lists one facet's values and the documents having each.
type facetTable struct {
	values []string       // in the index's (byte) order
	lookup map[string]int // value -> number
	docs   []docSet       // per value
}

// OpenDir opens the index that WriteIndex wrote into dir.
func OpenDir(dir string) (*Index, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "index.*.stpidx"))
	if err != nil {
		return nil, err
	}
	switch len(matches) {
	case 0:
		return nil, fmt.Errorf("no search index (index.*.stpidx) in %s; run stp build first", dir)
	case 1:
	default:
		return nil, fmt.Errorf("%d search indexes in %s; expected one (is it a stale build directory?)", len(matches), dir)
	}
	data, err := os.ReadFile(matches[0])
	if err != nil {
		return nil, err
	}
	idx, err := Open(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", matches[0], err)
	}
	return idx, nil
}

// Open opens an index from the bytes of an index file. It keeps data; the
// caller must not change it afterwards.
func Open(data []byte) (idx *Index, err error) {
	// A damaged file must give an error, not a crash, whatever zap does with it.
	defer func() {
		if r := recover(); r != nil {
			idx, err = nil, fmt.Errorf("damaged search index: %v", r)
		}
	}()
	if !bytes.HasPrefix(data, []byte(indexMagic)) {
		return nil, errors.New("not a search index (bad magic); rebuild the site")
	}
	rest := data[len(indexMagic):]
	hl, n := binary.Uvarint(rest)
	if n <= 0 || hl > uint64(len(rest)-n) {
		return nil, errors.New("damaged search index header")
	}
	var hdr indexHeader
	if err := json.Unmarshal(rest[n:n+int(hl)], &hdr); err != nil {
		return nil, fmt.Errorf("damaged search index header: %w", err)
	}
	idx = &Index{labels: normaliseLabels(hdr.Labels), synonyms: newSynonymTable(append(slices.Clone(DefaultSynonyms), hdr.Synonyms...))}
	idx.pcache.limit = cacheLimit(len(data))
	segBytes := rest[n+int(hl):]
	sb, err := openSegment(segBytes)
	if err != nil {
		return nil, err
	}
	if int(sb.Count()) != hdr.Documents {
		return nil, fmt.Errorf("damaged search index: %d documents, header says %d", sb.Count(), hdr.Documents)
	}
	idx.seg, idx.reader, idx.n = sb, &reader{seg: sb}, hdr.Documents
	if err := idx.buildTables(); err != nil {
		return nil, err
	}
	return idx, nil
}

// openSegment parses a zap v15 footer and field index (the same reads zap's
// own file-based Open does) and opens the segment in memory.
func openSegment(b []byte) (*zap.SegmentBase, error) {
	const footer = zap.FooterSize
	if len(b) < footer {
		return nil, errors.New("damaged search index: segment too short")
	}
	f := b[len(b)-footer:]
	crc := binary.BigEndian.Uint32(f[footer-4:])
	version := binary.BigEndian.Uint32(f[footer-8:])
	if version != zap.Version {
		return nil, fmt.Errorf("search index segment is zap v%d, this engine reads v%d; rebuild the site", version, zap.Version)
	}
	chunkMode := binary.BigEndian.Uint32(f[footer-12:])
	docValueOffset := binary.BigEndian.Uint64(f[footer-20:])
	fieldsIndexOffset := binary.BigEndian.Uint64(f[footer-28:])
	storedIndexOffset := binary.BigEndian.Uint64(f[footer-36:])
	numDocs := binary.BigEndian.Uint64(f[footer-44:])
	mem := b[:len(b)-footer]
	// The CRC covers everything before it, footer included.
	if crc32.ChecksumIEEE(b[:len(b)-4]) != crc {
		return nil, errors.New("damaged search index: checksum mismatch")
	}
	if fieldsIndexOffset > uint64(len(mem)) || storedIndexOffset > uint64(len(mem)) {
		return nil, errors.New("damaged search index: offsets out of range")
	}
	fieldsMap := map[string]uint16{}
	var fieldsInv []string
	var dictLocs []uint64
	end := uint64(len(mem))
	for id := uint64(0); fieldsIndexOffset+8*id+8 <= end; id++ {
		addr := binary.BigEndian.Uint64(mem[fieldsIndexOffset+8*id:])
		if addr >= end {
			return nil, errors.New("damaged search index: field address out of range")
		}
		dictLoc, r := binary.Uvarint(mem[addr:end])
		if r <= 0 {
			return nil, errors.New("damaged search index: field entry")
		}
		nameLen, r2 := binary.Uvarint(mem[addr+uint64(r) : end])
		if r2 <= 0 || addr+uint64(r+r2)+nameLen > end {
			return nil, errors.New("damaged search index: field name")
		}
		start := addr + uint64(r+r2)
		name := string(mem[start : start+nameLen])
		dictLocs = append(dictLocs, dictLoc)
		fieldsInv = append(fieldsInv, name)
		fieldsMap[name] = uint16(id + 1)
	}
	return zap.InitSegmentBase(mem, crc, chunkMode, fieldsMap, fieldsInv, numDocs,
		storedIndexOffset, fieldsIndexOffset, docValueOffset, dictLocs, nil)
}

// buildTables reads the keyword fields' postings into per-document tables.
func (idx *Index) buildTables() error {
	for i, name := range facetNames {
		t := &idx.facets[i]
		t.lookup = map[string]int{}
		err := idx.eachTerm(name, func(term string, docs []uint32) {
			t.lookup[term] = len(t.values)
			t.values = append(t.values, term)
			t.docs = append(t.docs, newDocSet(docs, idx.n))
		})
		if err != nil {
			return err
		}
	}
	idx.date = make([]int32, idx.n)
	err := idx.eachTerm(fieldDate, func(term string, docs []uint32) {
		v, _ := strconv.Atoi(strings.ReplaceAll(term, "-", ""))
		for _, d := range docs {
			idx.date[d] = int32(v)
		}
	})
	if err != nil {
		return err
	}
	idx.current = make([]bool, idx.n)
	err = idx.eachTerm(fieldCurrent, func(_ string, docs []uint32) {
		for _, d := range docs {
			idx.current[d] = true
		}
	})
	if err != nil {
		return err
	}
	return idx.buildSeries()
}

// eachTerm calls fn with every term of field and the documents having it.
func (idx *Index) eachTerm(field string, fn func(term string, docs []uint32)) error {
	return idx.eachPostings(field, func(term string, pl segment.PostingsList) error {
		pi := pl.Iterator(false, false, false, nil)
		docs := make([]uint32, 0, pl.Count())
		for {
			p, err := pi.Next()
			if err != nil {
				return err
			}
			if p == nil {
				break
			}
			if p.Number() < uint64(idx.n) {
				docs = append(docs, uint32(p.Number()))
			}
		}
		fn(term, docs)
		return nil
	})
}

// eachPostings calls fn with every term of field and its postings list.
func (idx *Index) eachPostings(field string, fn func(term string, pl segment.PostingsList) error) error {
	if idx.seg == nil {
		return nil
	}
	dict, err := idx.seg.Dictionary(field)
	if err != nil {
		return err
	}
	it := dict.AutomatonIterator(&vellum.AlwaysMatch{}, nil, nil)
	for {
		e, err := it.Next()
		if err != nil {
			return err
		}
		if e == nil {
			return nil
		}
		pl, err := dict.PostingsList([]byte(e.Term), nil, nil)
		if err != nil {
			return err
		}
		if err := fn(e.Term, pl); err != nil {
			return err
		}
	}
}

// Documents is the number of document versions in the index.
func (idx *Index) Documents() int { return idx.n }

// label is the display name of a facet value.
func (idx *Index) label(facet, id string) string {
	if l := idx.labels[facet][id]; l != "" {
		return l
	}
	return id
}

// storedDoc reads a document's stored fields.
func (idx *Index) storedDoc(d int) (storedDoc, error) {
	var sd storedDoc
	var raw []byte
	err := idx.seg.VisitStoredFields(uint64(d), func(field string, _ byte, value []byte, _ []uint64) bool {
		if field == fieldStored {
			raw = value
			return false
		}
		return true
	})
	if err != nil {
		return sd, err
	}
	err = json.Unmarshal(raw, &sd)
	return sd, err
}
