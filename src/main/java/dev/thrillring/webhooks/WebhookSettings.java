package dev.thrillring.webhooks;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How webhooks are delivered.
 *
 * @param allowHttp         plain {@code http} to loopback addresses (tests, local development);
 *                          {@code THRILLRING_WEBHOOK_ALLOW_HTTP=true}
 * @param schedule          the delay before each attempt: the first is immediate; after the last
 *                          failure the message is dead-lettered
 * @param timeout           one attempt's limit, connection to last byte
 * @param poll              how often the dispatcher looks for work without a wake-up
 * @param lease             how long a claimed message is hidden from other nodes; renewed while this
 *                          node holds it, so a node that dies releases it one lease after its
 *                          last renewal (default 30 s, twice the timeout)
 * @param disableAfter      an endpoint failing everything for this long is disabled
 * @param rotationOverlap   how long the previous secret still signs after a rotation
 * @param inFlightPerEndpoint at most this many attempts per endpoint at once on one node
 * @param keepDelivered     delivered messages and attempts older than this are deleted
 *                          ({@code THRILLRING_WEBHOOK_KEEP_DAYS}, default 30)
 * @param keepDead          dead letters older than this are deleted ({@code THRILLRING_WEBHOOK_KEEP_DEAD_DAYS}, default 30)
 * @param pruneEvery        how often the dispatcher deletes what is past those periods
 */
public record WebhookSettings(boolean allowHttp, List<Duration> schedule, Duration timeout, Duration poll, Duration lease,
                              Duration disableAfter, Duration rotationOverlap, int inFlightPerEndpoint,
                              Duration keepDelivered, Duration keepDead, Duration pruneEvery) {

    /** The Standard Webhooks schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h. */
    public static final List<Duration> STANDARD_SCHEDULE = List.of(Duration.ZERO, Duration.ofSeconds(5), Duration.ofMinutes(5),
            Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(14),
            Duration.ofHours(20), Duration.ofHours(24));

    public WebhookSettings {
        schedule = List.copyOf(schedule);
        if (schedule.isEmpty()) throw new IllegalArgumentException("a retry schedule needs at least one attempt");
        if (lease.compareTo(timeout) <= 0) throw new IllegalArgumentException("the lease must outlast the timeout");
        if (inFlightPerEndpoint < 1) throw new IllegalArgumentException("inFlightPerEndpoint must be at least 1");
        if (keepDelivered.compareTo(Duration.ofHours(1)) < 0 || keepDead.compareTo(Duration.ofHours(1)) < 0) {
            throw new IllegalArgumentException("webhook messages are kept at least an hour");
        }
        if (!pruneEvery.isPositive()) throw new IllegalArgumentException("pruneEvery must be positive");
    }

    public static final WebhookSettings DEFAULTS = new WebhookSettings(false, STANDARD_SCHEDULE, Duration.ofSeconds(15),
            Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofDays(5), Duration.ofHours(24), 4,
            Duration.ofDays(30), Duration.ofDays(30), Duration.ofHours(1));

    public static WebhookSettings fromEnv(Map<String, String> env) {
        WebhookSettings s = DEFAULTS.withAllowHttp(Boolean.parseBoolean(env.getOrDefault("THRILLRING_WEBHOOK_ALLOW_HTTP", "false").trim()));
        return s.withRetention(days(env, "THRILLRING_WEBHOOK_KEEP_DAYS", 30), days(env, "THRILLRING_WEBHOOK_KEEP_DEAD_DAYS", 30), s.pruneEvery);
    }

    private static Duration days(Map<String, String> env, String name, int fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) return Duration.ofDays(fallback);
        try {
            int d = Integer.parseInt(v.trim());
            if (d < 1 || d > 3650) throw new IllegalArgumentException(name + " must be a number of days between 1 and 3650, not " + v);
            return Duration.ofDays(d);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number of days between 1 and 3650, not " + v, e);
        }
    }

    /** A copy with other retention periods and pruning interval. */
    public WebhookSettings withRetention(Duration keepDelivered, Duration keepDead, Duration pruneEvery) {
        return new WebhookSettings(allowHttp, schedule, timeout, poll, lease, disableAfter, rotationOverlap, inFlightPerEndpoint,
                keepDelivered, keepDead, pruneEvery);
    }

    public WebhookSettings withAllowHttp(boolean allow) {
        return new WebhookSettings(allow, schedule, timeout, poll, lease, disableAfter, rotationOverlap, inFlightPerEndpoint,
                keepDelivered, keepDead, pruneEvery);
    }

    /** A copy with another schedule, timeout and disabling period (tests compress hours into milliseconds). */
    public WebhookSettings withTiming(List<Duration> schedule, Duration timeout, Duration lease, Duration disableAfter) {
        return new WebhookSettings(allowHttp, schedule, timeout, poll, lease, disableAfter, rotationOverlap, inFlightPerEndpoint,
                keepDelivered, keepDead, pruneEvery);
    }
}
