package dev.thrillring.referrals;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.REFERRAL_CLICKS;
import static dev.thrillring.db.schema.Tables.REFERRAL_CONVERSIONS;

/**
 * The fraud signals of a conversion, computed from what the service recorded (clicks, signups,
 * earlier conversions, the referrer's address, device and e-mail) and what a trusted caller
 * asserted about the referee (labelled as such in the conversion's inputs). Timing signals use
 * the events' own times ({@code occurred_at}), so backfilled history is judged as it happened.
 * Each signal becomes a boolean {@code signal_<name>} attribute of the {@code referral.converted}
 * fact; the fraud-indicators table decides what each weighs.
 */
final class FraudSignals {
    static final Duration FAST = Duration.ofMinutes(5);
    static final Duration SHARED_ADDRESS_WINDOW = Duration.ofDays(30);
    static final int SHARED_ADDRESS_LIMIT = 2;

    /** What is known about the conversion being checked; {@code at} is when it happened. */
    record Input(UUID tenant, UUID program, ReferralStore.Code code, String refereeUser, String email, String ip,
                 String device, String type, BigDecimal value, Instant clickedAt, Instant at) {}

    private FraudSignals() {}

    static Map<String, Boolean> compute(DSLContext tx, Input in) {
        Map<String, Boolean> s = new LinkedHashMap<>();
        String referrer = in.code().referrerUserId();
        s.put("self_referral", referrer != null && referrer.equals(in.refereeUser()));
        s.put("email_alias_of_referrer", IdentitySignals.aliasOfReferrer(in.email(), in.code().referrerEmail()));
        boolean sameIp = in.ip() != null && in.ip().equals(in.code().referrerIp());
        boolean sameDevice = in.device() != null && in.device().equals(in.code().referrerDevice());
        s.put("same_ip", sameIp);
        s.put("same_device", sameDevice);
        s.put("disposable_email", in.email() != null && EmailAddresses.disposable(in.email()));
        s.put("fast_conversion", in.clickedAt() != null && !in.clickedAt().isAfter(in.at())
                && Duration.between(in.clickedAt(), in.at()).compareTo(FAST) < 0);
        boolean burst = ReferrerRate.burst(tx, in.tenant(), in.program(), referrer, in.at());
        s.put("referrer_burst", burst);
        s.put("scripted_burst", burst && ReferrerRate.scripted(tx, in.tenant(), in.program(), referrer, in.at(), s.get("fast_conversion")));

        var otherReferees = REFERRAL_CONVERSIONS.TENANT_ID.eq(in.tenant()).and(REFERRAL_CONVERSIONS.PROGRAM_ID.eq(in.program()))
                .and(REFERRAL_CONVERSIONS.REFEREE_USER_ID.isDistinctFrom(in.refereeUser()));
        boolean emailSeen = in.email() != null && tx.fetchExists(REFERRAL_CONVERSIONS, otherReferees.and(REFERRAL_CONVERSIONS.REFEREE_EMAIL.eq(in.email())));
        var deviceSharers = in.device() == null ? DSL.falseCondition() : otherReferees.and(REFERRAL_CONVERSIONS.DEVICE_FINGERPRINT.eq(in.device()));
        boolean deviceSeen = in.device() != null && tx.fetchExists(REFERRAL_CONVERSIONS, deviceSharers);
        s.put("duplicate_referee", emailSeen || deviceSeen);

        var byReferrer = REFERRAL_CONVERSIONS.TENANT_ID.eq(in.tenant()).and(REFERRAL_CONVERSIONS.PROGRAM_ID.eq(in.program()))
                .and(REFERRAL_CONVERSIONS.REFERRER_USER_ID.isNotDistinctFrom(referrer));
        boolean shared = in.ip() != null && tx.fetchCount(REFERRAL_CONVERSIONS, byReferrer.and(REFERRAL_CONVERSIONS.IP_ADDRESS.eq(in.ip()))
                .and(REFERRAL_CONVERSIONS.OCCURRED_AT.ge(OffsetDateTime.ofInstant(in.at().minus(SHARED_ADDRESS_WINDOW), ZoneOffset.UTC)))) >= SHARED_ADDRESS_LIMIT;
        s.put("shared_ip_many_referees", shared);

        BigDecimal typical = ProgramValues.typical(tx, in.tenant(), in.program());
        s.put("value_outlier", ProgramValues.outlier(in.value(), typical));
        boolean low = ProgramValues.low(in.type(), in.value(), typical);
        s.put("low_value", low);
        s.put("referral_ring", !ReferralGraph.mutual(tx, in.tenant(), referrer, in.refereeUser()).isEmpty());
        s.put("referral_cycle", !ReferralGraph.cycle(tx, in.tenant(), referrer, in.refereeUser()).isEmpty());

        // Household evidence: the device and the address are shared (with the referrer, or with an
        // earlier referee on that device), but the person has a distinct, real-looking e-mail and pays.
        boolean sharedDevice = sameDevice || deviceSeen;
        boolean sharedHome = sameIp || (deviceSeen && in.ip() != null
                && tx.fetchExists(REFERRAL_CONVERSIONS, deviceSharers.and(REFERRAL_CONVERSIONS.IP_ADDRESS.eq(in.ip()))));
        boolean paid = !"signup".equals(in.type()) && in.value() != null && in.value().signum() > 0 && !low;
        s.put("household", sharedDevice && sharedHome && paid && !emailSeen && IdentitySignals.realLooking(in.email())
                && !s.get("email_alias_of_referrer") && !s.get("self_referral"));
        return s;
    }

    /**
     * When the referee clicked: the named click, else the latest click on the code from this
     * device or address at or before the conversion's time.
     */
    static Instant clickTime(DSLContext tx, UUID tenant, UUID code, UUID clickId, String device, String ip, Instant at) {
        var base = REFERRAL_CLICKS.TENANT_ID.eq(tenant).and(REFERRAL_CLICKS.REFERRAL_CODE_ID.eq(code));
        var match = clickId != null ? REFERRAL_CLICKS.ID.eq(clickId)
                : DSL.or(device == null ? DSL.falseCondition() : REFERRAL_CLICKS.DEVICE_FINGERPRINT.eq(device),
                         ip == null ? DSL.falseCondition() : REFERRAL_CLICKS.IP_ADDRESS.eq(ip))
                        .and(REFERRAL_CLICKS.CLICKED_AT.le(at.atOffset(ZoneOffset.UTC)));
        var t = tx.select(DSL.max(REFERRAL_CLICKS.CLICKED_AT)).from(REFERRAL_CLICKS).where(base.and(match)).fetchOne().value1();
        return t == null ? null : t.toInstant();
    }
}
