package dev.thrillring.webhooks;

import java.time.Duration;
import java.time.Instant;

/**
 * One node's hold on one endpoint: how many attempts are in flight (a slow endpoint fills only
 * its own slots), until when it asked us to slow down, and its rate limit.
 */
final class EndpointGate {
    private final int slots;
    private int inFlight;
    private Instant quietUntil = Instant.EPOCH;
    private Instant nextSlot = Instant.EPOCH;

    EndpointGate(int slots) { this.slots = slots; }

    /** Takes up to {@code wanted} free slots, none while the endpoint asked for quiet; returns how many. */
    synchronized int take(int wanted, Instant now) {
        if (now.isBefore(quietUntil)) return 0;
        int n = Math.min(wanted, slots - inFlight);
        inFlight += Math.max(0, n);
        return Math.max(0, n);
    }

    synchronized int free(Instant now) { return now.isBefore(quietUntil) ? 0 : slots - inFlight; }

    synchronized void release(int n) { inFlight = Math.max(0, inFlight - n); }

    /** True while the endpoint asked for quiet. */
    synchronized boolean isQuiet(Instant now) { return now.isBefore(quietUntil); }

    /** The endpoint answered 429, 502 or 504: nothing more goes to it before {@code until}. */
    synchronized void quiet(Instant until) { if (until.isAfter(quietUntil)) quietUntil = until; }

    /** How long a send must wait to keep under {@code perSecond}; reserves its slot. */
    synchronized Duration pace(Integer perSecond, Instant now) {
        if (perSecond == null || perSecond <= 0) return Duration.ZERO;
        Instant slot = nextSlot.isAfter(now) ? nextSlot : now;
        nextSlot = slot.plusNanos(1_000_000_000L / perSecond);
        return Duration.between(now, slot);
    }
}
