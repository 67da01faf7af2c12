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
}
