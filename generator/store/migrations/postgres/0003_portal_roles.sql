-- Portal role assignments in use (issue 23, part 3). Every person is
-- resolved in their tenant's directory before a grant, so each live row has
-- an object id; the name is the directory's, and who granted or revoked is
-- kept by object id beside the address.
ALTER TABLE role_assignments ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
ALTER TABLE role_assignments ADD COLUMN granted_by_oid TEXT NOT NULL DEFAULT '';
ALTER TABLE role_assignments ADD COLUMN revoked_by_oid TEXT;
CREATE INDEX role_assignments_tenant ON role_assignments (tenant_id, principal_oid);

-- The portal roles readers were last seen holding from their directory
-- (the Entra app roles in their ID token), and whether they were their
-- tenant's Global Administrator (the token's wids), so that the list shows
-- them and the last-admin rule counts them. role is '' when they held none.
CREATE TABLE directory_roles (
    tenant_id     TEXT NOT NULL,
    principal_oid TEXT NOT NULL,
    email         TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    global_admin  INTEGER NOT NULL,
    seen_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, principal_oid)
);
