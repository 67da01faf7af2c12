package dev.thrillring.db;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The process's caches of what PostgreSQL holds. All are Caffeine caches, bounded in size, and
 * all are made here, so that one call drops every one of them: the listener's resync after a
 * lost notification channel, when any cached row may have changed unannounced. A feature asks
 * for a cache by name and keeps it; it never builds its own map with timestamps.
 */
public final class Caches {
    private final Map<String, Cache<?, ?>> byName = new ConcurrentHashMap<>();
    private final Ticker ticker;

    public Caches() { this(Ticker.systemTicker()); }

    /** With a ticker that tests move by hand. */
    public Caches(Ticker ticker) { this.ticker = ticker; }

    /** Entries expire {@code ttl} after they were stored; at most {@code max} of them. */
    public <K, V> Cache<K, V> expiring(String name, Duration ttl, long max) {
        return register(name, Caffeine.newBuilder().ticker(ticker).expireAfterWrite(ttl).maximumSize(max).build());
    }

    /** Values that never change once stored (a tenant's platform); at most {@code max} of them. */
    public <K, V> Cache<K, V> lasting(String name, long max) {
        return register(name, Caffeine.newBuilder().maximumSize(max).build());
    }

    private <K, V> Cache<K, V> register(String name, Cache<K, V> cache) {
        if (byName.putIfAbsent(name, cache) != null) throw new IllegalArgumentException("a cache named " + name + " exists already");
        return cache;
    }

    /** Drops every entry of every cache: everything is read again from PostgreSQL on next use. */
    public void clearAll() { byName.values().forEach(Cache::invalidateAll); }

    /** Each cache's name and approximate number of entries, for operators. */
    public Map<String, Long> sizes() {
        Map<String, Long> out = new TreeMap<>();
        byName.forEach((name, cache) -> out.put(name, cache.estimatedSize()));
        return out;
    }
}
