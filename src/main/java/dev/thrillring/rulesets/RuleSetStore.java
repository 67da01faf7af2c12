package dev.thrillring.rulesets;

import dev.thrillring.db.TransactionSignals;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.RULE_SET_RESOURCES;
import static dev.thrillring.db.schema.Tables.RULE_SET_VERSIONS;
import static org.jooq.Records.mapping;

/** Rule set versions and their files. Runs inside the caller's tenant transaction. */
final class RuleSetStore {

    /** A version as listed. */
    record Version(int version, String checksum, String author, String comment, String status,
                   OffsetDateTime createdAt, OffsetDateTime activatedAt) {}

    /** One stored file of a version. */
    record StoredFile(String path, String kind, byte[] content) {}

    /** Serialises version numbering and activation per tenant for the rest of the transaction. */
    void lockTenant(DSLContext tx, UUID tenantId) {
        TransactionSignals.lock(tx, "rulesets/" + tenantId);
    }

    int nextVersion(DSLContext tx, UUID tenantId) {
        Integer max = tx.select(DSL.max(RULE_SET_VERSIONS.VERSION)).from(RULE_SET_VERSIONS)
                .where(RULE_SET_VERSIONS.TENANT_ID.eq(tenantId)).fetchOne().value1();
        return max == null ? 1 : max + 1;
    }

    Version insert(DSLContext tx, UUID tenantId, int version, String checksum, String author, String comment, List<StoredFile> files) {
        Version v = tx.insertInto(RULE_SET_VERSIONS)
                .set(RULE_SET_VERSIONS.TENANT_ID, tenantId).set(RULE_SET_VERSIONS.VERSION, version)
                .set(RULE_SET_VERSIONS.CHECKSUM, checksum).set(RULE_SET_VERSIONS.AUTHOR, author)
                .set(RULE_SET_VERSIONS.COMMENT, comment)
                .returningResult(RULE_SET_VERSIONS.VERSION, RULE_SET_VERSIONS.CHECKSUM, RULE_SET_VERSIONS.AUTHOR,
                        RULE_SET_VERSIONS.COMMENT, RULE_SET_VERSIONS.STATUS, RULE_SET_VERSIONS.CREATED_AT, RULE_SET_VERSIONS.ACTIVATED_AT)
                .fetchOne(mapping(Version::new));
        var insert = tx.insertInto(RULE_SET_RESOURCES, RULE_SET_RESOURCES.TENANT_ID, RULE_SET_RESOURCES.VERSION,
                RULE_SET_RESOURCES.PATH, RULE_SET_RESOURCES.KIND, RULE_SET_RESOURCES.CONTENT);
        for (StoredFile f : files) insert = insert.values(tenantId, version, f.path(), f.kind(), f.content());
        insert.execute();
        return v;
    }

    List<Version> list(DSLContext tx, UUID tenantId) {
        return versions(tx).where(RULE_SET_VERSIONS.TENANT_ID.eq(tenantId))
                .orderBy(RULE_SET_VERSIONS.VERSION.desc()).fetch(mapping(Version::new));
    }

    Optional<Version> find(DSLContext tx, UUID tenantId, int version) {
        return versions(tx).where(RULE_SET_VERSIONS.TENANT_ID.eq(tenantId).and(RULE_SET_VERSIONS.VERSION.eq(version)))
                .fetchOptional(mapping(Version::new));
    }

    Optional<Version> active(DSLContext tx, UUID tenantId) {
        return versions(tx).where(RULE_SET_VERSIONS.TENANT_ID.eq(tenantId).and(RULE_SET_VERSIONS.STATUS.eq("active")))
                .fetchOptional(mapping(Version::new));
    }

    /** The version that was active before the current one: the latest activated among the others. */
    Optional<Version> previouslyActive(DSLContext tx, UUID tenantId) {
        return versions(tx).where(RULE_SET_VERSIONS.TENANT_ID.eq(tenantId)
                        .and(RULE_SET_VERSIONS.STATUS.eq("inactive")).and(RULE_SET_VERSIONS.ACTIVATED_AT.isNotNull()))
                .orderBy(RULE_SET_VERSIONS.ACTIVATED_AT.desc()).limit(1).fetchOptional(mapping(Version::new));
    }

