package synth

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// today is the day the synthetic portal is written as of.
var today = time.Date(2026, time.November, 27, 0, 0, 0, 0, time.UTC)

const (
	// window is how many days before today publish dates reach: three years.
	window = 1095
	// Consecutive versions of a series are 6 to 14 months apart; in days,
	// the shortest 14 months are 424 days and the longest 6 months are 184.
	minGap, maxGap = 184, 424
	// pcgStream is the second half of the PCG seed, fixed so that only
	// Options.Seed picks the sequence.
	pcgStream = 0x5354502d73796e74 // "STP-synt"
)

// portal is the whole synthetic catalog before it is written.
type portal struct {
	regions, industries, services []term
	standards                     []standard
	documents                     []*document
}

// scope is what a document applies to. References are indices into the
// portal's lists, ascending; an all flag stands for the whole list.
type scope struct {
	services, standards, regions, industries             []int
	allServices, allStandards, allRegions, allIndustries bool
}

// document is one version of a synthetic document.
type document struct {
	scope
	id, kind, title, summary, series, version string

	published        time.Time
	auditFrom, audit time.Time // audit is the period's last day; zero for trust documents
	expires          time.Time // zero when the document does not expire
	description      string
	public           bool
}

// seriesPlan is what all versions of one series share.
type seriesPlan struct {
	report   bool
	std      *standard // the primary standard of a report
	stdIndex int
	trust    *trustKind // the kind of a trust document
	industry int        // the industry a trust kind written for one industry addresses
	name     string     // the artifact or kind of document, e.g. "SOC 2 Type II Report"
	title    string
	scope

	public       bool
	auditor      string
	periodMonths int
	versionStyle int
}

const (
	versionYear = iota
	versionQuarter
	versionNumber
)

type generator struct {
	rng *rand.Rand
	p   *portal

	regionIndex, industryIndex, standardIndex map[string]int
	// stdRegions and stdIndustries resolve each standard's affinities to
	// the indices present in this portal.
	stdRegions, stdIndustries, trustStandards [][]int
	totalWeight                               int

	seriesSeen map[string]int
	idSeen     map[string]bool
}

// plan draws the whole portal from o.Seed.
func plan(o Options) *portal {
	p := &portal{
		regions:    extend(regionTerms, o.Regions, "region", "Region"),
		industries: extend(industryTerms, o.Industries, "industry", "Industry"),
		services:   serviceTerms,
		standards:  standards,
		documents:  make([]*document, 0, o.Documents),
	}
	g := &generator{
		rng:           rand.New(rand.NewPCG(uint64(o.Seed), pcgStream)),
		p:             p,
		regionIndex:   index(p.regions),
		industryIndex: index(p.industries),
		standardIndex: map[string]int{},
		seriesSeen:    make(map[string]int, o.Documents/2),
		idSeen:        make(map[string]bool, o.Documents),
	}
	for i := range p.standards {
		s := &p.standards[i]
		g.standardIndex[s.id] = i
		g.totalWeight += s.weight
	}
	for _, s := range p.standards {
		g.stdRegions = append(g.stdRegions, resolve(s.regions, g.regionIndex))
		g.stdIndustries = append(g.stdIndustries, resolve(s.industries, g.industryIndex))
	}
	for _, k := range trustKinds {
		g.trustStandards = append(g.trustStandards, resolve(k.standards, g.standardIndex))
	}
	for len(p.documents) < o.Documents {
		g.series(o.Documents-len(p.documents), len(p.documents) == 0)
	}
	return p
}

// extend returns the first n terms of a list, inventing numbered ones past
// its end.
func extend(list []term, n int, id, name string) []term {
	out := slices.Clone(list[:min(n, len(list))])
	for i := len(list) + 1; i <= n; i++ {
		out = append(out, term{
			id:          fmt.Sprintf("%s-%02d", id, i),
			name:        fmt.Sprintf("%s %d", name, i),
			description: fmt.Sprintf("Synthetic %s %d, one of the extra %ss of a large test portal.", id, i, strings.ToLower(name)),
		})
	}
	return out
}

func index(ts []term) map[string]int {
	m := make(map[string]int, len(ts))
	for i, t := range ts {
		m[t.id] = i
	}
	return m
}

