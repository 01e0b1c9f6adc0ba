package urls

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stp-portal/stp/generator/catalog"
)

// scheme is every URL function with placeholder arguments, as the table in
// the package comment and generator/catalog/README.md write them.
var scheme = []struct{ call, got, want string }{
	{"Area(false)", Area(false), ""},
	{"Area(true)", Area(true), "public/"},
	{"DocumentPage gated", DocumentPage("", "<series>"), "documents/<series>/"},
	{"DocumentPage public", DocumentPage(Public, "<series>"), "public/documents/<series>/"},
	{"DocumentFile gated", DocumentFile("", "<series>", "<file>"), "documents/<series>/<file>"},
	{"DocumentFile public", DocumentFile(Public, "<series>", "<file>"), "public/documents/<series>/<file>"},
	{"Documents public", Documents(Public), "public/documents/"},
	{"Page gated", Page("", "<slug>"), "<slug>/"},
	{"Page public", Page(Public, "<slug>"), "public/<slug>/"},
	{"Help", Help, "public/help/"},
	{"Settings", Settings, "settings/"},
	{"NotFound", NotFound, "404.html"},
	{"Feed gated", Feed(""), "feed.xml"},
	{"Feed public", Feed(Public), "public/feed.xml"},
	{"CatalogJSON gated", CatalogJSON(""), "catalog.json"},
	{"CatalogJSON public", CatalogJSON(Public), "public/catalog.json"},
	{"SearchDir gated", SearchDir(""), "search/"},
	{"SearchDir public", SearchDir(Public), "public/search/"},
	{"SearchManifest public", SearchManifest(Public), "public/search/manifest.json"},
	{"SearchAPI gated", SearchAPI(""), "api/search"},
	{"SearchAPI from the root", SearchAPI("/public/"), "/public/api/search"},
	{"Assets", Assets(Public), "public/assets/"},
	{"Asset", Asset("site.0123abcd.css"), "public/assets/site.0123abcd.css"},
	{"Library report", Library("", catalog.KindReport), "compliance-reports/"},
	{"Library document", Library("", catalog.KindDocument), "trust-documents/"},
	{"Library public", Library(Public, catalog.KindReport), "public/documents/"},
	{"LibraryYear", LibraryYear(catalog.KindReport, 2025), "compliance-reports/2025/"},
	{"Term region", Term("region", "<r>"), "regions/<r>/"},
	{"Term industry", Term("industry", "<i>"), "industries/<i>/"},
	{"Term standard", Term("standard", "<s>"), "standards/<s>/"},
	{"Term service", Term("service", "<s>"), "services/<s>/"},
	{"Pair", Pair("<r>", "<i>"), "regions/<r>/industries/<i>/"},
	{"ListPage first", ListPage("<list>/", ByDate, 1), "<list>/"},
	{"ListPage later", ListPage("<list>/", ByDate, 2), "<list>/page/2.html"},
	{"ListPage by name", ListPage("<list>/", ByName, 1), "<list>/by-name/"},
	{"ListPage by name later", ListPage("<list>/", ByName, 2), "<list>/by-name/page/2.html"},
}

func TestScheme(t *testing.T) {
	for _, c := range scheme {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.call, c.got, c.want)
		}
	}
}

