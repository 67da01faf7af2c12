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
 * @param lease             how long a claimed message is hidden from other nodes while it is sent
 * @param disableAfter      an endpoint failing everything for this long is disabled
 * @param rotationOverlap   how long the previous secret still signs after a rotation
 * @param inFlightPerEndpoint at most this many attempts per endpoint at once on one node
 */
public record WebhookSettings(boolean allowHttp, List<Duration> schedule, Duration timeout, Duration poll, Duration lease,
                              Duration disableAfter, Duration rotationOverlap, int inFlightPerEndpoint) {

    /** The Standard Webhooks schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h. */
    public static final List<Duration> STANDARD_SCHEDULE = List.of(Duration.ZERO, Duration.ofSeconds(5), Duration.ofMinutes(5),
            Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(14),
            Duration.ofHours(20), Duration.ofHours(24));

    public WebhookSettings {
        schedule = List.copyOf(schedule);
        if (schedule.isEmpty()) throw new IllegalArgumentException("a retry schedule needs at least one attempt");
        if (lease.compareTo(timeout) <= 0) throw new IllegalArgumentException("the lease must outlast the timeout");
        if (inFlightPerEndpoint < 1) throw new IllegalArgumentException("inFlightPerEndpoint must be at least 1");
    }

    public static final WebhookSettings DEFAULTS = new WebhookSettings(false, STANDARD_SCHEDULE, Duration.ofSeconds(15),
            Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofDays(5), Duration.ofHours(24), 4);

    public static WebhookSettings fromEnv(Map<String, String> env) {
        return DEFAULTS.withAllowHttp(Boolean.parseBoolean(env.getOrDefault("THRILLRING_WEBHOOK_ALLOW_HTTP", "false").trim()));
    }

    public WebhookSettings withAllowHttp(boolean allow) {
        return new WebhookSettings(allow, schedule, timeout, poll, lease, disableAfter, rotationOverlap, inFlightPerEndpoint);
    }

    /** A copy with another schedule, timeout and disabling period (tests compress hours into milliseconds). */
    public WebhookSettings withTiming(List<Duration> schedule, Duration timeout, Duration lease, Duration disableAfter) {
        return new WebhookSettings(allowHttp, schedule, timeout, poll, lease, disableAfter, rotationOverlap, inFlightPerEndpoint);
    }
}
