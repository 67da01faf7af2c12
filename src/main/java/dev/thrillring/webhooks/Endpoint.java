package dev.thrillring.webhooks;

import dev.thrillring.events.EventTypeFilter;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A registered webhook endpoint. {@code tenantId} is null for a platform-wide endpoint, which
 * receives the events of every tenant of {@code platform}. Secrets never leave the service except
 * once, when they are made; {@code secret} and {@code previousSecret} are as stored, sealed.
 */
record Endpoint(UUID id, UUID tenantId, String platform, String url, String description, List<String> eventTypes,
                Integer rateLimitPerSecond, boolean fifo, String status, String disabledReason, String secret,
                String previousSecret, Instant previousSecretUntil, Instant failingSince, Instant createdAt) {
    static final String ACTIVE = "active";
    static final String PAUSED = "paused";
    static final String DISABLED = "disabled";

    boolean platformWide() { return tenantId == null; }

    EventTypeFilter filter() { return new EventTypeFilter(eventTypes); }

    /** What binds a sealed secret to its endpoint: copied onto another endpoint's row, it does not open. */
    static String aad(UUID id) { return "webhook-endpoint:" + id; }

    /** The secrets (as stored: sealed) that sign a delivery at {@code now}: the current one, and the previous one during a rotation. */
    List<String> signingSecrets(Instant now) {
        if (previousSecret != null && previousSecretUntil != null && previousSecretUntil.isAfter(now)) {
            return List.of(secret, previousSecret);
        }
        return List.of(secret);
    }

    /** What callers see: everything but the secrets. */
    View view() {
        return new View(id, tenantId, platform, url, description, eventTypes, rateLimitPerSecond, fifo, status, disabledReason,
                previousSecretUntil, failingSince, createdAt);
    }

    record View(UUID id, UUID tenantId, String platform, String url, String description, List<String> eventTypes,
                Integer rateLimitPerSecond, boolean fifo, String status, String disabledReason, Instant previousSecretUntil,
                Instant failingSince, Instant createdAt) {}
}
