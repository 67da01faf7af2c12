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
        return due.isEmpty() ? List.of() : rewardsWhere(tx, tenant, p -> p.REWARD_ID.in(due), due.size());
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

    Reward reward(DSLContext tx, UUID tenant, UUID id) {
        List<Reward> one = rewardsWhere(tx, tenant, p -> p.REWARD_ID.eq(id), 1);
        if (one.isEmpty()) throw new dev.thrillring.problems.Problem.NotFound("no reward " + id);
        return one.getFirst();
    }

    /** Every reward of a beneficiary (or of the whole tenant when null), newest first, at most 500: one statement. */
    List<Reward> rewards(DSLContext tx, UUID tenant, String beneficiary) {
        return rewardsWhere(tx, tenant, p -> beneficiary == null ? DSL.trueCondition() : p.BENEFICIARY.eq(beneficiary), 500);
    }

    /** The rewards of several conversions, by conversion, newest first: one statement for a whole page of conversions. */
    Map<UUID, List<Reward>> rewardsOfConversions(DSLContext tx, UUID tenant, java.util.Collection<UUID> conversions) {
        Map<UUID, List<Reward>> out = new LinkedHashMap<>();
        for (UUID c : conversions) out.put(c, new java.util.ArrayList<>());
        if (conversions.isEmpty()) return out;
        for (Reward r : rewardsWhere(tx, tenant, p -> p.CONVERSION_ID.in(conversions), Integer.MAX_VALUE)) {
            out.get(r.conversionId()).add(r);
        }
        return out;
    }

    /**
     * Rewards (their pending entry, which names them) matching {@code condition}, newest first,
     * each with its state (its latest entry) and balance (the sum of its entries), in one
     * statement however many there are.
     */
    private static List<Reward> rewardsWhere(DSLContext tx, UUID tenant,
                                             java.util.function.Function<dev.thrillring.db.schema.tables.RewardLedger, org.jooq.Condition> condition,
                                             int limit) {
        var p = REWARD_LEDGER.as("p");
        var x = REWARD_LEDGER.as("x");
        var state = DSL.field(DSL.select(x.ENTRY_TYPE).from(x).where(x.TENANT_ID.eq(p.TENANT_ID).and(x.REWARD_ID.eq(p.REWARD_ID)))
                .orderBy(x.ID.desc()).limit(1));
        var balance = DSL.field(DSL.select(DSL.sum(x.AMOUNT)).from(x).where(x.TENANT_ID.eq(p.TENANT_ID).and(x.REWARD_ID.eq(p.REWARD_ID))));
        return tx.select(p.REWARD_ID, p.CONVERSION_ID, p.PARTY, p.BENEFICIARY, p.TIER, p.AMOUNT, state, p.AVAILABLE_AT, balance)
                .from(p)
                .where(p.TENANT_ID.eq(tenant).and(p.ENTRY_TYPE.eq("pending")).and(condition.apply(p)))
                .orderBy(p.ID.desc()).limit(limit)
                .fetch(r -> new Reward(r.value1(), r.value2(), r.value3(), r.value4(), r.value5(), r.value6(), r.value7(), r.value8(), r.value9()));
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
