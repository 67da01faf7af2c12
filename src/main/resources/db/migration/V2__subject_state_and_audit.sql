-- Subject state the rules see (metrics per period bucket) and the audit log of administrative changes.

CREATE TABLE subject_metrics (
    tenant_id   UUID              NOT NULL REFERENCES tenants (id),
    -- '' is the tenant as a whole; otherwise the platform's user id.
    user_id     VARCHAR(128)      NOT NULL,
    metric      VARCHAR(100)      NOT NULL,
    -- 'all', a day '2026-11-24', an ISO week '2026-W48' or a month '2026-11' (UTC).
    period_key  VARCHAR(12)       NOT NULL,
    value       DOUBLE PRECISION  NOT NULL,
    updated_at  TIMESTAMPTZ       NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id, metric, period_key)
);

CREATE TABLE audit_log (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   UUID          NOT NULL REFERENCES tenants (id),
    actor       VARCHAR(100)  NOT NULL,
    action      VARCHAR(100)  NOT NULL,
    target      VARCHAR(255)  NOT NULL,
    before      JSONB,
    after       JSONB,
    at          TIMESTAMPTZ   NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_tenant_time ON audit_log (tenant_id, at);

/* [jooq ignore start] */
ALTER TABLE subject_metrics ENABLE ROW LEVEL SECURITY;
ALTER TABLE subject_metrics FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON subject_metrics USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());

GRANT SELECT, INSERT, UPDATE ON subject_metrics TO thrillring_app;
-- The audit log is append-only for the service.
GRANT SELECT, INSERT ON audit_log TO thrillring_app;
/* [jooq ignore stop] */
