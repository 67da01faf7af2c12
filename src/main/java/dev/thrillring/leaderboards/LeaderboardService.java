package dev.thrillring.leaderboards;

import dev.thrillring.auth.Principal;
import dev.thrillring.auth.Role;
import dev.thrillring.db.TenantScope;
import dev.thrillring.db.TransactionSignals;
import dev.thrillring.engine.Periods;
import dev.thrillring.engine.model.Outcome;
import dev.thrillring.problems.Problem;
import dev.thrillring.tenants.Tenant;
import dev.thrillring.tenants.TenantService;
import org.jooq.DSLContext;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Leaderboards: score outcomes of decisions go into each consuming board's current period bucket;
 * standings are read with ranks (score, then who reached it first, then subject), privacy applied
 * by the database, the previous period's ranks for change, and the next reset time.
 */
public final class LeaderboardService implements dev.thrillring.decisions.DecisionListener {
    private static final Pattern PERIOD = Pattern.compile("all|\\d{4}-\\d{2}-\\d{2}|\\d{4}-W\\d{2}|\\d{4}-\\d{2}");
    private static final Map<String, String> PERIOD_OF = Map.of("daily", "day", "weekly", "week", "monthly", "month", "all_time", "all_time");

    /** A tenant whose privacy choice changed: every process drops its cached shown name. */
    public static final String PRIVACY_CHANNEL = dev.thrillring.db.Channels.PRIVACY;
    /** Names shown on public boards (opted-in tenants), cached; see {@link ShownNames}. */
    private final ShownNames shownNames = new ShownNames();

    /** Score changes travel to other processes on this channel, as JSON with the sending node. */
    public static final String CHANNEL = dev.thrillring.db.Channels.SCORES;
    private static final String NODE = dev.thrillring.db.Channels.NODE;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = dev.thrillring.web.Json.mapper();

    private final dev.thrillring.db.Database db;
    private final TenantScope scope;
    private final TenantService tenants;
    private final Clock clock;
    private final LeaderboardStore store = new LeaderboardStore();
    /** Platform boards change only by migration; cached for the decision path. */
    private final Map<String, List<LeaderboardStore.Board>> platformBoards = new ConcurrentHashMap<>();
    /** A tenant's own boards, cached; dropped when the tenant adds one (other processes: after {@link #CUSTOM_TTL_MS}). */
    private final Map<UUID, CachedBoards> customBoards = new ConcurrentHashMap<>();
    static final long CUSTOM_TTL_MS = 1_000;

    private record CachedBoards(List<LeaderboardStore.Board> boards, long loadedAt) {}
    /** In-memory standings of public board periods that have been read, keyed {@code board|period}. */
    private final RankIndexes indexes = new RankIndexes();

    /** One committed score change of a subject on a board period; {@code live}: a public board, ranked in memory. */
    public record Change(UUID board, String period, RankIndex.Entry entry, boolean live, boolean ownPeriod) {
        /** A change in the board's own period: the one that raises rank-change events and streams. */
        public Change(UUID board, String period, RankIndex.Entry entry, boolean live) { this(board, period, entry, live, true); }
    }

    public LeaderboardService(dev.thrillring.db.Database db, TenantScope scope, TenantService tenants, Clock clock) {
        this.db = db;
        this.scope = scope;
        this.tenants = tenants;
        this.clock = clock;
    }

    @Override
    public Runnable record(DSLContext tx, dev.thrillring.decisions.Decided d) {
        List<Change> changes = recordDecision(tx, d.tenantId(), d.platform(), d.userId(), d.outcomes(), d.at());
        for (Change c : changes) {
            if (c.live() && c.ownPeriod()) {
                Map<String, Object> event = rankChange(c);
                if (event != null) d.emit("leaderboard.rank_changed", event);
            }
        }
        return changes.isEmpty() ? null : () -> applyCommitted(changes);
    }

