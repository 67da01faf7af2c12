package dev.thrillring.referrals;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.REFERRAL_CLICKS;
import static dev.thrillring.db.schema.Tables.REFERRAL_CONVERSIONS;

/**
 * The fraud signals of a conversion, computed from what the service recorded itself (clicks,
 * earlier conversions, the referrer's address and device) rather than taken from the caller.
 * Each signal becomes a boolean {@code signal_<name>} attribute of the {@code referral.converted}
 * fact; the fraud-indicators table decides what each weighs.
 */
final class FraudSignals {
    static final Duration FAST = Duration.ofMinutes(5);
    static final Duration VELOCITY_WINDOW = Duration.ofHours(24);
    static final int VELOCITY_LIMIT = 5;
    static final int SHARED_ADDRESS_LIMIT = 2;
    static final double OUTLIER_FACTOR = 5.0;

    /** What is known about the conversion being checked. */
    record Input(UUID tenant, UUID program, ReferralStore.Code code, String refereeUser, String email, String ip,
                 String device, BigDecimal value, Instant clickedAt, Instant now) {}

    private FraudSignals() {}

    static Map<String, Boolean> compute(DSLContext tx, Input in) {
        Map<String, Boolean> s = new LinkedHashMap<>();
        String referrer = in.code().referrerUserId();
        s.put("self_referral", referrer != null && referrer.equals(in.refereeUser()));
        s.put("same_ip", in.ip() != null && in.ip().equals(in.code().referrerIp()));
        s.put("same_device", in.device() != null && in.device().equals(in.code().referrerDevice()));
        s.put("disposable_email", in.email() != null && EmailAddresses.disposable(in.email()));
        s.put("fast_conversion", in.clickedAt() != null && Duration.between(in.clickedAt(), in.now()).compareTo(FAST) < 0);
        var since = OffsetDateTime.ofInstant(in.now().minus(VELOCITY_WINDOW), ZoneOffset.UTC);
        var byReferrer = REFERRAL_CONVERSIONS.TENANT_ID.eq(in.tenant()).and(REFERRAL_CONVERSIONS.PROGRAM_ID.eq(in.program()))
                .and(REFERRAL_CONVERSIONS.REFERRER_USER_ID.isNotDistinctFrom(referrer));
        s.put("referrer_velocity", tx.fetchCount(REFERRAL_CONVERSIONS, byReferrer.and(REFERRAL_CONVERSIONS.CREATED_AT.ge(since))) >= VELOCITY_LIMIT);
        var sameProgram = REFERRAL_CONVERSIONS.TENANT_ID.eq(in.tenant()).and(REFERRAL_CONVERSIONS.PROGRAM_ID.eq(in.program()))
                .and(REFERRAL_CONVERSIONS.REFEREE_USER_ID.isDistinctFrom(in.refereeUser()));
        boolean duplicate = (in.email() != null && tx.fetchExists(REFERRAL_CONVERSIONS, sameProgram.and(REFERRAL_CONVERSIONS.REFEREE_EMAIL.eq(in.email()))))
                || (in.device() != null && tx.fetchExists(REFERRAL_CONVERSIONS, sameProgram.and(REFERRAL_CONVERSIONS.DEVICE_FINGERPRINT.eq(in.device()))));
        s.put("duplicate_referee", duplicate);
        boolean shared = in.ip() != null && tx.fetchCount(REFERRAL_CONVERSIONS, byReferrer.and(REFERRAL_CONVERSIONS.IP_ADDRESS.eq(in.ip()))
                .and(REFERRAL_CONVERSIONS.CREATED_AT.ge(OffsetDateTime.ofInstant(in.now().minus(Duration.ofDays(30)), ZoneOffset.UTC)))) >= SHARED_ADDRESS_LIMIT;
        s.put("shared_ip_many_referees", shared);
        s.put("value_outlier", outlier(tx, in));
        s.put("referral_ring", referrer != null && in.refereeUser() != null && tx.fetchExists(REFERRAL_CONVERSIONS,
                REFERRAL_CONVERSIONS.TENANT_ID.eq(in.tenant()).and(REFERRAL_CONVERSIONS.REFERRER_USER_ID.eq(in.refereeUser()))
                        .and(REFERRAL_CONVERSIONS.REFEREE_USER_ID.eq(referrer))));
        return s;
    }

    /** A value far above the program's usual (5× the median of its last 100 approved conversions, with at least 10). */
    private static boolean outlier(DSLContext tx, Input in) {
        if (in.value() == null || in.value().signum() <= 0) return false;
        List<BigDecimal> recent = tx.select(REFERRAL_CONVERSIONS.CONVERSION_VALUE).from(REFERRAL_CONVERSIONS)
                .where(REFERRAL_CONVERSIONS.TENANT_ID.eq(in.tenant()).and(REFERRAL_CONVERSIONS.PROGRAM_ID.eq(in.program()))
                        .and(REFERRAL_CONVERSIONS.STATUS.eq("approved")).and(REFERRAL_CONVERSIONS.CONVERSION_VALUE.gt(BigDecimal.ZERO)))
                .orderBy(REFERRAL_CONVERSIONS.CREATED_AT.desc()).limit(100)
                .fetch(REFERRAL_CONVERSIONS.CONVERSION_VALUE);
        if (recent.size() < 10) return false;
        List<BigDecimal> sorted = recent.stream().sorted().toList();
        BigDecimal median = sorted.get(sorted.size() / 2);
        return in.value().compareTo(median.multiply(BigDecimal.valueOf(OUTLIER_FACTOR))) > 0;
    }

    /** The latest click on the code from this device or address (or the named click). */
    static Instant clickTime(DSLContext tx, UUID tenant, UUID code, UUID clickId, String device, String ip) {
        var base = REFERRAL_CLICKS.TENANT_ID.eq(tenant).and(REFERRAL_CLICKS.REFERRAL_CODE_ID.eq(code));
        var match = clickId != null ? REFERRAL_CLICKS.ID.eq(clickId)
                : DSL.or(device == null ? DSL.falseCondition() : REFERRAL_CLICKS.DEVICE_FINGERPRINT.eq(device),
                         ip == null ? DSL.falseCondition() : REFERRAL_CLICKS.IP_ADDRESS.eq(ip));
        var t = tx.select(DSL.max(REFERRAL_CLICKS.CLICKED_AT)).from(REFERRAL_CLICKS).where(base.and(match)).fetchOne().value1();
        return t == null ? null : t.toInstant();
    }

}
