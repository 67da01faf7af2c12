package dev.thrillring.subjects;

import dev.thrillring.engine.Periods;
import dev.thrillring.engine.model.Outcome;
import dev.thrillring.engine.model.SubjectState;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.Record1;
import org.jooq.Result;
import org.jooq.ResultQuery;
import org.jooq.impl.DSL;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.ACHIEVEMENTS;
import static dev.thrillring.db.schema.Tables.REFERRAL_CODES;
import static dev.thrillring.db.schema.Tables.REFERRAL_CONVERSIONS;
import static dev.thrillring.db.schema.Tables.SUBJECT_METRICS;
import static dev.thrillring.db.schema.Tables.SUBJECT_VERSIONS;
import static dev.thrillring.db.schema.Tables.TENANT_ACHIEVEMENTS;

/**
 * The state rules see about a subject, and the metric changes their decisions make. A subject is
 * a user, or the tenant as a whole ({@code user_id} null, stored as {@code ''} in metrics).
 * Runs inside the caller's tenant transaction.
 */
public final class SubjectStore {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = dev.thrillring.web.Json.mapper();

    /**
     * Locks the subject until the transaction ends and moves it to its next version, for a
     * decision that reads and writes its subject in one transaction (conversions, reviews). A
     * fact group that read the subject before waits for the lock, then finds the version moved
     * and evaluates again, so no threshold is judged on stale state.
     */
    public void lock(DSLContext tx, UUID tenantId, String userId) {
        bumpVersion(tx, tenantId, userId);
    }

    /** The subject's metrics in the periods that hold {@code at}, its unlocked achievements and referral record. */
    public SubjectState load(DSLContext tx, UUID tenantId, String userId, Instant at) {
        Map<String, String> keys = Periods.keysAt(at, ZoneOffset.UTC);
        Map<String, String> periodOfKey = new HashMap<>();
        keys.forEach((period, k) -> periodOfKey.put(k, period));
        Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
        for (String p : SubjectState.PERIODS) metrics.put(p, new HashMap<>());
        tx.select(SUBJECT_METRICS.METRIC, SUBJECT_METRICS.PERIOD_KEY, SUBJECT_METRICS.VALUE).from(SUBJECT_METRICS)
                .where(SUBJECT_METRICS.TENANT_ID.eq(tenantId).and(SUBJECT_METRICS.USER_ID.eq(key(userId)))
                        .and(SUBJECT_METRICS.PERIOD_KEY.in(keys.values())))
                .forEach(r -> metrics.get(periodOfKey.get(r.value2())).put(r.value1(), r.value3()));

        // A repeatable achievement counts as held only within its cooldown after the last unlock.
        var last = DSL.max(TENANT_ACHIEVEMENTS.UNLOCKED_AT);
        Set<String> unlocked = new HashSet<>();
        tx.select(ACHIEVEMENTS.ACHIEVEMENT_KEY, ACHIEVEMENTS.COOLDOWN_SECONDS, last).from(TENANT_ACHIEVEMENTS)
                .join(ACHIEVEMENTS).on(ACHIEVEMENTS.ID.eq(TENANT_ACHIEVEMENTS.ACHIEVEMENT_ID))
                .where(TENANT_ACHIEVEMENTS.TENANT_ID.eq(tenantId)
                        .and(TENANT_ACHIEVEMENTS.USER_ID.isNotDistinctFrom(userId))
                        .and(TENANT_ACHIEVEMENTS.UNLOCKED_AT.isNotNull()))
                .groupBy(ACHIEVEMENTS.ACHIEVEMENT_KEY, ACHIEVEMENTS.COOLDOWN_SECONDS)
                .forEach(r -> {
                    Integer cooldown = r.value2();
                    if (cooldown == null || r.value3().toInstant().plusSeconds(cooldown).isAfter(at)) unlocked.add(r.value1());
                });

        int referrals = tx.fetchCount(REFERRAL_CONVERSIONS.join(REFERRAL_CODES)
                        .on(REFERRAL_CODES.ID.eq(REFERRAL_CONVERSIONS.REFERRAL_CODE_ID)),
                REFERRAL_CONVERSIONS.TENANT_ID.eq(tenantId)
                        .and(REFERRAL_CODES.REFERRER_USER_ID.isNotDistinctFrom(userId))
                        .and(REFERRAL_CONVERSIONS.STATUS.eq("approved")));
        return new SubjectState(tenantId, userId, metrics, unlocked, referrals);
    }

