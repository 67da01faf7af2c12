package dev.thrillring.decisions;

import dev.thrillring.engine.model.Outcome;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A decision as the write path hands it to its listeners: whose it is, the outcomes the rules
 * gave, and what caused it ({@code source}: a fact id, or {@code conversion-<id>}).
 */
public record Decided(UUID tenantId, String platform, String userId, List<Outcome> outcomes, String source, Instant at) {}
