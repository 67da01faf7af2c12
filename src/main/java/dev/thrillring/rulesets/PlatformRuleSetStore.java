package dev.thrillring.rulesets;

import dev.thrillring.db.TransactionSignals;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

import static dev.thrillring.db.schema.Tables.PLATFORM_RULE_SET_RESOURCES;
import static dev.thrillring.db.schema.Tables.PLATFORM_RULE_SET_VERSIONS;
import static org.jooq.Records.mapping;

/** A platform's uploaded base rule versions and their files. Runs inside the caller's transaction. */
final class PlatformRuleSetStore {

    /** Serialises version numbering and activation per platform for the rest of the transaction. */
    void lockPlatform(DSLContext tx, String platform) {
        TransactionSignals.lock(tx, "platform-rulesets/" + platform);
    }

    /**
     * Orders base activations against tenant activations on the platform: a base activation holds it
     * exclusively from its check of the tenants' rules to its commit, a tenant activation shares
     * it while it commits, so neither can slip a change past the other's check.
     */
    void lockBase(DSLContext tx, String platform, boolean exclusive) {
        TransactionSignals.lock(tx, "platform-base/" + platform, exclusive);
    }

    /** Which base the platform serves, as the database says: the active version and when, or the shipped files. */
    String baseIdentity(DSLContext tx, String platform) { return identityOf(active(tx, platform)); }

    static String identityOf(Optional<RuleSetStore.Version> active) {
        return active.map(v -> "v" + v.version() + "@" + v.activatedAt()).orElse("shipped");
    }

    RuleSetStore.Version insert(DSLContext tx, String platform, String checksum, String author, String comment,
                                List<RuleSetStore.StoredFile> files) {
        var p = PLATFORM_RULE_SET_VERSIONS;
        Integer max = tx.select(DSL.max(p.VERSION)).from(p).where(p.PLATFORM.eq(platform)).fetchOne().value1();
        int version = max == null ? 1 : max + 1;
        RuleSetStore.Version v = tx.insertInto(p)
                .set(p.PLATFORM, platform).set(p.VERSION, version).set(p.CHECKSUM, checksum).set(p.AUTHOR, author).set(p.COMMENT, comment)
                .returningResult(p.VERSION, p.CHECKSUM, p.AUTHOR, p.COMMENT, p.STATUS, p.CREATED_AT, p.ACTIVATED_AT)
                .fetchOne(mapping(RuleSetStore.Version::new));
        var r = PLATFORM_RULE_SET_RESOURCES;
        var insert = tx.insertInto(r, r.PLATFORM, r.VERSION, r.PATH, r.KIND, r.CONTENT);
        for (RuleSetStore.StoredFile f : files) insert = insert.values(platform, version, f.path(), f.kind(), f.content());
        insert.execute();
        return v;
    }

    List<RuleSetStore.Version> list(DSLContext tx, String platform) {
        return versions(tx).where(PLATFORM_RULE_SET_VERSIONS.PLATFORM.eq(platform))
                .orderBy(PLATFORM_RULE_SET_VERSIONS.VERSION.desc()).fetch(mapping(RuleSetStore.Version::new));
    }

    Optional<RuleSetStore.Version> find(DSLContext tx, String platform, int version) {
        return versions(tx).where(PLATFORM_RULE_SET_VERSIONS.PLATFORM.eq(platform).and(PLATFORM_RULE_SET_VERSIONS.VERSION.eq(version)))
                .fetchOptional(mapping(RuleSetStore.Version::new));
    }

    Optional<RuleSetStore.Version> active(DSLContext tx, String platform) {
        return versions(tx).where(PLATFORM_RULE_SET_VERSIONS.PLATFORM.eq(platform).and(PLATFORM_RULE_SET_VERSIONS.STATUS.eq("active")))
                .fetchOptional(mapping(RuleSetStore.Version::new));
    }

    List<RuleSetStore.StoredFile> files(DSLContext tx, String platform, int version) {
        var r = PLATFORM_RULE_SET_RESOURCES;
        return tx.select(r.PATH, r.KIND, r.CONTENT).from(r).where(r.PLATFORM.eq(platform).and(r.VERSION.eq(version)))
                .orderBy(r.PATH).fetch(mapping(RuleSetStore.StoredFile::new));
    }

    /** Makes {@code version} active (or none, when empty); the formerly active one becomes inactive. */
    /**
     * Activates {@code version} (none: the shipped files), stamped with the next activation
     * generation (the caller holds {@link #lockPlatform}); returns the generation.
     */
    long activate(DSLContext tx, String platform, Optional<Integer> version) {
        var p = PLATFORM_RULE_SET_VERSIONS;
        long generation = RuleSetStore.nextGeneration(tx);
        tx.update(p).set(p.STATUS, "inactive").set(p.ACTIVATION_GENERATION, version.isPresent() ? p.ACTIVATION_GENERATION : DSL.val(generation))
                .where(p.PLATFORM.eq(platform).and(p.STATUS.eq("active"))).execute();
        version.ifPresent(v -> tx.update(p).set(p.STATUS, "active").set(p.ACTIVATED_AT, DSL.currentOffsetDateTime())
                .set(p.ACTIVATION_GENERATION, generation)
                .where(p.PLATFORM.eq(platform).and(p.VERSION.eq(v))).execute());
        return generation;
    }

    /** The generation the platform's base is at (0: never activated), by one statement. */
    long generation(DSLContext tx, String platform) {
        Long g = tx.select(DSL.max(PLATFORM_RULE_SET_VERSIONS.ACTIVATION_GENERATION)).from(PLATFORM_RULE_SET_VERSIONS)
                .where(PLATFORM_RULE_SET_VERSIONS.PLATFORM.eq(platform)).fetchOne().value1();
        return g == null ? 0 : g;
    }

    /** The platform's tenants: read through the owner's function, as tenant rows are guarded per tenant. */
    List<java.util.UUID> tenantsOf(DSLContext tx, String platform) {
        return tx.select(DSL.field("id", java.util.UUID.class)).from(DSL.table("platform_tenants({0})", DSL.val(platform)))
                .fetch(org.jooq.Record1::value1);
    }

    /** Tells every process that the platform's base changed (delivered at commit). */
    void notifyChange(DSLContext tx, String platform, long generation) {
        TransactionSignals.notifyAtCommit(tx, RuleSetNotifier.CHANNEL,
                RuleSetNotifier.PLATFORM_PREFIX + platform + "|" + RuleSetNotifier.NODE + "|" + generation);
    }

    private static org.jooq.SelectJoinStep<org.jooq.Record7<Integer, String, String, String, String, OffsetDateTime, OffsetDateTime>> versions(DSLContext tx) {
        var p = PLATFORM_RULE_SET_VERSIONS;
        return tx.select(p.VERSION, p.CHECKSUM, p.AUTHOR, p.COMMENT, p.STATUS, p.CREATED_AT, p.ACTIVATED_AT).from(p);
    }
}
