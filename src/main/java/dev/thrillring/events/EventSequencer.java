package dev.thrillring.events;

import dev.thrillring.db.TenantScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Gives committed events their positions ({@link EventLog#sequence}), one tenant at a time, on
 * one thread of this process. A tenant is woken by the notification its writers send at commit
 * ({@link EventLog#WRITTEN}, from any node); every {@link #SWEEP} it also looks for tenants whose
 * wake-up was lost (a restart, a dropped channel). Several nodes may sequence the same tenant:
 * they take turns on the tenant's lock, and the later one finds nothing left.
 */
public final class EventSequencer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventSequencer.class);
    /**
     * Events given positions per transaction at most. While it runs, a sequencing transaction is
     * itself the oldest writer and holds back every later position (its own tenant's next batch,
     * and other tenants'): about 0.1 ms per event, so 1,000 keep that under about 100 ms on a quiet
     * machine, where 5,000 held positions back for seconds under load (issue 13's stage timings).
     */
    static final int BATCH = 1_000;
    /** How often to look for tenants nobody woke. */
    static final Duration SWEEP = Duration.ofSeconds(1);
    /**
     * How long to wait before trying again a tenant whose events wait for older writers to end:
     * from 2 ms, doubling while nothing moves, up to 200 ms (a 1,000-fact batch holds back the
     * events that commit after it starts for as long as it runs).
     */
    static final long RETRY_MIN_MS = 2, RETRY_MAX_MS = 200;
    /**
     * After a wake-up, how long to let further commits gather before sequencing: a tenant writing
     * a small group every few milliseconds then costs one sequencing transaction per window, not
     * one per group. The feed's own reads do not wait ({@link #sequenceNow}).
     */
    static final long GATHER_MS = 3;

    private final TenantScope scope;
    private final Set<UUID> due = ConcurrentHashMap.newKeySet();
    private final Semaphore signal = new Semaphore(0);
    private final Thread worker;
    private volatile boolean running = true;

    public EventSequencer(TenantScope scope) {
        this.scope = scope;
        this.worker = Thread.ofPlatform().daemon().name("event-sequencer").unstarted(this::loop);
    }

    public void start() { worker.start(); }

    /** A transaction that wrote {@code tenant}'s events committed. */
    public void wake(UUID tenant) {
        due.add(tenant);
        signal.release();
    }

    /** Looks at once for every tenant with events waiting (after a lost notification channel). */
    public void sweep() {
        try {
            EventLog.unsequencedTenants(scope.unscoped()).forEach(this::wake);
        } catch (RuntimeException e) {
            log.warn("cannot look for events without a position: {}", e.toString());
        }
    }

    /**
     * Gives positions to what {@code tenant} has committed so far, in the caller's thread: a feed
     * read right after a fact was answered then includes that fact's events (read your writes).
     */
    public void sequenceNow(UUID tenant) {
        for (int i = 0; i < 100; i++) {
            EventLog.Sequenced s = scope.inTenant(tenant, tx -> EventLog.sequence(tx, tenant, BATCH));
            if (s.positioned() < BATCH) return;
        }
    }

    private void loop() {
        long lastSweep = 0;
        long retryMs = RETRY_MIN_MS;
        while (running) {
            try {
                boolean woken = signal.tryAcquire(SWEEP.toMillis(), TimeUnit.MILLISECONDS);
                if (woken) Thread.sleep(GATHER_MS);
                signal.drainPermits();
                if (!running) return;
                if (!woken || System.nanoTime() - lastSweep > SWEEP.toNanos()) {
                    lastSweep = System.nanoTime();
                    sweep();
                }
                List<UUID> tenants = new ArrayList<>(due);
                due.removeAll(tenants);
                boolean retry = false;
                boolean moved = false;
                for (UUID tenant : tenants) {
                    try {
                        EventLog.Sequenced s = scope.inTenant(tenant, tx -> EventLog.sequence(tx, tenant, BATCH));
                        if (s.positioned() > 0) moved = true;
                        if (s.waiting()) {
                            due.add(tenant);
                            // A full batch goes on at once; events behind a running writer wait a little.
                            if (s.positioned() < BATCH) retry = true;
                            else signal.release();
                        }
                    } catch (RuntimeException e) {
                        log.warn("events of tenant {} not given positions yet: {}", tenant, e.toString());
                        due.add(tenant);
                        retry = true;
                    }
                }
                retryMs = moved ? RETRY_MIN_MS : Math.min(RETRY_MAX_MS, retryMs * 2);
                if (retry) Thread.sleep(retryMs);
                if (!due.isEmpty()) signal.release();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("event sequencer pass failed", e);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        signal.release();
        worker.interrupt();
        try {
            worker.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
