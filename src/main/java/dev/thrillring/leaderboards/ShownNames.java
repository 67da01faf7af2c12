package dev.thrillring.leaderboards;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The names public boards show for tenants, cached so that a read of a warm board needs no query.
 * A tenant that has not opted in is cached as having no name (it is shown as a pseudonym). A
 * privacy change drops the tenant's entry on the node that made it at once and on the others by
 * notification; a lost notification channel drops everything, and entries expire after
 * {@link #TTL_MS} in any case.
 */
final class ShownNames {
    static final long TTL_MS = 60_000;
    static final int MAX_TENANTS = 100_000;

    private record Cached(String name, long loadedAt) {}

    private final Map<UUID, Cached> cache = new ConcurrentHashMap<>();
    /** Bumped by every forget: a load that started before one must not store what it read. */
    private final AtomicLong generation = new AtomicLong();
    private final LongSupplier clockMs;

    ShownNames() { this(System::currentTimeMillis); }

    ShownNames(LongSupplier clockMs) { this.clockMs = clockMs; }

    /** The shown name of each opted-in tenant among {@code tenants}; {@code load} reads the ones not cached. */
    Map<UUID, String> of(Collection<UUID> tenants, Function<Set<UUID>, Map<UUID, String>> load) {
        long now = clockMs.getAsLong();
        Map<UUID, String> out = new HashMap<>();
        Set<UUID> missing = new HashSet<>();
        for (UUID t : tenants) {
            Cached c = cache.get(t);
            if (c == null || now - c.loadedAt > TTL_MS) missing.add(t);
            else if (c.name != null) out.put(t, c.name);
        }
        if (missing.isEmpty()) return out;
        long before = generation.get();
        Map<UUID, String> loaded = load.apply(missing);
        out.putAll(loaded);
        if (generation.get() == before) {
            if (cache.size() + missing.size() > MAX_TENANTS) cache.clear();
            for (UUID t : missing) cache.put(t, new Cached(loaded.get(t), now));
        }
        return out;
    }

    void forget(UUID tenant) {
        generation.incrementAndGet();
        cache.remove(tenant);
    }

    void forgetAll() {
        generation.incrementAndGet();
        cache.clear();
    }
}
