-- An API key may be bound to one end user of its tenant (issue 17): requests made with it that
-- name no user_id are about that user, as a JWT's sub is. NULL: a service's key, bound to nobody.
ALTER TABLE api_keys ADD COLUMN user_id VARCHAR(128);

/* [jooq ignore start] */
-- The lookup returns the bound user too (a function's result columns cannot change in place).
DROP FUNCTION api_key_principal(VARCHAR);
CREATE FUNCTION api_key_principal(p_key_hash VARCHAR)
    RETURNS TABLE (key_id UUID, tenant_id UUID, role VARCHAR, platform VARCHAR, user_id VARCHAR)
    LANGUAGE sql SECURITY DEFINER SET search_path = public
    AS $$
        UPDATE api_keys k SET last_used_at = now()
         WHERE k.key_hash = p_key_hash AND k.revoked_at IS NULL
           AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute');
        SELECT k.id, k.tenant_id, k.role, t.platform, k.user_id
          FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
         WHERE k.key_hash = p_key_hash AND k.revoked_at IS NULL AND t.status = 'active';
    $$;
REVOKE ALL ON FUNCTION api_key_principal(VARCHAR) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api_key_principal(VARCHAR) TO thrillring_app;
/* [jooq ignore stop] */
