package main

import (
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/stp-portal/stp/generator/internal/precompress"
	"github.com/stp-portal/stp/generator/search"
)

// compressSite writes the brotli and gzip variants of every compressible
// file under dir that has none yet, as stp build does for its search
// files: quality 11 for what seldom changes, 5 for an index. Pagefind's
// own index files (.pagefind, .pf_*) are gzip inside already and get none,
// as Pagefind serves them.
func compressSite(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !precompress.Worth(p) {
			return err
		}
		if _, err := os.Stat(p + ".br"); err == nil {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		level := precompress.Stable
		if strings.HasSuffix(p, ".stpidx") {
			level = precompress.Changing
		}
		vs, err := precompress.Compress(data, level)
		if err != nil {
			return err
		}
		for _, v := range vs {
			if err := precompress.WriteFile(p+v.Suffix, v.Data); err != nil {
				return err
			}
		}
		return nil
	})
}

// pagefindHashed matches Pagefind's fingerprinted names
// (pagefind/fragment/en_1a2b3c4.pf_fragment, wasm.en.pagefind is not).
var pagefindHashed = regexp.MustCompile(`_[0-9a-f]{6,}\.pf_[a-z]+$`)

// siteHandler serves dir as stp serve serves a built site's search files,
// for both engines alike: the brotli variant to a browser that accepts it,
// and a year's caching for files whose names carry their hash (stp's
// fingerprinted names, Pagefind's hashed index and fragment files); the
// rest is revalidated (Last-Modified) on every use.
func siteHandler(dir string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := path.Clean("/" + r.URL.Path)
		p := filepath.Join(dir, filepath.FromSlash(name))
		st, err := os.Stat(p)
		if err != nil || st.IsDir() {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		if t := mime.TypeByExtension(path.Ext(name)); t != "" {
			h.Set("Content-Type", t)
		} else {
			h.Set("Content-Type", "application/octet-stream")
		}
		if search.Fingerprinted(path.Base(name)) || pagefindHashed.MatchString(name) {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		h.Set("Vary", "Accept-Encoding")
		if strings.Contains(r.Header.Get("Accept-Encoding"), "br") {
			if bst, err := os.Stat(p + ".br"); err == nil {
				f, err := os.Open(p + ".br")
				if err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
				defer f.Close()
				h.Set("Content-Encoding", "br")
				http.ServeContent(w, r, name, bst.ModTime(), f)
				return
			}
		}
		f, err := os.Open(p)
		if err != nil {
			http.Error(w, fmt.Sprint(err), http.StatusInternalServerError)
			return
		}
		defer f.Close()
		http.ServeContent(w, r, name, st.ModTime(), f)
	})
}
