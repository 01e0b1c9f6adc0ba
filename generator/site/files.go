package site

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/stp-portal/stp/generator/catalog"
	"github.com/stp-portal/stp/generator/serve"
	"github.com/stp-portal/stp/generator/site/output"
	"github.com/stp-portal/stp/generator/urls"
)

// writeAssets copies layouts/assets/ and the logo to the public prefix
// under fingerprinted names, so a CDN may cache them for a year.
func (b *pass) writeAssets(w *output.Writer) error {
	dir := filepath.Join(b.o.Root, "layouts", "assets")
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	b.assets = map[string]string{}
	var jobs []output.Job
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		if e.Name() == "site.css" {
			// The accent colour is checked to be a hex colour, so it is safe
			// in CSS; putting it here keeps pages free of inline styles.
			data = append([]byte(":root{--accent:"+b.cat.Site.Accent+"}\n"), data...)
		}
		js, err := withVariants(b.asset(e.Name(), data), data)
		if err != nil {
			return err
		}
		jobs = append(jobs, js...)
	}
	if logo := b.cat.Site.Logo; logo != "" {
		data, err := os.ReadFile(filepath.Join(b.o.Root, "content", filepath.FromSlash(logo)))
		if err != nil {
			return err
		}
		js, err := withVariants(b.asset("logo"+path.Ext(logo), data), data)
		if err != nil {
			return err
		}
		jobs = append(jobs, js...)
	}
	return w.Run(jobs)
}

// asset publishes data under a name that carries its hash, which is also
// its key.
func (b *pass) asset(name string, data []byte) output.Job {
	rel := urls.Asset(fingerprint(name, data))
	b.assets[name] = rel
	return output.Job{Rel: rel, Key: newKey(0).str(rel).sum(), Render: func(buf *bytes.Buffer) error {
		_, err := buf.Write(data)
		return err
	}}
}

// copyFiles copies each listed version's file once, into its series'
// folder beside the series page and under its own name: public versions
// under the public prefix, the rest in the gated site. A series folder has
// its page as index, so downloads need no folders of their own.
func (b *pass) copyFiles(w *output.Writer) error {
	var docs []*catalog.Document
	for _, s := range b.series {
		docs = append(docs, s.Versions()...)
	}
	rels := make([]string, len(docs))
	srcs := make([]string, len(docs))
	stamps := make([]output.Stamp, len(docs))
	var copies []output.Copy
	var copied, claimed []int
	for i, d := range docs {
		rels[i] = urls.DocumentFile(urls.Area(d.Public), d.Series, path.Base(d.File))
		srcs[i] = filepath.Join(b.o.Root, "content", filepath.FromSlash(d.File))
		st, ok := b.prev.files[srcs[i]]
		if ok && b.trustFiles && w.IsInPlace() && b.prev.outputs[rels[i]] {
			// Nothing under content/ changed since the last build: the
			// file is in place and its stamp holds.
			stamps[i] = st
			claimed = append(claimed, i)
			continue
		}
		c := output.Copy{Src: srcs[i], Rel: rels[i]}
		if ok {
			c.Prev = &st
		}
		copies = append(copies, c)
		copied = append(copied, i)
	}
	claims := make([]string, len(claimed))
	for k, i := range claimed {
		claims[k] = rels[i]
	}
	w.Claim(claims...)
	done, err := w.CopyAll(copies)
	for k, i := range copied {
		stamps[i] = done[k]
	}
	var failed *output.CopyError
	if errors.As(err, &failed) {
		d := docs[copied[failed.Index]]
		err = fmt.Errorf("%s: copying %s: %w", d.At("file"), d.File, failed.Err)
	}
	b.files = make(map[*catalog.Document]*FileView, len(docs))
	b.next.files = make(map[string]output.Stamp, len(docs))
	for i, d := range docs {
		st := stamps[i]
		b.files[d] = &FileView{URL: b.base + urls.Escape(rels[i]), Name: path.Base(d.File), Type: serve.ContentType(d.File), Size: st.Size, SHA256: st.SHA256}
		b.next.files[srcs[i]] = st
	}
	return err
}

// fingerprint returns name with a content hash before its extension:
// site.css → site.3f9a1c2b7d.css.
func fingerprint(name string, data []byte) string {
	sum := sha256.Sum256(data)
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
}
