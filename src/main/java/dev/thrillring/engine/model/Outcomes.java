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
    private final java.time.Instant factTime;
    private String currentRule = "";

    /**
     * @param state        the subject's state, kept current as rules change metrics
     * @param stateChanged tells the engine that {@code state} changed, so rules on it re-evaluate
     * @param factTime     when the evaluated fact happened (streaks count periods from it)
     */
    public Outcomes(SubjectState state, Runnable stateChanged, java.time.Instant factTime) {
        this.state = state;
        this.stateChanged = stateChanged;
        this.factTime = factTime;
    }

    /** Award points to the fact's subject. */
    public void points(long amount, String reason) {
        record("points", "amount", amount, "reason", text(reason));
    }

    /** Add {@code delta} to one of the subject's metrics (all periods). */
    public void metric(String name, double delta) {
        record("metric", "name", name(name), "delta", finite(delta));
        state.addMetric(name, delta);
        changed();
    }

    /** Raise a metric to {@code value} when it is higher than the recorded one (a best-so-far). */
    public void metricMax(String name, double value) {
        record("metric_max", "name", name(name), "value", finite(value));
        state.maxMetric(name, value);
        changed();
    }

    /**
     * Counts an unbroken run of active {@code period}s ({@code day} or {@code week}, UTC) in the
     * metric {@code name}: the first fact of the next period extends it, a gap resets it to 1,
     * more facts in the same period leave it. The last active period is kept in {@code name.last}.
     */
    public void streak(String name, String period) {
        name(name);
        long index = periodIndex(period);
        double last = state.metric(name + ".last");
        double length = state.metric(name);
        double next = last == index ? length : last == index - 1 ? length + 1 : 1;
        if (last == index && length > 0) return;
        record("metric_set", "name", name, "value", next);
        record("metric_set", "name", name + ".last", "value", (double) index);
        state.setMetric(name + ".last", index);
        state.setMetric(name, next);
        changed();
    }

    /**
     * Adds 1 to {@code name} for the first fact of each {@code period} ({@code day} or {@code week},
     * UTC) and nothing for later facts of the same period: "active days", "active weeks".
     */
    public void countPeriods(String name, String period) {
        name(name);
        long index = periodIndex(period);
        if (state.metric(name + ".last") == index && state.metric(name) > 0) return;
        record("metric_set", "name", name + ".last", "value", (double) index);
        state.setMetric(name + ".last", index);
        metric(name, 1);
    }

    private long periodIndex(String period) {
        long day = Math.floorDiv(factTime.getEpochSecond(), 86_400);
        return switch (period) {
            case "day" -> day;
            case "week" -> Math.floorDiv(day + 3, 7); // 1970-01-01 was a Thursday; weeks start on Monday
            default -> throw new IllegalArgumentException("period must be day or week");
        };
    }

    /**
     * Records progress towards a tracked achievement and, when its target is reached, unlocks it
     * and awards {@code points}.
     */
    public void advance(Tracking t, long points) {
        if (t == null) return;
        if (!(t.target() > 0) || !Double.isFinite(t.target())) throw new IllegalArgumentException("an achievement's threshold must be a finite number > 0");
        double pct = Math.min(100.0, Math.floor(Math.max(0, t.current()) / t.target() * 10_000) / 100);
        // Rules on the state fire again when other rules change it: keep one progress per achievement, the latest.
        recorded.removeIf(o -> o.kind().equals("progress") && t.achievement().equals(o.details().get("achievement")));
        record("progress", "achievement", t.achievement(), "current", t.current(), "target", t.target(), "percentage", pct);
        if (t.reached()) {
            unlock(t.achievement());
            if (points != 0) points(points, "achievement " + t.achievement());
        }
    }

    /** Record progress towards an achievement. */
    public void progress(String achievement, double current, double target) {
        if (!(target > 0) || !Double.isFinite(target)) throw new IllegalArgumentException("progress target must be a finite number > 0");
        record("progress", "achievement", name(achievement), "current", finite(current), "target", target);
    }

    /** Unlock an achievement for the fact's subject; a second unlock of it in one evaluation is ignored. */
    public void unlock(String achievement) {
        name(achievement);
        if (state.unlocked(achievement)) return;
        record("unlock", "achievement", achievement);
        state.markUnlocked(achievement);
        changed();
    }

    /** Add {@code value} to the subject's score on a leaderboard. */
    public void score(String board, double value) {
        record("score", "board", name(board), "value", finite(value));
    }

    /** Grant a referral reward to {@code party} (referrer or referee) at a tier. */
    public void reward(String party, String tier, double amount) {
        name(party);
        // One reward per party and fact: a tier rule on the state fires again after other rules change it.
        recorded.removeIf(o -> o.kind().equals("reward") && party.equals(o.details().get("party")));
        record("reward", "party", name(party), "tier", name(tier), "amount", finite(amount));
    }

    /** Raise a fraud indicator with its weight (0–1) and a human-readable reason. */
    public void fraudSignal(String indicator, double weight, String reason) {
        if (!(weight >= 0 && weight <= 1)) throw new IllegalArgumentException("fraud weight must be within 0..1");
        record("fraud_signal", "indicator", name(indicator), "weight", weight, "reason", text(reason));
    }

    private boolean dirty;

    private void changed() { dirty = true; }

    /**
     * Called by the engine after each rule's consequence: tells the engine once that the state
     * changed, however many metrics the consequence touched.
     */
    public void flushStateChanges() {
        if (dirty) {
            dirty = false;
            stateChanged.run();
        }
    }

    /** What the rules recorded, in the order they recorded it. */
    public List<Outcome> recorded() { return List.copyOf(recorded); }

    /** Called by the engine before each rule's consequence, so outcomes carry their rule. */
    public void enterRule(String ruleName) { this.currentRule = ruleName; }

    /** Most outcomes one fact may have: a rule that records more is looping or abusive. */
    public static final int MAX_OUTCOMES = 1_000;

    private void record(String kind, Object... pairs) {
        if (recorded.size() >= MAX_OUTCOMES) {
            throw new IllegalArgumentException("a fact may have at most " + MAX_OUTCOMES + " outcomes; a rule is looping or records too much");
        }
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