    /**
     * A group of one tenant's decisions: scores summed per subject and board period over the
     * group, one upsert for all of them, one rank event per subject and board (on the subject's
     * last decision of the group), and the notifications in as few messages as fit.
     */
    @Override
    public Runnable recordAll(DSLContext tx, List<dev.thrillring.decisions.Decided> group) {
        if (group.size() == 1) return record(tx, group.getFirst());
        UUID tenant = group.getFirst().tenantId();
        Map<String, LeaderboardStore.SubjectScore> rows = new LinkedHashMap<>();
        Map<String, dev.thrillring.decisions.Decided> lastOf = new HashMap<>();
        Map<UUID, Boolean> publicBoard = new HashMap<>();
        Set<String> ownPeriod = new java.util.HashSet<>();
        for (dev.thrillring.decisions.Decided d : group) {
            List<LeaderboardStore.Board> boards = null;
            for (Outcome o : d.outcomes()) {
                if (!o.kind().equals("score")) continue;
                if (boards == null) boards = boards(tx, d.platform(), tenant);
                String source = (String) o.details().get("board");
                BigDecimal value = BigDecimal.valueOf(((Number) o.details().get("value")).doubleValue());
                for (LeaderboardStore.Board b : boards) {
                    if (!b.source().equals(source)) continue;
                    String own = periodKey(b, d.at());
                    // Every period bucket of the board, as in recordDecision.
                    for (String period : Periods.keysAt(d.at(), ZoneId.of(b.timeZone())).values()) {
                        String k = (d.userId() == null ? "" : d.userId()) + "|" + LeaderboardStore.key(b.id(), period);
                        LeaderboardStore.SubjectScore was = rows.get(k);
                        Map<String, BigDecimal> byRule = new java.util.TreeMap<>(was == null ? Map.of() : was.score().byRule());
                        byRule.merge(o.rule(), value, BigDecimal::add);
                        rows.put(k, new LeaderboardStore.SubjectScore(d.userId(), new LeaderboardStore.Score(b.id(), period,
                                was == null ? value : was.score().value().add(value), byRule), d.at().atOffset(java.time.ZoneOffset.UTC)));
                        lastOf.put(k, d);
                        if (period.equals(own)) ownPeriod.add(k);
                    }
                    publicBoard.put(b.id(), b.visibility().equals("public"));
                }
            }
        }
        if (rows.isEmpty()) return null;
        Map<String, RankIndex.Entry> now = store.addScoresAll(tx, tenant, rows.values());
        List<Change> changes = new ArrayList<>();
        for (var row : rows.entrySet()) {
            LeaderboardStore.Score sc = row.getValue().score();
            Change c = new Change(sc.board(), sc.period(), now.get(row.getKey()), publicBoard.get(sc.board()), ownPeriod.contains(row.getKey()));
            changes.add(c);
            if (c.live() && c.ownPeriod()) {
                Map<String, Object> event = rankChange(c);
                if (event != null) lastOf.get(row.getKey()).emit("leaderboard.rank_changed", event);
            }
        }
        // NOTIFY payloads must stay under 8,000 bytes: a large group is announced in slices.
        List<Change> live = changes.stream().filter(Change::live).toList();
        for (int i = 0; i < live.size(); i += 40) {
            TransactionSignals.notifyAtCommit(tx, CHANNEL, payload(live.subList(i, Math.min(live.size(), i + 40))));
        }
        return () -> applyCommitted(changes);
    }

    /**
     * The {@code leaderboard.rank_changed} event of one score change on a public board, or null
     * when the rank stays: one event per board per decision, with the subjects it overtook listed
     * inside (at most {@link #MAX_OVERTAKEN}, and how many in all). Subjects of other tenants are
     * named by their board pseudonym only. The rank is the one the change gives on this node's
     * index when the decision is written.
     */
    private Map<String, Object> rankChange(Change c) {
        RankIndex index = index(c.board(), c.period());
        RankIndex.Entry me = c.entry();
        long before = index.rank(me.tenantId(), me.userId());
        long after = index.rankIf(me);
        if (before == after) return null;
        long passed = after > before && before != 0 ? 0 : before == 0 ? index.size() - after + 1 : before - after;
        List<RankIndex.Entry> overtaken = passed <= 0 ? List.of() : index.slice(after - 1, (int) Math.min(MAX_OVERTAKEN, passed));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("board_id", c.board().toString());
        data.put("period", c.period());
        data.put("rank", after);
        data.put("previous_rank", before == 0 ? null : before);
        data.put("score", me.score());
        data.put("overtaken", overtaken.stream()
                .map(o -> o.tenantId().equals(me.tenantId()) ? Map.of("user_id", o.userId() == null ? "" : o.userId())
                        : Map.of("display_name", pseudonym(o, c.board())))
                .toList());
        data.put("overtaken_count", Math.max(0, passed));
        return data;
    }

