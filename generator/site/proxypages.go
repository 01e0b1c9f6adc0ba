package site

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strings"
	texttemplate "text/template"

	"github.com/stp-portal/stp/generator/catalog"
	"github.com/stp-portal/stp/generator/diag"
	"github.com/stp-portal/stp/generator/site/output"
)

// ProxyTemplates is where in the output a build writes oauth2-proxy's own
// pages: sign_in.html, error.html and robots.txt, made from the sources in
// proxy/templates/ with the portal's title, logo, contact and base path.
// oauth2-proxy's custom_templates_dir points here. The folder's name starts
// with a dot, so the upstream (stp serve) never serves it.
const ProxyTemplates = ".oauth2-proxy/templates/"

// proxySources is where the sources are, under the site's root.
const proxySources = "proxy/templates/"

// ProxyPage is the data of proxy/templates/: the site's values, which the
// sources write between [[ and ]], so that oauth2-proxy's own {{ }} pass
// through to the page it parses.
type ProxyPage struct {
	Title, Organization, Tagline, Language string
	// BasePath is the site's base path, "/" or "/pr-7/"; Home the public
	// home and Help the help page, both readable without signing in.
	BasePath, Home, Help string
	CSS, Favicon, Logo   string
	Contact              catalog.Contact
	ContactNote          template.HTML
}

// proxyPages are the parsed sources; nil when the site has none.
type proxyPages struct {
	html   map[string]*template.Template // sign_in.html, error.html
	robots *texttemplate.Template
	// sources hashes the files read, for the pages' keys.
	sources uint64
}

// loadProxyPages parses proxy/templates/ under root, if there is one.
func loadProxyPages(root string) (*proxyPages, diag.Problems) {
	dir := filepath.Join(root, filepath.FromSlash(proxySources))
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	pp := &proxyPages{html: map[string]*template.Template{}}
	var problems diag.Problems
	sources := newKey(0)
	defer func() { pp.sources = sources.sum() }()
	// partials.html holds what both pages share; oauth2-proxy never reads it.
	shared := template.New(proxySources+"partials.html").Delims("[[", "]]").Option("missingkey=error")
	if src, err := os.ReadFile(filepath.Join(dir, "partials.html")); err == nil {
		sources.str("partials.html", string(src))
		if _, err := shared.Parse(string(src)); err != nil {
			return nil, diag.Problems{anyTemplateProblem(err, proxySources+"partials.html")}
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, diag.Problems{{Pos: diag.Pos{File: proxySources + "partials.html"}, Message: err.Error()}}
	}
	for _, name := range []string{"sign_in.html", "error.html", "robots.txt"} {
		src, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			continue // oauth2-proxy uses its own
		}
		if err != nil {
			problems = append(problems, &diag.Problem{Pos: diag.Pos{File: proxySources + name}, Message: err.Error()})
			continue
		}
		sources.str(name, string(src))
		if name == "robots.txt" {
			pp.robots, err = texttemplate.New(proxySources+name).Delims("[[", "]]").Option("missingkey=error").Parse(string(src))
		} else {
			var t *template.Template
			if t, err = shared.Clone(); err == nil {
				pp.html[name], err = t.New(proxySources + name).Parse(string(src))
			}
		}
		if err != nil {
			problems = append(problems, anyTemplateProblem(err, proxySources+name))
		}
	}
	return pp, problems
}

// proxyJobs renders the proxy's pages into ProxyTemplates.
func (b *pass) proxyJobs() []output.Job {
	if b.proxy == nil {
		return nil
	}
	site := b.cat.Site
	c := site.Contact
	data := &ProxyPage{
		Title: inert(site.Title), Organization: inert(site.Organization), Tagline: inert(site.Tagline), Language: inert(site.Language),
		BasePath: inert(b.base), Home: inert(b.base + PublicPrefix), Help: inert(b.base + PublicPrefix + "help/"),
		CSS: inert(b.base + b.assets["site.css"]), Favicon: inert(b.base + b.assets["favicon.svg"]),
		Contact: catalog.Contact{Name: inert(c.Name), Email: inert(c.Email), URL: inert(c.URL), Phone: inert(c.Phone), Hours: inert(c.Hours)},
	}
	if site.Logo != "" {
		data.Logo = inert(b.base + b.assets["logo"+filepath.Ext(site.Logo)])
	}
	if c.Note != "" {
		note, _ := b.md.HTML([]byte(c.Note)) // goldmark writes to memory and cannot fail
		data.ContactNote = template.HTML(inert(string(note)))
	}
	// The pages show the site's settings and assets, and their sources.
	key := newKey(b.global).any(b.assets).num(b.proxy.sources).sum()
	var jobs []output.Job
	for name, t := range b.proxy.html {
		jobs = append(jobs, output.Job{Rel: ProxyTemplates + name, Key: newKey(key).str(name).sum(), Render: func(buf *bytes.Buffer) error {
			var page strings.Builder
			if err := t.Execute(&page, data); err != nil {
				return err
			}
			out := braces.Replace(page.String())
			if err := checkProxyPage(name, out); err != nil {
				return err
			}
			buf.WriteString(out)
			return nil
		}})
	}
	if b.proxy.robots != nil {
		plain := *data // robots.txt is served as it is, not parsed
		plain.BasePath, plain.Home = b.base, b.base+PublicPrefix
		jobs = append(jobs, output.Job{Rel: ProxyTemplates + "robots.txt", Key: newKey(key).str("robots.txt").sum(), Render: func(buf *bytes.Buffer) error {
			return b.proxy.robots.Execute(buf, &plain)
		}})
	}
	return jobs
}

