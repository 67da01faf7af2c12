package dev.thrillring.webhooks;

import dev.thrillring.events.EventTypeFilter;
import dev.thrillring.db.TenantScope;
import dev.thrillring.events.Event;
import dev.thrillring.events.EventLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Delivers the outbox to webhook endpoints, after commit and never inside a request.
 *
 * <p>One loop per node wakes on the event log's notification (or every {@code poll}), asks the
 * database which tenants have work, and per tenant, in one transaction: turns new events into
 * messages for each matching endpoint (the cursor moves only from where it was read, so two nodes
 * never both do it), then claims due messages ({@code FOR UPDATE SKIP LOCKED}, hidden for a lease
 * while they are sent) for workers on virtual threads, which go on claiming for their endpoint
 * while it has due messages. An endpoint has a few slots per node, so a slow
 * endpoint fills only its own and never delays the others. A node that dies mid-send leaves a
 * claimed message that reappears when its lease ends: delivery is at least once.
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    static final int PAGE = 500;
    static final String USER_AGENT = "ThrillRing-Webhooks/1";

    private final TenantScope scope;
    private final WebhookSettings settings;
    private final RetrySchedule schedule;
    private final Function<UUID, Optional<String>> platformOf;
    private final Clock clock;
    private final dev.thrillring.db.SecretSeal seal;
    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<UUID, EndpointGate> gates = new ConcurrentHashMap<>();
    private final Semaphore wake = new Semaphore(0);
    private final Thread loop;
    private final Thread recorder;
    private final Thread renewer;
    private volatile boolean running = true;

    private final MeterRegistry meters;
    private final Timer latency;
    private final Map<UUID, Double> lagSeconds = new ConcurrentHashMap<>();
    private final Map<UUID, UUID> lagTenant = new ConcurrentHashMap<>();
    private final Map<UUID, Instant> lagMeasured = new ConcurrentHashMap<>();

    public Dispatcher(TenantScope scope, WebhookSettings settings, Function<UUID, Optional<String>> platformOf,
                      dev.thrillring.db.SecretSeal seal, MeterRegistry meters, Clock clock) {
        this.scope = scope;
        this.seal = seal;
        this.settings = settings;
        this.schedule = new RetrySchedule(settings.schedule());
        this.platformOf = platformOf;
        this.clock = clock;
        this.meters = meters;
        this.latency = Timer.builder("webhook.attempt.latency").description("time from request to response of one webhook attempt")
                .publishPercentileHistogram().register(meters);
        this.loop = Thread.ofPlatform().daemon().name("webhook-dispatcher").unstarted(this::run);
        this.recorder = Thread.ofPlatform().daemon().name("webhook-recorder").unstarted(this::recordLoop);
        this.renewer = Thread.ofPlatform().daemon().name("webhook-leases").unstarted(this::renewLoop);
    }

    public void start() {
        recorder.start();
        renewer.start();
        loop.start();
    }

    /** Something may have been committed: look for work now rather than at the next poll. */
    public void wake() { wake.release(); }

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
                // Wake-ups that arrive together (commits, freed slots) share one pass: at most one every few ms.
                Thread.sleep(TICK_SPACING);
                wake.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
            try {
                tick();
            } catch (RuntimeException e) {
                // The database may be down; the supervisor brings it back and the next poll resumes.
                log.warn("webhook dispatch failed ({}); retrying at the next poll", e.toString());
            }
        }
    }

    /** The least time between two passes; bounds the passes (each a few statements) under a stream of wake-ups. */
    static final Duration TICK_SPACING = Duration.ofMillis(10);

    private Instant lastPrune = Instant.EPOCH;
    static final int PRUNE_BATCH = 5000;

    /** Deletes what is past its retention, a batch at a time, at most every {@code pruneEvery}; how many rows. */
    int prune() {
        int total = 0;
        for (int n; (n = WebhookStore.prune(scope.unscoped(), settings.keepDelivered(), settings.keepDead(), PRUNE_BATCH)) > 0; ) {
            total += n;
            if (!running) break;
        }
        if (total > 0) log.info("webhook retention deleted {} messages and attempts", total);
        return total;
    }

    /** One pass over every tenant with work. */
    void tick() {
        Instant now = clock.instant();
        if (!Duration.between(lastPrune, now).minus(settings.pruneEvery()).isNegative()) {
            lastPrune = now;
            try {
                prune();
            } catch (RuntimeException e) {
                log.warn("webhook retention failed ({}); retrying in {}", e.toString(), settings.pruneEvery());
            }
        }
        for (UUID tenant : WebhookStore.dueTenants(scope.unscoped())) {
            Optional<String> platform = platformOf.apply(tenant);
            if (platform.isEmpty()) continue;
            try {
                pass(tenant, platform.get());
                // Each tenant's lag at most once a second, from its first pass on.
                Instant last = lagMeasured.get(tenant);
                if (last == null || Duration.between(last, now).compareTo(Duration.ofSeconds(1)) >= 0) {
                    lagMeasured.put(tenant, now);
                    measureLag(tenant);
                }
            } catch (RuntimeException e) {
                log.warn("webhook dispatch for tenant {} failed ({})", tenant, e.toString());
            }
        }
    }

    /**
     * New events become messages for each active endpoint that subscribed to their type. The
     * events are read and the bodies made before anything is written: the transaction takes its
     * id (which holds back every tenant's event positions, {@link EventLog#sequence}) only at the
     * cursor's move, just before its commit. The move is conditional on the position read, so of
     * two nodes that read the same events only the first inserts them; the other's update waits
     * for its commit, then matches nothing.
     */
    private void fanOut(DSLContext tx, UUID tenant, List<Endpoint> endpoints) {
        if (endpoints.isEmpty()) return;
        // Only endpoints behind the log's end are read: a pass with nothing new writes nothing.
        long end = WebhookStore.logEnd(tx, tenant);
        Map<UUID, Long> cursors = WebhookStore.cursors(tx, tenant);
        for (Endpoint e : endpoints) {
            Long seen = cursors.get(e.id());
            if (seen == null) seen = WebhookStore.createCursor(tx, tenant, e.id()); // a tenant that joined the platform later
            if (seen >= end) continue;
            List<Event> events = EventLog.read(tx, tenant, seen, PAGE);
            if (events.isEmpty()) continue;
            EventTypeFilter filter = e.filter();
            List<Message> messages = new ArrayList<>();
            for (Event ev : events) if (filter.matches(ev.type())) messages.add(messageFor(e.id(), ev));
            if (!WebhookStore.moveCursor(tx, tenant, e.id(), seen, events.getLast().position())) continue; // another node did it
            WebhookStore.insertMessages(tx, messages);
            if (events.size() == PAGE) wake(); // more to read
        }
    }

    /** The message an event becomes: {@code {type, timestamp, data}} with the tenant and the subject. */
    static Message messageFor(UUID endpoint, Event ev) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("event_id", ev.id());
        data.put("position", ev.position());
        data.put("tenant_id", ev.tenantId());
        data.put("subject", ev.subject());
        ev.data().forEach(data::putIfAbsent);
        return new Message(UUID.randomUUID(), ev.tenantId(), endpoint, webhookId(ev.id()), ev.id(), ev.position(), ev.type(),
                body(ev.type(), ev.occurredAt(), data), Message.PENDING, 0, Instant.EPOCH, null, null, null, null);
    }

    static String webhookId(UUID eventId) { return "msg_" + eventId.toString().replace("-", ""); }

    static String body(String type, Instant timestamp, Map<String, Object> data) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type);
        body.put("timestamp", timestamp.toString());
        body.put("data", data);
        try {
            return dev.thrillring.web.Json.mapper().writeValueAsString(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("event data cannot be serialised", e);
        }
    }

    /**
     * Each slot takes this many messages per claim, sent one after another, so a claim is not a
     * round trip per message. The lease no longer grows with it: it is renewed while held.
     */
    static final int PER_SLOT = 32;

    /** Messages one endpoint's claim took, sent by as many workers as it had free slots. */
    private final class Batch {
        volatile Endpoint endpoint;
        final UUID tenant;
        final java.util.concurrent.ConcurrentLinkedQueue<Message> queue;

        Batch(Endpoint endpoint, UUID tenant, List<Message> messages) {
            this.endpoint = endpoint;
            this.tenant = tenant;
            this.queue = new java.util.concurrent.ConcurrentLinkedQueue<>(messages);
        }

        /**
         * One worker: sends until the batch is empty and its endpoint has no more due messages, the
         * endpoint asks for quiet, or the node stops; then frees its slot.
         */
        void work() {
            EndpointGate gate = gate(endpoint.id());
            try {
                Message m;
                while (running && !gate.isQuiet(clock.instant()) && ((m = queue.poll()) != null || (refill() && (m = queue.poll()) != null))) {
                    if (!leaseCovers(m)) renewLeases(); // the claim waited long (a loaded machine)
                    if (!leaseCovers(m)) {
                        // The lease could not be renewed (database unavailable): the message is not
                        // sent on it; another node, or this one, claims it again when the lease ends.
                        held.remove(m.id());
                        continue;
                    }
                    deliver(endpoint, m);
                }
                if (!queue.isEmpty() && (!running || gate.isQuiet(clock.instant()))) giveBack(this);
            } finally {
                gate.release(1);
                if (queue.isEmpty()) batches.remove(this);
                wake();
            }
        }

        /**
         * Claims the endpoint's next due messages into this batch, in a transaction of their own:
         * a busy endpoint's workers go on without waiting for a pass. The endpoint is read again,
         * so a paused, disabled or changed one is seen; a FIFO endpoint's next message is due only
         * once this one's outcome is written, so it waits for the pass the recorder wakes.
         */
        boolean refill() {
            if (endpoint.fifo()) return false;
            Instant now = clock.instant();
            Instant leaseUntil = leaseFrom(now);
            UUID id = endpoint.id();
            List<Message> ms;
            try {
                claimers.acquireUninterruptibly();
                ms = scope.inTenant(tenant, tx -> {
                    Optional<Endpoint> current = WebhookStore.endpoint(tx, id);
                    if (current.isEmpty() || !current.get().status().equals(Endpoint.ACTIVE) || current.get().fifo()) return List.of();
                    endpoint = current.get();
                    return WebhookStore.claim(tx, tenant, id, PER_SLOT, false, now, leaseUntil, schedule.attempts());
                });
            } catch (RuntimeException e) {
                log.warn("webhook claim for endpoint {} failed ({}); the next pass retries", id, e.toString());
                return false;
            } finally {
                claimers.release();
            }
            if (ms.isEmpty()) return false;
            for (Message m : ms) held.put(m.id(), new Held(tenant, m.attempts(), leaseUntil));
            queue.addAll(ms);
            return true;
        }
    }

    private final Set<Batch> batches = ConcurrentHashMap.newKeySet();

    /** Workers claiming at once, at most: many busy endpoints must not take every pooled connection from requests. */
    private final Semaphore claimers = new Semaphore(2);

    /** Messages claimed but not sent (the endpoint asked for quiet, or the node stops) are due again at once. */
    private void giveBack(Batch b) {
        List<Message> back = new ArrayList<>();
        for (Message m; (m = b.queue.poll()) != null; ) back.add(m);
        if (back.isEmpty()) return;
        try {
            scope.inTenant(b.tenant, tx -> WebhookStore.release(tx, back, clock.instant()));
        } catch (RuntimeException e) {
            log.warn("claimed webhook messages not released ({}); they return when their lease ends", e.toString());
        } finally {
            back.forEach(m -> held.remove(m.id()));
        }
    }

    // ---- leases -------------------------------------------------------------------------------

    /** A message this node claimed and has not settled: its tenant, the attempt its claim counted, and its lease as last written. */
    private static final class Held {
        final UUID tenant;
        final int attempt;
        volatile Instant leaseUntil;

        Held(UUID tenant, int attempt, Instant leaseUntil) {
            this.tenant = tenant;
            this.attempt = attempt;
            this.leaseUntil = leaseUntil;
        }
    }

    private final Map<UUID, Held> held = new ConcurrentHashMap<>();

    /**
     * How often held leases are renewed: twice per spare time of the lease over the timeout, so a
     * renewed lease always outlasts a send started on it, even when the next renewal fails.
     */
    Duration renewEvery() {
        Duration spare = settings.lease().minus(settings.timeout());
        return spare.dividedBy(2).compareTo(Duration.ofMillis(50)) < 0 ? Duration.ofMillis(50) : spare.dividedBy(2);
    }

    /** True when {@code m}'s lease, as last written, outlasts a send started now (by a quarter of the spare time). */
    private boolean leaseCovers(Message m) {
        Held h = held.get(m.id());
        if (h == null) return false;
        Duration margin = settings.lease().minus(settings.timeout()).dividedBy(4);
        return !h.leaseUntil.isBefore(clock.instant().plus(settings.timeout()).plus(margin));
    }

    /**
     * Extends the lease of every message this node holds, a statement per tenant. A node that dies
     * stops renewing, so what it held is due again one lease (default 30 s) after its last renewal.
     */
    synchronized void renewLeases() {
        Map<UUID, List<WebhookStore.Lease>> byTenant = new HashMap<>();
        held.forEach((id, h) -> byTenant.computeIfAbsent(h.tenant, t -> new ArrayList<>()).add(new WebhookStore.Lease(id, h.attempt, h.leaseUntil)));
        for (var e : byTenant.entrySet()) {
            Instant until = leaseFrom(clock.instant());
            try {
                for (UUID id : scope.inTenant(e.getKey(), tx -> WebhookStore.renew(tx, e.getValue(), until))) {
                    Held h = held.get(id);
                    if (h != null) h.leaseUntil = until;
                }
            } catch (RuntimeException ex) {
                log.warn("webhook leases of tenant {} not renewed ({}); messages whose lease runs short are not sent", e.getKey(), ex.toString());
            }
        }
    }

    /** A lease from {@code now}, to the microsecond (as the database keeps it, so a renewal finds the value it wrote). */
    private Instant leaseFrom(Instant now) { return now.plus(settings.lease()).truncatedTo(java.time.temporal.ChronoUnit.MICROS); }

    private void renewLoop() {
        while (running) {
            try {
                Thread.sleep(renewEvery());
            } catch (InterruptedException e) {
                return;
            }
            if (!held.isEmpty()) renewLeases();
        }
    }

    /**
     * One tenant's share of a pass, in one transaction: new events become messages, then each
     * endpoint with free slots claims its due messages (those just made included), which are sent
     * outside the transaction. Workers keep claiming for their endpoint while it has due messages
     * ({@link Batch#refill}), so a pass only starts them.
     */
    private void pass(UUID tenant, String platform) {
        Instant now = clock.instant();
        Instant leaseUntil = leaseFrom(now);
        Map<UUID, Integer> taken = new HashMap<>();
        List<Batch> claimed;
        try {
            claimed = scope.inTenant(tenant, tx -> {
                taken.forEach((id, n) -> gate(id).release(n)); // a retried transaction starts again
                taken.clear();
                List<Endpoint> endpoints = WebhookStore.activeFor(tx, tenant, platform);
                fanOut(tx, tenant, endpoints);
                List<Batch> out = new ArrayList<>();
                Map<UUID, Endpoint> active = endpoints.stream().collect(Collectors.toMap(Endpoint::id, e -> e));
                for (UUID id : WebhookStore.endpointsWithDueMessages(tx, tenant, now)) {
                    Endpoint e = active.get(id);
                    if (e == null) continue; // paused or disabled: its messages wait
                    EndpointGate gate = gate(id);
                    int slots = gate.take(e.fifo() ? 1 : settings.inFlightPerEndpoint(), now);
                    if (slots == 0) continue;
                    taken.put(id, slots);
                    List<Message> ms = WebhookStore.claim(tx, tenant, id, e.fifo() ? 1 : slots * PER_SLOT, e.fifo(), now, leaseUntil,
                            schedule.attempts());
                    int workers = Math.min(slots, ms.size());
                    gate.release(slots - workers);
                    taken.put(id, workers);
                    if (workers > 0) out.add(new Batch(e, tenant, ms));
                }
                return out;
            });
        } catch (RuntimeException e) {
            taken.forEach((id, n) -> gate(id).release(n));
            throw e;
        }
        for (Batch b : claimed) {
            for (Message m : b.queue) held.put(m.id(), new Held(tenant, m.attempts(), leaseUntil));
            batches.add(b);
            int workers = taken.get(b.endpoint.id());
            for (int i = 0; i < workers; i++) senders.submit(b::work);
        }
    }

    private EndpointGate gate(UUID endpoint) {
        return gates.computeIfAbsent(endpoint, id -> new EndpointGate(settings.inFlightPerEndpoint()));
    }

    /** The result of one attempt. */
    record Result(Integer status, String excerpt, String error, Optional<Duration> retryAfter, int latencyMs) {
        boolean success() { return status != null && status >= 200 && status < 300; }
    }

    private void deliver(Endpoint e, Message m) {
        try {
            Duration wait = gate(e.id()).pace(e.rateLimitPerSecond(), clock.instant());
            if (!wait.isZero()) Thread.sleep(wait);
            Result r;
            try {
                r = attempt(e, m);
            } catch (RuntimeException ex) {
                // Whatever went wrong sending is this attempt's failure, recorded like any other.
                log.warn("webhook attempt of {} to endpoint {} failed unexpectedly", m.webhookId(), e.id(), ex);
                r = new Result(null, null, "not sent: " + ex.getClass().getSimpleName()
                        + (ex.getMessage() == null ? "" : " " + ex.getMessage()), Optional.empty(), 0);
            }
            Instant now = clock.instant();
            Optional<Duration> next = r.success() ? Optional.empty() : schedule.next(m.attempts(), r.retryAfter());
            if (r.status() != null && RetrySchedule.slowDown(r.status())) {
                // At once, so this endpoint's other workers stop before their next send.
                gate(e.id()).quiet(now.plus(r.retryAfter().orElse(next.orElse(Duration.ZERO))));
            }
            outcomes.add(new Outcome(e, m, r, next, now));
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends one message once: checked address, signed headers, 15 s for the whole exchange, no redirects. */
    Result attempt(Endpoint e, Message m) {
        EndpointUrl.Check check = EndpointUrl.check(e.url(), settings.allowHttp());
        if (check.target().isEmpty()) {
            // The tenant reads the attempt log: it gets the generic words, the server's log the addresses.
            log.info("webhook {} to endpoint {} not sent: the URL {}", m.webhookId(), e.id(), check.refusal().orElseThrow());
            return new Result(null, null, "not sent: the URL " + check.told().orElseThrow(), Optional.empty(), 0);
        }
        Instant now = clock.instant();
        long timestamp = now.getEpochSecond();
        String signatures = e.signingSecrets(now).stream()
                .map(s -> Signature.sign(seal.open(s, Endpoint.aad(e.id())), m.webhookId(), timestamp, m.body()))
                .collect(Collectors.joining(" "));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", USER_AGENT);
        headers.put("webhook-id", m.webhookId());
        headers.put("webhook-timestamp", Long.toString(timestamp));
        headers.put("webhook-signature", signatures);
        long t0 = System.nanoTime();
        try {
            // Connects to the address the check resolved and passed, never to a second lookup's answer.
            WebhookPost.Answer response = WebhookPost.send(check.target().get(), headers, m.body().getBytes(StandardCharsets.UTF_8),
                    settings.timeout());
            String excerpt = new String(response.excerpt(), StandardCharsets.UTF_8);
            int ms = millisSince(t0);
            latency.record(Duration.ofMillis(ms));
            int status = response.status();
            Optional<Duration> retryAfter = RetrySchedule.slowDown(status)
                    ? RetrySchedule.parseRetryAfter(response.header("Retry-After").orElse(null), clock.instant())
                    : Optional.empty();
            String error = status >= 300 && status < 400 ? "redirects are not followed" : null;
            return new Result(status, excerpt, error, retryAfter, ms);
        } catch (WebhookPost.TimedOut te) {
            return new Result(null, null, "timed out after " + settings.timeout().toSeconds() + " s", Optional.empty(), millisSince(t0));
        } catch (IOException io) {
            return new Result(null, null, "connection failed: " + io.getClass().getSimpleName()
                    + (io.getMessage() == null ? "" : " " + io.getMessage()), Optional.empty(), millisSince(t0));
        }
    }

    private static int millisSince(long t0) { return (int) Math.min(Integer.MAX_VALUE, (System.nanoTime() - t0) / 1_000_000); }

    // ---- outcomes ------------------------------------------------------------------------------

    /** One attempt's result, waiting to be written: the retry delay, if any, is decided when it ends. */
    record Outcome(Endpoint endpoint, Message message, Result result, Optional<Duration> next, Instant at) {}

    /** The most outcomes written in one transaction. */
    static final int RECORD_BATCH = 500;

    private final java.util.concurrent.LinkedBlockingQueue<Outcome> outcomes = new java.util.concurrent.LinkedBlockingQueue<>();

    /**
     * Writes outcomes as they arrive: whatever came in while the last write ran goes in the next,
     * so a busy endpoint's attempts are written a few hundred at a time and an idle one's at once.
     */
    private void recordLoop() {
        List<Outcome> batch = new ArrayList<>();
        while (true) {
            try {
                Outcome first = outcomes.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (!running && recorderStop) return;
                    continue;
                }
                batch.add(first);
            } catch (InterruptedException e) {
                return;
            }
            outcomes.drainTo(batch, RECORD_BATCH - 1);
            recordAll(batch);
            batch.clear();
        }
    }

    private volatile boolean recorderStop;

    /** Writes a batch of outcomes, one transaction per tenant; an outcome not written leaves its message to its lease. */
    void recordAll(List<Outcome> batch) {
        Map<UUID, List<Outcome>> byTenant = batch.stream().collect(Collectors.groupingBy(o -> o.message().tenantId(),
                LinkedHashMap::new, Collectors.toList()));
        for (var e : byTenant.entrySet()) {
            try {
                record(e.getKey(), e.getValue());
            } catch (RuntimeException ex) {
                // The database is unavailable: the lease, no longer renewed, brings the messages back.
                log.warn("{} webhook attempts of tenant {} not recorded ({})", e.getValue().size(), e.getKey(), ex.toString());
            } finally {
                e.getValue().forEach(o -> held.remove(o.message().id()));
            }
        }
        // A FIFO endpoint's next message is due once this one is settled; others need no pass.
        if (batch.stream().anyMatch(o -> o.endpoint().fifo())) wake();
    }

    /** Writes one tenant's attempts, moves their messages on (delivered, retried or dead) and the endpoints' health. */
    private void record(UUID tenant, List<Outcome> os) {
        Instant now = clock.instant();
        List<WebhookStore.Logged> attempts = new ArrayList<>();
        List<WebhookStore.Settlement> settlements = new ArrayList<>();
        Map<UUID, List<Outcome>> byEndpoint = new LinkedHashMap<>();
        for (Outcome o : os) {
            Message m = o.message();
            Result r = o.result();
            attempts.add(new WebhookStore.Logged(o.endpoint().id(), new Attempt(UUID.randomUUID(), m.id(), m.webhookId(), m.attempts(),
                    r.success() ? Attempt.SUCCESS : Attempt.FAILURE, r.status(), r.latencyMs(), r.excerpt(), r.error(), o.at())));
            settlements.add(r.success()
                    ? new WebhookStore.Settlement(m.id(), m.attempts(), Message.DELIVERED, r.status(), null, null, o.at())
                    : new WebhookStore.Settlement(m.id(), m.attempts(), o.next().isPresent() ? Message.PENDING : Message.DEAD, r.status(),
                            r.error() != null ? r.error() : "HTTP " + r.status(), o.next().map(o.at()::plus).orElse(now), null));
            byEndpoint.computeIfAbsent(o.endpoint().id(), id -> new ArrayList<>()).add(o);
        }
        // A platform-wide endpoint's row is written without a tenant (its policy); a tenant's in the same transaction.
        Map<UUID, String> platformDisabled = new HashMap<>();
        byEndpoint.forEach((id, list) -> {
            Endpoint e = list.getFirst().endpoint();
            if (e.platformWide()) scopeless(tx -> health(tx, e, list, now)).ifPresent(reason -> platformDisabled.put(id, reason));
        });
        scope.inTenant(tenant, tx -> {
            WebhookStore.insertAttempts(tx, tenant, attempts);
            WebhookStore.settle(tx, settlements);
            byEndpoint.forEach((id, list) -> {
                Endpoint e = list.getFirst().endpoint();
                Optional<String> disabled = e.platformWide() ? Optional.ofNullable(platformDisabled.get(id)) : health(tx, e, list, now);
                disabled.ifPresent(reason -> EventLog.append(tx, Event.of(tenant, "endpoint.disabled", null, now, disabledData(e, reason))));
            });
            return null;
        });
        Duration soonest = null;
        for (Outcome o : os) {
            String outcome = o.result().success() ? "success" : o.next().isEmpty() ? "dead" : "retry";
            Counter.builder("webhook.deliveries").description("webhook attempts by outcome (success, retry, dead)")
                    .tag("outcome", outcome).register(meters).increment();
            if (o.next().isPresent() && (soonest == null || o.next().get().compareTo(soonest) < 0)) soonest = o.next().get();
        }
        // A retry due before the next poll wakes the loop itself, so short delays are kept as scheduled.
        if (soonest != null && soonest.compareTo(settings.poll()) < 0) {
            Duration d = soonest;
            Thread.ofVirtual().name("webhook-retry-wake").start(() -> {
                try {
                    Thread.sleep(d);
                    wake();
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    /**
     * What {@code endpoint.disabled} tells the tenant: the endpoint's id and the reason, and its URL
     * only when the endpoint is the tenant's own; a platform-wide endpoint's URL is the platform's.
     */
    static Map<String, Object> disabledData(Endpoint e, String reason) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("endpoint_id", e.id().toString());
        if (!e.platformWide()) data.put("url", e.url());
        data.put("platform_wide", e.platformWide());
        data.put("reason", reason);
        return data;
    }

    /** Statements on a connection without a tenant (each commits by itself; the disable is guarded by the status). */
    private <T> T scopeless(Function<DSLContext, T> work) {
        return work.apply(scope.unscoped());
    }

    /**
     * Updates the endpoint after a run of its attempts (in the order they ended); the reason when
     * they disabled it. The endpoint is failing since its first failure after its last success.
     */
    private Optional<String> health(DSLContext tx, Endpoint e, List<Outcome> run, Instant now) {
        if (run.stream().anyMatch(o -> o.result().status() != null && o.result().status() == 410)) {
            String reason = "the endpoint answered 410 Gone";
            return WebhookStore.disable(tx, e.id(), reason) ? Optional.of(reason) : Optional.empty();
        }
        boolean succeeded = false;
        Instant failingFrom = null;
        for (Outcome o : run) {
            if (o.result().success()) {
                succeeded = true;
                failingFrom = null;
            } else if (failingFrom == null) {
                failingFrom = o.at();
            }
        }
        if (failingFrom == null) {
            if (succeeded) WebhookStore.healthy(tx, e.id());
            return Optional.empty();
        }
        if (succeeded) WebhookStore.failingSince(tx, e.id(), failingFrom);
        else WebhookStore.failing(tx, e.id(), failingFrom);
        Optional<Endpoint> current = WebhookStore.endpoint(tx, e.id());
        if (current.isPresent() && current.get().failingSince() != null
                && !current.get().failingSince().plus(settings.disableAfter()).isAfter(now)) {
            String reason = "every attempt failed for " + human(settings.disableAfter());
            return WebhookStore.disable(tx, e.id(), reason) ? Optional.of(reason) : Optional.empty();
        }
        return Optional.empty();
    }

    private static String human(Duration d) {
        if (d.toDays() >= 1 && d.toHours() % 24 == 0) return d.toDays() + " days";
        if (d.toSeconds() >= 1) return d.toSeconds() + " s";
        return d.toMillis() + " ms";
    }

    private void measureLag(UUID tenant) {
        Instant now = clock.instant();
        scope.inTenant(tenant, tx -> {
            lagTenant.forEach((endpoint, t) -> { if (t.equals(tenant)) lagSeconds.put(endpoint, 0.0); });
            for (var r : WebhookStore.oldestPending(tx, tenant)) {
                UUID endpoint = r.value1();
                lagTenant.put(endpoint, tenant);
                double seconds = Math.max(0, Duration.between(r.value2().toInstant(), now).toMillis() / 1000.0);
                if (lagSeconds.put(endpoint, seconds) == null) {
                    Gauge.builder("webhook.outbox.lag", lagSeconds, m -> m.getOrDefault(endpoint, 0.0))
                            .description("age of the oldest undelivered message, per endpoint").baseUnit("seconds")
                            .tag("endpoint", endpoint.toString()).register(meters);
                }
            }
            return null;
        });
    }

    /** An endpoint was deleted: its gate and its lag gauge go with it. */
    void forget(UUID endpoint) {
        gates.remove(endpoint);
        lagTenant.remove(endpoint);
        lagSeconds.remove(endpoint);
        io.micrometer.core.instrument.Meter m = meters.find("webhook.outbox.lag").tag("endpoint", endpoint.toString()).gauge();
        if (m != null) meters.remove(m);
    }

    @Override public void close() {
        running = false;
        wake();
        try {
            // Let a pass that is writing finish rather than break its connection; sends in flight are
            // abandoned and come back when their lease ends.
            loop.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (loop.isAlive()) loop.interrupt();
        // Workers stop after their current send; what they had not started is due again at once.
        for (Batch b : batches) giveBack(b);
        renewer.interrupt();
        senders.shutdownNow();
        try {
            senders.awaitTermination(2, TimeUnit.SECONDS);
            // Outcomes of the sends that finished are written before the node stops.
            recorderStop = true;
            recorder.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (recorder.isAlive()) recorder.interrupt();
    }
}
