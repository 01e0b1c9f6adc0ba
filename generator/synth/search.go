package synth

// Synthetic search records and labels, for the search package's tests and
// its benchmark (benchsearch): an index of any size that looks like a real
// portal's (standards, services, reports with audit periods, trust
// documents), made without a catalog or a build.

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"

	"github.com/stp-portal/stp/generator/search"
)

var (
	searchServices = [][2]string{
		{"contoso-365", "Contoso 365"}, {"contoso-cloud", "Contoso Cloud"}, {"contoso-dynamics", "Contoso Dynamics"},
		{"contoso-devops", "Contoso DevOps"}, {"contoso-identity", "Contoso Identity"}, {"contoso-analytics", "Contoso Analytics"},
	}
	searchStandards = [][2]string{
		{"iso-27001", "ISO/IEC 27001"}, {"iso-27017", "ISO/IEC 27017"}, {"iso-27018", "ISO/IEC 27018"},
		{"iso-27701", "ISO/IEC 27701"}, {"iso-22301", "ISO 22301"}, {"soc-1", "SOC 1"}, {"soc-2", "SOC 2"},
		{"soc-3", "SOC 3"}, {"fedramp", "FedRAMP"}, {"nist-800-53", "NIST SP 800-53"}, {"c5", "BSI C5"},
		{"irap", "IRAP"}, {"ismap", "ISMAP"}, {"cyber-essentials-plus", "Cyber Essentials Plus"},
		{"hipaa", "HIPAA"}, {"pci-dss", "PCI DSS"}, {"hitrust", "HITRUST CSF"}, {"gdpr", "GDPR"},
	}
	searchRegions = [][2]string{
		{"north-america", "North America"}, {"south-america", "South America"}, {"europe", "Europe"},
		{"united-kingdom", "United Kingdom"}, {"germany", "Germany"}, {"middle-east-africa", "Middle East and Africa"},
		{"asia-pacific", "Asia Pacific"}, {"japan", "Japan"}, {"australia", "Australia"}, {"india", "India"},
	}
	searchIndustries = [][2]string{
		{"financial-services", "Financial services"}, {"healthcare", "Healthcare"}, {"life-sciences", "Life sciences"},
		{"government", "Government"}, {"education", "Education"}, {"retail", "Retail"}, {"manufacturing", "Manufacturing"},
		{"media", "Media and communications"},
	}
	searchReportWords = []string{"Report", "Attestation", "Certificate", "Statement of Applicability", "Bridge Letter", "Assessment"}
	searchDocTopics   = []string{"Penetration Test Summary", "Business Continuity Plan", "Disaster Recovery Overview",
		"Data Protection Addendum", "Encryption Whitepaper", "Incident Response Overview", "Shared Responsibility Model",
		"Subprocessor List", "Data Residency Whitepaper", "Vulnerability Management Practices", "Access Control Policy"}
	searchVocabulary = strings.Fields(`audit auditor controls control objectives operating effectiveness design scope
		period independent firm tested logical access change management backup replication physical security
		incident handling encryption keys rotation customer data residency datacentre availability confidentiality
		privacy processing integrity monitoring logging alerting vulnerability scanning patching identity
		authentication multifactor segregation duties vendor risk assessment subservice organisation carve-out
		complementary user entity considerations exceptions noted qualified opinion management assertion system
		description trust services criteria common criteria retention deletion breach notification regulator
		supervisory authority resilience recovery objectives failover region zone network segmentation firewall
		penetration testing remediation findings severity critical high medium low evidence sampling population`)
)

// SearchLabels returns display names for the synthetic taxonomies.
func SearchLabels() search.Labels {
	l := search.Labels{}
	for facet, terms := range map[string][][2]string{
		search.FacetService: searchServices, search.FacetStandard: searchStandards,
		search.FacetRegion: searchRegions, search.FacetIndustry: searchIndustries,
	} {
		m := map[string]string{}
		for _, t := range terms {
			m[t[0]] = t[1]
		}
		l[facet] = m
	}
	return l
}

