-- Leaderboard scores are updated in place many times per fact (every board, every period bucket).
-- An update is a heap-only tuple (HOT, no index entry written) only when no indexed column
-- changes and the page has room. The score was indexed for ranking, but ranks come from the
-- in-memory rank index and the standings function reads a board period whole, so the board
-- period prefix is all that index served: keep the prefix, drop the score, and leave room on
-- each page. The same room on the other tables a fact updates in place (metrics, progress, user
-- days, versions), none of whose updated columns are indexed.
DROP INDEX leaderboard_entries_rank;
CREATE INDEX leaderboard_entries_board ON leaderboard_entries (leaderboard_id, period_key);
/* [jooq ignore start] */
ALTER TABLE leaderboard_entries SET (fillfactor = 70);
ALTER TABLE subject_metrics SET (fillfactor = 80);
ALTER TABLE tenant_achievements SET (fillfactor = 80);
ALTER TABLE analytics_user_days SET (fillfactor = 80);
ALTER TABLE subject_versions SET (fillfactor = 80);
/* [jooq ignore stop] */
