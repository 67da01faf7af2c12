package dev.thrillring.kafka;

import dev.thrillring.db.TenantScope;
import dev.thrillring.events.Event;
import dev.thrillring.events.EventLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Publishes the event log (the outbox) through an {@link EventPublisher}, at least once and in
 * order per tenant.
 *
 * <p>One loop per node wakes on the event log's notification (or every {@code poll}), asks the
 * database which tenants have events past their published position, and per tenant, in one
 * transaction: locks the tenant's position row ({@code FOR UPDATE SKIP LOCKED}: a tenant another
 * node is publishing is skipped), reads the next events, publishes them, waits for the broker's
 * acknowledgement and moves the position past the acknowledged prefix only. A node that dies
 * mid-batch leaves the position where it was, so the next publisher offers the unacknowledged
 * tail again: duplicates are possible there, losses are not.
 */
public final class OutboxRelay implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

    private final TenantScope scope;
    private final EventPublisher publisher;
    private final KafkaSettings settings;
    private final Clock clock;
    private final MeterRegistry meters;
    private final Counter failures;
    private final Semaphore wake = new Semaphore(0);
    private final Thread loop;
    private volatile boolean running = true;
    private boolean failing;
    /** Per tenant still behind after its last pass, the age in seconds of its oldest unpublished event. */
    private volatile Map<UUID, Double> lag = Map.of();

    public OutboxRelay(TenantScope scope, EventPublisher publisher, KafkaSettings settings, MeterRegistry meters, Clock clock) {
        this.scope = scope;
        this.publisher = publisher;
        this.settings = settings;
        this.clock = clock;
        this.meters = meters;
        this.failures = Counter.builder("kafka.publish.failures").description("batches the broker did not fully acknowledge")
                .register(meters);
        Gauge.builder("kafka.publish.lag", this, OutboxRelay::lagSeconds)
                .description("age of the oldest event not yet acknowledged by Kafka (by its occurred_at), over the tenants this node saw behind")
                .baseUnit("seconds").register(meters);
        this.loop = Thread.ofPlatform().daemon().name("kafka-relay").unstarted(this::run);
    }

    public void start() { loop.start(); }

    /** Something may have been committed: look now rather than at the next poll. */
    public void wake() { wake.release(); }

    /** The largest publish lag this node saw at its last pass, in seconds (0 when every tenant is published). */
    public double lagSeconds() {
        return lag.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    private void run() {
        while (running) {
            try {
                wake.tryAcquire(settings.poll().toMillis(), TimeUnit.MILLISECONDS);
                wake.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
            if (!running) return;
            try {
                tick();
            } catch (RuntimeException e) {
                // The database may be down; the supervisor brings it back and the next poll resumes.
                log.warn("Kafka relay pass failed ({}); retrying at the next poll", e.toString());
            }
        }
    }

    /** One pass over every tenant with unpublished events. */
    void tick() {
        List<UUID> due = PublishedPositions.dueTenants(scope.unscoped());
        Map<UUID, Double> behind = new HashMap<>(lag);
        behind.keySet().retainAll(due);
        for (UUID tenant : due) {
            if (!running) break;
            Pass p = pass(tenant);
            if (p == Pass.BUSY) continue;
            p.lag().ifPresentOrElse(s -> behind.put(tenant, s), () -> behind.remove(tenant));
            if (p.more()) wake();
            if (p.failed()) break; // the broker is in trouble: wait for the next poll rather than try every tenant now
        }
        lag = Map.copyOf(behind);
    }

    /** What one tenant's pass did. */
    record Pass(int published, boolean more, boolean failed, Optional<Double> lag) {
        static final Pass BUSY = new Pass(0, false, false, Optional.empty());
        static final Pass DONE = new Pass(0, false, false, Optional.empty());
    }

    /** Publishes the tenant's next batch and records how far the broker acknowledged it. */
    Pass pass(UUID tenant) {
        Instant now = clock.instant();
        Map<String, Integer> byTopic = new HashMap<>();
        Pass pass = scope.inTenant(tenant, tx -> {
            byTopic.clear(); // a retried transaction starts again
            Optional<Long> position = PublishedPositions.lock(tx, tenant);
            if (position.isEmpty()) return Pass.BUSY; // another node is publishing this tenant
            List<Event> events = EventLog.read(tx, tenant, position.get(), settings.batch());
            if (events.isEmpty()) return Pass.DONE;
            EventPublisher.Published r = publisher.publish(events);
            int n = r.acknowledged();
            if (n > 0) PublishedPositions.advance(tx, tenant, events.get(n - 1).position());
            for (int i = 0; i < n; i++) byTopic.merge(settings.topicOf(events.get(i).type()), 1, Integer::sum);
            Optional<Double> lag;
            if (n < events.size()) {
                lag = Optional.of(age(events.get(n).occurredAt(), now));
            } else if (events.size() == settings.batch()) {
                lag = PublishedPositions.occurredAt(tx, tenant, events.getLast().position() + 1).map(t -> age(t.toInstant(), now));
            } else {
                lag = Optional.empty();
            }
            r.failure().ifPresent(f -> failed(tenant, events.get(n), f));
            return new Pass(n, r.failure().isEmpty() && events.size() == settings.batch(), r.failure().isPresent(), lag);
        });
        byTopic.forEach((topic, n) -> Counter.builder("kafka.events.published")
                .description("events the Kafka brokers acknowledged, by topic").tag("topic", topic).register(meters).increment(n));
        if (pass.published() > 0 && !pass.failed() && failing) {
            failing = false;
            log.info("Kafka publishing works again");
        }
        return pass;
    }

    private void failed(UUID tenant, Event first, Exception f) {
        failures.increment();
        if (!running) return; // closing abandons what is in flight on purpose
        if (!failing) log.warn("Kafka did not acknowledge tenant {}'s events from position {} ({}); they are offered again",
                tenant, first.position(), f.toString());
        failing = true;
    }

    private static double age(Instant occurred, Instant now) {
        return Math.max(0, Duration.between(occurred, now).toMillis() / 1000.0);
    }

    /**
     * Stops at once: the publisher drops what the broker has not acknowledged, so the batch in
     * flight commits only its acknowledged prefix, and the rest is offered again at the next start.
     */
    @Override public void close() {
        running = false;
        wake();
        publisher.close();
        try {
            loop.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (loop.isAlive()) loop.interrupt();
    }
}
