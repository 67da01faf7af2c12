-- Referral tracking the service records itself: clicks on share links, with the signals it saw.
-- (Signups, conversions' computed signals and the reward ledger follow with the rest of the
-- referrals issue.)

CREATE TABLE referral_clicks (
    id                  UUID          NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    tenant_id           UUID          NOT NULL REFERENCES tenants (id),
    referral_code_id    UUID          NOT NULL,
    ip_address          VARCHAR(45),
    user_agent          VARCHAR(500),
    device_fingerprint  VARCHAR(128),
    clicked_at          TIMESTAMPTZ   NOT NULL DEFAULT now(),
    FOREIGN KEY (tenant_id, referral_code_id) REFERENCES referral_codes (tenant_id, id)
);
CREATE INDEX referral_clicks_code ON referral_clicks (tenant_id, referral_code_id, clicked_at);

ALTER TABLE referral_programs ADD COLUMN landing_url VARCHAR(1000);

/* [jooq ignore start] */
ALTER TABLE referral_clicks ENABLE ROW LEVEL SECURITY;
ALTER TABLE referral_clicks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON referral_clicks USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
DO $$ BEGIN
    EXECUTE format('CREATE POLICY owner_access ON referral_clicks TO %I USING (true) WITH CHECK (true)', current_user);
END $$;
GRANT SELECT, INSERT ON referral_clicks TO thrillring_app;

-- A share link names a code, not a tenant: this owner-rights function is the one way to find the
-- code's tenant before the tenant scope is known, and it reveals nothing else.
CREATE FUNCTION referral_code_tenant(p_code VARCHAR)
    RETURNS UUID
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$ SELECT tenant_id FROM referral_codes WHERE upper(code) = upper(p_code) $$;
REVOKE ALL ON FUNCTION referral_code_tenant(VARCHAR) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION referral_code_tenant(VARCHAR) TO thrillring_app;
/* [jooq ignore stop] */

-- A code may carry its own reward settings (the seed's custom_rewards).
ALTER TABLE referral_codes ADD COLUMN custom_rewards JSONB;
