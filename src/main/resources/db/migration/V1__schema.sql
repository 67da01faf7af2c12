-- ThrillRing schema, version 1: the seed's tables (fixed where a real system needs it, see
-- docs/schema.md) plus what the engine needs: platforms, tenants, API keys, facts, decisions,
-- rule set versions. Every tenant-owned table is guarded by row-level security at the end.

-- gen_random_uuid() is built into PostgreSQL 13+, so no extension is needed.

-- ---------------------------------------------------------------------------------------------
-- Platforms and tenants
-- ---------------------------------------------------------------------------------------------
CREATE TABLE platforms (
    name        VARCHAR(50)  NOT NULL PRIMARY KEY,
    created_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
    CONSTRAINT platforms_name_format CHECK (name ~ '^[a-z][a-z0-9_-]{1,49}$')
);
INSERT INTO platforms (name) VALUES ('bizoholic'), ('coreldove'), ('bizosaas');

CREATE TABLE tenants (
    id          UUID         NOT NULL PRIMARY KEY,
    name        VARCHAR(255) NOT NULL,
    platform    VARCHAR(50)  NOT NULL REFERENCES platforms (name),
    industry    VARCHAR(100),
    status      VARCHAR(20)  NOT NULL DEFAULT 'active',
    created_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
    CONSTRAINT tenants_status CHECK (status IN ('active', 'suspended')),
    CONSTRAINT tenants_name_not_blank CHECK (length(trim(name)) > 0)
);

CREATE TABLE api_keys (
    id            UUID         NOT NULL PRIMARY KEY,
    tenant_id     UUID         NOT NULL REFERENCES tenants (id),
    prefix        VARCHAR(16)  NOT NULL,
    key_hash      VARCHAR(64)  NOT NULL,
    role          VARCHAR(30)  NOT NULL,
    created_at    TIMESTAMPTZ  NOT NULL DEFAULT now(),
    last_used_at  TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ,
    CONSTRAINT api_keys_role CHECK (role IN ('tenant_admin', 'analyst', 'ingest', 'viewer')),
    CONSTRAINT api_keys_hash_unique UNIQUE (key_hash)
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, created_at);

-- ---------------------------------------------------------------------------------------------
-- Facts and decisions: append-only. The fact's id is the client's idempotency key per tenant.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE facts (
    tenant_id     UUID          NOT NULL REFERENCES tenants (id),
    fact_id       VARCHAR(128)  NOT NULL,
    user_id       VARCHAR(128),
    type          VARCHAR(64)   NOT NULL,
    occurred_at   TIMESTAMPTZ   NOT NULL,
    received_at   TIMESTAMPTZ   NOT NULL DEFAULT now(),
    attributes    JSONB         NOT NULL,
    payload_hash  VARCHAR(64)   NOT NULL,
    PRIMARY KEY (tenant_id, fact_id)
);
CREATE INDEX facts_subject ON facts (tenant_id, user_id, occurred_at);

CREATE TABLE decisions (
    tenant_id          UUID          NOT NULL,
    fact_id            VARCHAR(128)  NOT NULL,
    rule_set_version   VARCHAR(100)  NOT NULL,
    fired_rules        JSONB         NOT NULL,
    outcomes           JSONB         NOT NULL,
    evaluation_micros  INTEGER       NOT NULL,
    decided_at         TIMESTAMPTZ   NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, fact_id),
    FOREIGN KEY (tenant_id, fact_id) REFERENCES facts (tenant_id, fact_id)
);

-- ---------------------------------------------------------------------------------------------
-- Rule set versions: immutable numbered bundles of DRL files, decision tables and scenarios.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE rule_set_versions (
    tenant_id     UUID          NOT NULL REFERENCES tenants (id),
    version       INTEGER       NOT NULL,
    checksum      VARCHAR(64)   NOT NULL,
    author        VARCHAR(255)  NOT NULL,
    comment       TEXT,
    status        VARCHAR(20)   NOT NULL DEFAULT 'draft',
    created_at    TIMESTAMPTZ   NOT NULL DEFAULT now(),
    activated_at  TIMESTAMPTZ,
    PRIMARY KEY (tenant_id, version),
    CONSTRAINT rule_set_versions_positive CHECK (version > 0),
    CONSTRAINT rule_set_versions_status CHECK (status IN ('draft', 'active', 'inactive', 'rejected'))
);
/* [jooq ignore start] */
CREATE UNIQUE INDEX rule_set_versions_one_active ON rule_set_versions (tenant_id) WHERE status = 'active';
/* [jooq ignore stop] */

