package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// The schema that editors use (catalog.yaml's first line points at it) must
// accept what the parser accepts, field for field. These tests keep the two
// in sync: the parser is asked which fields it knows, by giving it an
// unknown one in every mapping, and the schema must list the same.

const schemaFile = "catalog.schema.json"

// probe has an unknown key in every mapping the parser reads.
const probe = `zz-probe: 1
site:
  zz-probe: 1
  title: T
  base_url: https://trust.example.com/
  contact: {zz-probe: 1}
regions: [{id: europe, name: Europe, zz-probe: 1}]
industries: [{id: health, name: Health, zz-probe: 1}]
services: [{id: cloud, name: Cloud, zz-probe: 1}]
standards: [{id: soc-2, name: SOC 2, zz-probe: 1}]
documents:
  - zz-probe: 1
    audit_period: {from: 2024-01-01, to: 2024-12-31, zz-probe: 1}
`

// schemaPaths says where in the schema each mapping the parser names lives:
// property names, with [] for the items of a list.
var schemaPaths = map[string][]string{
	"the catalog":            nil,
	"site":                   {"site"},
	"site.contact":           {"site", "contact"},
	"an entry of regions":    {"regions", "[]"},
	"an entry of industries": {"industries", "[]"},
	"an entry of services":   {"services", "[]"},
	"an entry of standards":  {"standards", "[]"},
	"a document":             {"documents", "[]"},
	"audit_period":           {"documents", "[]", "audit_period"},
}

var unknownField = regexp.MustCompile(`^unknown field "zz-probe" in (.+?) \(known: (.*)\)$`)

// parserFields returns, for each mapping the parser reads, the keys it
// accepts, as its "unknown field" message lists them.
func parserFields(t *testing.T) map[string][]string {
	t.Helper()
	_, problems := Parse("catalog.yaml", []byte(probe))
	out := map[string][]string{}
	for _, p := range problems {
		if m := unknownField.FindStringSubmatch(p.Message); m != nil {
			out[m[1]] = strings.Split(m[2], ", ")
		}
	}
	return out
}

type schemaNode = map[string]any

func loadSchema(t *testing.T) schemaNode {
	t.Helper()
	data, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	var s schemaNode
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatalf("%s: %v", schemaFile, err)
	}
	return s
}

// resolve follows a local $ref ("#/$defs/x").
func resolve(t *testing.T, root, n schemaNode) schemaNode {
	t.Helper()
	for {
		ref, ok := n["$ref"].(string)
		if !ok {
			return n
		}
		name, ok := strings.CutPrefix(ref, "#/$defs/")
		if !ok {
			t.Fatalf("unexpected $ref %q", ref)
		}
		n, _ = root["$defs"].(schemaNode)[name].(schemaNode)
		if n == nil {
			t.Fatalf("$ref %q leads nowhere", ref)
		}
	}
}

// objectAt walks the schema down a path of property names and "[]".
func objectAt(t *testing.T, root schemaNode, path []string) schemaNode {
	t.Helper()
	n := root
	for _, step := range path {
		n = resolve(t, root, n)
		var next any
		if step == "[]" {
			next = n["items"]
		} else {
			next = n["properties"].(schemaNode)[step]
		}
		var ok bool
		if n, ok = next.(schemaNode); !ok {
			t.Fatalf("schema has nothing at %v", path)
		}
	}
	return resolve(t, root, n)
}

func TestSchemaFieldsMatchParser(t *testing.T) {
	root := loadSchema(t)
	fields := parserFields(t)
	for what := range fields {
		if _, ok := schemaPaths[what]; !ok {
			t.Errorf("the parser reads a mapping it calls %q that this test does not know; add it to schemaPaths and to the schema", what)
		}
	}
	for what, path := range schemaPaths {
		want := fields[what]
		if want == nil {
			t.Errorf("the parser no longer reports unknown fields in %q; update the probe", what)
			continue
		}
		obj := objectAt(t, root, path)
		if obj["additionalProperties"] != false {
			t.Errorf("schema at %v allows additional properties; the parser refuses them", path)
		}
		var got []string
		for k := range obj["properties"].(schemaNode) {
			got = append(got, k)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: schema properties %v, parser fields %v", what, got, want)
		}
	}
}

