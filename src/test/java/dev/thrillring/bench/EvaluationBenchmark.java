package dev.thrillring.bench;

import dev.thrillring.engine.CompiledRuleSet;
import dev.thrillring.engine.Evaluation;
import dev.thrillring.engine.PlatformRuleFiles;
import dev.thrillring.engine.RuleEngine;
import dev.thrillring.engine.RuleSetCompiler;
import dev.thrillring.engine.RuleSetRegistry;
import dev.thrillring.engine.model.Fact;
import dev.thrillring.engine.model.Outcome;
import dev.thrillring.engine.model.SubjectState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Evaluation of one fact against a shipped platform rule set (DRL + four decision tables), with
 * the subject's state, in a fresh session as the service does it. The baseline decides the same
 * outcomes in hand-written Java, so the ratio is the price of rules an analyst can edit.
 */
@State(Scope.Benchmark)
public class EvaluationBenchmark {
    RuleSetRegistry registry;
    RuleEngine engine;
    CompiledRuleSet coreldove;
    final UUID tenant = UUID.randomUUID();
    final Fact order = new Fact("f", tenant, "u", "order.shipped", Instant.parse("2026-11-24T10:00:00Z"), Map.of("value", 120.0));

    @Setup(Level.Trial)
    public void setUp() {
        engine = new RuleEngine(new SimpleMeterRegistry());
        registry = new RuleSetRegistry(new RuleSetCompiler(), new PlatformRuleFiles(Path.of("rules"), Path.of("decision-tables")),
                engine, t -> Optional.empty(), 10, new SimpleMeterRegistry());
        registry.loadPlatforms(List.of("coreldove"));
        coreldove = registry.platformBase("coreldove");
    }

    @TearDown(Level.Trial)
    public void tearDown() { registry.close(); }

    SubjectState state() {
        return new SubjectState(tenant, "u", Map.of("all_time", Map.of("orders_shipped", 42.0, "revenue", 900.0)), Set.of("first-sale", "orders-10"), 3);
    }

    @Benchmark
    public Evaluation shippedCoreldoveRules() {
        return engine.evaluate(coreldove, order, state());
    }

    /** The same decisions for this fact, hand-written: what a non-editable implementation costs. */
    @Benchmark
    public List<Outcome> handWrittenJavaBaseline() {
        SubjectState s = state();
        List<Outcome> out = new ArrayList<>();
        if (order.getType().equals("order.shipped")) {
            double orders = s.metric("orders_shipped") + 1;
            double revenue = s.metric("revenue") + order.num("value");
            out.add(new Outcome("metric", "Shipped orders count", Map.of("name", "orders_shipped", "delta", 1.0)));
            if (order.num("value") > 0) out.add(new Outcome("metric", "Order value adds to revenue", Map.of("name", "revenue", "delta", order.num("value"))));
            out.add(new Outcome("points", "Fact points", Map.of("amount", 10L, "reason", "fact points")));
            out.add(new Outcome("score", "Leaderboard scoring", Map.of("board", "performance", "value", 5.0)));
            out.add(new Outcome("score", "Leaderboard scoring", Map.of("board", "performance", "value", 0.01 * order.num("value"))));
            out.add(new Outcome("score", "Leaderboard scoring", Map.of("board", "engagement", "value", 1.0)));
            for (var t : List.of(Map.entry("orders-100", orders >= 100), Map.entry("revenue-1k", revenue >= 1000))) {
                if (t.getValue() && !s.unlocked(t.getKey())) out.add(new Outcome("unlock", t.getKey(), Map.of("achievement", t.getKey())));
            }
        }
        return out;
    }
}
