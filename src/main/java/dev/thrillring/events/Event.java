package dev.thrillring.events;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One entry of a tenant's ordered event log. {@code position} orders a tenant's events and has no
 * gaps; {@code subject} is the user the event is about (null for the tenant as a whole).
 */
public record Event(UUID id, UUID tenantId, long position, String type, String subject, Instant occurredAt,
                    Map<String, Object> data) {

    /** An event not yet written: it gets its id now and its position when its transaction ends. */
    public static Event of(UUID tenantId, String type, String subject, Instant occurredAt, Map<String, Object> data) {
        return new Event(UUID.randomUUID(), tenantId, 0, type, subject, occurredAt, data);
    }
}
