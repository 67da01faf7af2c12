package dev.thrillring.engine.hostile;

import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11: the allow-list is not so tight that real authors cannot work. Every shipped rule and
 * table, uploaded unchanged by a platform admin, and every rule example of docs/rules.md, uploaded
 * by a tenant's analyst, is accepted over the HTTP API.
 */
class ShippedRulesStillUploadTest {
    static TestServer app;

    @BeforeAll
    static void setUp() { app = TestServer.shared(); }

    static final String DOC_HEADER = "import dev.thrillring.engine.model.Fact;\nimport dev.thrillring.engine.model.SubjectState;\n"
            + "global dev.thrillring.engine.model.Outcomes outcomes;\n\n";

    /** The rule files and tables shipped for {@code platform}, with the shared ones, by file name. */
    static Map<String, byte[]> shipped(String platform) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (Path dir : List.of(Path.of("rules/_common"), Path.of("rules", platform), Path.of("decision-tables/_common"), Path.of("decision-tables", platform))) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.sorted().toList()) {
                    String name = f.getFileName().toString();
                    if (name.endsWith(".drl") || name.endsWith(".drl.csv") || name.endsWith(".drl.xlsx") || name.endsWith(".drl.xls")) {
                        out.put(name, Files.readAllBytes(f));
                    }
                }
            }
        }
        return out;
    }

    /** The fenced blocks of docs/rules.md that start with {@code rule "}. */
    static List<String> documentedRules() throws IOException {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("```[a-z]*\\n(rule \".*?)```", Pattern.DOTALL).matcher(Files.readString(Path.of("docs/rules.md")));
        while (m.find()) out.add(m.group(1));
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"bizoholic", "bizosaas", "coreldove"})
    void shouldAcceptEveryShippedFileUploadedByAPlatformAdmin(String shippedPlatform) throws Exception {
        String platform = "ship" + shippedPlatform.substring(0, 4) + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        try (var c = app.ownerConnection()) {
            c.createStatement().execute("INSERT INTO platforms (name) VALUES ('" + platform + "')");
        }
        String admin = app.post("/api/v1/platforms/" + platform + "/api-keys", TestServer.ADMIN_KEY, "").json().get("api_key").asText();
        Map<String, byte[]> files = shipped(shippedPlatform);
        assertThat(files).hasSizeGreaterThanOrEqualTo(5);
        Response r = app.upload("/api/v1/platforms/" + platform + "/rulesets/versions", admin, files, "shipped files, unchanged");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    @Test
    void shouldAcceptEveryRuleOfTheDocsUploadedByAnAnalyst() throws Exception {
        List<String> rules = documentedRules();
        assertThat(rules).hasSizeGreaterThanOrEqualTo(3);
        String tenant = app.createTenant("Docs examples", "coreldove");
        String analyst = app.issueKey(tenant, "analyst");
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < rules.size(); i++) {
            files.put("doc" + i + ".drl", TestServer.text("package docs" + i + ";\n" + DOC_HEADER + rules.get(i)));
        }
        Response r = app.upload("/api/v1/rulesets/" + tenant + "/versions", analyst, files, "docs/rules.md examples");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }
}
