package dev.thrillring.referrals;

import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.impl.DSL;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.REWARD_LEDGER;

/**
 * The append-only reward ledger. A reward's state is its latest entry: pending (with its amount,
 * until {@code available_at}), granted, paid, voided or clawed back. Nothing is ever updated.
 */
final class RewardLedger {

    /** One reward with its current state. */
    record Reward(UUID rewardId, UUID conversionId, String party, String beneficiary, String tier, BigDecimal amount,
                  String state, OffsetDateTime availableAt, BigDecimal balance) {}

    void pending(DSLContext tx, UUID tenant, UUID conversion, String party, String beneficiary, String tier, BigDecimal amount, Instant availableAt) {
        tx.insertInto(REWARD_LEDGER)
                .set(REWARD_LEDGER.TENANT_ID, tenant).set(REWARD_LEDGER.REWARD_ID, UUID.randomUUID())
                .set(REWARD_LEDGER.CONVERSION_ID, conversion).set(REWARD_LEDGER.PARTY, party).set(REWARD_LEDGER.BENEFICIARY, beneficiary)
                .set(REWARD_LEDGER.TIER, tier).set(REWARD_LEDGER.ENTRY_TYPE, "pending").set(REWARD_LEDGER.AMOUNT, amount)
                .set(REWARD_LEDGER.AVAILABLE_AT, availableAt.atOffset(ZoneOffset.UTC)).execute();
    }

    /** Grants every pending reward of the tenant whose hold has ended; returns the rewards granted now. */
    List<Reward> grantDue(DSLContext tx, UUID tenant, Instant now) {
        var due = tx.select(REWARD_LEDGER.REWARD_ID).from(REWARD_LEDGER)
                .where(REWARD_LEDGER.TENANT_ID.eq(tenant).and(REWARD_LEDGER.ENTRY_TYPE.eq("pending"))
                        .and(REWARD_LEDGER.AVAILABLE_AT.le(now.atOffset(ZoneOffset.UTC))))
                .andNotExists(DSL.selectOne().from(REWARD_LEDGER.as("x"))
                        .where(REWARD_LEDGER.as("x").TENANT_ID.eq(tenant).and(REWARD_LEDGER.as("x").REWARD_ID.eq(REWARD_LEDGER.REWARD_ID))
                                .and(REWARD_LEDGER.as("x").ENTRY_TYPE.in("granted", "voided"))))
                .fetch(REWARD_LEDGER.REWARD_ID);
        for (UUID id : due) mark(tx, tenant, id, "granted", BigDecimal.ZERO, null);
        return due.stream().map(id -> reward(tx, tenant, id)).toList();
    }

    /** Adds an entry copying the reward's identity. */
    void mark(DSLContext tx, UUID tenant, UUID reward, String type, BigDecimal amount, String note) {
        Record p = pendingEntry(tx, tenant, reward);
        tx.insertInto(REWARD_LEDGER)
                .set(REWARD_LEDGER.TENANT_ID, tenant).set(REWARD_LEDGER.REWARD_ID, reward)
                .set(REWARD_LEDGER.CONVERSION_ID, p.get(REWARD_LEDGER.CONVERSION_ID)).set(REWARD_LEDGER.PARTY, p.get(REWARD_LEDGER.PARTY))
                .set(REWARD_LEDGER.BENEFICIARY, p.get(REWARD_LEDGER.BENEFICIARY)).set(REWARD_LEDGER.TIER, p.get(REWARD_LEDGER.TIER))
                .set(REWARD_LEDGER.ENTRY_TYPE, type).set(REWARD_LEDGER.AMOUNT, amount).set(REWARD_LEDGER.NOTE, note)
                .onConflictDoNothing().execute();
    }

    List<UUID> rewardsOf(DSLContext tx, UUID tenant, UUID conversion) {
        return tx.selectDistinct(REWARD_LEDGER.REWARD_ID).from(REWARD_LEDGER)
                .where(REWARD_LEDGER.TENANT_ID.eq(tenant).and(REWARD_LEDGER.CONVERSION_ID.eq(conversion)))
                .fetch(REWARD_LEDGER.REWARD_ID);
    }

    Reward reward(DSLContext tx, UUID tenant, UUID id) {
        Record p = pendingEntry(tx, tenant, id);
        var entries = tx.select(REWARD_LEDGER.ENTRY_TYPE, REWARD_LEDGER.AMOUNT).from(REWARD_LEDGER)
                .where(REWARD_LEDGER.TENANT_ID.eq(tenant).and(REWARD_LEDGER.REWARD_ID.eq(id))).orderBy(REWARD_LEDGER.ID).fetch();
        String state = entries.getLast().get(REWARD_LEDGER.ENTRY_TYPE);
        BigDecimal balance = entries.stream().map(e -> e.get(REWARD_LEDGER.AMOUNT)).reduce(BigDecimal.ZERO, BigDecimal::add);
        return new Reward(id, p.get(REWARD_LEDGER.CONVERSION_ID), p.get(REWARD_LEDGER.PARTY), p.get(REWARD_LEDGER.BENEFICIARY),
                p.get(REWARD_LEDGER.TIER), p.get(REWARD_LEDGER.AMOUNT), state, p.get(REWARD_LEDGER.AVAILABLE_AT), balance);
    }

    /** Every reward of a beneficiary (or of the whole tenant when null), newest first. */
    List<Reward> rewards(DSLContext tx, UUID tenant, String beneficiary) {
        var c = REWARD_LEDGER.TENANT_ID.eq(tenant).and(REWARD_LEDGER.ENTRY_TYPE.eq("pending"));
        if (beneficiary != null) c = c.and(REWARD_LEDGER.BENEFICIARY.eq(beneficiary));
        return tx.select(REWARD_LEDGER.REWARD_ID).from(REWARD_LEDGER).where(c).orderBy(REWARD_LEDGER.ID.desc()).limit(500)
                .fetch(REWARD_LEDGER.REWARD_ID).stream().map(id -> reward(tx, tenant, id)).toList();
    }

    private static Record pendingEntry(DSLContext tx, UUID tenant, UUID reward) {
        Record r = tx.select(REWARD_LEDGER.fields()).from(REWARD_LEDGER)
                .where(REWARD_LEDGER.TENANT_ID.eq(tenant).and(REWARD_LEDGER.REWARD_ID.eq(reward)).and(REWARD_LEDGER.ENTRY_TYPE.eq("pending")))
                .fetchOne();
        if (r == null) throw new dev.thrillring.problems.Problem.NotFound("no reward " + reward);
        return r;
    }

    static Map<String, Object> view(Reward r) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("reward_id", r.rewardId());
        v.put("conversion_id", r.conversionId());
        v.put("party", r.party());
        v.put("beneficiary", r.beneficiary());
        v.put("tier", r.tier());
        v.put("amount", r.amount());
        v.put("state", r.state());
        v.put("available_at", r.availableAt());
        v.put("balance", r.balance());
        return v;
    }
}
