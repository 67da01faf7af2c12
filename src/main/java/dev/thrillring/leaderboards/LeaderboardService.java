package dev.thrillring.leaderboards;

import dev.thrillring.auth.Principal;
import dev.thrillring.auth.Role;
import dev.thrillring.db.Caches;
import dev.thrillring.db.Database;
import dev.thrillring.db.TenantScope;
import dev.thrillring.db.TransactionSignals;
import dev.thrillring.decisions.DecisionListener;
import dev.thrillring.problems.Problem;
import dev.thrillring.tenants.TenantService;
import io.javalin.http.sse.SseClient;
import org.jooq.DSLContext;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Leaderboards, the capability's entry point. Its parts, each in its own file:
 * <ul>
 *   <li>{@link ScoreRecorder}: the listener of the one write path that turns score outcomes into entries;</li>
 *   <li>{@link BoardCatalogue}: which boards exist, cached, and tenants' own boards;</li>
 *   <li>{@link Standings}: the reads;</li>
 *   <li>{@link RankFeed}: rank indexes, the cross-node feed of changes and the live streams;</li>
 *   <li>{@link BoardPeriods}: period arithmetic, pure.</li>
 * </ul>
 * What is left here is the wiring of those parts and the tenant's privacy choice.
 */
public final class LeaderboardService {
    /** Score changes travel to other processes on this channel. */
    public static final String CHANNEL = RankFeed.CHANNEL;
    /** A tenant whose privacy choice changed: every process drops its cached shown name. */
    public static final String PRIVACY_CHANNEL = RankFeed.PRIVACY_CHANNEL;

    private final TenantScope scope;
    private final LeaderboardStore store = new LeaderboardStore();
    private final BoardCatalogue catalogue;
    private final RankFeed feed;
    private final Standings standings;
    private final ScoreRecorder scores;

    public LeaderboardService(Database db, TenantScope scope, TenantService tenants, Clock clock, Caches caches) {
        this.scope = scope;
        this.catalogue = new BoardCatalogue(scope, tenants, store, caches);
        this.feed = new RankFeed(db, store, caches);
        this.standings = new Standings(scope, tenants, clock, store, catalogue, feed);
        this.scores = new ScoreRecorder(store, catalogue, feed);
    }

    /** The part of the decision write path that records scores; registered with the write path. */
    public DecisionListener scores() { return scores; }

    /**
     * The score sources (a score outcome's {@code board}) that some board of the platform or the
     * tenant takes: a score outcome naming another is recorded nowhere. From the catalogue's caches.
     */
    public Set<String> scoredSources(DSLContext tx, String platform, UUID tenant) {
        Set<String> sources = new java.util.HashSet<>();
        for (LeaderboardStore.Board b : catalogue.boards(tx, platform, tenant)) sources.add(b.source());
        return sources;
    }

    /** A public board whose live rank changes a caller may follow; {@link #subscribe} attaches a stream to it. */
    public record LiveBoard(UUID id) {}

    /** The public board a caller's live stream follows; refused with a problem before any stream starts. */
    public LiveBoard liveBoard(Principal caller, String boardKey, String platform) {
        return new LiveBoard(standings.liveBoard(caller, boardKey, platform));
    }

    /** Sends a board's rank changes to {@code client} as they happen, first those after {@code lastEventId} still kept. */
    public void subscribe(LiveBoard board, SseClient client, String lastEventId) {
        feed.subscribe(board.id(), client, lastEventId);
    }

    /** The seed's {@code LeaderboardResponse}. */
    public Map<String, Object> leaderboard(Principal caller, String platform, String type, String timePeriod, int limit,
                                           String period, String userId, String industry) {
        return standings.leaderboard(caller, platform, type, timePeriod, limit, period, userId, industry);
    }

    /**
     * As above; {@code afterRank} pages on (rows after that rank), and {@code around} ≥ 0 answers
     * the rows from {@code around} places above to {@code around} places below the caller's subject.
     */
    public Map<String, Object> leaderboard(Principal caller, String platform, String type, String timePeriod, int limit,
                                           String period, String userId, String industry, long afterRank, int around) {
        return standings.leaderboard(caller, platform, type, timePeriod, limit, period, userId, industry, afterRank, around);
    }

    /** A platform's public board for anyone, with pseudonyms; other boards answer 404 here. */
    public Map<String, Object> publicBoard(String platform, String boardKey, int limit, String period, long afterRank) {
        return standings.publicBoard(platform, boardKey, limit, period, afterRank);
    }

    /** A subject's score and rank in each of the board's last {@code periods} buckets it has an entry in, newest first. */
    public Map<String, Object> history(Principal caller, String boardKey, String platform, String userId, int periods) {
        return standings.history(caller, boardKey, platform, userId, periods);
    }

    /** What a tenant admin sends to create one of the tenant's own boards. */
    public record NewBoard(String key, String name, String source, String timePeriod, String timeZone, String visibility, Integer maxParticipants) {}

    /** Creates a custom board of the caller's tenant, fed by the rules' scores for {@code source}. */
    public Map<String, Object> createBoard(Principal caller, UUID tenant, NewBoard r) {
        LeaderboardStore.Board b = catalogue.create(caller, tenant, r);
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
        feed.privacyChanged(tenant.toString());
        return Map.of("tenant_id", tenant, "opted_in", optedIn);
    }

    /** Applies another process's committed score changes ({@link #CHANNEL}). */
    public void applyNotification(String payload) { feed.applyNotification(payload); }

    /** Handles {@link #PRIVACY_CHANNEL}: another process changed a tenant's privacy choice. */
    public void privacyChanged(String tenant) { feed.privacyChanged(tenant); }

    /** Drops every rank index (after missed notifications; {@link Caches#clearAll} drops the rest); rebuilt from PostgreSQL on next read. */
    public void forgetIndexes() { feed.forgetIndexes(); }
}
