package dev.thrillring.decisions;

import dev.thrillring.engine.Evaluation;
import dev.thrillring.engine.model.Outcome;

import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Which subjects a tenant holds out of gamification (an experiment's control group): their facts
 * are decided and their metrics kept, so their activity can be compared, but they get no points,
 * progress, unlocks, scores or rewards, and so no events or notifications. The analytics
 * capability, which owns the setting, registers one with the {@link DecisionWriter}.
 */
@FunctionalInterface
public interface Holdouts {
    /** No holdout anywhere. */
    Holdouts NONE = (tenant, userId) -> false;

    /** Outcome kinds a held-out subject keeps: its state, and fraud signals (not a reward). */
    Set<String> KEPT = Set.of("metric", "metric_max", "metric_set", "fraud_signal");

    boolean heldOut(UUID tenant, String userId);

    /** The evaluation with only the outcomes a held-out subject keeps; the rules that fired stay on record. */
    static Evaluation withheld(Evaluation e) {
        return new Evaluation(e.ruleSetVersion(), e.firedRules(), kept(e.outcomes()), e.micros());
    }

    static List<Outcome> kept(List<Outcome> outcomes) {
        return outcomes.stream().filter(o -> KEPT.contains(o.kind())).toList();
    }
}
