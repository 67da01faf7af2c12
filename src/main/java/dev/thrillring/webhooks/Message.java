package dev.thrillring.webhooks;

import java.time.Instant;
import java.util.UUID;

/**
 * One event to deliver to one endpoint. {@code webhookId} is the {@code webhook-id} header, the
 * same on every attempt and replay (the receiver's idempotency key).
 */
record Message(UUID id, UUID tenantId, UUID endpointId, String webhookId, UUID eventId, Long eventPosition, String type,
               String body, String status, int attempts, Instant nextAttemptAt, Integer lastStatus, String lastError,
               Instant createdAt, Instant deliveredAt) {
    static final String PENDING = "pending";
    static final String DELIVERED = "delivered";
    static final String DEAD = "dead";

    /** The log view, without the body. */
    View view() {
        return new View(id, webhookId, eventId, eventPosition, type, status, attempts, nextAttemptAt, lastStatus, lastError, createdAt,
                deliveredAt);
    }

    record View(UUID id, String webhookId, UUID eventId, Long eventPosition, String type, String status, int attempts,
                Instant nextAttemptAt, Integer lastStatus, String lastError, Instant createdAt, Instant deliveredAt) {}
}