CREATE TABLE rule_set_resources (
    tenant_id  UUID          NOT NULL,
    version    INTEGER       NOT NULL,
    path       VARCHAR(255)  NOT NULL,
    kind       VARCHAR(20)   NOT NULL,
    content    BYTEA         NOT NULL,
    PRIMARY KEY (tenant_id, version, path),
    FOREIGN KEY (tenant_id, version) REFERENCES rule_set_versions (tenant_id, version),
    CONSTRAINT rule_set_resources_kind CHECK (kind IN ('drl', 'xlsx', 'xls', 'csv', 'scenario'))
);

-- ---------------------------------------------------------------------------------------------
-- Referrals (seed 1.1). tenant_id = the tenant that runs the program; the seed's referrer and
-- referee tenant columns are kept.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE referral_programs (
    id                     UUID          NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id              UUID          NOT NULL REFERENCES tenants (id),
    program_name           VARCHAR(255)  NOT NULL,
    platform               VARCHAR(50)   NOT NULL REFERENCES platforms (name),
    reward_structure       JSONB         NOT NULL,
    fraud_detection_rules  JSONB,
    status                 VARCHAR(50)   NOT NULL DEFAULT 'active',
    created_at             TIMESTAMPTZ   NOT NULL DEFAULT now(),
    updated_at             TIMESTAMPTZ   NOT NULL DEFAULT now(),
    CONSTRAINT referral_programs_status CHECK (status IN ('active', 'paused', 'archived')),
    CONSTRAINT referral_programs_tenant_id UNIQUE (tenant_id, id)
);

CREATE TABLE referral_codes (
    id                  UUID         NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id           UUID         NOT NULL REFERENCES tenants (id),
    code                VARCHAR(50)  NOT NULL,
    referrer_tenant_id  UUID         NOT NULL,
    referrer_user_id    VARCHAR(128),
    program_id          UUID         NOT NULL,
    usage_limit         INTEGER      NOT NULL DEFAULT 0,
    usage_count         INTEGER      NOT NULL DEFAULT 0,
    expiry_date         TIMESTAMPTZ,
    status              VARCHAR(50)  NOT NULL DEFAULT 'active',
    created_at          TIMESTAMPTZ  NOT NULL DEFAULT now(),
    FOREIGN KEY (tenant_id, program_id) REFERENCES referral_programs (tenant_id, id),
    CONSTRAINT referral_codes_usage CHECK (usage_limit >= 0 AND usage_count >= 0
                                           AND (usage_limit = 0 OR usage_count <= usage_limit)),
    CONSTRAINT referral_codes_status CHECK (status IN ('active', 'disabled', 'expired')),
    CONSTRAINT referral_codes_tenant_id UNIQUE (tenant_id, id)
);
/* [jooq ignore start] */
-- Codes are case-insensitive and globally unique: a share URL names no tenant.
CREATE UNIQUE INDEX referral_codes_code_ci ON referral_codes (upper(code));
/* [jooq ignore stop] */
CREATE INDEX referral_codes_referrer ON referral_codes (tenant_id, referrer_tenant_id, referrer_user_id);

