// Package serve serves a built site directory over HTTP, safely.
//
// It is the upstream behind oauth2-proxy (stp serve --dir, stp demo) and the
// base of the dev server, so it owns every header a reader's browser and a
// CDN see on the portal's own content: content types, attachment names for
// downloads, caching per path class, and the security headers. oauth2-proxy
// passes these through unchanged.
//
// Upstream is the production router: the site, the search API, and a Gate
// in front of everything outside /public/ that admits only requests signed
// by oauth2-proxy (GAP-Signature) for a session holding a portal role, so
// that the upstream does not depend on the proxy having matched the path
// right. NewServer is its HTTP server, with bounds on slow and idle clients
// that do not cut off a slow download.
//
// The handler never lists a directory, never normalises a path with dot
// segments or encoded separators into another one (because oauth2-proxy lets
// /public/... through without a session, a normalising upstream would turn
// /public/../index.html into a bypass), opens every file through os.Root and
// follows no symbolic link at all, and sends a file whole rather than
// answer many or overlapping byte ranges.
package serve

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stp-portal/stp/generator/catalog"
	"github.com/stp-portal/stp/generator/urls"
)

// Cache-Control values per path class. Fingerprinted assets never change
// under their name, so they may be cached for a year. Other public paths
// change when the site is rebuilt, so a CDN may hold them only briefly: five
// minutes bounds how long a corrected public page can stay stale. Gated
// content must never be stored by a shared cache, and the browser revalidates
// it (cheaply, with the ETag) so that a revoked session stops reading it.
const (
	CacheImmutable = "public, max-age=31536000, immutable"
	// CachePrivateImmutable is for the fingerprinted files behind the
	// gate (the gated search index): the reader's browser keeps them, so
	// a repeat visit downloads nothing, but a shared cache never stores
	// them.
	CachePrivateImmutable = "private, max-age=31536000, immutable"
	CachePublic           = "public, max-age=300"
	CachePrivate          = "private, no-cache"
	// CacheNotFound is used for every 404 so that a CDN never keeps a
	// missing page (or a missing fingerprinted asset) for long.
	CacheNotFound = "no-cache"
)

// DefaultContentSecurityPolicy allows only the site's own scripts, styles,
// images, fonts and WebAssembly (the search index runs in the browser), and
// forbids framing so that the portal cannot be clickjacked.
const DefaultContentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; " +
	"style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// Option configures the handler returned by New.
type Option func(*handler)

// WithContentSecurityPolicy replaces DefaultContentSecurityPolicy, for
// example so that the dev server can allow its reload script. An empty
// policy sends no Content-Security-Policy header.
func WithContentSecurityPolicy(policy string) Option {
	return func(h *handler) { h.csp = policy }
}

// defaultPublicPrefix is the URL prefix readable without signing in; the
// proxy's skip_auth_routes name it, and Upstream gates everything else.
const defaultPublicPrefix = "/" + urls.Public

// maxRanges is the most byte ranges one request may ask for. More, or
// ranges out of order or overlapping, and the whole file is sent instead
// (RFC 9110 lets a server ignore Range): a thousand one-byte ranges of a
// small PDF would otherwise cost a hundred times its size in multipart
// headers. Readers and download managers ask for one range at a time.
const maxRanges = 5

// WithPublicPrefix changes the URL prefix readable without signing in
// (default "/public/"). It must start and end with a slash.
func WithPublicPrefix(prefix string) Option {
	return func(h *handler) { h.publicPrefix = prefix }
}

// New returns a handler that serves the site built in dir.
//
// The directory is opened again for every request rather than once, because
// an atomic build replaces the directory by renaming, and a handle opened
// before the rename would keep serving the old site.
func New(dir string, opts ...Option) http.Handler {
	h := &handler{
		dir:          dir,
		csp:          DefaultContentSecurityPolicy,
		publicPrefix: defaultPublicPrefix,
	}
	for _, o := range opts {
		o(h)
	}
	return h
}

type handler struct {
	dir          string
	csp          string
	publicPrefix string
	etags        sync.Map // site path -> etagEntry
}

