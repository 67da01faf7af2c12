package dev.thrillring.analytics;

import org.jooq.DSLContext;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/** One analytics answer: every number with formula, numerator, denominator and window. */
final class AnalyticsReport {
    private final AnalyticsStore.Window w;
    private final LocalDate today;
    private final Map<String, Object> window;

    AnalyticsReport(AnalyticsStore.Window w, LocalDate today) {
        this.w = w;
        this.today = today;
        this.window = Map.of("from", w.from().toString(), "to", w.to().toString(), "days", w.from().datesUntil(w.to().plusDays(1)).count());
    }

    /** A ratio as reported: value rounded to 4 decimals (0 when the denominator is 0). */
    Map<String, Object> ratio(String formula, long numerator, long denominator) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("value", denominator == 0 ? BigDecimal.ZERO.setScale(4)
                : BigDecimal.valueOf(numerator).divide(BigDecimal.valueOf(denominator), 4, RoundingMode.HALF_UP));
        v.put("formula", formula);
        v.put("numerator", numerator);
        v.put("denominator", denominator);
        v.put("window", window);
        return v;
    }

    Map<String, Object> build(DSLContext tx, AnalyticsStore store, UUID tenant, String platform, Set<String> wanted) {
        List<AnalyticsStore.UserDays> active = store.activeUsers(tx, tenant, w);
        Set<String> activeIds = new HashSet<>();
        active.forEach(a -> activeIds.add(a.userId()));
        long n = activeIds.size();
        Map<String, Object> engagement = new LinkedHashMap<>();
        engagement.put("active_users", Map.of("value", n, "formula", "users with at least one decided fact in the window", "window", window));
        List<Map<String, Object>> recommendations = new ArrayList<>();

        if (wanted.contains("achievement_unlock_rate")) {
            Set<String> unlockers = store.unlockers(tx, tenant, w, null);
            unlockers.retainAll(activeIds);
            Map<String, Object> rate = ratio("users active in the window who unlocked at least one achievement in it / active users", unlockers.size(), n);
            List<Map<String, Object>> per = new ArrayList<>();
            Map<Integer, Integer> achievementsPerTier = new TreeMap<>();
            for (AnalyticsStore.AchievementUnlocks a : store.unlocksByAchievement(tx, tenant, platform, w)) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("key", a.key());
                row.put("achievement_name", a.name());
                row.put("difficulty_level", a.difficulty());
                row.putAll(ratio("users who unlocked " + a.key() + " in the window / active users", a.users(), n));
                per.add(row);
                achievementsPerTier.merge(a.difficulty(), 1, Integer::sum);
                if (a.users() == 0 && n > 0) recommendations.add(recommendation("achievement_unreached",
                        "Nobody unlocked '" + a.name() + "' in the window: lower its threshold or explain it in the product.",
                        "engagement_metrics.achievement_unlock_rate.per_achievement[" + a.key() + "]", 0, n));
            }
            rate.put("per_achievement", per);
            List<Map<String, Object>> funnel = new ArrayList<>();
            for (int tier : achievementsPerTier.keySet()) {
                Set<String> atTier = store.unlockers(tx, tenant, w, tier);
                atTier.retainAll(activeIds);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("difficulty_level", tier);
                row.putAll(ratio("active users who unlocked an achievement of difficulty " + tier + " in the window / active users", atTier.size(), n));
                funnel.add(row);
            }
            rate.put("tier_funnel", funnel);
            engagement.put("achievement_unlock_rate", rate);
        }
        if (wanted.contains("referral_participation")) {
            Set<String> p = store.referralParticipants(tx, tenant, w);
            p.retainAll(activeIds);
            Map<String, Object> r = ratio("active users who created a referral code or whose code was clicked in the window / active users", p.size(), n);
            engagement.put("referral_participation", r);
            if (n > 0 && (double) p.size() / n < AnalyticsService.LOW_REFERRAL_PARTICIPATION) recommendations.add(recommendation("referrals_unused",
                    "Few users refer: reward the first referral or show the share link after an achievement.",
                    "engagement_metrics.referral_participation", p.size(), n));
        }
        if (wanted.contains("referral_conversion_rate")) {
            int clicks = store.uniqueClicks(tx, tenant, w);
            Map<String, Integer> byStatus = store.conversionsByStatus(tx, tenant, w);
            int approved = byStatus.getOrDefault("approved", 0);
            Map<String, Object> r = ratio("approved conversions in the window / unique clicks (per code and device, else address) in the window",
                    approved, clicks);
            int flagged = byStatus.getOrDefault("pending_review", 0) + byStatus.getOrDefault("rejected", 0);
            r.put("flagged_excluded", Map.of("count", flagged, "pending_review", byStatus.getOrDefault("pending_review", 0),
                    "rejected", byStatus.getOrDefault("rejected", 0), "note", "flagged conversions are not counted as converted"));
            engagement.put("referral_conversion_rate", r);
        }
        if (wanted.contains("leaderboard_participation")) {
            int on = store.leaderboardParticipants(tx, tenant, w);
            Map<String, Object> r = ratio("users with a score on any board in a daily bucket of the window / active users", on, n);
            engagement.put("leaderboard_participation", r);
            if (n > 0 && (double) on / n < AnalyticsService.LOW_BOARD_PARTICIPATION) recommendations.add(recommendation("boards_quiet",
                    "Few active users are on any board: score more of the actions they already take, or add an industry board.",
                    "engagement_metrics.leaderboard_participation", on, n));
        }
        if (wanted.contains("portfolio_creation_rate")) {
            boolean published = store.hasPublishedShowcase(tx, tenant);
            Map<String, Object> r = ratio("tenants with a published showcase / active tenants (this tenant)", published ? 1 : 0, n > 0 ? 1 : 0);
            if (!published) r.put("note", "no published showcase: showcases are counted once the tenant publishes one");
            engagement.put("portfolio_creation_rate", r);
        }
        if (wanted.contains("retention")) engagement.put("retention", retention(store.retention(tx, tenant, w)));

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tenant_id", tenant);
        out.put("window", window);
        out.put("engagement_metrics", engagement);
        out.put("performance_impact", impact(active, store.engagedUsers(tx, tenant, w)));
        out.put("recommendations", recommendations);
        return out;
    }

    private Map<String, Object> retention(List<AnalyticsStore.CohortWeek> rows) {
        Map<LocalDate, Map<Integer, Integer>> cohorts = new TreeMap<>();
        rows.forEach(r -> cohorts.computeIfAbsent(r.cohort(), c -> new HashMap<>()).put(r.week(), r.users()));
        List<Map<String, Object>> out = new ArrayList<>();
        cohorts.forEach((monday, weeks) -> {
            int size = weeks.getOrDefault(0, 0);
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("cohort_week", monday.toString());
            c.put("users", size);
            for (int k = 1; k <= 4; k++) {
                LocalDate starts = monday.plusWeeks(k);
                if (starts.isAfter(today)) {
                    c.put("week_" + k, null);
                    continue;
                }
                c.put("week_" + k, ratio("users of the cohort active in week " + k + " after their first week / cohort users",
                        weeks.getOrDefault(k, 0), size));
            }
            out.add(c);
        });
        return Map.of("formula", "weekly cohorts by first active week (Monday); week_k: share active k weeks later (null: not yet elapsed)",
                "cohorts", out, "window", window);
    }

    /** Engaged (unlocked an achievement or holds a referral code) against not: observational, not causal. */
    private Map<String, Object> impact(List<AnalyticsStore.UserDays> active, Set<String> engaged) {
        long eUsers = 0, eDays = 0, eLast7 = 0, oUsers = 0, oDays = 0, oLast7 = 0;
        LocalDate lastWeek = w.to().minusDays(6);
        for (AnalyticsStore.UserDays u : active) {
            boolean recent = !u.lastDay().isBefore(lastWeek);
            if (engaged.contains(u.userId())) {
                eUsers++; eDays += u.days(); if (recent) eLast7++;
            } else {
                oUsers++; oDays += u.days(); if (recent) oLast7++;
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", "observational");
        out.put("note", "engaged users chose to engage; differences are associations, not effects of gamification. "
                + "A holdout gives a causal lift; none is configured for this tenant.");
        out.put("engaged_active_in_last_7_days", ratio("engaged active users active in the window's last 7 days / engaged active users", eLast7, eUsers));
        out.put("others_active_in_last_7_days", ratio("other active users active in the window's last 7 days / other active users", oLast7, oUsers));
        out.put("engaged_active_days_per_user", ratio("active days of engaged users / engaged active users", eDays, eUsers));
        out.put("others_active_days_per_user", ratio("active days of other users / other active users", oDays, oUsers));
        out.put("holdout", Map.of("enabled", false));
        return out;
    }

    private static Map<String, Object> recommendation(String kind, String text, String metric, long numerator, long denominator) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("kind", kind);
        r.put("recommendation", text);
        r.put("triggered_by", Map.of("metric", metric, "numerator", numerator, "denominator", denominator));
        return r;
    }
}
