package serve

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/stp-portal/stp/generator/store"
)

// roleCache remembers for a short while what the store said about each
// reader's role, so that a page's many requests ask the store once. A
// role removed on the Settings page is forgotten at once on the replica
// that removed it and within ttl on the others: that is the bound on
// revocation the operator's guide states.
type roleCache struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	entries map[string]roleEntry
}

type roleEntry struct {
	role string
	seen store.DirectoryRole // what the reader's directory said when asked
	at   time.Time
}

// maxRoleCache bounds the cache; when full it starts again empty.
const maxRoleCache = 50000

func newRoleCache(ttl time.Duration) *roleCache {
	return &roleCache{ttl: ttl, now: time.Now, entries: map[string]roleEntry{}}
}

func cacheKey(tenant, oid string) string { return tenant + "\x00" + oid }

// role returns the portal role the store grants id, asking the store when
// the cached answer is older than ttl or the reader's directory roles
// changed since (so that the store records them).
func (c *roleCache) role(ctx context.Context, s store.Store, id Identity) (string, error) {
	seen := store.DirectoryRole{
		Principal:   store.Principal{ObjectID: id.ObjectID, Email: id.Email, Name: id.Name},
		Role:        id.directoryRole(),
		GlobalAdmin: id.GlobalAdmin,
	}
	key := cacheKey(id.Tenant, id.ObjectID)
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.ttl && e.seen == seen {
		return e.role, nil
	}
	role, err := s.PortalRole(ctx, id.Tenant, seen)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	if len(c.entries) >= maxRoleCache {
		clear(c.entries)
	}
	c.entries[key] = roleEntry{role: role, seen: seen, at: now}
	c.mu.Unlock()
	return role, nil
}

// forget drops what the cache knows of a reader, after their role changed.
func (c *roleCache) forget(tenant, oid string) {
	c.mu.Lock()
	delete(c.entries, cacheKey(tenant, oid))
	c.mu.Unlock()
}

// permissionPage is the page a signed-in reader without a portal role
// gets: the build's error page for oauth2-proxy, which has the portal's
// look and says whom to ask, filled in as oauth2-proxy fills it for a 403.
type permissionPage struct {
	file string

	mu    sync.Mutex
	stamp time.Time
	tmpl  *template.Template
}

func newPermissionPage(templatesDir string) *permissionPage {
	if templatesDir == "" {
		return nil
	}
	return &permissionPage{file: filepath.Join(templatesDir, "error.html")}
}

// write sends the page with 403, or reports false when there is no page
// to send (the caller then answers in plain text).
func (p *permissionPage) write(w http.ResponseWriter, r *http.Request) bool {
	t := p.load()
	if t == nil {
		return false
	}
	// The fields oauth2-proxy's error page gets (pagewriter.ErrorPageOpts).
	data := struct {
		Title, Message, ProxyPrefix, Redirect, RequestID, Version string
		StatusCode                                                int
		Footer                                                    template.HTML
	}{Title: "Forbidden", Message: noRoleMessage, ProxyPrefix: "/oauth2", StatusCode: http.StatusForbidden}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return false
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// The page's own styles are inline, as in oauth2-proxy's pages.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; "+
		"form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(http.StatusForbidden)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
	return true
}

func (p *permissionPage) load() *template.Template {
	info, err := os.Stat(p.file)
	if err != nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tmpl != nil && info.ModTime().Equal(p.stamp) {
		return p.tmpl
	}
	t, err := template.New("").Funcs(template.FuncMap{"ToUpper": strings.ToUpper, "ToLower": strings.ToLower}).ParseFiles(p.file)
	if err != nil {
		return nil
	}
	p.tmpl, p.stamp = t.Lookup("error.html"), info.ModTime()
	return p.tmpl
}
