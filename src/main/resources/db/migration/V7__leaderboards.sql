-- Leaderboards: shipped boards per platform, entries per period bucket (nothing is reset), tenant
-- privacy choices, and one owner-rights function that reads a board across tenants with privacy
-- applied (a tenant's key may see other tenants' entries only through it).

CREATE TABLE leaderboard_privacy (
    tenant_id     UUID          NOT NULL PRIMARY KEY REFERENCES tenants (id),
    opted_in      BOOLEAN       NOT NULL DEFAULT FALSE,
    display_name  VARCHAR(100),
    updated_at    TIMESTAMPTZ   NOT NULL DEFAULT now()
);

INSERT INTO leaderboards (leaderboard_key, leaderboard_name, platform, leaderboard_type, scoring_criteria, time_period, visibility)
SELECT b.key, b.name, p.name, b.type, b.criteria::jsonb, b.period, b.visibility
  FROM platforms p CROSS JOIN (VALUES
    ('performance', 'Performance this week', 'platform', '{"source": "performance"}', 'weekly', 'public'),
    ('growth', 'Growth this month', 'platform', '{"source": "growth"}', 'monthly', 'public'),
    ('engagement', 'Engagement today', 'platform', '{"source": "engagement"}', 'daily', 'public'),
    ('industry', 'Performance in your industry this week', 'industry', '{"source": "performance"}', 'weekly', 'opt_in'),
    ('all-time', 'Performance of all time', 'global', '{"source": "performance"}', 'all_time', 'public')
  ) AS b(key, name, type, criteria, period, visibility);

/* [jooq ignore start] */
ALTER TABLE leaderboard_privacy ENABLE ROW LEVEL SECURITY;
ALTER TABLE leaderboard_privacy FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON leaderboard_privacy USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
DO $$ BEGIN
    EXECUTE format('CREATE POLICY owner_access ON leaderboard_privacy TO %I USING (true) WITH CHECK (true)', current_user);
END $$;
GRANT SELECT, INSERT, UPDATE ON leaderboard_privacy TO thrillring_app;

-- One board's standings in one period: rank (score, then who reached it first, then subject),
-- with names per privacy: public boards show opted-in tenants by name and others by a stable
-- pseudonym; opt-in boards show only opted-in tenants; an industry board only the industry's.
CREATE FUNCTION leaderboard_standings(p_board UUID, p_period VARCHAR, p_industry VARCHAR)
    RETURNS TABLE (rank BIGINT, tenant_id UUID, user_id VARCHAR, display_name VARCHAR, score NUMERIC, score_reached_at TIMESTAMPTZ)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$
        SELECT row_number() OVER (ORDER BY e.score DESC, e.score_reached_at, e.tenant_id, e.user_id NULLS FIRST),
               e.tenant_id, e.user_id,
               CASE WHEN coalesce(pv.opted_in, false) OR b.visibility = 'private'
                    THEN coalesce(pv.display_name, t.name) || coalesce(' · ' || e.user_id, '')
                    ELSE 'Player ' || upper(substr(md5(e.tenant_id::text || coalesce(e.user_id, '') || b.id::text), 1, 6)) END,
               e.score, e.score_reached_at
          FROM leaderboard_entries e
          JOIN leaderboards b ON b.id = e.leaderboard_id
          JOIN tenants t ON t.id = e.tenant_id
          LEFT JOIN leaderboard_privacy pv ON pv.tenant_id = e.tenant_id
         WHERE e.leaderboard_id = p_board AND e.period_key = p_period
           AND (b.visibility <> 'opt_in' OR coalesce(pv.opted_in, false))
           AND (p_industry IS NULL OR t.industry = p_industry)
           AND (b.tenant_id IS NULL OR b.tenant_id = current_tenant())
    $$;
REVOKE ALL ON FUNCTION leaderboard_standings(UUID, VARCHAR, VARCHAR) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard_standings(UUID, VARCHAR, VARCHAR) TO thrillring_app;

-- The names opted-in tenants chose, for standings read from the in-memory rank index.
CREATE FUNCTION leaderboard_shown_names(p_tenants UUID[])
    RETURNS TABLE (tenant_id UUID, shown_name VARCHAR)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$
        SELECT t.id, coalesce(pv.display_name, t.name)::varchar
          FROM tenants t JOIN leaderboard_privacy pv ON pv.tenant_id = t.id
         WHERE t.id = ANY (p_tenants) AND pv.opted_in
    $$;
REVOKE ALL ON FUNCTION leaderboard_shown_names(UUID[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION leaderboard_shown_names(UUID[]) TO thrillring_app;
/* [jooq ignore stop] */
