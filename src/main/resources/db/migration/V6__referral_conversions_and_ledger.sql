-- Conversions with the signals the service computed, the review trail, and the reward ledger.

ALTER TABLE referral_codes ADD COLUMN referrer_ip VARCHAR(45);
ALTER TABLE referral_codes ADD COLUMN referrer_device VARCHAR(128);

ALTER TABLE referral_conversions ADD COLUMN click_id UUID;
ALTER TABLE referral_conversions ADD COLUMN referrer_user_id VARCHAR(128);
ALTER TABLE referral_conversions ADD COLUMN referee_email VARCHAR(320);
ALTER TABLE referral_conversions ADD COLUMN ip_address VARCHAR(45);
ALTER TABLE referral_conversions ADD COLUMN device_fingerprint VARCHAR(128);
ALTER TABLE referral_conversions ADD COLUMN signals JSONB;
ALTER TABLE referral_conversions ADD COLUMN fraud_reasons JSONB;
ALTER TABLE referral_conversions ADD COLUMN rewards JSONB;
ALTER TABLE referral_conversions ADD COLUMN review_note TEXT;
ALTER TABLE referral_conversions ADD COLUMN reviewed_by VARCHAR(100);
CREATE INDEX referral_conversions_referrer ON referral_conversions (tenant_id, program_id, referrer_user_id, created_at);

-- Append-only: a reward is 'pending' (with its amount) until its hold ends, then 'granted', then
-- 'paid'; a refund adds 'voided' (before payout) or 'clawback' (after), both with the negative
-- amount. Rows are never updated.
CREATE TABLE reward_ledger (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id        UUID           NOT NULL REFERENCES tenants (id),
    reward_id        UUID           NOT NULL,
    conversion_id    UUID           NOT NULL REFERENCES referral_conversions (id),
    party            VARCHAR(20)    NOT NULL,
    beneficiary      VARCHAR(128),
    tier             VARCHAR(100),
    entry_type       VARCHAR(20)    NOT NULL,
    amount           DECIMAL(12,2)  NOT NULL,
    available_at     TIMESTAMPTZ,
    note             VARCHAR(500),
    created_at       TIMESTAMPTZ    NOT NULL DEFAULT now(),
    CONSTRAINT reward_ledger_party CHECK (party IN ('referrer', 'referee')),
    CONSTRAINT reward_ledger_entry CHECK (entry_type IN ('pending', 'granted', 'paid', 'voided', 'clawback')),
    CONSTRAINT reward_ledger_sign CHECK ((entry_type = 'pending' AND amount >= 0) OR (entry_type IN ('voided', 'clawback') AND amount <= 0)
                                         OR (entry_type IN ('granted', 'paid') AND amount = 0))
);
CREATE INDEX reward_ledger_reward ON reward_ledger (tenant_id, reward_id, id);
CREATE INDEX reward_ledger_beneficiary ON reward_ledger (tenant_id, beneficiary, created_at);
/* [jooq ignore start] */
CREATE UNIQUE INDEX reward_ledger_once ON reward_ledger (tenant_id, reward_id, entry_type);
ALTER TABLE reward_ledger ENABLE ROW LEVEL SECURITY;
ALTER TABLE reward_ledger FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON reward_ledger USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
DO $$ BEGIN
    EXECUTE format('CREATE POLICY owner_access ON reward_ledger TO %I USING (true) WITH CHECK (true)', current_user);
END $$;
GRANT SELECT, INSERT ON reward_ledger TO thrillring_app;
/* [jooq ignore stop] */
