package synth

// hugoExpertLayouts are the expert twin's templates, after STP's layouts:
// the same header, footer, list chrome, rows and pager, in Hugo's idiom.
// The row is STP's partials/row.html, field for field, so that the two
// outputs' rows are the same bytes (CompareListRows).
var hugoExpertLayouts = map[string]string{
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
<li><a href="/">Home</a></li>
{{- with .Parent }}{{ if and (not .IsHome) .IsNode }}
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
<link rel="stylesheet" href="/public/assets/site.css">
<link rel="icon" href="/public/assets/favicon.svg" type="image/svg+xml">
<script src="/public/assets/site.js" defer blocking="render"></script>`,
	"layouts/_partials/header.html": `<header class="site-header">
<div class="bar">
<a class="brand" href="/">
<span>{{ site.Title }}</span></a>
<form class="header-search" role="search" action="/search/" method="get">
<label for="header-q" class="visually-hidden">Search documents</label>
<input id="header-q" type="search" name="q" placeholder="Search documents" maxlength="512">
</form>
</div>
<nav class="site-nav" aria-label="Main">
<ul>
<li><a href="/compliance-reports/">Compliance reports</a></li>
<li><a href="/trust-documents/">Trust documents</a></li>
<li><a href="/standards/">Standards</a></li>
<li><a href="/public/">Public documents</a></li>
</ul>
</nav>
</header>`,
	"layouts/_partials/footer.html": `<footer class="site-footer">
<p>{{ site.Title }}</p>
<p class="fine">Documents stay downloadable for at least twelve months after they are published, or until a newer version replaces them.</p>
</footer>`,
	// The row: STP's partials/row.html. Rendered once per page, kept with
	// .Store (see list.html).
	"layouts/_partials/row.html": `{{- $p := .Params }}{{ $pub := ne .Section "documents" }}
{{- $regions := cond $pub $p.pub_regions $p.regions }}{{ $industries := cond $pub $p.pub_industries $p.industries }}
{{- $services := cond $pub $p.pub_services $p.services }}{{ $standards := cond $pub $p.pub_standards $p.standards }}
{{- $v := index $p.versions 0 -}}
<tr data-regions="{{ if $p.allregions }}*{{ else }}{{ delimit $regions " " }}{{ end }}" data-industries="{{ if $p.allindustries }}*{{ else }}{{ delimit $industries " " }}{{ end }}">
<th scope="row"><a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ if $p.updated }} <span class="badge">Updated</span>{{ else if $p.new }} <span class="badge">New</span>{{ end }}
<span class="summary">{{ $p.summary }}</span></th>
<td>{{ if $p.allservices }}All services{{ else }}{{ range $i, $t := $services }}{{ if $i }}, {{ end }}{{ index hugo.Data.terms.services $t }}{{ end }}{{ end }}</td>
<td>{{ range $i, $t := $standards }}{{ if $i }}, {{ end }}{{ index hugo.Data.terms.standards $t }}{{ else }}—{{ end }}</td>
<td><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 Jan 2006" }}</time>{{ with $p.auditfrom }}<span class="period">Period <time datetime="{{ . }}">{{ (time .).Format "2 Jan 2006" }}</time> – <time datetime="{{ $p.auditto }}">{{ (time $p.auditto).Format "2 Jan 2006" }}</time></span>{{ end }}</td>
<td>{{ $p.version }}</td>
<td><a class="download" href="{{ $v.file }}" download type="{{ $v.type }}">Download<span class="visually-hidden"> {{ .Title }} version {{ $p.version }}</span></a> <span class="size">{{ partialCached "bytes.html" $v.size $v.size }}</span></td>
</tr>
`,
	// bytes.html prints a size as STP does: 1.2 MB, 340 KB.
	"layouts/_partials/bytes.html": `{{- $n := int . }}
{{- if lt $n 1000 }}{{ $n }} bytes
{{- else if lt $n 1000000 }}{{ printf "%.0f KB" (div (float $n) 1000) }}
{{- else if lt $n 1000000000 }}{{ printf "%.1f MB" (div (float $n) 1000000) }}
{{- else }}{{ printf "%.1f GB" (div (float $n) 1000000000) }}{{ end -}}`,
	// list.html is a page of a list in one order: .page, .order.
	//
	// The paginator is made once per list and order, on its first page;
	// name order sorts the list once too (kept with .Store), since the
	// argument to .Paginate is evaluated on every page.
	"layouts/_partials/list.html": `{{- $page := .page }}{{ $byName := eq .order "name" }}
{{- $pag := "" }}
{{- if $byName }}
{{- $pages := $page.Store.Get "byname" }}{{ if not $pages }}{{ $pages = $page.RegularPages.ByParam "namerank" }}{{ $page.Store.Set "byname" $pages }}{{ end }}
{{- $pag = $page.Paginate $pages }}
{{- else }}{{ $pag = $page.Paginator }}{{ end }}
{{- $total := $pag.TotalNumberOfElements }}
{{- $dateURL := $page.RelPermalink }}{{ $nameURL := ($page.OutputFormats.Get "byname").RelPermalink -}}
<h1>{{ $page.Title }}</h1>
<div class="list-layout">
{{ partialCached "aside.html" $page $page.RelPermalink }}
<div class="list-main">
<div class="list-tools">
<p class="total" data-total>{{ $total }} {{ cond (eq $total 1) "document" "documents" }}{{ if gt $pag.TotalPages 1 }}, page {{ $pag.PageNumber }} of {{ $pag.TotalPages }}{{ end }}</p>
<nav class="sort" aria-label="Sort">
<span>Sort by</span>
<a href="{{ $dateURL }}"{{ if not $byName }} aria-current="true"{{ end }}>Newest first</a>
<a href="{{ $nameURL }}"{{ if $byName }} aria-current="true"{{ end }}>Name</a>
</nav>
</div>
<div data-results>
{{- if $total }}
<div class="table-wrap">
<table class="docs">
<caption>{{ $page.Title }}</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Services</th><th scope="col">Standards</th><th scope="col">Date</th><th scope="col">Version</th><th scope="col">File</th></tr></thead>
<tbody>
{{ range $pag.Pages }}{{ $row := .Store.Get "row" }}{{ if not $row }}{{ $row = partial "row.html" . }}{{ .Store.Set "row" $row }}{{ end }}{{ $row }}
{{ end -}}
</tbody>
</table>
</div>
{{- else }}
<p>No documents here yet.</p>
{{- end }}
</div>
{{- if gt $pag.TotalPages 1 }}
<nav class="pager" aria-label="Pages" data-pager>
{{- with $pag.Prev }}<a href="{{ .URL }}" rel="prev">Previous</a>{{ end }}
{{- $cur := $pag.PageNumber }}{{ $count := $pag.TotalPages }}{{ $last := 0 }}
{{- range $pag.Pagers }}{{ $n := .PageNumber }}
{{- if or (eq $n 1) (eq $n $count) (and (ge $n (sub $cur 2)) (le $n (add $cur 2))) }}
{{- if and $last (ne $n (add $last 1)) }}<span>…</span>{{ end }}
<a href="{{ .URL }}"{{ if eq $n $cur }} aria-current="page"{{ end }}>{{ $n }}</a>
{{- $last = $n }}{{ end }}
{{- end }}
{{- with $pag.Next }}<a href="{{ .URL }}" rel="next">Next</a>{{ end }}
</nav>
{{- end }}
</div>
</div>`,
	// aside.html is a list's facets, the same on all its pages: a
	// region's industries, an industry's regions, a pair's two wider
	// lists, a library's years; counted with len .Pages.
	"layouts/_partials/aside.html": `<aside class="filters" aria-label="Filter">