CREATE TABLE referral_conversions (
    id                   UUID           NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id            UUID           NOT NULL REFERENCES tenants (id),
    referral_code_id     UUID           NOT NULL,
    program_id           UUID           NOT NULL,
    referee_tenant_id    UUID           NOT NULL,
    referee_user_id      VARCHAR(128),
    conversion_type      VARCHAR(100)   NOT NULL,
    order_id             VARCHAR(128),
    conversion_value     DECIMAL(12,2)  NOT NULL DEFAULT 0,
    reward_amount        DECIMAL(12,2)  NOT NULL DEFAULT 0,
    ai_validation_score  DECIMAL(3,2),
    status               VARCHAR(50)    NOT NULL DEFAULT 'pending',
    processed_at         TIMESTAMPTZ,
    created_at           TIMESTAMPTZ    NOT NULL DEFAULT now(),
    FOREIGN KEY (tenant_id, referral_code_id) REFERENCES referral_codes (tenant_id, id),
    FOREIGN KEY (tenant_id, program_id) REFERENCES referral_programs (tenant_id, id),
    CONSTRAINT referral_conversions_type CHECK (conversion_type IN ('signup', 'subscription', 'purchase')),
    CONSTRAINT referral_conversions_status CHECK (status IN ('pending', 'approved', 'pending_review', 'rejected', 'refunded')),
    CONSTRAINT referral_conversions_score CHECK (ai_validation_score IS NULL OR ai_validation_score BETWEEN 0 AND 1),
    CONSTRAINT referral_conversions_value CHECK (conversion_value >= 0)
);
/* [jooq ignore start] */
-- One referee converts once per program and conversion type; an order converts once.
CREATE UNIQUE INDEX referral_conversions_once ON referral_conversions
    (tenant_id, program_id, referee_tenant_id, referee_user_id, conversion_type) NULLS NOT DISTINCT;
CREATE UNIQUE INDEX referral_conversions_order ON referral_conversions (tenant_id, program_id, order_id)
    WHERE order_id IS NOT NULL;
/* [jooq ignore stop] */
CREATE INDEX referral_conversions_referee ON referral_conversions (tenant_id, referee_tenant_id);

-- ---------------------------------------------------------------------------------------------
-- Achievements (seed 1.1). tenant_id NULL = the platform's catalogue; set = a tenant's custom one.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE achievement_categories (
    id             UUID          NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id      UUID          REFERENCES tenants (id),
    category_name  VARCHAR(255)  NOT NULL,
    platform       VARCHAR(50)   NOT NULL REFERENCES platforms (name),
    description    TEXT,
    icon_url       VARCHAR(500),
    sort_order     INTEGER       NOT NULL DEFAULT 0,
    created_at     TIMESTAMPTZ   NOT NULL DEFAULT now()
);

CREATE TABLE achievements (
    id                  UUID          NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id           UUID          REFERENCES tenants (id),
    achievement_key     VARCHAR(100)  NOT NULL,
    category_id         UUID          REFERENCES achievement_categories (id),
    achievement_name    VARCHAR(255)  NOT NULL,
    description         TEXT,
    achievement_type    VARCHAR(100)  NOT NULL,
    platform            VARCHAR(50)   NOT NULL REFERENCES platforms (name),
    trigger_conditions  JSONB         NOT NULL,
    reward_config       JSONB,
    difficulty_level    INTEGER       NOT NULL DEFAULT 1,
    is_repeatable       BOOLEAN       NOT NULL DEFAULT FALSE,
    cooldown_seconds    INTEGER,
    is_hidden           BOOLEAN       NOT NULL DEFAULT FALSE,
    icon_url            VARCHAR(500),
    sort_order          INTEGER       NOT NULL DEFAULT 0,
    status              VARCHAR(50)   NOT NULL DEFAULT 'active',
    created_at          TIMESTAMPTZ   NOT NULL DEFAULT now(),
    CONSTRAINT achievements_type CHECK (achievement_type IN ('milestone', 'performance', 'social', 'custom')),
    CONSTRAINT achievements_difficulty CHECK (difficulty_level BETWEEN 1 AND 5),
    CONSTRAINT achievements_status CHECK (status IN ('active', 'inactive', 'archived')),
    CONSTRAINT achievements_cooldown CHECK (cooldown_seconds IS NULL OR (is_repeatable AND cooldown_seconds >= 0))
);
/* [jooq ignore start] */
CREATE UNIQUE INDEX achievements_key ON achievements (platform, tenant_id, achievement_key) NULLS NOT DISTINCT;
/* [jooq ignore stop] */

