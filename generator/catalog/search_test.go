package catalog

import (
	"slices"
	"strings"
	"testing"
)

// withSearch puts a site.search section into the base catalog, after the
// title (line 2), so that it starts on line 3.
func withSearch(section string) string {
	return strings.Replace(base, "  title: Test Portal\n", "  title: Test Portal\n"+section, 1)
}

func TestSearchSettings(t *testing.T) {
	c, problems := Parse("catalog.yaml", []byte(withSearch("  search:\n    in: server\n    synonyms:\n      - [ccm, cloud controls matrix]\n      - [ir plan, incident response plan, irp]\n")))
	if c == nil || len(problems) != 0 {
		t.Fatalf("Parse: %v", problems)
	}
	if c.Site.Search != "server" || len(c.Site.SearchSynonyms) != 2 || !slices.Equal(c.Site.SearchSynonyms[1], []string{"ir plan", "incident response plan", "irp"}) {
		t.Fatalf("search %q synonyms %q", c.Site.Search, c.Site.SearchSynonyms)
	}
	// The word alone still says where queries run.
	c, problems = Parse("catalog.yaml", []byte(withSearch("  search: server\n")))
	if c == nil || len(problems) != 0 || c.Site.Search != "server" || c.Site.SearchSynonyms != nil {
		t.Fatalf("search: server: %v %+v", problems, c.Site)
	}
	// Only synonyms: where queries run is left to the catalog's size
	// (search.Placement), as when site.search is not there at all.
	c, _ = Parse("catalog.yaml", []byte(withSearch("  search:\n    synonyms: [[a b, ab]]\n")))
	if c == nil || c.Site.Search != "" {
		t.Fatalf("default: %+v", c)
	}
}

func TestSearchSynonymMistakes(t *testing.T) {
	long := strings.Repeat("x", 65)
	tests := []struct{ section, want string }{
		{"  search:\n    synonyms: ccm\n",
			`catalog.yaml:4:15: site.search.synonyms must be a list of groups of names that mean the same, e.g. - [soc report, service organization controls report]; not "ccm"`},
		{"  search:\n    synonyms:\n      - ccm\n",
			`catalog.yaml:5:9: site.search.synonyms group 1 must be a list of two or more names, e.g. - [soc report, service organization controls report]; not "ccm"`},
		{"  search:\n    synonyms:\n      - [ccm]\n",
			`catalog.yaml:5:9: site.search.synonyms group 1 has 1 name; a group needs two or more names that mean the same`},
		{"  search:\n    synonyms:\n      - [ccm, \"\"]\n",
			`catalog.yaml:5:15: site.search.synonyms group 1 has an empty name; remove it or write the name`},
		{"  search:\n    synonyms:\n      - [ccm, " + long + "]\n",
			`catalog.yaml:5:15: site.search.synonyms group 1 has a name of 65 characters ("` + long[:40] + `…"); the limit is 64`},
		{"  search:\n    synonyms:\n      - [a, b c d e f g h i j]\n",
			`catalog.yaml:5:13: site.search.synonyms group 1 has a name of 9 words ("b c d e f g h i j"); the limit is 8`},
		{"  search:\n    synonyms:\n      - [a, {b: c}]\n",
			`catalog.yaml:5:13: site.search.synonyms group 1 must hold names (text), not a mapping`},
		{"  search:\n    in: cloud\n",
			`catalog.yaml:4:9: site.search.in must be browser or server, not "cloud"`},
		{"  search:\n    synonym: [[a, b]]\n",
			`catalog.yaml:4:5: unknown field "synonym" in site.search (did you mean "synonyms"?) (known: in, synonyms)`},
	}
	for _, tt := range tests {
		c, problems := Parse("catalog.yaml", []byte(withSearch(tt.section)))
		if c != nil || len(problems) != 1 || problems[0].Error() != tt.want {
			t.Errorf("%q:\n got %v\nwant %s", tt.section, problems, tt.want)
		}
	}
}
