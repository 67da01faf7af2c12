package dev.thrillring.referrals;

import dev.thrillring.db.schema.tables.records.ReferralConversionsRecord;
import dev.thrillring.web.Json;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.REFERRAL_CONVERSIONS;

/** The conversions' jOOQ statements; each runs inside the caller's tenant transaction. */
final class ConversionStore {
    private static final dev.thrillring.db.schema.tables.ReferralConversions C = REFERRAL_CONVERSIONS;

    /** An order already recorded in a program: its conversion and the hash of the request that recorded it. */
    record Recorded(UUID id, String requestHash) {}

    Optional<Recorded> byOrder(DSLContext tx, UUID tenant, UUID program, String orderId) {
        return tx.select(C.ID, C.REQUEST_HASH).from(C)
                .where(C.TENANT_ID.eq(tenant).and(C.PROGRAM_ID.eq(program)).and(C.ORDER_ID.eq(orderId)))
                .fetchOptional(r -> new Recorded(r.value1(), r.value2()));
    }

    /** Inserts a conversion unless its referee already converted so in the program; true when inserted. */
    boolean insert(DSLContext tx, ReferralConversionsRecord row) {
        return tx.insertInto(C).set(row).onConflictDoNothing().execute() == 1;
    }

    /** A conversion, locked until the transaction ends; null when there is none. */
    ReferralConversionsRecord lock(DSLContext tx, UUID tenant, UUID id) {
        return tx.selectFrom(C).where(C.TENANT_ID.eq(tenant).and(C.ID.eq(id))).forUpdate().fetchOne();
    }

    /** A conversion; null when there is none. */
    ReferralConversionsRecord find(DSLContext tx, UUID tenant, UUID id) {
        return tx.selectFrom(C).where(C.TENANT_ID.eq(tenant).and(C.ID.eq(id))).fetchOne();
    }

    /** Several conversions by id, in one statement. */
    Map<UUID, ReferralConversionsRecord> findAll(DSLContext tx, UUID tenant, Collection<UUID> ids) {
        Map<UUID, ReferralConversionsRecord> out = new HashMap<>();
        if (ids.isEmpty()) return out;
        tx.selectFrom(C).where(C.TENANT_ID.eq(tenant).and(C.ID.in(ids))).forEach(r -> out.put(r.getId(), r));
        return out;
    }

    boolean exists(DSLContext tx, UUID tenant, UUID id) {
        return tx.fetchExists(C, C.TENANT_ID.eq(tenant).and(C.ID.eq(id)));
    }

    /** The approved conversions among {@code ids}, oldest first. */
    List<ReferralConversionsRecord> findApproved(DSLContext tx, UUID tenant, Collection<UUID> ids) {
        return tx.selectFrom(C).where(C.TENANT_ID.eq(tenant).and(C.ID.in(ids)).and(C.STATUS.eq("approved"))).orderBy(C.OCCURRED_AT).fetch();
    }

    /** The approved conversions among {@code ids}, oldest first, locked until the transaction ends. */
    List<ReferralConversionsRecord> lockApproved(DSLContext tx, UUID tenant, Collection<UUID> ids) {
        return tx.selectFrom(C).where(C.TENANT_ID.eq(tenant).and(C.ID.in(ids)).and(C.STATUS.eq("approved")))
                .orderBy(C.OCCURRED_AT).forUpdate().fetch();
    }

    void setStatus(DSLContext tx, UUID id, String status) {
        tx.update(C).set(C.STATUS, status).where(C.ID.eq(id)).execute();
    }

    void setReviewed(DSLContext tx, UUID id, String status, String note, String reviewer) {
        tx.update(C).set(C.STATUS, status).set(C.REVIEW_NOTE, note).set(C.REVIEWED_BY, reviewer).where(C.ID.eq(id)).execute();
    }

    void setSignals(DSLContext tx, UUID id, Map<String, Object> signals) {
        tx.update(C).set(C.SIGNALS, Json.jsonb(signals)).where(C.ID.eq(id)).execute();
    }

    /** Sends a conversion back to review with its new score, signals and reasons. */
    void flag(DSLContext tx, UUID id, double score, Map<String, Object> signals, List<Map<String, Object>> reasons) {
        tx.update(C).set(C.STATUS, "pending_review")
                .set(C.AI_VALIDATION_SCORE, BigDecimal.valueOf(score).setScale(2, RoundingMode.HALF_UP))
                .set(C.SIGNALS, Json.jsonb(signals)).set(C.FRAUD_REASONS, Json.jsonb(reasons))
                .where(C.ID.eq(id)).execute();
    }

    /**
     * A referrer's rewarded conversions (approved or waiting for review) in a program, since
     * {@code since} when it is given.
     */
    int rewardedCount(DSLContext tx, UUID tenant, UUID program, String referrer, OffsetDateTime since) {
        var where = C.TENANT_ID.eq(tenant).and(C.PROGRAM_ID.eq(program)).and(C.REFERRER_USER_ID.isNotDistinctFrom(referrer))
                .and(C.STATUS.in("approved", "pending_review"))
                .and(DSL.coalesce(C.REWARD_AMOUNT, BigDecimal.ZERO).gt(BigDecimal.ZERO));
        if (since != null) where = where.and(C.CREATED_AT.ge(since));
        return tx.fetchCount(C, where);
    }
}
