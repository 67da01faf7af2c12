-- Analytics rollup: one row per tenant, user and UTC day with at least one decided fact, written
-- by the decision path (ON CONFLICT DO NOTHING). Active users, retention cohorts and activity
-- counts read this instead of the facts: a 30-day window touches users x days rows, not facts.
CREATE TABLE analytics_user_days (
    tenant_id   UUID          NOT NULL REFERENCES tenants (id),
    user_id     VARCHAR(128)  NOT NULL,
    day         DATE          NOT NULL,
    facts       INTEGER       NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, day, user_id)
);
CREATE INDEX analytics_user_days_user ON analytics_user_days (tenant_id, user_id, day);

-- Each user's first active day (facts may arrive late: the earliest wins), for retention cohorts.
CREATE TABLE analytics_user_first_days (
    tenant_id   UUID          NOT NULL REFERENCES tenants (id),
    user_id     VARCHAR(128)  NOT NULL,
    first_day   DATE          NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX analytics_user_first_days_day ON analytics_user_first_days (tenant_id, first_day);

/* [jooq ignore start] */
ALTER TABLE analytics_user_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_user_days FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON analytics_user_days USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
DO $$ BEGIN
    EXECUTE format('CREATE POLICY owner_access ON analytics_user_days TO %I USING (true) WITH CHECK (true)', current_user);
END $$;
GRANT SELECT, INSERT, UPDATE ON analytics_user_days TO thrillring_app;
ALTER TABLE analytics_user_first_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_user_first_days FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON analytics_user_first_days USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
DO $$ BEGIN
    EXECUTE format('CREATE POLICY owner_access ON analytics_user_first_days TO %I USING (true) WITH CHECK (true)', current_user);
END $$;
GRANT SELECT, INSERT, UPDATE ON analytics_user_first_days TO thrillring_app;

-- Users active before the rollup existed: from the facts already decided.
INSERT INTO analytics_user_days (tenant_id, user_id, day, facts)
SELECT tenant_id, user_id, (occurred_at AT TIME ZONE 'UTC')::date, count(*)
  FROM facts WHERE user_id IS NOT NULL GROUP BY 1, 2, 3;
INSERT INTO analytics_user_first_days (tenant_id, user_id, first_day)
SELECT tenant_id, user_id, min(day) FROM analytics_user_days GROUP BY 1, 2;
/* [jooq ignore stop] */
