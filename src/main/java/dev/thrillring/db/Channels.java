package dev.thrillring.db;

import java.util.Set;
import java.util.UUID;

/**
 * The one place that names the cross-node channels ({@code LISTEN}/{@code NOTIFY}) and this
 * process's node id. A process ignores what it announced itself when the payload carries
 * {@link #NODE}. {@link Listener} refuses a channel not named here.
 */
public final class Channels {
    private Channels() {}

    /** This process, in notifications that must not come back to their sender: one id per process. */
    public static final String NODE = UUID.randomUUID().toString();

    /** A tenant's or platform's active rule set changed: {@code tenant|node|generation} or {@code platform:<name>|node|generation}. */
    public static final String RULE_SETS = "thrillring_rulesets";
    /** Committed score changes of public boards, as JSON with the sender's node. */
    public static final String SCORES = "thrillring_scores";
    /** A tenant's leaderboard privacy choice changed: the tenant id. */
    public static final String PRIVACY = "thrillring_privacy";
    /** An API key was revoked: its id. */
    public static final String KEY_REVOKED = "thrillring_key_revoked";
    /** A tenant's events got positions: the tenant id (wakes event deliveries, streams and publishers). */
    public static final String EVENTS = "thrillring_events";
    /** A transaction that wrote a tenant's events committed: the tenant id (wakes the event sequencer). */
    public static final String EVENTS_WRITTEN = "thrillring_events_written";

    /** Every channel a process may listen on. */
    public static final Set<String> ALL = Set.of(RULE_SETS, SCORES, PRIVACY, KEY_REVOKED, EVENTS, EVENTS_WRITTEN);
}
