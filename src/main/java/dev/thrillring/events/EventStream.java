package dev.thrillring.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thrillring.web.Json;
import io.javalin.http.sse.SseClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tenant's event log over Server-Sent Events. Each event's SSE id is its position in the log,
 * so a client that reconnects with {@code Last-Event-ID}, to this node or any other, resumes
 * exactly after the last event it got: positions come from the database, not from this process.
 * Subscribers are pumped from the log when the log's commit notification names their tenant,
 * and on a heartbeat that also keeps idle connections alive and finds closed ones.
 */
public final class EventStream implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventStream.class);
    private static final ObjectMapper JSON = Json.mapper();
    static final int PAGE = 500;

    private final EventService events;
    private final Map<UUID, Set<Subscriber>> byTenant = new ConcurrentHashMap<>();
    private final ExecutorService pumps = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("event-stream-heartbeat").factory());

    public EventStream(EventService events, Duration heartbeatEvery) {
        this.events = events;
        heartbeat.scheduleWithFixedDelay(this::beat, heartbeatEvery.toMillis(), heartbeatEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A tenant's transaction with events committed (the log's notification payload is the tenant id). */
    public void committed(String tenant) {
        UUID id;
        try {
            id = UUID.fromString(tenant);
        } catch (IllegalArgumentException e) {
            return;
        }
        for (Subscriber s : byTenant.getOrDefault(id, Set.of())) pumps.submit(s::pump);
    }

    /** After lost notifications (the listener reconnected): every subscriber reads on. */
    public void resync() {
        byTenant.values().forEach(set -> set.forEach(s -> pumps.submit(s::pump)));
    }

    /** Starts streaming to {@code client} the events after {@code after} that match {@code types}. */
    void subscribe(SseClient client, UUID tenant, long after, EventTypeFilter types) {
        Subscriber s = new Subscriber(client, tenant, after, types);
        Set<Subscriber> set = byTenant.computeIfAbsent(tenant, t -> new CopyOnWriteArraySet<>());
        set.add(s);
        client.onClose(() -> set.remove(s));
        pumps.submit(s::pump);
    }

    private void beat() {
        for (Set<Subscriber> set : byTenant.values()) {
            for (Subscriber s : set) {
                s.beat = true;
                pumps.submit(s::pump);
            }
        }
    }

    /** One connected client; its pump runs on one thread at a time and never misses a wake-up. */
    private final class Subscriber {
        final SseClient client;
        final UUID tenant;
        final EventTypeFilter types;
        long position;
        volatile boolean beat;
        final AtomicInteger wanted = new AtomicInteger();

        Subscriber(SseClient client, UUID tenant, long position, EventTypeFilter types) {
            this.client = client;
            this.tenant = tenant;
            this.position = position;
            this.types = types;
        }

        void pump() {
            if (wanted.getAndIncrement() != 0) return;
            int missed = 1;
            do {
                drain();
                missed = wanted.addAndGet(-missed);
            } while (missed != 0);
        }

        private void drain() {
            if (client.terminated()) {
                byTenant.getOrDefault(tenant, Set.of()).remove(this);
                return;
            }
            try {
                while (true) {
                    EventService.Page page = events.page(tenant, position, types, PAGE);
                    for (Event e : page.events()) {
                        if (client.terminated()) return;
                        client.sendEvent(e.type(), JSON.writeValueAsString(e), Long.toString(e.position()));
                    }
                    boolean more = page.next() > position && page.events().size() == PAGE;
                    position = page.next();
                    if (!more) break;
                }
                if (beat && !client.terminated()) {
                    beat = false;
                    client.sendComment("keep-alive");
                }
            } catch (JsonProcessingException e) {
                log.error("an event could not be written to a stream", e);
            } catch (RuntimeException e) {
                // The database is unavailable or the client is gone: the next wake-up or heartbeat tries again.
                log.debug("event stream of tenant {} paused ({})", tenant, e.toString());
            }
        }
    }

    @Override public void close() {
        heartbeat.shutdownNow();
        byTenant.values().forEach(set -> set.forEach(s -> s.client.close()));
        pumps.shutdownNow();
    }
}
