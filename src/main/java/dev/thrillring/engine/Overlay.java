package dev.thrillring.engine;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** A tenant's own rule files on top of its platform's base: one stored rule set version. */
public record Overlay(int version, List<RuleResource> rules) {

    /** Where the registry finds a tenant's active overlay (the rule set versions in PostgreSQL). */
    public interface Source {
        Optional<Overlay> activeOverlay(UUID tenantId);
    }
}