    /** Persists the metric outcomes of one decision into every period bucket that holds {@code at}. */
    public void applyMetrics(DSLContext tx, UUID tenantId, String userId, Iterable<Outcome> outcomes, Instant at) {
        Map<String, Double> sums = new LinkedHashMap<>();
        Map<String, Double> maxima = new LinkedHashMap<>();
        Map<String, Double> sets = new LinkedHashMap<>();
        for (Outcome o : outcomes) {
            if (o.kind().equals("metric")) sums.merge((String) o.details().get("name"), (Double) o.details().get("delta"), Double::sum);
            if (o.kind().equals("metric_max")) maxima.merge((String) o.details().get("name"), (Double) o.details().get("value"), Math::max);
            if (o.kind().equals("metric_set")) sets.put((String) o.details().get("name"), (Double) o.details().get("value"));
        }
        var keys = Periods.keysAt(at, ZoneOffset.UTC).values();
        if (!sums.isEmpty()) upsert(tx, tenantId, userId, sums, keys, SUBJECT_METRICS.VALUE.plus(DSL.excluded(SUBJECT_METRICS.VALUE)));
        if (!maxima.isEmpty()) upsert(tx, tenantId, userId, maxima, keys, DSL.greatest(SUBJECT_METRICS.VALUE, DSL.excluded(SUBJECT_METRICS.VALUE)));
        if (!sets.isEmpty()) upsert(tx, tenantId, userId, sets, keys, DSL.excluded(SUBJECT_METRICS.VALUE));
    }

    private static void upsert(DSLContext tx, UUID tenantId, String userId, Map<String, Double> values,
                               Iterable<String> periodKeys, org.jooq.Field<Double> merged) {
        var insert = tx.insertInto(SUBJECT_METRICS, SUBJECT_METRICS.TENANT_ID, SUBJECT_METRICS.USER_ID,
                SUBJECT_METRICS.METRIC, SUBJECT_METRICS.PERIOD_KEY, SUBJECT_METRICS.VALUE);
        for (var e : values.entrySet()) {
            for (String k : periodKeys) insert = insert.values(tenantId, key(userId), e.getKey(), k, e.getValue());
        }
        insert.onConflict(SUBJECT_METRICS.TENANT_ID, SUBJECT_METRICS.USER_ID, SUBJECT_METRICS.METRIC, SUBJECT_METRICS.PERIOD_KEY)
                .doUpdate().set(SUBJECT_METRICS.VALUE, merged).set(SUBJECT_METRICS.UPDATED_AT, DSL.currentOffsetDateTime())
                .execute();
    }


    /**
     * What a group of facts needs to know about its subjects, read in four statements whatever
     * the group's size (sent together with {@link dev.thrillring.db.TenantScope#fetchTogether}):
     * each subject's version, its metrics in the periods of {@code periodKeys}, the last unlock
     * of each achievement it holds, and its approved referrals. Versions come first: each
     * statement after them may see later commits (READ COMMITTED), and state newer than its
     * version only makes the write retry; state older than it would be lost.
     */
    public List<ResultQuery<?>> loadAllQueries(UUID tenantId, Set<String> userKeys, Set<String> periodKeys) {
        var userKey = DSL.coalesce(TENANT_ACHIEVEMENTS.USER_ID, DSL.inline(""));
        var referrer = DSL.coalesce(REFERRAL_CODES.REFERRER_USER_ID, DSL.inline(""));
        return List.of(
                DSL.select(SUBJECT_VERSIONS.USER_ID, SUBJECT_VERSIONS.VERSION).from(SUBJECT_VERSIONS)
                        .where(SUBJECT_VERSIONS.TENANT_ID.eq(tenantId).and(SUBJECT_VERSIONS.USER_ID.in(userKeys))),
                DSL.select(SUBJECT_METRICS.USER_ID, SUBJECT_METRICS.METRIC, SUBJECT_METRICS.PERIOD_KEY, SUBJECT_METRICS.VALUE).from(SUBJECT_METRICS)
                        .where(SUBJECT_METRICS.TENANT_ID.eq(tenantId).and(SUBJECT_METRICS.USER_ID.in(userKeys))
                                .and(SUBJECT_METRICS.PERIOD_KEY.in(periodKeys))),
                DSL.select(userKey, ACHIEVEMENTS.ACHIEVEMENT_KEY, ACHIEVEMENTS.COOLDOWN_SECONDS, DSL.max(TENANT_ACHIEVEMENTS.UNLOCKED_AT))
                        .from(TENANT_ACHIEVEMENTS)
                        .join(ACHIEVEMENTS).on(ACHIEVEMENTS.ID.eq(TENANT_ACHIEVEMENTS.ACHIEVEMENT_ID))
                        .where(TENANT_ACHIEVEMENTS.TENANT_ID.eq(tenantId).and(subjectIn(TENANT_ACHIEVEMENTS.USER_ID, userKeys))
                                .and(TENANT_ACHIEVEMENTS.UNLOCKED_AT.isNotNull()))
                        .groupBy(userKey, ACHIEVEMENTS.ACHIEVEMENT_KEY, ACHIEVEMENTS.COOLDOWN_SECONDS),
                DSL.select(referrer, DSL.count()).from(REFERRAL_CONVERSIONS.join(REFERRAL_CODES)
                                .on(REFERRAL_CODES.ID.eq(REFERRAL_CONVERSIONS.REFERRAL_CODE_ID)))
                        .where(REFERRAL_CONVERSIONS.TENANT_ID.eq(tenantId).and(REFERRAL_CODES.TENANT_ID.eq(tenantId))
                                .and(subjectIn(REFERRAL_CODES.REFERRER_USER_ID, userKeys))
                                .and(REFERRAL_CONVERSIONS.STATUS.eq("approved")))
                        .groupBy(referrer));
    }

