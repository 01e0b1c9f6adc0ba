//go:build !(js && wasm)

package search

import (
	"context"
	"net/http"
	"runtime"
	"time"
)

// Server limits. The search text itself is bounded by MaxQueryLength and
// the page by MaxPageSize, in Run.
const (
	// maxRawQuery bounds the whole query string (text and filters).
	maxRawQuery = 64 << 10
	// QueryTimeout bounds one query on the server.
	QueryTimeout = 2 * time.Second
)

// Handler answers GET ?q=...&standard=...&page=... with the JSON of a
// Result (or {"error": message}), over the index WriteIndex wrote into
// indexDir, opened read-only once and warmed (Index.Warm). Mount it at
// /api/search; mount a second one over the public index for signed-out
// readers.
func Handler(indexDir string) (http.Handler, error) {
	idx, err := OpenDir(indexDir)
	if err != nil {
		return nil, err
	}
	if err := idx.Warm(); err != nil {
		return nil, err
	}
	return NewHandler(idx), nil
}

// NewHandler is Handler over an index already open.
func NewHandler(idx *Index) http.Handler {
	// A few queries at a time per core; more wait for a slot or time out.
	slots := make(chan struct{}, 4*runtime.GOMAXPROCS(0))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "private, no-cache")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			w.WriteHeader(http.StatusMethodNotAllowed)
			w.Write(errorJSON("Search answers GET requests only."))
			return
		}
		if len(r.URL.RawQuery) > maxRawQuery {
			w.WriteHeader(http.StatusRequestURITooLong)
			w.Write(errorJSON("The search address is too long; use fewer filters or shorter text."))
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), QueryTimeout)
		defer cancel()
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
		case <-ctx.Done():
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write(errorJSON("The search service is busy; try again in a moment."))
			return
		}
		body, status := AnswerJSON(ctx, idx, r.URL.RawQuery)
		w.WriteHeader(status)
		if r.Method == http.MethodGet {
			w.Write(body)
		}
	})
}
