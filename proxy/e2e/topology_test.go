package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stp-portal/stp/proxy/entra"
	"github.com/stp-portal/stp/proxy/stack"
)

// terminators are the TLS terminators proxy/deploy ships configurations for.
var terminators = []string{stack.Nginx, stack.Caddy}

// startProduction starts the production topology with the given terminator.
func startProduction(t testing.TB, terminator string, cfg stack.Config) *gate {
	t.Helper()
	if cfg.Production == nil {
		cfg.Production = &stack.Production{}
	}
	cfg.Production.Terminator = terminator
	return startGate(t, cfg)
}

// TestProductionTopology signs a reader in through the terminator, with the
// production configuration, and reads a page and a download.
func TestProductionTopology(t *testing.T) {
	for _, term := range terminators {
		t.Run(term, func(t *testing.T) {
			g := startProduction(t, term, stack.Config{})
			b := newBrowser(t, g)
			res := b.signIn("/compliance-reports/", entra.DemoUser)
			if res.StatusCode != 200 || !strings.Contains(res.body, "Compliance reports") {
				t.Fatalf("after sign-in: %d %q", res.StatusCode, res.body)
			}
			c := b.sessionCookie()
			if c == nil {
				t.Fatalf("session cookie %+v: want a Secure %s cookie", c, g.CookieName)
			}
			dl := b.get("/documents/soc2/SOC%202%20Type%20II.pdf")
			if dl.StatusCode != 200 || dl.body != siteFiles["documents/soc2/SOC 2 Type II.pdf"] {
				t.Fatalf("download: %d, %d bytes", dl.StatusCode, len(dl.body))
			}
			checkHeader(t, "download", dl.Header, "Strict-Transport-Security", "max-age=31536000")
			anon := newBrowser(t, g)
			if res := anon.get("/catalog.json"); res.StatusCode != http.StatusFound {
				t.Errorf("anonymous /catalog.json: %d", res.StatusCode)
			}
		})
	}
}
