package site

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/url"
	"slices"
	"sort"
	"time"

	"github.com/stp-portal/stp/generator/internal/par"
	"github.com/stp-portal/stp/generator/urls"
)

// feedEntries caps the Atom feed; readers' feed tools only need what is
// recent.
const feedEntries = 50

// newest returns the n newest of docs, newest first, as a stable sort by
// newerFirst would begin, in one pass rather than a sort of them all.
func newest(docs []*DocView, n int) []*DocView {
	top := make([]*DocView, 0, n+1)
	for _, d := range docs {
		if len(top) == n && newerFirst(d, top[n-1]) >= 0 {
			continue
		}
		i := sort.Search(len(top), func(i int) bool { return newerFirst(d, top[i]) < 0 })
		top = slices.Insert(top, i, d)
		if len(top) > n {
			top = top[:n]
		}
	}
	return top
}

// feed writes the area's Atom feed of published and updated versions,
// newest first.
func (b *pass) feed(buf *bytes.Buffer, a *area) error {
	var docs []*DocView
	for _, s := range a.series {
		docs = append(docs, s.Versions...)
	}
	docs = newest(docs, feedEntries)

	type link struct {
		Rel  string `xml:"rel,attr,omitempty"`
		Type string `xml:"type,attr,omitempty"`
		Href string `xml:"href,attr"`
	}
	type text struct {
		Type string `xml:"type,attr,omitempty"`
		Body string `xml:",chardata"`
	}
	type category struct {
		Term  string `xml:"term,attr"`
		Label string `xml:"label,attr,omitempty"`
	}
	type entry struct {
		Title      string     `xml:"title"`
		ID         string     `xml:"id"`
		Link       link       `xml:"link"`
		Updated    string     `xml:"updated"`
		Published  string     `xml:"published"`
		Summary    text       `xml:"summary"`
		Categories []category `xml:"category"`
	}
	type feed struct {
		XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
		Title   string   `xml:"title"`
		ID      string   `xml:"id"`
		Links   []link   `xml:"link"`
		Updated string   `xml:"updated"`
		Author  struct {
			Name string `xml:"name"`
		} `xml:"author"`
		Entries []entry `xml:"entry"`
	}
	home := b.abs(a.prefix)
	f := feed{Title: b.cat.Site.Title, ID: home, Updated: atomDate(time.Time{})}
	if a.public {
		f.Title += " — public documents"
	}
	f.Links = []link{{Rel: "self", Type: "application/atom+xml", Href: b.abs(urls.Feed(a.prefix))}, {Href: home}}
	f.Author.Name = b.cat.Site.Organization
	if f.Author.Name == "" {
		f.Author.Name = b.cat.Site.Title
	}
	for i, d := range docs {
		if i == 0 {
			f.Updated = atomDate(d.Published)
		}
		title := d.Title
		if !slices.Contains(a.latest, d) || d.Updated {
			title += " (version " + d.Version + ")"
		}
		e := entry{
			Title:     title,
			ID:        b.abs(urls.DocumentPage(a.prefix, d.Series)) + "#" + url.PathEscape(d.ID),
			Link:      link{Href: b.abs(urls.DocumentPage(a.prefix, d.Series))},
			Updated:   atomDate(d.Published),
			Published: atomDate(d.Published),
			Summary:   text{Type: "text", Body: d.Summary},
		}
		e.Categories = append(e.Categories, category{Term: d.Kind, Label: urls.KindOf(d.Kind).Singular})
		for _, s := range d.Standards {
			e.Categories = append(e.Categories, category{Term: s.ID, Label: s.Name})
		}
		f.Entries = append(f.Entries, e)
	}
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(buf)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return err
	}
	buf.WriteByte('\n')
	return nil
}

