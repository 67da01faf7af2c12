package dev.thrillring.decisions;

import dev.thrillring.events.Event;
import dev.thrillring.engine.model.Outcome;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A decision as the write path hands it to its listeners: whose it is, the outcomes the rules
 * gave, and what caused it ({@code source}: a fact id, or {@code conversion-<id>}). Listeners add
 * the events that describe what they persisted with {@link #emit}; the write path appends them
 * to the event log in the decision's transaction.
 */
public record Decided(UUID tenantId, String platform, String userId, List<Outcome> outcomes, String source, Instant at,
                      List<Event> events) {

    public Decided(UUID tenantId, String platform, String userId, List<Outcome> outcomes, String source, Instant at) {
        this(tenantId, platform, userId, outcomes, source, at, new ArrayList<>());
    }

    /** Records an event about this decision's subject; {@code source} and {@code platform} are added to its data. */
    public void emit(String type, Map<String, Object> data) {
        Map<String, Object> all = new LinkedHashMap<>(data);
        all.putIfAbsent("source", source);
        all.putIfAbsent("platform", platform);
        events.add(Event.of(tenantId, type, userId, at, all));
    }
}
