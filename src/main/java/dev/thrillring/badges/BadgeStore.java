package dev.thrillring.badges;

import dev.thrillring.web.Json;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.ACHIEVEMENTS;
import static dev.thrillring.db.schema.Tables.BADGE_CREDENTIALS;
import static dev.thrillring.db.schema.Tables.TENANTS;
import static dev.thrillring.db.schema.Tables.TENANT_ACHIEVEMENTS;

/** Unlocks to claim, achievements to describe, credentials issued. */
final class BadgeStore {
    private static final dev.thrillring.db.schema.tables.BadgeCredentials C = BADGE_CREDENTIALS;

    /** An achievement as the catalogue holds it (the platform's or the tenant's own). */
    record Achievement(UUID id, String key, String name, String description, Map<String, Object> trigger, String platform) {}

    record Unlock(UUID tenantAchievementId, Achievement achievement, String userId, OffsetDateTime unlockedAt) {}

    record Credential(UUID id, UUID tenantId, UUID achievementId, String userId, String subjectKind, String kid, String jwt,
                      OffsetDateTime issuedAt) {}

    Optional<String> tenantName(DSLContext tx, UUID tenant) {
        return tx.select(TENANTS.NAME).from(TENANTS).where(TENANTS.ID.eq(tenant)).fetchOptional(TENANTS.NAME);
    }

    /** The subject's latest unlock of the achievement {@code key}. */
    Optional<Unlock> latestUnlock(DSLContext tx, UUID tenant, String userId, String key) {
        var ta = TENANT_ACHIEVEMENTS;
        var a = ACHIEVEMENTS;
        return tx.select(ta.ID, a.ID, a.ACHIEVEMENT_KEY, a.ACHIEVEMENT_NAME, a.DESCRIPTION, a.TRIGGER_CONDITIONS, a.PLATFORM, ta.USER_ID, ta.UNLOCKED_AT)
                .from(ta).join(a).on(a.ID.eq(ta.ACHIEVEMENT_ID))
                .where(ta.TENANT_ID.eq(tenant)).and(ta.USER_ID.isNotDistinctFrom(userId)).and(a.ACHIEVEMENT_KEY.eq(key))
                .and(ta.UNLOCKED_AT.isNotNull())
                .orderBy(ta.OCCURRENCE.desc()).limit(1)
                .fetchOptional(r -> new Unlock(r.value1(), new Achievement(r.value2(), r.value3(), r.value4(), r.value5(),
                        trigger(r.value6()), r.value7()), r.value8(), r.value9()));
    }

    Optional<Achievement> achievement(DSLContext tx, UUID id) {
        var a = ACHIEVEMENTS;
        return tx.select(a.ID, a.ACHIEVEMENT_KEY, a.ACHIEVEMENT_NAME, a.DESCRIPTION, a.TRIGGER_CONDITIONS, a.PLATFORM).from(a)
                .where(a.ID.eq(id)).fetchOptional(r -> new Achievement(r.value1(), r.value2(), r.value3(), r.value4(), trigger(r.value5()), r.value6()));
    }

    Optional<Credential> credentialOf(DSLContext tx, UUID tenant, UUID tenantAchievement) {
        return tx.selectFrom(C).where(C.TENANT_ID.eq(tenant)).and(C.TENANT_ACHIEVEMENT_ID.eq(tenantAchievement)).fetchOptional(BadgeStore::credential);
    }

    Optional<Credential> credential(DSLContext tx, UUID tenant, UUID id) {
        return tx.selectFrom(C).where(C.TENANT_ID.eq(tenant)).and(C.ID.eq(id)).fetchOptional(BadgeStore::credential);
    }

    void insert(DSLContext tx, UUID id, UUID tenant, Unlock u, String subjectKind, String kid, String jwt) {
        tx.insertInto(C).set(C.ID, id).set(C.TENANT_ID, tenant).set(C.TENANT_ACHIEVEMENT_ID, u.tenantAchievementId())
                .set(C.ACHIEVEMENT_ID, u.achievement().id()).set(C.USER_ID, u.userId()).set(C.SUBJECT_KIND, subjectKind)
                .set(C.KID, kid).set(C.CREDENTIAL_JWT, jwt).execute();
    }

    /** The tenant of a credential (owner-rights lookup, for the public verification page). */
    Optional<UUID> tenantOf(DSLContext dsl, UUID credential) {
        return Optional.ofNullable(dsl.select(DSL.function("badge_credential_tenant", UUID.class, DSL.val(credential))).fetchOne(0, UUID.class));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> trigger(org.jooq.JSONB j) {
        Object o = Json.read(j);
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static Credential credential(dev.thrillring.db.schema.tables.records.BadgeCredentialsRecord r) {
        return new Credential(r.getId(), r.getTenantId(), r.getAchievementId(), r.getUserId(), r.getSubjectKind(), r.getKid(),
                r.getCredentialJwt(), r.getIssuedAt());
    }
}
