package dev.thrillring.referrals;

import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.impl.DSL;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.REFERRAL_CLICKS;
import static dev.thrillring.db.schema.Tables.REFERRAL_CODES;
import static dev.thrillring.db.schema.Tables.REFERRAL_CONVERSIONS;
import static dev.thrillring.db.schema.Tables.REFERRAL_PROGRAMS;
import static dev.thrillring.db.schema.Tables.REFERRAL_SIGNUPS;
import static org.jooq.Records.mapping;

/** Referral programs, codes and clicks. Runs inside the caller's tenant transaction. */
final class ReferralStore {

    record Program(UUID programId, String programName, String platform, JSONB rewardStructure, JSONB fraudDetectionRules,
                   String landingUrl, String status, OffsetDateTime createdAt) {}

    record Code(UUID codeId, UUID programId, String code, UUID referrerTenantId, String referrerUserId, int usageLimit,
                int usageCount, OffsetDateTime expiryDate, String status, JSONB customRewards, OffsetDateTime createdAt,
                String referrerIp, String referrerDevice, String referrerEmail) {}

    Program insertProgram(DSLContext tx, UUID tenant, String name, String platform, JSONB rewards, JSONB fraud, String landingUrl) {
        return tx.insertInto(REFERRAL_PROGRAMS)
                .set(REFERRAL_PROGRAMS.TENANT_ID, tenant).set(REFERRAL_PROGRAMS.PROGRAM_NAME, name)
                .set(REFERRAL_PROGRAMS.PLATFORM, platform).set(REFERRAL_PROGRAMS.REWARD_STRUCTURE, rewards)
                .set(REFERRAL_PROGRAMS.FRAUD_DETECTION_RULES, fraud).set(REFERRAL_PROGRAMS.LANDING_URL, landingUrl)
                .returningResult(REFERRAL_PROGRAMS.ID, REFERRAL_PROGRAMS.PROGRAM_NAME, REFERRAL_PROGRAMS.PLATFORM,
                        REFERRAL_PROGRAMS.REWARD_STRUCTURE, REFERRAL_PROGRAMS.FRAUD_DETECTION_RULES, REFERRAL_PROGRAMS.LANDING_URL,
                        REFERRAL_PROGRAMS.STATUS, REFERRAL_PROGRAMS.CREATED_AT)
                .fetchOne(mapping(Program::new));
    }

    List<Program> programs(DSLContext tx, UUID tenant) {
        return programSelect(tx).where(REFERRAL_PROGRAMS.TENANT_ID.eq(tenant)).orderBy(REFERRAL_PROGRAMS.CREATED_AT)
                .fetch(mapping(Program::new));
    }

    Optional<Program> programByName(DSLContext tx, UUID tenant, String name) {
        return programSelect(tx).where(REFERRAL_PROGRAMS.TENANT_ID.eq(tenant).and(REFERRAL_PROGRAMS.PROGRAM_NAME.eq(name)))
                .orderBy(REFERRAL_PROGRAMS.CREATED_AT).limit(1).fetchOptional(mapping(Program::new));
    }

    Optional<Program> program(DSLContext tx, UUID tenant, UUID id) {
        return programSelect(tx).where(REFERRAL_PROGRAMS.TENANT_ID.eq(tenant).and(REFERRAL_PROGRAMS.ID.eq(id)))
                .fetchOptional(mapping(Program::new));
    }

    /** Inserts a code unless its text is taken (case-insensitively, across all tenants). */
    Optional<Code> insertCode(DSLContext tx, UUID tenant, UUID program, String code, String referrerUser, int usageLimit,
                              OffsetDateTime expiry, JSONB customRewards, String referrerIp, String referrerDevice, String referrerEmail) {
        return tx.insertInto(REFERRAL_CODES)
                .set(REFERRAL_CODES.TENANT_ID, tenant).set(REFERRAL_CODES.PROGRAM_ID, program).set(REFERRAL_CODES.CODE, code)
                .set(REFERRAL_CODES.REFERRER_TENANT_ID, tenant).set(REFERRAL_CODES.REFERRER_USER_ID, referrerUser)
                .set(REFERRAL_CODES.USAGE_LIMIT, usageLimit).set(REFERRAL_CODES.EXPIRY_DATE, expiry)
                .set(REFERRAL_CODES.CUSTOM_REWARDS, customRewards)
                .set(REFERRAL_CODES.REFERRER_IP, referrerIp).set(REFERRAL_CODES.REFERRER_DEVICE, referrerDevice)
                .set(REFERRAL_CODES.REFERRER_EMAIL, referrerEmail)
                .onConflictDoNothing()
                .returningResult(REFERRAL_CODES.ID, REFERRAL_CODES.PROGRAM_ID, REFERRAL_CODES.CODE, REFERRAL_CODES.REFERRER_TENANT_ID,
                        REFERRAL_CODES.REFERRER_USER_ID, REFERRAL_CODES.USAGE_LIMIT, REFERRAL_CODES.USAGE_COUNT,
                        REFERRAL_CODES.EXPIRY_DATE, REFERRAL_CODES.STATUS, REFERRAL_CODES.CUSTOM_REWARDS, REFERRAL_CODES.CREATED_AT,
                        REFERRAL_CODES.REFERRER_IP, REFERRAL_CODES.REFERRER_DEVICE, REFERRAL_CODES.REFERRER_EMAIL)
                .fetchOptional(mapping(Code::new));
    }