func resolve(ids []string, in map[string]int) []int {
	var out []int
	for _, id := range ids {
		if i, ok := in[id]; ok {
			out = append(out, i)
		}
	}
	return out
}

// series draws one series of at most limit versions. The first series of a
// portal always has a version from the last 30 days, so that even a tiny
// portal shows something new.
func (g *generator) series(limit int, recent bool) {
	r := g.rng
	s := &seriesPlan{report: r.IntN(100) < 70, public: r.IntN(100) < 5}
	if s.report {
		g.reportScope(s)
	} else {
		g.trustScope(s)
	}
	g.scopeTitle(s)

	n := min(limit, g.weighted(30, 30, 25, 15)+1)
	dates := g.publishDates(n, recent)
	id := g.seriesID(s)

	var prev *document
	for i, pub := range dates {
		d := &document{
			scope:     s.scope,
			kind:      "trust-document",
			title:     s.title,
			series:    id,
			published: pub,
			public:    s.public,
		}
		if s.report {
			d.kind = "compliance-report"
			// The period ends on the last day of a month one to three
			// months before publication.
			first := time.Date(pub.Year(), pub.Month()-time.Month(g.weighted(50, 35, 15)), 1, 0, 0, 0, 0, time.UTC)
			d.audit = first.AddDate(0, 0, -1)
			d.auditFrom = time.Date(d.audit.Year(), d.audit.Month()+1-time.Month(s.periodMonths), 1, 0, 0, 0, 0, time.UTC)
		}
		d.version = g.version(s, pub, prev)
		d.id = g.documentID(id, s, d.version)
		if r.IntN(100) < 30 {
			d.expires = pub.AddDate(0, 12+r.IntN(25), 0)
			// The newest version keeps the series listed; it may expire
			// soon, but not before today.
			if i == len(dates)-1 && !d.expires.After(today) {
				d.expires = today.AddDate(0, 0, 1+r.IntN(365))
			}
		}
		d.summary = g.summary(s, d)
		if r.IntN(2) == 0 {
			d.description = g.description(s, d, prev)
		}
		g.p.documents = append(g.p.documents, d)
		prev = d
	}
}

