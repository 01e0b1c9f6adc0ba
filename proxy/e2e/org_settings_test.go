package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stp-portal/stp/proxy/entra"
	"github.com/stp-portal/stp/proxy/stack"
)

// send makes a request with a body as the reader's browser would, and
// returns the response.
func (b *browser) send(method, path, body string, header map[string]string) response {
	b.t.Helper()
	req, err := http.NewRequest(method, b.g.ProxyURL+path, strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	buf, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return response{res, string(buf)}
}

type orgSettings struct {
	Tenant, UpdatedBy   string
	Regions, Industries []string
}

func (b *browser) orgSettings() orgSettings {
	b.t.Helper()
	res := b.get("/api/org/settings")
	var s orgSettings
	if err := json.Unmarshal([]byte(res.body), &s); res.StatusCode != 200 || err != nil {
		b.t.Fatalf("GET /api/org/settings: %d %q %v", res.StatusCode, res.body, err)
	}
	return s
}

// sampleTerms reads region and industry ids from the built sample.
func sampleTerms(t *testing.T) (regions, industries []string) {
	b, err := os.ReadFile(filepath.Join(sampleSite, "catalog.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cat struct{ Regions, Industries []struct{ ID string } }
	if err := json.Unmarshal(b, &cat); err != nil {
		t.Fatal(err)
	}
	for _, r := range cat.Regions {
		regions = append(regions, r.ID)
	}
	for _, i := range cat.Industries {
		industries = append(industries, i.ID)
	}
	return regions, industries
}

// Issue 23: through the real oauth2-proxy, with two tenants admitted,
// Adele (Portal Admin, Contoso) sets Contoso's regions; Alex (Portal User,
// Contoso) reads them from another client and cannot change them; Lee
// (Portal User, Fabrikam) sees Fabrikam's settings, not Contoso's.
func TestOrgSettingsThroughTheProxy(t *testing.T) {
	var upstreamLog syncBuffer
	g := startGate(t, stack.Config{
		SiteDir:        sampleSite,
		AllowedTenants: []string{entra.ContosoTenantID, entra.FabrikamTenantID},
		UpstreamLog:    &upstreamLog,
	})
	regions, industries := sampleTerms(t)
	choice := orgSettings{Regions: regions[:2], Industries: industries[1:2]}
	body, _ := json.Marshal(map[string][]string{"regions": choice.Regions, "industries": choice.Industries})

	adele := newBrowser(t, g)
	adele.signIn("/", entra.DemoAdmin)
	me := adele.get("/api/me")
	if me.StatusCode != 200 || !strings.Contains(me.body, `"admin":true`) || !strings.Contains(me.body, entra.ContosoTenantID) {
		t.Fatalf("Adele's /api/me: %d %s", me.StatusCode, me.body)
	}
	// As the Settings page sends it.
	res := adele.send("PUT", "/api/org/settings", string(body), map[string]string{"Sec-Fetch-Site": "same-origin"})
	if res.StatusCode != 200 {
		t.Fatalf("Adele's PUT: %d %s", res.StatusCode, res.body)
	}

	alex := newBrowser(t, g)
	alex.signIn("/", entra.DemoUser)
	if me := alex.get("/api/me"); !strings.Contains(me.body, `"admin":false`) {
		t.Errorf("Alex's /api/me: %d %s", me.StatusCode, me.body)
	}
	got := alex.orgSettings()
	if got.Tenant != entra.ContosoTenantID || !slices.Equal(got.Regions, choice.Regions) ||
		!slices.Equal(got.Industries, choice.Industries) || got.UpdatedBy != entra.DemoAdmin {
		t.Errorf("Alex reads %+v, Adele saved %+v", got, choice)
	}
	// A forged PUT from Alex: a Portal User, whatever he sends.
	for _, forged := range []map[string]string{
		{"Sec-Fetch-Site": "same-origin"},
		{"X-Forwarded-Groups": "Portal.Admin", "Authorization": "Bearer " + strings.Repeat("e", 40)},
	} {
		if res := alex.send("PUT", "/api/org/settings", `{"regions":[],"industries":[]}`, forged); res.StatusCode != 403 {
			t.Errorf("Alex's PUT with %v: %d %s", forged, res.StatusCode, res.body)
		}
	}
	if got := adele.orgSettings(); !slices.Equal(got.Regions, choice.Regions) {
		t.Errorf("after Alex's PUT: %+v", got)
	}
	// From another site, even Adele's browser is refused.
	if res := adele.send("PUT", "/api/org/settings", `{"regions":[],"industries":[]}`,
		map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}); res.StatusCode != 403 {
		t.Errorf("a cross-site PUT: %d %s", res.StatusCode, res.body)
	}

	lee := newBrowser(t, g)
	lee.signIn("/", entra.DemoForeign)
	if got := lee.orgSettings(); got.Tenant != entra.FabrikamTenantID || len(got.Regions) != 0 || got.UpdatedBy != "" {
		t.Errorf("Lee (Fabrikam) reads %+v", got)
	}
	if !strings.Contains(upstreamLog.String(), `"msg":"api: organisation settings changed","user":"adele@contoso.example"`) {
		t.Errorf("the upstream did not log Adele's change:\n%s", upstreamLog.String())
	}
	if !strings.Contains(upstreamLog.String(), `"user":"alex@contoso.example","tenant":"`+entra.ContosoTenantID+`","status":403,"reason":"not a Portal Admin"`) {
		t.Errorf("the upstream did not log Alex's refusal:\n%s", upstreamLog.String())
	}

	// How long a reader waits for the settings through the proxy.
	const n = 300
	took := make([]time.Duration, n)
	for i := range took {
		start := time.Now()
		alex.orgSettings()
		took[i] = time.Since(start)
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	t.Logf("GET /api/org/settings through oauth2-proxy, %d sequential requests: p50 %s, p99 %s",
		n, took[n/2].Round(10*time.Microsecond), took[n*99/100].Round(10*time.Microsecond))
}
