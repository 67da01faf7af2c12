package dev.thrillring.engine;

import dev.thrillring.engine.model.Fact;
import dev.thrillring.engine.model.SubjectState;
import dev.thrillring.support.TestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class RuleFileWatcherTest {

    static final String RULE = "package w;\nimport dev.thrillring.engine.model.Fact;\nglobal dev.thrillring.engine.model.Outcomes outcomes;\n"
            + "rule \"Watched\" when Fact() then outcomes.points(%d, \"w\"); end\n";

    @Test
    void shouldReloadAPlatformWhenItsFileChangesAndKeepTheOldRulesWhenTheChangeIsBroken() throws Exception {
        Path root = TestServer.tempDir();
        Path rules = Files.createDirectories(root.resolve("rules/demo"));
        Files.createDirectories(root.resolve("tables/demo"));
        Files.writeString(rules.resolve("w.drl"), RULE.formatted(1));
        RuleEngine engine = new RuleEngine(new SimpleMeterRegistry());
        PlatformRuleFiles files = new PlatformRuleFiles(root.resolve("rules"), root.resolve("tables"));
        try (RuleSetRegistry registry = new RuleSetRegistry(new RuleSetCompiler(), files, engine, t -> Optional.empty(), 10, new SimpleMeterRegistry());
             RuleFileWatcher watcher = new RuleFileWatcher(files, List.of("demo"), registry::reloadPlatform)) {
            registry.loadPlatforms(List.of("demo"));
            watcher.start();
            assertThat(points(engine, registry)).isEqualTo(1L);

            Files.writeString(rules.resolve("w.drl"), RULE.formatted(2));
            for (int i = 0; i < 100 && !Long.valueOf(2).equals(points(engine, registry)); i++) Thread.sleep(100);
            assertThat(points(engine, registry)).isEqualTo(2L);

            Files.writeString(rules.resolve("w.drl"), "package w;\nrule broken when then");
            Thread.sleep(1500);
            assertThat(points(engine, registry)).isEqualTo(2L);
        }
    }

    private static Object points(RuleEngine engine, RuleSetRegistry registry) {
        UUID t = UUID.randomUUID();
        var e = engine.evaluate(registry.platformBase("demo"), new Fact("f", t, null, "x", Instant.now(), Map.of()), SubjectState.empty(t, null));
        return e.outcomes().getFirst().details().get("amount");
    }
}
