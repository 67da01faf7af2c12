package dev.thrillring.rulesets;

import java.util.UUID;
import java.util.function.Consumer;

/**
 * Carries rule set activations between processes that share one database: an activation commits
 * a {@code NOTIFY} on {@link #CHANNEL} with {@code tenant|node}, or {@code platform:name|node} for
 * a platform's base; every other process reloads that tenant or platform. A process skips its own
 * notifications: it installed the change already.
 */
public final class RuleSetNotifier {
    public static final String CHANNEL = "thrillring_rulesets";
    static final String PLATFORM_PREFIX = "platform:";
    /** This process. */
    public static final String NODE = UUID.randomUUID().toString();

    private RuleSetNotifier() {}

    /** A handler for {@link #CHANNEL} that passes other nodes' changes to {@code tenant} or {@code platform}. */
    public static Consumer<String> handler(Consumer<UUID> tenant, Consumer<String> platform) {
        return payload -> {
            int bar = payload.indexOf('|');
            if (bar > 0 && payload.substring(bar + 1).equals(NODE)) return;
            String subject = bar > 0 ? payload.substring(0, bar) : payload;
            if (subject.startsWith(PLATFORM_PREFIX)) platform.accept(subject.substring(PLATFORM_PREFIX.length()));
            else tenant.accept(UUID.fromString(subject));
        };
    }
}
