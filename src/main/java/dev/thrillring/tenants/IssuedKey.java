package dev.thrillring.tenants;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A freshly issued API key; {@code apiKey} is returned this once and never stored. */
public record IssuedKey(UUID keyId, UUID tenantId, String role, String prefix, String apiKey, OffsetDateTime createdAt) {}
