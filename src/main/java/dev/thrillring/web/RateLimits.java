package dev.thrillring.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets per API key, per tenant and, on public routes, per client address. A bucket of
 * rate r holds at most 2r tokens (a burst of two seconds' worth) and refills continuously.
 * Requests take tokens from this process's copy, with no round trip; {@link RateLimitSync}
 * charges what each copy took to a bucket in PostgreSQL shared by every node, and each copy then
 * adopts what the shared bucket has left.
 */
public final class RateLimits {
    /** The outcome of taking one token: allowed or not, what is left, and when to retry. */
    public record Decision(boolean allowed, int limit, int remaining, long retryAfterSeconds) {}

    private static final int MAX_BUCKETS = 100_000;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** What one bucket took since the last sync; {@code taken} may be 0 (the copy only needs refreshing). */
    public record Usage(String bucket, int rate, long taken) {}

    private static final class Bucket {
        final int rate;
        double tokens;
        long last;
        /** Tokens taken here since the last sync, not yet charged to the shared bucket. */
        long unsynced;
        long touched;

        Bucket(int rate, long now) {
            this.rate = rate;
            this.tokens = 2.0 * rate;
            this.last = now;
            this.touched = now;
        }

        synchronized Decision take(long now) {
            tokens = Math.min(2.0 * rate, tokens + (now - last) / 1e9 * rate);
            last = now;
            touched = now;
            if (tokens >= 1) {
                tokens -= 1;
                unsynced++;
                return new Decision(true, rate, (int) tokens, 0);
            }
            return new Decision(false, rate, 0, (long) Math.ceil((1 - tokens) / rate));
        }

        synchronized long drain() {
            long n = unsynced;
            unsynced = 0;
            return n;
        }

        /** The shared bucket has {@code shared} left; what was taken here since the drain still counts. */
        synchronized void adopt(double shared, long now) {
            tokens = Math.min(2.0 * rate, shared) - unsynced;
            last = now;
        }
    }

    /** What every bucket used in the last minute took since the last call, to charge to the shared buckets. */
    List<Usage> drain() {
        long now = System.nanoTime();
        List<Usage> out = new ArrayList<>();
        for (var e : buckets.entrySet()) {
            if (out.size() >= MAX_SYNCED) break; // one statement stays bounded; the rest wait for a later round
            Bucket b = e.getValue();
            if (now - b.touched < ACTIVE_NANOS) out.add(new Usage(e.getKey(), b.rate, b.drain()));
        }
        return out;
    }

    /** Sets this copy of {@code bucket} to what the shared bucket has left. */
    void adopt(String bucket, int rate, double shared) {
        Bucket b = buckets.get(bucket);
        if (b != null && b.rate == rate) b.adopt(shared, System.nanoTime());
    }

    private static final int MAX_SYNCED = 10_000;
    /** Buckets untouched this long are not synced: their shared copy refills by itself. */
    private static final long ACTIVE_NANOS = 60_000_000_000L;

    /**
     * Drops the buckets that have refilled completely: a new one would hold as many tokens, so
     * nobody gains by the eviction (unlike clearing all, which a client rotating addresses could
     * use to reset everyone's limits). If every bucket is busy the map may grow past the mark.
     */
    private void evictFull(long now) {
        buckets.values().removeIf(b -> {
            synchronized (b) {
                return b.tokens + (now - b.last) / 1e9 * b.rate >= 2.0 * b.rate;
            }
        });
    }

    /** Takes one token from the bucket {@code key} of {@code ratePerSecond}. */
    public Decision take(String key, int ratePerSecond) {
        long now = System.nanoTime();
        if (buckets.size() > MAX_BUCKETS) evictFull(now);
        Bucket b = buckets.compute(key, (k, old) -> old == null || old.rate != ratePerSecond ? new Bucket(ratePerSecond, now) : old);
        return b.take(now);
    }
}
