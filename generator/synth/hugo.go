package synth

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/stp-portal/stp/generator/catalog"
)

// WriteHugo writes the portal that Write would write with the same options
// as a Hugo project (hugo.toml, content/, layouts/, static/files/), so
// that `stpbench -hugo` can time Hugo on the same documents in the same
// run: this machine's speed drifts, and a ratio measured side by side
// holds where absolute times do not.
//
// It is the portal the way a Hugo site would be made: one page per
// document version STP lists as of Today (retention applied here, since
// Hugo has no such rule), the versions' files as static files, and taxonomies for
// regions, industries, services, standards and region×industry pairs
// (a document for all regions or industries is given every one), each term
// a paginated list of 25 rows, with rows and the page chrome cached as
// partials the way STP renders them once. Each taxonomy is there twice,
// the second ("regions-by-name") listing by name, since STP writes every
// list in both orders. It does less than STP: no libraries, feeds,
// catalog.json, public area or search index.
func WriteHugo(dir string, o Options) error {
	if err := o.check(); err != nil {
		return err
	}
	p := plan(o)
	p.documents = listed(p.documents, today)
	docs := filepath.Join(dir, "content", "documents")
	if err := os.MkdirAll(docs, 0o755); err != nil {
		return err
	}
	stds := p.standardTerms()
	return writeWithFiles(filepath.Join(dir, "static", "files"), p, func() error { return writeHugoText(dir, p, stds) },
		func(d *document, pdf []byte) error {
			return os.WriteFile(filepath.Join(docs, d.id+".md"), hugoDocument(p, stds, d, len(pdf)), 0o644)
		})
}

// listed keeps the versions STP lists on day (catalog.Catalog.Listed): the
// newest published version of each series unless it has expired, and
// superseded ones for catalog.RetentionMonths after their publish date.
func listed(docs []*document, day time.Time) []*document {
	newest := map[string]*document{} // of each series, among those published
	for _, d := range docs {
		if n := newest[d.series]; !d.published.After(day) && (n == nil || d.published.After(n.published)) {
			newest[d.series] = d
		}
	}
	var out []*document
	for _, d := range docs {
		switch {
		case d.published.After(day), !d.expires.IsZero() && day.After(d.expires):
		case d == newest[d.series], day.Before(d.published.AddDate(0, catalog.RetentionMonths, 0)):
			out = append(out, d)
		}
	}
	return out
}

// writeHugoText writes the configuration, the layouts and the list pages'
// titles; the documents' pages are written with their files.
func writeHugoText(dir string, p *portal, stds []term) error {
	for name, text := range hugoLayouts {
		if err := writeFileAll(filepath.Join(dir, name), []byte(text)); err != nil {
			return err
		}
	}
	// Term pages named as STP names them.
	terms := func(tax string, ts []term) error {
		for _, t := range ts {
			if err := writeFileAll(filepath.Join(dir, "content", tax, t.id, "_index.md"), hugoFront(nil, "title", t.name)); err != nil {
				return err
			}
		}
		return nil
	}
	var pairs []term
	for _, r := range p.regions {
		for _, in := range p.industries {
			pairs = append(pairs, term{id: r.id + "--" + in.id, name: in.name + " in " + r.name})
		}
	}
	for _, t := range []struct {
		tax string
		ts  []term
	}{{"regions", p.regions}, {"industries", p.industries}, {"services", p.services}, {"standards", stds}, {"pairs", pairs}} {
		for _, tax := range []string{t.tax, t.tax + "-by-name"} {
			if err := terms(tax, t.ts); err != nil {
				return err
			}
		}
	}
	return writeFileAll(filepath.Join(dir, "content", "documents", "_index.md"), hugoFront(nil, "title", "All documents"))
}

