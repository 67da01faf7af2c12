package dev.thrillring.engine.model;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What is known about the fact's subject (a user, or the tenant as a whole) when its fact is
 * evaluated: metrics per period, unlocked achievements and its referral record. Metric changes
 * that rules make through {@link Outcomes} show here at once, so a threshold rule such as
 * {@code SubjectState(metric("orders_shipped") >= 10)} sees the order that reached it.
 */
public final class SubjectState {
    /** The periods a metric is kept for; {@code day}, {@code week} and {@code month} are the current ones. */
    public static final Set<String> PERIODS = Set.of("all_time", "day", "week", "month");

    private final UUID tenantId;
    private final String userId;
    private final Map<String, Map<String, Double>> metrics = new HashMap<>();
    private final Set<String> unlocked;
    private final int referralsConverted;
    /** Metrics changed by rules during this evaluation: progress is tracked only for those. */
    private final Set<String> changed = new HashSet<>();

    public SubjectState(UUID tenantId, String userId, Map<String, Map<String, Double>> metrics,
                        Set<String> unlocked, int referralsConverted) {
        this.tenantId = tenantId;
        this.userId = userId;
        for (String p : PERIODS) this.metrics.put(p, new HashMap<>(metrics.getOrDefault(p, Map.of())));
        this.unlocked = new HashSet<>(unlocked);
        this.referralsConverted = referralsConverted;
    }

    public static SubjectState empty(UUID tenantId, String userId) {
        return new SubjectState(tenantId, userId, Map.of(), Set.of(), 0);
    }

    public UUID getTenantId() { return tenantId; }
    /** The user, or null for the tenant as a whole. */
    public String getUserId() { return userId; }

    /** The all-time value of a metric, 0 when never recorded. */
    public double metric(String name) { return metric(name, "all_time"); }

    /** A metric's value in the current {@code day}, {@code week}, {@code month} or {@code all_time}. */
    public double metric(String name, String period) {
        Map<String, Double> values = metrics.get(period);
        if (values == null) throw new IllegalArgumentException("period must be one of " + PERIODS);
        return values.getOrDefault(name, 0.0);
    }

    /**
     * True when the subject holds the achievement with this key (for a repeatable achievement:
     * unlocked within its cooldown).
     */
    public boolean unlocked(String achievementKey) { return unlocked.contains(achievementKey); }

    /** True when a rule changed this metric while the current fact was evaluated. */
    public boolean changed(String metric) { return changed.contains(metric); }

    /**
     * The progress of an achievement counted by {@code metric} in {@code period} towards
     * {@code threshold}, or null when this fact did not move that metric or the achievement is
     * already held. Used in decision tables as {@code $t : track("orders-10", "orders_shipped", 10, "all_time") != null}.
     */
    public Tracking track(String achievement, String metric, double threshold, String period) {
        return track(achievement, metric, threshold, period, ">=");
    }

    /** As {@link #track(String, String, double, String)}, reached when the metric is {@code >=} or {@code >} the threshold. */
    public Tracking track(String achievement, String metric, double threshold, String period, String comparison) {
        if (!changed.contains(metric) || unlocked.contains(achievement)) return null;
        return new Tracking(achievement, metric, period, metric(metric, period), threshold, ">".equals(comparison));
    }

    /** How many referrals by this subject have converted and been approved. */
    public int getReferralsConverted() { return referralsConverted; }

    /** A copy of the metrics of one period, for reports. */
    public Map<String, Double> metrics(String period) { return Map.copyOf(metrics.get(period)); }

    /** A copy of the unlocked achievement keys. */
    public Set<String> unlockedAchievements() { return Set.copyOf(unlocked); }

    void addMetric(String name, double delta) {
        for (Map<String, Double> values : metrics.values()) values.merge(name, delta, Double::sum);
        changed.add(name);
    }

    void maxMetric(String name, double value) {
        for (Map<String, Double> values : metrics.values()) values.merge(name, value, Math::max);
        changed.add(name);
    }

    void setMetric(String name, double value) {
        for (Map<String, Double> values : metrics.values()) values.put(name, value);
        changed.add(name);
    }

    void markUnlocked(String key) { unlocked.add(key); }

    @Override public String toString() { return "SubjectState[" + tenantId + "/" + userId + "]"; }
}
