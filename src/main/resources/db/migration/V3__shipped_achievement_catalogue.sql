-- The platform catalogue entries for the achievements the shipped rules unlock
-- (decision-tables/<platform>/achievement-thresholds.drl.xlsx). Keys match the rules' unlock keys.

/* [jooq ignore start] */
-- FORCE applies RLS to the owner too. The owner (the migrating role) may lift RLS anyway, so it gets
-- full access on every guarded table; migrations that write platform rows need it. Only
-- thrillring_app is confined.
DO $$
DECLARE t text;
BEGIN
    FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relrowsecurity
               AND NOT EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = n.nspname
                                  AND p.tablename = c.relname AND p.policyname = 'owner_access')
    LOOP
        EXECUTE format('CREATE POLICY owner_access ON %I TO %I USING (true) WITH CHECK (true)', t, current_user);
    END LOOP;
END $$;
/* [jooq ignore stop] */

INSERT INTO achievement_categories (id, category_name, platform, description, sort_order) VALUES
    ('6b0f7a52-3f0e-4d1e-9a01-000000000001', 'Sales milestones', 'coreldove', 'Orders shipped and revenue earned', 1),
    ('6b0f7a52-3f0e-4d1e-9a01-000000000002', 'Campaign milestones', 'bizoholic', 'Campaigns, leads and return on ad spend', 1),
    ('6b0f7a52-3f0e-4d1e-9a01-000000000003', 'Engagement', 'bizosaas', 'Active use and feature adoption', 1);

INSERT INTO achievements (achievement_key, category_id, achievement_name, description, achievement_type, platform,
                          trigger_conditions, reward_config, difficulty_level, sort_order) VALUES
    ('first-sale', '6b0f7a52-3f0e-4d1e-9a01-000000000001', 'First sale', 'Ship your first order', 'milestone', 'coreldove',
     '{"metric": "orders_shipped", "threshold": 1}', '{"points": 25}', 1, 1),
    ('orders-10', '6b0f7a52-3f0e-4d1e-9a01-000000000001', '10 orders shipped', 'Ship 10 orders', 'milestone', 'coreldove',
     '{"metric": "orders_shipped", "threshold": 10}', '{"points": 50}', 2, 2),
    ('orders-100', '6b0f7a52-3f0e-4d1e-9a01-000000000001', '100 orders shipped', 'Ship 100 orders', 'milestone', 'coreldove',
     '{"metric": "orders_shipped", "threshold": 100}', '{"points": 200}', 4, 3),
    ('revenue-1k', '6b0f7a52-3f0e-4d1e-9a01-000000000001', 'Revenue 1,000', 'Earn 1,000 in shipped orders', 'performance', 'coreldove',
     '{"metric": "revenue", "threshold": 1000}', '{"points": 100}', 3, 4),
    ('first-campaign', '6b0f7a52-3f0e-4d1e-9a01-000000000002', 'First campaign', 'Launch your first campaign', 'milestone', 'bizoholic',
     '{"metric": "campaigns_launched", "threshold": 1}', '{"points": 25}', 1, 1),
    ('campaigns-10', '6b0f7a52-3f0e-4d1e-9a01-000000000002', '10 campaigns', 'Launch 10 campaigns', 'milestone', 'bizoholic',
     '{"metric": "campaigns_launched", "threshold": 10}', '{"points": 100}', 3, 2),
    ('leads-100', '6b0f7a52-3f0e-4d1e-9a01-000000000002', '100 leads', 'Capture 100 leads', 'performance', 'bizoholic',
     '{"metric": "leads", "threshold": 100}', '{"points": 100}', 3, 3),
    ('roas-3x', '6b0f7a52-3f0e-4d1e-9a01-000000000002', 'ROAS 3x', 'Report a return on ad spend of 3 or more', 'performance', 'bizoholic',
     '{"metric": "best_roas", "threshold": 3}', '{"points": 150}', 4, 4),
    ('first-week', '6b0f7a52-3f0e-4d1e-9a01-000000000003', 'First week', 'Be active on 7 days', 'milestone', 'bizosaas',
     '{"metric": "active_days", "threshold": 7}', '{"points": 25}', 1, 1),
    ('month-active', '6b0f7a52-3f0e-4d1e-9a01-000000000003', 'Month of activity', 'Be active on 30 days', 'milestone', 'bizosaas',
     '{"metric": "active_days", "threshold": 30}', '{"points": 100}', 3, 2),
    ('explorer', '6b0f7a52-3f0e-4d1e-9a01-000000000003', 'Explorer', 'Adopt 5 features', 'performance', 'bizosaas',
     '{"metric": "features_adopted", "threshold": 5}', '{"points": 75}', 2, 3);
