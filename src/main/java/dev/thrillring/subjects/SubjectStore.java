package dev.thrillring.subjects;

import dev.thrillring.engine.Periods;
import dev.thrillring.engine.model.Outcome;
import dev.thrillring.engine.model.SubjectState;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.ACHIEVEMENTS;
import static dev.thrillring.db.schema.Tables.REFERRAL_CODES;
import static dev.thrillring.db.schema.Tables.REFERRAL_CONVERSIONS;
import static dev.thrillring.db.schema.Tables.SUBJECT_METRICS;
import static dev.thrillring.db.schema.Tables.TENANT_ACHIEVEMENTS;

/**
 * The state rules see about a subject, and the metric changes their decisions make. A subject is
 * a user, or the tenant as a whole ({@code user_id} null, stored as {@code ''} in metrics).
 * Runs inside the caller's tenant transaction.
 */
public final class SubjectStore {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = dev.thrillring.web.Json.mapper();

    /**
     * Serialises the facts of one subject until the transaction ends, so a threshold rule sees
     * every earlier fact's metric change (two concurrent facts cannot both see "9 orders").
     */
    public void lock(DSLContext tx, UUID tenantId, String userId) {
        dev.thrillring.db.TransactionSignals.lock(tx, "subject/" + tenantId + "/" + key(userId));
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

    private static String key(String userId) { return userId == null ? "" : userId; }
}
