package dev.thrillring.leaderboards;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thrillring.db.Caches;
import dev.thrillring.db.Channels;
import dev.thrillring.db.Database;
import dev.thrillring.db.TransactionSignals;
import io.javalin.http.sse.SseClient;
import org.jooq.DSLContext;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The live side of public boards: the in-memory rank indexes, the changes this process commits
 * and those other processes announce (NOTIFY on {@link #CHANNEL}), and the live streams of rank
 * changes. An index is built from PostgreSQL on first use and kept current by every change.
 */
final class RankFeed {
    /** Score changes travel to other processes on this channel, as JSON with the sending node. */
    static final String CHANNEL = Channels.SCORES;
    /** A tenant whose privacy choice changed: every process drops its cached shown name. */
    static final String PRIVACY_CHANNEL = Channels.PRIVACY;
    /** Overtaken subjects named per rank change at most; a big jump does not flood the log. */
    static final int MAX_OVERTAKEN = 20;
    /** Changes per NOTIFY: payloads must stay under 8,000 bytes. */
    private static final int CHANGES_PER_NOTIFY = 40;
    private static final ObjectMapper JSON = dev.thrillring.web.Json.mapper();

    private final Database db;
    private final LeaderboardStore store;
    /** In-memory standings of public board periods that have been read, keyed {@code board|period}. */
    private final RankIndexes indexes = new RankIndexes();
    private final LiveRanks live = new LiveRanks();
    /** Names shown on public boards (opted-in tenants), cached; see {@link ShownNames}. */
    final ShownNames shownNames;

    /** One committed score change of a subject on a board period; {@code live}: a public board, ranked in memory. */
    record Change(UUID board, String period, RankIndex.Entry entry, boolean live, boolean ownPeriod) {}

    RankFeed(Database db, LeaderboardStore store, Caches caches) {
        this.db = db;
        this.store = store;
        this.shownNames = new ShownNames(caches);
    }

    /** The rank index of a public board period, built from PostgreSQL on first use. */
    RankIndex index(UUID board, String period) {
        return indexes.get(board + "|" + period, () -> new RankIndex(db.asOwner(owner -> store.allEntries(owner, board, period))));
    }

    /** Announces the live changes of {@code tx} to the other processes when it commits, in as few messages as fit. */
    void announceAtCommit(DSLContext tx, List<Change> changes) {
        List<Change> liveOnes = changes.stream().filter(Change::live).toList();
        for (int i = 0; i < liveOnes.size(); i += CHANGES_PER_NOTIFY) {
            TransactionSignals.notifyAtCommit(tx, CHANNEL, payload(liveOnes.subList(i, Math.min(liveOnes.size(), i + CHANGES_PER_NOTIFY))));
        }
    }

    /**
     * Brings the rank indexes up to date with changes this process committed and streams each
     * rank change (its event was written with the decision).
     */
    void applyCommitted(List<Change> changes) { apply(changes, true); }

    /** Applies another process's committed score changes. */
    void applyNotification(String payload) {
        try {
            var node = JSON.readTree(payload);
            if (Channels.NODE.equals(node.path("node").asText())) return;
            List<Change> changes = new ArrayList<>();
            for (var c : node.path("changes")) {
                changes.add(new Change(UUID.fromString(c.get(0).asText()), c.get(1).asText(), new RankIndex.Entry(
                        UUID.fromString(c.get(2).asText()), c.get(3).isNull() ? null : c.get(3).asText(),
                        new BigDecimal(c.get(4).asText()), Instant.parse(c.get(5).asText()), c.path(7).asLong(0)),
                        true, c.path(6).asBoolean(true)));
            }
            apply(changes, false);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable score notification", e);
        }
    }

    private void apply(List<Change> changes, boolean local) {
        for (Change c : changes) {
            if (!c.live()) continue;
            String key = c.board() + "|" + c.period();
            if (!c.ownPeriod()) {
                // The other period buckets: kept current where an index serves reads, but not streamed.
                RankIndex held = indexes.ifHeld(key);
                if (held != null) held.put(c.entry());
                continue;
            }
            // The committing process keeps an index of every board it writes, so its events are complete;
            // the others update only the indexes they already serve reads from.
            RankIndex index = local ? index(c.board(), c.period()) : indexes.ifHeld(key);
            if (index == null) continue;
            long before = index.rank(c.entry().tenantId(), c.entry().userId());
            // A change older than the standing held (applied late) moves nothing and is not streamed.
            if (!index.put(c.entry())) continue;
            long after = index.rank(c.entry().tenantId(), c.entry().userId());
            if (before == after) continue;
            // Passed: those now right behind, up to the old rank (a newcomer passes everyone below it).
            long passed = before == 0 ? index.size() - after : before - after;
            List<RankIndex.Entry> overtaken = after > before && before != 0 ? List.of()
                    : index.slice(after, (int) Math.min(MAX_OVERTAKEN, passed));
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("board_id", c.board());
            event.put("period", c.period());
            event.put("display_name", pseudonym(c.entry(), c.board()));
            event.put("rank", after);
            event.put("previous_rank", before == 0 ? null : before);
            event.put("score", c.entry().score());
            event.put("overtaken", overtaken.stream().map(o -> pseudonym(o, c.board())).toList());
            live.publish(c.board(), json(event));
        }
    }

    /** Sends a board's rank changes to {@code client} as they happen, first those after {@code lastEventId} still kept. */
    void subscribe(UUID board, SseClient client, String lastEventId) {
        live.subscribe(board, client, lastEventId);
    }

    /** Drops every index (after missed notifications); they are rebuilt from PostgreSQL on next read. */
    void forgetIndexes() { indexes.clear(); }

    /** Handles {@link #PRIVACY_CHANNEL}: another process changed a tenant's privacy choice. */
    void privacyChanged(String tenant) { shownNames.forget(UUID.fromString(tenant)); }

    /** The same stable pseudonym the database function gives: "Player" and 6 hex of md5(tenant, user, board). */
    static String pseudonym(RankIndex.Entry e, UUID board) {
        try {
            byte[] d = MessageDigest.getInstance("MD5").digest((e.tenantId().toString() + (e.userId() == null ? "" : e.userId())
                    + board).getBytes(StandardCharsets.UTF_8));
            return "Player " + HexFormat.of().formatHex(d).substring(0, 6).toUpperCase(Locale.ROOT);
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static String payload(List<Change> changes) {
        List<List<Object>> rows = new ArrayList<>();
        for (Change c : changes) {
            if (!c.live()) continue;
            rows.add(Arrays.asList(c.board().toString(), c.period(), c.entry().tenantId().toString(), c.entry().userId(),
                    c.entry().score().toPlainString(), c.entry().reachedAt().toString(), c.ownPeriod(), c.entry().generation()));
        }
        return json(Map.of("node", Channels.NODE, "changes", rows));
    }

    static String json(Object v) {
        try {
            return JSON.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
