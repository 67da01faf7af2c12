package dev.thrillring.decisions;

import dev.thrillring.engine.model.Fact;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A validated fact as posted. {@code field} is its place in the request ({@code ""} for a single
 * fact, {@code facts[3].} in a batch), used to name fields in errors. {@code payloadHash}
 * identifies the posted content, so a retry with a changed body is told apart from a replay.
 */
record FactInput(String field, String id, UUID tenantId, String userId, String type, Instant occurredAt,
                 Map<String, Object> attributes, String payloadHash) {

    Fact toFact() {
        return new Fact(id, tenantId, userId, type, occurredAt, attributes);
    }
}
