package dev.thrillring.referrals;

import org.jooq.DSLContext;
import org.jooq.JSONB;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.REFERRAL_CLICKS;
import static dev.thrillring.db.schema.Tables.REFERRAL_SIGNUPS;
import static org.jooq.Records.mapping;

/** Clicks and signups posted by a platform's backend, with their own times. Runs inside the caller's tenant transaction. */
final class ReferralEventStore {

    record Signup(UUID signupId, UUID codeId, UUID programId, String refereeUserId, String email, UUID clickId, String ip,
                  String userAgent, String device, OffsetDateTime occurredAt, boolean backfilled) {}

    record Click(UUID clickId, UUID codeId, OffsetDateTime clickedAt) {}

    UUID insertClick(DSLContext tx, UUID tenant, UUID code, RefereeContext who, Instant at, boolean backfilled) {
        return tx.insertInto(REFERRAL_CLICKS)
                .set(REFERRAL_CLICKS.TENANT_ID, tenant).set(REFERRAL_CLICKS.REFERRAL_CODE_ID, code)
                .set(REFERRAL_CLICKS.IP_ADDRESS, who.ip()).set(REFERRAL_CLICKS.USER_AGENT, who.userAgent())
                .set(REFERRAL_CLICKS.DEVICE_FINGERPRINT, who.device())
                .set(REFERRAL_CLICKS.CLICKED_AT, at.atOffset(ZoneOffset.UTC)).set(REFERRAL_CLICKS.BACKFILLED, backfilled)
                .set(REFERRAL_CLICKS.ASSERTED, dev.thrillring.web.Json.jsonb(who.inputs()))
                .returningResult(REFERRAL_CLICKS.ID).fetchOne().value1();
    }

    Optional<Click> click(DSLContext tx, UUID tenant, UUID click) {
        return tx.select(REFERRAL_CLICKS.ID, REFERRAL_CLICKS.REFERRAL_CODE_ID, REFERRAL_CLICKS.CLICKED_AT).from(REFERRAL_CLICKS)
                .where(REFERRAL_CLICKS.TENANT_ID.eq(tenant).and(REFERRAL_CLICKS.ID.eq(click))).fetchOptional(mapping(Click::new));
    }

    UUID insertSignup(DSLContext tx, UUID tenant, ReferralStore.Code code, String referee, UUID click, RefereeContext who,
                      JSONB inputs, Instant at, boolean backfilled) {
        return tx.insertInto(REFERRAL_SIGNUPS)
                .set(REFERRAL_SIGNUPS.TENANT_ID, tenant).set(REFERRAL_SIGNUPS.REFERRAL_CODE_ID, code.codeId())
                .set(REFERRAL_SIGNUPS.PROGRAM_ID, code.programId()).set(REFERRAL_SIGNUPS.REFERRER_USER_ID, code.referrerUserId())
                .set(REFERRAL_SIGNUPS.REFEREE_USER_ID, referee).set(REFERRAL_SIGNUPS.REFEREE_EMAIL, who.email())
                .set(REFERRAL_SIGNUPS.CLICK_ID, click).set(REFERRAL_SIGNUPS.IP_ADDRESS, who.ip())
                .set(REFERRAL_SIGNUPS.USER_AGENT, who.userAgent()).set(REFERRAL_SIGNUPS.DEVICE_FINGERPRINT, who.device())
                .set(REFERRAL_SIGNUPS.INPUTS, inputs)
                .set(REFERRAL_SIGNUPS.OCCURRED_AT, at.atOffset(ZoneOffset.UTC)).set(REFERRAL_SIGNUPS.BACKFILLED, backfilled)
                .onConflictDoNothing()
                .returningResult(REFERRAL_SIGNUPS.ID).fetchOptional().map(r -> r.value1()).orElse(null);
    }

    /** The referee's signup in the program, if the platform posted one. */
    Optional<Signup> signup(DSLContext tx, UUID tenant, UUID program, String referee) {
        return tx.select(REFERRAL_SIGNUPS.ID, REFERRAL_SIGNUPS.REFERRAL_CODE_ID, REFERRAL_SIGNUPS.PROGRAM_ID, REFERRAL_SIGNUPS.REFEREE_USER_ID,
                        REFERRAL_SIGNUPS.REFEREE_EMAIL, REFERRAL_SIGNUPS.CLICK_ID, REFERRAL_SIGNUPS.IP_ADDRESS, REFERRAL_SIGNUPS.USER_AGENT,
                        REFERRAL_SIGNUPS.DEVICE_FINGERPRINT, REFERRAL_SIGNUPS.OCCURRED_AT, REFERRAL_SIGNUPS.BACKFILLED)
                .from(REFERRAL_SIGNUPS)
                .where(REFERRAL_SIGNUPS.TENANT_ID.eq(tenant).and(REFERRAL_SIGNUPS.PROGRAM_ID.eq(program))
                        .and(REFERRAL_SIGNUPS.REFEREE_USER_ID.eq(referee)))
                .fetchOptional(mapping(Signup::new));
    }

    int signups(DSLContext tx, UUID tenant, UUID program) {
        return tx.fetchCount(REFERRAL_SIGNUPS, REFERRAL_SIGNUPS.TENANT_ID.eq(tenant).and(REFERRAL_SIGNUPS.PROGRAM_ID.eq(program)));
    }
}