CREATE TABLE tenant_achievements (
    id                     UUID          NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id              UUID          NOT NULL REFERENCES tenants (id),
    user_id                VARCHAR(128),
    achievement_id         UUID          NOT NULL REFERENCES achievements (id),
    occurrence             INTEGER       NOT NULL DEFAULT 1,
    unlock_data            JSONB,
    progress_data          JSONB,
    completion_percentage  DECIMAL(5,2)  NOT NULL DEFAULT 0.00,
    unlocked_at            TIMESTAMPTZ,
    notified_at            TIMESTAMPTZ,
    backfilled             BOOLEAN       NOT NULL DEFAULT FALSE,
    created_at             TIMESTAMPTZ   NOT NULL DEFAULT now(),
    CONSTRAINT tenant_achievements_pct CHECK (completion_percentage BETWEEN 0 AND 100),
    CONSTRAINT tenant_achievements_occurrence CHECK (occurrence > 0)
);
/* [jooq ignore start] */
-- The database, not only the code, makes a double unlock impossible.
CREATE UNIQUE INDEX tenant_achievements_once ON tenant_achievements
    (tenant_id, user_id, achievement_id, occurrence) NULLS NOT DISTINCT;
/* [jooq ignore stop] */
CREATE INDEX tenant_achievements_achievement ON tenant_achievements (tenant_id, achievement_id);

-- ---------------------------------------------------------------------------------------------
-- Leaderboards (seed 1.1). tenant_id NULL = a platform or industry board; set = a tenant's own.
-- Entries are keyed by period bucket, so nothing is destructively reset.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE leaderboards (
    id                UUID          NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id         UUID          REFERENCES tenants (id),
    leaderboard_key   VARCHAR(100)  NOT NULL,
    leaderboard_name  VARCHAR(255)  NOT NULL,
    platform          VARCHAR(50)   NOT NULL REFERENCES platforms (name),
    leaderboard_type  VARCHAR(100)  NOT NULL,
    industry          VARCHAR(100),
    scoring_criteria  JSONB         NOT NULL,
    time_period       VARCHAR(50)   NOT NULL DEFAULT 'all_time',
    time_zone         VARCHAR(64)   NOT NULL DEFAULT 'UTC',
    reset_schedule    JSONB,
    visibility        VARCHAR(50)   NOT NULL DEFAULT 'public',
    max_participants  INTEGER       NOT NULL DEFAULT 100,
    status            VARCHAR(50)   NOT NULL DEFAULT 'active',
    created_at        TIMESTAMPTZ   NOT NULL DEFAULT now(),
    CONSTRAINT leaderboards_type CHECK (leaderboard_type IN ('global', 'platform', 'industry', 'custom')),
    CONSTRAINT leaderboards_period CHECK (time_period IN ('daily', 'weekly', 'monthly', 'all_time')),
    CONSTRAINT leaderboards_visibility CHECK (visibility IN ('public', 'private', 'opt_in')),
    CONSTRAINT leaderboards_status CHECK (status IN ('active', 'inactive', 'archived')),
    CONSTRAINT leaderboards_max CHECK (max_participants BETWEEN 1 AND 10000)
);
/* [jooq ignore start] */
CREATE UNIQUE INDEX leaderboards_key ON leaderboards (platform, tenant_id, leaderboard_key) NULLS NOT DISTINCT;
/* [jooq ignore stop] */

CREATE TABLE leaderboard_entries (
    id              UUID           NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    leaderboard_id  UUID           NOT NULL REFERENCES leaderboards (id),
    period_key      VARCHAR(20)    NOT NULL DEFAULT 'all',
    tenant_id       UUID           NOT NULL REFERENCES tenants (id),
    user_id         VARCHAR(128),
    score           DECIMAL(15,2)  NOT NULL DEFAULT 0.00,
    score_data      JSONB,
    score_reached_at TIMESTAMPTZ   NOT NULL DEFAULT now(),
    rank_position   INTEGER,
    previous_rank   INTEGER,
    display_name    VARCHAR(255),
    avatar_url      VARCHAR(500),
    last_activity   TIMESTAMPTZ    NOT NULL DEFAULT now(),
    created_at      TIMESTAMPTZ    NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ    NOT NULL DEFAULT now()
);
/* [jooq ignore start] */
CREATE UNIQUE INDEX leaderboard_entries_subject ON leaderboard_entries
    (tenant_id, leaderboard_id, period_key, user_id) NULLS NOT DISTINCT;
