package dev.thrillring.referrals;

import org.jooq.DSLContext;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.REFERRAL_CONVERSIONS;

/**
 * The referral graph of a tenant: an edge from referrer to referee for every conversion that was
 * not refused, across codes and programs. A new edge R → E closes a short cycle when E already
 * reaches R in one to three steps (E → R, E → X → R, E → X → Y → R), or joins two referees of one person
 * (R and E were both referred by the same X): the shapes referral rings leave behind.
 */
final class ReferralGraph {
    private static final int MAX_MEMBERS = 50;

    private ReferralGraph() {}

    /**
     * The conversions that, with the new edge {@code referrer → referee}, close a three- or four-person cycle or
     * join two referees of one person (the {@code referral_cycle} signal); empty when none.
     */
    static List<UUID> cycle(DSLContext tx, UUID tenant, String referrer, String referee) {
        if (referrer == null || referee == null || referrer.equals(referee)) return List.of();
        var a = REFERRAL_CONVERSIONS.as("a");
        var b = REFERRAL_CONVERSIONS.as("b");
        Set<UUID> members = new LinkedHashSet<>();
        // E → X → R: the referee referred someone who referred the referrer.
        tx.select(a.ID, b.ID).from(a).join(b).on(b.TENANT_ID.eq(a.TENANT_ID).and(b.REFERRER_USER_ID.eq(a.REFEREE_USER_ID)))
                .where(a.TENANT_ID.eq(tenant).and(a.REFERRER_USER_ID.eq(referee)).and(b.REFEREE_USER_ID.eq(referrer))
                        .and(a.STATUS.ne("rejected")).and(b.STATUS.ne("rejected")).and(a.REFEREE_USER_ID.ne(referrer)))
                .limit(MAX_MEMBERS).forEach(r -> { members.add(r.value1()); members.add(r.value2()); });
        // E → X → Y → R: a four-person cycle.
        var c = REFERRAL_CONVERSIONS.as("c");
        tx.select(a.ID, b.ID, c.ID).from(a).join(b).on(b.TENANT_ID.eq(a.TENANT_ID).and(b.REFERRER_USER_ID.eq(a.REFEREE_USER_ID)))
                .join(c).on(c.TENANT_ID.eq(b.TENANT_ID).and(c.REFERRER_USER_ID.eq(b.REFEREE_USER_ID)))
                .where(a.TENANT_ID.eq(tenant).and(a.REFERRER_USER_ID.eq(referee)).and(c.REFEREE_USER_ID.eq(referrer))
                        .and(a.STATUS.ne("rejected")).and(b.STATUS.ne("rejected")).and(c.STATUS.ne("rejected"))
                        .and(a.REFEREE_USER_ID.ne(referrer)).and(b.REFEREE_USER_ID.ne(referee)))
                .limit(MAX_MEMBERS).forEach(r -> { members.add(r.value1()); members.add(r.value2()); members.add(r.value3()); });
        // X → R and X → E: the referrer and the referee are referees of one person.
        tx.select(a.ID, b.ID).from(a).join(b).on(b.TENANT_ID.eq(a.TENANT_ID).and(b.REFERRER_USER_ID.eq(a.REFERRER_USER_ID)))
                .where(a.TENANT_ID.eq(tenant).and(a.REFEREE_USER_ID.eq(referrer)).and(b.REFEREE_USER_ID.eq(referee))
                        .and(a.STATUS.ne("rejected")).and(b.STATUS.ne("rejected")))
                .limit(MAX_MEMBERS).forEach(r -> { members.add(r.value1()); members.add(r.value2()); });
        return new ArrayList<>(members);
    }

    /** The conversions in which the referee referred the referrer (a two-person ring, the {@code referral_ring} signal). */
    static List<UUID> mutual(DSLContext tx, UUID tenant, String referrer, String referee) {
        if (referrer == null || referee == null || referrer.equals(referee)) return List.of();
        return tx.select(REFERRAL_CONVERSIONS.ID).from(REFERRAL_CONVERSIONS)
                .where(REFERRAL_CONVERSIONS.TENANT_ID.eq(tenant).and(REFERRAL_CONVERSIONS.REFERRER_USER_ID.eq(referee))
                        .and(REFERRAL_CONVERSIONS.REFEREE_USER_ID.eq(referrer)).and(REFERRAL_CONVERSIONS.STATUS.ne("rejected")))
                .limit(MAX_MEMBERS).fetch(REFERRAL_CONVERSIONS.ID);
    }
}
