package catalog

import (
	"path"
	"slices"
	"strings"
	"time"

	"github.com/stp-portal/stp/generator/diag"
)

// RetentionMonths is how long a version stays downloadable after it is
// published, even when a newer version replaces it.
const RetentionMonths = 12

// validate checks what spans fields and entries: ids against taxonomies,
// unique document ids, series, dates and retention. It expands "all".
func (d *decoder) validate(c *Catalog) {
	c.Site.DefaultRegions = d.refs(c.Site.DefaultRegions, d.taxonomy("region", c.Regions), c.Site.defaultRegionsPos)
	c.Site.DefaultIndustries = d.refs(c.Site.DefaultIndustries, d.taxonomy("industry", c.Industries), c.Site.defaultIndustriesPos)
	d.validateDocuments(c, c.Documents)
	d.checkDocuments(c)
}

// checkDocuments checks what spans documents: unique ids and series.
// It keeps the ids and series in c's source, for Reparse.
func (d *decoder) checkDocuments(c *Catalog) {
	ids := make(map[string]*Document, len(c.Documents))
	series := map[string][]*Document{}
	var order []string
	for _, doc := range c.Documents {
		if _, ok := series[doc.Series]; !ok {
			order = append(order, doc.Series)
		}
		series[doc.Series] = append(series[doc.Series], doc)
		if !validID(doc.ID) {
			continue // reported by validateDocuments
		}
		if first, dup := ids[doc.ID]; dup {
			d.errorAt(doc.At("id"), "document id %q is used twice (first at line %d); give each version its own id", doc.ID, first.Pos.Line)
		} else {
			ids[doc.ID] = doc
		}
	}
	for _, id := range order {
		d.checkSeries(id, series[id])
	}
	if c.src != nil {
		c.src.ids, c.src.series = ids, series
	}
}

// validateDocuments checks each of docs on its own, against c's
// taxonomies; a dev server's reparse checks only the entries an edit
// touched.
func (d *decoder) validateDocuments(c *Catalog, docs []*Document) {
	regions := d.taxonomy("region", c.Regions)
	industries := d.taxonomy("industry", c.Industries)
	services := d.taxonomy("service", c.Services)
	standards := d.taxonomy("standard", c.Standards)
	for _, doc := range docs {
		if !validID(doc.ID) {
			d.errorAt(doc.At("id"), "document id %q must be lowercase letters, digits and single hyphens, e.g. %q", clip(doc.ID), slug(doc.ID))
		}
		seriesAt := doc.At("series")
		if doc.Series == "" {
			doc.Series, seriesAt = doc.ID, doc.At("id")
		} else if !validID(doc.Series) {
			d.errorAt(doc.At("series"), "series %q must be lowercase letters, digits and single hyphens, e.g. %q", clip(doc.Series), slug(doc.Series))
		}
		if slices.Contains(ReservedSeries, doc.Series) {
			d.errorAt(seriesAt, "series %q is reserved: documents/%s/ holds pages of the public documents list; give the series another name", doc.Series, doc.Series)
		}
		switch doc.Kind {
		case KindReport:
			if doc.AuditPeriod == nil {
				d.errorAt(doc.Pos, "compliance report %q has no audit_period:; add the period the audit covered, e.g. audit_period: {from: 2024-01-01, to: 2024-12-31}", doc.ID)
			}
		case KindDocument:
			if doc.AuditPeriod != nil {
				d.errorAt(doc.At("audit_period"), "audit_period is for compliance reports; remove it from trust document %q or set kind: %s", doc.ID, KindReport)
			}
		default:
			d.errorAt(doc.At("kind"), "kind must be %s or %s, not %q", KindReport, KindDocument, clip(doc.Kind))
		}
		if path.Base(doc.File) == "index.html" {
			d.errorAt(doc.At("file"), "a published file cannot be called index.html: that name belongs to the document's page; rename it")
		}
		if doc.Version == "" {
			d.errorAt(doc.At("version"), "version of %q is empty; write the version readers know it by, e.g. \"2025\"", doc.ID)
		}
		if doc.Title == "" {
			d.errorAt(doc.At("title"), "title of %q is empty", doc.ID)
		}
		if doc.Summary == "" {
			d.errorAt(doc.At("summary"), "summary of %q is empty; write one or two sentences readers see in lists", doc.ID)
		}
		if p := doc.AuditPeriod; p != nil && !p.From.IsZero() && !p.To.IsZero() {
			if p.To.Before(p.From) {
				d.errorAt(doc.At("audit_period.to"), "audit period ends (%s) before it starts (%s); swap from and to", day(p.To), day(p.From))
			} else if p.To.After(doc.Published) {
				d.errorAt(doc.At("audit_period.to"), "audit period ends %s, after the report was published (%s); a report covers a period already over", day(p.To), day(doc.Published))
			}
		}
		if doc.Expires != nil {
			keep := doc.Published.AddDate(0, RetentionMonths, 0)
			if doc.Expires.Before(keep) {
				d.errorAt(doc.At("expires"), "expires %s is earlier than the %d months a document must stay downloadable; set it to %s or later, or remove it", day(*doc.Expires), RetentionMonths, day(keep))
			}
		}
		givenServices, givenRegions, givenIndustries := len(doc.Services), len(doc.Regions), len(doc.Industries)
		doc.Services = d.expand(doc.Services, doc.AllServices, services, doc, "services")
		doc.Standards = d.expand(doc.Standards, doc.AllStandards, standards, doc, "standards")
		doc.Regions = d.expand(doc.Regions, doc.AllRegions, regions, doc, "regions")
		doc.Industries = d.expand(doc.Industries, doc.AllIndustries, industries, doc, "industries")
		// An empty list is an error of its own; a list of unknown ids was
		// reported above.
		for _, f := range []struct {
			field string
			given int
			ids   []string
			t     *taxonomy
		}{{"services", givenServices, doc.Services, services}, {"regions", givenRegions, doc.Regions, regions}, {"industries", givenIndustries, doc.Industries, industries}} {
			if f.given == 0 && len(f.ids) == 0 && !f.t.broken {
				d.errorAt(doc.At(f.field), "document %q names no %s; list them or write all", doc.ID, f.field)
			}
		}
	}
}

