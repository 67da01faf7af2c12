package dev.thrillring.tenants;

import org.jooq.DSLContext;

import java.util.Optional;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.API_KEYS;
import static dev.thrillring.db.schema.Tables.PLATFORMS;
import static dev.thrillring.db.schema.Tables.TENANTS;
import static org.jooq.Records.mapping;

/** Tenants, platforms and API keys. Every method runs inside the caller's tenant transaction. */
final class TenantStore {

    boolean platformExists(DSLContext tx, String platform) {
        return tx.fetchExists(PLATFORMS, PLATFORMS.NAME.eq(platform));
    }

    Tenant insert(DSLContext tx, UUID id, String name, String platform, String industry) {
        return tx.insertInto(TENANTS)
                .set(TENANTS.ID, id).set(TENANTS.NAME, name).set(TENANTS.PLATFORM, platform).set(TENANTS.INDUSTRY, industry)
                .returningResult(TENANTS.ID, TENANTS.NAME, TENANTS.PLATFORM, TENANTS.INDUSTRY, TENANTS.STATUS, TENANTS.CREATED_AT)
                .fetchOne(mapping(Tenant::new));
    }

    Optional<Tenant> find(DSLContext tx, UUID id) {
        return tx.select(TENANTS.ID, TENANTS.NAME, TENANTS.PLATFORM, TENANTS.INDUSTRY, TENANTS.STATUS, TENANTS.CREATED_AT)
                .from(TENANTS).where(TENANTS.ID.eq(id))
                .fetchOptional(mapping(Tenant::new));
    }

    /** A key as listed: never its secret or hash. */
    record KeyInfo(UUID keyId, String prefix, String role, java.time.OffsetDateTime createdAt, java.time.OffsetDateTime lastUsedAt,
                   java.time.OffsetDateTime revokedAt,
                   @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) String userId) {}

    java.util.List<KeyInfo> keys(DSLContext tx, UUID tenant) {
        return tx.select(API_KEYS.ID, API_KEYS.PREFIX, API_KEYS.ROLE, API_KEYS.CREATED_AT, API_KEYS.LAST_USED_AT, API_KEYS.REVOKED_AT, API_KEYS.USER_ID)
                .from(API_KEYS).where(API_KEYS.TENANT_ID.eq(tenant)).orderBy(API_KEYS.CREATED_AT)
                .fetch(mapping(KeyInfo::new));
    }

    boolean revoke(DSLContext tx, UUID tenant, UUID key) {
        return tx.update(API_KEYS).set(API_KEYS.REVOKED_AT, org.jooq.impl.DSL.currentOffsetDateTime())
                .where(API_KEYS.TENANT_ID.eq(tenant).and(API_KEYS.ID.eq(key)).and(API_KEYS.REVOKED_AT.isNull())).execute() == 1;
    }

    Integer rateLimit(DSLContext tx, UUID id) {
        return tx.select(TENANTS.RATE_LIMIT_PER_SECOND).from(TENANTS).where(TENANTS.ID.eq(id)).fetchOptional(TENANTS.RATE_LIMIT_PER_SECOND).orElse(null);
    }

    void setRateLimit(DSLContext tx, UUID id, Integer perSecond) {
        tx.update(TENANTS).set(TENANTS.RATE_LIMIT_PER_SECOND, perSecond).where(TENANTS.ID.eq(id)).execute();
    }

    IssuedKey insertKey(DSLContext tx, UUID keyId, UUID tenantId, String role, String prefix, String hash, String key, String userId) {
        return tx.insertInto(API_KEYS)
                .set(API_KEYS.ID, keyId).set(API_KEYS.TENANT_ID, tenantId).set(API_KEYS.ROLE, role)
                .set(API_KEYS.PREFIX, prefix).set(API_KEYS.KEY_HASH, hash).set(API_KEYS.USER_ID, userId)
                .returningResult(API_KEYS.CREATED_AT)
                .fetchOne(r -> new IssuedKey(keyId, tenantId, role, prefix, key, r.value1(), userId));
    }
}
