package dev.thrillring.leaderboards;

import dev.thrillring.auth.Principal;
import dev.thrillring.db.TenantScope;
import dev.thrillring.problems.Problem;
import dev.thrillring.tenants.Tenant;
import dev.thrillring.tenants.TenantService;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Standings reads: the seed's leaderboard answer (ranks by score, then who reached it first,
 * then subject; the previous period's ranks for change; the next reset), a platform's public
 * boards for anyone, a subject's history, and which board a live stream follows. Public platform
 * boards come from the rank indexes; private, opt-in, industry and tenant boards from PostgreSQL,
 * with privacy applied by the database.
 */
final class Standings {
    private final TenantScope scope;
    private final TenantService tenants;
    private final Clock clock;
    private final LeaderboardStore store;
    private final BoardCatalogue catalogue;
    private final RankFeed feed;

    Standings(TenantScope scope, TenantService tenants, Clock clock, LeaderboardStore store, BoardCatalogue catalogue, RankFeed feed) {
        this.scope = scope;
        this.tenants = tenants;
        this.clock = clock;
        this.store = store;
        this.catalogue = catalogue;
        this.feed = feed;
    }

    /**
     * The public board a caller's live stream follows, checked before the routes start the SSE
     * handshake, so that a wrong board or platform answers with a problem status, not a 200
     * stream carrying an error.
     */
    UUID liveBoard(Principal caller, String boardKey, String platform) {
        UUID me = caller.tenantId().orElse(null);
        String p = platform != null ? platform : me == null ? null : tenants.requirePlatformOf(me);
        if (p == null) throw new Problem.Invalid("platform", "is required for a platform admin");
        caller.requirePlatform(p);
        if (me != null && !p.equals(tenants.requirePlatformOf(me))) throw new Problem.Forbidden("this key's tenant is on another platform");
        LeaderboardStore.Board board = scope.inTenant(me == null ? new UUID(0, 0) : me, tx -> store.boards(tx, p, me)).stream()
                .filter(b -> b.key().equals(boardKey)).findFirst()
                .orElseThrow(() -> new Problem.NotFound("no board '" + boardKey + "' on platform " + p));
        if (!board.visibility().equals("public")) throw new Problem.Invalid("board_key", "only public boards stream live");
        return board.id();
    }

    /** The seed's {@code LeaderboardResponse}. */
    Map<String, Object> leaderboard(Principal caller, String platform, String type, String timePeriod, int limit,
                                           String period, String userId, String industry) {
        return leaderboard(caller, platform, type, timePeriod, limit, period, userId, industry, 0, -1);
    }