// SearchRecords returns n synthetic records; the same n and seed give the same
// records. About one in five is a retained earlier version and one in
// four is public.
func SearchRecords(n int, seed uint64) []search.Record {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	pick := func(list [][2]string) [2]string { return list[rng.IntN(len(list))] }
	some := func(list [][2]string, max int) []string {
		if rng.IntN(3) == 0 {
			out := make([]string, len(list))
			for i, t := range list {
				out[i] = t[0]
			}
			return out
		}
		k := 1 + rng.IntN(max)
		seen := map[string]bool{}
		var out []string
		for len(out) < k {
			t := pick(list)[0]
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
		return out
	}
	sentence := func(words int) string {
		w := make([]string, words)
		for i := range w {
			w[i] = searchVocabulary[rng.IntN(len(searchVocabulary))]
		}
		s := strings.Join(w, " ")
		return strings.ToUpper(s[:1]) + s[1:] + "."
	}
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	recs := make([]search.Record, 0, n)
	for i := 0; i < n; i++ {
		svc := pick(searchServices)
		r := search.Record{
			Services:   []string{svc[0]},
			Regions:    some(searchRegions, 3),
			Industries: some(searchIndustries, 3),
			Published:  base.AddDate(0, 0, rng.IntN(6*365)),
			URL:        "",
			Current:    rng.IntN(5) != 0,
			Public:     rng.IntN(4) == 0,
		}
		if rng.IntN(3) != 0 {
			std := pick(searchStandards)
			r.Kind = "compliance-report"
			r.Standards = []string{std[0]}
			r.Title = fmt.Sprintf("%s %s %s %d", svc[1], std[1], searchReportWords[rng.IntN(len(searchReportWords))], i)
			r.PeriodTo = r.Published.AddDate(0, 0, -30-rng.IntN(60))
			r.PeriodFrom = r.PeriodTo.AddDate(-1, 0, 1)
			r.Summary = fmt.Sprintf("Independent auditor's %s report for %s covering %s to %s. %s",
				std[1], svc[1], r.PeriodFrom.Format("January 2006"), r.PeriodTo.Format("January 2006"), sentence(12))
		} else {
			r.Kind = "trust-document"
			r.Title = fmt.Sprintf("%s %s %d", svc[1], searchDocTopics[rng.IntN(len(searchDocTopics))], i)
			r.Summary = sentence(18)
			if rng.IntN(2) == 0 {
				r.Standards = []string{pick(searchStandards)[0]}
			}
		}
		var body []string
		for p := 0; p < 4+rng.IntN(8); p++ {
			body = append(body, sentence(10+rng.IntN(15)))
		}
		r.Body = strings.Join(body, " ")
		r.Series = fmt.Sprintf("doc-%06d", i)
		r.Version = r.Published.Format("2006")
		r.ID = r.Series + "-" + r.Version
		r.URL = "documents/" + r.Series + "/"
		recs = append(recs, r)
	}
	return recs
}

// SearchQueries are the benchmarks' queries, as query strings: what readers
// type (names, typos, prefixes, phrases), filters and browsing.
func SearchQueries() []string {
	texts := []string{"iso 27001", "soc 2", "soc 2 type 2", "fedramp", "penetration test", "penetraton", "encrypton keys",
		"disaster recovery", "continu", "vulnerab", `"operating effectiveness"`, `"customer data"`, "audit controls",
		"hipaa", "pci dss", "contoso cloud", "data residency", "bridge letter", "incident", "c5", "gdpr privacy",
		"backup replication", "multifactor authentication", "subservice organisation", "datacentre availability"}
	var out []string
	for _, t := range texts {
		out = append(out, "q="+url.QueryEscape(t))
	}
	return append(out,
		"", "region=europe", "region=europe&industry=healthcare",
		"q=audit&standard=soc-2&region=europe", "q=contoso&kind=trust-document&page=3",
		"q=security&year=2023&sort=newest", "standard=iso-27001&standard=iso-27017&from=2022-01-01&to=2023-12-31",
	)
}
