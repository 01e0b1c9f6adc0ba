//go:build !(js && wasm)

package search

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	zap "github.com/blevesearch/zapx/v15"

	"github.com/stp-portal/stp/generator/internal/par"
)

// WriteIndex writes a deterministic (same records, same bytes) index of
// records into dir, with the browser engine beside it, all under
// fingerprinted names, and returns what a page needs to load them.
func WriteIndex(dir string, records []Record, labels Labels, opts ...Option) (Manifest, error) {
	eng, err := DefaultEngine()
	if err != nil {
		return Manifest{}, err
	}
	return Write(dir, records, labels, eng, opts...)
}

// Write is WriteIndex with the engine given; a nil engine writes the index
// and manifest only, which is all the server and the command line need.
func Write(dir string, records []Record, labels Labels, engine *Engine, opts ...Option) (Manifest, error) {
	data, err := BuildIndex(records, labels, opts...)
	if err != nil {
		return Manifest{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Manifest{}, err
	}
	m := Manifest{Documents: len(records), IndexBytes: int64(len(data))}
	if m.Index, err = writeFingerprinted(dir, "index", ".stpidx", data); err != nil {
		return Manifest{}, err
	}
	if engine != nil {
		if m.Engine, err = writeFingerprinted(dir, "engine", ".wasm", engine.WASM); err != nil {
			return Manifest{}, err
		}
		if m.Runtime, err = writeFingerprinted(dir, "wasm_exec", ".js", engine.Runtime); err != nil {
			return Manifest{}, err
		}
		m.EngineBytes, m.RuntimeBytes = int64(len(engine.WASM)), int64(len(engine.Runtime))
	}
	js, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Manifest{}, err
	}
	if m.File, err = writeFingerprinted(dir, "manifest", ".json", append(js, '\n')); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

func writeFingerprinted(dir, stem, ext string, data []byte) (string, error) {
	sum := sha256.Sum256(data)
	name := stem + "." + hex.EncodeToString(sum[:8]) + ext
	p := filepath.Join(dir, name)
	if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Size() == int64(len(data)) {
		// Written by an earlier build into this folder: the name is the
		// content's hash (a build over stp build's spare, or in place).
		return name, nil
	}
	return name, os.WriteFile(p, data, 0o644)
}

// BuildIndex returns the bytes of the index file for records: a short
// header with the labels, then one zap segment.
//
// The bytes depend only on the input. Bleve's batch numbers documents in Go
// map order; here they are numbered in ID order. zapx v17 writes its
// per-field section table from a map, so the segment is written with zapx
// v15, whose layout has no such table and is built in document and sorted
// term order.
func BuildIndex(records []Record, labels Labels, opts ...Option) ([]byte, error) {
	an, err := textAnalyzer()
	if err != nil {
		return nil, err
	}
	sorted := make([]*Record, len(records))
	for i := range records {
		sorted[i] = &records[i]
	}
	slices.SortStableFunc(sorted, func(a, b *Record) int { return cmp.Compare(a.ID, b.ID) })
	var problems []string
	for i, r := range sorted {
		switch {
		case r.ID == "":
			problems = append(problems, fmt.Sprintf("record %d has no ID", i))
		case i > 0 && sorted[i-1].ID == r.ID:
			problems = append(problems, fmt.Sprintf("record ID %q is listed twice", r.ID))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("search index: %s", strings.Join(problems, "; "))
	}
	labels = normaliseLabels(labels)
	n := len(sorted)
	seg, err := buildSegment(sorted, labels, an)
	sorted = nil
	if err != nil {
		return nil, err
	}
	hdr, err := json.Marshal(indexHeader{Documents: n, Labels: labels, Synonyms: buildOptions(opts).synonyms})
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Grow(len(indexMagic) + binary.MaxVarintLen64 + len(hdr) + len(seg))
	out.WriteString(indexMagic)
	out.Write(binary.AppendUvarint(nil, uint64(len(hdr))))
	out.Write(hdr)
	out.Write(seg)
	return out.Bytes(), nil
}

// BatchSize is how many records are analysed at once. Analysed documents
// take tens of kilobytes each, so a 100,000-document catalog analysed in
// one go needs gigabytes; larger catalogs are built as segments of this
// many documents, in ID order, merged into one. One batch is built per CPU
// at a time, so the memory held is about BatchSize documents per CPU.
var BatchSize = 5_000

// buildSegment analyses the records (sorted by ID) and returns the bytes of
// one zap segment (the zap file format) holding them in that order. Batches
// are built on every CPU; a catalog of one batch is analysed on every CPU.
func buildSegment(sorted []*Record, labels Labels, an analysis.Analyzer) ([]byte, error) {
	var batches [][]*Record
	for start := 0; start == 0 || start < len(sorted); start += BatchSize {
		batches = append(batches, sorted[start:min(start+BatchSize, len(sorted))])
	}
	workers := runtime.GOMAXPROCS(0)
	parts := make([]segment.Segment, len(batches))
	err := par.Each(workers, len(batches), func(b int) error {
		batch := batches[b]
		docs := make([]index.Document, len(batch))
		// Each batch on its own CPU, or one batch on all of them.
		err := par.Each(max(1, workers/len(batches)), len(batch), func(i int) error {
			d, err := bleveDocument(batch[i], labels, an)
			if err != nil {
				return fmt.Errorf("search index: record %q: %w", batch[i].ID, err)
			}
			docs[i] = d
			return nil
		})
		if err != nil {
			return err
		}
		// The analysed documents go out of scope with the batch; only the
		// compact segment stays.
		s, _, err := (&zap.ZapPlugin{}).New(docs)
		if err != nil {
			return fmt.Errorf("search index: %w", err)
		}
		parts[b] = s
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(parts) == 1 {
		var b bytes.Buffer
		if _, err := parts[0].(*zap.SegmentBase).WriteTo(&b); err != nil {
			return nil, fmt.Errorf("search index: %w", err)
		}
		return b.Bytes(), nil
	}
	// Merging keeps the segments' order, so documents stay numbered in ID
	// order and the bytes stay a function of the records.
	tmp, err := os.MkdirTemp("", "stp-index-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	path := filepath.Join(tmp, "merged.zap")
	if _, _, err := (&zap.ZapPlugin{}).Merge(parts, make([]*roaring.Bitmap, len(parts)), path, nil, nil); err != nil {
		return nil, fmt.Errorf("search index: merging segments: %w", err)
	}
	return os.ReadFile(path)
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// tagNames are the names of a record's services, standards, regions and
// industries, which find it even when its title does not repeat them
// ("FedRAMP" finds the SSP summary, "healthcare" what is tagged with the
// industry). A document tagged with every region or industry (the
// catalog's "all") is not about any one of them, so their names are left
// out: "healthcare" would otherwise find nearly everything.
func tagNames(r *Record, labels Labels) []string {
	var tags []string
	for _, t := range []struct {
		facet string
		ids   []string
	}{{FacetService, r.Services}, {FacetStandard, r.Standards}, {FacetRegion, r.Regions}, {FacetIndustry, r.Industries}} {
		if (t.facet == FacetRegion || t.facet == FacetIndustry) && len(t.ids) > 1 && len(t.ids) >= len(labels[t.facet]) {
			continue
		}
		for _, id := range t.ids {
			if l := labels[t.facet][id]; l != "" {
				tags = append(tags, l)
			}
		}
	}
	return tags
}

// bleveDocument maps a record to the analysed Bleve document.
func bleveDocument(r *Record, labels Labels, an analysis.Analyzer) (*document.Document, error) {
	sd := storedDoc{
		ID: r.ID, Series: r.Series, Version: r.Version, Kind: r.Kind,
		Title: r.Title, Summary: r.Summary,
		Services: r.Services, Standards: r.Standards,
		Published: day(r.Published), PeriodFrom: day(r.PeriodFrom), PeriodTo: day(r.PeriodTo),
		URL: r.URL, Current: r.Current,
	}
	js, err := json.Marshal(sd)
	if err != nil {
		return nil, err
	}
	d := document.NewDocument(r.ID)
	text := index.IndexField | index.IncludeTermVectors
	d.AddField(document.NewTextFieldCustom(fieldTitle, nil, []byte(r.Title), text, an))
	d.AddField(document.NewTextFieldCustom(fieldSummary, nil, []byte(r.Summary), text, an))
	d.AddField(document.NewTextFieldCustom(fieldBody, nil, []byte(r.Body), bodyOptions, an))
	tags := tagNames(r, labels)
	d.AddField(document.NewTextFieldCustom(fieldTags, nil, []byte(strings.Join(tags, " ; ")), index.IndexField|index.IncludeTermVectors, an))
	// Stemming turns a mistyped "penetraton" into something far from
	// "penetr", so typos and prefixes are also matched against the words
	// as written.
	words := r.Title + " ; " + strings.Join(tags, " ; ") + " ; " + r.Summary
	d.AddField(document.NewTextFieldCustom(fieldWords, nil, []byte(words), index.IndexField, wordAnalyzer))
	d.AddField(document.NewTextFieldWithIndexingOptions(fieldStored, nil, js, index.StoreField))
	keyword := func(name string, values ...string) {
		for _, v := range values {
			if v != "" {
				d.AddField(document.NewTextFieldCustom(name, nil, []byte(v), index.IndexField, nil))
			}
		}
	}
	keyword(FacetKind, r.Kind)
	keyword(FacetService, r.Services...)
	keyword(FacetStandard, r.Standards...)
	keyword(FacetRegion, r.Regions...)
	keyword(FacetIndustry, r.Industries...)
	if !r.Published.IsZero() {
		keyword(FacetYear, strconv.Itoa(r.Published.Year()))
		keyword(fieldDate, day(r.Published))
	}
	if r.Current {
		keyword(fieldCurrent, "1")
	}
	keyword(fieldSeries, cmp.Or(r.Series, r.ID))
	d.AddIDField()
	d.VisitFields(func(f index.Field) {
		if f.Options().IsIndexed() {
			f.Analyze()
		}
	})
	return d, nil
}
