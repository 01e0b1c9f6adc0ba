package synth

import (
	"bytes"
	"errors"
	"time"

	"github.com/stp-portal/stp/generator/catalog"
)

// CurrentSummary finds, in a catalog's text, a document that is listed as
// of now as the current version of its series, halfway through the series: what
// benchmarks edit to time a rebuild that readers see. It returns the byte
// offset where the document's summary text starts and the series.
func CurrentSummary(data []byte, now time.Time) (offset int, series string, err error) {
	c, problems := catalog.Parse("catalog.yaml", data)
	if c == nil {
		return 0, "", problems
	}
	listed := c.Listed(now)
	if len(listed) == 0 {
		return 0, "", errors.New("no document is listed")
	}
	var doc *catalog.Document
	for _, s := range listed[len(listed)/2:] {
		if s.Current != nil {
			doc = s.Current
			break
		}
	}
	if doc == nil {
		return 0, "", errors.New("no current version in the second half of the catalog")
	}
	at := doc.At("summary")
	line := 1
	for i := 0; i < len(data); i++ {
		if line == at.Line {
			offset = i + at.Col - 1
			break
		}
		if data[i] == '\n' {
			line++
		}
	}
	if offset == 0 || !bytes.HasPrefix(data[offset:], []byte(doc.Summary[:min(len(doc.Summary), 8)])) {
		return 0, "", errors.New("the summary is not written plainly on its line")
	}
	return offset, doc.Series, nil
}