// weighted returns i with probability proportional to weights[i].
func (g *generator) weighted(weights ...int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := g.rng.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

// pick returns k distinct numbers below n, ascending.
func (g *generator) pick(n, k int) []int {
	k = min(k, n)
	out := make([]int, 0, k)
	for len(out) < k {
		if i := g.rng.IntN(n); !slices.Contains(out, i) {
			out = append(out, i)
		}
	}
	slices.Sort(out)
	return out
}

// oneToThree is how many specific regions, industries or services a
// document names.
func (g *generator) oneToThree() int { return 1 + g.weighted(55, 30, 15) }

// affine returns some of the preferred terms, now and then with one more.
func (g *generator) affine(preferred []int, n int) []int {
	out := slices.Clone(preferred[:1+g.rng.IntN(min(3, len(preferred)))])
	if g.rng.IntN(100) < 15 {
		if i := g.rng.IntN(n); !slices.Contains(out, i) {
			out = append(out, i)
		}
	}
	slices.Sort(out)
	return out
}

// audience draws regions and industries. Standards tied to a place or an
// industry mostly stay there; the rest apply to all regions and all industries
// often enough that about a fifth of documents apply to all regions and a
// quarter to all industries.
func (g *generator) audience(s *seriesPlan, regions, industries []int) {
	r := g.rng
	switch {
	case len(regions) > 0:
		s.regions = g.affine(regions, len(g.p.regions))
	case r.IntN(100) < 27:
		s.allRegions = true
	default:
		s.regions = g.pick(len(g.p.regions), g.oneToThree())
	}
	switch {
	case len(industries) > 0 && r.IntN(100) >= 20:
		s.industries = g.affine(industries, len(g.p.industries))
	case r.IntN(100) < 35:
		s.allIndustries = true
	default:
		s.industries = g.pick(len(g.p.industries), g.oneToThree())
	}
	if r.IntN(100) < 8 {
		s.allServices = true
	} else {
		s.services = g.pick(len(g.p.services), g.oneToThree())
	}
}

func (g *generator) reportScope(s *seriesPlan) {
	r := g.rng
	n := r.IntN(g.totalWeight)
	i := 0
	for ; n >= g.p.standards[i].weight; i++ {
		n -= g.p.standards[i].weight
	}
	s.std, s.stdIndex = &g.p.standards[i], i
	s.standards = []int{i}
	// Some reports cover several standards of one family, such as one
	// certificate for ISO/IEC 27001, 27017 and 27018.
	if r.IntN(100) < 20 {
		for range 1 + r.IntN(2) {
			j := r.IntN(len(g.p.standards))
			if g.p.standards[j].group == s.std.group && !slices.Contains(s.standards, j) {
				s.standards = append(s.standards, j)
			}
		}
		slices.Sort(s.standards)
	}
	g.audience(s, g.stdRegions[i], g.stdIndustries[i])
	s.auditor = auditors[r.IntN(len(auditors))]
	s.periodMonths = []int{12, 6, 3}[g.weighted(70, 20, 10)]
	s.versionStyle = []int{versionYear, versionQuarter, versionNumber}[g.weighted(60, 15, 25)]
}

func (g *generator) trustScope(s *seriesPlan) {
	r := g.rng
	k := r.IntN(len(trustKinds))
	s.trust = &trustKinds[k]
	related := g.trustStandards[k]
	switch {
	case s.trust.name == "Compliance Mapping Guide" && r.IntN(2) == 0:
		s.allStandards = true
	case len(related) > 0 && r.IntN(100) < 80:
		s.standards = slices.Clone(related[:1+r.IntN(min(2, len(related)))])
		slices.Sort(s.standards)
	case r.IntN(100) < 3:
		s.allStandards = true
	default:
		s.standards = []int{}
	}
	g.audience(s, nil, nil)
	if s.trust.industry {
		// Most guides are written for the industries a portal lists first.
		s.industry = r.IntN(min(12, len(g.p.industries)))
		s.allIndustries = false
		s.industries = []int{s.industry}
	}
	s.auditor = auditors[r.IntN(len(auditors))]
	s.versionStyle = []int{versionYear, versionNumber}[g.weighted(40, 60)]
}

// serviceNames names services the way titles do: "Fabrikam Compute and
// Storage".
func (g *generator) serviceNames(s *seriesPlan) string {
	if s.allServices {
		return "Fabrikam Cloud Services"
	}
	names := make([]string, len(s.services))
	for i, j := range s.services {
		names[i] = g.p.services[j].name
		if i > 0 {
			names[i] = strings.TrimPrefix(names[i], "Fabrikam ")
		}
	}
	return joinAnd(names)
}

func (g *generator) scopeTitle(s *seriesPlan) {
	r := g.rng
	if s.report {
		s.name = s.std.artifacts[r.IntN(len(s.std.artifacts))]
	} else {
		s.name = s.trust.name
		if s.trust.industry {
			s.name = strings.Replace(s.name, "%s", g.p.industries[s.industry].name, 1)
		}
	}
	svc := g.serviceNames(s)
	switch r.IntN(3) {
	case 0:
		s.title = s.name + ": " + svc
	case 1:
		s.title = svc + " " + s.name
	default:
		s.title = s.name + " for " + svc
	}
	// A report under a national standard names its country already.
	national := s.report && len(g.stdRegions[s.stdIndex]) > 0
	if len(s.regions) == 1 && !national && r.IntN(2) == 0 {
		s.title += " (" + g.p.regions[s.regions[0]].name + ")"
	}
}

// seriesID makes a readable, unique id from the title's parts, numbering
// repeats.
func (g *generator) seriesID(s *seriesPlan) string {
	b := appendSlug(nil, s.name)
	if s.allServices {
		b = append(b, "-fabrikam"...)
	} else {
		b = append(b, '-')
		b = append(b, g.p.services[s.services[0]].id...)
	}
	if len(s.regions) == 1 {
		b = append(b, '-')
		b = append(b, g.p.regions[s.regions[0]].id...)
	}
	base := string(b)
	n := g.seriesSeen[base] + 1
	g.seriesSeen[base] = n
	if n == 1 {
		return base
	}
	return base + "-" + strconv.Itoa(n)
}

// appendSlug appends the lowercase kebab-case form of s.
func appendSlug(b []byte, s string) []byte {
	sep := len(b) > 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if sep {
				b = append(b, '-')
				sep = false
			}
			b = append(b, c)
		} else if len(b) > 0 {
			sep = true
		}
	}
	return b
}

