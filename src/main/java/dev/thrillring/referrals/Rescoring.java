package dev.thrillring.referrals;

import org.jooq.DSLContext;

import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.REFERRAL_CONVERSIONS;

/**
 * Which earlier conversions a new one casts light on, and what is now known about each. A burst,
 * a shared address or a ring shows only once several conversions exist; the first ones looked
 * ordinary when they were scored. Each candidate gets the signals the new conversion revealed:
 * the referrer's burst (whatever the addresses), the shared address, or its part in a ring.
 */
final class Rescoring {
    private Rescoring() {}

    static Map<UUID, Map<String, Boolean>> candidates(DSLContext tx, FraudSignals.Input in, Map<String, Boolean> signals, UUID current) {
        Map<UUID, Map<String, Boolean>> out = new LinkedHashMap<>();
        String referrer = in.code().referrerUserId();
        if (signals.get("referrer_burst")) {
            List<UUID> members = ReferrerRate.burstMembers(tx, in.tenant(), in.program(), referrer, in.at(), current);
            add(out, members, "referrer_burst");
            if (signals.get("scripted_burst")) add(out, members, "scripted_burst");
        }
        if (signals.get("shared_ip_many_referees")) {
            add(out, tx.select(REFERRAL_CONVERSIONS.ID).from(REFERRAL_CONVERSIONS).where(REFERRAL_CONVERSIONS.TENANT_ID.eq(in.tenant())
                    .and(REFERRAL_CONVERSIONS.PROGRAM_ID.eq(in.program())).and(REFERRAL_CONVERSIONS.REFERRER_USER_ID.isNotDistinctFrom(referrer))
                    .and(REFERRAL_CONVERSIONS.IP_ADDRESS.eq(in.ip())).and(REFERRAL_CONVERSIONS.ID.ne(current))
                    .and(REFERRAL_CONVERSIONS.OCCURRED_AT.ge(in.at().minus(FraudSignals.SHARED_ADDRESS_WINDOW).atOffset(ZoneOffset.UTC))))
                    .limit(200).fetch(REFERRAL_CONVERSIONS.ID), "shared_ip_many_referees");
        }
        if (signals.get("referral_ring")) add(out, ReferralGraph.mutual(tx, in.tenant(), referrer, in.refereeUser()), "referral_ring");
        if (signals.get("referral_cycle")) add(out, ReferralGraph.cycle(tx, in.tenant(), referrer, in.refereeUser()), "referral_cycle");
        out.remove(current);
        return out;
    }

    private static void add(Map<UUID, Map<String, Boolean>> out, List<UUID> ids, String signal) {
        for (UUID id : ids) out.computeIfAbsent(id, k -> new LinkedHashMap<>()).put(signal, true);
    }
}
