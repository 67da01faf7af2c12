package dev.thrillring.engine;

import dev.thrillring.engine.model.Fact;
import dev.thrillring.engine.model.Outcomes;
import dev.thrillring.engine.model.SubjectState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.kie.api.event.rule.AfterMatchFiredEvent;
import org.kie.api.event.rule.BeforeMatchFiredEvent;
import org.kie.api.event.rule.DefaultAgendaEventListener;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.rule.ConsequenceException;
import org.kie.api.runtime.rule.FactHandle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Evaluates facts against compiled rule sets, each on a worker under a deadline, so a slow rule
 * answers its fact with a 422 naming the rule instead of holding the caller. Holds no rule sets
 * itself; see {@link RuleSetRegistry}.
 */
public final class RuleEngine {
    /** A rule set that fires more often than this for one fact is looping. */
    static final int MAX_FIRINGS = 10_000;
    /** How long the engine waits for a halted evaluation to stop before it abandons the worker. */
    private static final long HALT_GRACE_MS = 200;

    /** A fact whose evaluation overran its deadline: the tenant, the rule set, the rule, and whether its worker was abandoned. */
    public record Overrun(UUID tenantId, String ruleSetVersion, String rule, boolean abandoned) {}

    private final Timer evaluationTimer;
    private final Counter overruns;
    private final AtomicInteger abandoned = new AtomicInteger();
    private final Duration deadline;
    private final List<java.util.function.Consumer<Overrun>> overrunListeners = new CopyOnWriteArrayList<>();
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "rule-evaluation");
        t.setDaemon(true);
        return t;
    });

    public RuleEngine(MeterRegistry registry) { this(registry, Duration.ofSeconds(2)); }

    /** @param deadline how long one fact's evaluation may take */
    public RuleEngine(MeterRegistry registry, Duration deadline) {
        this.deadline = deadline;
        this.evaluationTimer = Timer.builder("thrillring.rules.evaluation")
                .description("Time to evaluate one fact against its rule set")
                .publishPercentileHistogram()
                .register(registry);
        this.overruns = Counter.builder("thrillring.rules.overruns")
                .description("Evaluations that overran their deadline").register(registry);
        Gauge.builder("thrillring.rules.abandoned_workers", abandoned, AtomicInteger::get)
                .description("Evaluation workers abandoned at the deadline and still running").register(registry);
    }

    /** Called for every overrun (the rule sets use it to suspend a tenant's overlay that keeps overrunning). */
    public void onOverrun(java.util.function.Consumer<Overrun> listener) { overrunListeners.add(listener); }

    /** Evaluation workers abandoned at the deadline and still running. */
    public int abandonedWorkers() { return abandoned.get(); }

    /**
     * Evaluates one fact with its subject's state in a session of its own. {@code state} is changed
     * in place by the metric and unlock outcomes, so a caller evaluating several facts in a row
     * (a scenario, a dry run) passes the same state on.
     *
     * @throws RuleFailure when a rule fails, loops or overruns the deadline
     */
    public Evaluation evaluate(CompiledRuleSet ruleSet, Fact fact, SubjectState state) {
        long t0 = System.nanoTime();
        Run run = new Run(ruleSet, fact, state);
        Future<Evaluation> f = workers.submit(run::evaluate);
        try {
            Evaluation e = f.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
            evaluationTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
            return e;
        } catch (TimeoutException e) {
            run.halt();
            boolean stopped;
            try {
                f.get(HALT_GRACE_MS, TimeUnit.MILLISECONDS);
                stopped = true;
            } catch (TimeoutException still) {
                stopped = false;
            } catch (ExecutionException | InterruptedException other) {
                stopped = true;
            }
            if (!stopped) run.abandon();
            overruns.increment();
            String rule = run.currentRule();
            Overrun o = new Overrun(fact.getTenantId(), ruleSet.version(), rule, !stopped);
            overrunListeners.forEach(l -> l.accept(o));
            throw new RuleFailure(rule, (rule.isEmpty() ? "the rules" : "rule '" + rule + "'") + " of " + ruleSet.version()
                    + " did not finish within " + deadline.toMillis() + " ms and the fact was refused", null);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuleFailure rf) throw rf;
            throw new RuleFailure(run.currentRule(), "evaluation failed: " + e.getCause().getClass().getSimpleName(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuleFailure("", "interrupted while evaluating", e);
        }
    }

    /** One evaluation on a worker: its session, the rule firing now, and whether it was abandoned. */
    private final class Run {
        private final CompiledRuleSet ruleSet;
        private final Fact fact;
        private final SubjectState state;
        private volatile KieSession session;
        private volatile String current = "";
        private volatile boolean abandonedRun;

        Run(CompiledRuleSet ruleSet, Fact fact, SubjectState state) {
            this.ruleSet = ruleSet;
            this.fact = fact;
            this.state = state;
        }

        String currentRule() { return current; }

        void halt() {
            KieSession s = session;
            if (s != null) s.halt();
        }

        synchronized void abandon() {
            abandonedRun = true;
            abandoned.incrementAndGet();
        }

        synchronized void ended() {
            if (abandonedRun) abandoned.decrementAndGet();
        }

        Evaluation evaluate() {
            long t0 = System.nanoTime();
            List<String> fired = new ArrayList<>();
            KieSession session = ruleSet.base().newKieSession();
            this.session = session;
            try {
                FactHandle[] stateHandle = new FactHandle[1];
                Outcomes outcomes = new Outcomes(state, () -> session.update(stateHandle[0], state), fact.getOccurredAt());
                session.setGlobal("outcomes", outcomes);
                session.addEventListener(new DefaultAgendaEventListener() {
                    @Override public void beforeMatchFired(BeforeMatchFiredEvent event) {
                        String rule = event.getMatch().getRule().getName();
                        current = rule;
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
                    throw new RuleFailure(fired.getLast(), "rules fired " + MAX_FIRINGS + " times for one fact; rule '"
                            + fired.getLast() + "' is looping", null);
                }
                return new Evaluation(ruleSet.version(), List.copyOf(fired), outcomes.recorded(), (System.nanoTime() - t0) / 1000);
            } catch (ConsequenceException e) {
                String rule = e.getMatch() == null ? current : e.getMatch().getRule().getName();
                Throwable cause = e.getCause() == null ? e : e.getCause();
                throw new RuleFailure(rule, "rule '" + rule + "' failed: " + cause.getClass().getSimpleName()
                        + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), e);
            } catch (RuleFailure e) {
                throw e;
            } catch (RuntimeException | StackOverflowError e) {
                // A condition that throws (MVEL wraps it) is the rules' failure too, never the service's.
                String where = current.isEmpty() ? "a rule condition" : "a condition evaluated after rule '" + current + "'";
                throw new RuleFailure(current, where + " failed: " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + firstLine(e.getMessage())), e);
            } finally {
                session.dispose();
                ended();
            }
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) : line;
    }
}
