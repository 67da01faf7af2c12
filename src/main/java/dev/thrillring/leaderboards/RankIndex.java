package dev.thrillring.leaderboards;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The standings of one board period in memory: entries kept in rank order (score descending, then
 * the earlier time the score was reached, then tenant and user), in blocks of at most
 * {@link #BLOCK} so that an update and a rank lookup cost O(√n) rather than O(n). PostgreSQL stays
 * the source of truth; an index is built from it and then kept in step with every score change.
 * Thread-safe by a single lock per index: updates are short.
 */
final class RankIndex {
    static final int BLOCK = 512;

    /**
     * One subject's standing; {@code generation} is its row's write count in PostgreSQL (0 when
     * unknown), so that a late update can be told from a newer one.
     */
    record Entry(UUID tenantId, String userId, BigDecimal score, Instant reachedAt, long generation) {
        Entry(UUID tenantId, String userId, BigDecimal score, Instant reachedAt) { this(tenantId, userId, score, reachedAt, 0); }

        String subject() { return tenantId + "/" + (userId == null ? "" : userId); }
    }

    static final Comparator<Entry> ORDER = Comparator.comparing(Entry::score).reversed()
            .thenComparing(Entry::reachedAt)
            .thenComparing(Entry::tenantId)
            .thenComparing(e -> e.userId() == null ? "" : e.userId());

    private final List<List<Entry>> blocks = new ArrayList<>();
    private final Map<String, Entry> bySubject = new HashMap<>();

    RankIndex(List<Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(ORDER);
        for (int i = 0; i < sorted.size(); i += BLOCK) blocks.add(new ArrayList<>(sorted.subList(i, Math.min(sorted.size(), i + BLOCK))));
        for (Entry e : sorted) bySubject.put(e.subject(), e);
    }

    synchronized int size() { return bySubject.size(); }

    /**
     * Sets a subject's standing, unless the index holds a newer one: an update of a lower
     * generation than the entry's (a commit applied late, or another node's notification that
     * arrives after a newer one) is ignored.
     *
     * @return whether the index changed
     */
    synchronized boolean put(Entry e) {
        Entry old = bySubject.get(e.subject());
        if (old != null) {
            if (old.equals(e) || e.generation() < old.generation()) return false;
            remove(old);
        }
        insert(e);
        bySubject.put(e.subject(), e);
        return true;
    }

    /** The subject's entry, or null. */
    synchronized Entry entry(UUID tenant, String user) { return bySubject.get(tenant + "/" + (user == null ? "" : user)); }

    /** 1-based rank of a subject, or 0 when it has no entry. */
    synchronized long rank(UUID tenant, String user) {
        Entry e = bySubject.get(tenant + "/" + (user == null ? "" : user));
        if (e == null) return 0;
        long before = 0;
        for (List<Entry> b : blocks) {
            if (ORDER.compare(b.getLast(), e) < 0) {
                before += b.size();
                continue;
            }
            return before + Collections.binarySearch(b, e, ORDER) + 1;
        }
        return 0;
    }

    /** The 1-based rank {@code e} would have if it were put now (the index is not changed). */
    synchronized long rankIf(Entry e) {
        Entry old = bySubject.get(e.subject());
        long before = 0;
        for (List<Entry> b : blocks) {
            if (ORDER.compare(b.getLast(), e) < 0) {
                before += b.size();
                continue;
            }
            int pos = Collections.binarySearch(b, e, ORDER);
            before += pos < 0 ? -pos - 1 : pos;
            break;
        }
        // The subject's own current entry does not count against it.
        if (old != null && ORDER.compare(old, e) < 0) before--;
        return before + 1;
    }

    /** Up to {@code limit} entries after rank {@code afterRank}, in rank order. */
    synchronized List<Entry> slice(long afterRank, int limit) {
        List<Entry> out = new ArrayList<>(Math.min(limit, 1024));
        long skipped = 0;
        for (List<Entry> b : blocks) {
            if (skipped + b.size() <= afterRank) {
                skipped += b.size();
                continue;
            }
            int from = (int) Math.max(0, afterRank - skipped);
            for (int i = from; i < b.size() && out.size() < limit; i++) out.add(b.get(i));
            skipped += b.size();
            if (out.size() >= limit) break;
        }
        return out;
    }

    private void insert(Entry e) {
        if (blocks.isEmpty()) {
            blocks.add(new ArrayList<>(List.of(e)));
            return;
        }
        int bi = 0;
        while (bi < blocks.size() - 1 && ORDER.compare(blocks.get(bi).getLast(), e) < 0) bi++;
        List<Entry> b = blocks.get(bi);
        int pos = Collections.binarySearch(b, e, ORDER);
        b.add(pos < 0 ? -pos - 1 : pos, e);
        if (b.size() > 2 * BLOCK) {
            List<Entry> tail = new ArrayList<>(b.subList(BLOCK, b.size()));
            b.subList(BLOCK, b.size()).clear();
            blocks.add(bi + 1, tail);
        }
    }

    private void remove(Entry e) {
        for (int bi = 0; bi < blocks.size(); bi++) {
            List<Entry> b = blocks.get(bi);
            if (ORDER.compare(b.getLast(), e) < 0) continue;
            int pos = Collections.binarySearch(b, e, ORDER);
            if (pos >= 0) {
                b.remove(pos);
                if (b.isEmpty()) blocks.remove(bi);
            }
            return;
        }
    }
}
