-- A version per subject, bumped by every transaction that writes a decision about it. The group
-- commit reads a subject's state and version, releases its connection, evaluates the rules, and
-- then writes only if the version is still the one it read; otherwise it reads and evaluates
-- again (docs/decisions.md). The row lock of the bump also orders two nodes' writes to one subject.
CREATE TABLE subject_versions (
    tenant_id  UUID          NOT NULL REFERENCES tenants (id),
    user_id    VARCHAR(128)  NOT NULL,
    version    BIGINT        NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);

/* [jooq ignore start] */
ALTER TABLE subject_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE subject_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON subject_versions USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
GRANT SELECT, INSERT, UPDATE ON subject_versions TO thrillring_app;
/* [jooq ignore stop] */
