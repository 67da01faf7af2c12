package dev.thrillring.referrals;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.REFERRAL_CONVERSIONS;

/**
 * A referrer's conversion rate against its own history, on the conversions' own times: a burst is
 * at least {@link #MIN_BURST} conversions within {@link #WINDOW}, and at least {@link #FACTOR}
 * times the referrer's usual rate over the previous {@link #HISTORY}. Addresses play no part, so
 * a burst from rotating addresses shows as well as one from a single address; a referrer with a
 * steady large audience raises its own baseline.
 */
final class ReferrerRate {
    static final Duration WINDOW = Duration.ofHours(1);
    static final Duration HISTORY = Duration.ofDays(30);
    static final int MIN_BURST = 4;
    static final double FACTOR = 10.0;
    /** Fast conversions a burst needs to count as scripted. */
    static final int SCRIPTED_MIN = 5;

    private ReferrerRate() {}

    /** True when the conversion at {@code at} (counted) makes a burst for the referrer. */
    static boolean burst(DSLContext tx, UUID tenant, UUID program, String referrer, Instant at) {
        var byReferrer = REFERRAL_CONVERSIONS.TENANT_ID.eq(tenant).and(REFERRAL_CONVERSIONS.PROGRAM_ID.eq(program))
                .and(REFERRAL_CONVERSIONS.REFERRER_USER_ID.isNotDistinctFrom(referrer));
        var windowStart = at.minus(WINDOW).atOffset(ZoneOffset.UTC);
        int recent = 1 + tx.fetchCount(REFERRAL_CONVERSIONS, byReferrer.and(REFERRAL_CONVERSIONS.OCCURRED_AT.between(windowStart, at.atOffset(ZoneOffset.UTC))));
        if (recent < MIN_BURST) return false;
        int before = tx.fetchCount(REFERRAL_CONVERSIONS, byReferrer.and(REFERRAL_CONVERSIONS.OCCURRED_AT.ge(at.minus(HISTORY).atOffset(ZoneOffset.UTC)))
                .and(REFERRAL_CONVERSIONS.OCCURRED_AT.lt(windowStart)));
        double usualPerWindow = before / (double) (HISTORY.toSeconds() / WINDOW.toSeconds() - 1);
        return recent >= FACTOR * usualPerWindow;
    }

    /**
     * A scripted burst: a burst in which at least {@link #SCRIPTED_MIN} and at least half of the
     * conversions in the window (this one included) came within minutes of their click. A genuine audience converts over hours and days after a post;
     * scripts convert right after the click they made.
     */
    static boolean scripted(DSLContext tx, UUID tenant, UUID program, String referrer, Instant at, boolean fast) {
        var inWindow = REFERRAL_CONVERSIONS.TENANT_ID.eq(tenant).and(REFERRAL_CONVERSIONS.PROGRAM_ID.eq(program))
                .and(REFERRAL_CONVERSIONS.REFERRER_USER_ID.isNotDistinctFrom(referrer))
                .and(REFERRAL_CONVERSIONS.OCCURRED_AT.between(at.minus(WINDOW).atOffset(ZoneOffset.UTC), at.atOffset(ZoneOffset.UTC)));
        int all = 1 + tx.fetchCount(REFERRAL_CONVERSIONS, inWindow);
        int fastOnes = (fast ? 1 : 0) + tx.fetchCount(REFERRAL_CONVERSIONS,
                inWindow.and(DSL.jsonbGetAttributeAsText(REFERRAL_CONVERSIONS.SIGNALS, "fast_conversion").eq("true")));
        return fastOnes >= SCRIPTED_MIN && 2 * fastOnes >= all;
    }

    /** The referrer's approved conversions inside the burst window before {@code at}: candidates for re-scoring. */
    static List<UUID> burstMembers(DSLContext tx, UUID tenant, UUID program, String referrer, Instant at, UUID except) {
        return tx.select(REFERRAL_CONVERSIONS.ID).from(REFERRAL_CONVERSIONS)
                .where(REFERRAL_CONVERSIONS.TENANT_ID.eq(tenant).and(REFERRAL_CONVERSIONS.PROGRAM_ID.eq(program))
                        .and(REFERRAL_CONVERSIONS.REFERRER_USER_ID.isNotDistinctFrom(referrer))
                        .and(REFERRAL_CONVERSIONS.OCCURRED_AT.between(at.minus(WINDOW).atOffset(ZoneOffset.UTC), at.atOffset(ZoneOffset.UTC)))
                        .and(REFERRAL_CONVERSIONS.ID.ne(except)))
                .orderBy(REFERRAL_CONVERSIONS.OCCURRED_AT).limit(200).fetch(REFERRAL_CONVERSIONS.ID);
    }
}