// TestSchemaRequiredMatchesParser compares what the schema requires with
// what the parser reports missing in an empty catalog and an empty document.
func TestSchemaRequiredMatchesParser(t *testing.T) {
	root := loadSchema(t)
	missingSection := regexp.MustCompile(`^the catalog has no (\w+): section`)
	missingField := regexp.MustCompile(`^this document has no (\w+):`)
	_, problems := Parse("catalog.yaml", []byte("{}\n"))
	_, docProblems := Parse("catalog.yaml", []byte("documents: [{}]\n"))
	var sections, docFields []string
	for _, p := range problems {
		if m := missingSection.FindStringSubmatch(p.Message); m != nil {
			sections = append(sections, m[1])
		}
	}
	for _, p := range docProblems {
		if m := missingField.FindStringSubmatch(p.Message); m != nil {
			docFields = append(docFields, m[1])
		}
	}
	for _, c := range []struct {
		path []string
		want []string
	}{{nil, sections}, {[]string{"documents", "[]"}, docFields}} {
		var got []string
		for _, r := range objectAt(t, root, c.path)["required"].([]any) {
			got = append(got, r.(string))
		}
		slices.Sort(got)
		slices.Sort(c.want)
		if !slices.Equal(got, c.want) {
			t.Errorf("schema at %v requires %v; the parser requires %v", c.path, got, c.want)
		}
	}
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	data, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(schemaFile, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(schemaFile)
	if err != nil {
		t.Fatalf("%s does not compile: %v", schemaFile, err)
	}
	return s
}

// instance turns YAML into the JSON value an editor's YAML language server
// validates: dates stay text, as YAML 1.2 reads them.
func instance(t *testing.T, src []byte) any {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal(src, &n); err != nil {
		t.Fatal(err)
	}
	var conv func(n *yaml.Node) any
	conv = func(n *yaml.Node) any {
		switch n.Kind {
		case yaml.DocumentNode:
			return conv(n.Content[0])
		case yaml.MappingNode:
			m := map[string]any{}
			for i := 0; i+1 < len(n.Content); i += 2 {
				m[n.Content[i].Value] = conv(n.Content[i+1])
			}
			return m
		case yaml.SequenceNode:
			a := []any{}
			for _, c := range n.Content {
				a = append(a, conv(c))
			}
			return a
		}
		switch n.Tag {
		case "!!null":
			return nil
		case "!!bool":
			b, _ := strconv.ParseBool(strings.ToLower(n.Value))
			return b
		case "!!int", "!!float":
			return json.Number(n.Value)
		}
		return n.Value
	}
	return conv(&n)
}

func TestSampleCatalogMatchesSchema(t *testing.T) {
	s := compileSchema(t)
	data, err := os.ReadFile("../../catalog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(string(data), "\n"); first != "# yaml-language-server: $schema=./generator/catalog/"+schemaFile {
		t.Errorf("catalog.yaml's first line is %q; it should point editors at the schema", first)
	}
	if err := s.Validate(instance(t, data)); err != nil {
		t.Errorf("the sample catalog does not match the schema: %v", err)
	}
}

// TestSchemaAgreesWithParser edits a valid catalog and expects the schema
// and the parser to agree on whether it is acceptable, for the rules a
// schema can express.
func TestSchemaAgreesWithParser(t *testing.T) {
	s := compileSchema(t)
	tests := []struct {
		name string
		edit func(string) string
		ok   bool
	}{
		{"valid", func(s string) string { return s }, true},
		{"version written as a number", replace(`version: "2024"`, `version: 2024`), true},
		{"trust document", func(s string) string {
			return replace("kind: compliance-report\n", "kind: trust-document\n")(replace("    audit_period: {from: 2023-01-01, to: 2023-12-31}\n", "")(s))
		}, true},
		{"public and expires", replace("    file: files/soc-2024.pdf\n", "    file: files/soc-2024.pdf\n    public: true\n    expires: 2025-06-01\n"), true},
		{"unknown document field", replace("    series: soc\n", "    serie: soc\n"), false},
		{"unknown site field", replace("  title: Test Portal\n", "  titel: Test Portal\n"), false},
		{"unknown kind", replace("kind: compliance-report", "kind: report"), false},
		{"bad date", replace("published: 2024-03-01", "published: 01/03/2024"), false},
		{"report without audit period", replace("    audit_period: {from: 2023-01-01, to: 2023-12-31}\n", ""), false},
		{"trust document with audit period", replace("kind: compliance-report\n", "kind: trust-document\n"), false},
		{"id with capitals", replace("id: soc-2024", "id: SOC-2024"), false},
		{"reserved series name", replace("    series: soc\n", "    series: page\n"), false},
		{"regions neither list nor all", replace("regions: all", "regions: everywhere"), false},
		{"all among ids", replace("industries: [health]", "industries: [health, all]"), false},
		{"empty services", replace("services: [cloud]", "services: []"), false},
		{"missing file", replace("    file: files/soc-2024.pdf\n", ""), false},
		{"file outside content", replace("file: files/soc-2024.pdf", "file: ../secret.pdf"), false},
		{"absolute file", replace("file: files/soc-2024.pdf", "file: /etc/passwd"), false},
		{"audit period without to", replace("{from: 2023-01-01, to: 2023-12-31}", "{from: 2023-01-01}"), false},
		{"taxonomy entry without name", replace("  - {id: japan, name: Japan}", "  - {id: japan}"), false},
		{"group outside standards", replace("  - {id: japan, name: Japan}", "  - {id: japan, name: Japan, group: Asia}"), false},
		{"page size too small", replace("  title: Test Portal\n", "  title: Test Portal\n  page_size: 2\n"), false},
		{"accent not hex", replace("  title: Test Portal\n", "  title: Test Portal\n  accent: blue\n"), false},
		{"search engine unknown", replace("  title: Test Portal\n", "  title: Test Portal\n  search: cloud\n"), false},
		{"no documents section", replace("documents:\n", "documentz:\n"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.edit(base)
			c, problems := Parse("catalog.yaml", []byte(src))
			if parsed := c != nil; parsed != tt.ok {
				t.Fatalf("parser accepted=%v, want %v: %v", parsed, tt.ok, problems)
			}
			err := s.Validate(instance(t, []byte(src)))
			if (err == nil) != tt.ok {
				t.Errorf("schema accepted=%v, want %v: %v", err == nil, tt.ok, err)
			}
		})
	}
}

// TestSchemaSaysWhy: what an editor shows on hover and on a mistake.
// Every property has a title and a description, and a rule the schema
// checks with not, if/then or a pattern is a $defs entry named for the
// rule with an errorMessage (which VS Code's JSON and YAML language
// servers show instead of "'not' failed"): a failure names the rule.
func TestSchemaSaysWhy(t *testing.T) {
	root := loadSchema(t)
	var walk func(n any, path string)
	walk = func(n any, path string) {
		m, ok := n.(schemaNode)
		if !ok {
			if a, ok := n.([]any); ok {
				for i, v := range a {
					walk(v, fmt.Sprintf("%s/%d", path, i))
				}
			}
			return
		}
		if props, ok := m["properties"].(schemaNode); ok && !strings.Contains(path, "/if") {
			for k, v := range props {
				p, _ := v.(schemaNode)
				if p["title"] == nil || p["description"] == nil {
					t.Errorf("%s/properties/%s has no title or no description", path, k)
				}
			}
		}
		for k, v := range m {
			walk(v, path+"/"+k)
		}
	}
	walk(root, "#")

	s := compileSchema(t)
	defs := root["$defs"].(schemaNode)
	for _, tt := range []struct {
		name string
		edit func(string) string
		rule string
	}{
		{"trust document with audit period", replace("kind: compliance-report\n", "kind: trust-document\n"), "trustDocumentHasNoAuditPeriod"},
		{"report without audit period", replace("    audit_period: {from: 2023-01-01, to: 2023-12-31}\n", ""), "complianceReportNeedsAuditPeriod"},
		{"file outside content", replace("file: files/soc-2024.pdf", "file: ../secret.pdf"), "contentPathInside"},
		{"absolute file", replace("file: files/soc-2024.pdf", "file: /etc/passwd"), "contentPathRelative"},
		{"reserved series name", replace("    series: soc\n", "    series: page\n"), "seriesNotReserved"},
		{"all among ids", replace("industries: [health]", "industries: [health, all]"), "notAll"},
	} {
		err := s.Validate(instance(t, []byte(tt.edit(base))))
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%s: the schema accepts it (%v)", tt.name, err)
			continue
		}
		out, _ := json.Marshal(ve.DetailedOutput())
		if !strings.Contains(string(out), "#/$defs/"+tt.rule) {
			t.Errorf("%s: the failure does not name the rule %s: %s", tt.name, tt.rule, out)
		}
		if !strings.Contains(fmt.Sprint(defs[tt.rule]), "errorMessage") {
			t.Errorf("%s: $defs/%s has no errorMessage", tt.name, tt.rule)
		}
	}
}
