// Package diff compares two built portals: their catalog.json (documents
// added, removed, re-versioned, dropped, changed and flipped between public
// and gated) and their file trees (pages and files added, removed and
// changed, by content hash). Builds are deterministic, so every difference it
// reports is a real change a reviewer can look at.
package diff

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/stp-portal/stp/generator/internal/precompress"
	"github.com/stp-portal/stp/generator/site"
	"github.com/stp-portal/stp/generator/site/output"
	"github.com/stp-portal/stp/generator/urls"

	"github.com/stp-portal/stp/generator/catalog"
)

// Site is a built portal as the comparison reads it.
type Site struct {
	// Label names the site in the report: a folder or a git revision.
	Label   string
	Catalog Catalog
	// Files maps each file's path (slash-separated, relative to the site,
	// fingerprints of assets taken out) to the SHA-256 of its content.
	Files map[string]string
}

// Catalog is the gated catalog.json at the root of a built site; its
// format is the generator's.
type (
	Catalog  = site.CatalogJSON
	Document = site.CatalogDocument
	Period   = site.CatalogPeriod
	File     = site.CatalogFile
)

// Load reads a built site from dir.
func Load(dir, label string) (*Site, error) {
	data, err := os.ReadFile(filepath.Join(dir, urls.CatalogJSON("")))
	if err != nil {
		return nil, fmt.Errorf("%s is not a built site (no catalog.json): %w", dir, err)
	}
	s := &Site{Label: label, Files: map[string]string{}}
	if err := json.Unmarshal(data, &s.Catalog); err != nil {
		return nil, fmt.Errorf("%s/catalog.json: %w", dir, err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	err = fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || p == output.Marker {
			return err
		}
		// A compressed variant says nothing its original does not.
		if orig, ok := precompress.Original(p); ok {
			if info, err := root.Stat(orig); err == nil && info.Mode().IsRegular() {
				return nil
			}
		}
		f, err := root.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
		s.Files[unfingerprint(p)] = hex.EncodeToString(h.Sum(nil))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", dir, err)
	}
	return s, nil
}

// fingerprint matches a generated file named with its content hash:
// site.3ff2e55753.css, index.590ac9d869d2d741.stpidx.
var fingerprint = regexp.MustCompile(`^(.*)\.[0-9a-f]{8,64}(\.[A-Za-z0-9]+)$`)

// unfingerprint names a generated file without its content hash, so that an
// edited stylesheet or a rebuilt search index shows as changed rather than
// as one file removed and another added. Downloads keep the publisher's
// names.
func unfingerprint(p string) string {
	if (strings.HasPrefix(p, urls.Documents("")) || strings.HasPrefix(p, urls.Documents(urls.Public))) && path.Base(p) != "index.html" {
		return p // a download: the publisher's own name
	}
	dir, name := path.Split(p)
	if m := fingerprint.FindStringSubmatch(name); m != nil {
		return dir + m[1] + m[2]
	}
	return p
}

// Report is everything that differs between two sites.
type Report struct {
	Old Side `json:"old"`
	New Side `json:"new"`
	// Access lists versions whose readers change: flipped between public
	// and gated, or added as public. It is the first thing to review.
	Access []AccessChange `json:"access"`
	// Retention lists versions dropped before their retention ended.
	Retention []Drop `json:"retention"`
	// Shrink is set when the change takes away most of the portal.
	Shrink      *Shrink        `json:"shrink"`
	Added       []SeriesChange `json:"added"`
	Removed     []SeriesChange `json:"removed"`
	Reversioned []Reversion    `json:"reversioned"`
	// VersionsAdded are versions added to an existing document that did
	// not become its current version.
	VersionsAdded []Version `json:"versions_added"`
	// Dropped are versions gone from a document that is still listed.
	Dropped []Drop           `json:"dropped"`
	Changed []MetadataChange `json:"changed"`
	Pages   FileChanges      `json:"pages"`
	Files   FileChanges      `json:"files"`
	// NewlyPublic are files added under the public prefix: readable without
	// signing in.
	NewlyPublic []string `json:"newly_public"`
	// LookAt is a short list of pages (site-relative URLs) a reviewer
	// should open.
	LookAt []string `json:"look_at"`
}

// Side describes one of the two sites.
type Side struct {
	Label    string `json:"label"`
	Date     string `json:"date"`
	BaseURL  string `json:"base_url"`
	Versions int    `json:"versions"`
	Pages    int    `json:"pages"`
	Files    int    `json:"files"`
}

// Shrink is a change that takes away more than half of the versions a
// portal listed: a documents list emptied by a bad merge or an indentation
// slip builds without an error, and must not pass review as one more
// removal among others.
type Shrink struct {
	Old int `json:"old"` // versions listed before
	New int `json:"new"` // and after
}

// shrunk reports a change from old to new listed versions that removes
// more than half of them.
func shrunk(old, new int) *Shrink {
	if old >= 2 && 2*new < old {
		return &Shrink{Old: old, New: new}
	}
	return nil
}

// Version names one version of a document.
type Version struct {
	ID        string `json:"id"`
	Series    string `json:"series"`
	Version   string `json:"version"`
	Title     string `json:"title"`
	Published string `json:"published"`
	Public    bool   `json:"public"`
	URL       string `json:"url"`
}

// SeriesChange is a document added or removed as a whole.
type SeriesChange struct {
	Series string `json:"series"`
	Title  string `json:"title"`
	Kind   string `json:"kind"`
	// Current is the current (or newest listed) version.
	Current  Version   `json:"current"`
	Versions []Version `json:"versions"`
	// Reason is why a removed document's newest version went, as in Drop.
	Reason string `json:"reason,omitempty"`
}

// Reversion is a document whose current version changed.
type Reversion struct {
	Series string `json:"series"`
	Title  string `json:"title"`
	URL    string `json:"url"`
	// From and To are nil when the document had, or has, no current
	// version (its newest version expired).
	From *Version `json:"from"`
	To   *Version `json:"to"`
	// Back is true when the new current version is older than the old one.
	Back bool `json:"back,omitempty"`
}

// Drop is a version no longer listed, and why.
type Drop struct {
	Version
	// Reason is "expired", "retention-ended" or "early": dropped while it
	// still had to stay downloadable.
	Reason string `json:"reason"`
	// Until is the day the version had to stay listed until; set when
	// Reason is "early" or "retention-ended".
	Until string `json:"until,omitempty"`
}

// Drop reasons.
const (
	DropExpired        = "expired"
	DropRetentionEnded = "retention-ended"
	DropEarly          = "early"
)

// MetadataChange is a version present in both sites whose metadata
// differs.
type MetadataChange struct {
	Version
	Fields []FieldChange `json:"fields"`
}

// FieldChange is one field's old and new value, as text.
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// AccessChange is a version that became readable without signing in, or
// stopped being so.
type AccessChange struct {
	Version
	// Change is "public" (was gated), "gated" (was public) or
	// "added-public" (new, and public).
	Change string `json:"change"`
}

// Access changes.
const (
	NowPublic   = "public"
	NowGated    = "gated"
	AddedPublic = "added-public"
)

// FileChanges lists paths added, removed and changed (by content).
type FileChanges struct {
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
	Changed []string `json:"changed"`
}

// Empty reports whether nothing changed.
func (f FileChanges) Empty() bool {
	return len(f.Added)+len(f.Removed)+len(f.Changed) == 0
}

// Empty reports whether the two sites are the same.
func (r *Report) Empty() bool {
	return len(r.Access)+len(r.Retention)+len(r.Added)+len(r.Removed)+len(r.Reversioned)+
		len(r.VersionsAdded)+len(r.Dropped)+len(r.Changed) == 0 && r.Pages.Empty() && r.Files.Empty()
}

// lookAtMax bounds the list of pages to look at.
const lookAtMax = 10

// Compare reports what changed from old to new.
func Compare(old, new *Site) *Report {
	r := &Report{Old: side(old), New: side(new)}
	oldByID, newByID := byID(old.Catalog.Documents), byID(new.Catalog.Documents)
	oldSeries, newSeries := bySeries(old.Catalog.Documents), bySeries(new.Catalog.Documents)
	newDate := parseDay(new.Catalog.Date)
	oldBase, newBase := urls.BasePath(old.Catalog.BaseURL), urls.BasePath(new.Catalog.BaseURL)

	for _, d := range new.Catalog.Documents {
		o, ok := oldByID[d.ID]
		switch {
		case !ok && d.Public:
			r.Access = append(r.Access, AccessChange{version(d, newBase), AddedPublic})
		case ok && o.Public != d.Public:
			change := NowGated
			if d.Public {
				change = NowPublic
			}
			r.Access = append(r.Access, AccessChange{version(d, newBase), change})
		}
		if ok {
			if fields := fieldChanges(o, d); len(fields) > 0 {
				r.Changed = append(r.Changed, MetadataChange{version(d, newBase), fields})
			}
		} else if _, existed := oldSeries[d.Series]; existed && !d.Current {
			r.VersionsAdded = append(r.VersionsAdded, version(d, newBase))
		}
	}
	for _, id := range sortedKeys(newSeries) {
		if _, ok := oldSeries[id]; ok {
			continue
		}
		r.Added = append(r.Added, seriesChange(newSeries[id], newBase))
	}
	for _, id := range sortedKeys(oldSeries) {
		docs := oldSeries[id]
		if _, ok := newSeries[id]; !ok {
			sc := seriesChange(docs, oldBase)
			sc.Reason = dropOf(latest(docs), oldBase, newDate).Reason
			r.Removed = append(r.Removed, sc)
		}
		for _, d := range docs {
			if _, ok := newByID[d.ID]; ok {
				continue
			}
			drop := dropOf(d, oldBase, newDate)
			if drop.Reason == DropEarly {
				r.Retention = append(r.Retention, drop)
			}
			if _, ok := newSeries[id]; ok {
				r.Dropped = append(r.Dropped, drop)
			}
		}
		if nd, ok := newSeries[id]; ok {
			from, to := current(docs), current(nd)
			if idOf(from) != idOf(to) {
				rv := Reversion{Series: id, Title: latest(nd).Title, URL: relURL(latest(nd).URL, newBase)}
				if from != nil {
					v := version(*from, oldBase)
					rv.From = &v
				}
				if to != nil {
					v := version(*to, newBase)
					rv.To = &v
				}
				rv.Back = from != nil && to != nil && to.Published < from.Published
				r.Reversioned = append(r.Reversioned, rv)
			}
		}
	}
	r.Shrink = shrunk(len(old.Catalog.Documents), len(new.Catalog.Documents))
	r.Pages, r.Files, r.NewlyPublic = compareFiles(old.Files, new.Files)
	sortVersions(r)
	r.LookAt = lookAt(r, new.Files)
	return r
}

func side(s *Site) Side {
	out := Side{Label: s.Label, Date: s.Catalog.Date, BaseURL: s.Catalog.BaseURL, Versions: len(s.Catalog.Documents)}
	for p := range s.Files {
		if isPage(p) {
			out.Pages++
		} else {
			out.Files++
		}
	}
	return out
}

func byID(docs []Document) map[string]Document {
	m := make(map[string]Document, len(docs))
	for _, d := range docs {
		m[d.ID] = d
	}
	return m
}

// bySeries groups versions by series, newest first.
func bySeries(docs []Document) map[string][]Document {
	m := map[string][]Document{}
	for _, d := range docs {
		m[d.Series] = append(m[d.Series], d)
	}
	for _, vs := range m {
		slices.SortFunc(vs, func(a, b Document) int { return cmp.Or(cmp.Compare(b.Published, a.Published), cmp.Compare(a.ID, b.ID)) })
	}
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func current(docs []Document) *Document {
	for i := range docs {
		if docs[i].Current {
			return &docs[i]
		}
	}
	return nil
}

func latest(docs []Document) Document {
	if c := current(docs); c != nil {
		return *c
	}
	return docs[0]
}

func idOf(d *Document) string {
	if d == nil {
		return ""
	}
	return d.ID
}

func version(d Document, base string) Version {
	return Version{ID: d.ID, Series: d.Series, Version: d.Version, Title: d.Title, Published: d.Published, Public: d.Public, URL: relURL(d.URL, base)}
}

func seriesChange(docs []Document, base string) SeriesChange {
	cur := latest(docs)
	sc := SeriesChange{Series: cur.Series, Title: cur.Title, Kind: cur.Kind, Current: version(cur, base)}
	for _, d := range docs {
		sc.Versions = append(sc.Versions, version(d, base))
	}
	return sc
}

// dropOf says why a version listed in the old site is not in the new one,
// by the catalog's retention rule as of the new site's date.
func dropOf(d Document, base string, newDate time.Time) Drop {
	drop := Drop{Version: version(d, base)}
	// The version as the catalog's retention rule knows it.
	rule := &catalog.Document{Published: parseDay(d.Published)}
	if d.Expires != "" {
		expires := parseDay(d.Expires)
		rule.Expires = &expires
	}
	if !newDate.IsZero() && rule.Expired(newDate) {
		drop.Reason = DropExpired
		return drop
	}
	until := rule.RetainedUntil()
	drop.Until = until.Format(time.DateOnly)
	if d.Expires != "" && parseDay(d.Expires).Before(until) {
		// An expiry inside the retention period is refused by stp check,
		// but a built site may predate that rule.
		drop.Until = d.Expires
	}
	if !newDate.IsZero() && !newDate.Before(until) {
		drop.Reason = DropRetentionEnded
	} else {
		drop.Reason = DropEarly
	}
	return drop
}

func parseDay(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

// relURL makes a page URL relative to the site's root, "documents/x/";
// base is the site's urls.BasePath, escaped as the URLs are.
func relURL(u, base string) string {
	if p, err := url.Parse(u); err == nil && p.Host != "" {
		u = p.EscapedPath()
	}
	return strings.TrimPrefix(u, base)
}

// fieldChanges compares the metadata of one version in both sites. URLs
// follow from the id and access and are left out; access is reported on
// its own.
func fieldChanges(o, n Document) []FieldChange {
	var out []FieldChange
	add := func(field, a, b string) {
		if a != b {
			out = append(out, FieldChange{field, a, b})
		}
	}
	add("series", o.Series, n.Series)
	add("version", o.Version, n.Version)
	add("kind", o.Kind, n.Kind)
	add("title", o.Title, n.Title)
	add("summary", o.Summary, n.Summary)
	add("services", strings.Join(o.Services, ", "), strings.Join(n.Services, ", "))
	add("standards", strings.Join(o.Standards, ", "), strings.Join(n.Standards, ", "))
	add("regions", strings.Join(o.Regions, ", "), strings.Join(n.Regions, ", "))
	add("industries", strings.Join(o.Industries, ", "), strings.Join(n.Industries, ", "))
	add("published", o.Published, n.Published)
	add("audit_period", period(o.AuditPeriod), period(n.AuditPeriod))
	add("expires", o.Expires, n.Expires)
	add("file.name", o.File.Name, n.File.Name)
	if o.File.SHA256 != n.File.SHA256 {
		out = append(out, FieldChange{"file.sha256", o.File.SHA256, n.File.SHA256})
	}
	return out
}

func period(p *Period) string {
	if p == nil {
		return ""
	}
	return p.From + " to " + p.To
}

// isPage reports whether a built file is a page.
func isPage(p string) bool { return strings.HasSuffix(p, ".html") }

func compareFiles(old, new map[string]string) (pages, files FileChanges, newlyPublic []string) {
	for _, p := range sortedKeys(new) {
		target := &files
		if isPage(p) {
			target = &pages
		}
		h, ok := old[p]
		switch {
		case !ok:
			target.Added = append(target.Added, p)
			if strings.HasPrefix(p, urls.Public) {
				newlyPublic = append(newlyPublic, p)
			}
		case h != new[p]:
			target.Changed = append(target.Changed, p)
		}
	}
	for _, p := range sortedKeys(old) {
		if _, ok := new[p]; !ok {
			if isPage(p) {
				pages.Removed = append(pages.Removed, p)
			} else {
				files.Removed = append(files.Removed, p)
			}
		}
	}
	return pages, files, newlyPublic
}

func sortVersions(r *Report) {
	byID := func(a, b Version) int { return cmp.Or(cmp.Compare(a.Series, b.Series), cmp.Compare(a.ID, b.ID)) }
	slices.SortFunc(r.Access, func(a, b AccessChange) int { return byID(a.Version, b.Version) })
	slices.SortFunc(r.Retention, func(a, b Drop) int { return byID(a.Version, b.Version) })
	slices.SortFunc(r.VersionsAdded, byID)
	slices.SortFunc(r.Dropped, func(a, b Drop) int { return byID(a.Version, b.Version) })
	slices.SortFunc(r.Changed, func(a, b MetadataChange) int { return byID(a.Version, b.Version) })
}

// lookAt picks the pages a reviewer should open, most important first:
// access changes, then documents added, re-versioned or changed, then the
// home page and other changed pages that are not lists.
func lookAt(r *Report, newFiles map[string]string) []string {
	changed := map[string]bool{}
	for _, p := range append(slices.Clone(r.Pages.Added), r.Pages.Changed...) {
		changed[p] = true
	}
	var out []string
	add := func(u string) {
		file := urls.OutputFile(u)
		if len(out) < lookAtMax && changed[file] && !slices.Contains(out, u) {
			if _, ok := newFiles[file]; ok {
				out = append(out, u)
			}
		}
	}
	for _, a := range r.Access {
		add(a.URL)
		if a.Public {
			add(urls.Public + a.URL)
		}
	}
	for _, s := range r.Added {
		add(s.Current.URL)
	}
	for _, s := range r.Reversioned {
		add(s.URL)
	}
	for _, c := range r.Changed {
		add(c.URL)
	}
	add("")
	// Document pages were chosen above. Then the pages written in
	// content/ and the libraries' first pages; taxonomy lists, other
	// orders and download stubs change with any document.
	var pages, libraries []string
	skip := []string{"files/", urls.Documents(""), urls.Assets(""), urls.SearchDir("")}
	for _, tx := range urls.Taxonomies {
		skip = append(skip, tx.Folder)
	}
	var libs []string
	for _, k := range urls.Kinds {
		libs = append(libs, urls.Library("", k.ID))
	}
	under := func(rel string, dirs []string) bool {
		return slices.ContainsFunc(dirs, func(d string) bool { return strings.HasPrefix(rel, d) })
	}
	for _, p := range append(slices.Clone(r.Pages.Added), r.Pages.Changed...) {
		rel := strings.TrimPrefix(p, urls.Public)
		u := urls.SitePath(p)
		switch {
		case !strings.HasSuffix(p, "/index.html") || under(rel, skip):
		case slices.Contains(libs, urls.SitePath(rel)):
			libraries = append(libraries, u)
		case !under(rel, libs):
			pages = append(pages, u)
		}
	}
	for _, u := range append(pages, libraries...) {
		add(u)
	}
	return out
}