/* [jooq ignore stop] */
CREATE INDEX leaderboard_entries_rank ON leaderboard_entries (leaderboard_id, period_key, score DESC, score_reached_at);

-- ---------------------------------------------------------------------------------------------
-- Showcases (seed 1.1)
-- ---------------------------------------------------------------------------------------------
CREATE TABLE showcase_portfolios (
    id                 UUID          NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id          UUID          NOT NULL REFERENCES tenants (id),
    user_id            VARCHAR(128),
    portfolio_name     VARCHAR(255)  NOT NULL,
    platform           VARCHAR(50)   NOT NULL REFERENCES platforms (name),
    description        TEXT,
    visibility         VARCHAR(50)   NOT NULL DEFAULT 'public',
    featured_metrics   JSONB,
    case_studies       JSONB,
    testimonials       JSONB,
    social_proof_data  JSONB,
    custom_branding    JSONB,
    seo_data           JSONB,
    status             VARCHAR(50)   NOT NULL DEFAULT 'active',
    published_at       TIMESTAMPTZ,
    created_at         TIMESTAMPTZ   NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ   NOT NULL DEFAULT now(),
    CONSTRAINT showcase_portfolios_visibility CHECK (visibility IN ('public', 'private', 'unlisted')),
    CONSTRAINT showcase_portfolios_status CHECK (status IN ('active', 'draft', 'archived')),
    CONSTRAINT showcase_portfolios_tenant_id UNIQUE (tenant_id, id)
);
CREATE INDEX showcase_portfolios_tenant ON showcase_portfolios (tenant_id, created_at);

CREATE TABLE portfolio_metrics (
    id                   UUID           NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id            UUID           NOT NULL,
    portfolio_id         UUID           NOT NULL,
    metric_name          VARCHAR(255)   NOT NULL,
    metric_value         DECIMAL(15,2),
    metric_unit          VARCHAR(50),
    time_period          VARCHAR(100),
    comparison_baseline  DECIMAL(15,2),
    data_source          VARCHAR(255),
    verification_status  VARCHAR(50)    NOT NULL DEFAULT 'unverified',
    display_order        INTEGER        NOT NULL DEFAULT 0,
    created_at           TIMESTAMPTZ    NOT NULL DEFAULT now(),
    FOREIGN KEY (tenant_id, portfolio_id) REFERENCES showcase_portfolios (tenant_id, id),
    CONSTRAINT portfolio_metrics_unit CHECK (metric_unit IS NULL OR metric_unit IN ('percentage', 'currency', 'count', 'ratio')),
    CONSTRAINT portfolio_metrics_verification CHECK (verification_status IN ('unverified', 'verified', 'rejected'))
);
CREATE INDEX portfolio_metrics_portfolio ON portfolio_metrics (tenant_id, portfolio_id, display_order);

CREATE TABLE social_shares (
    id                  UUID           NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id           UUID           NOT NULL REFERENCES tenants (id),
    content_type        VARCHAR(100)   NOT NULL,
    content_id          UUID           NOT NULL,
    platform            VARCHAR(50)    NOT NULL,
    share_url           VARCHAR(1000),
    engagement_metrics  JSONB,
    created_at          TIMESTAMPTZ    NOT NULL DEFAULT now(),
    CONSTRAINT social_shares_content_type CHECK (content_type IN ('achievement', 'portfolio', 'leaderboard_rank')),
    CONSTRAINT social_shares_platform CHECK (platform IN ('twitter', 'linkedin', 'facebook', 'instagram'))
);
CREATE INDEX social_shares_content ON social_shares (tenant_id, content_type, content_id);

-- ---------------------------------------------------------------------------------------------
-- Event log (seed 1.1): what happened, with the fact and rule that caused it.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE gamification_events (
    id          UUID          NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id   UUID          NOT NULL REFERENCES tenants (id),
    user_id     VARCHAR(128),
    event_type  VARCHAR(100)  NOT NULL,
    event_data  JSONB         NOT NULL,
    platform    VARCHAR(50),
    session_id  VARCHAR(255),
    fact_id     VARCHAR(128),
    rule_name   VARCHAR(255),
    "timestamp" TIMESTAMPTZ   NOT NULL DEFAULT now()
);
CREATE INDEX gamification_events_tenant_time ON gamification_events (tenant_id, "timestamp");
CREATE INDEX gamification_events_tenant_type ON gamification_events (tenant_id, event_type, "timestamp");

