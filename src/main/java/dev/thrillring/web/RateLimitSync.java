package dev.thrillring.web;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static dev.thrillring.db.schema.Tables.RATE_BUCKETS;

/**
 * Makes the rate limits hold across nodes. Every {@link #EVERY}, one statement charges what each
 * local bucket took to the shared bucket in PostgreSQL (refilled by the time elapsed, never above
 * its capacity, never below minus its capacity) and each local copy adopts what is left. So N
 * nodes together allow the configured rate, not N times it. Between syncs each node decides
 * alone: together they may exceed a limit by what they take in one interval. If the database
 * cannot be reached, each node goes on limiting alone.
 */
public final class RateLimitSync implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RateLimitSync.class);
    static final Duration EVERY = Duration.ofMillis(500);
    /** Shared buckets idle this long are deleted (a new one starts full, as they would be by then). */
    static final Duration FORGET_AFTER = Duration.ofMinutes(10);

    private final DSLContext dsl;
    private final RateLimits limits;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rate-limit-sync");
        t.setDaemon(true);
        return t;
    });
    private long runs;
    private volatile boolean failing;

    public RateLimitSync(DSLContext dsl, RateLimits limits) {
        this.dsl = dsl;
        this.limits = limits;
    }

    public void start() {
        timer.scheduleWithFixedDelay(() -> {
            try {
                syncNow();
                failing = false;
            } catch (RuntimeException e) {
                // Once per outage, not twice a second: each node goes on limiting alone meanwhile.
                if (!failing) log.warn("rate limits not synced with other nodes until the database answers again: {}", e.getMessage());
                failing = true;
            }
        }, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One round: charge, adopt, and now and then forget idle shared buckets. */
    public synchronized void syncNow() {
        List<RateLimits.Usage> usage = limits.drain();
        if (!usage.isEmpty()) {
            var b = RATE_BUCKETS;
            var insert = dsl.insertInto(b, b.BUCKET, b.TOKENS, b.CAPACITY, b.RATE, b.REFILLED_AT);
            // A new shared bucket starts full, less what this node took; TOKENS carries capacity - taken.
            for (RateLimits.Usage u : usage) {
                insert = insert.values(DSL.val(u.bucket()), DSL.val(2.0 * u.rate() - u.taken()), DSL.val(2.0 * u.rate()),
                        DSL.val((double) u.rate()), DSL.currentOffsetDateTime());
            }
            Field<Double> elapsed = DSL.field("extract(epoch from (now() - {0}))", Double.class, b.REFILLED_AT);
            Field<Double> refilled = DSL.least(DSL.excluded(b.CAPACITY), b.TOKENS.plus(elapsed.times(DSL.excluded(b.RATE))));
            Field<Double> taken = DSL.excluded(b.CAPACITY).minus(DSL.excluded(b.TOKENS));
            var left = insert.onConflict(b.BUCKET).doUpdate()
                    .set(b.TOKENS, DSL.greatest(DSL.excluded(b.CAPACITY).neg(), refilled.minus(taken)))
                    .set(b.CAPACITY, DSL.excluded(b.CAPACITY)).set(b.RATE, DSL.excluded(b.RATE)).set(b.REFILLED_AT, DSL.currentOffsetDateTime())
                    .returningResult(b.BUCKET, b.RATE, b.TOKENS).fetch();
            for (var r : left) limits.adopt(r.value1(), (int) Math.round(r.value2()), r.value3());
        }
        if (++runs % 120 == 0) {
            dsl.deleteFrom(RATE_BUCKETS).where(RATE_BUCKETS.REFILLED_AT.lt(java.time.OffsetDateTime.now().minus(FORGET_AFTER))).execute();
        }
    }

    @Override public void close() {
        timer.shutdownNow();
    }
}
