package dev.thrillring.kafka;

import dev.thrillring.events.Event;

import java.util.List;
import java.util.Optional;

/**
 * Hands events of one tenant, in log order, to a message broker and says how many of them it
 * acknowledged. The relay ({@link OutboxRelay}) moves the tenant's published position past the
 * acknowledged ones only, so everything after them is offered again: delivery is at least once.
 */
public interface EventPublisher extends AutoCloseable {

    /**
     * The outcome of one call.
     *
     * @param acknowledged how many of the leading events the broker has durably accepted
     *                     (those after the first failure do not count, even if they arrived)
     * @param failure      why the rest were not, if they were not
     */
    record Published(int acknowledged, Optional<Exception> failure) {
        public static Published all(int n) { return new Published(n, Optional.empty()); }
    }

    /** Publishes {@code events} (one tenant's, ascending positions) and waits for the broker's answer. */
    Published publish(List<Event> events);

    /** Stops at once: what was not acknowledged yet is abandoned (it is offered again after a restart). */
    @Override void close();
}
