package dev.thrillring.rulesets;

import java.util.UUID;
import java.util.function.Consumer;

/**
 * Carries rule set activations between processes that share one database: an activation commits
 * a {@code NOTIFY} on {@link #CHANNEL} with {@code tenant|node}; every other process reloads that
 * tenant. A process skips its own notifications: it installed the change already.
 */
public final class RuleSetNotifier {
    public static final String CHANNEL = "thrillring_rulesets";
    /** This process. */
    public static final String NODE = UUID.randomUUID().toString();

    private RuleSetNotifier() {}

    /** A handler for {@link #CHANNEL} that passes other nodes' tenants to {@code changed}. */
    public static Consumer<String> handler(Consumer<UUID> changed) {
        return payload -> {
            int bar = payload.indexOf('|');
            if (bar > 0 && payload.substring(bar + 1).equals(NODE)) return;
            changed.accept(UUID.fromString(bar > 0 ? payload.substring(0, bar) : payload));
        };
    }
}