/* [jooq ignore start] */
-- ---------------------------------------------------------------------------------------------
-- Tenant scoping. The service runs as thrillring_app, which owns nothing and cannot bypass RLS.
-- Each transaction sets app.tenant_id (set_config(..., true)); a query that forgets it sees nothing.
-- ---------------------------------------------------------------------------------------------
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'thrillring_app') THEN
        CREATE ROLE thrillring_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
    -- Lets an owner without a separate app login switch to the app role (SET ROLE).
    EXECUTE format('GRANT thrillring_app TO %I', current_user);
END $$;

CREATE FUNCTION current_tenant() RETURNS UUID
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;

DO $$
DECLARE t text;
BEGIN
    -- Tables whose every row belongs to one tenant.
    FOREACH t IN ARRAY ARRAY['tenants', 'api_keys', 'facts', 'decisions', 'rule_set_versions',
        'rule_set_resources', 'referral_programs', 'referral_codes', 'referral_conversions',
        'tenant_achievements', 'leaderboard_entries', 'showcase_portfolios', 'portfolio_metrics',
        'social_shares', 'gamification_events']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (%s = current_tenant()) WITH CHECK (%s = current_tenant())',
                       t, CASE WHEN t = 'tenants' THEN 'id' ELSE 'tenant_id' END,
                          CASE WHEN t = 'tenants' THEN 'id' ELSE 'tenant_id' END);
    END LOOP;
    -- Catalogue tables: platform rows (tenant_id NULL) are readable by every tenant; a tenant
    -- reads and writes only its own custom rows.
    FOREACH t IN ARRAY ARRAY['achievement_categories', 'achievements', 'leaderboards']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY catalogue_read ON %I FOR SELECT USING (tenant_id IS NULL OR tenant_id = current_tenant())', t);
        EXECUTE format('CREATE POLICY tenant_write ON %I FOR ALL USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant())', t);
    END LOOP;
END $$;

GRANT USAGE ON SCHEMA public TO thrillring_app;
GRANT SELECT ON platforms TO thrillring_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON
    tenants, api_keys, rule_set_versions, rule_set_resources, referral_programs, referral_codes,
    referral_conversions, achievement_categories, achievements, tenant_achievements, leaderboards,
    leaderboard_entries, showcase_portfolios, portfolio_metrics, social_shares
    TO thrillring_app;
-- Facts, decisions and the event log are append-only for the service.
GRANT SELECT, INSERT ON facts, decisions, gamification_events TO thrillring_app;

-- Authentication happens before the tenant is known: this owner-rights function is the one way
-- to resolve a key hash, and it reveals nothing but the key's own tenant and role.
CREATE FUNCTION api_key_principal(p_key_hash VARCHAR)
    RETURNS TABLE (key_id UUID, tenant_id UUID, role VARCHAR, platform VARCHAR)
    LANGUAGE sql SECURITY DEFINER SET search_path = public
    AS $$
        UPDATE api_keys k SET last_used_at = now()
         WHERE k.key_hash = p_key_hash AND k.revoked_at IS NULL
           AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute');
        SELECT k.id, k.tenant_id, k.role, t.platform
          FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
         WHERE k.key_hash = p_key_hash AND k.revoked_at IS NULL AND t.status = 'active';
    $$;
REVOKE ALL ON FUNCTION api_key_principal(VARCHAR) FROM PUBLIC;
-- FORCE applies RLS to the owner too; the owner (the migrating role) keeps access to what
-- api_key_principal reads. It could lift RLS anyway; only thrillring_app is confined.
DO $$
BEGIN
    EXECUTE format('CREATE POLICY owner_access ON api_keys TO %I USING (true) WITH CHECK (true)', current_user);
    EXECUTE format('CREATE POLICY owner_access ON tenants TO %I USING (true) WITH CHECK (true)', current_user);
END $$;
GRANT EXECUTE ON FUNCTION api_key_principal(VARCHAR) TO thrillring_app;
/* [jooq ignore stop] */
