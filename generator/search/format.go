package search

import (
	"path"
	"strings"
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

// HTTP statuses AnswerJSON returns, spelled here so that the browser
// engine does not link net/http (and with it TLS and X.509) for four
// numbers; TestStatuses holds them to net/http's.
const (
	statusOK                  = 200
	statusBadRequest          = 400
	statusInternalServerError = 500
	statusServiceUnavailable  = 503
)

// ServerAbove is the number of listed versions above which search that
// the catalog does not place (site.search not set) asks the server first.
// Browser search costs the engine (0.97 MB brotli) and the whole
// index before the first answer; at 5,000 versions of the synthetic
// catalog that is about 2.7 MB, over 2 s on a 10 Mbit/s link before the
// engine has even started, and it grows by about 0.34 MB per 1,000 (see
// README.md, "What a reader downloads").
const ServerAbove = 5000

// Placement says where an area's queries run, given site.search
// ("browser", "server" or "" for not set) and the number of listed
// versions: api when the page asks stp serve's /api/search, engine when
// the build writes the browser engine beside the index. Not set, a
// catalog above ServerAbove gets both: the page asks the API and, on a
// static host where nothing answers there, falls back to the engine.
func Placement(setting string, versions int) (api, engine bool) {
	switch setting {
	case "server":
		return true, false
	case "browser":
		return false, true
	}
	return versions > ServerAbove, true
}
