package entra

import (
	"html"
	"net/http"
	"strings"
)

var esc = html.EscapeString

// servePage writes one of the stand-in's HTML pages. Every page carries the
// banner, so that nobody mistakes the stand-in for a real sign-in page.
func (p *Provider) servePage(w http.ResponseWriter, status int, title, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http://127.0.0.1:* http://localhost:*; frame-ancestors 'none'")
	w.WriteHeader(status)
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>`)
	b.WriteString(esc(title))
	b.WriteString(` · Entra ID stand-in</title>
<style>
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f3f2f1;color:#201f1e}
.banner{background:#8a1c00;color:#fff;padding:.6rem 1rem;font-weight:600;text-align:center}
main{max-width:36rem;margin:2rem auto;background:#fff;padding:1.5rem 2rem;box-shadow:0 2px 6px rgba(0,0,0,.15)}
h1{font-size:1.5rem;font-weight:600;margin:0 0 1rem}
.account{display:block;width:100%;text-align:left;padding:.7rem 1rem;margin:.4rem 0;border:1px solid #c8c6c4;background:#fff;font:inherit;cursor:pointer}
.account:hover,.account:focus{background:#edebe9}
.meta{color:#605e5c;font-size:.9rem}
table{border-collapse:collapse;width:100%}td,th{padding:.3rem;border-bottom:1px solid #edebe9;text-align:left;font-size:.9rem}
code{font-size:.85rem}
</style>
</head>
<body>
<div class="banner" role="note">`)
	b.WriteString(esc(Banner))
	b.WriteString(`</div>
<main>
<h1>`)
	b.WriteString(esc(title))
	b.WriteString("</h1>\n")
	b.WriteString(body)
	b.WriteString("\n</main>\n</body>\n</html>\n")
	w.Write([]byte(b.String()))
}

// pickerBody lists every account as a button that signs in as it.
func pickerBody(p *Provider, action string) string {
	var b strings.Builder
	b.WriteString(`<p>Choose who to sign in as. No password is asked: this is not a real identity provider.</p>`)
	b.WriteString(`<form method="post" action="` + esc(action) + `">`)
	for _, u := range p.store.Users() {
		t, _ := p.store.Tenant(u.TenantID)
		b.WriteString(`<button class="account" type="submit" name="user" value="` + esc(u.UserPrincipalName) + `">`)
		b.WriteString("<b>" + esc(u.DisplayName) + "</b> · " + esc(u.UserPrincipalName) + "<br>")
		b.WriteString(`<span class="meta">` + esc(t.DisplayName) + " tenant · " + esc(rolesText(u.Roles)))
		if !u.AccountEnabled {
			b.WriteString(" · account disabled")
		}
		b.WriteString("</span></button>")
	}
	b.WriteString("</form>")
	return b.String()
}

func indexBody(p *Provider) string {
	app := p.store.Application()
	var b strings.Builder
	b.WriteString(`<p>An OpenID Connect provider shaped like Microsoft Entra ID, so that the real oauth2-proxy can run its real sign-in flow offline.</p>`)
	b.WriteString(`<table><tr><th>Account</th><th>Tenant</th><th>App roles</th><th></th></tr>`)
	for _, u := range p.store.Users() {
		t, _ := p.store.Tenant(u.TenantID)
		b.WriteString("<tr><td>" + esc(u.DisplayName) + "<br><code>" + esc(u.UserPrincipalName) + "</code></td><td>" +
			esc(t.DisplayName) + "</td><td>" + esc(rolesText(u.Roles)) + "</td><td>")
		// Small forms to change roles while the demo runs, which is how
		// revocation is shown.
		b.WriteString(`<form method="post" action="/_standin/users/` + esc(u.UserPrincipalName) + `/roles">`)
		b.WriteString(`<input type="hidden" name="back" value="1">`)
		b.WriteString(`<input type="hidden" name="token" value="` + esc(p.formToken) + `">`)
		for _, r := range app.AppRoles {
			checked := ""
			for _, have := range u.Roles {
				if have == r.Value {
					checked = " checked"
				}
			}
			b.WriteString(`<label><input type="checkbox" name="roles" value="` + esc(r.Value) + `"` + checked + "> " + esc(r.DisplayName) + "</label><br>")
		}
		b.WriteString(`<button type="submit">Save</button></form></td></tr>`)
	}
	b.WriteString("</table>")
	b.WriteString("<h2>Endpoints</h2><ul>")
	for _, tid := range []string{app.HomeTenantID, "organizations"} {
		b.WriteString(`<li><code>` + esc(p.IssuerURL(tid)+"/.well-known/openid-configuration") + `</code></li>`)
	}
	b.WriteString(`<li><code>GET /_standin/users</code>, <code>POST /_standin/users/{name}/roles</code> with <code>{"roles": [...]}</code></li>`)
	b.WriteString(`<li>Microsoft Graph v1.0, for <code>stp access</code>: <code>/v1.0/users/{id|userPrincipalName}</code>, <code>/v1.0/servicePrincipals/` +
		esc(p.store.ServicePrincipalID(app.HomeTenantID)) + `/appRoleAssignedTo</code> (tokens from the client credentials grant)</li></ul>`)
	return b.String()
}

func rolesText(roles []string) string {
	if len(roles) == 0 {
		return "no app role"
	}
	return strings.Join(roles, ", ")
}
