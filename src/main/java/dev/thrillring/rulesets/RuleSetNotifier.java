package dev.thrillring.rulesets;

import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Carries rule set activations between processes that share one database: an activation commits
 * a {@code NOTIFY} on {@link #CHANNEL} with {@code tenant|node|generation}, or
 * {@code platform:name|node|generation} for a platform's base. Every process, the one that
 * activated included, passes it on with its generation; the receiver reloads unless it already
 * serves that generation or a newer one. (A process applying its own notices corrects a swap of its
 * own that lost a race; the generation makes that a no-op in the usual case.)
 */
public final class RuleSetNotifier {
    public static final String CHANNEL = dev.thrillring.db.Channels.RULE_SETS;
    static final String PLATFORM_PREFIX = "platform:";
    /** This process. */
    public static final String NODE = dev.thrillring.db.Channels.NODE;

    private RuleSetNotifier() {}

    /** A handler for {@link #CHANNEL} that passes each change with its generation (0: unknown) to {@code tenant} or {@code platform}. */
    public static Consumer<String> handler(BiConsumer<UUID, Long> tenant, BiConsumer<String, Long> platform) {
        return payload -> {
            String[] parts = payload.split("\\|");
            String subject = parts[0];
            long generation = parts.length > 2 ? Long.parseLong(parts[2]) : 0;
            if (subject.startsWith(PLATFORM_PREFIX)) platform.accept(subject.substring(PLATFORM_PREFIX.length()), generation);
            else tenant.accept(UUID.fromString(subject), generation);
        };
    }
}
