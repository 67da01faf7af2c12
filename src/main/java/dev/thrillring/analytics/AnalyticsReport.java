package dev.thrillring.analytics;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One analytics answer: every number with formula, numerator, denominator and window. */
final class AnalyticsReport {
    private final AnalyticsStore.Window w;
    private final LocalDate today;
    private final Map<String, Object> window;
    private final String scope;

    /** @param scope whose tenants the portfolio formula counts ("this tenant", "the platform's tenants") */
    AnalyticsReport(AnalyticsStore.Window w, LocalDate today, String scope) {
        this.w = w;
        this.today = today;
        this.scope = scope;
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

    /** The answer's three groups from {@code c}, in order: engagement metrics (those {@code wanted}), performance impact, recommendations. */
    Map<String, Object> render(AnalyticsCounts c, Set<String> wanted) {
        long n = c.active();
        Map<String, Object> engagement = new LinkedHashMap<>();
        engagement.put("active_users", Map.of("value", n, "formula", "users with at least one decided fact in the window", "window", window));
        List<Map<String, Object>> recommendations = new ArrayList<>();

        if (wanted.contains("achievement_unlock_rate")) {
            Map<String, Object> rate = ratio("users active in the window who unlocked at least one achievement in it / active users",
                    c.unlockersByTier().getOrDefault(0, 0L), n);
            List<Map<String, Object>> per = new ArrayList<>();
            Set<Integer> tiers = new java.util.TreeSet<>();
            c.achievements().forEach((k, a) -> {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("key", k.key());
                if (k.tenant() != null) row.put("tenant_id", k.tenant());
                row.put("achievement_name", a.name());
                row.put("difficulty_level", a.difficulty());
                row.putAll(ratio("users who unlocked " + k.key() + " in the window / active users", a.users(), n));
                per.add(row);
                tiers.add(a.difficulty());
                if (a.users() == 0 && n > 0) recommendations.add(recommendation("achievement_unreached",
                        "Nobody unlocked '" + a.name() + "' in the window: lower its threshold or explain it in the product.",
                        "engagement_metrics.achievement_unlock_rate.per_achievement[" + k.key() + "]", 0, n));
            });
            rate.put("per_achievement", per);
            List<Map<String, Object>> funnel = new ArrayList<>();
            for (int tier : tiers) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("difficulty_level", tier);
                row.putAll(ratio("active users who unlocked an achievement of difficulty " + tier + " in the window / active users",
                        c.unlockersByTier().getOrDefault(tier, 0L), n));
                funnel.add(row);
            }
            rate.put("tier_funnel", funnel);
            engagement.put("achievement_unlock_rate", rate);
        }
        if (wanted.contains("referral_participation")) {
            long p = c.referralParticipants();
            Map<String, Object> r = ratio("active users who created a referral code or whose code was clicked in the window / active users", p, n);
            engagement.put("referral_participation", r);
            if (n > 0 && (double) p / n < AnalyticsService.LOW_REFERRAL_PARTICIPATION) recommendations.add(recommendation("referrals_unused",
                    "Few users refer: reward the first referral or show the share link after an achievement.",
                    "engagement_metrics.referral_participation", p, n));
        }
        if (wanted.contains("referral_conversion_rate")) {
            Map<String, Long> byStatus = c.conversionsByStatus();
            Map<String, Object> r = ratio("approved conversions in the window / unique clicks (per code and device, else address) in the window",
                    byStatus.getOrDefault("approved", 0L), c.uniqueClicks());
            long pending = byStatus.getOrDefault("pending_review", 0L), rejected = byStatus.getOrDefault("rejected", 0L);
            r.put("flagged_excluded", Map.of("count", pending + rejected, "pending_review", pending,
                    "rejected", rejected, "note", "flagged conversions are not counted as converted"));
            engagement.put("referral_conversion_rate", r);
        }
        if (wanted.contains("leaderboard_participation")) {
            long on = c.boardParticipants();
            Map<String, Object> r = ratio("users who scored on any board on a (UTC) day of the window / active users", on, n);
            engagement.put("leaderboard_participation", r);
            if (n > 0 && (double) on / n < AnalyticsService.LOW_BOARD_PARTICIPATION) recommendations.add(recommendation("boards_quiet",
                    "Few active users are on any board: score more of the actions they already take, or add an industry board.",
                    "engagement_metrics.leaderboard_participation", on, n));
        }
        if (wanted.contains("portfolio_creation_rate")) {
            Map<String, Object> r = ratio("active tenants with a published showcase / active tenants (" + scope + ")", c.tenantsWithShowcase(), c.activeTenants());
            if (c.tenantsWithShowcase() == 0) r.put("note", "no published showcase: showcases are counted once a tenant publishes one");
            engagement.put("portfolio_creation_rate", r);
        }
        if (wanted.contains("retention")) engagement.put("retention", retention(c.cohorts()));

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("window", window);
        out.put("engagement_metrics", engagement);
        out.put("performance_impact", impact(c.impact(), c.holdout()));
        out.put("recommendations", recommendations);
        return out;
    }

