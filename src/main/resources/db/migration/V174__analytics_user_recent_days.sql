-- Each user's last active day and which of the 128 days up to it were active (issue 17, analytics
-- at 1M facts). A window that starts within 128 days of a user's last day is answered from this
-- one row per user (bit_count of the window's bits) instead of one rollup row per user and day,
-- so a 30-day answer reads the active users, not their user days. Bit 0 (the rightmost) is
-- last_day, bit i is last_day - i. The decision path keeps it in the first-day upsert it already
-- makes; facts older than 127 days before the user's last day are in analytics_user_days only.
/* [jooq ignore start] */
ALTER TABLE analytics_user_first_days ADD COLUMN last_day DATE, ADD COLUMN recent BIT(128);
WITH l AS (SELECT tenant_id, user_id, max(day) AS last_day FROM analytics_user_days GROUP BY 1, 2),
     b AS (SELECT d.tenant_id, d.user_id, l.last_day, bit_or(lpad('1', 128, '0')::bit(128) << (l.last_day - d.day)) AS recent
             FROM analytics_user_days d JOIN l ON l.tenant_id = d.tenant_id AND l.user_id = d.user_id
            WHERE l.last_day - d.day < 128 GROUP BY 1, 2, 3)
UPDATE analytics_user_first_days f SET last_day = b.last_day, recent = b.recent
  FROM b WHERE b.tenant_id = f.tenant_id AND b.user_id = f.user_id;
-- Both tables are written together, so every first day has its user days; a row without is not expected.
UPDATE analytics_user_first_days SET last_day = first_day, recent = lpad('1', 128, '0')::bit(128) WHERE last_day IS NULL;
ALTER TABLE analytics_user_first_days ALTER COLUMN last_day SET NOT NULL, ALTER COLUMN recent SET NOT NULL;
CREATE INDEX analytics_user_first_days_last ON analytics_user_first_days (tenant_id, last_day);
/* [jooq ignore stop] */
