package dev.thrillring.engine.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one API through which rules act, bound as the global {@code outcomes} for a single
 * evaluation. Rules decide; the service persists what is recorded here. Arguments are checked,
 * so a rule's mistake surfaces as an error naming the rule, not as a strange row.
 */
public final class Outcomes {
    private final List<Outcome> recorded = new ArrayList<>();
    private final SubjectState state;
    private final Runnable stateChanged;
    private String currentRule = "";

    /**
     * @param state        the subject's state, kept current as rules change metrics
     * @param stateChanged tells the engine that {@code state} changed, so rules on it re-evaluate
     */
    public Outcomes(SubjectState state, Runnable stateChanged) {
        this.state = state;
        this.stateChanged = stateChanged;
    }

    /** Award points to the fact's subject. */
    public void points(long amount, String reason) {
        record("points", "amount", amount, "reason", text(reason));
    }

    /** Add {@code delta} to one of the subject's metrics (all periods). */
    public void metric(String name, double delta) {
        record("metric", "name", name(name), "delta", finite(delta));
        state.addMetric(name, delta);
        stateChanged.run();
    }

    /** Raise a metric to {@code value} when it is higher than the recorded one (a best-so-far). */
    public void metricMax(String name, double value) {
        record("metric_max", "name", name(name), "value", finite(value));
        state.maxMetric(name, value);
        stateChanged.run();
    }

    /** Record progress towards an achievement. */
    public void progress(String achievement, double current, double target) {
        if (!(target > 0)) throw new IllegalArgumentException("progress target must be > 0");
        record("progress", "achievement", name(achievement), "current", finite(current), "target", target);
    }

    /** Unlock an achievement for the fact's subject; a second unlock of it in one evaluation is ignored. */
    public void unlock(String achievement) {
        name(achievement);
        if (state.unlocked(achievement)) return;
        record("unlock", "achievement", achievement);
        state.markUnlocked(achievement);
        stateChanged.run();
    }

    /** Add {@code value} to the subject's score on a leaderboard. */
    public void score(String board, double value) {
        record("score", "board", name(board), "value", finite(value));
    }

    /** Grant a referral reward to {@code party} (referrer or referee) at a tier. */
    public void reward(String party, String tier, double amount) {
        record("reward", "party", name(party), "tier", name(tier), "amount", finite(amount));
    }

    /** Raise a fraud indicator with its weight (0–1) and a human-readable reason. */
    public void fraudSignal(String indicator, double weight, String reason) {
        if (weight < 0 || weight > 1) throw new IllegalArgumentException("fraud weight must be within 0..1");
        record("fraud_signal", "indicator", name(indicator), "weight", weight, "reason", text(reason));
    }

    /** What the rules recorded, in the order they recorded it. */
    public List<Outcome> recorded() { return List.copyOf(recorded); }

    /** Called by the engine before each rule's consequence, so outcomes carry their rule. */
    public void enterRule(String ruleName) { this.currentRule = ruleName; }

    private void record(String kind, Object... pairs) {
        Map<String, Object> details = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) details.put((String) pairs[i], pairs[i + 1]);
        recorded.add(new Outcome(kind, currentRule, details));
    }

    private static String name(String s) {
        if (s == null || s.isBlank() || s.length() > 100) {
            throw new IllegalArgumentException("a name must have 1 to 100 characters");
        }
        return s;
    }

    private static String text(String s) { return s == null ? "" : s.length() > 500 ? s.substring(0, 500) : s; }

    private static double finite(double d) {
        if (!Double.isFinite(d)) throw new IllegalArgumentException("a number must be finite");
        return d;
    }
}