<details class="filters-toggle" open data-filters>
<summary>Filter this list</summary>
{{- $links := slice }}{{ $name := "" }}
{{- if eq .Data.Plural "regions" }}{{ $name = "Narrow by industry" }}{{ $r := .Data.Term }}
{{- range (site.GetPage "/industries").Pages }}{{ with site.GetPage (printf "/pairs/%s--%s" $r .Data.Term) }}{{ $links = $links | append (dict "url" .RelPermalink "name" .Title "count" (len .Pages)) }}{{ end }}{{ end }}
{{- else if eq .Data.Plural "industries" }}{{ $name = "Narrow by region" }}{{ $in := .Data.Term }}
{{- range (site.GetPage "/regions").Pages }}{{ with site.GetPage (printf "/pairs/%s--%s" .Data.Term $in) }}{{ $links = $links | append (dict "url" .RelPermalink "name" .Title "count" (len .Pages)) }}{{ end }}{{ end }}
{{- else if eq .Data.Plural "pairs" }}{{ $name = "Widen" }}
{{- with site.GetPage (printf "/regions/%s" .Params.region) }}{{ $links = $links | append (dict "url" .RelPermalink "name" (print "All of " .Title) "count" (len .Pages)) }}{{ end }}
{{- with site.GetPage (printf "/industries/%s" .Params.industry) }}{{ $links = $links | append (dict "url" .RelPermalink "name" (print "All " .Title) "count" (len .Pages)) }}{{ end }}
{{- else if eq .Data.Plural "libraries" }}{{ $name = "By year" }}{{ $lib := .Data.Term }}
{{- range (site.GetPage "/years").Pages }}{{ if strings.HasPrefix .Data.Term $lib }}{{ $links = $links | append (dict "url" .RelPermalink "name" .Title "count" (len .Pages)) }}{{ end }}{{ end }}
{{- end }}
{{- with $links }}
<nav class="facet" aria-label="{{ $name }}">
<h2>{{ $name }}</h2>
<ul>
{{- range . }}
<li><a href="{{ .url }}">{{ .name }}</a> <span class="count">{{ .count }}</span></li>
{{- end }}
</ul>
</nav>
{{- end }}
</details>
</aside>`,
	"layouts/term.html":        `{{ define "main" }}{{ partial "list.html" (dict "page" . "order" "date") }}{{ end }}`,
	"layouts/term.byname.html": `{{ define "main" }}{{ partial "list.html" (dict "page" . "order" "name") }}{{ end }}`,
	"layouts/section.html": `{{ define "main" }}{{ if eq .Path "/public" }}<h1>{{ .Title }}</h1>
