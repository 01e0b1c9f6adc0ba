package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/stp-portal/stp/generator/search"
	"github.com/stp-portal/stp/generator/urls"
)

func init() {
	commands["search"] = command{summary: "search a built site's index from the command line", run: runSearch}
}

// listFlag collects a repeatable, comma-separated flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}

func runSearch(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stp search", flag.ContinueOnError)
	fs.SetOutput(stderr)
	site := fs.String("site", "public", "the built site `directory` (stp build's output)")
	public := fs.Bool("public", false, "search only public documents, as a signed-out reader does")
	indexDir := fs.String("index", "", "search the index in this `directory` instead (overrides -site and -public)")
	asJSON := fs.Bool("json", false, "print the result as JSON, as /api/search and the browser get it")
	export := fs.String("export", "", "write the index as a Bleve index into this new `directory`, for bleve.Open and the bleve command, and search nothing")
	var q search.Query
	filters := []struct {
		name string
		list *[]string
	}{
		{"kind", &q.Kinds}, {"service", &q.Services}, {"standard", &q.Standards},
		{"region", &q.Regions}, {"industry", &q.Industries}, {"year", &q.Years},
	}
	for _, f := range filters {
		fs.Var((*listFlag)(f.list), f.name, "only documents with this "+f.name+" `id` (repeatable; values combine with OR)")
	}
	fs.StringVar(&q.From, "from", "", "only documents published on or after this `date` (YYYY-MM-DD)")
	fs.StringVar(&q.To, "to", "", "only documents published on or before this `date` (YYYY-MM-DD)")
	fs.StringVar(&q.Sort, "sort", "", "relevance or newest")
	fs.IntVar(&q.Page, "page", 1, "result page `number`")
	fs.IntVar(&q.Size, "size", search.DefaultPageSize, "results per page (at most 50)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: stp search [flags] [QUERY...]\n\nSearches the index stp build wrote, with the engine the browser and server use.\nAn empty QUERY lists every document, newest first.\n\nflags:")
		fs.PrintDefaults()
	}
	// Flags may come before or after the words of the query.
	var words []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		words = append(words, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	q.Text = strings.Join(words, " ")

	dir := *indexDir
	if dir == "" {
		dir = filepath.Join(*site, filepath.FromSlash(urls.SearchDir(urls.Area(*public))))
	}
	idx, err := search.OpenDir(dir)
	if err != nil {
		fmt.Fprintf(stderr, "stp search: %v\n", err)
		return 1
	}
	if *export != "" {
		if err := search.Export(idx, *export); err != nil {
			fmt.Fprintf(stderr, "stp search: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "wrote %d document versions to %s as a Bleve index; e.g. bleve query %s 'title:soc'\n", idx.Documents(), *export, *export)
		return 0
	}
	res, err := search.Run(idx, q)
	if err != nil {
		fmt.Fprintf(stderr, "stp search: %v\n", err)
		var ie *search.InputError
		if errors.As(err, &ie) {
			return 2
		}
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			fmt.Fprintf(stderr, "stp search: %v\n", err)
			return 1
		}
		return 0
	}
	printResult(stdout, res)
	return 0
}

func text(segs []search.Segment) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteString(s.Text)
	}
	return b.String()
}

func printResult(w io.Writer, res search.Result) {
	for _, n := range res.Notices {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	what := "documents"
	if res.Total == 1 {
		what = "document"
	}
	if res.Query.Text != "" {
		what += fmt.Sprintf(" for %q", res.Query.Text)
	}
	fmt.Fprintf(w, "%d %s", res.Total, what)
	if res.Pages > 1 {
		fmt.Fprintf(w, " (page %d of %d)", res.Page, res.Pages)
	}
	fmt.Fprintln(w)
	for i, h := range res.Hits {
		var tags []string
		for _, t := range append(h.Standards, h.Services...) {
			tags = append(tags, t.Label)
		}
		when := "published " + h.Published
		if h.PeriodTo != "" {
			when = fmt.Sprintf("period %s to %s", h.PeriodFrom, h.PeriodTo)
		}
		version := h.Version
		if !h.Current {
			version += ", earlier version"
		}
		fmt.Fprintf(w, "\n%3d. %s\n     %s · %s · version %s · %s\n     /%s\n", (res.Page-1)*res.PageSize+i+1,
			text(h.Title), h.Kind.Label, strings.Join(tags, ", "), version, when, h.URL)
		if s := text(h.Summary); s != "" {
			fmt.Fprintf(w, "     %s\n", s)
		}
		if len(h.Versions) > 1 {
			var also []string
			for _, v := range h.Versions[1:] {
				also = append(also, fmt.Sprintf("%s (published %s)", v.Version, v.Published))
			}
			fmt.Fprintf(w, "     also matches: version %s\n", strings.Join(also, ", version "))
		}
	}
	for _, f := range res.Facets {
		if len(f.Values) == 0 {
			continue
		}
		var vals []string
		for _, v := range f.Values {
			mark := ""
			if v.Selected {
				mark = "*"
			}
			vals = append(vals, fmt.Sprintf("%s%s=%d", mark, v.ID, v.Count))
		}
		fmt.Fprintf(w, "\n%s: %s", f.Name, strings.Join(vals, " "))
	}
	fmt.Fprintln(w)
}