    /**
     * As above; {@code afterRank} pages on (rows after that rank), and {@code around} ≥ 0 answers
     * the rows from {@code around} places above to {@code around} places below the caller's subject.
     */
    Map<String, Object> leaderboard(Principal caller, String platform, String type, String timePeriod, int limit,
                                           String period, String userId, String industry, long afterRank, int around) {
        UUID me = caller.tenantId().orElse(null);
        String myPlatform = me == null ? null : tenants.platformOf(me).orElseThrow(() -> new Problem.NotFound("no tenant " + me));
        String p = platform != null ? platform : myPlatform;
        if (p == null) throw new Problem.Invalid("platform", "is required for a platform admin");
        caller.requirePlatform(p);
        if (myPlatform != null && !p.equals(myPlatform)) throw new Problem.Forbidden("this key's tenant is on platform " + myPlatform);
        if (limit < 1 || limit > 1000) throw new Problem.Invalid("limit", "must be from 1 to 1000");
        BoardPeriods.requirePeriodKey(period);
        UUID scopeTenant = me == null ? new UUID(0, 0) : me;
        String boardType = type == null ? "performance" : type;
        String tp = BoardPeriods.timePeriodOf(timePeriod, period);
        // Public platform boards, the most read, come from the rank index with cached boards and
        // names: no database round trip once warm. Anything the caches cannot answer takes the
        // transaction below.
        List<LeaderboardStore.Board> known = catalogue.cached(p, me);
        LeaderboardStore.Board fast = known == null ? null : BoardCatalogue.pickOrNull(known, boardType, tp);
        if (fast != null && fast.visibility().equals("public") && fast.tenantId() == null) {
            Instant now = clock.instant();
            String key = period != null ? period : BoardPeriods.periodKey(fast, now);
            return fromIndex(scopeTenant, fast, key, BoardPeriods.previousPeriodKey(fast, key), limit, me, userId, afterRank, around, now);
        }
        Tenant myTenant = me == null ? null : tenants.get(caller, me);
        return scope.inTenant(scopeTenant, tx -> {
            List<LeaderboardStore.Board> boards = catalogue.boards(tx, p, me);
            LeaderboardStore.Board board = BoardCatalogue.pick(boards, boardType, tp);
            String ind = board.type().equals("industry") ? (industry != null ? industry : myTenant == null ? null : myTenant.industry()) : null;
            if (board.type().equals("industry") && ind == null) throw new Problem.Invalid("industry", "is required for an industry board");
            Instant now = clock.instant();
            String key = period != null ? period : BoardPeriods.periodKey(board, now);
            String previousKey = BoardPeriods.previousPeriodKey(board, key);
            if (board.visibility().equals("public") && board.tenantId() == null) {
                return fromIndex(scopeTenant, board, key, previousKey, limit, me, userId, afterRank, around, now);
            }
            List<LeaderboardStore.Standing> standings = store.standings(tx, board.id(), key, ind);
            Map<String, Long> previous = new HashMap<>();
            if (previousKey != null) store.standings(tx, board.id(), previousKey, ind).forEach(s -> previous.put(subject(s), s.rank()));

            int shown = Math.min(limit, board.maxParticipants());
            long from = afterRank;
            if (around >= 0) {
                long mine = standings.stream().filter(s -> me != null && s.tenantId().equals(me) && java.util.Objects.equals(s.userId(), userId))
                        .mapToLong(LeaderboardStore.Standing::rank).findFirst()
                        .orElseThrow(() -> new Problem.NotFound("the subject has no entry on this board in period " + key));
                from = Math.max(0, mine - around - 1);
                shown = (int) (mine + around - from);
            }
            List<Map<String, Object>> data = new ArrayList<>();
            List<Map<String, Object>> changes = new ArrayList<>();
            for (LeaderboardStore.Standing s : standings) {
                if (s.rank() <= from) continue;
                if (data.size() >= shown) break;
                Map<String, Object> row = row(s, previous.get(subject(s)), me);
                data.add(row);
                if (row.get("rank_change") instanceof Long change && change != 0) changes.add(Map.of("display_name", s.displayName(),
                        "rank", s.rank(), "previous_rank", previous.get(subject(s)), "rank_change", change));
            }
            Map<String, Object> position = null;
            if (me != null) {
                for (LeaderboardStore.Standing s : standings) {
                    if (s.tenantId().equals(me) && java.util.Objects.equals(s.userId(), userId)) {
                        position = row(s, previous.get(subject(s)), me);
                        position.put("out_of", standings.size());
                    }
                }
            }
            return answer(board, key, data, position, changes, now);
        });
    }

    /**
     * A platform's public board for anyone: standings from the rank index with pseudonyms (names
     * of opted-in tenants), no caller position. Private, opt-in, industry and tenant boards do not
     * exist here: they answer 404 like an unknown board.
     */
    Map<String, Object> publicBoard(String platform, String boardKey, int limit, String period, long afterRank) {
        BoardPeriods.requirePeriodKey(period);
        UUID nobody = new UUID(0, 0);
        List<LeaderboardStore.Board> shared = catalogue.cached(platform, null);
        if (shared == null) shared = scope.inTenant(nobody, tx -> catalogue.boards(tx, platform, null));
        LeaderboardStore.Board board = shared.stream()
                .filter(b -> b.key().equals(boardKey) && b.visibility().equals("public") && b.tenantId() == null && !b.type().equals("industry"))
                .findFirst().orElseThrow(() -> new Problem.NotFound("no public board '" + boardKey + "' on platform " + platform));
        Instant now = clock.instant();
        String key = period != null ? period : BoardPeriods.periodKey(board, now);
        return fromIndex(nobody, board, key, BoardPeriods.previousPeriodKey(board, key), limit, null, null, afterRank, -1, now);
    }