// The site's values are publisher text, and the page they are put in is
// itself a template that oauth2-proxy parses: a title holding "{{" would
// open an action there. Braces in the values are replaced by marks that
// html/template's escapers leave alone, and the marks by character
// references once the page is made, so every brace of a value is inert.
const (
	openMark  = "stpOpenBrace9f2c"
	closeMark = "stpCloseBrace9f2c"
)

var (
	marks  = strings.NewReplacer("{", openMark, "}", closeMark)
	braces = strings.NewReplacer(openMark, "&#123;", closeMark, "&#125;")
)

func inert(s string) string { return marks.Replace(s) }

// checkProxyPage parses a page as oauth2-proxy does (html/template, its
// two functions) and runs it with data of the shapes oauth2-proxy gives,
// so that a page that would fail at sign-in fails the build instead.
func checkProxyPage(name, page string) error {
	t, err := template.New(name).Funcs(template.FuncMap{"ToUpper": strings.ToUpper, "ToLower": strings.ToLower}).Parse(page)
	if err == nil && t.Lookup(name) == nil {
		err = fmt.Errorf("it defines no template %q; wrap the page in {{define %q}}…{{end}}", name, name)
	}
	for _, data := range proxySamples(name) {
		if err != nil {
			break
		}
		err = t.ExecuteTemplate(io.Discard, name, data)
	}
	if err == nil {
		return nil
	}
	line := "1"
	if m := templateErrAt.FindStringSubmatch(err.Error()); m != nil {
		line = m[2]
	}
	return fmt.Errorf("template: %s%s:%s: oauth2-proxy cannot use the page made from it (%s%s): %w", proxySources, name, line, ProxyTemplates, name, err)
}

// proxySamples are data as oauth2-proxy v7.15.6 gives its pages
// (pkg/app/pagewriter): the same fields, of the same types.
func proxySamples(name string) []any {
	type signIn struct {
		ProviderName  string
		SignInMessage template.HTML
		StatusCode    int
		CustomLogin   bool
		Redirect      string
		Version       string
		ProxyPrefix   string
		Footer        template.HTML
		LogoData      template.HTML
	}
	type errorPage struct {
		Title       string
		Message     string
		ProxyPrefix string
		StatusCode  int
		Redirect    string
		RequestID   string
		Footer      template.HTML
		Version     string
	}
	if name == "sign_in.html" {
		return []any{
			signIn{ProviderName: "Microsoft Entra ID", StatusCode: 403, Redirect: "/", ProxyPrefix: "/oauth2", Footer: "-"},
			signIn{ProviderName: "Microsoft Entra ID", SignInMessage: "Welcome", StatusCode: 200, CustomLogin: true, Redirect: "/x", ProxyPrefix: "/oauth2", Footer: "Ask <a href=\"mailto:a@b.example\">us</a>."},
		}
	}
	var out []any
	for _, status := range []int{403, 404, 500, 400} {
		for _, footer := range []template.HTML{"", "-", "Ask us."} {
			out = append(out, errorPage{Title: "Forbidden", Message: "Login Failed: Unable to find a valid CSRF token. Please try again.", ProxyPrefix: "/oauth2",
				StatusCode: status, Redirect: "/documents/x/", RequestID: "abc", Footer: footer, Version: "v7.15.6"})
			out = append(out, errorPage{Title: "Error", ProxyPrefix: "/oauth2", StatusCode: status, Footer: footer})
		}
	}
	return out
}