    /**
     * Persists a decision's score outcomes into every board that consumes them (inside the
     * decision's transaction), announces them to the other processes (delivered at commit), and
     * returns them for {@link #applyCommitted} once the transaction has committed.
     */
    public List<Change> recordDecision(DSLContext tx, UUID tenant, String platform, String user, List<Outcome> outcomes, Instant at) {
        List<Change> changes = new ArrayList<>();
        List<LeaderboardStore.Board> boards = null;
        Map<String, LeaderboardStore.Score> scores = new LinkedHashMap<>();
        Map<UUID, Boolean> publicBoard = new HashMap<>();
        Set<String> ownPeriod = new java.util.HashSet<>();
        for (Outcome o : outcomes) {
            if (!o.kind().equals("score")) continue;
            if (boards == null) boards = boards(tx, platform, tenant);
            String source = (String) o.details().get("board");
            BigDecimal value = BigDecimal.valueOf(((Number) o.details().get("value")).doubleValue());
            for (LeaderboardStore.Board b : boards) {
                if (!b.source().equals(source)) continue;
                // Every score goes into every period bucket of the board (its own period and the
                // three others), so any board can be read daily, weekly, monthly or all time.
                String own = periodKey(b, at);
                for (String period : Periods.keysAt(at, ZoneId.of(b.timeZone())).values()) {
                    // Summed per board period: one upsert and one rank change per board for the whole fact.
                    LeaderboardStore.Score was = scores.get(LeaderboardStore.key(b.id(), period));
                    Map<String, BigDecimal> byRule = new java.util.TreeMap<>(was == null ? Map.of() : was.byRule());
                    byRule.merge(o.rule(), value, BigDecimal::add);
                    scores.put(LeaderboardStore.key(b.id(), period),
                            new LeaderboardStore.Score(b.id(), period, was == null ? value : was.value().add(value), byRule));
                    if (period.equals(own)) ownPeriod.add(LeaderboardStore.key(b.id(), period));
                }
                publicBoard.put(b.id(), b.visibility().equals("public"));
            }
        }
        if (!scores.isEmpty()) {
            Map<String, RankIndex.Entry> now = store.addScores(tx, tenant, user, scores.values(), at.atOffset(java.time.ZoneOffset.UTC));
            for (LeaderboardStore.Score s : scores.values()) {
                String k = LeaderboardStore.key(s.board(), s.period());
                changes.add(new Change(s.board(), s.period(), now.get(k), publicBoard.get(s.board()), ownPeriod.contains(k)));
            }
        }
        if (changes.stream().anyMatch(Change::live)) {
            TransactionSignals.notifyAtCommit(tx, CHANNEL, payload(changes));
        }
        return changes;
    }

    /** The platform's boards and the tenant's own (none for a platform admin), from the caches, loading what is missing. */
    private List<LeaderboardStore.Board> boards(DSLContext tx, String platform, UUID tenant) {
        List<LeaderboardStore.Board> shared = platformBoards.get(platform);
        if (shared == null) {
            shared = store.boards(tx, platform, tenant).stream().filter(b -> b.tenantId() == null).toList();
            // Only platforms that have boards are kept: a public request naming any platform must not grow the cache.
            if (!shared.isEmpty()) platformBoards.put(platform, shared);
        }
        if (tenant == null) return shared;
        CachedBoards own = freshOwnBoards(tenant);
        if (own == null) {
            own = new CachedBoards(store.boards(tx, platform, tenant).stream().filter(b -> tenant.equals(b.tenantId())).toList(),
                    System.currentTimeMillis());
            customBoards.put(tenant, own);
        }
        return concat(shared, own.boards());
    }

    /** The boards as {@link #boards(DSLContext, String, UUID)} gives them, when every part is cached; else null. */
    private List<LeaderboardStore.Board> cachedBoards(String platform, UUID tenant) {
        List<LeaderboardStore.Board> shared = platformBoards.get(platform);
        if (shared == null || tenant == null) return shared;
        CachedBoards own = freshOwnBoards(tenant);
        return own == null ? null : concat(shared, own.boards());
    }

