package site_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	files "github.com/stp-portal/stp/generator/internal/sitetest"

	"github.com/oauth2-proxy/oauth2-proxy/v7/pkg/app/pagewriter"
	"github.com/stp-portal/stp/generator/site"
	"github.com/stp-portal/stp/generator/site/sitetest"
)

// proxySite is a portal under a sub-path whose title and contact are
// publisher text that would be template actions, if they were not escaped.
const proxySite = `
-- catalog.yaml --
site:
  title: <b>{{.X}}</b> & "Co"
  organization: Testco {{template "error.html"}}
  base_url: https://x.example/pr-7/
  logo: logo.svg
  contact: {name: "Trust {{.Redirect}} team", email: trust@example.com, note: "Write to us {{ .Message }}."}
regions: [{id: europe, name: Europe}]
industries: [{id: health, name: Health}]
services: [{id: cloud, name: Cloud}]
standards: [{id: soc-2, name: SOC 2}]
documents:
  - {id: overview, kind: trust-document, title: Security Overview, summary: Gated., version: "1",
     services: all, standards: all, regions: all, industries: all, published: 2025-01-10, file: files/overview.pdf}
-- content/logo.svg --
<svg xmlns="http://www.w3.org/2000/svg"/>
-- content/files/overview.pdf --
%PDF-1.7 overview
`

// TestProxyPages builds oauth2-proxy's pages and has oauth2-proxy's own
// page writer serve them.
func TestProxyPages(t *testing.T) {
	s := sitetest.New(t, proxySite)
	dir := s.Root
	files.CopyTree(t, filepath.Join(repoRoot, "proxy", "templates"), filepath.Join(dir, "proxy", "templates"))
	out := s.Build("2025-02-10").Out()
	if s.Exists(".oauth2-proxy/index.html") || s.Exists(".oauth2-proxy/templates/index.html") {
		t.Errorf("the proxy's folder was given index pages")
	}
	pw, err := pagewriter.NewWriter(pagewriter.Opts{TemplatesPath: filepath.Join(out, filepath.FromSlash(site.ProxyTemplates)),
		ProxyPrefix: "/oauth2", ProviderName: "Microsoft Entra ID", Footer: "-"})
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]*httptest.ResponseRecorder{}
	for _, status := range []int{403, 404, 500} {
		rec := httptest.NewRecorder()
		pw.WriteErrorPage(rec, pagewriter.ErrorPageOpts{Status: status, RedirectURL: "/pr-7/documents/x/", RequestID: "r1"})
		pages[http.StatusText(status)] = rec
	}
	rec := httptest.NewRecorder()
	pw.WriteSignInPage(rec, httptest.NewRequest("GET", "/oauth2/sign_in", nil), "/pr-7/documents/x/", 200)
	pages["sign in"] = rec
	for name, rec := range pages {
		body := rec.Body.String()
		if rec.Code >= 500 && name != "Internal Server Error" || !strings.Contains(body, "</html>") {
			t.Errorf("%s: status %d, body %q", name, rec.Code, body)
			continue
		}
		if want := `<span>&lt;b&gt;&#123;&#123;.X&#125;&#125;&lt;/b&gt; &amp; &#34;Co&#34;</span>`; !strings.Contains(body, want) {
			t.Errorf("%s: the title is not shown escaped (%s):\n%s", name, want, body)
		}
		if strings.Contains(body, "<b>") || strings.Contains(body, "{{") {
			t.Errorf("%s: publisher text became markup or a template action:\n%s", name, body)
		}
		for _, m := range linkAttr.FindAllStringSubmatch(body, -1) {
			u := m[1]
			if !strings.HasPrefix(u, "/pr-7/") && !strings.HasPrefix(u, "/oauth2/") && !strings.HasPrefix(u, "mailto:") {
				t.Errorf("%s: link %q is outside the portal's base path", name, u)
			}
		}
		for _, want := range []string{`href="/pr-7/public/"`, `href="/pr-7/public/help/"`, `<link rel="stylesheet" href="/pr-7/public/assets/site.`, `<img src="/pr-7/public/assets/logo.`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: no %s", name, want)
			}
		}
	}
	forbidden := pages["Forbidden"].Body.String()
	for _, want := range []string{"You do not have permission to open this portal", "Trust &#123;&#123;.Redirect&#125;&#125; team", `href="mailto:trust@example.com"`, "Write to us &#123;&#123; .Message &#125;&#125;.", "Testco &#123;&#123;template &#34;error.html&#34;&#125;&#125;"} {
		if !strings.Contains(forbidden, want) {
			t.Errorf("permission page: no %s:\n%s", want, forbidden)
		}
	}
	rec = httptest.NewRecorder()
	pw.WriteRobotsTxt(rec, httptest.NewRequest("GET", "/robots.txt", nil))
	if !strings.Contains(rec.Body.String(), "Allow: /pr-7/public/\n") {
		t.Errorf("robots.txt:\n%s", rec.Body)
	}
}

// TestProxyPageProblems: a source oauth2-proxy could not run fails the
// check at its line; a site without proxy/templates builds without them.
func TestProxyPageProblems(t *testing.T) {
	s := sitetest.New(t, proxySite)
	dir := s.Root
	s.Build("2025-02-10")
	if s.Exists(".oauth2-proxy") {
		t.Errorf("proxy pages made without sources")
	}
	files.WriteFile(t, filepath.Join(dir, "proxy", "templates", "error.html"), []byte("{{define \"error.html\"}}\n<p>[[.Title]]</p>\n<p>{{.Nope}}</p>\n{{end}}\n"))
	checkProblems(t, site.Check(site.Options{Root: dir, Now: day(t, "2025-02-10")}), []string{
		`proxy/templates/error.html:3:1: oauth2-proxy cannot use the page made from it (.oauth2-proxy/templates/error.html): template: error.html:3:5: executing "error.html" at <.Nope>: can't evaluate field Nope in type site.errorPage`,
	})
	files.WriteFile(t, filepath.Join(dir, "proxy", "templates", "error.html"), []byte("{{define \"error.html\"}}\n<p>[[.Titel]]</p>\n{{end}}\n"))
	checkProblems(t, site.Check(site.Options{Root: dir, Now: day(t, "2025-02-10")}), []string{
		`proxy/templates/error.html:2:6: [[.Titel]]: site.ProxyPage has no field or method Titel; did you mean .Title?`,
	})
	files.WriteFile(t, filepath.Join(dir, "proxy", "templates", "error.html"), []byte("<p>[[.Title]</p>\n"))
	checkProblems(t, site.Check(site.Options{Root: dir, Now: day(t, "2025-02-10")}), []string{
		`proxy/templates/error.html:1:1: bad character U+005D ']'`,
	})
}
