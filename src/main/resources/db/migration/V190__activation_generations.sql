-- Activation generations. Every activation or deactivation of a tenant's rule set or a platform's
-- base takes the next number of one sequence while it holds the lock that serialises those
-- changes, so numbers follow commit order. The number is stamped on the version row that became
-- active (or, on a deactivation, on the one that stopped being active); the highest number of a
-- tenant's or platform's versions is the generation it is at. A node installs a rule set only if
-- its generation is at least the one it serves, so a late swap never replaces a newer one.
CREATE SEQUENCE rule_set_activation_generation;
ALTER TABLE rule_set_versions ADD COLUMN activation_generation BIGINT NOT NULL DEFAULT 0;
ALTER TABLE platform_rule_set_versions ADD COLUMN activation_generation BIGINT NOT NULL DEFAULT 0;
/* [jooq ignore start] */
GRANT USAGE ON SEQUENCE rule_set_activation_generation TO thrillring_app;
GRANT UPDATE (activation_generation) ON platform_rule_set_versions TO thrillring_app;
/* [jooq ignore stop] */