    /** The tenant's own boards if cached within {@link #CUSTOM_TTL_MS}, else null. */
    private CachedBoards freshOwnBoards(UUID tenant) {
        CachedBoards own = customBoards.get(tenant);
        return own == null || System.currentTimeMillis() - own.loadedAt() > CUSTOM_TTL_MS ? null : own;
    }

    private static List<LeaderboardStore.Board> concat(List<LeaderboardStore.Board> shared, List<LeaderboardStore.Board> own) {
        List<LeaderboardStore.Board> all = new ArrayList<>(shared);
        all.addAll(own);
        return all;
    }

    private final LiveRanks live = new LiveRanks();
    /** Overtaken subjects named per rank change at most; a big jump does not flood the log. */
    static final int MAX_OVERTAKEN = 20;

    /**
     * Brings the rank indexes up to date with changes this process committed and streams each
     * rank change (its event was written with the decision).
     */
    public void applyCommitted(List<Change> changes) { apply(changes, true); }

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

    /** A public board whose live rank changes a caller may follow; {@link #subscribe} attaches a stream to it. */
    public record LiveBoard(UUID id) {}

    /**
     * The public board a caller's live stream follows, checked before the routes start the SSE
     * handshake, so that a wrong board or platform answers with a problem status, not a 200
     * stream carrying an error.
     */
    public LiveBoard liveBoard(Principal caller, String boardKey, String platform) {
        UUID me = caller.tenantId().orElse(null);
        String p = platform != null ? platform : me == null ? null : tenants.requirePlatformOf(me);
        if (p == null) throw new Problem.Invalid("platform", "is required for a platform admin");
        caller.requirePlatform(p);
        if (me != null && !p.equals(tenants.requirePlatformOf(me))) throw new Problem.Forbidden("this key's tenant is on another platform");
        LeaderboardStore.Board board = scope.inTenant(me == null ? new UUID(0, 0) : me, tx -> store.boards(tx, p, me)).stream()
                .filter(b -> b.key().equals(boardKey)).findFirst()
                .orElseThrow(() -> new Problem.NotFound("no board '" + boardKey + "' on platform " + p));
        if (!board.visibility().equals("public")) throw new Problem.Invalid("board_key", "only public boards stream live");
        return new LiveBoard(board.id());
    }

    /** Sends a board's rank changes to {@code client} as they happen, first those after {@code lastEventId} still kept. */
    public void subscribe(LiveBoard board, io.javalin.http.sse.SseClient client, String lastEventId) {
        live.subscribe(board.id(), client, lastEventId);
    }