// TestREADME checks that the publishers' table of the portal's pages in
// generator/catalog/README.md names every URL the scheme makes, so that the
// one table and the code cannot drift apart.
func TestREADME(t *testing.T) {
	data, err := os.ReadFile("../catalog/README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(data), "## The portal's pages")
	if !ok {
		t.Fatal(`catalog/README.md has no section "The portal's pages"`)
	}
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile("`/?([^`]*)`").FindAllStringSubmatch(table, -1) {
		listed[m[1]] = true // "/regions/<r>/", and "<list>/page/2.html" under it
	}
	for _, c := range scheme {
		if c.want == "" || strings.HasPrefix(c.want, "/") || c.call == "Asset" || strings.HasPrefix(c.call, "SearchManifest") ||
			strings.HasPrefix(c.call, "SearchAPI") || strings.HasPrefix(c.call, "SearchDir public") {
			continue // the root, a path from the root, and what no reader opens
		}
		if !listed[c.want] {
			t.Errorf("%s makes /%s, which catalog/README.md does not list under \"The portal's pages\"", c.call, c.want)
		}
	}
}

func TestOutputFile(t *testing.T) {
	for _, c := range []struct{ rel, want string }{
		{"", "index.html"},
		{"regions/europe/", "regions/europe/index.html"},
		{"regions/europe/page/2.html", "regions/europe/page/2.html"},
		{"catalog.json", "catalog.json"},
	} {
		if got := OutputFile(c.rel); got != c.want {
			t.Errorf("OutputFile(%q) = %q, want %q", c.rel, got, c.want)
		}
	}
}

func TestEscape(t *testing.T) {
	for _, c := range []struct{ rel, want string }{
		{"documents/soc-2/report.pdf", "documents/soc-2/report.pdf"},
		{"documents/soc-2/SOC 2 #1?.pdf", "documents/soc-2/SOC%202%20%231%3F.pdf"},
		{"documents/soc-2/100%.pdf", "documents/soc-2/100%25.pdf"},
		{"documents/soc-2/Prüfbericht.pdf", "documents/soc-2/Pr%C3%BCfbericht.pdf"},
	} {
		if got := Escape(c.rel); got != c.want {
			t.Errorf("Escape(%q) = %q, want %q", c.rel, got, c.want)
		}
	}
}

// TestBasePath: the base path is escaped, as the links the site writes
// under it are. (stp diff once took the unescaped path and could not
// trim it from the URLs of a site built under /pr 12/.)
func TestBasePath(t *testing.T) {
	for _, c := range []struct{ base, want string }{
		{"https://trust.example.com", "/"},
		{"https://trust.example.com/", "/"},
		{"https://example.com/trust", "/trust/"},
		{"https://example.com/pr-12/", "/pr-12/"},
		{"https://example.com/pr 12/", "/pr%2012/"},
		{"https://example.com/pr%2012/", "/pr%2012/"},
		{"https://example.com/vertrauensportal/prüfung", "/vertrauensportal/pr%C3%BCfung/"},
		{"https://example.com/a%2Fb/", "/a%2Fb/"},
		{"http://[::1", "/"},
	} {
		if got := BasePath(c.base); got != c.want {
			t.Errorf("BasePath(%q) = %q, want %q", c.base, got, c.want)
		}
	}
}

func TestKinds(t *testing.T) {
	for _, c := range []struct{ id, singular, plural, folder string }{
		{catalog.KindReport, "Compliance report", "Compliance reports", "compliance-reports/"},
		{catalog.KindDocument, "Trust document", "Trust documents", "trust-documents/"},
	} {
		k := KindOf(c.id)
		if k.ID != c.id || k.Singular != c.singular || k.Plural != c.plural || k.Folder != c.folder || k.Intro == "" {
			t.Errorf("KindOf(%q) = %+v", c.id, k)
		}
	}
	if len(Kinds) != 2 {
		t.Errorf("%d kinds; the catalog knows two", len(Kinds))
	}
}

func TestTaxonomies(t *testing.T) {
	c := &catalog.Catalog{Regions: []catalog.Term{{ID: "r"}}, Industries: []catalog.Term{{ID: "i"}},
		Standards: []catalog.Term{{ID: "st"}}, Services: []catalog.Term{{ID: "sv"}}}
	d := &catalog.Document{Regions: []string{"r"}, Industries: []string{"i"}, Standards: []string{"st"}, Services: []string{"sv"}}
	want := map[string]string{"region": "r", "industry": "i", "standard": "st", "service": "sv"}
	var keys []string
	for _, tx := range Taxonomies {
		keys = append(keys, tx.Key)
		if got := tx.Terms(c); len(got) != 1 || got[0].ID != want[tx.Key] {
			t.Errorf("%s: Terms = %v", tx.Key, got)
		}
		if got := tx.IDs(d); len(got) != 1 || got[0] != want[tx.Key] {
			t.Errorf("%s: IDs = %v", tx.Key, got)
		}
		if TaxonomyOf(tx.Key).Folder != tx.Folder {
			t.Errorf("TaxonomyOf(%q) is not its entry", tx.Key)
		}
	}
	if !slices.Equal(keys, []string{"region", "industry", "standard", "service"}) {
		t.Errorf("taxonomies in the order %v", keys)
	}
}

// TestReserved: no Markdown page may take a folder the generator writes,
// and no series the name of a list's later pages or of its other order.
func TestReserved(t *testing.T) {
	for _, slug := range []string{"public", "assets", "files", "documents", "compliance-reports", "trust-documents",
		"regions", "industries", "standards", "services", "settings", "search", "help", "feed", "catalog", "404", "index", "api"} {
		if !Reserved(slug) {
			t.Errorf("%s is not reserved", slug)
		}
	}
	if len(reserved) != 18 {
		t.Errorf("%d reserved names: %v", len(reserved), reserved)
	}
	for _, ok := range []string{"faq", "getting-started", "page"} {
		if Reserved(ok) {
			t.Errorf("%s is reserved", ok)
		}
	}
	var segments []string
	for _, s := range []string{laterPage, byName} {
		segments = append(segments, strings.TrimSuffix(s, "/"))
	}
	if !slices.Equal(segments, catalog.ReservedSeries) {
		t.Errorf("the lists' segments are %v, the catalog reserves %v", segments, catalog.ReservedSeries)
	}
}
