package dev.thrillring.app;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets per API key, per tenant and, on public routes, per client address. A bucket of
 * rate r holds at most 2r tokens (a burst of two seconds' worth) and refills continuously.
 * Buckets live in this process: with several nodes, each enforces its own share.
 */
public final class RateLimits {
    /** The outcome of taking one token: allowed or not, what is left, and when to retry. */
    public record Decision(boolean allowed, int limit, int remaining, long retryAfterSeconds) {}

    private static final int MAX_BUCKETS = 100_000;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        final int rate;
        double tokens;
        long last;

        Bucket(int rate, long now) {
            this.rate = rate;
            this.tokens = 2.0 * rate;
            this.last = now;
        }

        synchronized Decision take(long now) {
            tokens = Math.min(2.0 * rate, tokens + (now - last) / 1e9 * rate);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return new Decision(true, rate, (int) tokens, 0);
            }
            return new Decision(false, rate, 0, (long) Math.ceil((1 - tokens) / rate));
        }
    }

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
