package dev.thrillring.engine;

import dev.thrillring.engine.model.Fact;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RuleEngineTest {
    static RuleEngine engine;

    @BeforeAll
    static void loadShippedRules() {
        engine = new RuleEngine(new PlatformRuleFiles(Path.of("rules"), Path.of("decision-tables")), new SimpleMeterRegistry());
        engine.loadPlatforms(List.of("bizoholic", "coreldove", "bizosaas"));
    }

    @AfterAll
    static void close() { engine.close(); }

    static Fact fact(String type, Map<String, Object> attributes) {
        return new Fact("f-1", UUID.randomUUID(), "u-1", type, Instant.now(), attributes);
    }

    @Test
    void shouldFireDrlAndDecisionTableRulesForAShippedOrder() {
        Evaluation e = engine.evaluate(engine.ruleSetFor("coreldove"), fact("order.shipped", Map.of("value", 120.5)));

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
        Evaluation e = engine.evaluate(engine.ruleSetFor("bizoholic"), fact("order.shipped", Map.of()));
        assertThat(e.firedRules()).isEmpty();
        assertThat(e.outcomes()).isEmpty();
    }

    @Test
    void shouldGiveEachPlatformItsOwnRuleSet() {
        assertThat(engine.ruleSetFor("bizoholic").releaseId()).isNotEqualTo(engine.ruleSetFor("coreldove").releaseId());
        Evaluation e = engine.evaluate(engine.ruleSetFor("bizosaas"), fact("campaign.launched", Map.of()));
        assertThat(e.outcomes()).isEmpty();
    }

    @Test
    void shouldLocateCompileErrorsInTheirFile() {
        var broken = new RuleResource("rules/x/broken.drl", """
                package x;
                import dev.thrillring.engine.model.Fact;
                rule "broken"
                when
                    Fact(nosuchfield == 1)
                then
                end
                """.getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> new RuleSetCompiler().compile("test-broken", "x", List.of(broken)))
                .isInstanceOfSatisfying(RuleSetInvalid.class, ex ->
                        assertThat(ex.errors()).anySatisfy(err -> {
                            assertThat(err.resource()).isEqualTo("rules/x/broken.drl");
                            assertThat(err.line()).isPositive();
                        }));
    }

    @Test
    void shouldReportTheRuleThatThrows() {
        var throwing = new RuleResource("rules/x/throws.drl", """
                package x;
                import dev.thrillring.engine.model.Fact;
                global dev.thrillring.engine.model.Outcomes outcomes;
                rule "negative target"
                when
                    Fact()
                then
                    outcomes.progress("a", 1, -1);
                end
                """.getBytes(StandardCharsets.UTF_8));
        CompiledRuleSet set = new RuleSetCompiler().compile("test-throws", "x", List.of(throwing));
        try {
            assertThatThrownBy(() -> engine.evaluate(set, fact("any", Map.of())))
                    .isInstanceOfSatisfying(RuleFailure.class, ex -> assertThat(ex.rule()).isEqualTo("negative target"));
        } finally {
            set.dispose();
        }
    }
}
