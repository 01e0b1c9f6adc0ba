-- Portal role assignments (issue 23, part 3, not yet used): a Portal Admin
-- grants Portal Admin or Portal User to a person of their own tenant. A
-- person is known by e-mail until their first sign-in, then by object id
-- (oid), which survives a renamed account. A revoked assignment keeps its
-- row (revoked_at) for the record; at most one live assignment per person.
CREATE TABLE role_assignments (
    id            BIGSERIAL PRIMARY KEY,
    tenant_id     TEXT NOT NULL,
    principal_oid TEXT,
    email         TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('Portal.Admin', 'Portal.User')),
    granted_at    TIMESTAMPTZ NOT NULL,
    granted_by    TEXT NOT NULL,
    revoked_at    TIMESTAMPTZ,
    revoked_by    TEXT
);
CREATE UNIQUE INDEX role_assignments_live_email ON role_assignments (tenant_id, lower(email)) WHERE revoked_at IS NULL;
CREATE UNIQUE INDEX role_assignments_live_oid ON role_assignments (tenant_id, principal_oid) WHERE revoked_at IS NULL AND principal_oid IS NOT NULL;
