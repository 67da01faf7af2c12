-- Rate-limit buckets shared by every node: each node takes tokens from its own copy and, every
-- half second, charges what it took to the bucket here and adopts what is left. Not tenant data
-- (a bucket is named by key, tenant or address) and not worth a WAL write: UNLOGGED, so a crash
-- empties it and buckets start full again.
CREATE TABLE rate_buckets (
    bucket       VARCHAR(200)      NOT NULL PRIMARY KEY,
    tokens       DOUBLE PRECISION  NOT NULL,
    capacity     DOUBLE PRECISION  NOT NULL,
    rate         DOUBLE PRECISION  NOT NULL,
    refilled_at  TIMESTAMPTZ       NOT NULL
);
CREATE INDEX rate_buckets_refilled ON rate_buckets (refilled_at);

/* [jooq ignore start] */
ALTER TABLE rate_buckets SET UNLOGGED;
GRANT SELECT, INSERT, UPDATE, DELETE ON rate_buckets TO thrillring_app;
/* [jooq ignore stop] */