type etagEntry struct {
	size    int64
	modTime time.Time
	etag    string
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "same-origin")
	hdr.Set("X-Frame-Options", "DENY")
	if h.csp != "" {
		hdr.Set("Content-Security-Policy", h.csp)
	}

	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hdr.Set("Allow", "GET, HEAD")
		hdr.Set("Cache-Control", CacheNotFound)
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}

	name, ok := sitePath(r)
	if !ok {
		h.notFound(w, r)
		return
	}

	root, err := os.OpenRoot(h.dir)
	if err != nil {
		h.notFound(w, r)
		return
	}
	defer root.Close()
	f, err := openNoLinks(root, rootName(name))
	if err != nil {
		h.notFound(w, r)
		return
	}
	// Closed through the variable, because a directory's f is replaced by
	// its index.html below.
	defer func() { f.Close() }()
	info, err := f.Stat()
	if err != nil {
		h.notFound(w, r)
		return
	}

	if info.IsDir() {
		if !strings.HasSuffix(r.URL.Path, "/") {
			// A relative Location keeps the redirect correct when the site
			// lives under a sub-path behind another proxy.
			target := path.Base(r.URL.Path) + "/"
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			hdr.Set("Cache-Control", h.cacheControl(name))
			hdr.Set("Location", target)
			w.WriteHeader(http.StatusMovedPermanently)
			return
		}
		f.Close()
		name = path.Join(name, "index.html")
		if f, err = openNoLinks(root, rootName(name)); err != nil {
			h.notFound(w, r)
			return
		}
		if info, err = f.Stat(); err != nil || info.IsDir() {
			h.notFound(w, r)
			return
		}
	}
	if !info.Mode().IsRegular() {
		h.notFound(w, r)
		return
	}

	etag, err := h.etag(name, info, f)
	if err != nil {
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	hdr.Set("Content-Type", ContentType(name))
	hdr.Set("Cache-Control", h.cacheControl(name))
	hdr.Set("ETag", etag)
	if h.isDownload(name) {
		hdr.Set("Content-Disposition", ContentDisposition(path.Base(name)))
	}
	if rng := r.Header.Get("Range"); rng != "" && !modestRanges(rng, info.Size()) {
		r.Header.Del("Range")
	}
	has, v := h.variants(root, name, r.Header.Get("Accept-Encoding"), r.Header.Get("Range") != "")
	if has {
		hdr.Add("Vary", "Accept-Encoding")
	}
	if v != nil {
		defer v.f.Close()
		if err := h.serveVariant(w, r, name, v); err != nil {
			http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		}
		return
	}
	// ServeContent answers HEAD, Range and the conditional headers
	// (If-None-Match, If-Modified-Since) from the values set above.
	http.ServeContent(w, r, name, info.ModTime(), f)
}

// sitePath returns the cleaned site path of a request, or false when the
// request path is ambiguous: an encoded slash or backslash, a backslash, a
// NUL or control character, an empty, "." or ".." segment, or a hidden name.
// Such paths are refused instead of being normalised, because the proxy in
// front decided on the path as it arrived.
func sitePath(r *http.Request) (string, bool) {
	raw := r.URL.EscapedPath()
	lower := strings.ToLower(raw)
	if strings.Contains(lower, "%2f") || strings.Contains(lower, "%5c") || strings.Contains(lower, "%00") {
		return "", false
	}
	p := r.URL.Path
	if !strings.HasPrefix(p, "/") {
		return "", false
	}
	for _, c := range p {
		if c < 0x20 || c == 0x7f || c == '\\' {
			return "", false
		}
	}
	segments := strings.Split(p[1:], "/")
	for i, s := range segments {
		last := i == len(segments)-1
		switch {
		case s == "" && last:
			// A trailing slash asks for a directory's index.
		case s == "", s == ".", s == "..":
			return "", false
		case strings.HasPrefix(s, ".") && !(i == 0 && s == ".well-known"):
			return "", false
		}
	}
	if p == "/" {
		return "/", true
	}
	return strings.TrimSuffix(p, "/"), true
}

// errLink refuses a symbolic link in the site.
var errLink = errors.New("symbolic link in the site")

