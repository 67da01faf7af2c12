package dev.thrillring.analytics;

import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The counts one analytics answer is computed from, for one tenant or summed over several. Every
 * count is of users, clicks, conversions or tenants that belong to one tenant (a user id names a
 * user within its tenant), so the counts of two tenants add up exactly: that is how the platform
 * answer is made.
 *
 * @param active            users with at least one decided fact in the window
 * @param unlockersByTier   active users who unlocked an achievement of that difficulty in the window; key 0: of any difficulty
 * @param achievements      per achievement (its owner and key), the users who unlocked it in the window
 * @param cohorts           per cohort (Monday of the first active week) and week after it (0-4), the users active then
 * @param holdout           the holdout against everyone else, summed over the tenants that run one; null when none does
 */
record AnalyticsCounts(long active, Impact impact, Map<Integer, Long> unlockersByTier, Map<AchievementKey, Achievement> achievements,
                       long referralParticipants, long uniqueClicks, Map<String, Long> conversionsByStatus, long boardParticipants,
                       long tenantsWithShowcase, long activeTenants, Map<LocalDate, Map<Integer, Long>> cohorts, HoldoutCounts holdout) {

    /** Nothing counted: the start of a sum. */
    static final AnalyticsCounts NONE = new AnalyticsCounts(0, new Impact(0, 0, 0, 0, 0, 0), Map.of(), Map.of(), 0, 0, Map.of(), 0, 0, 0, Map.of(), null);

    /** Engaged active users (unlocked an achievement or held a referral code by the window's end) against the other active users. */
    record Impact(long engagedUsers, long engagedDays, long engagedLast7, long otherUsers, long otherDays, long otherLast7) {
        Impact plus(Impact o) {
            return new Impact(engagedUsers + o.engagedUsers, engagedDays + o.engagedDays, engagedLast7 + o.engagedLast7,
                    otherUsers + o.otherUsers, otherDays + o.otherDays, otherLast7 + o.otherLast7);
        }
    }

    /**
     * Users first seen since the holdout started (and by the window's end), held out or not: how
     * many, how many were active in the window, their active days in it, and how many were active
     * in its last 7 days. {@code share} and {@code startedOn} are a single tenant's (null in a sum
     * over tenants).
     */
    record HoldoutCounts(java.math.BigDecimal share, LocalDate startedOn, Group held, Group treated, int tenants) {
        HoldoutCounts plus(HoldoutCounts o) {
            if (o == null) return this;
            return new HoldoutCounts(null, null, held.plus(o.held), treated.plus(o.treated), tenants + o.tenants);
        }
    }

    record Group(long users, long active, long days, long last7) {
        Group plus(Group o) { return new Group(users + o.users, active + o.active, days + o.days, last7 + o.last7); }
    }

    /** An achievement: {@code tenant} is null for the platform's shared catalogue, else the tenant that owns it. */
    record AchievementKey(UUID tenant, String key) implements Comparable<AchievementKey> {
        @Override public int compareTo(AchievementKey o) {
            int c = key.compareTo(o.key);
            if (c != 0) return c;
            return tenant == null ? (o.tenant == null ? 0 : -1) : o.tenant == null ? 1 : tenant.compareTo(o.tenant);
        }
    }

    record Achievement(String name, int difficulty, long users) {
        Achievement plus(Achievement o) { return new Achievement(name, difficulty, users + o.users); }
    }

    /** The sum of two tenants' counts (their users are never the same users). */
    AnalyticsCounts plus(AnalyticsCounts o) {
        Map<LocalDate, Map<Integer, Long>> c = new TreeMap<>();
        for (var src : java.util.List.of(cohorts, o.cohorts)) {
            src.forEach((monday, weeks) -> weeks.forEach((k, n) -> c.computeIfAbsent(monday, m -> new TreeMap<>()).merge(k, n, Long::sum)));
        }
        return new AnalyticsCounts(active + o.active, impact.plus(o.impact), sum(unlockersByTier, o.unlockersByTier),
                merge(achievements, o.achievements), referralParticipants + o.referralParticipants, uniqueClicks + o.uniqueClicks,
                sum(conversionsByStatus, o.conversionsByStatus), boardParticipants + o.boardParticipants,
                tenantsWithShowcase + o.tenantsWithShowcase, activeTenants + o.activeTenants, c,
                holdout == null ? o.holdout : holdout.plus(o.holdout));
    }

    private static <K> Map<K, Long> sum(Map<K, Long> a, Map<K, Long> b) {
        Map<K, Long> out = new TreeMap<>(a);
        b.forEach((k, v) -> out.merge(k, v, Long::sum));
        return out;
    }

    private static Map<AchievementKey, Achievement> merge(Map<AchievementKey, Achievement> a, Map<AchievementKey, Achievement> b) {
        Map<AchievementKey, Achievement> out = new TreeMap<>(a);
        b.forEach((k, v) -> out.merge(k, v, Achievement::plus));
        return out;
    }
}
