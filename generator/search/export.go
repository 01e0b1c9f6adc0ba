//go:build !(js && wasm)

package search

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// BleveMapping is the index's schema (schema.go) as a Bleve mapping: the
// same fields, analysers and options, no _all field and nothing dynamic.
// The differential test (bleve_test.go) indexes records with it and gets
// the engine's scores; Export writes it beside the documents.
func BleveMapping() (mapping.IndexMapping, error) {
	im := bleve.NewIndexMapping()
	err := im.AddCustomAnalyzer("stp_words", map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []any{en.PossessiveName, lowercase.Name},
	})
	if err != nil {
		return nil, err
	}
	dm := bleve.NewDocumentStaticMapping()
	text := func(name, analyzer string, vectors bool) {
		f := bleve.NewTextFieldMapping()
		f.Analyzer, f.IncludeTermVectors = analyzer, vectors
		f.Store, f.IncludeInAll, f.DocValues = false, false, false
		dm.AddFieldMappingsAt(name, f)
	}
	text(fieldTitle, en.AnalyzerName, true)
	text(fieldSummary, en.AnalyzerName, true)
	text(fieldBody, en.AnalyzerName, false)
	text(fieldTags, en.AnalyzerName, true)
	text(fieldWords, "stp_words", false)
	for _, name := range append(facetNames[:], fieldDate, fieldCurrent, fieldSeries) {
		f := bleve.NewKeywordFieldMapping()
		f.Store, f.IncludeInAll, f.DocValues = false, false, false
		dm.AddFieldMappingsAt(name, f)
	}
	stored := bleve.NewTextFieldMapping()
	stored.Index, stored.Store, stored.IncludeInAll, stored.DocValues = false, true, false, false
	dm.AddFieldMappingsAt(fieldStored, stored)
	im.DefaultMapping = dm
	im.IndexDynamic, im.StoreDynamic, im.DocValuesDynamic = false, false, false
	return im, nil
}

// Export writes idx into dir (which must not exist) as a Bleve index
// (scorch), which bleve.Open and the bleve command open: the same
// documents, fields, terms, frequencies, field lengths and term vectors,
// read back from the index's segment, so that it answers with the same
// scores. Only the body's text is not there: the index never stored it.
func Export(idx *Index, dir string) error {
	m, err := BleveMapping()
	if err != nil {
		return err
	}
	bi, err := bleve.New(dir, m)
	if err != nil {
		return err
	}
	adv, err := bi.Advanced()
	if err != nil {
		bi.Close()
		return err
	}
	docs, err := idx.exportDocuments()
	if err != nil {
		bi.Close()
		return err
	}
	b := index.NewBatch()
	for _, d := range docs {
		b.Update(d)
	}
	if err := adv.Batch(b); err != nil {
		bi.Close()
		return fmt.Errorf("exporting to Bleve: %w", err)
	}
	return bi.Close()
}

// tokens replays a field's tokens, as read from the index, as its analyser.
type tokens analysis.TokenStream

func (t tokens) Analyze([]byte) analysis.TokenStream { return analysis.TokenStream(t) }

// exportDocuments rebuilds every document's analysed fields from the
// segment's postings.
func (idx *Index) exportDocuments() ([]*document.Document, error) {
	type fieldTokens = map[string]analysis.TokenStream
	perDoc := make([]fieldTokens, idx.n)
	for d := range perDoc {
		perDoc[d] = fieldTokens{}
	}
	var names []string
	for _, f := range idx.seg.Fields() {
		if f == "_id" || f == fieldStored {
			continue
		}
		names = append(names, f)
		err := idx.eachPostings(f, func(term string, pl segment.PostingsList) error {
			it := pl.Iterator(true, true, true, nil)
			for {
				p, err := it.Next()
				if err != nil || p == nil {
					return err
				}
				d := p.Number()
				if d >= uint64(idx.n) {
					continue
				}
				locs := p.Locations()
				if len(locs) == 0 {
					for range p.Frequency() {
						perDoc[d][f] = append(perDoc[d][f], &analysis.Token{Term: []byte(term), Type: analysis.AlphaNumeric})
					}
					continue
				}
				for _, l := range locs {
					perDoc[d][f] = append(perDoc[d][f], &analysis.Token{Term: []byte(term), Position: int(l.Pos()),
						Start: int(l.Start()), End: int(l.End()), Type: analysis.AlphaNumeric})
				}
			}
		})
		if err != nil {
			return nil, err
		}
	}
	docs := make([]*document.Document, idx.n)
	for d := range docs {
		var id string
		var stored []byte
		err := idx.seg.VisitStoredFields(uint64(d), func(field string, _ byte, value []byte, _ []uint64) bool {
			switch field {
			case "_id":
				id = string(value)
			case fieldStored:
				stored = slices.Clone(value)
			}
			return true
		})
		if err != nil {
			return nil, err
		}
		doc := document.NewDocument(id)
		for _, f := range names {
			ts := perDoc[d][f]
			if ts == nil && f != fieldTitle && f != fieldSummary && f != fieldBody && f != fieldTags && f != fieldWords {
				continue
			}
			opts := index.IndexField
			switch f {
			case fieldTitle, fieldSummary, fieldTags:
				opts |= index.IncludeTermVectors
			}
			slices.SortStableFunc(ts, func(a, b *analysis.Token) int { return cmp.Compare(a.Position, b.Position) })
			for i, t := range ts {
				if t.Position == 0 {
					t.Position = i + 1
				}
			}
			doc.AddField(document.NewTextFieldCustom(f, nil, nil, opts, tokens(ts)))
		}
		doc.AddField(document.NewTextFieldWithIndexingOptions(fieldStored, nil, stored, index.StoreField))
		doc.AddIDField()
		docs[d] = doc
	}
	return docs, nil
}
