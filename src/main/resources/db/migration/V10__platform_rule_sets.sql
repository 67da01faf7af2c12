-- A platform's base rules: the shipped files (rules/<platform>, decision-tables/<platform> and
-- _common) plus, when one is active, a version its platform admin uploaded. Every tenant of the
-- platform builds on that base. Platform rows are not tenant-owned, so RLS does not apply; the
-- service checks that the caller administers the platform (Principal.requirePlatform).
CREATE TABLE platform_rule_set_versions (
    platform      VARCHAR(50)   NOT NULL REFERENCES platforms (name),
    version       INTEGER       NOT NULL,
    checksum      VARCHAR(64)   NOT NULL,
    author        VARCHAR(255)  NOT NULL,
    comment       TEXT,
    status        VARCHAR(20)   NOT NULL DEFAULT 'draft',
    created_at    TIMESTAMPTZ   NOT NULL DEFAULT now(),
    activated_at  TIMESTAMPTZ,
    PRIMARY KEY (platform, version),
    CONSTRAINT platform_rule_set_versions_positive CHECK (version > 0),
    CONSTRAINT platform_rule_set_versions_status CHECK (status IN ('draft', 'active', 'inactive'))
);
/* [jooq ignore start] */
CREATE UNIQUE INDEX platform_rule_set_versions_one_active ON platform_rule_set_versions (platform) WHERE status = 'active';
/* [jooq ignore stop] */

CREATE TABLE platform_rule_set_resources (
    platform   VARCHAR(50)   NOT NULL,
    version    INTEGER       NOT NULL,
    path       VARCHAR(255)  NOT NULL,
    kind       VARCHAR(20)   NOT NULL,
    content    BYTEA         NOT NULL,
    PRIMARY KEY (platform, version, path),
    FOREIGN KEY (platform, version) REFERENCES platform_rule_set_versions (platform, version),
    CONSTRAINT platform_rule_set_resources_kind CHECK (kind IN ('drl', 'xlsx', 'xls', 'csv', 'scenario'))
);

/* [jooq ignore start] */
-- Versions are immutable once stored: only their status moves.
GRANT SELECT, INSERT ON platform_rule_set_versions, platform_rule_set_resources TO thrillring_app;
GRANT UPDATE (status, activated_at) ON platform_rule_set_versions TO thrillring_app;
/* [jooq ignore stop] */
