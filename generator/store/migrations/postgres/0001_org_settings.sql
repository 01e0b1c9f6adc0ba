-- Organisation settings: the regions and industries a Portal Admin chose
-- for their tenant, every reader's starting point. One row per tenant, and
-- one row per chosen term, so that a later feature can ask which tenants
-- chose a region (notifications) without parsing JSON.
CREATE TABLE org_settings (
    tenant_id        TEXT PRIMARY KEY,
    updated_at       TIMESTAMPTZ NOT NULL,
    updated_by_oid   TEXT NOT NULL,
    updated_by_email TEXT NOT NULL
);

CREATE TABLE org_setting_terms (
    tenant_id TEXT NOT NULL REFERENCES org_settings (tenant_id) ON DELETE CASCADE,
    kind      TEXT NOT NULL CHECK (kind IN ('region', 'industry')),
    term_id   TEXT NOT NULL,
    position  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, kind, term_id)
);

-- Every change any feature makes, with who made it and when: settings now;
-- role grants, access requests, acceptances later. detail is the change as
-- JSON.
CREATE TABLE audit_log (
    id          BIGSERIAL PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    tenant_id   TEXT NOT NULL,
    actor_oid   TEXT NOT NULL,
    actor_email TEXT NOT NULL,
    action      TEXT NOT NULL,
    detail      TEXT NOT NULL
);
CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at);
