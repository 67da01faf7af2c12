package dev.thrillring.engine;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** A swap that arrives after a newer one loses: the registry keeps the newest activation generation. */
class GenerationGuardTest {
    private static final String PLATFORM = "guarded";
    private static final List<RuleResource> BASE = List.of(new RuleResource("rules/guarded/base.drl", drl("Base", 1)));

    @Test
    void shouldKeepTheNewerRuleSetWhenAnOlderActivationIsInstalledLate() {
        UUID tenant = UUID.randomUUID();
        AtomicReference<Overlay.Active> inDb = new AtomicReference<>(new Overlay.Active(Optional.empty(), 0));
        Overlay.Source source = new Overlay.Source() {
            @Override public Optional<Overlay> activeOverlay(UUID t) { return inDb.get().overlay(); }
            @Override public Overlay.Active active(UUID t) { return inDb.get(); }
        };
        RuleEngine engine = new RuleEngine(new SimpleMeterRegistry());
        try (RuleSetRegistry registry = new RuleSetRegistry(new RuleSetCompiler(), p -> BASE, engine, source, 10, new SimpleMeterRegistry())) {
            registry.loadPlatforms(List.of(PLATFORM));
            CompiledRuleSet v1 = registry.compileOverlay(tenant, PLATFORM, 1, overlay(1));
            CompiledRuleSet v2 = registry.compileOverlay(tenant, PLATFORM, 2, overlay(2));

            assertThat(registry.install(tenant, PLATFORM, Optional.of(v2), 6)).isTrue();
            assertThat(registry.install(tenant, PLATFORM, Optional.of(v1), 5)).as("the late, older activation").isFalse();
            assertThat(registry.forTenant(tenant, PLATFORM).version()).endsWith("+v2");
            assertThat(registry.install(tenant, PLATFORM, Optional.empty(), 4)).as("an older deactivation").isFalse();
            assertThat(registry.forTenant(tenant, PLATFORM).version()).endsWith("+v2");

            // After an eviction the generation is still known: a stale reload from an old read cannot win either.
            registry.invalidate(tenant);
            inDb.set(new Overlay.Active(Optional.of(new Overlay(1, overlay(1))), 5));
            assertThat(registry.forTenant(tenant, PLATFORM).version()).as("a read older than the served generation is used once, not kept")
                    .endsWith("+v1");
            inDb.set(new Overlay.Active(Optional.of(new Overlay(2, overlay(2))), 6));
            assertThat(registry.forTenant(tenant, PLATFORM).version()).endsWith("+v2");

            CompiledRuleSet v3 = registry.compileOverlay(tenant, PLATFORM, 3, overlay(3));
            assertThat(registry.install(tenant, PLATFORM, Optional.of(v3), 7)).isTrue();
            assertThat(registry.forTenant(tenant, PLATFORM).version()).endsWith("+v3");
            assertThat(registry.generation(tenant)).isEqualTo(7);

            CompiledRuleSet oldBase = registry.compileBase(PLATFORM, BASE);
            assertThat(registry.installPlatform(PLATFORM, BASE, registry.compileBase(PLATFORM, BASE), 9)).isTrue();
            assertThat(registry.installPlatform(PLATFORM, BASE, oldBase, 8)).as("a late, older base").isFalse();
            assertThat(registry.platformGeneration(PLATFORM)).isEqualTo(9);
        }
    }

    private static List<RuleResource> overlay(int v) {
        return List.of(new RuleResource("overlay.drl", drl("Overlay v" + v, v)));
    }

    private static byte[] drl(String rule, int points) {
        return ("package p" + Math.abs(rule.hashCode()) + ";\nimport dev.thrillring.engine.model.Fact;\nglobal dev.thrillring.engine.model.Outcomes outcomes;\n"
                + "rule \"" + rule + "\" when Fact(type == \"x\") then outcomes.points(" + points + ", \"x\"); end\n").getBytes(StandardCharsets.UTF_8);
    }
}
