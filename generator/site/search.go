package site

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/stp-portal/stp/generator/internal/par"
	"github.com/stp-portal/stp/generator/internal/precompress"
	"github.com/stp-portal/stp/generator/search"
	"github.com/stp-portal/stp/generator/site/output"
	"github.com/stp-portal/stp/generator/urls"
)

// searchDir is where each area's index lives (urls.SearchDir): search/
// behind the proxy with every listed version, public/search/ with the
// public ones only, so that a reader without a session can search, and
// learn of, public documents only.
var searchDir = urls.SearchDir("")

// manifestName is the one search file without a hash in its name: pages
// point at it, and it names the fingerprinted index and engine, which may
// then be cached for a year.
const manifestName = urls.ManifestName

// searchRecords turns the listed versions of one area into index records:
// every one behind the proxy, the public ones only under the public prefix.
// It reads the catalog, not the area's views, so that a fresh build can
// start indexing before it plans any page.
func (b *pass) searchRecords(public bool) []search.Record {
	prefix := urls.Area(public)
	var recs []search.Record
	for _, s := range b.series {
		for _, d := range s.Versions() {
			if public && !d.Public {
				continue
			}
			r := search.Record{
				ID: d.ID, Series: d.Series, Version: d.Version, Kind: d.Kind, Title: d.Title, Summary: d.Summary,
				Body: b.descs[d].text, Services: d.Services, Standards: d.Standards, Regions: d.Regions, Industries: d.Industries,
				Published: d.Published, URL: urls.DocumentPage(prefix, s.ID), Current: d == s.Current, Public: d.Public,
			}
			if p := d.AuditPeriod; p != nil {
				r.PeriodFrom, r.PeriodTo = p.From, p.To
			}
			recs = append(recs, r)
		}
	}
	return recs
}

func (b *pass) searchLabels() search.Labels {
	l := search.Labels{search.FacetKind: {}}
	for _, k := range urls.Kinds {
		l[search.FacetKind][k.ID] = k.Singular
	}
	for facet, key := range map[string]string{search.FacetService: "service", search.FacetStandard: "standard",
		search.FacetRegion: "region", search.FacetIndustry: "industry"} {
		l[facet] = map[string]string{}
		for _, t := range b.taxonomy(key) {
			l[facet][t.ID] = t.Name
		}
	}
	return l
}

// writeSearch writes an area's index (and, for search in the browser, the
// engine) into dir, then the manifest under its stable name. It returns the
// files written, relative to dir.
func writeSearch(dir string, recs []search.Record, labels search.Labels, server bool, opts ...search.Option) ([]string, error) {
	var m search.Manifest
	var err error
	if server {
		m, err = search.Write(dir, recs, labels, nil, opts...)
	} else {
		m, err = search.WriteIndex(dir, recs, labels, opts...)
	}
	if err != nil {
		return nil, err
	}
	// Replacing the manifest last, by rename, lets a running site switch
	// to the new index in one step.
	if err := os.Rename(filepath.Join(dir, m.File), filepath.Join(dir, manifestName)); err != nil {
		return nil, err
	}
	files := []string{manifestName, m.Index}
	for _, f := range []string{m.Engine, m.Runtime} {
		if f != "" {
			files = append(files, f)
		}
	}
	variants, err := compressSearch(dir, m)
	if err != nil {
		return nil, err
	}
	return append(files, variants...), nil
}

// compressSearch writes the brotli and gzip variants of an area's
// fingerprinted search files beside them, for stp serve to send, and
// returns their names. The files are compressed at the same time; the
// engine, the same from build to build, through the cache. A variant
// already in dir (a build over stp build's spare, or in place) is kept:
// its name carries the hash of what it encodes, and it is written whole
// or not at all.
func compressSearch(dir string, m search.Manifest) ([]string, error) {
	type file struct {
		name  string
		level precompress.Level
	}
	files := []file{{m.Index, precompress.Changing}}
	for _, f := range []string{m.Engine, m.Runtime} {
		if f != "" {
			files = append(files, file{f, precompress.Stable})
		}
	}
	names := make([][]string, len(files))
	cache := precompress.DefaultCache()
	err := par.Each(len(files), len(files), func(i int) error {
		p := filepath.Join(dir, files[i].name)
		var have []string
		for _, e := range precompress.Encodings {
			if st, err := os.Lstat(p + e.Suffix); err == nil && st.Mode().IsRegular() {
				have = append(have, files[i].name+e.Suffix)
			}
		}
		if len(have) == len(precompress.Encodings) {
			names[i] = have
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		c := cache
		if files[i].level == precompress.Changing {
			c = precompress.Cache{} // a new index each time: not worth keeping
		}
		vs, err := c.Compress(data, files[i].level)
		if err != nil {
			return fmt.Errorf("compressing %s: %w", files[i].name, err)
		}
		for _, v := range vs {
			if err := precompress.WriteFile(p+v.Suffix, v.Data); err != nil {
				return err
			}
			names[i] = append(names[i], files[i].name+v.Suffix)
		}
		return nil
	})
	return slices.Concat(names...), err
}

// removeStaleSearch deletes index files in dir that keep is not naming.
func removeStaleSearch(dir string, keep []string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !e.IsDir() && e.Name() != "index.html" && !slices.Contains(keep, e.Name()) {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// searchAPI is the endpoint `stp serve` answers queries at, when the site
// searches on the server.
func (b *pass) searchAPI(a *area) string {
	if api, _ := b.searchPlacement(); !api {
		return ""
	}
	return b.base + urls.SearchAPI(a.prefix)
}

// searchPlacement is search.Placement for this catalog.
func (b *pass) searchPlacement() (api, engine bool) {
	versions := 0
	for _, s := range b.series {
		versions += len(s.Versions())
	}
	return search.Placement(b.cat.Site.Search, versions)
}

// writeSearchIndexes writes both areas' indexes. A fresh build starts them
// once descriptions are rendered, to be built beside everything else, and
// waits for them at the end; a rebuild in place hands them, once its pages
// are written, to the Rebuilder's background indexer, so an edit shows
// before the index catches up. Unchanged records are not indexed again.
func (b *pass) writeSearchIndexes(w *output.Writer) <-chan error {
	done := make(chan error, 1)
	if w.IsDry() {
		done <- nil
		return done
	}
	_, engine := b.searchPlacement()
	server := !engine
	labels := b.searchLabels()
	index := func() error {
		for _, public := range []bool{false, true} {
			dir := filepath.Join(w.Dir(), filepath.FromSlash(urls.SearchDir(urls.Area(public))))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			files, err := writeSearch(dir, b.searchRecords(public), labels, server, search.WithSynonyms(b.cat.Site.SearchSynonyms))
			if err != nil {
				return err
			}
			removeStaleSearch(dir, files)
		}
		return nil
	}
	if !w.IsInPlace() {
		go func() { err := index(); b.trace.phase("search index written"); done <- err }()
		return done
	}
	k := newKey(0).any(server, labels, b.cat.Site.SearchSynonyms)
	for _, a := range []*area{b.gated, b.public} {
		for _, s := range a.series {
			for _, v := range s.Versions {
				k.num(v.key)
			}
		}
	}
	done <- nil
	b.indexer.run(k.sum(), index)
	return done
}
