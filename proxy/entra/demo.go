package entra

import (
	"slices"
	"time"
)

// The demo directory: fixed identifiers so that a demo, the tests and the
// example configuration files agree without passing values around. None of
// them is a real tenant, application or user.
const (
	ContosoTenantID  = "3f2d7c1e-5b8a-4c6d-9e0f-1a2b3c4d5e6f"
	FabrikamTenantID = "8a9b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d"

	DemoClientID     = "5e7c1d2a-0f3b-4a6c-9e8d-7b1a2c3d4e5f"
	DemoClientSecret = "standin-demo-secret-not-for-production"

	// DemoServicePrincipalID is the object id of the portal's enterprise
	// application in Contoso, the {id} of Graph's
	// /servicePrincipals/{id}/appRoleAssignedTo.
	DemoServicePrincipalID = "9d4e2b7a-6c1f-4e3d-8a5b-0f9e8d7c6b5a"

	// The access manager: a second app registration, which `stp access`
	// signs in as (client credentials) to read and change the portal's
	// role assignments through Graph. It holds the three application
	// permissions the README asks for; the proxy's registration holds none.
	DemoManagerClientID     = "c0a1b2c3-d4e5-4f60-8a7b-9c0d1e2f3a4b"
	DemoManagerClientSecret = "standin-manager-secret-not-for-production"

	// The app roles, with the ids and values of proxy/entra-app-manifest.json.
	RolePortalAdmin   = "Portal.Admin"
	RolePortalUser    = "Portal.User"
	PortalAdminRoleID = "6f1c7a2e-3b4d-4e8a-9c2b-1a5d7e9f0b31"
	PortalUserRoleID  = "2b8e4d61-9a7c-4f3e-8d15-c6a0b2e4f7d9"
)

// The demo accounts.
const (
	DemoAdmin   = "adele@contoso.example"
	DemoUser    = "alex@contoso.example"
	DemoNoRole  = "megan@contoso.example"
	DemoForeign = "lee@fabrikam.example"

	// Adele's other addresses: an alias of her mailbox (proxyAddresses
	// "smtp:") and an address outside the tenant (otherMails). Graph
	// finds her by either, and so must every guard rail.
	DemoAdminAlias     = "adele.vance@contoso.example"
	DemoAdminOtherMail = "adele.vance@outlook.example"
)

// The Microsoft Graph application permissions `stp access` needs.
const (
	PermAppRoleAssignmentReadWrite = "AppRoleAssignment.ReadWrite.All"
	PermApplicationRead            = "Application.Read.All"
	PermUserRead                   = "User.Read.All"
)

// demoAssignedSince is when the demo's initial role assignments were made,
// fixed so that `stp access list` prints the same dates on every run.
var demoAssignedSince = time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)

// PortalAppRoles are the two app roles STP's app registration defines.
func PortalAppRoles() []AppRole {
	return []AppRole{
		{ID: PortalAdminRoleID, Value: RolePortalAdmin, DisplayName: "Portal Admin",
			Description: "Reads every document and manages who may open the portal."},
		{ID: PortalUserRoleID, Value: RolePortalUser, DisplayName: "Portal User",
			Description: "Reads and downloads the portal's documents."},
	}
}

// DemoStore returns the demo directory: the Contoso tenant that owns the
// application, with a Portal Admin, a Portal User and a user without a
// role, and a user of another tenant (Fabrikam) who holds Portal User in
// their own tenant, so that only the tenant check keeps them out.
func DemoStore() *Store {
	s := NewStore(Application{
		ClientID:     DemoClientID,
		ClientSecret: DemoClientSecret,
		HomeTenantID: ContosoTenantID,
		MultiTenant:  true,
		AppRoles:     PortalAppRoles(),
		DisplayName:  "Service Trust Portal",

		ServicePrincipalID: DemoServicePrincipalID,
	})
	s.AddGraphClient(GraphClient{
		ClientID:     DemoManagerClientID,
		ClientSecret: DemoManagerClientSecret,
		DisplayName:  "Service Trust Portal access manager",
		TenantID:     ContosoTenantID,
		Permissions:  []string{PermAppRoleAssignmentReadWrite, PermApplicationRead, PermUserRead},
	})
	s.now = func() time.Time { return demoAssignedSince }
	defer func() { s.now = time.Now }()
	// Contoso's administrator has consented to what the portal asks for;
	// Fabrikam's has not (the Settings page then says so, with the link).
	s.AddTenant(Tenant{ID: ContosoTenantID, DisplayName: "Contoso", Domain: "contoso.example",
		Consented: slices.Clone(DelegatedGraphPermissions)})
	s.AddTenant(Tenant{ID: FabrikamTenantID, DisplayName: "Fabrikam", Domain: "fabrikam.example"})
	for _, u := range []User{
		{TenantID: ContosoTenantID, UserPrincipalName: DemoAdmin, Mail: DemoAdmin, DisplayName: "Adele Vance",
			AccountEnabled: true, Roles: []string{RolePortalAdmin},
			OtherMails: []string{DemoAdminOtherMail}, ProxyAddresses: []string{"SMTP:" + DemoAdmin, "smtp:" + DemoAdminAlias}},
		{TenantID: ContosoTenantID, UserPrincipalName: DemoUser, Mail: DemoUser, DisplayName: "Alex Wilber",
			AccountEnabled: true, Roles: []string{RolePortalUser}},
		{TenantID: ContosoTenantID, UserPrincipalName: DemoNoRole, Mail: DemoNoRole, DisplayName: "Megan Bowen",
			AccountEnabled: true},
		{TenantID: FabrikamTenantID, UserPrincipalName: DemoForeign, Mail: DemoForeign, DisplayName: "Lee Gu",
			AccountEnabled: true, Roles: []string{RolePortalUser}},
	} {
		if err := s.AddUser(u); err != nil {
			panic(err) // The demo data is fixed; an error here is a bug.
		}
	}
	return s
}
