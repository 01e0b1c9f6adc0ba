package synth_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/stp-portal/stp/generator/synth"
)

func write(t testing.TB, o synth.Options) string {
	t.Helper()
	dir := t.TempDir()
	if err := synth.Write(dir, o); err != nil {
		t.Fatal(err)
	}
	return dir
}

// large is the 10,000-document portal several tests read, written once.
var large = synth.Options{Documents: 10_000, Regions: 8, Industries: 12, Seed: 1}

var largeDir = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "synth-test-")
	if err != nil {
		return "", err
	}
	return dir, synth.Write(dir, large)
})

func writeLarge(t *testing.T) string {
	t.Helper()
	dir, err := largeDir()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if dir, _ := largeDir(); dir != "" {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// tree reads every file under dir, by slash-separated relative path.
func tree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestSameSeedSameBytes(t *testing.T) {
	o := synth.Options{Documents: 1000, Regions: 10, Industries: 14, Seed: 7}
	a, b := tree(t, write(t, o)), tree(t, write(t, o))
	if len(a) != o.Documents+4 {
		t.Errorf("wrote %d files, want %d documents + catalog.yaml + 3 pages", len(a), o.Documents)
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("%s differs between two writes with the same options", name)
		}
	}
	if len(a) != len(b) {
		t.Errorf("two writes wrote %d and %d files", len(a), len(b))
	}

	o.Seed = 8
	c := tree(t, write(t, o))
	if bytes.Equal(a["catalog.yaml"], c["catalog.yaml"]) {
		t.Error("seeds 7 and 8 wrote the same catalog.yaml")
	}
}

func TestRejectsSmallTaxonomies(t *testing.T) {
	for _, o := range []synth.Options{
		{Documents: 10, Regions: 7, Industries: 12},
		{Documents: 10, Regions: 8, Industries: 11},
		{Documents: -1, Regions: 8, Industries: 12},
	} {
		dir := t.TempDir()
		if err := synth.Write(dir, o); err == nil {
			t.Errorf("Write(%+v) succeeded, want an error", o)
		}
		if entries, _ := os.ReadDir(dir); len(entries) > 0 {
			t.Errorf("Write(%+v) failed but wrote %d entries", o, len(entries))
		}
	}
}

// The keys the strict catalog parser understands.
var (
	topKeys      = []string{"site", "regions", "industries", "services", "standards", "documents"}
	documentKeys = []string{"id", "kind", "title", "summary", "series", "version", "services", "standards", "regions", "industries", "published", "audit_period", "expires", "file", "public", "description"}
	required     = []string{"id", "kind", "title", "summary", "series", "version", "services", "standards", "regions", "industries", "published", "file", "public"}
	idPattern    = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

// doc is one document of the catalog as a generic map decodes it.
type doc map[string]any

func (d doc) str(t *testing.T, key string) string {
	s, ok := d[key].(string)
	if !ok {
		t.Fatalf("document %v: %s is %T %v, want text", d["id"], key, d[key], d[key])
	}
	return s
}

// date reads a YYYY-MM-DD value, which yaml.v3 leaves as text when decoding
// into any.
func date(t *testing.T, v any) time.Time {
	t.Helper()
	switch v := v.(type) {
	case time.Time:
		return v
	case string:
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	t.Fatalf("%T %v is not a date", v, v)
	return time.Time{}
}

func TestCatalog(t *testing.T) {
	t.Run("10000", func(t *testing.T) { checkPortal(t, writeLarge(t), large) })
	for _, o := range []synth.Options{
		{Documents: 3_000, Regions: 40, Industries: 30, Seed: 2},
		{Documents: 5, Regions: 8, Industries: 12, Seed: 3},
	} {
		t.Run(fmt.Sprint(o.Documents), func(t *testing.T) { checkPortal(t, write(t, o), o) })
	}
}

func checkPortal(t *testing.T, dir string, o synth.Options) {
	data, err := os.ReadFile(filepath.Join(dir, "catalog.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	for k := range c {
		if !slices.Contains(topKeys, k) {
			t.Errorf("unknown top-level key %q", k)
		}
	}
	site := c["site"].(map[string]any)
	if site["title"] != "Fabrikam Service Trust Portal" || site["base_url"] != "https://trust.fabrikam.example/" || site["accent"] != "#0b5cad" || site["page_size"] != 25 {
		t.Errorf("site = %v", site)
	}

	taxonomy := func(key string, want int) map[string]bool {
		list := c[key].([]any)
		if want > 0 && len(list) != want {
			t.Errorf("%d %s, want %d", len(list), key, want)
		}
		ids := map[string]bool{}
		for _, item := range list {
			m := item.(map[string]any)
			id, _ := m["id"].(string)
			if !idPattern.MatchString(id) || ids[id] || id == "all" {
				t.Errorf("%s: bad or repeated id %q", key, id)
			}
			if name, _ := m["name"].(string); name == "" {
				t.Errorf("%s %s has no name", key, id)
			}
			ids[id] = true
		}
		return ids
	}
	taxonomies := map[string]map[string]bool{
		"regions":    taxonomy("regions", o.Regions),
		"industries": taxonomy("industries", o.Industries),
		"services":   taxonomy("services", 0),
		"standards":  taxonomy("standards", 0),
	}
	if n := len(taxonomies["standards"]); n < 30 {
		t.Errorf("%d standards, want about 30", n)
	}

	list, _ := c["documents"].([]any)
	if len(list) != o.Documents {
		t.Fatalf("%d documents, want %d", len(list), o.Documents)
	}
	today := synth.Today()
	var (
		ids      = map[string]bool{}
		series   = map[string][]doc{}
		reports  int
		public   int
		long     int
		recent   int
		allCount = map[string]int{}
	)
	for _, item := range list {
		d := doc(item.(map[string]any))
		for k := range d {
			if !slices.Contains(documentKeys, k) {
				t.Errorf("document %v has unknown key %q", d["id"], k)
			}
		}
		for _, k := range required {
			if _, ok := d[k]; !ok {
				t.Errorf("document %v has no %s", d["id"], k)
			}
		}
		id := d.str(t, "id")
		if !idPattern.MatchString(id) || ids[id] {
			t.Errorf("bad or repeated document id %q", id)
		}
		ids[id] = true
		if s := d.str(t, "series"); !idPattern.MatchString(s) {
			t.Errorf("%s: bad series %q", id, s)
		} else {
			series[s] = append(series[s], d)
		}
		for _, k := range []string{"title", "summary", "version"} {
			if d.str(t, k) == "" {
				t.Errorf("%s: empty %s", id, k)
			}
		}

		for key, known := range taxonomies {
			switch v := d[key].(type) {
			case string:
				if v != "all" {
					t.Errorf("%s: %s is %q, want a list or all", id, key, v)
				}
				allCount[key]++
			case []any:
				if len(v) == 0 && key != "standards" {
					t.Errorf("%s: no %s", id, key)
				}
				for _, ref := range v {
					if s, _ := ref.(string); !known[s] {
						t.Errorf("%s: unknown %s %v", id, key, ref)
					}
				}
			default:
				t.Errorf("%s: %s is %T", id, key, v)
			}
		}

		pub := date(t, d["published"])
		if pub.After(today) || !pub.After(today.AddDate(-3, 0, -1)) {
			t.Errorf("%s: published %s, not in the three years before %s", id, pub.Format(time.DateOnly), today.Format(time.DateOnly))
		}
		if pub.After(today.AddDate(0, 0, -30)) {
			recent++
		}
		period, hasPeriod := d["audit_period"].(map[string]any)
		switch d.str(t, "kind") {
		case "compliance-report":
			reports++
			if !hasPeriod || len(period) != 2 {
				t.Errorf("%s: compliance report with audit_period %v", id, d["audit_period"])
				break
			}
			from, to := date(t, period["from"]), date(t, period["to"])
			if !from.Before(to) || !to.Before(pub) {
				t.Errorf("%s: audit period %v to %v, published %v", id, from, to, pub)
			}
		case "trust-document":
			if _, ok := d["audit_period"]; ok {
				t.Errorf("%s: trust document with an audit_period", id)
			}
		default:
			t.Errorf("%s: kind %v", id, d["kind"])
		}
		if e, ok := d["expires"]; ok {
			if date(t, e).Before(pub.AddDate(0, 12, 0)) {
				t.Errorf("%s: expires %v less than 12 months after %v", id, e, pub)
			}
		}
		if d["public"] == true {
			public++
		} else if d["public"] != false {
			t.Errorf("%s: public is %v", id, d["public"])
		}
		if desc, ok := d["description"].(string); ok {
			long++
			if !strings.HasPrefix(desc, "## ") || !strings.Contains(desc, "\n- ") || !strings.Contains(desc, "](https://") {
				t.Errorf("%s: description is not the expected Markdown:\n%s", id, desc)
			}
		}

		file := d.str(t, "file")
		if file != "files/"+id+".pdf" {
			t.Errorf("%s: file %q", id, file)
		}
		pdf, err := os.ReadFile(filepath.Join(dir, "content", file))
		if err != nil {
			t.Error(err)
		} else if err := checkPDF(pdf, d.str(t, "title")); err != nil {
			t.Errorf("%s: %v", file, err)
		}
	}

	for id, versions := range series {
		if len(versions) > 4 {
			t.Errorf("series %s has %d versions", id, len(versions))
		}
		seen := map[string]bool{}
		var dates []time.Time
		for _, d := range versions {
			v := d.str(t, "version")
			if seen[v] {
				t.Errorf("series %s has version %q twice", id, v)
			}
			seen[v] = true
			if d["kind"] != versions[0]["kind"] || d["title"] != versions[0]["title"] {
				t.Errorf("series %s mixes kinds or titles", id)
			}
			dates = append(dates, date(t, d["published"]))
		}
		slices.SortFunc(dates, time.Time.Compare)
		for i := 1; i < len(dates); i++ {
			a, b := dates[i-1], dates[i]
			if b.Before(a.AddDate(0, 6, 0)) || b.After(a.AddDate(0, 14, 0)) {
				t.Errorf("series %s: versions of %s and %s are not 6 to 14 months apart", id, a.Format(time.DateOnly), b.Format(time.DateOnly))
			}
		}
	}

	if recent == 0 {
		t.Error("no document published in the last 30 days")
	}
	if o.Documents < 1000 {
		return
	}
	share := func(what string, n, lo, hi int) {
		t.Helper()
		pct := 100 * n / o.Documents
		t.Logf("%s: %d%%", what, pct)
		if pct < lo || pct > hi {
			t.Errorf("%s: %d%% of documents, want %d%% to %d%%", what, pct, lo, hi)
		}
	}
	share("compliance reports", reports, 65, 75)
	share("regions: all", allCount["regions"], 15, 25)
	share("industries: all", allCount["industries"], 20, 30)
	share("services: all", allCount["services"], 3, 15)
	share("public", public, 2, 9)
	share("long description", long, 45, 55)
	share("published in the last 30 days", recent, 1, 6)
	t.Logf("%d series for %d documents", len(series), o.Documents)
}

// checkPDF checks a one-page PDF's structure: header, cross-reference
// offsets that point at their objects, stream length, and the title.
func checkPDF(b []byte, title string) error {
	if !bytes.HasPrefix(b, []byte("%PDF-1.")) || !bytes.HasSuffix(b, []byte("%%EOF\n")) {
		return fmt.Errorf("no PDF header or %%%%EOF")
	}
	i := bytes.LastIndex(b, []byte("startxref\n"))
	if i < 0 {
		return fmt.Errorf("no startxref")
	}
	xref, err := strconv.Atoi(string(bytes.Fields(b[i+len("startxref\n"):])[0]))
	if err != nil || xref >= len(b) || !bytes.HasPrefix(b[xref:], []byte("xref\n0 ")) {
		return fmt.Errorf("startxref %d does not point at the xref table", xref)
	}
	lines := strings.Split(string(b[xref:]), "\n")
	var n int
	fmt.Sscanf(lines[1], "0 %d", &n)
	for obj := 1; obj < n; obj++ {
		entry := lines[2+obj] + "\n"
		if len(entry) != 20 {
			return fmt.Errorf("xref entry %q is not 20 bytes", entry)
		}
		off, _ := strconv.Atoi(entry[:10])
		if !bytes.HasPrefix(b[off:], fmt.Appendf(nil, "%d 0 obj\n", obj)) {
			return fmt.Errorf("xref offset %d of object %d points at %q", off, obj, b[off:min(off+12, len(b))])
		}
	}
	var length int
	if j := bytes.Index(b, []byte("/Length ")); j < 0 {
		return fmt.Errorf("no stream")
	} else {
		fmt.Sscanf(string(b[j:]), "/Length %d", &length)
	}
	start := bytes.Index(b, []byte("stream\n")) + len("stream\n")
	if end := bytes.Index(b, []byte("endstream")); end-start != length {
		return fmt.Errorf("stream is %d bytes, /Length says %d", end-start, length)
	}
	escaped := strings.NewReplacer(`(`, `\(`, `)`, `\)`).Replace(title)
	if !bytes.Contains(b, []byte("/Title ("+escaped+")")) {
		return fmt.Errorf("title %q missing", title)
	}
	if len(b) > 2048 {
		return fmt.Errorf("%d bytes; keep it near 1 KB", len(b))
	}
	return nil
}

func TestPages(t *testing.T) {
	dir := write(t, synth.Options{Documents: 1, Regions: 8, Industries: 12})
	for name, want := range map[string]map[string]any{
		"index.md":           {"title": "Home"},
		"getting-started.md": {"public": true, "menu": 10},
		"faq.md":             {"public": true, "menu": 20},
	} {
		data, err := os.ReadFile(filepath.Join(dir, "content", name))
		if err != nil {
			t.Fatal(err)
		}
		front, body, ok := strings.Cut(strings.TrimPrefix(string(data), "---\n"), "\n---\n")
		if !ok || !strings.HasPrefix(string(data), "---\n") || strings.TrimSpace(body) == "" {
			t.Errorf("%s has no front matter and text", name)
			continue
		}
		var m map[string]any
		if err := yaml.Unmarshal([]byte(front), &m); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if m["title"] == nil || m["description"] == nil {
			t.Errorf("%s: front matter %v lacks title or description", name, m)
		}
		for k, v := range want {
			if m[k] != v {
				t.Errorf("%s: %s is %v, want %v", name, k, m[k], v)
			}
		}
	}
}

// BenchmarkWrite10k writes a 10,000-document portal over the same folder
// each time, so it measures generating and writing, not the file system's
// cost of first creating 10,000 names.
func BenchmarkWrite10k(b *testing.B) {
	dir := b.TempDir()
	o := synth.Options{Documents: 10_000, Regions: 8, Industries: 12, Seed: 1}
	for b.Loop() {
		if err := synth.Write(dir, o); err != nil {
			b.Fatal(err)
		}
	}
	var size int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, _ error) error {
		if info, err := d.Info(); err == nil && !d.IsDir() {
			size += info.Size()
		}
		return nil
	})
	b.ReportMetric(float64(size)/1e6, "MB/op")
}
