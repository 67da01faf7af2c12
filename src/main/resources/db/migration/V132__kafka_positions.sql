-- Publishing the event log to Kafka (issue 13): per tenant, the position of the last event the
-- brokers acknowledged. A tenant's row is locked (FOR UPDATE SKIP LOCKED) for as long as one node
-- publishes the next events, so two nodes never publish one tenant at once, and it moves only after
-- the acknowledgement: a restart resumes from it (docs/decisions.md, "Kafka").
CREATE TABLE kafka_positions (
    tenant_id      UUID         NOT NULL PRIMARY KEY REFERENCES tenants (id),
    last_position  BIGINT       NOT NULL,
    published_at   TIMESTAMPTZ  NOT NULL DEFAULT now()
);

/* [jooq ignore start] */
-- Tenant-owned like the webhook cursors: a tenant's transaction sees and moves only its own row.
ALTER TABLE kafka_positions ENABLE ROW LEVEL SECURITY;
ALTER TABLE kafka_positions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON kafka_positions USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
GRANT SELECT, INSERT, UPDATE ON kafka_positions TO thrillring_app;

-- The publisher's one read across tenants: which tenants have events past their published position.
-- It reveals tenant ids only.
CREATE FUNCTION kafka_due_tenants()
    RETURNS TABLE (tenant_id UUID)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$
        SELECT p.tenant_id FROM event_positions p LEFT JOIN kafka_positions k ON k.tenant_id = p.tenant_id
         WHERE coalesce(k.last_position, 0) < p.last_position;
    $$;
REVOKE ALL ON FUNCTION kafka_due_tenants() FROM PUBLIC;
-- FORCE applies RLS to the owner as well: it keeps read access to what that function reads
-- (event_positions has its owner policy since V130).
DO $$
BEGIN
    EXECUTE format('CREATE POLICY owner_access ON kafka_positions TO %I USING (true) WITH CHECK (true)', current_user);
END $$;
GRANT EXECUTE ON FUNCTION kafka_due_tenants() TO thrillring_app;
/* [jooq ignore stop] */