    private static String json(Object v) {
        try {
            return JSON.writeValueAsString(v);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Applies another process's committed score changes. */
    public void applyNotification(String payload) {
        try {
            var node = JSON.readTree(payload);
            if (NODE.equals(node.path("node").asText())) return;
            List<Change> changes = new ArrayList<>();
            for (var c : node.path("changes")) {
                changes.add(new Change(UUID.fromString(c.get(0).asText()), c.get(1).asText(), new RankIndex.Entry(
                        UUID.fromString(c.get(2).asText()), c.get(3).isNull() ? null : c.get(3).asText(),
                        new java.math.BigDecimal(c.get(4).asText()), Instant.parse(c.get(5).asText()), c.path(7).asLong(0)),
                        true, c.path(6).asBoolean(true)));
            }
            apply(changes, false);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable score notification", e);
        }
    }

    /** Drops every index (after missed notifications); they are rebuilt from PostgreSQL on next read. */
    public void forgetIndexes() {
        indexes.clear();
        shownNames.forgetAll();
    }

    /** Handles {@link #PRIVACY_CHANNEL}: another process changed a tenant's privacy choice. */
    public void privacyChanged(String tenant) { shownNames.forget(UUID.fromString(tenant)); }

    private static String payload(List<Change> changes) {
        List<List<Object>> rows = new ArrayList<>();
        for (Change c : changes) {
            if (!c.live()) continue;
            rows.add(java.util.Arrays.asList(c.board().toString(), c.period(), c.entry().tenantId().toString(), c.entry().userId(),
                    c.entry().score().toPlainString(), c.entry().reachedAt().toString(), c.ownPeriod(), c.entry().generation()));
        }
        try {
            return JSON.writeValueAsString(Map.of("node", NODE, "changes", rows));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The rank index of a public board period, built from PostgreSQL on first use. */
    private RankIndex index(UUID board, String period) {
        return indexes.get(board + "|" + period, () -> new RankIndex(db.asOwner(owner -> store.allEntries(owner, board, period))));
    }

    /** The seed's {@code LeaderboardResponse}. */
    public Map<String, Object> leaderboard(Principal caller, String platform, String type, String timePeriod, int limit,
                                           String period, String userId, String industry) {
        return leaderboard(caller, platform, type, timePeriod, limit, period, userId, industry, 0, -1);
    }

    /**
     * As above; {@code afterRank} pages on (rows after that rank), and {@code around} ≥ 0 answers
     * the rows from {@code around} places above to {@code around} places below the caller's subject.
     */
    public Map<String, Object> leaderboard(Principal caller, String platform, String type, String timePeriod, int limit,
                                           String period, String userId, String industry, long afterRank, int around) {
        UUID me = caller.tenantId().orElse(null);
        String myPlatform = me == null ? null : tenants.platformOf(me).orElseThrow(() -> new Problem.NotFound("no tenant " + me));
        String p = platform != null ? platform : myPlatform;
        if (p == null) throw new Problem.Invalid("platform", "is required for a platform admin");
        caller.requirePlatform(p);
        if (myPlatform != null && !p.equals(myPlatform)) throw new Problem.Forbidden("this key's tenant is on platform " + myPlatform);
        if (limit < 1 || limit > 1000) throw new Problem.Invalid("limit", "must be from 1 to 1000");
        if (period != null && !PERIOD.matcher(period).matches()) throw new Problem.Invalid("period", "must be all, 2026-11-24, 2026-W48 or 2026-11");
        UUID scopeTenant = me == null ? new UUID(0, 0) : me;
        String boardType = type == null ? "performance" : type;
        String tp = timePeriodOf(timePeriod, period);
        // Public platform boards, the most read, come from the rank index with cached boards and
        // names: no database round trip once warm. Anything the caches cannot answer takes the
        // transaction below.
        List<LeaderboardStore.Board> known = cachedBoards(p, me);
        LeaderboardStore.Board fast = known == null ? null : pickOrNull(known, boardType, tp);
        if (fast != null && fast.visibility().equals("public") && fast.tenantId() == null) {
            Instant now = clock.instant();
            String key = period != null ? period : periodKey(fast, now);
            return fromIndex(scopeTenant, fast, key, previousPeriodKey(fast, key), limit, me, userId, afterRank, around, now);
        }
        Tenant myTenant = me == null ? null : tenants.get(caller, me);
        return scope.inTenant(scopeTenant, tx -> {
            List<LeaderboardStore.Board> boards = boards(tx, p, me);
            LeaderboardStore.Board board = pick(boards, boardType, tp);
            String ind = board.type().equals("industry") ? (industry != null ? industry : myTenant == null ? null : myTenant.industry()) : null;
            if (board.type().equals("industry") && ind == null) throw new Problem.Invalid("industry", "is required for an industry board");
            Instant now = clock.instant();
            String key = period != null ? period : periodKey(board, now);
            String previousKey = previousPeriodKey(board, key);
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
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("leaderboard", Map.of("key", board.key(), "name", board.name(), "type", board.type(), "time_period", board.period(),
                    "time_zone", board.timeZone(), "visibility", board.visibility(), "period", key));
            out.put("leaderboard_data", data);
            out.put("user_position", position);
            out.put("rank_changes", changes);
            out.put("next_update", nextReset(board, now));
            return out;
        });
    }

    /**
     * A platform's public board for anyone: standings from the rank index with pseudonyms (names
     * of opted-in tenants), no caller position. Private, opt-in, industry and tenant boards do not
     * exist here: they answer 404 like an unknown board.
     */
    public Map<String, Object> publicBoard(String platform, String boardKey, int limit, String period, long afterRank) {
        if (period != null && !PERIOD.matcher(period).matches()) throw new Problem.Invalid("period", "must be all, 2026-11-24, 2026-W48 or 2026-11");
        UUID nobody = new UUID(0, 0);
        List<LeaderboardStore.Board> shared = cachedBoards(platform, null);
        if (shared == null) shared = scope.inTenant(nobody, tx -> boards(tx, platform, null));
        LeaderboardStore.Board board = shared.stream()
                .filter(b -> b.key().equals(boardKey) && b.visibility().equals("public") && b.tenantId() == null && !b.type().equals("industry"))
                .findFirst().orElseThrow(() -> new Problem.NotFound("no public board '" + boardKey + "' on platform " + platform));
        Instant now = clock.instant();
        String key = period != null ? period : periodKey(board, now);
        return fromIndex(nobody, board, key, previousPeriodKey(board, key), limit, null, null, afterRank, -1, now);
    }

    /** Standings of a public board from its rank index: ranks in O(√n), names per privacy. */
    private Map<String, Object> fromIndex(UUID scopeTenant, LeaderboardStore.Board board, String key, String previousKey, int limit,
                                          UUID me, String userId, long afterRank, int around, Instant now) {
        RankIndex index = index(board.id(), key);
        RankIndex previous = previousKey == null ? null : index(board.id(), previousKey);
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
        Map<UUID, String> names = shownNames.of(listed, missing -> scope.inTenant(scopeTenant, tx -> store.shownNames(tx, missing)));
        List<Map<String, Object>> data = new ArrayList<>();
        List<Map<String, Object>> changes = new ArrayList<>();
        long rank = from;
        for (RankIndex.Entry e : slice) {
            rank++;
            String name = names.containsKey(e.tenantId()) ? names.get(e.tenantId()) + (e.userId() == null ? "" : " · " + e.userId())
                    : pseudonym(e, board.id());
            Long before = previous == null ? null : nonZero(previous.rank(e.tenantId(), e.userId()));
            var row = row(new LeaderboardStore.Standing(rank, e.tenantId(), e.userId(), name, e.score(), e.reachedAt().atOffset(java.time.ZoneOffset.UTC)), before, me);
            data.add(row);
            if (before != null && before != rank) changes.add(Map.of("display_name", name, "rank", rank, "previous_rank", before, "rank_change", before - rank));
        }
        Map<String, Object> position = null;
        if (mine > 0) {
            RankIndex.Entry e = index.slice(mine - 1, 1).getFirst();
            Long before = previous == null ? null : nonZero(previous.rank(me, userId));
            position = row(new LeaderboardStore.Standing(mine, me, userId, names.getOrDefault(me, pseudonym(e, board.id())), e.score(),
                    e.reachedAt().atOffset(java.time.ZoneOffset.UTC)), before, me);
            position.put("out_of", index.size());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("leaderboard", Map.of("key", board.key(), "name", board.name(), "type", board.type(), "time_period", board.period(),
                "time_zone", board.timeZone(), "visibility", board.visibility(), "period", key));
        out.put("leaderboard_data", data);
        out.put("user_position", position);
        out.put("rank_changes", changes);
        out.put("next_update", nextReset(board, now));
        return out;
    }

    private static Long nonZero(long rank) { return rank == 0 ? null : rank; }

    /** The same stable pseudonym the database function gives: "Player" and 6 hex of md5(tenant, user, board). */
    static String pseudonym(RankIndex.Entry e, UUID board) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("MD5").digest((e.tenantId().toString() + (e.userId() == null ? "" : e.userId())
                    + board).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "Player " + java.util.HexFormat.of().formatHex(d).substring(0, 6).toUpperCase(java.util.Locale.ROOT);
        } catch (java.security.NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** A subject's score and rank in each of the board's last {@code periods} buckets it has an entry in, newest first. */
    public Map<String, Object> history(Principal caller, String boardKey, String platform, String userId, int periods) {
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
                if (board.visibility().equals("public")) row.put("rank", index(board.id(), e.period()).rank(me, userId));
                rows.add(row);
            }
            return Map.of("leaderboard", board.key(), "user_id", userId == null ? "" : userId, "history", rows);
        });
    }

    /** What a tenant admin sends to create one of the tenant's own boards. */
    public record NewBoard(String key, String name, String source, String timePeriod, String timeZone, String visibility, Integer maxParticipants) {}

    private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9-]{1,62}");

    /** Creates a custom board of the caller's tenant, fed by the rules' scores for {@code source}. */
    public Map<String, Object> createBoard(Principal caller, UUID tenant, NewBoard r) {
        caller.require(tenant, Set.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN), "create leaderboards");
        List<Problem.Violation> errors = new ArrayList<>();
        if (r.key() == null || !KEY.matcher(r.key()).matches()) errors.add(new Problem.Violation("key", "must be 2 to 63 of a-z, 0-9 and '-'"));
        if (r.name() == null || r.name().isBlank() || r.name().length() > 255) errors.add(new Problem.Violation("name", "must have 1 to 255 characters"));
        if (r.source() == null || !KEY.matcher(r.source()).matches()) errors.add(new Problem.Violation("source", "must name the board the rules score, e.g. performance"));
        String period = r.timePeriod() == null ? "weekly" : r.timePeriod();
        if (!PERIOD_OF.containsKey(period)) errors.add(new Problem.Violation("time_period", "must be daily, weekly, monthly or all_time"));
        String zone = r.timeZone() == null ? "UTC" : r.timeZone();
        try {
            ZoneId.of(zone);
        } catch (RuntimeException e) {
            errors.add(new Problem.Violation("time_zone", "must be a time zone such as Europe/Berlin"));
        }
        String visibility = r.visibility() == null ? "private" : r.visibility();
        if (!Set.of("public", "private", "opt_in").contains(visibility)) errors.add(new Problem.Violation("visibility", "must be public, private or opt_in"));
        int max = r.maxParticipants() == null ? 100 : r.maxParticipants();
        if (max < 1 || max > 10_000) errors.add(new Problem.Violation("max_participants", "must be from 1 to 10000"));
        if (!errors.isEmpty()) throw new Problem.Invalid(errors);
        String platform = tenants.requirePlatformOf(tenant);
        LeaderboardStore.Board b = scope.inTenant(tenant, tx -> {
            if (store.boards(tx, platform, tenant).stream().anyMatch(x -> x.key().equals(r.key()))) {
                throw new Problem.Conflict("key", "a board '" + r.key() + "' already exists on this platform");
            }
            LeaderboardStore.Board created = store.insertBoard(tx, tenant, platform, r.key(), r.name().strip(), r.source(),
                period, zone, visibility, max);
            new dev.thrillring.audit.AuditStore().record(tx, tenant, caller, "leaderboard.created",
                    "leaderboard/" + created.id(), null, Map.of("key", r.key(), "source", r.source(), "time_period", period,
                            "time_zone", zone, "visibility", visibility));
            return created;
        });
        customBoards.remove(tenant);
        return Map.of("leaderboard_id", b.id(), "key", b.key(), "visibility", b.visibility(), "time_period", b.period(), "time_zone", b.timeZone());
    }

    /** Opts the caller's tenant in or out of public leaderboards, with the name shown. Takes effect at once. */
    public Map<String, Object> setPrivacy(Principal caller, UUID tenant, boolean optedIn, String displayName) {
        caller.require(tenant, Set.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN), "change leaderboard privacy");
        if (displayName != null && (displayName.isBlank() || displayName.length() > 100)) {
            throw new Problem.Invalid("display_name", "must have 1 to 100 characters");
        }
        scope.inTenant(tenant, tx -> {
            store.setPrivacy(tx, tenant, optedIn, displayName == null ? null : displayName.strip());
            Map<String, Object> after = new LinkedHashMap<>();
            after.put("opted_in", optedIn);
            after.put("display_name", displayName);
            new dev.thrillring.audit.AuditStore().record(tx, tenant, caller,
                    "leaderboard.privacy_changed", "tenant/" + tenant, null, after);
            TransactionSignals.notifyAtCommit(tx, PRIVACY_CHANNEL, tenant.toString());
            return null;
        });
        shownNames.forget(tenant);
        return Map.of("tenant_id", tenant, "opted_in", optedIn);
    }

