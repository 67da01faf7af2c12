package dev.thrillring.engine.model;

/**
 * An achievement a fact moved: its key, the metric and period it counts, the value now and the
 * target. Made by {@link SubjectState#track} in a rule's condition and passed to
 * {@link Outcomes#advance} in its consequence.
 */
public record Tracking(String achievement, String metric, String period, double current, double target, boolean strict) {
    public boolean reached() { return strict ? current > target : current >= target; }
}
