package serve

import (
	"io/fs"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/stp-portal/stp/generator/internal/precompress"
	"github.com/stp-portal/stp/generator/search"
	"github.com/stp-portal/stp/generator/urls"
)

// The build writes brotli and gzip variants beside the files that compress
// (precompress); the handler sends one when the request accepts it. A
// variant is a representation of its own: it has its own ETag (the hash of
// its bytes) and Content-Length, and every response for a file that has
// variants says Vary: Accept-Encoding, so that a cache keeps them apart.
// A Range request is always answered from the file itself, because byte
// offsets into a compressed variant are not what a reader resuming a
// download means, and browsers disagree on how to combine the two.

// variant is an open compressed variant of a file.
type variant struct {
	enc  precompress.Encoding
	f    *os.File
	info fs.FileInfo
}

// variants reports whether name has compressed variants and opens the one
// the request prefers, if any. A variant that is not a regular file, or a
// link, is ignored.
func (h *handler) variants(root *os.Root, name string, accept string, ranged bool) (has bool, v *variant) {
	if !precompress.Worth(name) {
		return false, nil
	}
	var present []precompress.Encoding
	for _, e := range precompress.Encodings {
		if st, err := root.Lstat(rootName(name + e.Suffix)); err == nil && st.Mode().IsRegular() {
			present = append(present, e)
		}
	}
	if len(present) == 0 {
		return false, nil
	}
	if ranged {
		return true, nil
	}
	e, ok := negotiate(accept, present)
	if !ok {
		return true, nil
	}
	f, err := openNoLinks(root, rootName(name+e.Suffix))
	if err != nil {
		return true, nil
	}
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		f.Close()
		return true, nil
	}
	return true, &variant{enc: e, f: f, info: info}
}

// negotiate picks, among the encodings offered (in the server's order of
// preference), the one Accept-Encoding rates highest (RFC 9110, 12.5.3):
// a coding listed with q=0 is refused, "*" rates every coding not listed,
// and a tie goes to the server's order. It reports false when identity is
// best, or when the header is absent or names no coding offered.
func negotiate(header string, offered []precompress.Encoding) (precompress.Encoding, bool) {
	if strings.TrimSpace(header) == "" {
		return precompress.Encoding{}, false
	}
	q := map[string]float64{}
	star := -1.0
	for _, item := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(item, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding == "" {
			continue
		}
		weight := 1.0
		for _, p := range strings.Split(params, ";") {
			k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				w, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
				if err != nil || w < 0 || w > 1 {
					w = 0 // an unreadable weight does not make a coding acceptable
				}
				weight = w
			}
		}
		if coding == "x-gzip" {
			coding = "gzip"
		}
		if coding == "*" {
			star = weight
			continue
		}
		if old, seen := q[coding]; !seen || weight > old {
			q[coding] = weight
		}
	}
	rate := func(coding string) float64 {
		if w, ok := q[coding]; ok {
			return w
		}
		if star >= 0 {
			return star
		}
		return 0
	}
	best, bestQ := precompress.Encoding{}, 0.0
	for _, e := range offered {
		if w := rate(e.Name); w > bestQ {
			best, bestQ = e, w
		}
	}
	if bestQ == 0 {
		return precompress.Encoding{}, false
	}
	// Identity is always acceptable as a last resort; it wins over a
	// variant only when the header rates it higher (explicitly or by "*").
	identity := star
	if w, ok := q["identity"]; ok {
		identity = w
	}
	if identity > bestQ {
		return precompress.Encoding{}, false
	}
	return best, true
}

// fingerprinted tells whether the file at a site path is named with the
// hash of its content, so that what is under that name never changes: the
// layouts' assets under the public prefix, and the index, engine and
// runtime in the two search folders (search.Fingerprinted).
func (h *handler) fingerprinted(name string) bool {
	if path.Base(name) == "index.html" {
		return false // a folder's page, such as assets/' placeholder
	}
	if strings.HasPrefix(name, urls.Assets(h.publicPrefix)) {
		return true
	}
	dir := path.Dir(name) + "/"
	if dir != urls.SearchDir("/") && dir != urls.SearchDir(h.publicPrefix) {
		return false
	}
	return search.Fingerprinted(path.Base(name))
}

// serveVariant sends a compressed variant of name: the file's own type, the
// variant's ETag and length, and the coding.
func (h *handler) serveVariant(w http.ResponseWriter, r *http.Request, name string, v *variant) error {
	etag, err := h.etag(name+v.enc.Suffix, v.info, v.f)
	if err != nil {
		return err
	}
	hdr := w.Header()
	hdr.Set("ETag", etag)
	hdr.Set("Content-Encoding", v.enc.Name)
	// ServeContent leaves the length out when a coding is set, for
	// handlers that compress as they write; this one knows it.
	hdr.Set("Content-Length", strconv.FormatInt(v.info.Size(), 10))
	http.ServeContent(w, r, name, v.info.ModTime(), v.f)
	return nil
}
