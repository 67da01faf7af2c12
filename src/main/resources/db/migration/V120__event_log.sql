-- The ordered event log (issue 12), which is also the transactional outbox. Every event is
-- written in the transaction of the state it describes and carries a per-tenant position.
-- Positions come from a per-tenant counter row. A transaction updates that row at its very end,
-- which takes the row lock, and holds the lock until it commits. So the positions of one tenant
-- are handed out in commit order, with no gaps: a reader that pages by position never skips an
-- event that commits later with a smaller number (docs/decisions.md).
CREATE TABLE events (
    tenant_id    UUID          NOT NULL REFERENCES tenants (id),
    position     BIGINT        NOT NULL,
    id           UUID          NOT NULL,
    type         VARCHAR(100)  NOT NULL,
    subject      VARCHAR(128),
    occurred_at  TIMESTAMPTZ   NOT NULL,
    data         JSONB         NOT NULL,
    PRIMARY KEY (tenant_id, position),
    UNIQUE (id)
);

CREATE TABLE event_positions (
    tenant_id      UUID    NOT NULL PRIMARY KEY REFERENCES tenants (id),
    last_position  BIGINT  NOT NULL
);

/* [jooq ignore start] */
-- The old log had three column sets. Its rows move here in the order they were written.
INSERT INTO events (tenant_id, position, id, type, subject, occurred_at, data)
SELECT tenant_id, row_number() OVER (PARTITION BY tenant_id ORDER BY "timestamp", id), id, event_type, user_id, "timestamp",
       event_data || jsonb_strip_nulls(jsonb_build_object('platform', platform, 'fact_id', fact_id, 'rule', rule_name))
FROM gamification_events;
INSERT INTO event_positions (tenant_id, last_position)
SELECT tenant_id, max(position) FROM events GROUP BY tenant_id;

ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON events USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
ALTER TABLE event_positions ENABLE ROW LEVEL SECURITY;
ALTER TABLE event_positions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON event_positions USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
-- The log is append-only for the service; the counter is updated in place.
GRANT SELECT, INSERT ON events TO thrillring_app;
GRANT SELECT, INSERT, UPDATE ON event_positions TO thrillring_app;
/* [jooq ignore stop] */

DROP TABLE gamification_events;
