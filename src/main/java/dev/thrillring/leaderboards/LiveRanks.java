package dev.thrillring.leaderboards;

import io.javalin.http.sse.SseClient;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Live rank changes per board, for Server-Sent Events: each change gets an id from one
 * per-process sequence; the last {@link #KEEP} of a board are kept so a client reconnecting with
 * {@code Last-Event-ID} gets what it missed.
 */
final class LiveRanks {
    static final int KEEP = 1000;

    private record Event(long id, String json) {}

    private final AtomicLong sequence = new AtomicLong();
    private final Map<UUID, Deque<Event>> recent = new ConcurrentHashMap<>();
    private final Map<UUID, Set<SseClient>> clients = new ConcurrentHashMap<>();

    /** Sends a rank change of {@code board} to its subscribers and keeps it for late ones. */
    void publish(UUID board, String json) {
        Event e = new Event(sequence.incrementAndGet(), json);
        Deque<Event> kept = recent.computeIfAbsent(board, b -> new ArrayDeque<>());
        synchronized (kept) {
            kept.addLast(e);
            if (kept.size() > KEEP) kept.removeFirst();
        }
        for (SseClient c : clients.getOrDefault(board, Set.of())) send(c, e);
    }

    /** Subscribes a client, first replaying the kept changes after {@code lastEventId}. */
    void subscribe(UUID board, SseClient client, String lastEventId) {
        long after = parse(lastEventId);
        Set<SseClient> set = clients.computeIfAbsent(board, b -> new CopyOnWriteArraySet<>());
        List<Event> missed;
        Deque<Event> kept = recent.getOrDefault(board, new ArrayDeque<>());
        synchronized (kept) {
            missed = kept.stream().filter(e -> e.id() > after).toList();
        }
        if (after >= 0) missed.forEach(e -> send(client, e));
        set.add(client);
        client.onClose(() -> set.remove(client));
    }

    private static void send(SseClient c, Event e) {
        if (!c.terminated()) c.sendEvent("rank_changed", e.json(), Long.toString(e.id()));
    }

    private static long parse(String id) {
        if (id == null || id.isBlank()) return -1;
        try {
            return Long.parseLong(id.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
