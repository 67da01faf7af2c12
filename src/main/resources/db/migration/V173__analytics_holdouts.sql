-- A tenant's deterministic holdout (issue 17): a share of its users, chosen by a hash of tenant
-- and user id, meant to get no rewards or notifications, so that analytics can compare them with
-- everyone else (a true lift). started_on bounds the comparison to users first seen since then.
CREATE TABLE analytics_holdouts (
    tenant_id   UUID          NOT NULL PRIMARY KEY REFERENCES tenants (id),
    share       NUMERIC(5,4)  NOT NULL,
    started_on  DATE          NOT NULL,
    updated_at  TIMESTAMPTZ   NOT NULL DEFAULT now(),
    CONSTRAINT analytics_holdouts_share CHECK (share > 0 AND share <= 0.5)
);

/* [jooq ignore start] */
ALTER TABLE analytics_holdouts ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_holdouts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON analytics_holdouts USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
DO $$ BEGIN
    EXECUTE format('CREATE POLICY owner_access ON analytics_holdouts TO %I USING (true) WITH CHECK (true)', current_user);
END $$;
GRANT SELECT, INSERT, UPDATE, DELETE ON analytics_holdouts TO thrillring_app;
/* [jooq ignore stop] */
