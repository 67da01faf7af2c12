package dev.thrillring.referrals;

import dev.thrillring.problems.Problem.Violation;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * When a click, signup or conversion happened, as the platform reports it. A platform posts
 * events after the fact (a subscription days after the click) and backfills history, so the
 * time is the caller's, within bounds: at most {@link #SKEW} ahead of the service's clock, and
 * not older than the program's attribution window unless the caller marks the event as a
 * backfill (then at most {@link #BACKFILL_LIMIT} old). Timing signals use this time.
 *
 * @param at         the time the event happened
 * @param backfilled true when the caller flagged the event as a backfill of history
 */
record EventTime(Instant at, boolean backfilled) {
    static final Duration SKEW = Duration.ofMinutes(5);
    static final Duration BACKFILL_LIMIT = Duration.ofDays(730);
    static final String FORMAT = "must be an ISO-8601 time with offset, e.g. 2026-11-24T10:15:30Z";

    /**
     * Reads {@code occurred_at}; absent means now. Adds a violation naming {@code field} and
     * returns null when it is malformed or out of bounds.
     */
    static EventTime of(String raw, Boolean backfill, int windowDays, Instant now, String field, List<Violation> errors) {
        Instant received = now.truncatedTo(ChronoUnit.MICROS);
        boolean flagged = Boolean.TRUE.equals(backfill);
        if (raw == null) {
            if (flagged) {
                errors.add(new Violation("backfill", "needs occurred_at: a backfilled event says when it happened"));
                return null;
            }
            return new EventTime(received, false);
        }
        Instant t;
        try {
            t = OffsetDateTime.parse(raw).toInstant().truncatedTo(ChronoUnit.MICROS);
        } catch (DateTimeParseException e) {
            errors.add(new Violation(field, FORMAT));
            return null;
        }
        if (t.isAfter(received.plus(SKEW))) {
            errors.add(new Violation(field, "is more than " + SKEW.toMinutes() + " minutes ahead of the service's clock"));
            return null;
        }
        if (flagged) {
            if (t.isBefore(received.minus(BACKFILL_LIMIT))) {
                errors.add(new Violation(field, "is more than " + BACKFILL_LIMIT.toDays() + " days old, even for a backfill"));
                return null;
            }
        } else if (t.isBefore(received.minus(Duration.ofDays(windowDays)))) {
            errors.add(new Violation(field, "is older than the program's attribution window of " + windowDays
                    + " days; set \"backfill\": true to record history"));
            return null;
        }
        // A future time within the skew is the caller's clock running ahead: clamp it to now.
        return new EventTime(t.isAfter(received) ? received : t, flagged);
    }
}