    Optional<Code> code(DSLContext tx, UUID tenant, String code) {
        return tx.select(REFERRAL_CODES.ID, REFERRAL_CODES.PROGRAM_ID, REFERRAL_CODES.CODE, REFERRAL_CODES.REFERRER_TENANT_ID,
                        REFERRAL_CODES.REFERRER_USER_ID, REFERRAL_CODES.USAGE_LIMIT, REFERRAL_CODES.USAGE_COUNT,
                        REFERRAL_CODES.EXPIRY_DATE, REFERRAL_CODES.STATUS, REFERRAL_CODES.CUSTOM_REWARDS, REFERRAL_CODES.CREATED_AT,
                        REFERRAL_CODES.REFERRER_IP, REFERRAL_CODES.REFERRER_DEVICE, REFERRAL_CODES.REFERRER_EMAIL)
                .from(REFERRAL_CODES)
                .where(REFERRAL_CODES.TENANT_ID.eq(tenant).and(DSL.upper(REFERRAL_CODES.CODE).eq(ReferralCodes.normalise(code))))
                .fetchOptional(mapping(Code::new));
    }

    Code codeById(DSLContext tx, UUID tenant, UUID id) {
        return tx.select(REFERRAL_CODES.ID, REFERRAL_CODES.PROGRAM_ID, REFERRAL_CODES.CODE, REFERRAL_CODES.REFERRER_TENANT_ID,
                        REFERRAL_CODES.REFERRER_USER_ID, REFERRAL_CODES.USAGE_LIMIT, REFERRAL_CODES.USAGE_COUNT,
                        REFERRAL_CODES.EXPIRY_DATE, REFERRAL_CODES.STATUS, REFERRAL_CODES.CUSTOM_REWARDS, REFERRAL_CODES.CREATED_AT,
                        REFERRAL_CODES.REFERRER_IP, REFERRAL_CODES.REFERRER_DEVICE, REFERRAL_CODES.REFERRER_EMAIL)
                .from(REFERRAL_CODES).where(REFERRAL_CODES.TENANT_ID.eq(tenant).and(REFERRAL_CODES.ID.eq(id)))
                .fetchOne(mapping(Code::new));
    }

    /**
     * A program's funnel: clicks, signups posted on their own, conversions (signup-type conversions
     * counted apart from paid ones), outcomes by current status, how many the fraud score flagged
     * (reached the review band when scored, whatever a reviewer decided later) and rewards.
     */
    java.util.Map<String, Object> funnel(DSLContext tx, UUID tenant, UUID program, double reviewAt) {
        var conv = REFERRAL_CONVERSIONS;
        var r = tx.select(
                        DSL.selectCount().from(REFERRAL_CLICKS).join(REFERRAL_CODES).on(REFERRAL_CODES.ID.eq(REFERRAL_CLICKS.REFERRAL_CODE_ID))
                                .where(REFERRAL_CLICKS.TENANT_ID.eq(tenant).and(REFERRAL_CODES.PROGRAM_ID.eq(program))).asField("clicks"),
                        DSL.selectCount().from(REFERRAL_SIGNUPS).where(REFERRAL_SIGNUPS.TENANT_ID.eq(tenant).and(REFERRAL_SIGNUPS.PROGRAM_ID.eq(program)))
                                .asField("signups"),
                        DSL.count().as("conversions"),
                        DSL.count().filterWhere(conv.CONVERSION_TYPE.eq("signup")).as("signup_conversions"),
                        DSL.count().filterWhere(conv.CONVERSION_TYPE.ne("signup")).as("paid_conversions"),
                        DSL.count().filterWhere(conv.STATUS.eq("approved")).as("approved"),
                        DSL.count().filterWhere(conv.STATUS.eq("pending_review")).as("in_review"),
                        DSL.count().filterWhere(conv.STATUS.eq("rejected")).as("rejected"),
                        DSL.count().filterWhere(conv.STATUS.eq("refunded")).as("refunded"),
                        DSL.count().filterWhere(conv.AI_VALIDATION_SCORE.ge(java.math.BigDecimal.valueOf(reviewAt))).as("flagged"),
                        DSL.count().filterWhere(conv.BACKFILLED.isTrue()).as("backfilled"),
                        DSL.coalesce(DSL.sum(conv.REWARD_AMOUNT).filterWhere(conv.STATUS.eq("approved")), java.math.BigDecimal.ZERO).as("referrer_rewards"))
                .from(conv).where(conv.TENANT_ID.eq(tenant).and(conv.PROGRAM_ID.eq(program))).fetchOne();
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
        for (var f : r.fields()) out.put(f.getName(), r.get(f));
        // Kept for clients of the first funnel: the same figure as in_review.
        out.put("pending_review", out.get("in_review"));
        return out;
    }

