package synth

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"time"
)

// writeCatalog writes catalog.yaml by hand: a marshaller would take seconds
// for 100,000 documents. Ids, dates and flags are written plain, text plain
// when it cannot be misread and double-quoted otherwise (YAML's escapes are
// a superset of the ones strconv.Quote writes), and long descriptions as
// literal blocks. Publishers write both forms, so the parser meets both.
func writeCatalog(w io.Writer, p *portal) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	b := make([]byte, 0, 8<<10)
	b = append(b, `site:
  title: Fabrikam Service Trust Portal
  organization: Fabrikam
  tagline: "Audit reports, certificates and trust documents for Fabrikam cloud services."
  base_url: https://trust.fabrikam.example/
  language: en
  default_regions: []
  default_industries: []
  page_size: 25
  new_days: 30
  accent: "#0b5cad"
  search: browser
  contact:
    name: Fabrikam Trust team
    email: trust@fabrikam.example
    url: https://support.fabrikam.example/
`...)
	b = appendTerms(b, "regions", p.regions)
	b = appendTerms(b, "industries", p.industries)
	b = appendTerms(b, "services", p.services)
	b = append(b, "standards:\n"...)
	for i := range p.standards {
		b = appendTerm(b, &p.standards[i].term)
	}
	if len(p.documents) == 0 {
		b = append(b, "documents: []\n"...)
	} else {
		b = append(b, "documents:\n"...)
	}
	for _, d := range p.documents {
		b = appendDocument(b, p, d)
		if len(b) > 64<<10 {
			if _, err := bw.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	if _, err := bw.Write(b); err != nil {
		return err
	}
	return bw.Flush()
}

func appendTerms(b []byte, key string, ts []term) []byte {
	b = append(b, key...)
	b = append(b, ":\n"...)
	for i := range ts {
		b = appendTerm(b, &ts[i])
	}
	return b
}

func appendTerm(b []byte, t *term) []byte {
	b = append(b, "  - id: "...)
	b = append(b, t.id...)
	b = append(b, "\n    name: "...)
	b = appendText(b, t.name)
	if t.group != "" {
		b = append(b, "\n    group: "...)
		b = appendText(b, t.group)
	}
	b = append(b, "\n    description: "...)
	b = appendText(b, t.description)
	return append(b, '\n')
}

func appendDocument(b []byte, p *portal, d *document) []byte {
	b = append(b, "  - id: "...)
	b = append(b, d.id...)
	b = append(b, "\n    kind: "...)
	b = append(b, d.kind...)
	b = append(b, "\n    title: "...)
	b = appendText(b, d.title)
	b = append(b, "\n    summary: "...)
	b = appendText(b, d.summary)
	b = append(b, "\n    series: "...)
	b = append(b, d.series...)
	b = append(b, "\n    version: "...)
	b = strconv.AppendQuote(b, d.version)
	b = appendRefs(b, "services", d.services, d.allServices, p.services)
	b = appendStandards(b, d, p.standards)
	b = appendRefs(b, "regions", d.regions, d.allRegions, p.regions)
	b = appendRefs(b, "industries", d.industries, d.allIndustries, p.industries)
	b = append(b, "\n    published: "...)
	b = d.published.AppendFormat(b, time.DateOnly)
	if d.kind == "compliance-report" {
		b = append(b, "\n    audit_period: {from: "...)
		b = d.auditFrom.AppendFormat(b, time.DateOnly)
		b = append(b, ", to: "...)
		b = d.audit.AppendFormat(b, time.DateOnly)
		b = append(b, '}')
	}
	if !d.expires.IsZero() {
		b = append(b, "\n    expires: "...)
		b = d.expires.AppendFormat(b, time.DateOnly)
	}
	b = append(b, "\n    file: files/"...)
	b = append(b, d.id...)
	b = append(b, ".pdf\n    public: "...)
	b = strconv.AppendBool(b, d.public)
	b = append(b, '\n')
	if d.description != "" {
		b = append(b, "    description: |\n"...)
		for line := range strings.Lines(d.description) {
			if line != "\n" {
				b = append(b, "      "...)
			}
			b = append(b, line...)
		}
	}
	return b
}

func appendRefs(b []byte, key string, refs []int, all bool, ts []term) []byte {
	b = append(b, "\n    "...)
	b = append(b, key...)
	b = append(b, ": "...)
	if all {
		return append(b, "all"...)
	}
	b = append(b, '[')
	for i, j := range refs {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, ts[j].id...)
	}
	return append(b, ']')
}

func appendStandards(b []byte, d *document, ss []standard) []byte {
	b = append(b, "\n    standards: "...)
	if d.allStandards {
		return append(b, "all"...)
	}
	b = append(b, '[')
	for i, j := range d.standards {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, ss[j].id...)
	}
	return append(b, ']')
}

// appendText appends s as a YAML scalar that reads back as the same string.
func appendText(b []byte, s string) []byte {
	if plain(s) {
		return append(b, s...)
	}
	return strconv.AppendQuote(b, s)
}

// plain reports whether s can be written as a plain scalar: it starts with
// a letter, holds only letters, digits, spaces and punctuation that means
// nothing inside a block-context scalar, and is not a word YAML reads as
// true, false or null.
func plain(s string) bool {
	if s == "" || !isLetter(s[0]) || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isLetter(c) && !(c >= '0' && c <= '9') && !strings.ContainsRune(" ,./()'-+&;?!", rune(c)) {
			return false
		}
	}
	if len(s) <= 5 {
		switch strings.ToLower(s) {
		case "true", "false", "yes", "no", "on", "off", "y", "n", "null":
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