    /** As {@link #pick}, or null where pick would refuse: the transaction path then answers with fresh boards. */
    private static LeaderboardStore.Board pickOrNull(List<LeaderboardStore.Board> boards, String type, String timePeriod) {
        try {
            return pick(boards, type, timePeriod);
        } catch (Problem.Invalid unknownToTheCache) {
            return null;
        }
    }

    private static LeaderboardStore.Board pick(List<LeaderboardStore.Board> boards, String type, String timePeriod) {
        // The board named by the type first, then boards fed by the same scores (all-time, industry).
        List<LeaderboardStore.Board> byType = boards.stream().filter(b -> b.key().equals(type) || b.source().equals(type))
                .sorted(java.util.Comparator.comparing((LeaderboardStore.Board b) -> !b.key().equals(type))).toList();
        if (byType.isEmpty()) throw new Problem.Invalid("leaderboard_type", "no board '" + type + "' on this platform");
        if (!PERIOD_OF.containsKey(timePeriod)) throw new Problem.Invalid("time_period", "must be daily, weekly, monthly or all_time");
        // A board kept natively in that period first (its history predates per-period buckets),
        // else the board the type names, read in the requested period's bucket.
        LeaderboardStore.Board b = byType.stream().filter(x -> x.period().equals(timePeriod)).findFirst()
                .orElseGet(() -> byType.stream().filter(x -> x.key().equals(type)).findFirst().orElse(byType.getFirst()));
        return inPeriod(b, timePeriod);
    }

