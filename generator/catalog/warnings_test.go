package catalog

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// warnHead is a catalog without documents; the table below adds them. Its
// documents start at line 11.
const warnHead = `site: {title: Test Portal, base_url: "https://trust.example.com/"}
regions: [{id: europe, name: Europe}]
industries: [{id: health, name: Healthcare}]
services: [{id: cloud, name: Cloud}]
standards: [{id: soc-2, name: SOC 2}]
#
#
#
#
documents:
`

// warnDoc writes one document in flow style, one line each, so that a
// warning's line is the document's place in the list (line 11 onwards) and
// its column says which field it is at.
func warnDoc(id, series, published string, extra ...string) string {
	kind := "trust-document"
	for _, e := range extra {
		if strings.HasPrefix(e, "audit_period") {
			kind = "compliance-report"
		}
	}
	fields := []string{
		"id: " + id, "kind: " + kind, "title: T", "summary: S", "series: " + series,
		"version: v-" + id, "services: all", "regions: all", "industries: all", "published: " + published,
		"file: files/" + id + ".pdf",
	}
	fields = append(fields, extra...)
	return "  - {" + strings.Join(fields, ", ") + "}\n"
}

func TestWarnings(t *testing.T) {
	const now = "2026-06-15"
	tests := []struct {
		name string
		docs []string
		want []string
	}{
		{
			"nothing to say",
			[]string{
				warnDoc("a-1", "a", "2026-01-10", "expires: 2027-06-01"),
				warnDoc("r-1", "r", "2026-02-01", "audit_period: {from: 2025-01-01, to: 2025-12-31}"),
			},
			nil,
		},
		{
			"current version expires within 30 days",
			[]string{warnDoc("a-1", "a", "2025-06-01", "expires: 2026-07-01")},
			[]string{`catalog.yaml:11:185: warning: document "a-1", the current version of "a", expires 2026-07-01 (in 16 days); publish a newer version or move expires: later`},
		},
		{
			"expires today and tomorrow",
			[]string{
				warnDoc("a-1", "a", "2025-06-01", "expires: 2026-06-15"),
				warnDoc("b-1", "b", "2025-06-01", "expires: 2026-06-16"),
			},
			[]string{
				`catalog.yaml:11:185: warning: document "a-1", the current version of "a", expires 2026-06-15 (today); publish a newer version or move expires: later`,
				`catalog.yaml:12:185: warning: document "b-1", the current version of "b", expires 2026-06-16 (tomorrow); publish a newer version or move expires: later`,
			},
		},
		{
			"expiry 31 days ahead is not yet worth a warning",
			[]string{warnDoc("a-1", "a", "2025-06-01", "expires: 2026-07-16")},
			nil,
		},
		{
			"a superseded version's expiry does not matter",
			[]string{
				warnDoc("a-1", "a", "2025-06-01", "expires: 2026-07-01"),
				warnDoc("a-2", "a", "2026-06-01"),
			},
			nil,
		},
		{
			"newest version expired leaves the series without a current version",
			[]string{
				warnDoc("a-1", "a", "2025-01-01"),
				warnDoc("a-2", "a", "2025-03-01", "expires: 2026-06-01"),
			},
			[]string{`catalog.yaml:12:185: warning: document "a-2" expired on 2026-06-01, so series "a" has no current version; publish a newer version or remove the entry`},
		},
		{
			"audit period over a year old with no newer version",
			[]string{warnDoc("r-1", "r", "2025-03-01", "audit_period: {from: 2024-01-01, to: 2025-01-31}")},
			[]string{`catalog.yaml:11:216: warning: the audit period of "r-1" ended 2025-01-31, more than a year ago, and series "r" has no newer version; publish the next report (or a bridge letter) as a new version`},
		},
		{
			"old audit period of a report that says how long it holds",
			[]string{warnDoc("r-1", "r", "2025-03-01", "audit_period: {from: 2024-01-01, to: 2025-01-31}", "expires: 2028-02-29")},
			nil,
		},
		{
			"old audit period superseded by a newer version",
			[]string{
				warnDoc("r-1", "r", "2025-03-01", "audit_period: {from: 2024-01-01, to: 2025-01-31}"),
				warnDoc("r-2", "r", "2026-03-01", "audit_period: {from: 2025-02-01, to: 2026-01-31}"),
			},
			nil,
		},
		{
			"old audit period with the next report scheduled",
			[]string{
				warnDoc("r-1", "r", "2025-03-01", "audit_period: {from: 2024-01-01, to: 2025-01-31}"),
				warnDoc("r-2", "r", "2026-07-01", "audit_period: {from: 2025-02-01, to: 2026-01-31}"),
			},
			nil,
		},
		{
			"audit period ended exactly a year ago",
			[]string{warnDoc("r-1", "r", "2025-07-01", "audit_period: {from: 2024-06-16, to: 2025-06-15}")},
			nil,
		},
		{
			"public version in a gated series",
			[]string{
				warnDoc("a-1", "a", "2026-01-01", "public: true"),
				warnDoc("a-2", "a", "2026-05-01"),
			},
			[]string{`catalog.yaml:11:184: warning: document "a-1" is public but "a-2", the current version of series "a", is gated, so readers who do not sign in get an outdated version; make the current version public too, or this one gated`},
		},
		{
			"public current version with a gated earlier one is fine",
			[]string{
				warnDoc("a-1", "a", "2026-01-01"),
				warnDoc("a-2", "a", "2026-05-01", "public: true"),
			},
			nil,
		},
		{
			"public version past its retention is no longer listed",
			[]string{
				warnDoc("a-1", "a", "2025-01-01", "public: true"),
				warnDoc("a-2", "a", "2026-05-01"),
			},
			nil,
		},
		{
			"two documents publish the same file",
			[]string{
				warnDoc("a-1", "a", "2025-01-01"),
				strings.Replace(warnDoc("b-1", "b", "2026-05-01"), "files/b-1.pdf", "files/a-1.pdf", 1),
			},
			[]string{`catalog.yaml:12:161: warning: document "b-1" publishes the same file as "a-1" (line 11), content/files/a-1.pdf; each document usually has its own file`},
		},
		{
			"publish date more than a year ahead",
			[]string{warnDoc("a-1", "a", "2207-06-01")},
			[]string{`catalog.yaml:11:143: warning: document "a-1" is published 2207-06-01, more than a year from now, so no build shows it until then; check the year`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, problems := Parse("catalog.yaml", []byte(warnHead+strings.Join(tt.docs, "")))
			if c == nil || len(problems) != 0 {
				t.Fatalf("Parse: %v", problems)
			}
			var got []string
			for _, p := range c.Warnings(mustDay(now)) {
				if !p.Warning {
					t.Errorf("%v is not a warning", p)
				}
				got = append(got, p.Error())
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func mustDay(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}
