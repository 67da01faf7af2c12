-- Platform admins act for the tenants of one platform. Their keys are not tenant-owned rows, so
-- RLS does not apply; the service decides what a platform admin reaches (Principal.canActFor).
-- The bootstrap key (THRILLRING_ADMIN_KEY) stays the operator's: every platform.
CREATE TABLE platform_admin_keys (
    id            UUID          NOT NULL PRIMARY KEY,
    platform      VARCHAR(50)   NOT NULL REFERENCES platforms (name),
    prefix        VARCHAR(16)   NOT NULL,
    key_hash      VARCHAR(64)   NOT NULL,
    created_by    VARCHAR(100)  NOT NULL,
    created_at    TIMESTAMPTZ   NOT NULL DEFAULT now(),
    last_used_at  TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ,
    CONSTRAINT platform_admin_keys_hash_unique UNIQUE (key_hash)
);
CREATE INDEX platform_admin_keys_platform ON platform_admin_keys (platform, created_at);

-- Administrative changes at platform level (admin keys, tenants created), append-only.
CREATE TABLE platform_audit_log (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform    VARCHAR(50)   NOT NULL REFERENCES platforms (name),
    actor       VARCHAR(100)  NOT NULL,
    action      VARCHAR(100)  NOT NULL,
    target      VARCHAR(255)  NOT NULL,
    before      JSONB,
    after       JSONB,
    at          TIMESTAMPTZ   NOT NULL DEFAULT now()
);
CREATE INDEX platform_audit_log_platform_time ON platform_audit_log (platform, at);

/* [jooq ignore start] */
GRANT SELECT, INSERT ON platform_admin_keys TO thrillring_app;
GRANT UPDATE (revoked_at) ON platform_admin_keys TO thrillring_app;
GRANT SELECT, INSERT ON platform_audit_log TO thrillring_app;

-- The lookup of a platform admin key, as api_key_principal does for tenant keys: marks last use
-- at most once a minute.
CREATE FUNCTION platform_key_principal(p_key_hash VARCHAR)
    RETURNS TABLE (key_id UUID, platform VARCHAR)
    LANGUAGE sql SECURITY DEFINER SET search_path = public
    AS $$
        UPDATE platform_admin_keys k SET last_used_at = now()
         WHERE k.key_hash = p_key_hash AND k.revoked_at IS NULL
           AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute');
        SELECT k.id, k.platform FROM platform_admin_keys k WHERE k.key_hash = p_key_hash AND k.revoked_at IS NULL;
    $$;
REVOKE ALL ON FUNCTION platform_key_principal(VARCHAR) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION platform_key_principal(VARCHAR) TO thrillring_app;

-- A platform admin's list of its tenants: tenants rows are guarded per tenant, so the one read
-- across them goes through the owner, filtered to the platform asked for (the service checks
-- that the caller administers it).
CREATE FUNCTION platform_tenants(p_platform VARCHAR)
    RETURNS TABLE (id UUID, name VARCHAR, industry VARCHAR, status VARCHAR, created_at TIMESTAMPTZ)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$
        SELECT t.id, t.name, t.industry, t.status, t.created_at FROM tenants t
         WHERE t.platform = p_platform ORDER BY t.created_at, t.id;
    $$;
REVOKE ALL ON FUNCTION platform_tenants(VARCHAR) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION platform_tenants(VARCHAR) TO thrillring_app;
/* [jooq ignore stop] */
