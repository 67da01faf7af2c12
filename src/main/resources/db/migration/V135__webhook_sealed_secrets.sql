-- Webhook secrets are stored sealed (AES-256-GCM with the service's THRILLRING_BADGE_KEY_SECRET,
-- bound to the endpoint's id): a dump, a backup or a stray read yields no secret that can sign.
-- The key lives with the service, so SQL cannot seal: at start the service reads the endpoints
-- still in the clear through the first function (every tenant's, as webhook_endpoints is under
-- forced row-level security) and writes their sealed form through the second, which accepts only
-- sealed values and only while the row still holds what was read.
/* [jooq ignore start] */
CREATE FUNCTION webhook_unsealed_secrets()
    RETURNS TABLE (id UUID, secret VARCHAR, previous_secret VARCHAR)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$
        SELECT e.id, e.secret, e.previous_secret FROM webhook_endpoints e
         WHERE e.secret NOT LIKE 'sealed:v1:%'
            OR (e.previous_secret IS NOT NULL AND e.previous_secret NOT LIKE 'sealed:v1:%');
    $$;
REVOKE ALL ON FUNCTION webhook_unsealed_secrets() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook_unsealed_secrets() TO thrillring_app;

CREATE FUNCTION webhook_seal_secrets(endpoint UUID, was VARCHAR, sealed VARCHAR, previous_was VARCHAR, previous_sealed VARCHAR)
    RETURNS BOOLEAN
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public
    AS $$
    BEGIN
        IF sealed NOT LIKE 'sealed:v1:%' OR (previous_sealed IS NOT NULL AND previous_sealed NOT LIKE 'sealed:v1:%')
           OR (previous_sealed IS NULL) <> (previous_was IS NULL) THEN
            RAISE EXCEPTION 'webhook_seal_secrets stores sealed secrets only';
        END IF;
        UPDATE webhook_endpoints SET secret = sealed, previous_secret = previous_sealed
         WHERE id = endpoint AND secret = was AND previous_secret IS NOT DISTINCT FROM previous_was;
        RETURN FOUND;
    END;
    $$;
REVOKE ALL ON FUNCTION webhook_seal_secrets(UUID, VARCHAR, VARCHAR, VARCHAR, VARCHAR) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook_seal_secrets(UUID, VARCHAR, VARCHAR, VARCHAR, VARCHAR) TO thrillring_app;
/* [jooq ignore stop] */