// hugoDocument is a document's page: its fields as YAML front matter, its
// long description as the body; size is its file's.
func hugoDocument(p *portal, stds []term, d *document, size int) []byte {
	ids := func(refs []int, all bool, ts []term) []string {
		out := make([]string, 0, len(ts))
		if all {
			for _, t := range ts {
				out = append(out, t.id)
			}
			return out
		}
		for _, i := range refs {
			out = append(out, ts[i].id)
		}
		return out
	}
	regions := ids(d.regions, d.allRegions, p.regions)
	industries := ids(d.industries, d.allIndustries, p.industries)
	var pairs []string
	for _, r := range regions {
		for _, in := range industries {
			pairs = append(pairs, r+"--"+in)
		}
	}
	b := hugoOpen(nil,
		"title", d.title,
		"date", d.published.Format(time.DateOnly),
		"summary", d.summary,
		"version", d.version,
		"file", "files/"+d.id+".pdf",
		"size", strconv.Itoa(size),
	)
	for _, l := range []struct {
		key string
		ids []string
	}{{"services", ids(d.services, d.allServices, p.services)}, {"standards", ids(d.standards, d.allStandards, stds)}, {"regions", regions}, {"industries", industries}, {"pairs", pairs}} {
		for _, key := range []string{l.key, l.key + "-by-name"} {
			b = append(b, key...)
			b = append(b, ": ["...)
			b = append(b, strings.Join(l.ids, ", ")...)
			b = append(b, "]\n"...)
		}
	}
	b = append(b, "---\n"...)
	return append(b, d.description...)
}

// hugoOpen opens front matter with key, value pairs, values quoted.
func hugoOpen(b []byte, kv ...string) []byte {
	b = append(b, "---\n"...)
	for i := 0; i+1 < len(kv); i += 2 {
		b = append(b, kv[i]...)
		b = append(b, ": "...)
		b = strconv.AppendQuote(b, kv[i+1])
		b = append(b, '\n')
	}
	return b
}

// hugoFront is front matter of key, value pairs, closed.
func hugoFront(b []byte, kv ...string) []byte {
	return append(hugoOpen(b, kv...), "---\n"...)
}

func writeFileAll(name string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, data, 0o644)
}

