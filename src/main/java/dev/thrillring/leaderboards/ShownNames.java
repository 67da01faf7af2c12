package dev.thrillring.leaderboards;

import com.github.benmanes.caffeine.cache.Cache;
import dev.thrillring.db.Caches;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The names public boards show for tenants, cached so that a read of a warm board needs no query.
 * A tenant that has not opted in is cached as having no name (it is shown as a pseudonym). A
 * privacy change drops the tenant's entry on the node that made it at once and on the others by
 * notification; a lost notification channel drops everything, and entries expire after
 * {@link #TTL} in any case.
 */
final class ShownNames {
    static final Duration TTL = Duration.ofSeconds(60);
    static final int MAX_TENANTS = 100_000;

    /** Empty: the tenant has not opted in and is shown by pseudonym. */
    private final Cache<UUID, Optional<String>> cache;
    /** Bumped by every forget: a load that started before one must not store what it read. */
    private final AtomicLong generation = new AtomicLong();

    ShownNames(Caches caches) { this.cache = caches.expiring("shown-names", TTL, MAX_TENANTS); }

    /** The shown name of each opted-in tenant among {@code tenants}; {@code load} reads the ones not cached. */
    Map<UUID, String> of(Collection<UUID> tenants, Function<Set<UUID>, Map<UUID, String>> load) {
        Map<UUID, String> out = new HashMap<>();
        Set<UUID> missing = new HashSet<>();
        for (UUID t : tenants) {
            Optional<String> c = cache.getIfPresent(t);
            if (c == null) missing.add(t);
            else c.ifPresent(name -> out.put(t, name));
        }
        if (missing.isEmpty()) return out;
        long before = generation.get();
        Map<UUID, String> loaded = load.apply(missing);
        out.putAll(loaded);
        if (generation.get() == before) {
            for (UUID t : missing) cache.put(t, Optional.ofNullable(loaded.get(t)));
        }
        return out;
    }

    void forget(UUID tenant) {
        generation.incrementAndGet();
        cache.invalidate(tenant);
    }
}