// publishDates draws n publish dates, oldest first, 6 to 14 months apart and
// inside the three years before today. It returns fewer when n versions
// cannot fit.
func (g *generator) publishDates(n int, recent bool) []time.Time {
	r := g.rng
	gaps := make([]int, n-1)
	span := 0
	for tries := 0; ; tries++ {
		span = 0
		for i := range gaps {
			gaps[i] = minGap + r.IntN(maxGap-minGap+1)
			span += gaps[i]
		}
		if span <= window-30 {
			break
		}
		if tries%4 == 3 {
			gaps = gaps[:len(gaps)-1]
		}
	}
	// ago is how many days before today the newest version came out.
	ago := r.IntN(window - span + 1)
	if recent {
		ago = r.IntN(30)
	}
	dates := make([]time.Time, len(gaps)+1)
	for i := len(dates) - 1; i >= 0; i-- {
		dates[i] = today.AddDate(0, 0, -ago)
		if i > 0 {
			ago += gaps[i-1]
		}
	}
	return dates
}

// version labels a version the way the series does: by year ("2025", then
// "2025.2" for a second one the same year), by quarter ("2025 Q3") or by
// number ("2.1").
func (g *generator) version(s *seriesPlan, pub time.Time, prev *document) string {
	switch s.versionStyle {
	case versionYear:
		y := strconv.Itoa(pub.Year())
		if prev != nil && prev.published.Year() == pub.Year() {
			return y + ".2"
		}
		return y
	case versionQuarter:
		return fmt.Sprintf("%d Q%d", pub.Year(), (int(pub.Month())+2)/3)
	}
	if prev == nil {
		return strconv.Itoa(1+g.rng.IntN(3)) + ".0"
	}
	major, minor, _ := strings.Cut(prev.version, ".")
	ma, _ := strconv.Atoi(major)
	mi, _ := strconv.Atoi(minor)
	if g.rng.IntN(100) < 60 {
		return strconv.Itoa(ma) + "." + strconv.Itoa(mi+1)
	}
	return strconv.Itoa(ma+1) + ".0"
}

func (g *generator) documentID(series string, s *seriesPlan, version string) string {
	if s.versionStyle == versionNumber {
		version = "v" + version
	}
	b := appendSlug([]byte(series), version)
	id := string(b)
	for n := 2; g.idSeen[id]; n++ {
		id = string(b) + "-" + strconv.Itoa(n)
	}
	g.idSeen[id] = true
	return id
}

// joinAnd joins names as a sentence lists them: "a, b and c".
func joinAnd(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// topicsFor draws k distinct topics.
func (g *generator) topicsFor(k int) []string {
	idx := g.pick(len(topics), k)
	g.rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = topics[j]
	}
	return out
}

func (g *generator) regionPhrase(s *seriesPlan) string {
	if g.rng.IntN(2) == 0 {
		return ""
	}
	if s.allRegions {
		return " in every region"
	}
	names := make([]string, len(s.regions))
	for i, j := range s.regions {
		names[i] = g.p.regions[j].name
	}
	return " in " + joinAnd(names)
}

// serviceScope names the services as a sentence does.
func (g *generator) serviceScope(s *seriesPlan) string {
	if s.allServices {
		return "all Fabrikam cloud services"
	}
	names := make([]string, len(s.services))
	for i, j := range s.services {
		names[i] = g.p.services[j].name
	}
	return joinAnd(names)
}

const longDate = "2 January 2006"