// hugoLayouts are the Hugo project's configuration and templates, after
// STP's own layouts: the same header, footer, rows and pager, in Hugo's
// idiom (partialCached for what pages share, .Paginate for lists).
var hugoLayouts = map[string]string{
	"hugo.toml": `baseURL = "https://trust.fabrikam.example/"
title = "Fabrikam Service Trust Portal"
languageCode = "en"
disableKinds = ["rss", "sitemap", "robotstxt"]
[pagination]
  pagerSize = 25
[taxonomies]
  region = "regions"
  industry = "industries"
  service = "services"
  standard = "standards"
  pair = "pairs"
  region-by-name = "regions-by-name"
  industry-by-name = "industries-by-name"
  service-by-name = "services-by-name"
  standard-by-name = "standards-by-name"
  pair-by-name = "pairs-by-name"
`,
	"layouts/baseof.html": `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }} · {{ site.Title }}{{ end }}</title>
{{- with .Params.summary }}
<meta name="description" content="{{ . }}">
{{- end }}
{{ partialCached "head.html" . }}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
{{ partialCached "header.html" . }}
<main id="main">
{{- if not .IsHome }}
<nav class="crumbs" aria-label="Breadcrumb"><ol>
<li><a href="{{ site.Home.RelPermalink }}">Home</a></li>
{{- with .Parent }}{{ if not .IsHome }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{- end }}{{ end }}
<li aria-current="page">{{ .Title }}</li>
</ol></nav>
{{- end }}
{{ block "main" . }}{{ end }}
</main>
{{ partialCached "footer.html" . }}
</body>
</html>
`,
	"layouts/_partials/head.html": `<meta name="color-scheme" content="light dark">
<link rel="stylesheet" href="{{ "assets/site.css" | relURL }}">
<script src="{{ "assets/site.js" | relURL }}" defer></script>`,
	"layouts/_partials/header.html": `<header class="site-header">
<div class="bar"><a class="brand" href="{{ site.Home.RelPermalink }}"><span>{{ site.Title }}</span></a>
<form class="header-search" role="search" action="{{ "search/" | relURL }}" method="get"><label for="header-q" class="visually-hidden">Search documents</label><input id="header-q" type="search" name="q" placeholder="Search documents" maxlength="512"></form></div>
<nav class="site-nav" aria-label="Main"><ul>
{{- range slice "documents" "regions" "industries" "services" "standards" }}
<li><a href="{{ printf "%s/" . | relURL }}">{{ . | title }}</a></li>
{{- end }}
</ul></nav>
</header>`,
	"layouts/_partials/footer.html": `<footer class="site-footer">
<p>Fabrikam · <a href="{{ "help/" | relURL }}">Help and contact</a></p>
<p class="fine">Documents stay downloadable for at least twelve months after they are published, or until a newer version replaces them.</p>
</footer>`,
	"layouts/_partials/terms.html": `{{ range $i, $t := . }}{{ if $i }}, {{ end }}<a href="{{ $t.RelPermalink }}">{{ $t.LinkTitle }}</a>{{ else }}—{{ end }}`,
	"layouts/_partials/row.html": `<tr>
<th scope="row"><a href="{{ .RelPermalink }}">{{ .Title }}</a>
<span class="summary">{{ .Params.summary }}</span></th>
<td>{{ range $i, $t := .GetTerms "services" }}{{ if $i }}, {{ end }}{{ $t.LinkTitle }}{{ end }}</td>
<td>{{ range $i, $t := .GetTerms "standards" }}{{ if $i }}, {{ end }}{{ $t.LinkTitle }}{{ else }}—{{ end }}</td>
<td><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 Jan 2006" }}</time></td>
<td>{{ .Params.version }}</td>
<td><a class="download" href="{{ .Params.file | relURL }}" download type="application/pdf">Download<span class="visually-hidden"> {{ .Title }} version {{ .Params.version }}</span></a> <span class="size">{{ .Params.size }} bytes</span></td>
</tr>`,
	"layouts/_partials/list.html": `<h1>{{ .Title }}</h1>
{{- $pages := .Pages }}
{{- if strings.HasSuffix .Type "-by-name" }}{{ $pages = .Pages.ByTitle }}{{ end }}
{{- $p := .Paginate $pages }}
<p class="total">{{ len .Pages }} documents{{ if gt $p.TotalPages 1 }}, page {{ $p.PageNumber }} of {{ $p.TotalPages }}{{ end }}</p>
<div class="table-wrap">
<table class="docs">
<caption>{{ .Title }}</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Services</th><th scope="col">Standards</th><th scope="col">Date</th><th scope="col">Version</th><th scope="col">File</th></tr></thead>
<tbody>
{{ range $p.Pages }}{{ partialCached "row.html" . .RelPermalink }}
{{ end -}}
</tbody>
</table>
</div>
{{ partial "pagination.html" . }}`,
	"layouts/home.html": `{{ define "main" }}<h1>{{ site.Title }}</h1>
{{- range $name, $terms := site.Taxonomies }}
<h2>{{ $name | title }}</h2>
<ul>{{ range $terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> <span class="count">{{ .Count }}</span></li>{{ end }}</ul>
{{- end }}
{{ end }}
`,
	"layouts/section.html": `{{ define "main" }}{{ partial "list.html" . }}{{ end }}
`,
	"layouts/term.html": `{{ define "main" }}{{ partial "list.html" . }}{{ end }}
`,
	"layouts/taxonomy.html": `{{ define "main" }}<h1>{{ .Title }}</h1>
<ul class="term-grid">{{ range .Data.Terms.Alphabetical }}<li><h2><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a></h2><p class="count">{{ .Count }} documents</p></li>{{ end }}</ul>
{{ end }}
`,
	"layouts/page.html": `{{ define "main" }}
<article class="document">
<h1>{{ .Title }}</h1>
<p class="lead">{{ .Params.summary }}</p>
<div class="download-box"><p><a class="download" href="{{ .Params.file | relURL }}" download type="application/pdf">Download</a> <span class="size">{{ .Params.size }} bytes</span></p></div>
<dl class="meta">
<dt>Version</dt><dd>{{ .Params.version }}</dd>
<dt>Published</dt><dd><time class="long" datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time></dd>
<dt>Services</dt><dd>{{ partial "terms.html" (.GetTerms "services") }}</dd>
<dt>Standards</dt><dd>{{ partial "terms.html" (.GetTerms "standards") }}</dd>
<dt>Regions</dt><dd>{{ partial "terms.html" (.GetTerms "regions") }}</dd>
<dt>Industries</dt><dd>{{ partial "terms.html" (.GetTerms "industries") }}</dd>
</dl>
{{- with .Content }}
<section class="description" aria-labelledby="about">
<h2 id="about">About this document</h2>
{{ . }}
</section>
{{- end }}
</article>
{{ end }}
`,
}

func (p *portal) standardTerms() []term {
	ts := make([]term, len(p.standards))
	for i := range p.standards {
		ts[i] = p.standards[i].term
	}
	return ts
}
