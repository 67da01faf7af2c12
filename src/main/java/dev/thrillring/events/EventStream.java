package dev.thrillring.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thrillring.auth.Principal;
import dev.thrillring.problems.Problem;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

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

    /** At most this many open streams per API key (or token subject) on one node. */
    public static final int PER_KEY = 10;
    /** At most this many open streams per tenant on one node. */
    public static final int PER_TENANT = 100;

    private final EventService events;
    private final Function<String, Principal> authenticate;
    private final int perKey;
    private final int perTenant;
    private final Map<String, Integer> openPerKey = new ConcurrentHashMap<>();
    private final Map<UUID, Integer> openPerTenant = new ConcurrentHashMap<>();
    private final Map<UUID, Set<Subscriber>> byTenant = new ConcurrentHashMap<>();
    private final ExecutorService pumps = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("event-stream-heartbeat").factory());

    /**
     * @param authenticate the caller of an {@code Authorization} header, or a {@link Problem} when
     *                     it names no active key: each heartbeat asks again and closes streams of
     *                     revoked or expired credentials
     */
    public EventStream(EventService events, Duration heartbeatEvery, Function<String, Principal> authenticate, int perKey, int perTenant) {
        this.events = events;
        this.authenticate = authenticate;
        this.perKey = perKey;
        this.perTenant = perTenant;
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

    /** A stream's place under the caps, given back exactly once when it ends. */
    final class Slot {
        private final String key;
        private final UUID tenant;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(String key, UUID tenant) {
            this.key = key;
            this.tenant = tenant;
        }

        void release() {
            if (!released.compareAndSet(false, true)) return;
            synchronized (EventStream.this) {
                openPerKey.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
                openPerTenant.computeIfPresent(tenant, (k, n) -> n <= 1 ? null : n - 1);
            }
        }
    }

    /** Takes a place for one more stream of {@code key} to {@code tenant}, or refuses with 429. */
    synchronized Slot reserve(String key, UUID tenant) {
        int k = openPerKey.getOrDefault(key, 0);
        int t = openPerTenant.getOrDefault(tenant, 0);
        if (k >= perKey) throw new Problem.TooManyRequests("at most " + perKey + " open event streams per API key; close one first", 15, perKey);
        if (t >= perTenant) throw new Problem.TooManyRequests("at most " + perTenant + " open event streams per tenant; close one first", 15, perTenant);
        openPerKey.put(key, k + 1);
        openPerTenant.put(tenant, t + 1);
        return new Slot(key, tenant);
    }

    /** Starts streaming to {@code client} the events after {@code after} that match {@code types}. */
    void subscribe(SseClient client, UUID tenant, long after, EventTypeFilter types, Slot slot, String authorization) {
        Subscriber s = new Subscriber(client, tenant, after, types, slot, authorization);
        Set<Subscriber> set = byTenant.computeIfAbsent(tenant, t -> new CopyOnWriteArraySet<>());
        set.add(s);
        client.onClose(() -> s.end());
        pumps.submit(s::pump);
    }

    private void beat() {
        for (Set<Subscriber> set : byTenant.values()) {
            for (Subscriber s : set) {
                s.beat = true;
                pumps.submit(() -> {
                    if (s.stillAllowed()) s.pump();
                    else s.client.close();
                });
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
        final Slot slot;
        final String authorization;

        Subscriber(SseClient client, UUID tenant, long position, EventTypeFilter types, Slot slot, String authorization) {
            this.client = client;
            this.tenant = tenant;
            this.position = position;
            this.types = types;
            this.slot = slot;
            this.authorization = authorization;
        }

        void end() {
            byTenant.getOrDefault(tenant, Set.of()).remove(this);
            slot.release();
        }

        /** The credential that opened the stream still names an active key that reaches the tenant. */
        boolean stillAllowed() {
            try {
                events.authorise(authenticate.apply(authorization), tenant);
                return true;
            } catch (Problem.Unauthenticated | Problem.Forbidden | Problem.NotFound refused) {
                log.info("event stream of tenant {} closed: its credential no longer reaches it ({})", tenant, refused.getMessage());
                end();
                return false;
            } catch (RuntimeException unavailable) {
                return true; // the database may be down: the stream pauses, the next heartbeat asks again
            }
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
                end();
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