    List<StoredFile> files(DSLContext tx, UUID tenantId, int version) {
        return tx.select(RULE_SET_RESOURCES.PATH, RULE_SET_RESOURCES.KIND, RULE_SET_RESOURCES.CONTENT)
                .from(RULE_SET_RESOURCES)
                .where(RULE_SET_RESOURCES.TENANT_ID.eq(tenantId).and(RULE_SET_RESOURCES.VERSION.eq(version)))
                .orderBy(RULE_SET_RESOURCES.PATH).fetch(mapping(StoredFile::new));
    }

    /** Makes {@code version} the active one; the formerly active version becomes inactive. */
    /**
     * Makes {@code version} the active one, stamped with the next activation generation (the caller
     * holds {@link #lockTenant}, so generations follow commit order); returns the generation.
     */
    long activate(DSLContext tx, UUID tenantId, int version) {
        long generation = nextGeneration(tx);
        tx.update(RULE_SET_VERSIONS).set(RULE_SET_VERSIONS.STATUS, "inactive")
                .where(RULE_SET_VERSIONS.TENANT_ID.eq(tenantId).and(RULE_SET_VERSIONS.STATUS.eq("active"))).execute();
        tx.update(RULE_SET_VERSIONS).set(RULE_SET_VERSIONS.STATUS, "active").set(RULE_SET_VERSIONS.ACTIVATED_AT, DSL.currentOffsetDateTime())
                .set(RULE_SET_VERSIONS.ACTIVATION_GENERATION, generation)
                .where(RULE_SET_VERSIONS.TENANT_ID.eq(tenantId).and(RULE_SET_VERSIONS.VERSION.eq(version))).execute();
        return generation;
    }

    /** Leaves the tenant on its platform base: no version active; the one that was is stamped with the new generation. */
    long deactivate(DSLContext tx, UUID tenantId) {
        long generation = nextGeneration(tx);
        tx.update(RULE_SET_VERSIONS).set(RULE_SET_VERSIONS.STATUS, "inactive").set(RULE_SET_VERSIONS.ACTIVATION_GENERATION, generation)
                .where(RULE_SET_VERSIONS.TENANT_ID.eq(tenantId).and(RULE_SET_VERSIONS.STATUS.eq("active"))).execute();
        return generation;
    }

    static long nextGeneration(DSLContext tx) {
        return tx.select(DSL.sequence(DSL.name("rule_set_activation_generation"), Long.class).nextval()).fetchOne().value1();
    }

    /** The tenant's active version (if any) and the generation it is at, read by one statement (one snapshot). */
    record Current(Optional<Integer> activeVersion, long generation) {}

    Current current(DSLContext tx, UUID tenantId) {
        var r = tx.select(DSL.max(RULE_SET_VERSIONS.ACTIVATION_GENERATION),
                        DSL.max(RULE_SET_VERSIONS.VERSION).filterWhere(RULE_SET_VERSIONS.STATUS.eq("active")))
                .from(RULE_SET_VERSIONS).where(RULE_SET_VERSIONS.TENANT_ID.eq(tenantId)).fetchOne();
        return new Current(Optional.ofNullable(r.value2()), r.value1() == null ? 0 : r.value1());
    }

    /** Tells every process that the tenant's active rule set changed to {@code generation} (delivered at commit). */
    void notifyChange(DSLContext tx, UUID tenantId, long generation) {
        TransactionSignals.notifyAtCommit(tx, RuleSetNotifier.CHANNEL, tenantId + "|" + RuleSetNotifier.NODE + "|" + generation);
    }

    private static org.jooq.SelectJoinStep<org.jooq.Record7<Integer, String, String, String, String, OffsetDateTime, OffsetDateTime>> versions(DSLContext tx) {
        return tx.select(RULE_SET_VERSIONS.VERSION, RULE_SET_VERSIONS.CHECKSUM, RULE_SET_VERSIONS.AUTHOR, RULE_SET_VERSIONS.COMMENT,
                RULE_SET_VERSIONS.STATUS, RULE_SET_VERSIONS.CREATED_AT, RULE_SET_VERSIONS.ACTIVATED_AT).from(RULE_SET_VERSIONS);
    }
}
