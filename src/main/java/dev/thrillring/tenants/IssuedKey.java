package dev.thrillring.tenants;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A freshly issued API key; {@code apiKey} is returned this once and never stored. {@code userId}
 * is the end user the key is bound to (requests naming no user are about that user), or null.
 */
public record IssuedKey(UUID keyId, UUID tenantId, String role, String prefix, String apiKey, OffsetDateTime createdAt,
                        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) String userId) {

    public IssuedKey(UUID keyId, UUID tenantId, String role, String prefix, String apiKey, OffsetDateTime createdAt) {
        this(keyId, tenantId, role, prefix, apiKey, createdAt, null);
    }
}
