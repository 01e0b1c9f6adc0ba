package synth

import (
	"bytes"
	"cmp"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ListPage names one page of a list in a built site, whatever tool built
// it: the list's path ("regions/europe/"), its order ("date" or "name")
// and the page's number. STP writes regions/europe/by-name/page/2.html,
// the Hugo twin by-name/regions/europe/page/2/index.html; both are
// {regions/europe/ name 2}.
type ListPage struct {
	List  string
	Order string
	Page  int
}

func (p ListPage) String() string {
	return fmt.Sprintf("%s (%s order, page %d)", p.List, p.Order, p.Page)
}

// listMark is in every list page of both outputs, and in no other page:
// the line with the list's total.
var listMark = []byte(`<p class="total" data-total>`)

// ListRows reads every list page of the site built into dir and returns
// the rows of its document table (each <tr>…</tr>, as written), by page.
func ListRows(dir string) (map[ListPage][]string, error) {
	lists := map[ListPage][]string{}
	err := filepath.WalkDir(dir, func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(name, ".html") {
			return err
		}
		data, err := os.ReadFile(name)
		if err != nil || !bytes.Contains(data, listMark) {
			return err
		}
		rel, err := filepath.Rel(dir, name)
		if err != nil {
			return err
		}
		page, ok := listPageOf(filepath.ToSlash(rel))
		if !ok {
			return fmt.Errorf("%s: a list page at an address that names no list page", rel)
		}
		if _, dup := lists[page]; dup {
			return fmt.Errorf("%s: a second file for %s", rel, page)
		}
		lists[page] = tableRows(data)
		return nil
	})
	return lists, err
}

// listPageOf reads a list page's file name, relative to the output.
func listPageOf(rel string) (ListPage, bool) {
	segs := strings.Split(strings.TrimSuffix(rel, "index.html"), "/")
	if segs[len(segs)-1] == "" {
		segs = segs[:len(segs)-1]
	}
	p := ListPage{Order: "date", Page: 1}
	if n := len(segs); n >= 2 && segs[n-2] == "page" {
		num, err := strconv.Atoi(strings.TrimSuffix(segs[n-1], ".html"))
		if err != nil || num < 2 {
			return p, false
		}
		p.Page, segs = num, segs[:n-2]
	} else if n > 0 && strings.HasSuffix(segs[n-1], ".html") {
		return p, false
	}
	if i := slices.Index(segs, "by-name"); i >= 0 {
		p.Order, segs = "name", slices.Delete(segs, i, i+1)
	}
	if len(segs) > 0 {
		p.List = strings.Join(segs, "/") + "/"
	}
	return p, true
}

// tableRows returns the rows of the first table body in page.
func tableRows(page []byte) []string {
	_, body, ok := bytes.Cut(page, []byte("<tbody>"))
	if !ok {
		return nil
	}
	body, _, _ = bytes.Cut(body, []byte("</tbody>"))
	var rows []string
	for {
		i := bytes.Index(body, []byte("<tr"))
		if i < 0 {
			return rows
		}
		j := bytes.Index(body[i:], []byte("</tr>"))
		if j < 0 {
			return append(rows, string(body[i:]))
		}
		rows = append(rows, string(body[i:i+j+len("</tr>")]))
		body = body[i+j+len("</tr>"):]
	}
}

// CompareListRows compares two sites' list pages, as ListRows read them,
// and describes each difference: a list page one has and the other has
// not, or a page whose rows differ (the first differing row of it). It
// says at most most of them, and how many more there were.
func CompareListRows(want, got map[ListPage][]string, wantName, gotName string, most int) []string {
	var diffs []string
	pages := slices.SortedFunc(maps.Keys(want), comparePages)
	for _, p := range slices.SortedFunc(maps.Keys(got), comparePages) {
		if _, ok := want[p]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: only in %s (%d rows)", p, gotName, len(got[p])))
		}
	}
	for _, p := range pages {
		g, ok := got[p]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("%s: only in %s (%d rows)", p, wantName, len(want[p])))
			continue
		}
		w := want[p]
		for i := range max(len(w), len(g)) {
			if i >= len(w) || i >= len(g) || w[i] != g[i] {
				diffs = append(diffs, fmt.Sprintf("%s: %d rows in %s, %d in %s; row %d differs:\n%s: %s\n%s: %s",
					p, len(w), wantName, len(g), gotName, i+1, wantName, rowAt(w, i), gotName, rowAt(g, i)))
				break
			}
		}
	}
	if len(diffs) > most {
		diffs = append(diffs[:most], fmt.Sprintf("… and %d more differences", len(diffs)-most))
	}
	return diffs
}

func rowAt(rows []string, i int) string {
	if i < len(rows) {
		return rows[i]
	}
	return "(none)"
}

func comparePages(a, b ListPage) int {
	return cmp.Or(strings.Compare(a.List, b.List), strings.Compare(a.Order, b.Order), cmp.Compare(a.Page, b.Page))
}
