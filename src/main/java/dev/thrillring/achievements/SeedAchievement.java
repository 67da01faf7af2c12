package dev.thrillring.achievements;

import dev.thrillring.problems.Problem;
import dev.thrillring.problems.Problem.Violation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The seed's form of a custom achievement (its table's column names: {@code achievement_name,
 * description, achievement_type, trigger_conditions, reward_config, difficulty_level,
 * is_repeatable, icon_url}) mapped onto the flat form. {@code trigger_conditions} is
 * {@code {"metric", "threshold", "period", "comparison"?, "prerequisites"?}}; the period may be
 * written as the seed's {@code daily/weekly/monthly} or ours ({@code day/week/month/all_time}).
 */
final class SeedAchievement {
    private static final Set<String> TRIGGER_KEYS = Set.of("metric", "threshold", "period", "comparison", "prerequisites");
    private static final Map<String, String> PERIODS = Map.of("daily", "day", "weekly", "week", "monthly", "month",
            "day", "day", "week", "week", "month", "month", "all_time", "all_time");
    private static final Set<String> TYPES = Set.of("milestone", "performance", "social", "custom");

    private SeedAchievement() {}

    static AchievementService.NewCustom withTenant(AchievementService.NewCustom r, UUID tenant) {
        return new AchievementService.NewCustom(tenant.toString(), r.key(), r.name(), r.description(), r.metric(), r.comparison(),
                r.threshold(), r.period(), r.reward(), r.hidden(), r.cooldownDays(), r.category(), r.achievementName(),
                r.achievementType(), r.triggerConditions(), r.rewardConfig(), r.difficultyLevel(), r.isRepeatable(), r.iconUrl());
    }

    /** The request in the flat form; a request already flat is returned as it is (after the shared checks). */
    static AchievementService.NewCustom normalise(AchievementService.NewCustom r) {
        List<Violation> errors = new ArrayList<>();
        if (r.difficultyLevel() != null && (r.difficultyLevel() < 1 || r.difficultyLevel() > 5)) {
            errors.add(new Violation("difficulty_level", "must be from 1 to 5"));
        }
        if (r.iconUrl() != null && (r.iconUrl().length() > 500 || !r.iconUrl().matches("https?://[\\x21-\\x7e]+"))) {
            errors.add(new Violation("icon_url", "must be an http(s) URL of at most 500 characters"));
        }
        if (r.achievementType() != null && !TYPES.contains(r.achievementType())) {
            errors.add(new Violation("achievement_type", "must be milestone, performance, social or custom"));
        }
        boolean seed = r.achievementName() != null || r.triggerConditions() != null || r.rewardConfig() != null || r.isRepeatable() != null;
        if (!seed) {
            if (!errors.isEmpty()) throw new Problem.Invalid(errors);
            return r;
        }
        both(errors, "name", r.name(), "achievement_name", r.achievementName());
        both(errors, "reward", r.reward(), "reward_config", r.rewardConfig());
        Map<String, Object> t = r.triggerConditions() == null ? Map.of() : r.triggerConditions();
        if (r.triggerConditions() != null && (r.metric() != null || r.threshold() != null || r.period() != null || r.comparison() != null)) {
            errors.add(new Violation("trigger_conditions", "give either trigger_conditions or metric/threshold/period, not both"));
        }
        for (String k : t.keySet()) if (!TRIGGER_KEYS.contains(k)) errors.add(new Violation("trigger_conditions." + k, "is not a known field"));
        if (t.get("prerequisites") instanceof List<?> pre && !pre.isEmpty()) {
            errors.add(new Violation("trigger_conditions.prerequisites", "must be empty: achievements that need others are written as rules"));
        } else if (t.containsKey("prerequisites") && !(t.get("prerequisites") instanceof List<?>) && t.get("prerequisites") != null) {
            errors.add(new Violation("trigger_conditions.prerequisites", "must be a list"));
        }
        String metric = r.triggerConditions() == null ? r.metric() : t.get("metric") instanceof String m ? m : null;
        if (r.triggerConditions() != null && !(t.get("metric") instanceof String)) errors.add(new Violation("trigger_conditions.metric", "is required"));
        Double threshold = r.triggerConditions() == null ? r.threshold() : t.get("threshold") instanceof Number n ? n.doubleValue() : null;
        if (r.triggerConditions() != null && !(t.get("threshold") instanceof Number)) errors.add(new Violation("trigger_conditions.threshold", "must be a number"));
        String period = r.triggerConditions() == null ? r.period() : null;
        if (t.get("period") != null) {
            period = t.get("period") instanceof String p ? PERIODS.get(p.toLowerCase(Locale.ROOT)) : null;
            if (period == null) errors.add(new Violation("trigger_conditions.period", "must be all_time, daily, weekly or monthly"));
        }
        String comparison = r.triggerConditions() == null ? r.comparison() : t.get("comparison") instanceof String c ? c : null;
        Integer cooldown = r.cooldownDays();
        if (Boolean.TRUE.equals(r.isRepeatable()) && cooldown == null) cooldown = 1;
        if (Boolean.FALSE.equals(r.isRepeatable()) && cooldown != null && cooldown > 0) {
            errors.add(new Violation("is_repeatable", "is false but cooldown_days makes it repeatable"));
        }
        String name = r.name() != null ? r.name() : r.achievementName();
        String key = r.key() != null ? r.key() : name == null ? null : slug(name);
        if (!errors.isEmpty()) throw new Problem.Invalid(errors);
        return new AchievementService.NewCustom(r.tenantId(), key, name, r.description(), metric, comparison, threshold, period,
                r.reward() != null ? r.reward() : r.rewardConfig(), r.hidden(), cooldown, r.category(),
                null, r.achievementType(), null, null, r.difficultyLevel(), r.isRepeatable(), r.iconUrl());
    }

    private static void both(List<Violation> errors, String ours, Object a, String seeds, Object b) {
        if (a != null && b != null) errors.add(new Violation(seeds, "give either " + ours + " or " + seeds + ", not both"));
    }

    /** A key from a name: lower case, runs of other characters as one '-', 2 to 63 characters. */
    static String slug(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (s.length() > 63) s = s.substring(0, 63).replaceAll("-+$", "");
        return s.length() < 2 ? null : s;
    }
}
