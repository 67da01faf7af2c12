-- Retention of the webhook outbox: delivered messages and attempts older than the kept period,
-- and dead letters older than theirs, are deleted in batches by the dispatcher. The service may
-- not delete attempts (the delivery log is append-only for it), so it runs this owner-rights
-- function, which deletes only by age and status and reveals nothing but a count.
/* [jooq ignore start] */
CREATE INDEX webhook_messages_delivered ON webhook_messages (delivered_at) WHERE status = 'delivered';
CREATE INDEX webhook_attempts_at ON webhook_attempts (at);
DO $$
BEGIN
    EXECUTE format('CREATE POLICY owner_access ON webhook_attempts TO %I USING (true) WITH CHECK (true)', current_user);
END $$;
CREATE FUNCTION webhook_prune(keep_delivered INTERVAL, keep_dead INTERVAL, batch INTEGER)
    RETURNS INTEGER
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public
    AS $$
    DECLARE
        attempts INTEGER;
        messages INTEGER;
    BEGIN
        IF keep_delivered < interval '1 hour' OR keep_dead < interval '1 hour' OR batch < 1 THEN
            RAISE EXCEPTION 'webhook_prune keeps at least an hour and deletes at least one row';
        END IF;
        -- Attempts of messages still pending are kept whatever their age: they explain the retries.
        DELETE FROM webhook_attempts WHERE id IN (
            SELECT a.id FROM webhook_attempts a JOIN webhook_messages m ON m.id = a.message_id
             WHERE a.at < now() - keep_delivered AND m.status <> 'pending' LIMIT batch);
        GET DIAGNOSTICS attempts = ROW_COUNT;
        DELETE FROM webhook_messages WHERE id IN (
            SELECT id FROM webhook_messages
             WHERE (status = 'delivered' AND delivered_at < now() - keep_delivered)
                OR (status = 'dead' AND next_attempt_at < now() - keep_dead)
             LIMIT batch);
        GET DIAGNOSTICS messages = ROW_COUNT;
        RETURN attempts + messages;
    END;
    $$;
REVOKE ALL ON FUNCTION webhook_prune(INTERVAL, INTERVAL, INTEGER) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook_prune(INTERVAL, INTERVAL, INTEGER) TO thrillring_app;
/* [jooq ignore stop] */
