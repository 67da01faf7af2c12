-- Which of a user's 128 recent days (as in V174: bit 0 is last_day) had a score on some board,
-- kept by the decision path beside the active days. Leaderboard participation in a window is
-- then one bit count per active user instead of a distinct count over every daily board entry
-- of the window (issue 17: the largest statement of a 30-day answer). Filled from the daily
-- buckets already kept; days outside a user's 128 recent days stay in leaderboard_entries only.
/* [jooq ignore start] */
ALTER TABLE analytics_user_first_days ADD COLUMN scored BIT(128) NOT NULL DEFAULT repeat('0', 128)::bit(128);
WITH s AS (
    SELECT f.tenant_id, f.user_id, bit_or(lpad('1', 128, '0')::bit(128) << (f.last_day - e.period_key::date)) AS bits
      FROM analytics_user_first_days f
      JOIN leaderboard_entries e ON e.tenant_id = f.tenant_id AND e.user_id = f.user_id
     WHERE e.period_key ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' AND f.last_day - e.period_key::date BETWEEN 0 AND 127
     GROUP BY 1, 2)
UPDATE analytics_user_first_days f SET scored = s.bits FROM s WHERE s.tenant_id = f.tenant_id AND s.user_id = f.user_id;
/* [jooq ignore stop] */
