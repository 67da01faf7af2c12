-- The platform catalogue is synced from the shipped rule files at start (see docs/decisions.md):
-- categories are found again by name, and a subject's achievement rows by their key.
/* [jooq ignore start] */
CREATE UNIQUE INDEX achievement_categories_name ON achievement_categories (platform, tenant_id, category_name) NULLS NOT DISTINCT;
/* [jooq ignore stop] */
CREATE INDEX tenant_achievements_subject ON tenant_achievements (tenant_id, user_id, unlocked_at);
CREATE INDEX gamification_events_fact ON gamification_events (tenant_id, fact_id);