func (g *generator) summary(s *seriesPlan, d *document) string {
	r := g.rng
	svc := g.serviceScope(s)
	if s.report {
		t := g.topicsFor(4)
		switch r.IntN(4) {
		case 0:
			return fmt.Sprintf("%s independent examination of the controls of %s relevant to %s, %s and %s, for the period %s to %s.",
				possessive(s.auditor), svc, t[0], t[1], t[2], d.auditFrom.Format(longDate), d.audit.Format(longDate))
		case 1:
			return fmt.Sprintf("%s for %s%s, issued by %s with %s; covers %s and %s.",
				s.name, svc, g.regionPhrase(s), s.auditor, g.opinion(s), t[0], t[1])
		case 2:
			return fmt.Sprintf("Attests that %s meet the requirements of %s%s. The audit covered %s, %s and %s.",
				svc, s.std.name, g.regionPhrase(s), t[0], t[1], t[2])
		}
		return fmt.Sprintf("Covers the %d-month audit period ending %s: %s, %s, %s and %s for %s.",
			s.periodMonths, d.audit.Format(longDate), t[0], t[1], t[2], t[3], svc)
	}
	t := g.topicsFor(3)
	if s.trust.industry {
		return fmt.Sprintf("Guidance for %s customers on %s and %s when they run regulated workloads on %s.",
			strings.ToLower(g.p.industries[s.industry].name), t[0], t[1], svc)
	}
	switch r.IntN(3) {
	case 0:
		return fmt.Sprintf("How Fabrikam handles %s and %s for %s%s.", t[0], t[1], svc, g.regionPhrase(s))
	case 1:
		return fmt.Sprintf("This %s explains %s, %s and the customer's responsibilities for %s.", s.trust.noun, t[0], t[1], svc)
	}
	return fmt.Sprintf("Covers %s, %s and %s across %s%s; updated %s.",
		t[0], t[1], t[2], svc, g.regionPhrase(s), d.published.Format("January 2006"))
}

func (g *generator) opinion(s *seriesPlan) string {
	list, ok := opinions[s.std.group]
	if !ok {
		list = opinions[""]
	}
	return list[g.rng.IntN(len(list))]
}

// possessive writes "Contoso's" and "Woodgrove Services'".
func possessive(name string) string {
	if strings.HasSuffix(name, "s") {
		return name + "'"
	}
	return name + "'s"
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// description writes a long description in Markdown: scope, what was
// examined, what changed since the previous version, and where to read on.
func (g *generator) description(s *seriesPlan, d, prev *document) string {
	r := g.rng
	var b strings.Builder
	b.Grow(1200)
	noun := "document"
	if s.report {
		noun = "report"
	}
	b.WriteString("## Scope\n\nThis ")
	b.WriteString(noun)
	b.WriteString(" covers ")
	if s.allServices {
		b.WriteString("**all Fabrikam cloud services**")
	} else {
		names := make([]string, len(s.services))
		for i, j := range s.services {
			names[i] = "**" + g.p.services[j].name + "**"
		}
		b.WriteString(joinAnd(names))
	}
	b.WriteString(g.regionPhrase(s))
	b.WriteString(".")
	if s.report {
		fmt.Fprintf(&b, " The audit period ran from %s to %s, and %s issued %s.",
			d.auditFrom.Format(longDate), d.audit.Format(longDate), s.auditor, g.opinion(s))
		b.WriteString("\n\n## What the auditor examined\n\n")
	} else {
		b.WriteString("\n\n## Contents\n\n")
	}
	findings, changes := trustFindings, trustChanges
	if s.report {
		findings, changes = reportFindings, reportChanges
	}
	for _, t := range g.topicsFor(3 + r.IntN(3)) {
		fmt.Fprintf(&b, "- **%s**: %s.\n", capitalize(t), findings[r.IntN(len(findings))])
	}
	if prev != nil && r.IntN(100) < 60 {
		fmt.Fprintf(&b, "\n### Changes since version %s\n\n", prev.version)
		for _, i := range g.pick(len(changes), 1+r.IntN(3)) {
			c := changes[i]
			if at := strings.Index(c, "%s"); at >= 0 {
				c = c[:at] + topics[r.IntN(len(topics))] + c[at+2:]
			}
			b.WriteString("- ")
			b.WriteString(c)
			b.WriteString("\n")
		}
	}
	fmt.Fprintf(&b, "\n## How to use this %s\n\n", noun)
	if len(s.standards) > 0 {
		std := &g.p.standards[s.standards[0]]
		fmt.Fprintf(&b, "Read it together with the text of [%s](%s) and your own risk assessment. ", std.name, std.url)
	} else {
		b.WriteString("Read it together with your own risk assessment and the service terms. ")
	}
	b.WriteString("Questions about it go to the [Fabrikam Trust team](https://support.fabrikam.example/).\n")
	return b.String()
}