    /** Standings of a public board from its rank index: ranks in O(√n), names per privacy. */
    private Map<String, Object> fromIndex(UUID scopeTenant, LeaderboardStore.Board board, String key, String previousKey, int limit,
                                          UUID me, String userId, long afterRank, int around, Instant now) {
        RankIndex index = feed.index(board.id(), key);
        RankIndex previous = previousKey == null ? null : feed.index(board.id(), previousKey);
        int shown = Math.min(limit, board.maxParticipants());
        long from = afterRank;
        long mine = me == null ? 0 : index.rank(me, userId);
        if (around >= 0) {
            if (mine == 0) throw new Problem.NotFound("the subject has no entry on this board in period " + key);
            from = Math.max(0, mine - around - 1);
            shown = (int) (mine + around - from);
        }
        List<RankIndex.Entry> slice = index.slice(from, shown);
        java.util.Set<UUID> listed = slice.stream().map(RankIndex.Entry::tenantId).collect(java.util.stream.Collectors.toSet());
        Map<UUID, String> names = feed.shownNames.of(listed, missing -> scope.inTenant(scopeTenant, tx -> store.shownNames(tx, missing)));
        List<Map<String, Object>> data = new ArrayList<>();
        List<Map<String, Object>> changes = new ArrayList<>();
        long rank = from;
        for (RankIndex.Entry e : slice) {
            rank++;
            String name = names.containsKey(e.tenantId()) ? names.get(e.tenantId()) + (e.userId() == null ? "" : " · " + e.userId())
                    : RankFeed.pseudonym(e, board.id());
            Long before = previous == null ? null : nonZero(previous.rank(e.tenantId(), e.userId()));
            var row = row(new LeaderboardStore.Standing(rank, e.tenantId(), e.userId(), name, e.score(), e.reachedAt().atOffset(java.time.ZoneOffset.UTC)), before, me);
            data.add(row);
            if (before != null && before != rank) changes.add(Map.of("display_name", name, "rank", rank, "previous_rank", before, "rank_change", before - rank));
        }
        Map<String, Object> position = null;
        if (mine > 0) {
            RankIndex.Entry e = index.slice(mine - 1, 1).getFirst();
            Long before = previous == null ? null : nonZero(previous.rank(me, userId));
            position = row(new LeaderboardStore.Standing(mine, me, userId, names.getOrDefault(me, RankFeed.pseudonym(e, board.id())), e.score(),
                    e.reachedAt().atOffset(java.time.ZoneOffset.UTC)), before, me);
            position.put("out_of", index.size());
        }
        return answer(board, key, data, position, changes, now);
    }

    /** The seed's {@code LeaderboardResponse}, from either read path. */
    private static Map<String, Object> answer(LeaderboardStore.Board board, String key, List<Map<String, Object>> data,
                                              Map<String, Object> position, List<Map<String, Object>> changes, Instant now) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("leaderboard", Map.of("key", board.key(), "name", board.name(), "type", board.type(), "time_period", board.period(),
                "time_zone", board.timeZone(), "visibility", board.visibility(), "period", key));
        out.put("leaderboard_data", data);
        out.put("user_position", position);
        out.put("rank_changes", changes);
        out.put("next_update", BoardPeriods.nextReset(board, now));
        return out;
    }

    private static Long nonZero(long rank) { return rank == 0 ? null : rank; }

    /** A subject's score and rank in each of the board's last {@code periods} buckets it has an entry in, newest first. */
    Map<String, Object> history(Principal caller, String boardKey, String platform, String userId, int periods) {
        UUID me = caller.tenantId().orElseThrow(() -> new Problem.Forbidden("history is read with a tenant's key"));
        String p = platform != null ? platform : tenants.requirePlatformOf(me);
        if (periods < 1 || periods > 52) throw new Problem.Invalid("periods", "must be from 1 to 52");
        return scope.inTenant(me, tx -> {
            LeaderboardStore.Board board = store.boards(tx, p, me).stream().filter(b -> b.key().equals(boardKey)).findFirst()
                    .orElseThrow(() -> new Problem.NotFound("no board '" + boardKey + "' on platform " + p));
            List<Map<String, Object>> rows = new ArrayList<>();
            for (LeaderboardStore.PeriodScore e : store.history(tx, board.id(), me, userId, periods, switch (board.period()) {
                case "daily" -> "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
                case "weekly" -> "^[0-9]{4}-W[0-9]{2}$";
                case "monthly" -> "^[0-9]{4}-[0-9]{2}$";
                default -> "^all$";
            })) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("period", e.period());
                row.put("score", e.score());
                if (board.visibility().equals("public")) row.put("rank", feed.index(board.id(), e.period()).rank(me, userId));
                rows.add(row);
            }
            return Map.of("leaderboard", board.key(), "user_id", userId == null ? "" : userId, "history", rows);
        });
    }

    private static Map<String, Object> row(LeaderboardStore.Standing s, Long previous, UUID me) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("rank", s.rank());
        row.put("display_name", s.displayName());
        row.put("score", s.score());
        row.put("score_reached_at", s.scoreReachedAt());
        row.put("previous_rank", previous);
        row.put("rank_change", previous == null ? null : previous - s.rank());
        row.put("is_you", me != null && me.equals(s.tenantId()));
        return row;
    }

    private static String subject(LeaderboardStore.Standing s) { return s.tenantId() + "/" + s.userId(); }

}
