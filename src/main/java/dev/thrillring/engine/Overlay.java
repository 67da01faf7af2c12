package dev.thrillring.engine;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** A tenant's own rule files on top of its platform's base: one stored rule set version. */
public record Overlay(int version, List<RuleResource> rules) {

    /**
     * A tenant's active overlay (none: its platform base) as of one moment, with the activation
     * generation the database was at then (0 when unknown).
     */
    public record Active(Optional<Overlay> overlay, long generation) {}

    /** Where the registry finds a tenant's active overlay (the rule set versions in PostgreSQL). */
    public interface Source {
        Optional<Overlay> activeOverlay(UUID tenantId);

        /** The active overlay with its generation, read at one moment. */
        default Active active(UUID tenantId) { return new Active(activeOverlay(tenantId), 0); }
    }
}