    /** The board read in another period's buckets (every score is kept in all four). */
    private static LeaderboardStore.Board inPeriod(LeaderboardStore.Board b, String timePeriod) {
        return b.period().equals(timePeriod) ? b : new LeaderboardStore.Board(b.id(), b.key(), b.name(), b.type(), b.source(),
                timePeriod, b.timeZone(), b.visibility(), b.maxParticipants(), b.tenantId());
    }

    /** The seed's default period, or the one a {@code period} key such as 2026-W48 names when only that is given. */
    static String timePeriodOf(String timePeriod, String period) {
        if (timePeriod != null) {
            if (!PERIOD_OF.containsKey(timePeriod)) throw new Problem.Invalid("time_period", "must be daily, weekly, monthly or all_time");
            if (period != null && !timePeriod.equals(granularityOf(period))) {
                throw new Problem.Invalid("period", "'" + period + "' is not a " + timePeriod + " period");
            }
            return timePeriod;
        }
        return period == null ? "monthly" : granularityOf(period);
    }

    private static String granularityOf(String period) {
        if (period.equals("all")) return "all_time";
        if (period.contains("W")) return "weekly";
        return period.length() == 10 ? "daily" : "monthly";
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

    static String periodKey(LeaderboardStore.Board b, Instant at) {
        return Periods.keysAt(at, ZoneId.of(b.timeZone())).get(PERIOD_OF.get(b.period()));
    }

    /** The bucket before {@code key}: yesterday, last ISO week, last month; none for all time. */
    static String previousPeriodKey(LeaderboardStore.Board b, String key) {
        try {
            return switch (b.period()) {
                case "daily" -> java.time.LocalDate.parse(key).minusDays(1).toString();
                case "weekly" -> {
                    var monday = java.time.LocalDate.of(Integer.parseInt(key.substring(0, 4)), 1, 4)
                            .with(IsoFields.WEEK_OF_WEEK_BASED_YEAR, Integer.parseInt(key.substring(6))).with(DayOfWeek.MONDAY).minusWeeks(1);
                    yield String.format(java.util.Locale.ROOT, "%d-W%02d", monday.get(IsoFields.WEEK_BASED_YEAR), monday.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
                }
                case "monthly" -> java.time.YearMonth.parse(key).minusMonths(1).toString();
                default -> null;
            };
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** How soon a client should read all-time standings again (they are live; the stream pushes every change). */
    static final java.time.Duration ALL_TIME_REFRESH = java.time.Duration.ofSeconds(60);

    /** When the board's current period ends, in its time zone; for all-time boards, the next refresh. */
    static ZonedDateTime nextReset(LeaderboardStore.Board b, Instant now) {
        ZonedDateTime t = now.atZone(ZoneId.of(b.timeZone())).toLocalDate().atStartOfDay(ZoneId.of(b.timeZone()));
        return switch (b.period()) {
            // All-time standings never reset; they change with every decision. The answer names
            // when a polling client should read them again (docs/decisions.md).
            case "all_time" -> now.atZone(ZoneId.of(b.timeZone())).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).plus(ALL_TIME_REFRESH);
            case "daily" -> t.plusDays(1);
            case "weekly" -> t.with(TemporalAdjusters.next(DayOfWeek.MONDAY));
            default -> t.with(TemporalAdjusters.firstDayOfNextMonth());
        };
    }
}
