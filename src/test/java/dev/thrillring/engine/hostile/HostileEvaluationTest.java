package dev.thrillring.engine.hostile;

import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11, exhaustion through rules that a check may legitimately accept: each is either refused
 * at upload, or, once active, a fact it fires on answers 422 naming the rule within a few seconds
 * (never a 500, never a hang), and another tenant's facts are still decided meanwhile.
 *
 * <p>On the unfixed main (f8829c8): {@code ruleLoopWithNoLoopFalse}, {@code nanScore},
 * {@code infiniteMetric}, {@code oversizedAchievementName} and {@code oversizedBoardName} already
 * answered 422 naming the rule. These failed there: {@code hugeOutcomeList} was decided (200, 40,000
 * outcomes), {@code nanFraudWeight} and {@code infiniteProgressTarget} were decided (200) with
 * {@code "weight":"NaN"} and {@code "target":"Infinity"} in the outcomes, and {@code catastrophicRegex}
 * held its request thread with no answer within 8 s (the neighbour was still answered).
 */
class HostileEvaluationTest {
    static TestServer app;
    static String neighbour, neighbourIngest;
    static final ExecutorService CLIENTS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "hostile-eval-client");
        t.setDaemon(true);
        return t;
    });
    static final String LONG_A = "a".repeat(26) + "!";

    @BeforeAll
    static void setUp() {
        app = TestServer.shared();
        neighbour = app.createTenant("Hostile neighbour", "coreldove");
        neighbourIngest = app.issueKey(neighbour, "ingest");
    }

    static String rule(String name, String attributes, String when, String then) {
        return "package exhaust;\nimport dev.thrillring.engine.model.Fact;\nimport dev.thrillring.engine.model.SubjectState;\n"
                + "global dev.thrillring.engine.model.Outcomes outcomes;\n\nrule \"" + name + "\"" + attributes
                + "\nwhen\n    " + when + "\nthen\n    " + then + "\nend\n";
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("ruleLoopWithNoLoopFalse", "Spin", rule("Spin", " no-loop false", "$s : SubjectState()",
                        "outcomes.metric(\"spins\", 1);"), "attribute|loop"),
                Arguments.of("hugeOutcomeList", "Flood", rule("Flood", "", "SubjectState(metric(\"flood\") < 4000)",
                        "outcomes.metric(\"flood\", 1);\n" + "    outcomes.points(1, \"flood\");\n".repeat(9)), "outcome"),
                Arguments.of("nanScore", "Not a number", rule("Not a number", "", "Fact(type == \"hostile.probe\")",
                        "outcomes.score(\"performance\", 0.0 / 0.0);"), "nan|finite"),
                Arguments.of("infiniteMetric", "Infinite metric", rule("Infinite metric", "", "Fact(type == \"hostile.probe\")",
                        "outcomes.metric(\"orders_shipped\", 1.0 / 0.0);"), "finite"),
                Arguments.of("nanFraudWeight", "NaN weight", rule("NaN weight", "", "Fact(type == \"hostile.probe\")",
                        "outcomes.fraudSignal(\"same_ip\", 0.0 / 0.0, \"nan\");"), "nan|finite"),
                Arguments.of("infiniteProgressTarget", "Endless target", rule("Endless target", "", "Fact(type == \"hostile.probe\")",
                        "outcomes.progress(\"orders-x\", 1, 1.0 / 0.0);"), "finite"),
                Arguments.of("oversizedAchievementName", "Long unlock", rule("Long unlock", "", "Fact(type == \"hostile.probe\")",
                        "outcomes.unlock(\"" + "x".repeat(5000) + "\");"), "name"),
                Arguments.of("oversizedBoardName", "Long board", rule("Long board", "", "Fact(type == \"hostile.probe\")",
                        "outcomes.score(\"" + "y".repeat(5000) + "\", 1);"), "name"),
                Arguments.of("catastrophicRegex", "Backtracking", rule("Backtracking", "",
                        "Fact(text(\"s\") matches \"((a+)+)+b\" || text(\"s\") matches \"(a+)+$\")", "outcomes.points(1, \"matched\");"),
                        "matches|pattern"),
                Arguments.of("catastrophicTextMatches", "Backtracking text", rule("Backtracking text", "",
                        "Fact(textMatches(\"s\", \"((a+)+)+b\") || textMatches(\"s\", \"(a+)+$\"))", "outcomes.points(1, \"matched\");"),
                        "pattern"));
    }

    static Response within(int seconds, Supplier<Response> call) {
        try {
            return CompletableFuture.supplyAsync(call, CLIENTS).get(seconds, TimeUnit.SECONDS);
        } catch (Exception e) {
            return null;
        }
    }

    static Response fact(String tenant, String key, String id, String type, String s) {
        return app.post("/api/v1/facts", key, "{\"id\":\"" + id + "\",\"tenant_id\":\"" + tenant + "\",\"user_id\":\"u-1\",\"type\":\""
                + type + "\",\"attributes\":{\"s\":\"" + s + "\",\"value\":10}}");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldRefuseOrFailTheFactNamingTheRuleWithoutHurtingOthers(String name, String ruleName, String drl, String refusalWords) {
        String tenant = app.createTenant("Exhaust " + name, "coreldove");
        String admin = app.issueKey(tenant, "tenant_admin");
        String ingest = app.issueKey(tenant, "ingest");
        SoftAssertions soft = new SoftAssertions();

        Response up = within(30, () -> app.upload("/api/v1/rulesets/" + tenant + "/versions", admin, Map.of(name + ".drl", TestServer.text(drl)), name));
        assertThat(up).as("an answer to the upload").isNotNull();
        if (up.status() == 422) {
            assertThat(up.header("Content-Type")).startsWith("application/problem+json");
            assertThat(up.json().get("errors").toString()).as(up.body()).contains(name + ".drl");
            assertThat(up.json().get("errors").toString().toLowerCase(Locale.ROOT)).as(up.body()).containsAnyOf(refusalWords.split("\\|"));
        } else {
            assertThat(up.status()).as(up.body()).isEqualTo(201);
            Response act = within(30, () -> app.post("/api/v1/rulesets/" + tenant + "/versions/1/activate", admin, ""));
            assertThat(act).isNotNull();
            assertThat(act.status()).as(act.body()).isEqualTo(200);

            long t0 = System.nanoTime();
            Response r = within(8, () -> fact(tenant, ingest, "x-1", "hostile.probe", LONG_A));
            soft.assertThat(r).as("an answer to the fact within 8 s").isNotNull();
            if (r != null) {
                soft.assertThat((System.nanoTime() - t0) / 1_000_000).as("milliseconds to answer").isLessThan(5_000);
                if (name.startsWith("catastrophic")) {
                    soft.assertThat(r.status()).as(r.body()).isIn(200, 422);
                } else {
                    soft.assertThat(r.status()).as(r.body()).isEqualTo(422);
                    soft.assertThat(r.header("Content-Type")).startsWith("application/problem+json");
                    soft.assertThat(r.json() == null ? null : r.json().path("rule").asText(null)).as(r.body()).isEqualTo(ruleName);
                }
            }
        }
        Response other = within(8, () -> fact(neighbour, neighbourIngest, name + "-n", "order.shipped", "b"));
        soft.assertThat(other).as("another tenant's fact answered within 8 s").isNotNull();
        if (other != null) {
            soft.assertThat(other.status()).as(other.body()).isEqualTo(200);
            soft.assertThat(other.json().path("status").asText()).isIn("decided", "replayed");
        }
        Response health = within(5, () -> app.get("/health", null));
        soft.assertThat(health == null ? -1 : health.status()).isEqualTo(200);
        soft.assertAll();
    }
}
