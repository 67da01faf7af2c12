-- One upsert per fact for every board it scores on: a fact's score outcomes are summed per board
-- period first, and the per-rule breakdown of the stored entry is merged with the new one here.
/* [jooq ignore start] */
CREATE FUNCTION jsonb_add_numbers(a JSONB, b JSONB)
    RETURNS JSONB
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT coalesce(a, '{}'::jsonb) || coalesce(
            (SELECT jsonb_object_agg(k, coalesce((a ->> k)::numeric, 0) + (b ->> k)::numeric) FROM jsonb_object_keys(b) AS k),
            '{}'::jsonb);
    $$;
/* [jooq ignore stop] */
