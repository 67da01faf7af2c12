package dev.thrillring.achievements;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seed's {@code AchievementProgressResponse} for one subject: what it unlocked, where it
 * stands on the rest, what is closest to completion and the next milestone of each metric.
 * Hidden achievements appear only once unlocked.
 */
final class ProgressReport {
    private ProgressReport() {}

    private record Candidate(AchievementQueries.Entry entry, double current, double target, double percentage) {
        String metric() { return (String) entry.triggerConditions().get("metric"); }
        double remaining() { return Math.max(0, target - current); }
    }

    static Map<String, Object> build(List<AchievementQueries.Entry> catalogue, List<AchievementQueries.SubjectRow> rows,
                                     Map<String, Double> allTime, String userId) {
        return build(catalogue, rows, allTime, userId, false);
    }

    /**
     * The tenant-wide report from its users' rows: each achievement unlocked by anyone once (first
     * unlock, with how many users hold it), progress as the users' current values summed.
     */
    static Map<String, Object> aggregate(List<AchievementQueries.Entry> catalogue, List<AchievementQueries.SubjectRow> rows,
                                         Map<String, Double> allTimeSummed) {
        Map<String, Object> out = build(catalogue, rows, allTimeSummed, null, true);
        out.put("aggregated_over", "users");
        return out;
    }

    private static Map<String, Object> build(List<AchievementQueries.Entry> catalogue, List<AchievementQueries.SubjectRow> rows,
                                             Map<String, Double> allTime, String userId, boolean aggregate) {
        Map<java.util.UUID, Double> openSum = new HashMap<>();
        Map<java.util.UUID, Map<String, Object>> firstUnlock = new HashMap<>();
        Map<java.util.UUID, AchievementQueries.SubjectRow> open = new HashMap<>();
        Map<java.util.UUID, AchievementQueries.SubjectRow> held = new HashMap<>();
        List<Map<String, Object>> unlocked = new ArrayList<>();
        Map<java.util.UUID, AchievementQueries.Entry> byId = new HashMap<>();
        catalogue.forEach(e -> byId.put(e.achievementId(), e));
        for (AchievementQueries.SubjectRow r : rows) {
            AchievementQueries.Entry e = byId.get(r.achievementId());
            if (r.unlockedAt() == null) {
                open.put(r.achievementId(), r);
                if (r.progressData().get("current") instanceof Number n) openSum.merge(r.achievementId(), n.doubleValue(), Double::sum);
                continue;
            }
            held.putIfAbsent(r.achievementId(), r);
            if (aggregate && firstUnlock.containsKey(r.achievementId())) {
                firstUnlock.get(r.achievementId()).merge("unlocked_by_users", 1, (a, b) -> (Integer) a + (Integer) b);
                continue;
            }
            Map<String, Object> u = new LinkedHashMap<>();
            u.put("achievement_id", r.achievementId());
            u.put("key", r.key());
            u.put("achievement_name", e == null ? r.key() : e.name());
            u.put("unlocked_at", r.unlockedAt());
            u.put("occurrence", r.occurrence());
            u.put("backfilled", r.backfilled());
            u.put("reward", e == null ? Map.of() : e.rewardConfig());
            if (aggregate) {
                u.put("unlocked_by_users", 1);
                firstUnlock.put(r.achievementId(), u);
            }
            unlocked.add(u);
        }

        List<Candidate> candidates = new ArrayList<>();
        for (AchievementQueries.Entry e : catalogue) {
            Object metric = e.triggerConditions().get("metric");
            if (!(e.triggerConditions().get("threshold") instanceof Number threshold) || metric == null) continue;
            boolean isHeld = held.containsKey(e.achievementId()) && !e.isRepeatable();
            if (isHeld || e.isHidden()) continue;
            AchievementQueries.SubjectRow row = open.get(e.achievementId());
            double current = aggregate && openSum.containsKey(e.achievementId()) ? openSum.get(e.achievementId())
                    : row != null && row.progressData().get("current") instanceof Number n ? n.doubleValue()
                    : "all_time".equals(e.triggerConditions().get("period")) ? allTime.getOrDefault((String) metric, 0.0) : 0.0;
            double target = threshold.doubleValue();
            candidates.add(new Candidate(e, current, target, Math.min(100, Math.floor(current / target * 10_000) / 100)));
        }

        List<Map<String, Object>> progress = candidates.stream().filter(c -> c.current() > 0)
                .sorted(Comparator.comparingDouble(Candidate::percentage).reversed())
                .map(c -> view(c, true)).toList();
        List<Map<String, Object>> recommendations = candidates.stream().filter(c -> c.current() > 0 && c.percentage() < 100)
                .sorted(Comparator.comparingDouble(Candidate::percentage).reversed()).limit(3)
                .map(c -> view(c, true)).toList();
        Map<String, Candidate> nextPerMetric = new LinkedHashMap<>();
        candidates.stream().sorted(Comparator.comparingDouble(Candidate::target))
                .forEach(c -> nextPerMetric.putIfAbsent(c.metric() + "/" + c.entry().triggerConditions().get("period"), c));
        List<Map<String, Object>> milestones = nextPerMetric.values().stream()
                .sorted(Comparator.comparingDouble(Candidate::percentage).reversed()).map(c -> view(c, true)).toList();

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("user_id", userId);
        out.put("unlocked_achievements", unlocked);
        out.put("progress_updates", progress);
        out.put("recommendations", recommendations);
        out.put("next_milestones", milestones);
        return out;
    }

    private static Map<String, Object> view(Candidate c, boolean withAdvice) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("achievement_id", c.entry().achievementId());
        v.put("key", c.entry().key());
        v.put("achievement_name", c.entry().name());
        v.put("progress", c.percentage());
        v.put("current", c.current());
        v.put("target", c.target());
        v.put("metric", c.metric());
        if (withAdvice) {
            v.put("remaining", c.remaining());
            v.put("next_milestone", c.remaining() <= 0 ? "unlocks at the next decision that checks " + c.entry().name()
                    : String.format(java.util.Locale.ROOT, "%s more %s to unlock %s",
                    trim(c.remaining()), c.metric().replace('_', ' '), c.entry().name()));
        }
        return v;
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : String.format(java.util.Locale.ROOT, "%.2f", d);
    }
}
