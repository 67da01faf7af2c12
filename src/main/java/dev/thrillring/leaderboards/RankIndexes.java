package dev.thrillring.leaderboards;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The rank indexes this process holds, one per board period, bounded in memory. Every new period
 * (a new day for a daily board) adds an index, and past periods are read only now and then, so
 * without a bound a long-running node would keep every period it ever served. Whenever an index
 * is built, those unused for {@link #IDLE_MS} are dropped, and then the least recently used
 * until at most {@link #MAX_ENTRIES} entries remain. A dropped index is rebuilt from PostgreSQL on
 * its next read, so eviction costs time, never correctness.
 */
final class RankIndexes {
    static final long IDLE_MS = 15 * 60_000L;
    /** Several boards of a million subjects each; at a few hundred bytes an entry, about 1 GiB at most. */
    static final long MAX_ENTRIES = 4_000_000;

    private record Held(RankIndex index, AtomicLong lastUsed) {}

    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final LongSupplier clockMs;
    private final long idleMs;
    private final long maxEntries;

    RankIndexes() { this(System::currentTimeMillis, IDLE_MS, MAX_ENTRIES); }

    RankIndexes(LongSupplier clockMs, long idleMs, long maxEntries) {
        this.clockMs = clockMs;
        this.idleMs = idleMs;
        this.maxEntries = maxEntries;
    }

    /** The index if this process holds it (other processes' changes only update held indexes). */
    RankIndex ifHeld(String key) {
        Held h = held.get(key);
        if (h == null) return null;
        h.lastUsed.set(clockMs.getAsLong());
        return h.index;
    }

    /** The index, built by {@code build} when not held; building first makes room. */
    RankIndex get(String key, Supplier<RankIndex> build) {
        RankIndex index = ifHeld(key);
        if (index != null) return index;
        Held h = held.computeIfAbsent(key, k -> new Held(build.get(), new AtomicLong(clockMs.getAsLong())));
        evict(key);
        return h.index;
    }

    void clear() { held.clear(); }

    int count() { return held.size(); }

    private void evict(String keep) {
        long now = clockMs.getAsLong();
        held.entrySet().removeIf(e -> !e.getKey().equals(keep) && now - e.getValue().lastUsed.get() > idleMs);
        long total = held.values().stream().mapToLong(h -> h.index.size()).sum();
        if (total <= maxEntries) return;
        List<Map.Entry<String, Held>> oldestFirst = held.entrySet().stream()
                .sorted(Comparator.comparingLong(e -> e.getValue().lastUsed.get())).toList();
        for (Map.Entry<String, Held> e : oldestFirst) {
            if (total <= maxEntries) break;
            if (e.getKey().equals(keep)) continue;
            if (held.remove(e.getKey(), e.getValue())) total -= e.getValue().index.size();
        }
    }
}
