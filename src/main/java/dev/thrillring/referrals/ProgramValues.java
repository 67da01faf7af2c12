package dev.thrillring.referrals;

import org.jooq.DSLContext;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.REFERRAL_CONVERSIONS;

/**
 * What a program's conversions are usually worth: the median of its last 100 approved paid
 * conversions (with at least 10 of them). A value far above it is an outlier; a purchase far
 * below it (a penny purchase that unlocks a reward) is low-value.
 */
final class ProgramValues {
    static final int SAMPLE = 100;
    static final int MIN_SAMPLE = 10;
    static final double OUTLIER_FACTOR = 5.0;
    /** Low: under 2 % of the typical value; before the program has a typical value, under 1.00. */
    static final double LOW_SHARE = 0.02;
    static final BigDecimal LOW_FLOOR = BigDecimal.ONE;

    private ProgramValues() {}

    /** The typical value, or null while the program has fewer than {@link #MIN_SAMPLE} approved paid conversions. */
    static BigDecimal typical(DSLContext tx, UUID tenant, UUID program) {
        List<BigDecimal> recent = tx.select(REFERRAL_CONVERSIONS.CONVERSION_VALUE).from(REFERRAL_CONVERSIONS)
                .where(REFERRAL_CONVERSIONS.TENANT_ID.eq(tenant).and(REFERRAL_CONVERSIONS.PROGRAM_ID.eq(program))
                        .and(REFERRAL_CONVERSIONS.STATUS.eq("approved")).and(REFERRAL_CONVERSIONS.CONVERSION_VALUE.gt(BigDecimal.ZERO)))
                .orderBy(REFERRAL_CONVERSIONS.CREATED_AT.desc()).limit(SAMPLE)
                .fetch(REFERRAL_CONVERSIONS.CONVERSION_VALUE);
        if (recent.size() < MIN_SAMPLE) return null;
        return recent.stream().sorted().toList().get(recent.size() / 2);
    }

    static boolean outlier(BigDecimal value, BigDecimal typical) {
        return typical != null && value != null && value.signum() > 0
                && value.compareTo(typical.multiply(BigDecimal.valueOf(OUTLIER_FACTOR))) > 0;
    }

    /** A paid conversion (purchase or subscription) worth far less than usual; signups carry no value and never count. */
    static boolean low(String type, BigDecimal value, BigDecimal typical) {
        if ("signup".equals(type) || value == null) return false;
        BigDecimal limit = typical == null ? LOW_FLOOR : typical.multiply(BigDecimal.valueOf(LOW_SHARE)).max(new BigDecimal("0.01"));
        return value.compareTo(limit) < 0;
    }
}
