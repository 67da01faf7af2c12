package dev.thrillring.auth;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.util.Optional;
import java.util.UUID;

/** Resolves a key hash through {@code api_key_principal}, the one owner-rights lookup. */
final class AuthStore {
    private final DSLContext dsl;

    AuthStore(DSLContext dsl) { this.dsl = dsl; }

    /** The active key with that hash, with its tenant and role; empty when unknown or revoked. */
    Optional<Principal> principalFor(String keyHash) {
        return dsl.select(DSL.field("key_id", UUID.class), DSL.field("tenant_id", UUID.class), DSL.field("role", String.class))
                .from(DSL.table("api_key_principal({0})", DSL.val(keyHash)))
                .fetchOptional(r -> new Principal(r.value1().toString(),
                        Role.tenantKeyRole(r.value3()).orElseThrow(), Optional.of(r.value2())));
    }
}