    private Map<String, Object> retention(Map<LocalDate, Map<Integer, Long>> cohorts) {
        List<Map<String, Object>> out = new ArrayList<>();
        cohorts.forEach((monday, weeks) -> {
            long size = weeks.getOrDefault(0, 0L);
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
                        weeks.getOrDefault(k, 0L), size));
            }
            out.add(c);
        });
        return Map.of("formula", "weekly cohorts by first active week (Monday); week_k: share active k weeks later (null: not yet elapsed)",
                "cohorts", out, "window", window);
    }

    /** Engaged (unlocked an achievement or holds a referral code) against not: observational, not causal. */
    private Map<String, Object> impact(AnalyticsCounts.Impact i, AnalyticsCounts.HoldoutCounts h) {
        long eUsers = i.engagedUsers(), eDays = i.engagedDays(), eLast7 = i.engagedLast7();
        long oUsers = i.otherUsers(), oDays = i.otherDays(), oLast7 = i.otherLast7();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", "observational");
        out.put("note", "engaged users chose to engage; differences are associations, not effects of gamification. "
                + (h == null ? "A holdout gives a causal lift; none is configured." : "The holdout block compares users split by a hash, not by choice."));
        out.put("engaged_active_in_last_7_days", ratio("engaged active users active in the window's last 7 days / engaged active users", eLast7, eUsers));
        out.put("others_active_in_last_7_days", ratio("other active users active in the window's last 7 days / other active users", oLast7, oUsers));
        out.put("engaged_active_days_per_user", ratio("active days of engaged users / engaged active users", eDays, eUsers));
        out.put("others_active_days_per_user", ratio("active days of other users / other active users", oDays, oUsers));
        out.put("holdout", h == null ? Map.of("enabled", false) : holdout(h));
        return out;
    }

    /** The holdout against everyone else first seen since it started; lift = treated minus held out, per measure. */
    private Map<String, Object> holdout(AnalyticsCounts.HoldoutCounts h) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enabled", true);
        out.put("kind", "randomised");
        if (h.share() != null) out.put("share", h.share());
        if (h.startedOn() != null) out.put("started_on", h.startedOn().toString());
        out.put("tenants", h.tenants());
        out.put("population", "users first active from the holdout's start to the window's end, split by a hash of tenant and user id");
        out.put("rewards_withheld", true);
        out.put("note", "held-out users' facts are decided and measured, but they get no points, progress, unlocks, scores or rewards, "
                + "so no events or notifications: the lift compares gamification against none");
        Map<String, Object> held = group(h.held(), "held-out");
        Map<String, Object> treated = group(h.treated(), "treated");
        out.put("held_out", held);
        out.put("treated", treated);
        Map<String, Object> lift = new LinkedHashMap<>();
        for (String k : List.of("active_in_window", "active_in_last_7_days", "active_days_per_user")) {
            lift.put(k, ((BigDecimal) ((Map<?, ?>) treated.get(k)).get("value")).subtract((BigDecimal) ((Map<?, ?>) held.get(k)).get("value")));
        }
        lift.put("formula", "treated value - held-out value, per measure");
        out.put("lift", lift);
        return out;
    }

    private Map<String, Object> group(AnalyticsCounts.Group g, String name) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("users", g.users());
        out.put("active_in_window", ratio(name + " users active in the window / " + name + " users", g.active(), g.users()));
        out.put("active_in_last_7_days", ratio(name + " users active in the window's last 7 days / " + name + " users", g.last7(), g.users()));
        out.put("active_days_per_user", ratio("active days in the window of " + name + " users / " + name + " users", g.days(), g.users()));
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