// openNoLinks opens name inside root, refusing a symbolic link in any of
// its components. os.Root alone keeps links from leaving the directory but
// follows those inside it, so a link under public/ to a gated file would
// serve that file without signing in; the build writes no links, so none
// is followed. Each component is checked with Lstat before the open: the
// site directory is written only by the build, so the gap between the two
// is not a race anyone else can run.
func openNoLinks(root *os.Root, name string) (*os.File, error) {
	if name != "." {
		for i := 0; ; {
			j := strings.IndexByte(name[i:], '/')
			if j < 0 {
				j = len(name)
			} else {
				j += i
			}
			info, err := root.Lstat(name[:j])
			if err != nil {
				return nil, err
			}
			if info.Mode()&fs.ModeSymlink != 0 {
				return nil, errLink
			}
			if j == len(name) {
				break
			}
			i = j + 1
		}
	}
	return root.Open(name)
}

// modestRanges reports whether a Range header asks for at most maxRanges
// byte ranges, in increasing order and without overlap, of a file of the
// given size. A header it cannot parse is left to http.ServeContent.
func modestRanges(header string, size int64) bool {
	spec, ok := strings.CutPrefix(header, "bytes=")
	if !ok {
		return true
	}
	parts := strings.Split(spec, ",")
	if len(parts) > maxRanges {
		return false
	}
	end := int64(-1) // the last byte of the previous range
	for _, p := range parts {
		first, last, ok := strings.Cut(strings.TrimSpace(p), "-")
		if !ok {
			return true
		}
		var start, stop int64
		if first == "" {
			// A suffix range: the last n bytes.
			n, err := strconv.ParseInt(last, 10, 64)
			if err != nil {
				return true
			}
			start, stop = max(size-n, 0), size-1
		} else {
			var err error
			if start, err = strconv.ParseInt(first, 10, 64); err != nil {
				return true
			}
			stop = size - 1
			if last != "" {
				if stop, err = strconv.ParseInt(last, 10, 64); err != nil {
					return true
				}
			}
		}
		if start <= end {
			return false
		}
		end = stop
	}
	return true
}

// rootName turns a site path into a name relative to the site directory.
func rootName(name string) string {
	if name == "/" {
		return "."
	}
	return strings.TrimPrefix(name, "/")
}

func (h *handler) cacheControl(name string) string {
	public := strings.HasPrefix(name+"/", h.publicPrefix)
	switch {
	case h.fingerprinted(name) && public:
		return CacheImmutable
	case h.fingerprinted(name):
		return CachePrivateImmutable
	case public:
		return CachePublic
	default:
		return CachePrivate
	}
}

// isDownload tells a published file: anything in a document's folder but
// its page. The folders of the series names the catalog reserves hold the
// public documents list's later pages.
func (h *handler) isDownload(name string) bool {
	rest, ok := strings.CutPrefix(name, urls.Documents("/"))
	if !ok {
		rest, ok = strings.CutPrefix(name, urls.Documents(h.publicPrefix))
	}
	if !ok || path.Base(name) == "index.html" {
		return false
	}
	series, _, _ := strings.Cut(rest, "/")
	return !slices.Contains(catalog.ReservedSeries, series)
}

// etag returns a strong ETag from the file's SHA-256. It is remembered per
// path, size and modification time so that a file is hashed once per build,
// and it stays the same across rebuilds that produce the same bytes, so
// readers do not download unchanged files again.
func (h *handler) etag(name string, info fs.FileInfo, f *os.File) (string, error) {
	if v, ok := h.etags.Load(name); ok {
		e := v.(etagEntry)
		if e.size == info.Size() && e.modTime.Equal(info.ModTime()) {
			return e.etag, nil
		}
	}
	sum := sha256.New()
	if _, err := io.Copy(sum, f); err != nil {
		return "", err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	etag := `"` + hex.EncodeToString(sum.Sum(nil)[:16]) + `"`
	h.etags.Store(name, etagEntry{size: info.Size(), modTime: info.ModTime(), etag: etag})
	return etag, nil
}

// notFound answers 404 with the site's own /404.html when there is one, so
// that a reader sees the portal's page rather than a bare message.
func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Del("ETag")
	hdr.Del("Content-Disposition")
	hdr.Set("Cache-Control", CacheNotFound)
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	body, err := read404(h.dir)
	if err != nil {
		body = []byte("<!DOCTYPE html>\n<title>Page not found</title>\n<h1>Page not found</h1>\n")
	}
	hdr.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusNotFound)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

func read404(dir string) ([]byte, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	f, err := openNoLinks(root, urls.NotFound)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	return io.ReadAll(io.LimitReader(f, 1<<20))
}
