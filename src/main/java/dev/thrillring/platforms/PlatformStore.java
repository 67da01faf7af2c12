package dev.thrillring.platforms;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.PLATFORM_ADMIN_KEYS;
import static org.jooq.Records.mapping;

/** Platform rows: the registered platforms, their admin keys, and the list of their tenants. */
final class PlatformStore {

    /** A platform admin key as listed: never its secret. */
    record KeyInfo(UUID keyId, String prefix, String createdBy, OffsetDateTime createdAt, OffsetDateTime lastUsedAt,
                   OffsetDateTime revokedAt) {}

    /** A tenant of the platform, as its admin sees it in the list. */
    record TenantRow(UUID tenantId, String name, String industry, String status, OffsetDateTime createdAt) {}

    OffsetDateTime insertKey(DSLContext tx, UUID id, String platform, String prefix, String hash, String createdBy) {
        return tx.insertInto(PLATFORM_ADMIN_KEYS)
                .set(PLATFORM_ADMIN_KEYS.ID, id).set(PLATFORM_ADMIN_KEYS.PLATFORM, platform)
                .set(PLATFORM_ADMIN_KEYS.PREFIX, prefix).set(PLATFORM_ADMIN_KEYS.KEY_HASH, hash)
                .set(PLATFORM_ADMIN_KEYS.CREATED_BY, createdBy)
                .returningResult(PLATFORM_ADMIN_KEYS.CREATED_AT).fetchOne(r -> r.value1());
    }

    List<KeyInfo> keys(DSLContext tx, String platform) {
        return tx.select(PLATFORM_ADMIN_KEYS.ID, PLATFORM_ADMIN_KEYS.PREFIX, PLATFORM_ADMIN_KEYS.CREATED_BY, PLATFORM_ADMIN_KEYS.CREATED_AT,
                        PLATFORM_ADMIN_KEYS.LAST_USED_AT, PLATFORM_ADMIN_KEYS.REVOKED_AT)
                .from(PLATFORM_ADMIN_KEYS).where(PLATFORM_ADMIN_KEYS.PLATFORM.eq(platform))
                .orderBy(PLATFORM_ADMIN_KEYS.CREATED_AT, PLATFORM_ADMIN_KEYS.ID)
                .fetch(mapping(KeyInfo::new));
    }

    boolean revoke(DSLContext tx, String platform, UUID key) {
        return tx.update(PLATFORM_ADMIN_KEYS).set(PLATFORM_ADMIN_KEYS.REVOKED_AT, DSL.currentOffsetDateTime())
                .where(PLATFORM_ADMIN_KEYS.PLATFORM.eq(platform).and(PLATFORM_ADMIN_KEYS.ID.eq(key))
                        .and(PLATFORM_ADMIN_KEYS.REVOKED_AT.isNull()))
                .execute() == 1;
    }

    /** Through the owner-rights function: tenants rows are otherwise visible one tenant at a time. */
    List<TenantRow> tenants(DSLContext tx, String platform) {
        return tx.select(DSL.field("id", UUID.class), DSL.field("name", String.class), DSL.field("industry", String.class),
                        DSL.field("status", String.class), DSL.field("created_at", OffsetDateTime.class))
                .from(DSL.table("platform_tenants({0})", DSL.val(platform)))
                .fetch(mapping(TenantRow::new));
    }
}