    /** Uses the code once; false when its usage limit is reached (the row check makes over-use impossible). */
    boolean use(DSLContext tx, UUID tenant, UUID code) {
        return tx.update(REFERRAL_CODES).set(REFERRAL_CODES.USAGE_COUNT, REFERRAL_CODES.USAGE_COUNT.plus(1))
                .where(REFERRAL_CODES.TENANT_ID.eq(tenant).and(REFERRAL_CODES.ID.eq(code))
                        .and(REFERRAL_CODES.USAGE_LIMIT.eq(0).or(REFERRAL_CODES.USAGE_COUNT.lt(REFERRAL_CODES.USAGE_LIMIT))))
                .execute() == 1;
    }

    /** Locks the code's row until the transaction ends: conversions of one code run one at a time. */
    void lockCode(DSLContext tx, UUID tenant, UUID code) {
        tx.select(REFERRAL_CODES.ID).from(REFERRAL_CODES).where(REFERRAL_CODES.TENANT_ID.eq(tenant).and(REFERRAL_CODES.ID.eq(code))).forUpdate().fetch();
    }

    /** The tenant a code belongs to, found without a tenant scope through an owner-rights function. */
    Optional<UUID> tenantOfCode(DSLContext dsl, String code) {
        return Optional.ofNullable(dsl.select(DSL.function("referral_code_tenant", UUID.class, DSL.val(code))).fetchOne().value1());
    }

    UUID insertClick(DSLContext tx, UUID tenant, UUID code, String ip, String userAgent, String device) {
        return tx.insertInto(REFERRAL_CLICKS)
                .set(REFERRAL_CLICKS.TENANT_ID, tenant).set(REFERRAL_CLICKS.REFERRAL_CODE_ID, code)
                .set(REFERRAL_CLICKS.IP_ADDRESS, ip).set(REFERRAL_CLICKS.USER_AGENT, userAgent)
                .set(REFERRAL_CLICKS.DEVICE_FINGERPRINT, device)
                .returningResult(REFERRAL_CLICKS.ID).fetchOne().value1();
    }

    int clicks(DSLContext tx, UUID tenant, UUID code) {
        return tx.fetchCount(REFERRAL_CLICKS, REFERRAL_CLICKS.TENANT_ID.eq(tenant).and(REFERRAL_CLICKS.REFERRAL_CODE_ID.eq(code)));
    }

    int conversions(DSLContext tx, UUID tenant, UUID code, String status) {
        var c = REFERRAL_CONVERSIONS.TENANT_ID.eq(tenant).and(REFERRAL_CONVERSIONS.REFERRAL_CODE_ID.eq(code));
        return tx.fetchCount(REFERRAL_CONVERSIONS, status == null ? c : c.and(REFERRAL_CONVERSIONS.STATUS.eq(status)));
    }

    private static org.jooq.SelectJoinStep<org.jooq.Record8<UUID, String, String, JSONB, JSONB, String, String, OffsetDateTime>> programSelect(DSLContext tx) {
        return tx.select(REFERRAL_PROGRAMS.ID, REFERRAL_PROGRAMS.PROGRAM_NAME, REFERRAL_PROGRAMS.PLATFORM,
                REFERRAL_PROGRAMS.REWARD_STRUCTURE, REFERRAL_PROGRAMS.FRAUD_DETECTION_RULES, REFERRAL_PROGRAMS.LANDING_URL,
                REFERRAL_PROGRAMS.STATUS, REFERRAL_PROGRAMS.CREATED_AT).from(REFERRAL_PROGRAMS);
    }
}