// taxonomy is one of the catalog's lists of terms, for checking references.
type taxonomy struct {
	what string // "region", "industry", ...
	ids  []string
	// order maps each id to its place in the taxonomy.
	order map[string]int
	// broken is set when the taxonomy's section is missing or unreadable,
	// and ghosts are the ids of entries refused: a reference to them is a
	// consequence of that problem, reported already.
	broken bool
	ghosts map[string]bool
}

// taxonomy is newTaxonomy with what this decoder knows of the section's
// problems.
func (d *decoder) taxonomy(what string, ts []Term) *taxonomy {
	t := newTaxonomy(what, ts)
	t.broken = d.broken[plural(what)]
	t.ghosts = d.ghosts[plural(what)]
	return t
}

func newTaxonomy(what string, ts []Term) *taxonomy {
	t := &taxonomy{what: what, order: make(map[string]int, len(ts))}
	for i, term := range ts {
		t.ids = append(t.ids, term.ID)
		t.order[term.ID] = i
	}
	return t
}

// expand checks ids against their taxonomy and turns "all" into every id,
// in the taxonomy's order.
func (d *decoder) expand(ids []string, all bool, t *taxonomy, doc *Document, field string) []string {
	if all {
		return t.ids
	}
	for _, id := range ids {
		if _, known := t.order[id]; !known {
			return d.refs(ids, t, doc.At(field)) // reports it
		}
	}
	return d.refs(ids, t, diag.Pos{})
}

// refs returns the known ids among got, in taxonomy order without repeats,
// and reports the unknown ones with the ids that would be understood.
func (d *decoder) refs(got []string, t *taxonomy, at diag.Pos) []string {
	out := make([]string, 0, len(got))
	for _, id := range got {
		if _, known := t.order[id]; !known {
			if t.broken || t.ghosts[id] {
				continue
			}
			known := strings.Join(t.ids, ", ")
			if len(t.ids) > 12 {
				known = strings.Join(t.ids[:12], ", ") + ", …"
			}
			if len(t.ids) == 0 {
				known = "none yet"
			}
			d.errorAt(d.locate(at, id), "unknown %s %q%s; add it to the catalog's %s or use a known id (known: %s)", t.what, clip(id), suggest(id, t.ids), plural(t.what), known)
			continue
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return t.order[a] - t.order[b] })
	return out
}

func plural(what string) string {
	if strings.HasSuffix(what, "y") {
		return what[:len(what)-1] + "ies"
	}
	return what + "s"
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

// checkSeries checks the versions of a series: one kind, unique versions,
// and never two versions published the same day, because then neither
// would be the current one.
func (d *decoder) checkSeries(id string, docs []*Document) {
	for i, a := range docs {
		for _, b := range docs[:i] {
			switch {
			case a.Kind != b.Kind:
				d.errorAt(a.At("kind"), "series %q mixes kinds: %q is a %s but %q (line %d) is a %s; versions of one document share a kind", id, a.ID, a.Kind, b.ID, b.Pos.Line, b.Kind)
			case a.Version == b.Version:
				d.errorAt(a.At("version"), "series %q has version %q twice (%q and %q at line %d); give each version its own number", id, a.Version, b.ID, a.ID, b.Pos.Line)
			case a.Published.Equal(b.Published):
				d.errorAt(a.At("published"), "series %q would have two current versions: %q and %q (line %d) are both published %s; give the newer one a later date", id, a.ID, b.ID, b.Pos.Line, day(a.Published))
			case path.Base(a.File) == path.Base(b.File):
				d.errorAt(a.At("file"), "series %q would publish two files named %q (%q and %q at line %d); a series' downloads share one folder and keep their names, so rename one", id, path.Base(a.File), a.ID, b.ID, b.Pos.Line)
			}
		}
	}
}
