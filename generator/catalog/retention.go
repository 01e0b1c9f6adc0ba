package catalog

import (
	"slices"
	"time"
)

// Series is one document as readers know it: its versions, newest first,
// as of a build date.
type Series struct {
	ID string
	// Current is the version readers get by default; nil when the newest
	// version has expired.
	Current *Document
	// Earlier are superseded versions still inside their retention,
	// newest first.
	Earlier []*Document
}

// Latest is the newest listed version: Current, or the newest retained one.
func (s *Series) Latest() *Document {
	if s.Current != nil {
		return s.Current
	}
	return s.Earlier[0]
}

// Versions returns the listed versions, newest first.
func (s *Series) Versions() []*Document {
	if s.Current == nil {
		return s.Earlier
	}
	return append([]*Document{s.Current}, s.Earlier...)
}

// Listed applies the retention rule as of now and returns the series that
// have at least one listed version, ordered by id.
//
// A version is published from its publish date. The newest published
// version is current until it expires. A version superseded by a newer
// published one stays downloadable for RetentionMonths after its own
// publish date, then drops out of the build. Expired versions drop out.
func (c *Catalog) Listed(now time.Time) []*Series {
	today := now.UTC().Truncate(24 * time.Hour)
	bySeries := map[string][]*Document{}
	for _, d := range c.Documents {
		if d.Published.After(today) {
			continue // scheduled: not yet published
		}
		bySeries[d.Series] = append(bySeries[d.Series], d)
	}
	out := make([]*Series, 0, len(bySeries))
	for id, docs := range bySeries {
		slices.SortFunc(docs, func(a, b *Document) int { return b.Published.Compare(a.Published) })
		s := &Series{ID: id}
		for i, d := range docs {
			if d.Expired(today) {
				continue
			}
			if i == 0 {
				s.Current = d
			} else if today.Before(d.RetainedUntil()) {
				s.Earlier = append(s.Earlier, d)
			}
		}
		if s.Current != nil || len(s.Earlier) > 0 {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b *Series) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return out
}

// RetainedUntil is the first day a superseded version may be dropped.
func (d *Document) RetainedUntil() time.Time {
	return d.Published.AddDate(0, RetentionMonths, 0)
}

// Expired reports whether the version's expiry date has passed on day.
func (d *Document) Expired(day time.Time) bool {
	return d.Expires != nil && day.After(*d.Expires)
}
