//go:build !(js && wasm)

package search

import (
	"bytes"
	"fmt"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// PublicLeaks lists every place under publicDir (the part of the site
// served without signing in) where a record that is not public shows: its
// title or summary in any file, or its ID in a search index (whose stored
// text is compressed, so a text search would miss it). Records with Public
// set are ignored. Tests of the build use it to prove nothing gated leaks.
func PublicLeaks(publicDir string, records []Record) []string {
	var gated []*Record
	for i := range records {
		if !records[i].Public {
			gated = append(gated, &records[i])
		}
	}
	var leaks []string
	err := filepath.WalkDir(publicDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(publicDir, path)
		if bytes.HasPrefix(data, []byte(indexMagic)) {
			idx, err := Open(data)
			if err != nil {
				leaks = append(leaks, fmt.Sprintf("%s: unreadable search index: %v", rel, err))
				return nil
			}
			for _, r := range gated {
				if idx.reader.has(r.ID) {
					leaks = append(leaks, fmt.Sprintf("%s: search index holds gated document %q", rel, r.ID))
				}
			}
			return nil
		}
		for _, r := range gated {
			for _, s := range []string{r.Title, r.Summary} {
				if len(s) < 12 {
					continue // too short to tell a leak from a common phrase
				}
				for _, form := range []string{s, html.EscapeString(s), jsonEscaped(s)} {
					if bytes.Contains(data, []byte(form)) {
						leaks = append(leaks, fmt.Sprintf("%s: text of gated document %q: %q", rel, r.ID, s))
						break
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		leaks = append(leaks, err.Error())
	}
	return leaks
}

func jsonEscaped(s string) string {
	r := strings.NewReplacer(`"`, `\"`, `\`, `\\`, "<", `\u003c`, ">", `\u003e`, "&", `\u0026`)
	return r.Replace(s)
}
