package dev.thrillring.leaderboards;

import dev.thrillring.decisions.Decided;
import dev.thrillring.decisions.DecisionListener;
import dev.thrillring.engine.Periods;
import dev.thrillring.engine.model.Outcome;
import org.jooq.DSLContext;

import java.math.BigDecimal;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The leaderboards' part of the one write path: the score outcomes of a group of one tenant's
 * decisions go into every board that consumes them, in every period bucket, as one upsert;
 * a rank change on a public board raises one {@code leaderboard.rank_changed} event per subject
 * and board; the changes are announced to other processes at commit and applied to the rank
 * indexes after it.
 */
final class ScoreRecorder implements DecisionListener {
    private final LeaderboardStore store;
    private final BoardCatalogue catalogue;
    private final RankFeed feed;

    ScoreRecorder(LeaderboardStore store, BoardCatalogue catalogue, RankFeed feed) {
        this.store = store;
        this.catalogue = catalogue;
        this.feed = feed;
    }

    @Override
    public Runnable record(DSLContext tx, Decided d) { return recordAll(tx, List.of(d)); }

    /**
     * Scores summed per subject and board period over the group, one upsert for all of them, one
     * rank event per subject and board (on the subject's last decision of the group).
     */
    @Override
    public Runnable recordAll(DSLContext tx, List<Decided> group) {
        UUID tenant = group.getFirst().tenantId();
        Map<String, LeaderboardStore.SubjectScore> rows = new LinkedHashMap<>();
        Map<String, Decided> lastOf = new HashMap<>();
        Map<UUID, Boolean> publicBoard = new HashMap<>();
        Set<String> ownPeriod = new HashSet<>();
        for (Decided d : group) {
            List<LeaderboardStore.Board> boards = null;
            for (Outcome o : d.outcomes()) {
                if (!o.kind().equals("score")) continue;
                if (boards == null) boards = catalogue.boards(tx, d.platform(), tenant);
                String source = (String) o.details().get("board");
                BigDecimal value = BigDecimal.valueOf(((Number) o.details().get("value")).doubleValue());
                for (LeaderboardStore.Board b : boards) {
                    if (!b.source().equals(source)) continue;
                    String own = BoardPeriods.periodKey(b, d.at());
                    // Every score goes into every period bucket of the board (its own period and the
                    // three others), so any board can be read daily, weekly, monthly or all time.
                    for (String period : Periods.keysAt(d.at(), ZoneId.of(b.timeZone())).values()) {
                        String k = (d.userId() == null ? "" : d.userId()) + "|" + LeaderboardStore.key(b.id(), period);
                        LeaderboardStore.SubjectScore was = rows.get(k);
                        Map<String, BigDecimal> byRule = new TreeMap<>(was == null ? Map.of() : was.score().byRule());
                        byRule.merge(o.rule(), value, BigDecimal::add);
                        rows.put(k, new LeaderboardStore.SubjectScore(d.userId(), new LeaderboardStore.Score(b.id(), period,
                                was == null ? value : was.score().value().add(value), byRule), d.at().atOffset(ZoneOffset.UTC)));
                        lastOf.put(k, d);
                        if (period.equals(own)) ownPeriod.add(k);
                    }
                    publicBoard.put(b.id(), b.visibility().equals("public"));
                }
            }
        }
        if (rows.isEmpty()) return null;
        Map<String, RankIndex.Entry> now = store.addScoresAll(tx, tenant, rows.values());
        List<RankFeed.Change> changes = new ArrayList<>();
        for (var row : rows.entrySet()) {
            LeaderboardStore.Score sc = row.getValue().score();
            RankFeed.Change c = new RankFeed.Change(sc.board(), sc.period(), now.get(row.getKey()), publicBoard.get(sc.board()),
                    ownPeriod.contains(row.getKey()));
            changes.add(c);
            if (c.live() && c.ownPeriod()) {
                Map<String, Object> event = rankChange(c);
                if (event != null) lastOf.get(row.getKey()).emit("leaderboard.rank_changed", event);
            }
        }
        feed.announceAtCommit(tx, changes);
        return () -> feed.applyCommitted(changes);
    }

    /**
     * The {@code leaderboard.rank_changed} event of one score change on a public board, or null
     * when the rank stays: one event per board per decision, with the subjects it overtook listed
     * inside (at most {@link RankFeed#MAX_OVERTAKEN}, and how many in all). Subjects of other
     * tenants are named by their board pseudonym only. The rank is the one the change gives on
     * this node's index when the decision is written.
     */
    private Map<String, Object> rankChange(RankFeed.Change c) {
        RankIndex index = feed.index(c.board(), c.period());
        RankIndex.Entry me = c.entry();
        long before = index.rank(me.tenantId(), me.userId());
        long after = index.rankIf(me);
        if (before == after) return null;
        long passed = after > before && before != 0 ? 0 : before == 0 ? index.size() - after + 1 : before - after;
        List<RankIndex.Entry> overtaken = passed <= 0 ? List.of() : index.slice(after - 1, (int) Math.min(RankFeed.MAX_OVERTAKEN, passed));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("board_id", c.board().toString());
        data.put("period", c.period());
        data.put("rank", after);
        data.put("previous_rank", before == 0 ? null : before);
        data.put("score", me.score());
        data.put("overtaken", overtaken.stream()
                .map(o -> o.tenantId().equals(me.tenantId()) ? Map.of("user_id", o.userId() == null ? "" : o.userId())
                        : Map.of("display_name", RankFeed.pseudonym(o, c.board())))
                .toList());
        data.put("overtaken_count", Math.max(0, passed));
        return data;
    }
}
