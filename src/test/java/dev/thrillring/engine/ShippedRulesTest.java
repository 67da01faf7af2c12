package dev.thrillring.engine;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The scenarios shipped with each platform's base rules pass, as {@code rules test} runs them. */
class ShippedRulesTest {

    @ParameterizedTest
    @ValueSource(strings = {"bizoholic", "coreldove", "bizosaas"})
    void shouldPassThePlatformsScenarios(String platform) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = new RulesCommand(new PrintStream(out, true, StandardCharsets.UTF_8)).run(List.of(
                "test", "rules/" + platform, "--base", "rules/_common", "--base", "decision-tables/_common", "--base", "decision-tables/" + platform));
        String report = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as(report).isZero();
        assertThat(report).contains(" passed, 0 failed").doesNotContain("\n0 passed");
    }
}
