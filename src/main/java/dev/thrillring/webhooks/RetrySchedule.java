package dev.thrillring.webhooks;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** When the next attempt of a failed message goes out, or that there is none (dead letter). */
final class RetrySchedule {
    /** A Retry-After beyond this is taken as this. */
    static final Duration MAX_RETRY_AFTER = Duration.ofHours(24);
    private final List<Duration> schedule;

    RetrySchedule(List<Duration> schedule) { this.schedule = List.copyOf(schedule); }

    int attempts() { return schedule.size(); }

    /**
     * The delay before attempt {@code attemptsMade + 1}, with ±10 % jitter so endpoints that failed
     * together are not retried together; empty once every attempt is used. A {@code Retry-After}
     * the receiver sent (429, 502, 504) is honoured when it asks for longer.
     */
    Optional<Duration> next(int attemptsMade, Optional<Duration> retryAfter) {
        if (attemptsMade >= schedule.size()) return Optional.empty();
        Duration base = schedule.get(attemptsMade);
        long millis = base.toMillis();
        long jitter = millis / 10;
        long delay = jitter == 0 ? millis : millis + ThreadLocalRandom.current().nextLong(-jitter, jitter + 1);
        Duration d = Duration.ofMillis(Math.max(0, delay));
        if (retryAfter.isPresent() && retryAfter.get().compareTo(d) > 0) d = retryAfter.get();
        return Optional.of(d);
    }

    /** Status codes that ask the sender to slow down. */
    static boolean slowDown(int status) { return status == 429 || status == 502 || status == 504; }

    /** A Retry-After header: delay-seconds or an HTTP date; nonsense is ignored. */
    static Optional<Duration> parseRetryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) return Optional.empty();
        String v = value.trim();
        try {
            long seconds = Long.parseLong(v);
            if (seconds < 0) return Optional.empty();
            return Optional.of(min(Duration.ofSeconds(Math.min(seconds, MAX_RETRY_AFTER.toSeconds()))));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).withZoneSameInstant(ZoneOffset.UTC).toInstant();
                Duration d = Duration.between(now, at);
                return d.isNegative() ? Optional.of(Duration.ZERO) : Optional.of(min(d));
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    private static Duration min(Duration d) { return d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d; }
}
