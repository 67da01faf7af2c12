-- Fraud v2 (issue 18): events carry the time they happened as the platform reports it, with a
-- backfill mark; server-to-server callers may assert the referee's context (kept with its source);
-- signups are recorded on their own, before any conversion.

ALTER TABLE referral_codes ADD COLUMN referrer_email VARCHAR(320);

ALTER TABLE referral_clicks ADD COLUMN backfilled BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE referral_clicks ADD COLUMN received_at TIMESTAMPTZ NOT NULL DEFAULT now();
-- Which of ip/user_agent/device came from the caller's body rather than the connection.
ALTER TABLE referral_clicks ADD COLUMN asserted JSONB;

ALTER TABLE referral_conversions ADD COLUMN occurred_at TIMESTAMPTZ NOT NULL DEFAULT now();
ALTER TABLE referral_conversions ADD COLUMN backfilled BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE referral_conversions ADD COLUMN user_agent VARCHAR(500);
-- Each input the signals used, with where it came from: {"ip": {"value": ..., "source": "caller"}}.
ALTER TABLE referral_conversions ADD COLUMN inputs JSONB;
-- A hash of what the caller sent: the same order id with another body is a conflict.
ALTER TABLE referral_conversions ADD COLUMN request_hash VARCHAR(64);
ALTER TABLE referral_conversions ADD COLUMN signup_id UUID;
/* [jooq ignore start] */
UPDATE referral_conversions SET occurred_at = created_at;
/* [jooq ignore stop] */
CREATE INDEX referral_conversions_occurred ON referral_conversions (tenant_id, program_id, referrer_user_id, occurred_at);
CREATE INDEX referral_conversions_listing ON referral_conversions (tenant_id, created_at, id);

CREATE TABLE referral_signups (
    id                  UUID          NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id           UUID          NOT NULL REFERENCES tenants (id),
    referral_code_id    UUID          NOT NULL,
    program_id          UUID          NOT NULL,
    referrer_user_id    VARCHAR(128),
    referee_user_id     VARCHAR(128)  NOT NULL,
    referee_email       VARCHAR(320),
    click_id            UUID,
    ip_address          VARCHAR(45),
    user_agent          VARCHAR(500),
    device_fingerprint  VARCHAR(128),
    inputs              JSONB,
    occurred_at         TIMESTAMPTZ   NOT NULL,
    backfilled          BOOLEAN       NOT NULL DEFAULT false,
    created_at          TIMESTAMPTZ   NOT NULL DEFAULT now(),
    FOREIGN KEY (tenant_id, referral_code_id) REFERENCES referral_codes (tenant_id, id),
    FOREIGN KEY (tenant_id, program_id) REFERENCES referral_programs (tenant_id, id),
    CONSTRAINT referral_signups_once UNIQUE (tenant_id, program_id, referee_user_id)
);
CREATE INDEX referral_signups_code ON referral_signups (tenant_id, referral_code_id, occurred_at);

/* [jooq ignore start] */
ALTER TABLE referral_signups ENABLE ROW LEVEL SECURITY;
ALTER TABLE referral_signups FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON referral_signups USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
DO $$ BEGIN
    EXECUTE format('CREATE POLICY owner_access ON referral_signups TO %I USING (true) WITH CHECK (true)', current_user);
END $$;
GRANT SELECT, INSERT ON referral_signups TO thrillring_app;
/* [jooq ignore stop] */
