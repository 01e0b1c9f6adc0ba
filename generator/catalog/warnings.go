package catalog

import (
	"fmt"
	"slices"
	"time"

	"github.com/stp-portal/stp/generator/diag"
)

// ExpiryWarningDays is how long before a current version expires that the
// publisher is warned.
const ExpiryWarningDays = 30

// Warnings returns what a publisher should look at although the catalog is
// valid, as of now: a current version about to expire or already expired, a
// compliance report whose audit period is more than a year old with no newer
// version, a public version in a series whose current version is gated, two
// versions that publish the same file, and a publish date so far ahead that
// it is likely a typo. Each warning is at the field to change.
func (c *Catalog) Warnings(now time.Time) diag.Problems {
	today := now.UTC().Truncate(24 * time.Hour)
	var ps diag.Problems
	warn := ps.Warnf

	bySeries := map[string][]*Document{}
	files := map[string]*Document{}
	for _, d := range c.Documents {
		bySeries[d.Series] = append(bySeries[d.Series], d)
		if first, dup := files[d.File]; dup && d.File != "" && first.Series != d.Series {
			// Within a series the same file name is an error (see
			// checkSeries): downloads of a series share one folder.
			warn(d.At("file"), "document %q publishes the same file as %q (line %d), content/%s; each document usually has its own file", d.ID, first.ID, first.Pos.Line, d.File)
		} else {
			files[d.File] = d
		}
		if ahead := today.AddDate(1, 0, 0); d.Published.After(ahead) {
			warn(d.At("published"), "document %q is published %s, more than a year from now, so no build shows it until then; check the year", d.ID, day(d.Published))
		}
	}

	for _, docs := range bySeries {
		slices.SortFunc(docs, func(a, b *Document) int { return b.Published.Compare(a.Published) })
		i := slices.IndexFunc(docs, func(d *Document) bool { return !d.Published.After(today) })
		if i < 0 {
			continue // every version is scheduled
		}
		newest, scheduled := docs[i], i > 0
		if newest.Expires != nil && !scheduled {
			left := int(newest.Expires.Sub(today).Hours() / 24)
			switch {
			case newest.Expired(today):
				warn(newest.At("expires"), "document %q expired on %s, so series %q has no current version; publish a newer version or remove the entry", newest.ID, day(*newest.Expires), newest.Series)
			case left <= ExpiryWarningDays:
				warn(newest.At("expires"), "document %q, the current version of %q, expires %s (%s); publish a newer version or move expires: later", newest.ID, newest.Series, day(*newest.Expires), inDays(left))
			}
		}
		// A report with an expiry date (a certificate valid for three
		// years) says itself how long it holds; others go stale a year
		// after their audit period.
		if p := newest.AuditPeriod; p != nil && newest.Kind == KindReport && !scheduled && newest.Expires == nil &&
			p.To.AddDate(1, 0, 0).Before(today) {
			warn(newest.At("audit_period.to"), "the audit period of %q ended %s, more than a year ago, and series %q has no newer version; publish the next report (or a bridge letter) as a new version", newest.ID, day(p.To), newest.Series)
		}
	}

	listed := c.Listed(today)
	for _, s := range listed {
		if s.Current == nil || s.Current.Public {
			continue
		}
		for _, d := range s.Earlier {
			if d.Public {
				warn(d.At("public"), "document %q is public but %q, the current version of series %q, is gated, so readers who do not sign in get an outdated version; make the current version public too, or this one gated", d.ID, s.Current.ID, s.ID)
			}
		}
	}
	// A portal with nothing to show, when no warning above says why.
	if len(listed) == 0 && len(c.Documents) > 0 && len(ps) == 0 {
		warn(c.documentsAt, "no document is listed as of %s: every version is scheduled for later or has expired, so the portal shows none; check the published: and expires: dates", day(today))
	}
	ps.Sort()
	return ps
}

func inDays(n int) string {
	switch n {
	case 0:
		return "today"
	case 1:
		return "tomorrow"
	}
	return fmt.Sprintf("in %d days", n)
}
