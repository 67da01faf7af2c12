package dev.thrillring.rulesets;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thrillring.engine.DecisionTableWorkbook;
import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A platform version builds on the active one: it changes only the tables it carries, a
 * {@code remove} list deletes one on purpose, and a table is known by its kind and name, so
 * another format or letter case replaces it rather than adding a second copy.
 */
class PlatformLayeringTest {

    static String rule(String name, int points) {
        return """
                package dev.thrillring.rules.platform;
                import dev.thrillring.engine.model.Fact;
                global dev.thrillring.engine.model.Outcomes outcomes;

                rule "%s"
                when
                    Fact(type == "task.done")
                then
                    outcomes.points(%d, "task");
                end
                """.formatted(name, points);
    }

    static Map<String, byte[]> files(Object... nameAndContent) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (int i = 0; i < nameAndContent.length; i += 2) {
            Object c = nameAndContent[i + 1];
            m.put((String) nameAndContent[i], c instanceof byte[] b ? b : c.toString().getBytes(StandardCharsets.UTF_8));
        }
        return m;
    }

    static List<String> names(JsonNode version) {
        List<String> out = new ArrayList<>();
        for (JsonNode f : version.get("files")) out.add(f.get("path").asText());
        return out;
    }

    @Test
    void shouldBuildEachVersionOnTheActiveOneAndKnowATableByItsKindAndName() throws Exception {
        TestServer app = TestServer.shared();
        PlatformBaseRulesTest.app = app;
        var p = PlatformBaseRulesTest.platform();
        String versions = p.rulesets() + "/versions";

        Response v1 = app.upload(versions, p.admin(), files("alpha.drl", rule("Alpha", 1), "beta.drl", rule("Beta", 2)), "v1");
        assertThat(v1.status()).as(v1.body()).isEqualTo(201);
        assertThat(app.post(versions + "/1/activate", p.admin(), "").status()).isEqualTo(200);

        Response v2 = app.upload(versions, p.admin(), files("alpha.drl", rule("Alpha", 5)), "only alpha changes");
        assertThat(v2.status()).as(v2.body()).isEqualTo(201);
        assertThat(names(v2.json())).containsExactlyInAnyOrder("alpha.drl", "beta.drl");

        // The shared CSV fraud table, saved as XLSX under another letter case, replaces it: same rule count, no duplicates.
        byte[] fraud = DecisionTableWorkbook.fromCsv(Files.readAllBytes(Path.of("decision-tables/_common/fraud-indicators.drl.csv")), "fraud");
        Response v3 = app.upload(versions, p.admin(), files("Fraud-Indicators.drl.xlsx", fraud), "fraud as xlsx");
        assertThat(v3.status()).as(v3.body()).isEqualTo(201);
        assertThat(names(v3.json())).containsExactlyInAnyOrder("alpha.drl", "beta.drl", "Fraud-Indicators.drl.xlsx");
        assertThat(v3.json().get("rule_count").asInt()).isEqualTo(v2.json().get("rule_count").asInt());

        Response v4 = app.upload(versions, p.admin(), files("gamma.drl", rule("Gamma", 3)), "beta goes", Map.of("remove", "beta.drl"));
        assertThat(v4.status()).as(v4.body()).isEqualTo(201);
        assertThat(names(v4.json())).containsExactlyInAnyOrder("alpha.drl", "gamma.drl");

        Response unknown = app.upload(versions, p.admin(), files("gamma.drl", rule("Gamma", 3)), null, Map.of("remove", "nope.drl"));
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.body()).contains("remove", "nope.drl");

        Response twice = app.upload(versions, p.admin(), files("fraud-indicators.drl.csv", Files.readAllBytes(Path.of("decision-tables/_common/fraud-indicators.drl.csv")),
                "Fraud-Indicators.drl.xlsx", fraud), null);
        assertThat(twice.status()).isEqualTo(422);
        assertThat(twice.body()).contains("uploaded twice");
    }
}
