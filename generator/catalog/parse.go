package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/stp-portal/stp/generator/diag"
	"go.yaml.in/yaml/v3"
)

// MaxSize bounds catalog.yaml; 100,000 documents take about 60 MB.
const MaxSize = 256 << 20

var (
	colourPattern = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)
	langPattern   = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$`)
)

// validID says whether s is an id: lowercase letters and digits in words
// joined by single hyphens (what ^[a-z0-9]+(-[a-z0-9]+)*$ matches, without
// a regular expression's cost on every document).
func validID(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && i > 0 && i+1 < len(s) && s[i-1] != '-':
		default:
			return false
		}
	}
	return s != ""
}

// Parse reads a catalog from data, naming file in every problem. It checks
// everything that can be checked without the file system; Load also checks
// that the published files exist. The catalog is nil when there are errors;
// warnings come back with a usable catalog.
func Parse(file string, data []byte) (*Catalog, diag.Problems) {
	d := &decoder{file: file}
	c := d.parse(data)
	d.problems.Sort()
	if len(d.problems.Errors()) > 0 {
		return nil, d.problems
	}
	return c, d.problems
}

func (d *decoder) parse(data []byte) *Catalog {
	top := diag.Pos{File: d.file, Line: 1, Col: 1}
	if len(data) > MaxSize {
		d.errorAt(top, "catalog is %d MB; the limit is %d MB", len(data)>>20, MaxSize>>20)
		return nil
	}
	if c, ok := parseSplit(d, data); ok {
		return c
	}
	return d.parseWhole(data, data, nil)
}

// parseWhole decodes text, which is data or data with its documents
// section blanked out when pre holds those documents already parsed.
func (d *decoder) parseWhole(data, text []byte, pre *items) *Catalog {
	top := diag.Pos{File: d.file, Line: 1, Col: 1}
	d.text = text
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(text))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			d.errorAt(top, "catalog is empty; it needs site:, the taxonomies and documents:")
			return nil
		}
		d.syntaxError(err, text)
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.errorAt(d.documentStart(&extra), "a second YAML document starts here, after ---; a catalog is one document: remove the --- line")
		return nil
	} else if !errors.Is(err, io.EOF) {
		d.syntaxError(err, text)
		return nil
	}
	d.data = data
	if len(root.Content) == 0 {
		return nil
	}
	body := root.Content[0]
	sections := []string{"site", "regions", "industries", "services", "standards", "documents"}
	if !d.rejectAliases(&root) {
		// The anchor an alias names often sits under a key of its own
		// (defaults:, x-common:): that is the mistake to report first.
		if body.Kind == yaml.MappingNode {
			var known []field
			for _, k := range sections {
				known = append(known, field{k, func(*yaml.Node) {}})
			}
			d.mapping(body, "the catalog", known)
		}
		return nil
	}
	c := &Catalog{File: d.file}
	present := d.mapping(body, "the catalog", []field{
		{"site", func(v *yaml.Node) { c.Site = d.site(v) }},
		{"regions", func(v *yaml.Node) { c.Regions = d.terms(v, "regions", false) }},
		{"industries", func(v *yaml.Node) { c.Industries = d.terms(v, "industries", false) }},
		{"services", func(v *yaml.Node) { c.Services = d.terms(v, "services", false) }},
		{"standards", func(v *yaml.Node) { c.Standards = d.terms(v, "standards", true) }},
		{"documents", func(v *yaml.Node) {
			if pre != nil {
				c.documentsAt = diag.Pos{File: d.file, Line: pre.lines[0], Col: pre.seqCol}
				c.Documents = pre.docs
			} else {
				c.documentsAt, c.documentsNull = d.pos(v), v.Kind == yaml.ScalarNode && v.Tag == "!!null"
				c.Documents = d.documents(v)
			}
		}},
	})
	if present == nil {
		return nil
	}
	c.src = newSource(data, body, pre)
	for _, k := range sections {
		if _, ok := present[k]; !ok {
			d.errorf(body, "the catalog has no %s: section; add one (see the catalog format in README.md)", k)
		}
		if present[k] == nil {
			d.markBroken(k)
		}
	}
	// A section given twice is reported; what the second one would have
	// changed (ids it defines, documents it lists) is not.
	if twice(body) {
		return c
	}
	d.validate(c)
	return c
}

// documentStart finds the --- line that starts the YAML document whose
// first node is n.
func (d *decoder) documentStart(n *yaml.Node) diag.Pos {
	at := d.pos(n)
	lines := bytes.Split(d.text, []byte("\n"))
	for l := min(at.Line, len(lines)); l >= 1; l-- {
		if bytes.HasPrefix(lines[l-1], []byte("---")) {
			return diag.Pos{File: d.file, Line: l, Col: 1}
		}
	}
	return at
}

// twice reports whether a mapping gives a key twice.
func twice(n *yaml.Node) bool {
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i].Value; seen[k] {
			return true
		} else {
			seen[k] = true
		}
	}
	return false
}

// syntaxError reports why the YAML library refused text: where the
// publisher went wrong, when explainSyntax finds it, or else the library's
// message ("yaml: line 7: did not find expected key") at its line.
func (d *decoder) syntaxError(err error, text []byte) {
	if p := explainSyntax(d.file, text); p != nil {
		d.problems = append(d.problems, p)
		return
	}
	line, msg := diag.YAMLError(err)
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	d.errorAt(diag.Pos{File: d.file, Line: line + parserLineShift(msg), Col: 1}, "YAML syntax: %s", msg)
}

// parserLineShift corrects a quirk of the YAML library: parser errors (not
// scanner errors) report the 0-based line where the construct began.
func parserLineShift(msg string) int {
	for _, p := range []string{"did not find expected <document start>", "did not find expected node content",
		"did not find expected key", "did not find expected '-' indicator", "did not find expected ',' or"} {
		if strings.HasPrefix(msg, p) {
			return 1
		}
	}
	return 0
}

func (d *decoder) site(n *yaml.Node) Site {
	s := Site{Language: "en", PageSize: 25, NewDays: 30, Accent: "#0b5cad"}
	var baseNode *yaml.Node
	d.mapping(n, "site", []field{
		{"title", func(v *yaml.Node) { s.Title = d.str(v, "site.title") }},
		{"organization", func(v *yaml.Node) { s.Organization = d.str(v, "site.organization") }},
		{"tagline", func(v *yaml.Node) { s.Tagline = d.str(v, "site.tagline") }},
		{"base_url", func(v *yaml.Node) { s.BaseURL = d.str(v, "site.base_url"); baseNode = v }},
		{"language", func(v *yaml.Node) {
			s.Language = d.str(v, "site.language")
			if !langPattern.MatchString(s.Language) {
				d.errorf(v, "site.language must be a language tag such as en or en-GB, not %s", describe(v))
			}
		}},
		{"default_regions", func(v *yaml.Node) {
			s.defaultRegionsPos = d.pos(v)
			s.DefaultRegions, _ = d.ids(v, "site.default_regions")
		}},
		{"default_industries", func(v *yaml.Node) {
			s.defaultIndustriesPos = d.pos(v)
			s.DefaultIndustries, _ = d.ids(v, "site.default_industries")
		}},
		{"page_size", func(v *yaml.Node) { s.PageSize = d.integer(v, "site.page_size", 5, 500) }},
		{"new_days", func(v *yaml.Node) { s.NewDays = d.integer(v, "site.new_days", 1, 365) }},
		{"logo", func(v *yaml.Node) { s.logoAt = d.pos(v); s.Logo = d.contentPath(v, "site.logo") }},
		{"accent", func(v *yaml.Node) {
			s.Accent = d.str(v, "site.accent")
			if v.Tag == "!!null" {
				d.errorf(v, "site.accent is empty: YAML reads # as the start of a comment, so put the colour in quotes: accent: \"#0b5cad\"")
			} else if !colourPattern.MatchString(s.Accent) {
				d.errorf(v, "site.accent must be a hex colour such as \"#0b5cad\", not %s", describe(v))
			}
		}},
		{"search", func(v *yaml.Node) { d.search(v, &s) }},
		{"contact", func(v *yaml.Node) { s.Contact = d.contact(v) }},
	})
	if s.Title == "" {
		d.errorf(n, "site.title is missing; name the portal, e.g. title: Contoso Service Trust Portal")
	}
	if baseNode == nil {
		d.errorf(n, "site.base_url is missing; give the address readers open, e.g. base_url: https://trust.example.com/")
	} else if err := CheckBaseURL(s.BaseURL); err != nil {
		d.errorf(baseNode, "site.base_url %s", err)
	}
	return s
}

// CheckBaseURL reports why u cannot be a site's base URL.
func CheckBaseURL(u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.RawQuery != "" || p.Fragment != "" || p.User != nil {
		return fmt.Errorf("must be an http or https address such as https://trust.example.com/ (got %q)", clip(u))
	}
	return nil
}

func (d *decoder) contact(n *yaml.Node) Contact {
	var c Contact
	d.mapping(n, "site.contact", []field{
		{"name", func(v *yaml.Node) { c.Name = d.str(v, "contact.name") }},
		{"email", func(v *yaml.Node) {
			c.Email = d.str(v, "contact.email")
			if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
				d.errorf(v, "contact.email must be a plain address such as trust@example.com, not %s", describe(v))
			}
		}},
		{"url", func(v *yaml.Node) { c.URL = d.webURL(v, "contact.url") }},
		{"phone", func(v *yaml.Node) { c.Phone = d.str(v, "contact.phone") }},
		{"hours", func(v *yaml.Node) { c.Hours = d.str(v, "contact.hours") }},
		{"note", func(v *yaml.Node) { c.Note = d.str(v, "contact.note") }},
	})
	return c
}

// webURL reads a link a reader will follow; only http and https are allowed
// so that no javascript: or data: address reaches a page.
func (d *decoder) webURL(n *yaml.Node, what string) string {
	s := d.str(n, what)
	p, err := url.Parse(s)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		d.errorf(n, "%s must be an http or https address, not %s", what, describe(n))
		return ""
	}
	return s
}

// contentPath reads a path under content/ and refuses any that would leave
// it. Whether the file exists is checked by Load.
func (d *decoder) contentPath(n *yaml.Node, what string) string {
	s := d.str(n, what)
	if err := CheckContentPath(s); err != nil {
		d.errorf(n, "%s %v", what, err)
		return ""
	}
	return s
}

// CheckContentPath reports why p is not a clean relative path inside
// content/.
func CheckContentPath(p string) error {
	switch {
	case p == "":
		return errors.New("is empty; give a path under content/, e.g. files/report.pdf")
	case strings.ContainsAny(p, "\\\x00"):
		return fmt.Errorf("%q must use forward slashes and no control characters", clip(p))
	case path.IsAbs(p) || strings.HasPrefix(p, "content/"):
		return fmt.Errorf("%q must be relative to content/, e.g. files/report.pdf", clip(p))
	case path.Clean(p) != p || p == "." || slices.Contains(strings.Split(p, "/"), ".."):
		return fmt.Errorf("%q leaves content/ or is not clean; write a plain path under content/ such as files/report.pdf", clip(p))
	}
	for _, part := range strings.Split(p, "/") {
		if strings.HasPrefix(part, ".") {
			return fmt.Errorf("%q names a hidden file or folder; rename it without the leading dot", clip(p))
		}
	}
	return nil
}

// markBroken records that a taxonomy's section is missing or unreadable.
func (d *decoder) markBroken(section string) {
	if d.broken == nil {
		d.broken = map[string]bool{}
	}
	d.broken[section] = true
}

func (d *decoder) terms(n *yaml.Node, what string, groups bool) []Term {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s must be a list of entries with id and name, not %s", what, describe(n))
		d.markBroken(what)
		return nil
	}
	ghost := func(id string) {
		if d.ghosts == nil {
			d.ghosts = map[string]map[string]bool{}
		}
		if d.ghosts[what] == nil {
			d.ghosts[what] = map[string]bool{}
		}
		d.ghosts[what][id] = true
	}
	var out []Term
	seen := map[string]int{}
	for _, item := range n.Content {
		t := Term{Pos: d.pos(item)}
		var idNode *yaml.Node
		fields := []field{
			{"id", func(v *yaml.Node) { t.ID = d.str(v, "id"); idNode = v }},
			{"name", func(v *yaml.Node) { t.Name = d.str(v, "name") }},
			{"description", func(v *yaml.Node) { t.Description = d.str(v, "description") }},
		}
		if groups {
			fields = append(fields, field{"group", func(v *yaml.Node) { t.Group = d.str(v, "group") }})
		}
		if d.mapping(item, "an entry of "+what, fields) == nil {
			continue
		}
		switch {
		case idNode == nil:
			d.errorf(item, "an entry of %s has no id; add id: with a short lowercase name such as europe", what)
			continue
		case t.ID == All:
			d.errorf(idNode, "%q is reserved to mean every entry; choose another id", All)
			continue
		case !validID(t.ID):
			d.errorf(idNode, "id %s must be lowercase letters, digits and single hyphens, e.g. %q", describe(idNode), slug(t.ID))
			ghost(t.ID)
			continue
		}
		if line, dup := seen[t.ID]; dup {
			d.errorf(idNode, "%s id %q is used twice (first at line %d); ids must be unique", what, t.ID, line)
			continue
		}
		seen[t.ID] = idNode.Line
		if t.Name == "" {
			d.errorf(item, "%s entry %q has no name; add name: as readers should see it", what, t.ID)
		}
		t.Pos = d.pos(idNode)
		out = append(out, t)
	}
	return out
}

// slug suggests an id for a name a publisher wrote.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimSuffix(b.String(), "-")
	if out == "" {
		return "my-id"
	}
	return out
}

func (d *decoder) documents(n *yaml.Node) []*Document {
	if n.Kind != yaml.SequenceNode {
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return nil
		}
		d.errorf(n, "documents must be a list, not %s", describe(n))
		return nil
	}
	out := make([]*Document, 0, len(n.Content))
	for _, item := range n.Content {
		if doc := d.document(item); doc != nil {
			out = append(out, doc)
		}
	}
	return out
}

func (d *decoder) document(n *yaml.Node) *Document {
	doc := &Document{Pos: d.pos(n)}
	at := func(name string, v *yaml.Node) { doc.setAt(name, d.pos(v)) }
	var ok = true
	date := func(v *yaml.Node, what string) time.Time {
		t, good := d.date(v, what)
		ok = ok && good
		return t
	}
	// A list that is not one is reported; that it names nothing is not.
	ids := func(v *yaml.Node, what string) ([]string, bool) {
		before := len(d.problems.Errors())
		list, all := d.ids(v, what)
		ok = ok && len(d.problems.Errors()) == before
		return list, all
	}
	present := d.mapping(n, "a document", []field{
		{"id", func(v *yaml.Node) { at("id", v); doc.ID = d.str(v, "id") }},
		{"kind", func(v *yaml.Node) { at("kind", v); doc.Kind = d.str(v, "kind") }},
		{"title", func(v *yaml.Node) { at("title", v); doc.Title = strings.TrimSpace(d.str(v, "title")) }},
		{"summary", func(v *yaml.Node) { at("summary", v); doc.Summary = strings.TrimSpace(d.str(v, "summary")) }},
		{"series", func(v *yaml.Node) { at("series", v); doc.Series = d.str(v, "series") }},
		{"version", func(v *yaml.Node) { at("version", v); doc.Version = strings.TrimSpace(d.str(v, "version")) }},
		{"services", func(v *yaml.Node) { at("services", v); doc.Services, doc.AllServices = ids(v, "services") }},
		{"standards", func(v *yaml.Node) { at("standards", v); doc.Standards, doc.AllStandards = ids(v, "standards") }},
		{"regions", func(v *yaml.Node) { at("regions", v); doc.Regions, doc.AllRegions = ids(v, "regions") }},
		{"industries", func(v *yaml.Node) { at("industries", v); doc.Industries, doc.AllIndustries = ids(v, "industries") }},
		{"published", func(v *yaml.Node) { at("published", v); doc.Published = date(v, "published") }},
		{"audit_period", func(v *yaml.Node) {
			at("audit_period", v)
			p := &Period{}
			fields := d.mapping(v, "audit_period", []field{
				{"from", func(v *yaml.Node) { at("audit_period.from", v); p.From = date(v, "audit_period.from") }},
				{"to", func(v *yaml.Node) { at("audit_period.to", v); p.To = date(v, "audit_period.to") }},
			})
			_, from := fields["from"]
			_, to := fields["to"]
			if fields != nil && (!from || !to) {
				d.errorf(v, "audit_period needs both from: and to:, e.g. {from: 2024-01-01, to: 2024-12-31}")
				ok = false
			}
			doc.AuditPeriod = p
		}},
		{"expires", func(v *yaml.Node) { at("expires", v); t := date(v, "expires"); doc.Expires = &t }},
		{"file", func(v *yaml.Node) { at("file", v); doc.File = d.contentPath(v, "file") }},
		{"description", func(v *yaml.Node) { at("description", v); doc.Description = d.str(v, "description") }},
		{"public", func(v *yaml.Node) { at("public", v); doc.Public = d.boolean(v, "public") }},
	})
	if present == nil {
		return nil
	}
	name := "this document"
	if doc.ID != "" {
		name = fmt.Sprintf("document %q", doc.ID)
	}
	for _, k := range []struct{ key, hint string }{
		{"id", "a stable, unique id such as contoso-cloud-soc-2-2025"},
		{"kind", KindReport + " or " + KindDocument},
		{"title", "the name readers see"},
		{"summary", "one or two sentences shown in lists"},
		{"version", `e.g. version: "2025"`},
		{"services", "a list of service ids or all"},
		{"regions", "a list of region ids or all"},
		{"industries", "a list of industry ids or all"},
		{"published", "the publish date, YYYY-MM-DD"},
		{"file", "the file to publish, under content/"},
	} {
		if v, given := present[k.key]; !given {
			d.errorf(n, "%s has no %s: (%s)", name, k.key, k.hint)
			ok = false
		} else if v == nil {
			ok = false // misspelt, and reported so
		}
	}
	if !ok {
		return nil
	}
	return doc
}
