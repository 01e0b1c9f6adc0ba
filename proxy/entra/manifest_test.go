package entra_test

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stp-portal/stp/generator/serve"
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
	// The upstream checks the roles (serve.DefaultRoles); the proxy admits
	// every signed-in user of an admitted tenant, passes the Graph token
	// and asks for the delegated permission the Settings page needs.
	if !slices.Equal(serve.DefaultRoles, []string{entra.RolePortalAdmin, entra.RolePortalUser}) {
		t.Errorf("the upstream admits %v, the manifest defines %s and %s", serve.DefaultRoles, entra.RolePortalAdmin, entra.RolePortalUser)
	}
	for _, cfg := range []string{"../oauth2-proxy.cfg", "../oauth2-proxy.demo.cfg"} {
		b, err := os.ReadFile(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "allowed_groups") {
				t.Errorf("%s: %s keeps out everyone the Settings page adds", cfg, line)
			}
		}
		for _, want := range []string{"pass_access_token = true", "https://graph.microsoft.com/User.ReadBasic.All"} {
			if !strings.Contains(string(b), want) {
				t.Errorf("%s lacks %s", cfg, want)
			}
		}
	}
	if !strings.Contains(string(b), `"b340eb25-3456-403f-be2f-af7a0d370277"`) {
		t.Error("the manifest does not ask for User.ReadBasic.All (delegated)")
	}
}
