package dev.thrillring.engine;

import dev.thrillring.engine.model.Fact;
import dev.thrillring.engine.model.SubjectState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RuleEngineTest {
    static RuleEngine engine = new RuleEngine(new SimpleMeterRegistry());
    static RuleSetRegistry registry;

    @BeforeAll
    static void loadShippedRules() {
        registry = new RuleSetRegistry(new RuleSetCompiler(), new PlatformRuleFiles(Path.of("rules"), Path.of("decision-tables")),
                engine, tenant -> Optional.empty(), 10, new SimpleMeterRegistry());
        registry.loadPlatforms(List.of("bizoholic", "coreldove", "bizosaas"));
    }

    @AfterAll
    static void close() { registry.close(); }

    static Fact fact(String type, Map<String, Object> attributes) {
        return new Fact("f-1", UUID.randomUUID(), "u-1", type, Instant.now(), attributes);
    }

    static Evaluation evaluate(CompiledRuleSet set, Fact f) {
        return engine.evaluate(set, f, SubjectState.empty(f.getTenantId(), f.getUserId()));
    }

    static RuleResource drl(String name, String text) {
        return new RuleResource(name, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldFireDrlAndDecisionTableRulesForAShippedOrder() {
        Evaluation e = evaluate(registry.platformBase("coreldove"), fact("order.shipped", Map.of("value", 120.5)));

        assertThat(e.firedRules()).contains("Shipped orders count", "Order value adds to revenue");
        assertThat(e.firedRules()).anyMatch(r -> r.startsWith("Fact points"));
        assertThat(e.outcomes()).anySatisfy(o -> {
            assertThat(o.kind()).isEqualTo("points");
            assertThat(o.details()).containsEntry("amount", 10L);
            assertThat(o.rule()).startsWith("Fact points");
        });
        assertThat(e.outcomes()).anySatisfy(o -> {
            assertThat(o.kind()).isEqualTo("metric");
            assertThat(o.details()).containsEntry("name", "revenue").containsEntry("delta", 120.5);
        });
        assertThat(e.ruleSetVersion()).startsWith("coreldove@base-");
    }

    @Test
    void shouldDecideNothingForAFactNoRuleMatches() {
        Evaluation e = evaluate(registry.platformBase("bizoholic"), fact("order.shipped", Map.of()));
        assertThat(e.firedRules()).isEmpty();
        assertThat(e.outcomes()).isEmpty();
    }

    @Test
    void shouldGiveEachPlatformItsOwnRuleSet() {
        assertThat(registry.platformBase("bizoholic").base()).isNotSameAs(registry.platformBase("coreldove").base());
        assertThat(evaluate(registry.platformBase("bizosaas"), fact("campaign.launched", Map.of())).outcomes()).isEmpty();
    }

    @Test
    void shouldLetThresholdRulesSeeMetricsChangedByTheSameFact() {
        CompiledRuleSet set = new RuleSetCompiler().compile("test-threshold", "t", List.of(drl("t.drl", """
                package t;
                import dev.thrillring.engine.model.Fact;
                import dev.thrillring.engine.model.SubjectState;
                global dev.thrillring.engine.model.Outcomes outcomes;
                rule "count orders" when Fact(type == "order") then outcomes.metric("orders", 1); end
                rule "tenth order" when SubjectState(metric("orders") >= 10, !unlocked("ten-orders")) then outcomes.unlock("ten-orders"); end
                rule "unguarded" when SubjectState(metric("orders") >= 10) then outcomes.unlock("ten-orders-unguarded"); end
                """)));
        try {
            UUID tenant = UUID.randomUUID();
            SubjectState nine = new SubjectState(tenant, "u", Map.of("all_time", Map.of("orders", 9.0)), java.util.Set.of(), 0);
            Evaluation e = engine.evaluate(set, new Fact("f", tenant, "u", "order", Instant.now(), Map.of()), nine);
            assertThat(e.firedRules()).containsOnlyOnce("count orders", "tenth order");
            // A threshold rule without the !unlocked guard fires again when the state changes;
            // the outcome API still unlocks once.
            assertThat(e.outcomes()).filteredOn(o -> o.kind().equals("unlock")).extracting(o -> o.details().get("achievement"))
                    .containsExactlyInAnyOrder("ten-orders", "ten-orders-unguarded");
            assertThat(nine.metric("orders")).isEqualTo(10.0);
            assertThat(nine.unlocked("ten-orders")).isTrue();

            Evaluation again = engine.evaluate(set, new Fact("g", tenant, "u", "order", Instant.now(), Map.of()), nine);
            assertThat(again.outcomes()).noneMatch(o -> o.kind().equals("unlock"));
        } finally {
            set.dispose();
        }
    }

    @Test
    void shouldLocateCompileErrorsInTheirFile() {
        var broken = drl("rules/x/broken.drl", """
                package x;
                import dev.thrillring.engine.model.Fact;
                rule "broken"
                when
                    Fact(nosuchfield == 1)
                then
                end
                """);
        assertThatThrownBy(() -> new RuleSetCompiler().compile("test-broken", "x", List.of(broken)))
                .isInstanceOfSatisfying(RuleSetInvalid.class, ex ->
                        assertThat(ex.errors()).anySatisfy(err -> {
                            assertThat(err.file()).isEqualTo("rules/x/broken.drl");
                            assertThat(err.line()).isEqualTo(5);
                        }));
    }

    @Test
    void shouldLocateDecisionTableErrorsInTheirCell() {
        // Written with ' for " so the CSV's doubled quotes fit in a Java string.
        String csv = String.join("\n",
                "RuleSet,t",
                "Import,dev.thrillring.engine.model.Fact",
                "Variables,dev.thrillring.engine.model.Outcomes outcomes",
                ",",
                "RuleTable Points,",
                "CONDITION,ACTION",
                "Fact,",
                "'type == ''$param''','outcomes.points($param, ''x'');'",
                "Type,Points",
                "a,1",
                "b,not-a-number").replace('\'', '"');
        var table = new RuleResource("points.drl.csv", csv.getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> new RuleSetCompiler().compile("test-table", "x", List.of(table)))
                .isInstanceOfSatisfying(RuleSetInvalid.class, ex ->
                        assertThat(ex.errors()).anySatisfy(err -> {
                            assertThat(err.file()).isEqualTo("points.drl.csv");
                            assertThat(err.cell()).isEqualTo("A11");
                        }));
    }

    @Test
    void shouldReportTheRuleThatThrows() {
        CompiledRuleSet set = new RuleSetCompiler().compile("test-throws", "x", List.of(drl("throws.drl", """
                package x;
                import dev.thrillring.engine.model.Fact;
                global dev.thrillring.engine.model.Outcomes outcomes;
                rule "negative target"
                when
                    Fact()
                then
                    outcomes.progress("a", 1, -1);
                end
                """)));
        try {
            assertThatThrownBy(() -> evaluate(set, fact("any", Map.of())))
                    .isInstanceOfSatisfying(RuleFailure.class, ex -> assertThat(ex.rule()).isEqualTo("negative target"));
        } finally {
            set.dispose();
        }
    }

    @Test
    void shouldStopALoopingRuleSet() {
        CompiledRuleSet set = new RuleSetCompiler().compile("test-loop", "x", List.of(drl("loop.drl", """
                package x;
                import dev.thrillring.engine.model.SubjectState;
                global dev.thrillring.engine.model.Outcomes outcomes;
                rule "forever" when SubjectState() then outcomes.metric("n", 1); end
                """)));
        try {
            assertThatThrownBy(() -> evaluate(set, fact("any", Map.of())))
                    .isInstanceOfSatisfying(RuleFailure.class, ex -> assertThat(ex.getMessage()).contains("looping"));
        } finally {
            set.dispose();
        }
    }

    @Test
    void shouldRefuseAFactWhoseEvaluationOverrunsTheDeadline() {
        RuleEngine impatient = new RuleEngine(new SimpleMeterRegistry(), java.time.Duration.ofNanos(1));
        List<RuleEngine.Overrun> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        impatient.onOverrun(seen::add);
        // A rule that records outcomes until the cap takes milliseconds: far past a deadline of one nanosecond.
        CompiledRuleSet set = new RuleSetCompiler().compile("test-slow", "x", List.of(drl("slow.drl", """
                package x;
                rule "busy" when SubjectState() then outcomes.metric("n", 1); end
                """)));
        Fact f = fact("any", Map.of());
        assertThatThrownBy(() -> impatient.evaluate(set, f, SubjectState.empty(f.getTenantId(), "u-1")))
                .isInstanceOfSatisfying(RuleFailure.class, ex -> assertThat(ex.getMessage()).contains("did not finish within"));
        assertThat(seen).singleElement().satisfies(o -> assertThat(o.tenantId()).isEqualTo(f.getTenantId()));
    }
}
