-- Showcases (issue 16): portfolios generated from ThrillRing's own records, public pages by slug,
-- tracked shares; Open Badges 3.0 credentials signed with keys kept here (rotation keeps old ones).

ALTER TABLE showcase_portfolios ADD COLUMN slug VARCHAR(80);
ALTER TABLE showcase_portfolios ADD COLUMN showcase_type VARCHAR(30) NOT NULL DEFAULT 'comprehensive';
ALTER TABLE showcase_portfolios ADD COLUMN include_testimonials BOOLEAN NOT NULL DEFAULT TRUE;
-- Which window the computed metrics compare against: 'previous' period, 'joined' (the first
-- recorded month), or a month 'YYYY-MM' the tenant picked.
ALTER TABLE showcase_portfolios ADD COLUMN baseline VARCHAR(20) NOT NULL DEFAULT 'previous';
CREATE UNIQUE INDEX showcase_portfolios_slug ON showcase_portfolios (platform, slug);
CREATE UNIQUE INDEX showcase_portfolios_kind ON showcase_portfolios (tenant_id, platform, showcase_type);

-- A computed metric's stable key (e.g. subject:orders_shipped); NULL for one typed in by hand.
ALTER TABLE portfolio_metrics ADD COLUMN metric_key VARCHAR(160);
ALTER TABLE portfolio_metrics ADD COLUMN baseline_period VARCHAR(100);
ALTER TABLE portfolio_metrics ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now();

CREATE TABLE badge_signing_keys (
    kid          VARCHAR(64)   NOT NULL PRIMARY KEY,
    private_jwk  TEXT          NOT NULL,
    public_jwk   TEXT          NOT NULL,
    created_at   TIMESTAMPTZ   NOT NULL DEFAULT now(),
    -- Retired keys sign nothing new but stay in the JWKS, so credentials they signed still verify.
    retired_at   TIMESTAMPTZ
);

CREATE TABLE badge_credentials (
    id                     UUID          NOT NULL PRIMARY KEY,
    tenant_id              UUID          NOT NULL REFERENCES tenants (id),
    tenant_achievement_id  UUID          NOT NULL REFERENCES tenant_achievements (id),
    achievement_id         UUID          NOT NULL REFERENCES achievements (id),
    user_id                VARCHAR(128),
    subject_kind           VARCHAR(20)   NOT NULL,
    kid                    VARCHAR(64)   NOT NULL REFERENCES badge_signing_keys (kid),
    credential_jwt         TEXT          NOT NULL,
    issued_at              TIMESTAMPTZ   NOT NULL DEFAULT now(),
    CONSTRAINT badge_credentials_subject_kind CHECK (subject_kind IN ('email_hash', 'platform_id')),
    CONSTRAINT badge_credentials_once UNIQUE (tenant_id, tenant_achievement_id)
);

/* [jooq ignore start] */
ALTER TABLE portfolio_metrics DROP CONSTRAINT portfolio_metrics_unit;
ALTER TABLE portfolio_metrics ADD CONSTRAINT portfolio_metrics_unit
    CHECK (metric_unit IS NULL OR metric_unit IN ('percentage', 'currency', 'count', 'ratio', 'rank'));
ALTER TABLE social_shares DROP CONSTRAINT social_shares_platform;
ALTER TABLE social_shares ADD CONSTRAINT social_shares_platform
    CHECK (platform IN ('twitter', 'linkedin', 'facebook', 'instagram', 'email'));
ALTER TABLE showcase_portfolios ADD CONSTRAINT showcase_portfolios_type
    CHECK (showcase_type IN ('comprehensive', 'performance', 'achievements', 'referrals'));
ALTER TABLE showcase_portfolios ADD CONSTRAINT showcase_portfolios_slug_format
    CHECK (slug IS NULL OR slug ~ '^[a-z0-9]([a-z0-9-]{0,78}[a-z0-9])?$');

ALTER TABLE badge_credentials ENABLE ROW LEVEL SECURITY;
ALTER TABLE badge_credentials FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON badge_credentials USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
-- The owner-rights lookup below reads across tenants; FORCE applies RLS to the owner too
-- (V3 gave the older tables this policy).
DO $$ BEGIN
    EXECUTE format('CREATE POLICY owner_access ON badge_credentials TO %I USING (true) WITH CHECK (true)', current_user);
END $$;

GRANT SELECT, INSERT, UPDATE ON badge_signing_keys TO thrillring_app;
-- Credentials are issued, never edited by the service.
GRANT SELECT, INSERT ON badge_credentials TO thrillring_app;

-- A public showcase by its address: only a published, active, non-private one, and nothing but
-- where it lives and when it last changed (the page itself is then read inside that tenant's
-- scope, or taken from the cache of that version).
CREATE FUNCTION showcase_public(p_platform VARCHAR, p_slug VARCHAR)
    RETURNS TABLE (tenant_id UUID, portfolio_id UUID, updated_at TIMESTAMPTZ)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$
        SELECT s.tenant_id, s.id, s.updated_at FROM showcase_portfolios s
         WHERE s.platform = p_platform AND s.slug = p_slug AND s.published_at IS NOT NULL
           AND s.status = 'active' AND s.visibility <> 'private'
    $$;

-- Sitemaps: public (not unlisted, not private) published showcases, with their real update times.
CREATE FUNCTION showcase_sitemap(p_platform VARCHAR)
    RETURNS TABLE (slug VARCHAR, updated_at TIMESTAMPTZ)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$
        SELECT s.slug, s.updated_at FROM showcase_portfolios s
         WHERE s.platform = p_platform AND s.published_at IS NOT NULL AND s.status = 'active'
           AND s.visibility = 'public' AND s.slug IS NOT NULL
         ORDER BY s.slug LIMIT 50000
    $$;

CREATE FUNCTION showcase_sitemap_platforms()
    RETURNS TABLE (platform VARCHAR, updated_at TIMESTAMPTZ)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$
        SELECT s.platform, max(s.updated_at) FROM showcase_portfolios s
         WHERE s.published_at IS NOT NULL AND s.status = 'active' AND s.visibility = 'public' AND s.slug IS NOT NULL
         GROUP BY s.platform ORDER BY s.platform
    $$;

-- The tenant of a credential, for its public verification page.
CREATE FUNCTION badge_credential_tenant(p_id UUID)
    RETURNS UUID
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$ SELECT c.tenant_id FROM badge_credentials c WHERE c.id = p_id $$;

REVOKE ALL ON FUNCTION showcase_public(VARCHAR, VARCHAR) FROM PUBLIC;
REVOKE ALL ON FUNCTION showcase_sitemap(VARCHAR) FROM PUBLIC;
REVOKE ALL ON FUNCTION showcase_sitemap_platforms() FROM PUBLIC;
REVOKE ALL ON FUNCTION badge_credential_tenant(UUID) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION showcase_public(VARCHAR, VARCHAR), showcase_sitemap(VARCHAR),
    showcase_sitemap_platforms(), badge_credential_tenant(UUID) TO thrillring_app;
/* [jooq ignore stop] */
