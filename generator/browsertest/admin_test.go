package browsertest

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauth2-proxy/oauth2-proxy/v7/pkg/authentication/hmacauth"
	"github.com/oauth2-proxy/oauth2-proxy/v7/pkg/upstream"

	"github.com/stp-portal/stp/generator/serve"
	"github.com/stp-portal/stp/generator/store"
)

const (
	adminTestSecret = "b7Tq2Lx9Vw4Kd8Rz1Mn6Hp3Fs5Gc0YaQ"
	contosoTenant   = "3f2d7c1e-5b8a-4c6d-9e0f-1a2b3c4d5e6f"
)

// asProxy stands in for oauth2-proxy in front of h with the reader's
// session: it sets the headers the proxy sets (the ID token included,
// pass_authorization_header) and signs the request as the proxy does.
// Each reader gets a server of their own, so their browser storage is
// apart too.
func asProxy(t *testing.T, h http.Handler, email, role string) string {
	claims, _ := json.Marshal(map[string]any{"tid": contosoTenant, "oid": "oid-" + email, "email": email,
		"preferred_username": email, "name": email, "roles": []string{role}})
	token := "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString(claims) + ".c2ln"
	signer := hmacauth.NewHmacAuth(crypto.SHA256, []byte(adminTestSecret), upstream.SignatureHeader, upstream.SignatureHeaders)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+token)
		r.Header.Set("X-Forwarded-User", email)
		r.Header.Set("X-Forwarded-Email", email)
		r.Header.Set("X-Forwarded-Groups", role)
		r.Header.Set("GAP-Auth", email)
		signer.SignRequest(r)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// Issue 23: the Settings page shows its admin part to a Portal Admin only;
// what the admin saves is every reader's starting point, the home page's
// "New and updated" list included; the page passes axe either way.
func TestOrganisationSettings(t *testing.T) {
	if skipped != "" {
		t.Skip("browser tests skipped: " + skipped)
	}
	s, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "store.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h, err := serve.Upstream(serve.UpstreamOptions{
		Dir:   siteDir,
		Gate:  serve.Gate{SignatureKey: "sha256:" + adminTestSecret, Log: slog.New(slog.NewJSONHandler(io.Discard, nil))},
		Store: s,
	})
	if err != nil {
		t.Fatal(err)
	}
	adeleURL := asProxy(t, h, "adele@contoso.example", "Portal.Admin")
	alexURL := asProxy(t, h, "alex@contoso.example", "Portal.User")

	adele := newTab(t)
	adele.open(adeleURL + "/settings/")
	adele.wait(`!document.querySelector("[data-org-form]").hidden`, "the organisation's form for a Portal Admin")
	checkAxe(t, adele, "settings, Portal Admin")
	for _, sel := range []string{`input[name=org-region][value=japan]`, `input[name=org-industry][value=healthcare]`, `[data-org-form] button[type=submit]`} {
		eval[bool](adele, `document.querySelector(`+jsString(sel)+`).click(), true`)
	}
	adele.wait(`document.querySelector("[data-org-status]").textContent.indexOf("Saved") === 0`, "the organisation's settings saved")
	adele.screenshots("settings-portal-admin")

	alex := newTab(t)
	alex.open(alexURL + "/settings/")
	alex.wait(`!document.querySelector("[data-org]").hidden`, "the organisation's settings for a Portal User")
	if alex.visible("[data-org-form]") || eval[int](alex, `document.querySelectorAll("[data-org-form]:not([hidden]) input").length`) != 0 {
		t.Error("a Portal User sees the organisation's form")
	}
	summary := alex.text("[data-org-summary]")
	if !strings.Contains(summary, "Japan") || !strings.Contains(summary, "Healthcare") || !strings.Contains(summary, "Only your organisation's Portal Admins") {
		t.Errorf("what a Portal User reads: %q", summary)
	}
	checkAxe(t, alex, "settings, Portal User")
	alex.screenshots("settings-portal-user")

	// Alex's home starts from Contoso's choice: the Germany-only report is
	// not in his "New and updated" list, and one click shows it.
	alex.open(alexURL + "/")
	alex.wait(`!document.querySelector("[data-for-you]").hidden`, "the for-you box from the organisation's settings")
	if got := alex.text("[data-for-you-summary]"); !strings.Contains(got, "Your organisation chose") {
		t.Errorf("for-you summary: %q", got)
	}
	hidden := eval[int](alex, `Array.prototype.filter.call(document.querySelectorAll("#recent ~ .table-wrap tbody tr"), function (tr) {
		return tr.hidden && tr.getAttribute("data-regions").indexOf("*") < 0 && tr.getAttribute("data-regions").indexOf("japan") < 0; }).length`)
	shownForeign := eval[int](alex, `Array.prototype.filter.call(document.querySelectorAll("#recent ~ .table-wrap tbody tr"), function (tr) {
		return !tr.hidden && tr.getAttribute("data-regions").indexOf("*") < 0 && tr.getAttribute("data-regions").indexOf("japan") < 0; }).length`)
	if hidden == 0 || shownForeign != 0 {
		t.Errorf("New and updated: %d documents of other regions hidden, %d shown", hidden, shownForeign)
	}
	if !strings.Contains(alex.text("[data-recent-note]"), "fit your settings") {
		t.Errorf("no note on the narrowed list: %q", alex.text("[data-recent-note]"))
	}
	checkAxe(t, alex, "home, narrowed by the organisation's settings")
}
