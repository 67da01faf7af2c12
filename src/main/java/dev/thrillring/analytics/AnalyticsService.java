package dev.thrillring.analytics;

import dev.thrillring.auth.Principal;
import dev.thrillring.auth.Role;
import dev.thrillring.db.TenantScope;
import dev.thrillring.decisions.Decided;
import dev.thrillring.problems.Problem;
import dev.thrillring.tenants.TenantService;
import org.jooq.DSLContext;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Gamification analytics computed from the data: the seed's {@code engagement_metrics},
 * {@code performance_impact} and {@code recommendations}, each number with its formula, numerator,
 * denominator and window. Active users come from a rollup of user days kept by the decision path.
 */
public final class AnalyticsService implements dev.thrillring.decisions.DecisionListener {
    static final Set<String> METRICS = Set.of("achievement_unlock_rate", "referral_participation", "referral_conversion_rate",
            "leaderboard_participation", "portfolio_creation_rate", "retention");
    private static final Set<Role> READERS = Set.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST);
    /** Below this share of active users on any board, a recommendation names the number. */
    static final double LOW_BOARD_PARTICIPATION = 0.2;
    static final double LOW_REFERRAL_PARTICIPATION = 0.05;

    private final TenantScope scope;
    private final TenantService tenants;
    private final Clock clock;
    private final AnalyticsStore store = new AnalyticsStore();
    /** Each tenant's holdout share (empty: none), for the decision path; a change elsewhere shows within 10 s. */
    private final com.github.benmanes.caffeine.cache.Cache<UUID, java.util.Optional<java.math.BigDecimal>> shares;

    public AnalyticsService(TenantScope scope, TenantService tenants, Clock clock, dev.thrillring.db.Caches caches) {
        this.scope = scope;
        this.tenants = tenants;
        this.clock = clock;
        this.shares = caches.expiring("holdout-shares", java.time.Duration.ofSeconds(10), 100_000);
    }

    /**
     * The score sources some board takes, for a tenant on a platform (the leaderboards capability
     * answers, wired at composition): a score outcome counts as board participation only then.
     */
    @FunctionalInterface
    public interface ScoredSources {
        Set<String> of(DSLContext tx, String platform, UUID tenant);
    }

    /** Until wired, no score counts as participation: the user-days rollup alone. */
    private volatile ScoredSources scoredSources = (tx, platform, tenant) -> Set.of();

    /** Which score outcomes reach a board (see {@link ScoredSources}); set once at start. */
    public void scoredSourcesFrom(ScoredSources sources) { this.scoredSources = sources; }

    /** Who the decision path holds out of rewards and notifications: {@link Holdout} at the tenant's share. */
    public dev.thrillring.decisions.Holdouts holdouts() {
        return (tenant, userId) -> {
            if (userId == null) return false;
            java.util.Optional<java.math.BigDecimal> share = shares.get(tenant,
                    t -> scope.inTenant(t, tx -> store.holdoutSetting(tx, t)).map(AnalyticsStore.HoldoutSetting::share));
            return share.isPresent() && Holdout.contains(tenant, userId, share.get());
        };
    }

    @Override
    public Runnable record(DSLContext tx, Decided d) {
        return recordAll(tx, List.of(d));
    }

    /** A group's user days in two statements: facts counted per user and day, first days per user. */
    @Override
    public Runnable recordAll(DSLContext tx, List<Decided> group) {
        Map<AnalyticsStore.UserDay, Integer> facts = new LinkedHashMap<>();
        Set<AnalyticsStore.UserDay> scored = new java.util.HashSet<>();
        Set<String> sources = null;
        for (Decided d : group) {
            if (d.userId() == null) continue;
            var day = new AnalyticsStore.UserDay(d.userId(), d.at().atOffset(ZoneOffset.UTC).toLocalDate());
            facts.merge(day, 1, Integer::sum);
            for (var o : d.outcomes()) {
                if (!o.kind().equals("score")) continue;
                if (sources == null) sources = scoredSources.of(tx, d.platform(), d.tenantId());
                if (sources.contains(String.valueOf(o.details().get("board")))) scored.add(day);
            }
        }
        if (!facts.isEmpty()) store.recordActivity(tx, group.getFirst().tenantId(), facts, scored);
        return null;
    }

    /** The window a request names: 7d, 30d, 90d ending today (UTC), or custom with both dates (at most 366 days). */
    AnalyticsStore.Window window(String timePeriod, String from, String to) {
        LocalDate today = clock.instant().atOffset(ZoneOffset.UTC).toLocalDate();
        String p = timePeriod == null ? "30d" : timePeriod;
        return switch (p) {
            case "7d" -> new AnalyticsStore.Window(today.minusDays(6), today);
            case "30d" -> new AnalyticsStore.Window(today.minusDays(29), today);
            case "90d" -> new AnalyticsStore.Window(today.minusDays(89), today);
            case "custom" -> {
                LocalDate f = date("from", from);
                LocalDate t = date("to", to);
                if (t.isBefore(f)) throw new Problem.Invalid("to", "must not be before from");
                if (f.plusDays(366).isBefore(t)) throw new Problem.Invalid("to", "the window may span at most 366 days");
                yield new AnalyticsStore.Window(f, t);
            }
            default -> throw new Problem.Invalid("time_period", "must be 7d, 30d, 90d or custom");
        };
    }

    private static LocalDate date(String name, String v) {
        if (v == null) throw new Problem.Invalid(name, "is required when time_period is custom");
        try {
            return LocalDate.parse(v);
        } catch (java.time.format.DateTimeParseException e) {
            throw new Problem.Invalid(name, "must be a date such as 2026-11-01");
        }
    }

    /** The requested metric names ({@code all} or a comma-separated list). */
    static Set<String> metrics(String metrics) {
        if (metrics == null || metrics.equals("all")) return METRICS;
        Set<String> out = new java.util.LinkedHashSet<>();
        for (String m : metrics.split(",")) {
            if (!METRICS.contains(m.strip())) throw new Problem.Invalid("metrics", "must be all or a list of " + new java.util.TreeSet<>(METRICS));
            out.add(m.strip());
        }
        return out;
    }

    /** The seed's analytics answer for one tenant. */
    public Map<String, Object> analytics(Principal caller, UUID tenant, String timePeriod, String from, String to, String metrics) {
        caller.require(tenant, READERS, "read analytics");
        AnalyticsStore.Window w = window(timePeriod, from, to);
        Set<String> wanted = metrics(metrics);
        String platform = tenants.requirePlatformOf(tenant);
        LocalDate today = clock.instant().atOffset(ZoneOffset.UTC).toLocalDate();
        AnalyticsCounts counts = scope.inTenant(tenant, tx -> store.counts(tx, tenant, platform, w, today));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tenant_id", tenant);
        out.putAll(new AnalyticsReport(w, today, "this tenant").render(counts, wanted));
        return out;
    }

    private static final Set<Role> HOLDOUT_ADMINS = Set.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN);

    /** The tenant's holdout: {@code enabled}, and its share and start when it runs one. */
    public Map<String, Object> holdout(Principal caller, UUID tenant) {
        caller.require(tenant, READERS, "read the holdout");
        return scope.inTenant(tenant, tx -> holdoutView(store.holdoutSetting(tx, tenant).orElse(null)));
    }

    /**
     * Runs a holdout of {@code share} of the tenant's users (0.0001 to 0.5; a hash of tenant and
     * user id chooses them), or ends it when {@code share} is 0. Changing the share restarts the
     * comparison (other users are held out from then on).
     */
    public Map<String, Object> setHoldout(Principal caller, UUID tenant, java.math.BigDecimal share) {
        caller.require(tenant, HOLDOUT_ADMINS, "set the holdout");
        if (share == null) throw new Problem.Invalid("share", "is required (0 ends the holdout)");
        if (share.signum() < 0 || share.compareTo(new java.math.BigDecimal("0.5")) > 0) throw new Problem.Invalid("share", "must be between 0 and 0.5");
        if (share.stripTrailingZeros().scale() > 4) throw new Problem.Invalid("share", "may have at most 4 decimals");
        LocalDate today = clock.instant().atOffset(ZoneOffset.UTC).toLocalDate();
        tenants.requirePlatformOf(tenant);
        Map<String, Object> view = scope.inTenant(tenant, tx -> {
            if (share.signum() == 0) {
                store.endHoldout(tx, tenant);
                return holdoutView(null);
            }
            return holdoutView(store.setHoldout(tx, tenant, share.setScale(4, java.math.RoundingMode.UNNECESSARY), today));
        });
        shares.invalidate(tenant);
        return view;
    }

    private static Map<String, Object> holdoutView(AnalyticsStore.HoldoutSetting h) {
        if (h == null) return Map.of("enabled", false);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enabled", true);
        out.put("share", h.share());
        out.put("started_on", h.startedOn().toString());
        out.put("rewards_withheld", true);
        return out;
    }

    /**
     * The same answer across every tenant of {@code platform}, for its platform admin (or the
     * operator): each tenant's counts read in its own scope, then summed. A user id names a user
     * within a tenant, so no user is counted twice by the sum.
     */
    public Map<String, Object> platformAnalytics(Principal caller, String platform, String timePeriod, String from, String to, String metrics) {
        AnalyticsStore.Window w = window(timePeriod, from, to);
        Set<String> wanted = metrics(metrics);
        List<UUID> ids = dev.thrillring.platforms.PlatformScope.inPlatform(scope, caller, platform,
                "only a platform admin reads a platform's analytics", tx -> store.platformTenants(tx, platform));
        LocalDate today = clock.instant().atOffset(ZoneOffset.UTC).toLocalDate();
        AnalyticsCounts sum = AnalyticsCounts.NONE;
        for (UUID tenant : ids) {
            AnalyticsCounts c = scope.inTenant(tenant, tx -> store.counts(tx, tenant, platform, w, today));
            sum = sum.plus(c);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("platform", platform);
        out.put("tenants", ids.size());
        out.putAll(new AnalyticsReport(w, today, "the platform's tenants").render(sum, wanted));
        return out;
    }
}
