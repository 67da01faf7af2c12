package dev.thrillring.engine;

import dev.thrillring.engine.model.Fact;
import dev.thrillring.engine.model.Outcomes;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.kie.api.event.rule.BeforeMatchFiredEvent;
import org.kie.api.event.rule.DefaultAgendaEventListener;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.rule.ConsequenceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Holds the compiled rule set of each platform and evaluates facts against them. A rule set is
 * swapped as a whole behind one reference, so an evaluation sees either the old or the new one.
 */
public final class RuleEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RuleEngine.class);

    /** A rule set that fires more often than this for one fact is looping. */
    static final int MAX_FIRINGS = 10_000;

    private final RuleSetCompiler compiler = new RuleSetCompiler();
    private final PlatformRuleFiles files;
    private final Map<String, CompiledRuleSet> platforms = new ConcurrentHashMap<>();
    private final Timer evaluationTimer;
    private volatile boolean ready;

    public RuleEngine(PlatformRuleFiles files, MeterRegistry registry) {
        this.files = files;
        this.evaluationTimer = Timer.builder("thrillring.rules.evaluation")
                .description("Time to evaluate one fact against its rule set")
                .publishPercentileHistogram()
                .register(registry);
        registry.gauge("thrillring.rules.rule_sets", platforms, Map::size);
    }

    /** Compiles every platform's base rules; fails on the first platform that does not compile. */
    public void loadPlatforms(Collection<String> platformNames) {
        for (String p : platformNames) {
            long t0 = System.nanoTime();
            CompiledRuleSet set = compiler.compile("platform-" + p, p + "@base", files.load(p));
            // One throwaway evaluation, so the first real fact does not pay for class loading.
            evaluate(set, new Fact("warm-up", new java.util.UUID(0, 0), null, "thrillring.warm_up", java.time.Instant.now(), Map.of()));
            CompiledRuleSet old = platforms.put(p, set);
            if (old != null && !old.releaseId().equals(set.releaseId())) old.dispose();
            log.info("rule set {} loaded: {} rules in {} ms", set.version(), set.ruleCount(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }
        ready = true;
    }

    public boolean ready() { return ready; }

    /** The rule set that evaluates facts of tenants on {@code platform}. */
    public CompiledRuleSet ruleSetFor(String platform) {
        CompiledRuleSet set = platforms.get(platform);
        if (set == null) throw new IllegalStateException("no rule set loaded for platform " + platform);
        return set;
    }

    /** Evaluates one fact; the result lists fired rules in firing order and every outcome. */
    public Evaluation evaluate(CompiledRuleSet ruleSet, Fact fact) {
        long t0 = System.nanoTime();
        Outcomes outcomes = new Outcomes();
        List<String> fired = new ArrayList<>();
        KieSession session = ruleSet.base().newKieSession();
        try {
            session.setGlobal("outcomes", outcomes);
            session.addEventListener(new DefaultAgendaEventListener() {
                @Override public void beforeMatchFired(BeforeMatchFiredEvent event) {
                    String rule = event.getMatch().getRule().getName();
                    outcomes.enterRule(rule);
                    fired.add(rule);
                }
            });
            session.insert(fact);
            int count = session.fireAllRules(MAX_FIRINGS);
            if (count >= MAX_FIRINGS) {
                throw new RuleFailure(fired.getLast(), "rules fired " + MAX_FIRINGS + " times for one fact; a rule is looping", null);
            }
        } catch (ConsequenceException e) {
            String rule = e.getMatch() == null ? "" : e.getMatch().getRule().getName();
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new RuleFailure(rule, "rule '" + rule + "' failed: " + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), e);
        } finally {
            session.dispose();
        }
        long nanos = System.nanoTime() - t0;
        evaluationTimer.record(nanos, TimeUnit.NANOSECONDS);
        return new Evaluation(ruleSet.version(), List.copyOf(fired), outcomes.recorded(), nanos / 1000);
    }

    @Override public void close() {
        platforms.values().forEach(CompiledRuleSet::dispose);
        platforms.clear();
    }
}