    /**
     * {@code column} names one of the subjects {@code keys} (the tenant itself is the key "" and a
     * NULL column). Written so the subject index is used: {@code coalesce(column, '') IN (...)}
     * read every row of the tenant, once per group.
     */
    static org.jooq.Condition subjectIn(org.jooq.Field<String> column, Set<String> keys) {
        Set<String> users = new HashSet<>(keys);
        boolean tenant = users.remove("");
        org.jooq.Condition c = users.isEmpty() ? DSL.falseCondition() : column.in(users);
        return tenant ? c.or(column.isNull()) : c;
    }

    /** The snapshots of {@code userKeys} from the four results of {@link #loadAllQueries}, in their order. */
    public Map<String, Snapshot> loadAll(UUID tenantId, Set<String> userKeys, List<Result<Record>> results) {
        Map<String, Snapshot> out = new HashMap<>();
        for (String u : userKeys) out.put(u, new Snapshot(tenantId, u));
        for (Record r : results.get(0)) out.get(r.get(0, String.class)).version = r.get(1, Long.class);
        for (Record r : results.get(1)) {
            out.get(r.get(0, String.class)).metricsByKey.computeIfAbsent(r.get(2, String.class), k -> new HashMap<>())
                    .put(r.get(1, String.class), r.get(3, Double.class));
        }
        for (Record r : results.get(2)) {
            out.get(r.get(0, String.class)).lastUnlock.put(r.get(1, String.class),
                    new Snapshot.Unlock(r.get(3, java.time.OffsetDateTime.class).toInstant(), r.get(2, Integer.class)));
        }
        for (Record r : results.get(3)) out.get(r.get(0, String.class)).referrals = r.get(1, Integer.class);
        return out;
    }

    /** As {@link #loadAllQueries} and {@link #loadAll(UUID, Set, List)}, in one round trip inside {@code tx}. */
    public Map<String, Snapshot> loadAll(DSLContext tx, UUID tenantId, Set<String> userKeys, Set<String> periodKeys) {
        return loadAll(tenantId, userKeys, dev.thrillring.db.TenantScope.fetchTogether(tx, loadAllQueries(tenantId, userKeys, periodKeys)));
    }

    /**
     * Moves each subject of {@code expected} from the version it was read at to the next one,
     * unless another transaction moved it first; returns the subjects it moved (see {@link #moved}).
     */
    public ResultQuery<Record1<String>> bumpVersionsQuery(UUID tenantId, Map<String, Long> expected) {
        var insert = DSL.insertInto(SUBJECT_VERSIONS, SUBJECT_VERSIONS.TENANT_ID, SUBJECT_VERSIONS.USER_ID, SUBJECT_VERSIONS.VERSION);
        for (var e : expected.entrySet()) insert = insert.values(tenantId, e.getKey(), e.getValue() + 1);
        return insert.onConflict(SUBJECT_VERSIONS.TENANT_ID, SUBJECT_VERSIONS.USER_ID).doUpdate()
                .set(SUBJECT_VERSIONS.VERSION, DSL.excluded(SUBJECT_VERSIONS.VERSION))
                .where(SUBJECT_VERSIONS.VERSION.eq(DSL.excluded(SUBJECT_VERSIONS.VERSION).minus(1L)))
                .returningResult(SUBJECT_VERSIONS.USER_ID);
    }

