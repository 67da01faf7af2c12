package dev.thrillring.decisions;

import org.jooq.DSLContext;

/**
 * A feature that persists its part of every decision (achievements, leaderboard scores, ...).
 * Features register a listener with the write path when the service is wired; the write path
 * never names them.
 */
@FunctionalInterface
public interface DecisionListener {
    /**
     * Persists this feature's part of {@code decision}, inside the decision's transaction.
     *
     * @return work to run once the transaction has committed (caches, in-memory ranks), or null
     */
    Runnable record(DSLContext tx, Decided decision);

    /**
     * Persists this feature's part of a group of decisions of one tenant, in arrival order, inside
     * their shared transaction. A listener that can merge its statements across the group
     * overrides this; by default each decision is recorded in turn.
     *
     * @return work to run once the transaction has committed, or null
     */
    default Runnable recordAll(DSLContext tx, java.util.List<Decided> decisions) {
        java.util.List<Runnable> after = new java.util.ArrayList<>();
        for (Decided d : decisions) {
            Runnable r = record(tx, d);
            if (r != null) after.add(r);
        }
        return after.isEmpty() ? null : () -> after.forEach(Runnable::run);
    }
}
