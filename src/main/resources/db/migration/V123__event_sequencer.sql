-- Event positions are given after commit, by a sequencer, instead of by a counter row that every
-- writer locked from its last statement until its commit (issue 12). That lock made one tenant's
-- transactions commit one at a time, each waiting for the previous one's WAL flush.
--
-- A writer now inserts its events without a position; PostgreSQL records its transaction id
-- (xact) and the insertion order (seq). The sequencer gives positions, in (xact, seq) order, only
-- to events of transactions older than the oldest one still running (the snapshot's xmin): those
-- have all ended, so no event can still commit behind a position already given, and a reader that
-- pages by position never skips one (docs/decisions.md). Sequencers of one tenant take turns on
-- an advisory lock; the counter row keeps the tenant's last position.
/* [jooq ignore start] */
ALTER TABLE events DROP CONSTRAINT events_pkey;
ALTER TABLE events ALTER COLUMN position DROP NOT NULL;
ALTER TABLE events ADD COLUMN xact xid8 DEFAULT pg_current_xact_id();
ALTER TABLE events ADD COLUMN seq BIGINT GENERATED ALWAYS AS IDENTITY;
CREATE UNIQUE INDEX events_position ON events (tenant_id, position);
CREATE INDEX events_unsequenced ON events (tenant_id, xact, seq) WHERE position IS NULL;
-- Append-only still, but for the position the sequencer fills in.
GRANT UPDATE (position) ON events TO thrillring_app;

-- FORCE applies RLS to the owner too; the function below reads as the owner.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE tablename = 'events' AND policyname = 'owner_access') THEN
        EXECUTE format('CREATE POLICY owner_access ON events TO %I USING (true) WITH CHECK (true)', current_user);
    END IF;
END $$;

-- The sequencer's one read across tenants: which tenants have events without a position.
CREATE FUNCTION events_unsequenced_tenants()
    RETURNS TABLE (tenant_id UUID)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$ SELECT DISTINCT e.tenant_id FROM events e WHERE e.position IS NULL $$;
REVOKE ALL ON FUNCTION events_unsequenced_tenants() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION events_unsequenced_tenants() TO thrillring_app;
/* [jooq ignore stop] */
