package dev.thrillring.tenants;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A client business on a platform: the unit of isolation. */
public record Tenant(UUID tenantId, String name, String platform, String industry, String status, OffsetDateTime createdAt) {}
