package dev.thrillring.leaderboards;

import com.github.benmanes.caffeine.cache.Cache;
import dev.thrillring.audit.AuditStore;
import dev.thrillring.auth.Principal;
import dev.thrillring.auth.Role;
import dev.thrillring.db.Caches;
import dev.thrillring.db.TenantScope;
import dev.thrillring.problems.Problem;
import dev.thrillring.tenants.TenantService;
import org.jooq.DSLContext;

import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Which boards exist: a platform's shared boards (they change only by migration) and each
 * tenant's own, cached for the decision path and the hot reads; tenants create their own here.
 */
final class BoardCatalogue {
    /** A tenant's own boards stay cached this long on processes that did not create them. */
    static final Duration CUSTOM_TTL = Duration.ofSeconds(1);
    private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9-]{1,62}");

    private final TenantScope scope;
    private final TenantService tenants;
    private final LeaderboardStore store;
    /** A platform's shared boards change only by migration. */
    private final Cache<String, List<LeaderboardStore.Board>> platformBoards;
    /** A tenant's own boards: dropped here when the tenant adds one, elsewhere they show within {@link #CUSTOM_TTL}. */
    private final Cache<UUID, List<LeaderboardStore.Board>> customBoards;

    BoardCatalogue(TenantScope scope, TenantService tenants, LeaderboardStore store, Caches caches) {
        this.scope = scope;
        this.tenants = tenants;
        this.store = store;
        this.platformBoards = caches.lasting("platform-boards", 100);
        this.customBoards = caches.expiring("tenant-boards", CUSTOM_TTL, 100_000);
    }

    /** The platform's boards and the tenant's own (none for a platform admin), from the caches, loading what is missing. */
    List<LeaderboardStore.Board> boards(DSLContext tx, String platform, UUID tenant) {
        List<LeaderboardStore.Board> shared = platformBoards.getIfPresent(platform);
        if (shared == null) {
            shared = store.boards(tx, platform, tenant).stream().filter(b -> b.tenantId() == null).toList();
            // Only platforms that have boards are kept: a public request naming any platform must not grow the cache.
            if (!shared.isEmpty()) platformBoards.put(platform, shared);
        }
        if (tenant == null) return shared;
        List<LeaderboardStore.Board> own = customBoards.get(tenant,
                t -> store.boards(tx, platform, t).stream().filter(b -> t.equals(b.tenantId())).toList());
        return concat(shared, own);
    }

    /** The boards as {@link #boards} gives them, when every part is cached; else null. */
    List<LeaderboardStore.Board> cached(String platform, UUID tenant) {
        List<LeaderboardStore.Board> shared = platformBoards.getIfPresent(platform);
        if (shared == null || tenant == null) return shared;
        List<LeaderboardStore.Board> own = customBoards.getIfPresent(tenant);
        return own == null ? null : concat(shared, own);
    }

    private static List<LeaderboardStore.Board> concat(List<LeaderboardStore.Board> shared, List<LeaderboardStore.Board> own) {
        List<LeaderboardStore.Board> all = new ArrayList<>(shared);
        all.addAll(own);
        return all;
    }

    /** Creates a custom board of the caller's tenant, fed by the rules' scores for {@code source}. */
    LeaderboardStore.Board create(Principal caller, UUID tenant, LeaderboardService.NewBoard r) {
        caller.require(tenant, Set.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN), "create leaderboards");
        List<Problem.Violation> errors = new ArrayList<>();
        if (r.key() == null || !KEY.matcher(r.key()).matches()) errors.add(new Problem.Violation("key", "must be 2 to 63 of a-z, 0-9 and '-'"));
        if (r.name() == null || r.name().isBlank() || r.name().length() > 255) errors.add(new Problem.Violation("name", "must have 1 to 255 characters"));
        if (r.source() == null || !KEY.matcher(r.source()).matches()) errors.add(new Problem.Violation("source", "must name the board the rules score, e.g. performance"));
        String period = r.timePeriod() == null ? "weekly" : r.timePeriod();
        if (!BoardPeriods.isTimePeriod(period)) errors.add(new Problem.Violation("time_period", "must be daily, weekly, monthly or all_time"));
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
            new AuditStore().record(tx, tenant, caller, "leaderboard.created",
                    "leaderboard/" + created.id(), null, Map.of("key", r.key(), "source", r.source(), "time_period", period,
                            "time_zone", zone, "visibility", visibility));
            return created;
        });
        customBoards.invalidate(tenant);
        return b;
    }

    /** As {@link #pick}, or null where pick would refuse: the transaction path then answers with fresh boards. */
    static LeaderboardStore.Board pickOrNull(List<LeaderboardStore.Board> boards, String type, String timePeriod) {
        try {
            return pick(boards, type, timePeriod);
        } catch (Problem.Invalid unknownToTheCache) {
            return null;
        }
    }

    /** The board a seed request means by {@code leaderboard_type} and {@code time_period}, read in that period's buckets. */
    static LeaderboardStore.Board pick(List<LeaderboardStore.Board> boards, String type, String timePeriod) {
        // The board named by the type first, then boards fed by the same scores (all-time, industry).
        List<LeaderboardStore.Board> byType = boards.stream().filter(b -> b.key().equals(type) || b.source().equals(type))
                .sorted(Comparator.comparing((LeaderboardStore.Board b) -> !b.key().equals(type))).toList();
        if (byType.isEmpty()) throw new Problem.Invalid("leaderboard_type", "no board '" + type + "' on this platform");
        if (!BoardPeriods.isTimePeriod(timePeriod)) throw new Problem.Invalid("time_period", "must be daily, weekly, monthly or all_time");
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
}
