-- Webhooks (issue 13): endpoints, a cursor per endpoint and tenant into the event log (the
-- outbox), one message per endpoint and event, and every attempt to deliver it.
-- A tenant's endpoint has its tenant_id; a platform-wide endpoint has tenant_id NULL and receives
-- the events of every tenant of its platform.
CREATE TABLE webhook_endpoints (
    id                     UUID          NOT NULL PRIMARY KEY,
    tenant_id              UUID          REFERENCES tenants (id),
    platform               VARCHAR(50)   NOT NULL,
    url                    VARCHAR(2000) NOT NULL,
    description            VARCHAR(500),
    event_types            JSONB         NOT NULL,
    rate_limit_per_second  INTEGER,
    fifo                   BOOLEAN       NOT NULL DEFAULT FALSE,
    status                 VARCHAR(20)   NOT NULL,
    disabled_reason        VARCHAR(200),
    secret                 VARCHAR(200)  NOT NULL,
    previous_secret        VARCHAR(200),
    previous_secret_until  TIMESTAMPTZ,
    failing_since          TIMESTAMPTZ,
    created_at             TIMESTAMPTZ   NOT NULL DEFAULT now(),
    updated_at             TIMESTAMPTZ   NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id);

-- How far in a tenant's event log an endpoint has turned events into messages.
CREATE TABLE webhook_cursors (
    tenant_id      UUID    NOT NULL REFERENCES tenants (id),
    endpoint_id    UUID    NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    last_position  BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, endpoint_id)
);

-- One message per endpoint and event: its webhook-id is stable across every attempt.
CREATE TABLE webhook_messages (
    id               UUID          NOT NULL PRIMARY KEY,
    tenant_id        UUID          NOT NULL REFERENCES tenants (id),
    endpoint_id      UUID          NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    webhook_id       VARCHAR(64)   NOT NULL,
    event_id         UUID,
    event_position   BIGINT,
    type             VARCHAR(100)  NOT NULL,
    body             TEXT          NOT NULL,
    status           VARCHAR(20)   NOT NULL,
    attempts         INTEGER       NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ   NOT NULL,
    last_status      INTEGER,
    last_error       VARCHAR(500),
    created_at       TIMESTAMPTZ   NOT NULL DEFAULT now(),
    committed_at     TIMESTAMPTZ   NOT NULL DEFAULT now(),
    delivered_at     TIMESTAMPTZ,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_messages_due ON webhook_messages (tenant_id, endpoint_id, next_attempt_at);
CREATE INDEX webhook_messages_endpoint_status ON webhook_messages (endpoint_id, status, created_at);

CREATE TABLE webhook_attempts (
    id                UUID          NOT NULL PRIMARY KEY,
    tenant_id         UUID          NOT NULL REFERENCES tenants (id),
    endpoint_id       UUID          NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    message_id        UUID          NOT NULL REFERENCES webhook_messages (id) ON DELETE CASCADE,
    attempt           INTEGER       NOT NULL,
    outcome           VARCHAR(20)   NOT NULL,
    status_code       INTEGER,
    latency_ms        INTEGER       NOT NULL,
    response_excerpt  VARCHAR(500),
    error             VARCHAR(500),
    at                TIMESTAMPTZ   NOT NULL DEFAULT now()
);
CREATE INDEX webhook_attempts_endpoint_time ON webhook_attempts (endpoint_id, at);

/* [jooq ignore start] */
CREATE INDEX webhook_messages_pending ON webhook_messages (next_attempt_at) WHERE status = 'pending';

-- A tenant's transaction sees its own endpoints and, read-only, its platform's endpoints (it
-- delivers to them); only a transaction without a tenant (a platform admin's) writes those.
ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_endpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_endpoints USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY platform_read ON webhook_endpoints FOR SELECT
    USING (tenant_id IS NULL AND (current_tenant() IS NULL
           OR platform = (SELECT t.platform FROM tenants t WHERE t.id = current_tenant())));
CREATE POLICY platform_write ON webhook_endpoints FOR ALL
    USING (tenant_id IS NULL AND current_tenant() IS NULL) WITH CHECK (tenant_id IS NULL AND current_tenant() IS NULL);
ALTER TABLE webhook_cursors ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_cursors FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_cursors USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
ALTER TABLE webhook_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_messages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_messages USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
ALTER TABLE webhook_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_attempts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_attempts USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_endpoints, webhook_cursors, webhook_messages TO thrillring_app;
-- The delivery log is append-only for the service.
GRANT SELECT, INSERT ON webhook_attempts TO thrillring_app;

-- The dispatcher's one read across tenants: which tenants have webhook work now (due messages,
-- or events past an active endpoint's cursor). It reveals tenant ids only.
CREATE FUNCTION webhook_due_tenants()
    RETURNS TABLE (tenant_id UUID)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$
        SELECT m.tenant_id FROM webhook_messages m JOIN webhook_endpoints e ON e.id = m.endpoint_id
         WHERE m.status = 'pending' AND m.next_attempt_at <= now() AND e.status = 'active'
        UNION
        SELECT p.tenant_id FROM event_positions p JOIN tenants t ON t.id = p.tenant_id
          JOIN webhook_endpoints e ON e.status = 'active'
               AND (e.tenant_id = p.tenant_id OR (e.tenant_id IS NULL AND e.platform = t.platform))
          LEFT JOIN webhook_cursors c ON c.endpoint_id = e.id AND c.tenant_id = p.tenant_id
         WHERE coalesce(c.last_position, 0) < p.last_position;
    $$;
REVOKE ALL ON FUNCTION webhook_due_tenants() FROM PUBLIC;
-- FORCE applies RLS to the owner as well: it keeps read access to what that function reads.
DO $$
BEGIN
    EXECUTE format('CREATE POLICY owner_access ON webhook_endpoints TO %I USING (true) WITH CHECK (true)', current_user);
    EXECUTE format('CREATE POLICY owner_access ON webhook_cursors TO %I USING (true) WITH CHECK (true)', current_user);
    EXECUTE format('CREATE POLICY owner_access ON webhook_messages TO %I USING (true) WITH CHECK (true)', current_user);
    EXECUTE format('CREATE POLICY owner_access ON event_positions TO %I USING (true) WITH CHECK (true)', current_user);
END $$;
GRANT EXECUTE ON FUNCTION webhook_due_tenants() TO thrillring_app;
/* [jooq ignore stop] */
