package dev.thrillring.engine;

import dev.thrillring.engine.model.Fact;
import dev.thrillring.engine.model.Outcomes;
import dev.thrillring.engine.model.SubjectState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.kie.api.event.rule.AfterMatchFiredEvent;
import org.kie.api.event.rule.BeforeMatchFiredEvent;
import org.kie.api.event.rule.DefaultAgendaEventListener;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.rule.ConsequenceException;
import org.kie.api.runtime.rule.FactHandle;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Evaluates facts against compiled rule sets. Holds no rule sets itself; see {@link RuleSetRegistry}. */
public final class RuleEngine {
    /** A rule set that fires more often than this for one fact is looping. */
    static final int MAX_FIRINGS = 10_000;

    private final Timer evaluationTimer;

    public RuleEngine(MeterRegistry registry) {
        this.evaluationTimer = Timer.builder("thrillring.rules.evaluation")
                .description("Time to evaluate one fact against its rule set")
                .publishPercentileHistogram()
                .register(registry);
    }

    /**
     * Evaluates one fact with its subject's state in a session of its own. {@code state} is changed
     * in place by the metric and unlock outcomes, so a caller evaluating several facts in a row
     * (a scenario, a dry run) passes the same state on.
     */
    public Evaluation evaluate(CompiledRuleSet ruleSet, Fact fact, SubjectState state) {
        long t0 = System.nanoTime();
        List<String> fired = new ArrayList<>();
        KieSession session = ruleSet.base().newKieSession();
        try {
            FactHandle[] stateHandle = new FactHandle[1];
            Outcomes outcomes = new Outcomes(state, () -> session.update(stateHandle[0], state), fact.getOccurredAt());
            session.setGlobal("outcomes", outcomes);
            session.addEventListener(new DefaultAgendaEventListener() {
                @Override public void beforeMatchFired(BeforeMatchFiredEvent event) {
                    String rule = event.getMatch().getRule().getName();
                    outcomes.enterRule(rule);
                    fired.add(rule);
                }

                @Override public void afterMatchFired(AfterMatchFiredEvent event) {
                    outcomes.flushStateChanges();
                }
            });
            stateHandle[0] = session.insert(state);
            session.insert(fact);
            int count = session.fireAllRules(MAX_FIRINGS);
            if (count >= MAX_FIRINGS) {
                throw new RuleFailure(fired.getLast(), "rules fired " + MAX_FIRINGS + " times for one fact; a rule is looping", null);
            }
            long nanos = System.nanoTime() - t0;
            evaluationTimer.record(nanos, TimeUnit.NANOSECONDS);
            return new Evaluation(ruleSet.version(), List.copyOf(fired), outcomes.recorded(), nanos / 1000);
        } catch (ConsequenceException e) {
            String rule = e.getMatch() == null ? "" : e.getMatch().getRule().getName();
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new RuleFailure(rule, "rule '" + rule + "' failed: " + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), e);
        } finally {
            session.dispose();
        }
    }
}
