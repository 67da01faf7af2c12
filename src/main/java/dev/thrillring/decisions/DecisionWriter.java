package dev.thrillring.decisions;

import dev.thrillring.db.TenantScope;
import dev.thrillring.events.EventLog;
import dev.thrillring.subjects.SubjectStore;
import org.jooq.DSLContext;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The one write path of decisions, whatever made them (a fact, a conversion, a review): the
 * subject's metrics, each registered feature's part (achievements, leaderboard scores), and the
 * events all of them describe, in the decision's transaction. Rules decide; this persists.
 */
public final class DecisionWriter {
    private final List<DecisionListener> listeners = new CopyOnWriteArrayList<>();
    private final SubjectStore subjects = new SubjectStore();
    private volatile Holdouts holdouts = Holdouts.NONE;

    /** A feature that persists its part of every decision; called in registration order. */
    public void register(DecisionListener listener) { listeners.add(listener); }

    /** Who is held out of rewards and notifications (see {@link Holdouts}); none until set. */
    public void withholdFrom(Holdouts holdouts) { this.holdouts = holdouts; }

    /** Whether this subject is in its tenant's holdout: asked for facts, conversions, reviews and referral rewards alike. */
    public boolean heldOut(UUID tenant, String userId) { return userId != null && holdouts.heldOut(tenant, userId); }

    /**
     * Persists a decision made inside {@code tx} (the subject was locked with
     * {@link SubjectStore#lock} before its state was read): metric changes as deltas, the
     * features' parts, then the events.
     */
    public void write(DSLContext tx, Decided d) {
        subjects.applyMetrics(tx, d.tenantId(), d.userId(), d.outcomes(), d.at());
        // A conversion or review of a held-out subject: its state moves, its rewards do not.
        if (heldOut(d.tenantId(), d.userId())) {
            d = new Decided(d.tenantId(), d.platform(), d.userId(), Holdouts.kept(d.outcomes()), d.source(), d.at(), d.events());
        }
        writeParts(tx, List.of(d));
    }

    /**
     * The features' parts and the events of a decision whose metrics the caller has written (a
     * fact group writes every subject's metrics in one statement).
     */
    void writeParts(DSLContext tx, Decided d) {
        writeParts(tx, List.of(d));
    }

    /** As {@link #writeParts(DSLContext, Decided)} for a group of one tenant's decisions, in arrival order. */
    void writeParts(DSLContext tx, List<Decided> group) {
        for (DecisionListener l : listeners) {
            Runnable after = l.recordAll(tx, group);
            if (after != null) TenantScope.afterCommit(tx, after);
        }
        for (Decided d : group) EventLog.append(tx, d.events());
    }
}
