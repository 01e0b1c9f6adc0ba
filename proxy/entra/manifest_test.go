package entra_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stp-portal/stp/proxy/entra"
)

// The app registration manifest, the stand-in and the proxy configurations
// must agree on the app roles, or the demo would pass while production
// refuses everybody.
func TestManifestMatchesStandIn(t *testing.T) {
	b, err := os.ReadFile("../entra-app-manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		AppRoles []struct {
			ID, Value, DisplayName string
			AllowedMemberTypes     []string
			IsEnabled              bool
		}
		GroupMembershipClaims *string
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := entra.PortalAppRoles()
	if len(m.AppRoles) != len(want) {
		t.Fatalf("manifest has %d app roles, the stand-in %d", len(m.AppRoles), len(want))
	}
	for i, r := range m.AppRoles {
		if r.ID != want[i].ID || r.Value != want[i].Value || r.DisplayName != want[i].DisplayName || !r.IsEnabled {
			t.Errorf("manifest role %+v, stand-in %+v", r, want[i])
		}
	}
	if m.GroupMembershipClaims != nil {
		t.Error("the manifest asks for group claims; STP uses app roles (group overage needs Microsoft Graph)")
	}
	for _, cfg := range []string{"../oauth2-proxy.cfg", "../oauth2-proxy.demo.cfg"} {
		b, err := os.ReadFile(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `allowed_groups = ["`+entra.RolePortalAdmin+`", "`+entra.RolePortalUser+`"]`) {
			t.Errorf("%s does not admit exactly the manifest's role values", cfg)
		}
	}
}
