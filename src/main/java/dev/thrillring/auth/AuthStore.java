package dev.thrillring.auth;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.util.Optional;
import java.util.UUID;

/** Resolves a key hash through {@code api_key_principal}, the one owner-rights lookup. */
final class AuthStore {
    private final DSLContext dsl;

    AuthStore(DSLContext dsl) { this.dsl = dsl; }

    /** The active key with that hash, with its tenant, role and bound user; empty when unknown or revoked. */
    Optional<Principal> principalFor(String keyHash) {
        return dsl.select(DSL.field("key_id", UUID.class), DSL.field("tenant_id", UUID.class), DSL.field("role", String.class),
                        DSL.field("user_id", String.class))
                .from(DSL.table("api_key_principal({0})", DSL.val(keyHash)))
                .fetchOptional(r -> Principal.tenant(r.value1().toString(), Role.tenantKeyRole(r.value3()).orElseThrow(), r.value2())
                        .boundTo(r.value4()));
    }

    /** The platform a platform admin key administers, when the key exists and is not revoked. */
    Optional<PlatformKey> platformKeyFor(String keyHash) {
        return dsl.select(DSL.field("key_id", UUID.class), DSL.field("platform", String.class))
                .from(DSL.table("platform_key_principal({0})", DSL.val(keyHash)))
                .fetchOptional(r -> new PlatformKey(r.value1().toString(), r.value2()));
    }

    record PlatformKey(String keyId, String platform) {}
}
