package serve

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/stp-portal/stp/generator/search"
	"github.com/stp-portal/stp/generator/store"
	"github.com/stp-portal/stp/generator/urls"
)

// UpstreamOptions configures Upstream.
type UpstreamOptions struct {
	// Dir is the built site.
	Dir string
	// Gate decides who reads outside /public/. It is required unless
	// NoGate is set.
	Gate Gate
	// NoGate serves the gated pages to anyone who reaches the server. It
	// is for a local preview of a built site and for the dev server, never
	// for the upstream behind oauth2-proxy.
	NoGate bool
	// Site answers every path but the search API; nil means New(Dir). The
	// dev server passes itself here.
	Site http.Handler
	// Store, when set, serves the portal's API under /api/ (see api.go)
	// and grants the portal roles its Portal Admins give (see
	// gate.admit); it needs the gate, which says who is asking.
	Store store.Store
	// ProxyTemplates is the built site's folder of oauth2-proxy pages
	// (site.ProxyTemplates under Dir); its error page, filled in for a
	// 403, is what a signed-in reader without a role gets. Empty means
	// a line of text.
	ProxyTemplates string
	// Directory says how the API looks people up in a reader's
	// organisation (see directory.go).
	Directory Directory
}

// Upstream returns the router `stp serve --dir` runs behind oauth2-proxy:
// the site in o.Dir, the search API over the gated index at /api/search and
// over the public one at /public/api/search, and the Gate in front of every
// path outside /public/.
//
// It routes on the path exactly as it arrived: nothing is cleaned or
// redirected (http.ServeMux would answer /public/../catalog.json with a
// redirect to /catalog.json), and the site refuses what is ambiguous. It
// answers a request with a body with 413 before anything reads it, because
// the site takes GET and HEAD only; the portal's API (with o.Store) bounds
// the bodies it takes before its gate reads them.
func Upstream(o UpstreamOptions) (http.Handler, error) {
	u := &upstream{
		site:         o.Site,
		search:       searchEndpoint(filepath.Join(o.Dir, filepath.FromSlash(urls.SearchDir("")))),
		publicSearch: searchEndpoint(filepath.Join(o.Dir, filepath.FromSlash(urls.SearchDir(urls.Public)))),
	}
	if u.site == nil {
		u.site = New(o.Dir)
	}
	switch {
	case o.NoGate && o.Gate.SignatureKey != "":
		return nil, errors.New("a signature key and no gate: choose one")
	case o.NoGate:
	case o.Gate.SignatureKey == "":
		return nil, errors.New("no signature key: the upstream must check that requests came through oauth2-proxy " +
			"(set the same value as oauth2-proxy's signature_key)")
	default:
		g, err := o.Gate.compile()
		if err != nil {
			return nil, err
		}
		g.permission = newPermissionPage(o.ProxyTemplates)
		u.gate = g
	}
	if o.Store != nil {
		if u.gate == nil {
			return nil, errors.New("the portal's API needs the gate: it must know who is asking")
		}
		u.gate.store = o.Store
		u.api = newAPI(o.Dir, u.gate, o.Store, o.Directory)
	}
	return u, nil
}

type upstream struct {
	gate                 *gate // nil: no gate
	site                 http.Handler
	search, publicSearch http.Handler
	api                  *api // nil: no store
}

func (u *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if u.api != nil && isAPI(r.URL.Path) {
		u.api.ServeHTTP(w, r) // gated there, after bounding the body
		return
	}
	// ContentLength is -1 for a chunked body. Connection: close tells the
	// server not to read the rest of the body to keep the connection,
	// which a client trickling it would stretch out.
	if r.ContentLength != 0 {
		w.Header().Set("Connection", "close")
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "Request Entity Too Large: this site takes no request bodies", http.StatusRequestEntityTooLarge)
		return
	}
	public := strings.HasPrefix(r.URL.Path, defaultPublicPrefix)
	if u.gate != nil && !public {
		if v := u.gate.admit(r); v.reason != "" {
			u.gate.forbidden(w, r, v)
			return
		}
	}
	switch r.URL.Path {
	case urls.SearchAPI("/"):
		u.search.ServeHTTP(w, r)
	case urls.SearchAPI(defaultPublicPrefix):
		u.publicSearch.ServeHTTP(w, r)
	default:
		u.site.ServeHTTP(w, r)
	}
}

// searchEndpoint answers queries over the index in dir, opening it again
// when a rebuild replaced it.
func searchEndpoint(dir string) http.Handler {
	var mu sync.Mutex
	var current http.Handler
	var stamp time.Time
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, err := os.Stat(filepath.Join(dir, urls.ManifestName))
		if err != nil {
			http.Error(w, `{"error":"this site has no search index"}`, http.StatusNotFound)
			return
		}
		mu.Lock()
		if current == nil || !info.ModTime().Equal(stamp) {
			h, err := search.Handler(dir)
			if err != nil {
				mu.Unlock()
				http.Error(w, `{"error":"the search index cannot be opened"}`, http.StatusServiceUnavailable)
				return
			}
			current, stamp = h, info.ModTime()
		}
		h := current
		mu.Unlock()
		h.ServeHTTP(w, r)
	})
}