    /**
     * A subject's state at {@code at} and the version it was read at, for a decision that reads,
     * then evaluates with no transaction open, then writes with {@link #bumpVersions}.
     */
    public Snapshot snapshot(DSLContext tx, UUID tenantId, String userId, Instant at) {
        String k = key(userId);
        return loadAll(tx, tenantId, Set.of(k), new HashSet<>(Periods.keysAt(at, ZoneOffset.UTC).values())).get(k);
    }

    /**
     * Moves each subject of {@code expected} to its next version, unless another transaction
     * moved it since it was read; the subjects moved meanwhile are returned (empty: the write may
     * go ahead, and the subjects stay locked until the transaction ends).
     */
    public Set<String> bumpVersions(DSLContext tx, UUID tenantId, Map<String, Long> expected) {
        if (expected.isEmpty()) return Set.of();
        return moved(expected, dev.thrillring.db.TenantScope.fetchTogether(tx, List.of(bumpVersionsQuery(tenantId, expected))).getFirst());
    }

    /** The subjects of {@code expected} that the result of {@link #bumpVersionsQuery} did not move (empty: the write may go ahead). */
    public static Set<String> moved(Map<String, Long> expected, Result<Record> bumped) {
        Set<String> moved = new HashSet<>(expected.keySet());
        for (Record r : bumped) moved.remove(r.get(0, String.class));
        return moved;
    }

    /** Moves a subject to its next version whatever it was (a decision made inside its own transaction). */
    public void bumpVersion(DSLContext tx, UUID tenantId, String userId) {
        tx.insertInto(SUBJECT_VERSIONS).set(SUBJECT_VERSIONS.TENANT_ID, tenantId).set(SUBJECT_VERSIONS.USER_ID, key(userId))
                .set(SUBJECT_VERSIONS.VERSION, 1L)
                .onConflict(SUBJECT_VERSIONS.TENANT_ID, SUBJECT_VERSIONS.USER_ID).doUpdate()
                .set(SUBJECT_VERSIONS.VERSION, SUBJECT_VERSIONS.VERSION.plus(1L))
                .execute();
    }

    /**
     * Writes metric values as they stand after a group of decisions (not deltas): safe because
     * the subject's version was checked in the same transaction, so nothing changed them since
     * they were read.
     */
    public void writeMetrics(DSLContext tx, UUID tenantId, Map<String, Map<String, Map<String, Double>>> byUserKey) {
        var insert = tx.insertInto(SUBJECT_METRICS, SUBJECT_METRICS.TENANT_ID, SUBJECT_METRICS.USER_ID,
                SUBJECT_METRICS.METRIC, SUBJECT_METRICS.PERIOD_KEY, SUBJECT_METRICS.VALUE);
        int rows = 0;
        for (var u : byUserKey.entrySet()) {
            for (var m : u.getValue().entrySet()) {
                for (var k : m.getValue().entrySet()) {
                    insert = insert.values(tenantId, u.getKey(), m.getKey(), k.getKey(), k.getValue());
                    rows++;
                }
            }
        }
        if (rows == 0) return;
        // Nothing in the transaction reads them back: sent with its last statements, in one round trip.
        dev.thrillring.db.TenantScope.defer(tx, insert.onConflict(SUBJECT_METRICS.TENANT_ID, SUBJECT_METRICS.USER_ID,
                        SUBJECT_METRICS.METRIC, SUBJECT_METRICS.PERIOD_KEY)
                .doUpdate().set(SUBJECT_METRICS.VALUE, DSL.excluded(SUBJECT_METRICS.VALUE))
                .set(SUBJECT_METRICS.UPDATED_AT, DSL.currentOffsetDateTime()));
    }

    /** The key a subject is stored under in metrics and versions: its user id, or {@code ""} for the tenant. */
    public static String key(String userId) { return userId == null ? "" : userId; }
}
