package dev.thrillring.decisions;

import dev.thrillring.engine.model.Outcome;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * What ThrillRing decided about one fact. {@code status} is {@code decided} when this request
 * evaluated it and {@code replayed} when an earlier request with the same fact id already had.
 */
public record Decision(String factId, UUID tenantId, String userId, String type, Instant occurredAt,
                       String status, String ruleSetVersion, List<String> firedRules, List<Outcome> outcomes,
                       int evaluationMicros, OffsetDateTime decidedAt) {

    Decision replayed() {
        return new Decision(factId, tenantId, userId, type, occurredAt, "replayed", ruleSetVersion, firedRules,
                outcomes, evaluationMicros, decidedAt);
    }
}