<p><a href="/public/documents/">{{ len (site.GetPage "/public/documents").RegularPages }} public documents</a></p>
{{ else }}{{ partial "list.html" (dict "page" . "order" "date") }}{{ end }}{{ end }}`,
	"layouts/section.byname.html": `{{ define "main" }}{{ partial "list.html" (dict "page" . "order" "name") }}{{ end }}`,
	"layouts/taxonomy.html": `{{ define "main" }}<h1>{{ .Title }}</h1>
<ul class="term-grid">{{ range .Pages }}<li><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><p class="count">{{ len .Pages }} documents</p></li>{{ end }}</ul>
{{ end }}`,
	"layouts/home.html": `{{ define "main" }}<h1>{{ site.Title }}</h1>
{{ .Content }}
<h2>Libraries</h2>
<ul>{{ range (site.GetPage "/libraries").Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <span class="count">{{ len .Pages }}</span></li>{{ end }}</ul>
<h2>New and updated</h2>
<ul>{{ range first 10 (site.GetPage "/documents").RegularPages }}{{ if or .Params.new .Params.updated }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}{{ end }}</ul>
{{- range slice "standards" "services" "regions" "industries" }}
<h2>By {{ . }}</h2>
<ul>{{ range (site.GetPage (print "/" .)).Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <span class="count">{{ len .Pages }}</span></li>{{ end }}</ul>
{{- end }}
{{ end }}`,
	"layouts/page.html": `{{ define "main" }}
{{- $p := .Params }}{{ $v := index $p.versions 0 }}{{ $pub := ne .Section "documents" }}
<article class="document">
<h1>{{ .Title }}</h1>
<p class="lead">{{ $p.summary }}</p>
<div class="download-box"><p><a class="download" href="{{ $v.file }}" download type="{{ $v.type }}">Download</a> <span class="size">{{ partialCached "bytes.html" $v.size $v.size }}</span></p></div>
<dl class="meta">
<dt>Version</dt><dd>{{ $p.version }}</dd>
<dt>Published</dt><dd><time class="long" datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time></dd>
{{- if not $pub }}
<dt>Services</dt><dd>{{ partial "terms.html" (.GetTerms "services") }}</dd>
<dt>Standards</dt><dd>{{ partial "terms.html" (.GetTerms "standards") }}</dd>
<dt>Regions</dt><dd>{{ partial "terms.html" (.GetTerms "regions") }}</dd>
<dt>Industries</dt><dd>{{ partial "terms.html" (.GetTerms "industries") }}</dd>
{{- end }}
</dl>
{{- with .Content }}
<section class="description" aria-labelledby="about">
<h2 id="about">About this document</h2>
{{ . }}
</section>
{{- end }}
<section class="versions"><h2>All versions</h2>
<table><tbody>{{ range $p.versions }}<tr><td>{{ .version }}</td><td><time datetime="{{ .published }}">{{ (time .published).Format "2 Jan 2006" }}</time></td><td><a href="{{ .file }}" download type="{{ .type }}">Download</a> <span class="size">{{ partialCached "bytes.html" .size .size }}</span></td></tr>{{ end }}</tbody></table>
</section>
</article>
{{ end }}`,
	"layouts/_partials/terms.html": `{{ range $i, $t := . }}{{ if $i }}, {{ end }}<a href="{{ $t.RelPermalink }}">{{ $t.LinkTitle }}</a>{{ else }}—{{ end }}`,
	"layouts/md.html": `{{ define "main" }}<article class="page">
<h1>{{ .Title }}</h1>
{{ .Content }}
</article>{{ end }}`,
	"layouts/404.html": `{{ define "main" }}<h1>Page not found</h1>{{ end }}`,
}
