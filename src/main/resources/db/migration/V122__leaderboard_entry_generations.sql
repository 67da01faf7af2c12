-- Each score write moves its entry to the next generation, returned with the new score. An
-- in-memory rank index keeps the highest generation it has seen for each subject, so a change
-- applied late (another thread's commit, or another node's notification arriving after a newer
-- one) never overwrites a newer standing.
ALTER TABLE leaderboard_entries ADD COLUMN generation BIGINT NOT NULL DEFAULT 1;
