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
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	zap "github.com/blevesearch/zapx/v15"

	"github.com/stp-portal/stp/generator/internal/par"
)

// Manifest tells a page (and the server) what WriteIndex wrote. File names
// are relative to the directory given to WriteIndex, so the generator joins
// them with that directory's site path (e.g. "search/" + Index).
type Manifest struct {
	// File is the manifest JSON itself, e.g. "manifest.0123abcd4567ef89.json".
	File string `json:"-"`
	// Index is the index file, e.g. "index.0123abcd4567ef89.stpidx".
	Index string `json:"index"`
	// Engine and Runtime are the WebAssembly engine and Go's wasm_exec.js;
	// empty when the build has no browser engine (search: server).
	Engine  string `json:"engine,omitempty"`
	Runtime string `json:"runtime,omitempty"`
	// Documents is the number of indexed document versions.
	Documents int `json:"documents"`
	// Byte sizes, so a page can show progress and the benchmark can report.
	IndexBytes   int64 `json:"indexBytes"`
	EngineBytes  int64 `json:"engineBytes,omitempty"`
	RuntimeBytes int64 `json:"runtimeBytes,omitempty"`
}

// indexMagic starts every index file; the digit is the container version.
const indexMagic = "STPSIDX1"

// indexHeader is the JSON between the magic and the zap segment.
type indexHeader struct {
	Documents int    `json:"documents"`
	Labels    Labels `json:"labels"`
	// Synonyms are the publisher's groups, added to DefaultSynonyms when
	// the index is opened, so that every host answers with the same.
	Synonyms [][]string `json:"synonyms,omitempty"`
}

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

// normaliseLabels copies labels, adding the default names of the two
// libraries; encoding/json writes map keys sorted, so the header is stable.
func normaliseLabels(in Labels) Labels {
	out := Labels{}
	for facet, m := range in {
		c := map[string]string{}
		for k, v := range m {
			c[k] = v
		}
		out[facet] = c
	}
	if out[FacetKind] == nil {
		out[FacetKind] = map[string]string{}
	}
	for k, v := range defaultKindLabels {
		if _, ok := out[FacetKind][k]; !ok {
			out[FacetKind][k] = v
		}
	}
	return out
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// Fingerprinted tells whether a file name is one Write gives a file,
// stem.<16 hex digits of its SHA-256>.ext, so that the bytes under it never
// change and a browser may keep them for a year. The manifest, under its
// stable name, is not.
func Fingerprinted(name string) bool {
	stem, ext := strings.TrimSuffix(name, path.Ext(name)), path.Ext(name)
	dot := strings.LastIndexByte(stem, '.')
	if ext == "" || dot < 1 || len(stem)-dot-1 != 16 {
		return false
	}
	for _, c := range stem[dot+1:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
