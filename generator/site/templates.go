package site

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stp-portal/stp/generator/diag"
	"github.com/stp-portal/stp/generator/urls"
)

// Layouts are the page templates of layouts/: base.html wraps every page,
// partials/*.html are shared, and each other .html file renders the main
// part of one kind of page.
type Layouts struct {
	pages map[string]*template.Template
	// src holds each layout's source by file ("layouts/page.html"), to
	// place errors the template packages cannot.
	src map[string]string
	// links are the addresses layouts write literally, ids the anchors
	// each file gives (see scanLayout).
	links []layoutLink
	ids   map[string][]string
	// hash covers every layout's source, so a layout edit changes every
	// page's key.
	hash uint64
}

// pageLayouts are the page templates a site must have.
var pageLayouts = []string{"home", "list", "document", "page", "terms", "settings", "404", "redirect", "help"}

// loadLayouts parses layouts/ under root. Problems point at
// layouts/FILE:LINE:COL.
func loadLayouts(root string, funcs template.FuncMap) (*Layouts, diag.Problems) {
	dir := filepath.Join(root, "layouts")
	sources := newKey(0)
	srcs := map[string]string{}
	read := func(rel string) (string, error) {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		sources.str(rel, string(b))
		srcs["layouts/"+rel] = string(b)
		return string(b), err
	}
	names := funcNames(funcs)
	var problems diag.Problems
	base := template.New("").Funcs(funcs).Option("missingkey=error")
	src, err := read("base.html")
	if err != nil {
		return nil, diag.Problems{{Pos: diag.Pos{File: "layouts/base.html"}, Message: "the base layout is missing: " + err.Error()}}
	}
	if _, err := base.New("layouts/base.html").Parse(src); err != nil {
		problems = append(problems, parseProblem(err, "layouts/base.html", src, names))
	}
	partials, _ := fs.Glob(os.DirFS(dir), "partials/*.html")
	slices.Sort(partials)
	for _, p := range partials {
		src, err := read(p)
		if err == nil {
			_, err = base.New("layouts/" + p).Parse(src)
		}
		if err != nil {
			problems = append(problems, parseProblem(err, "layouts/"+p, src, names))
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	var checks layoutChecks
	for _, p := range partials {
		checks.unusedText(base.Lookup("layouts/"+p).Tree, path.Base(p), "one of its {{define}} blocks")
	}
	l := &Layouts{pages: map[string]*template.Template{}, src: srcs}
	files, _ := fs.Glob(os.DirFS(dir), "*.html")
	slices.Sort(files)
	for _, file := range files {
		if file == "base.html" {
			continue
		}
		src, err := read(file)
		t, cerr := base.Clone()
		if err == nil {
			err = cerr
		}
		if err == nil {
			_, err = t.New("layouts/" + file).Parse(src)
		}
		if err != nil {
			problems = append(problems, parseProblem(err, "layouts/"+file, src, names))
			continue
		}
		if p := missingMain(t, "layouts/"+file); p != nil {
			problems = append(problems, p)
		} else {
			checks.unusedText(t.Lookup("layouts/"+file).Tree, file, `{{define "main"}}…{{end}}`)
		}
		var defined []string
		for _, d := range t.Templates() {
			if !strings.HasPrefix(d.Name(), "layouts/") {
				defined = append(defined, d.Name())
			}
		}
		for _, d := range t.Templates() {
			checks.calls(d.Tree, func(name string) bool { return t.Lookup(name) != nil }, defined)
		}
		l.pages[strings.TrimSuffix(file, ".html")] = t
	}
	l.hash = sources.sum()
	l.ids = map[string][]string{}
	for _, file := range slices.Sorted(maps.Keys(srcs)) {
		links, ids := scanLayout(file, srcs[file])
		l.links = append(l.links, links...)
		l.ids[file] = ids
	}
	for _, name := range pageLayouts {
		if _, ok := l.pages[name]; !ok && len(problems) == 0 {
			problems = append(problems, &diag.Problem{Pos: diag.Pos{File: "layouts/" + name + ".html"}, Message: "layout is missing; every site needs " + name + ".html"})
		}
	}
	problems = append(problems, checks.problems...)
	if len(problems.Errors()) > 0 {
		return nil, problems
	}
	return l, problems
}

// missingMain reports a page layout that defines no "main", which base.html
// shows as the page's content.
func missingMain(t *template.Template, file string) *diag.Problem {
	if t.Lookup("main") != nil {
		return nil
	}
	msg := fmt.Sprintf("%s defines no \"main\" block: wrap its content in {{define \"main\"}}…{{end}}", path.Base(file))
	var others []string
	for _, d := range t.Templates() {
		if d.Tree != nil && d.Tree.ParseName == file && d.Name() != file {
			others = append(others, strconv.Quote(d.Name()))
		}
	}
	if len(others) > 0 {
		slices.Sort(others)
		msg += " (it defines " + strings.Join(others, ", ") + ")"
	}
	return &diag.Problem{Pos: diag.Pos{File: file, Line: 1, Col: 1}, Message: msg}
}

// render executes the base layout for a page.
func (l *Layouts) render(w *bytes.Buffer, p *Page) error {
	t := l.pages[p.Layout]
	if t == nil {
		return fmt.Errorf("no layout %q", p.Layout)
	}
	err := t.ExecuteTemplate(w, "layouts/base.html", p)
	if err != nil && strings.Contains(err.Error(), "ends in a non-text context") {
		// html/template blames base.html, where the page ends, for a quote
		// or a tag left open in any template it called.
		for _, file := range l.files(p.Layout) {
			if pos, what, ok := unclosedHTML(l.src[file]); ok {
				return diag.Problems{{Pos: diag.Pos{File: file, Line: pos.Line, Col: pos.Col}, Message: what}}
			}
		}
	}
	return err
}

// files lists the layout files a page layout uses: its own first.
func (l *Layouts) files(layout string) []string {
	files := []string{"layouts/" + layout + ".html"}
	for f := range l.src {
		if f != files[0] && (strings.HasPrefix(f, "layouts/partials/") || f == "layouts/base.html") {
			files = append(files, f)
		}
	}
	slices.Sort(files[1:])
	return files
}

// renderPartial executes one named template from the base set, for list rows.
func (l *Layouts) renderPartial(w *bytes.Buffer, name string, data any) error {
	return l.pages["list"].ExecuteTemplate(w, name, data)
}

// joinRows concatenates rows rendered once per document, so that a list
// page costs a copy per row, not a template execution.
func joinRows(docs []*DocView) template.HTML {
	n := 0
	for _, d := range docs {
		n += len(d.Row) + 1
	}
	var b strings.Builder
	b.Grow(n)
	for _, d := range docs {
		b.WriteString(string(d.Row))
		b.WriteByte('\n')
	}
	return template.HTML(b.String())
}

// rowsMark stands in for a list page's rows while its template runs. It
// holds a random number, so that no layout or catalog text can contain it.
var rowsMark = func() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "<!--stp-rows-" + hex.EncodeToString(b[:]) + "-->"
}()

// renderWithRows renders a list page with render, and copies its rows
// (rendered once per document) into the page where the template prints
// .Rows, instead of joining them into a string that the template would
// copy twice more: at 25 rows a page, rows are most of a list's bytes.
// If the template does not print .Rows exactly once as HTML, the page is
// rendered again with the rows joined.
func renderWithRows(buf *bytes.Buffer, lv *ListView, render func(*bytes.Buffer) error) error {
	start := buf.Len()
	if len(lv.Docs) > 0 {
		lv.Rows = template.HTML(rowsMark)
		if err := render(buf); err != nil {
			return err
		}
		page := buf.Bytes()[start:]
		// Exactly one mark. (bytes.Index on the rest rather than
		// LastIndex, which has no vectorised path.)
		if i := bytes.Index(page, []byte(rowsMark)); i >= 0 && !bytes.Contains(page[i+len(rowsMark):], []byte(rowsMark)) {
			tail := bytes.Clone(page[i+len(rowsMark):])
			buf.Truncate(start + i)
			for _, d := range lv.Docs {
				buf.WriteString(string(d.Row))
				buf.WriteByte('\n')
			}
			buf.Write(tail)
			return nil
		}
		buf.Truncate(start)
	}
	lv.Rows = joinRows(lv.Docs)
	return render(buf)
}

// filterField is one taxonomy the browser-side list filter offers.
type filterField struct{ Key, Name string }

var filterFields = []filterField{{"service", "Service"}, {"standard", "Standard"}, {"region", "Region"}, {"industry", "Industry"}}

// partials renders a partial once per key and build, for the parts of a
// page that thousands of pages share (Hugo's partialCached): the header and
// footer of an area, the filters of a list.
type partials struct {
	mu      sync.Mutex
	cache   map[string]template.HTML
	layouts *Layouts
}

func (p *partials) render(name string, data any, key string) (template.HTML, error) {
	k := name + "\x00" + key
	p.mu.Lock()
	h, ok := p.cache[k]
	p.mu.Unlock()
	if ok {
		return h, nil
	}
	var buf bytes.Buffer
	if err := p.layouts.renderPartial(&buf, name, data); err != nil {
		return "", err
	}
	h = template.HTML(buf.String())
	p.mu.Lock()
	p.cache[k] = h
	p.mu.Unlock()
	return h, nil
}

// funcs are the helpers templates may call; they are all pure.
func funcs(basePath string, cached *partials) template.FuncMap {
	return template.FuncMap{
		// partialCached renders partial NAME with DATA once for each KEY:
		// pages that give the same key must render it the same.
		"partialCached": cached.render,
		// url turns a site-relative path into a path under the base URL.
		"url": func(rel string) string { return basePath + strings.TrimPrefix(rel, "/") },
		"isodate": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.Format(time.DateOnly)
		},
		"longdate": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.Format("2 January 2006")
		},
		"shortdate": func(t time.Time) string { return t.Format("2 Jan 2006") },
		"bytes":     humanBytes,
		"join":      strings.Join,
		"kind":      func(kind string) string { return urls.KindOf(kind).Singular },
		"plural":    func(n int, one, many string) string { return pluralize(n, one, many) },
		"short": func(s string) string {
			if len(s) > 16 {
				return s[:16]
			}
			return s
		},
		"base": path.Base,
		// dict builds a map for passing several values to a partial.
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, errors.New("dict needs key and value pairs")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		// rows joins the pre-rendered list rows of documents.
		"rows": joinRows,
		"json": func(v any) (string, error) {
			b, err := json.Marshal(v)
			return string(b), err
		},
		"filterFields": func() []filterField { return filterFields },
	}
}

func pluralize(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// humanBytes prints a size the way readers expect: 1.2 MB, 340 KB.
func humanBytes(n int64) string {
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10) + " bytes"
	case n < 1000*1000:
		return strconv.FormatFloat(float64(n)/1000, 'f', 0, 64) + " KB"
	case n < 1000*1000*1000:
		return strconv.FormatFloat(float64(n)/1000/1000, 'f', 1, 64) + " MB"
	}
	return strconv.FormatFloat(float64(n)/1000/1000/1000, 'f', 1, 64) + " GB"
}