func atomDate(t time.Time) string {
	if t.IsZero() {
		t = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return t.UTC().Format(time.RFC3339)
}

// abs makes a site-relative path absolute against the base URL.
func (b *pass) abs(rel string) string { return b.baseURL + rel }

// CatalogJSON is catalog.json, the machine-readable catalog of an area:
// every listed version with its metadata and file checksum. The browser's
// list filter and stp diff read it.
type CatalogJSON struct {
	Title      string            `json:"title"`
	BaseURL    string            `json:"base_url"`
	Date       string            `json:"date"`
	Regions    []CatalogTerm     `json:"regions"`
	Industries []CatalogTerm     `json:"industries"`
	Services   []CatalogTerm     `json:"services"`
	Standards  []CatalogTerm     `json:"standards"`
	Documents  []CatalogDocument `json:"documents"`
}

// CatalogTerm is a taxonomy entry in catalog.json.
type CatalogTerm struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// CatalogDocument is one listed version in catalog.json.
type CatalogDocument struct {
	ID          string         `json:"id"`
	Series      string         `json:"series"`
	Version     string         `json:"version"`
	Kind        string         `json:"kind"`
	Title       string         `json:"title"`
	Summary     string         `json:"summary"`
	Services    []string       `json:"services"`
	Standards   []string       `json:"standards"`
	Regions     []string       `json:"regions"`
	Industries  []string       `json:"industries"`
	Published   string         `json:"published"`
	AuditPeriod *CatalogPeriod `json:"audit_period,omitempty"`
	Expires     string         `json:"expires,omitempty"`
	Current     bool           `json:"current"`
	New         bool           `json:"new,omitempty"`
	// Updated is a new version replacing an earlier one.
	Updated bool `json:"updated,omitempty"`
	// AllServices and the others are true where the catalog says "all";
	// the lists above then name every term of the catalog.
	AllServices   bool        `json:"all_services,omitempty"`
	AllStandards  bool        `json:"all_standards,omitempty"`
	AllRegions    bool        `json:"all_regions,omitempty"`
	AllIndustries bool        `json:"all_industries,omitempty"`
	Public        bool        `json:"public"`
	URL           string      `json:"url"`
	File          CatalogFile `json:"file"`
}

// CatalogPeriod is an audit period in catalog.json.
type CatalogPeriod struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// CatalogFile is a version's download in catalog.json.
type CatalogFile struct {
	URL  string `json:"url"`
	Name string `json:"name"`
	// Type is the file's media type, e.g. application/pdf.
	Type   string `json:"type"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// catalogJSON writes the area's catalog.json. Each version's entry is
// encoded once and kept by its key, so a dev server's rebuild after one
// edit encodes one entry, not ten thousand.
func (b *pass) catalogJSON(buf *bytes.Buffer, a *area) error {
	type term = CatalogTerm
	out := CatalogJSON{Title: b.cat.Site.Title, BaseURL: b.abs(a.prefix), Date: b.o.Now.Format(time.DateOnly), Documents: []CatalogDocument{}}
	for _, tx := range []struct {
		dst *[]term
		key string
	}{{&out.Regions, "region"}, {&out.Industries, "industry"}, {&out.Services, "service"}, {&out.Standards, "standard"}} {
		for _, t := range b.taxonomy(tx.key) {
			*tx.dst = append(*tx.dst, term{ID: t.ID, Name: t.Name})
		}
	}
	head, err := json.Marshal(out) // HTML-escaped, as every entry
	if err != nil {
		return err
	}
	// Documents come last: splice the entries into its empty list.
	buf.Write(bytes.TrimSuffix(head, []byte("[]}")))
	buf.WriteByte('[')
	first := true
	for _, s := range a.series {
		for _, v := range s.Versions {
			if !first {
				buf.WriteByte(',')
			}
			first = false
			buf.Write(a.json[v.key])
		}
	}
	buf.WriteString("]}\n")
	return nil
}

// encodeDocuments encodes each version's catalog.json entry, or takes it
// from the last build when the version is unchanged.
func (b *pass) encodeDocuments(a *area) error {
	cache := b.prev.json[a.slot()]
	next := make(map[uint64][]byte, len(a.views))
	var todo []*DocView
	for _, s := range a.series {
		for _, v := range s.Versions {
			if j, ok := cache[v.key]; ok {
				next[v.key] = j
			} else {
				todo = append(todo, v)
			}
		}
	}
	encoded := make([][]byte, len(todo))
	err := par.Each(0, len(todo), func(i int) error {
		v := todo[i]
		d := CatalogDocument{
			ID: v.ID, Series: v.Series, Version: v.Version, Kind: v.Kind, Title: v.Title, Summary: v.Summary,
			Services: v.Document.Services, Standards: v.Document.Standards, Regions: v.Document.Regions, Industries: v.Document.Industries,
			Published: v.Published.Format(time.DateOnly), Current: v.Current, New: v.New, Updated: v.Updated, Public: v.Public,
			AllServices: v.AllServices, AllStandards: v.AllStandards, AllRegions: v.AllRegions, AllIndustries: v.AllIndustries,
			URL: v.URL, File: CatalogFile{URL: v.File.URL, Name: v.File.Name, Type: v.File.Type, Size: v.File.Size, SHA256: v.File.SHA256},
		}
		if p := v.AuditPeriod; p != nil {
			d.AuditPeriod = &CatalogPeriod{From: p.From.Format(time.DateOnly), To: p.To.Format(time.DateOnly)}
		}
		if v.Expires != nil {
			d.Expires = v.Expires.Format(time.DateOnly)
		}
		var err error
		encoded[i], err = json.Marshal(d)
		return err
	})
	for i, v := range todo {
		next[v.key] = encoded[i]
	}
	a.json = next
	b.next.json[a.slot()] = next
	return err
}
