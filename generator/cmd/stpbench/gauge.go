package main

import (
	"bytes"
	"html/template"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// referencePages is how many pages referencePage renders on each core:
// about a second's work.
const referencePages = 1500

// referenceData is the reference page's: made once, the same every run.
var referenceData = map[string]any{"Title": "Reference & list", "Rows": func() []referenceRow {
	rows := make([]referenceRow, 25)
	for i := range rows {
		rows[i] = referenceRow{
			URL:     "/documents/reference-" + strconv.Itoa(i) + "/",
			Title:   "Reference report " + strconv.Itoa(i) + " <draft> & notes",
			Summary: strings.Repeat("What the audit covered and found. ", 5),
			Terms:   []string{"ISO/IEC 27001", "SOC 2", "C5"},
			Date:    time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC),
		}
	}
	return rows
}()}

type referenceRow struct {
	URL, Title, Summary string
	Terms               []string
	Date                time.Time
}

var referenceTemplate = template.Must(template.New("reference").Funcs(template.FuncMap{
	"day": func(t time.Time) string { return t.Format(time.DateOnly) },
}).Parse(`<!doctype html><title>{{.Title}}</title><table><caption>{{.Title}}</caption>{{range .Rows}}
<tr><th><a href="{{.URL}}">{{.Title}}</a> <span class="summary">{{.Summary}}</span></th><td>{{range $i, $t := .Terms}}{{if $i}}, {{end}}{{$t}}{{end}}</td><td><time datetime="{{day .Date}}">{{day .Date}}</time></td></tr>{{end}}
</table>`))

// referencePage times a fixed page rendered by Go's html/template on every
// core at once, n times each, and returns the time one page took: a gauge
// of how fast this shared machine is now, with none of STP's code in it,
// on the kind of work (templates, reflection, allocation) that is most of
// a build. Builds slow down with it, so it tells a slow machine from slow
// code when figures from different runs are compared.
func referencePage(n int) time.Duration {
	var wg sync.WaitGroup
	start := time.Now()
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			var buf bytes.Buffer
			for range n {
				buf.Reset()
				if err := referenceTemplate.Execute(&buf, referenceData); err != nil {
					panic(err) // the template and its data are fixed
				}
			}
		})
	}
	wg.Wait()
	return (time.Since(start) / time.Duration(n)).Round(time.Microsecond)
}

// inodeCost times making folders with a small file in each, one after the
// other, under dir: what a build pays for each of its tens of thousands.
// They stay until dir is removed: deleting 4,000 inodes here would slow
// every new inode of the cold builds that follow in dir for a minute or
// more (see bench.run).
func inodeCost(dir string) time.Duration {
	probe, err := os.MkdirTemp(dir, "inodes-")
	if err != nil {
		return 0
	}
	const n = 2000
	syncDisk()
	start := time.Now()
	for i := range n {
		d := filepath.Join(probe, strconv.Itoa(i))
		if os.Mkdir(d, 0o755) != nil || os.WriteFile(filepath.Join(d, "index.html"), []byte("<!doctype html>"), 0o644) != nil {
			return 0
		}
	}
	return (time.Since(start) / (2 * n)).Round(100 * time.Nanosecond)
}
