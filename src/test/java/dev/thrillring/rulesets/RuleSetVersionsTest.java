package dev.thrillring.rulesets;

import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.thrillring.support.TestServer.text;
import static org.assertj.core.api.Assertions.assertThat;

/** Versions, activation, scenarios, rollback, diff, dry runs and audit, all over HTTP. */
class RuleSetVersionsTest {
    static TestServer app;

    @BeforeAll
    static void setUp() { app = TestServer.shared(); }

    static final String BONUS_V1 = """
            package overlay;
            import dev.thrillring.engine.model.Fact;
            global dev.thrillring.engine.model.Outcomes outcomes;

            rule "Big order bonus"
            when
                Fact(type == "order.shipped", num("value") >= 100)
            then
                outcomes.points(500, "big order");
            end
            """;
    static final String BONUS_V2 = BONUS_V1.replace("500", "900");

    static final String BONUS_SCENARIO = """
            {"name": "a big order earns the bonus",
             "facts": [{"type": "order.shipped", "attributes": {"value": 150}}],
             "expect": {"fired": ["Big order bonus", "Shipped orders count"],
                        "outcomes": [{"kind": "points", "rule": "Big order bonus", "amount": 500}],
                        "metrics": {"orders_shipped": 1}}}
            """;

    record Tenant(String id, String admin, String analyst, String ingest) {}

    static Tenant tenant(String name) {
        String id = app.createTenant(name, "coreldove");
        return new Tenant(id, app.issueKey(id, "tenant_admin"), app.issueKey(id, "analyst"), app.issueKey(id, "ingest"));
    }

    static Map<String, byte[]> files(Object... nameAndText) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (int i = 0; i < nameAndText.length; i += 2) m.put((String) nameAndText[i], text((String) nameAndText[i + 1]));
        return m;
    }

    static Response order(Tenant t, String id, int value) {
        return app.post("/api/v1/facts", t.ingest, "{\"id\":\"" + id + "\",\"tenant_id\":\"" + t.id
                + "\",\"user_id\":\"u-1\",\"type\":\"order.shipped\",\"attributes\":{\"value\":" + value + "}}");
    }

    @Test
    void shouldUploadActivateAndServeAnOverlayOnTopOfThePlatformBase() {
        Tenant t = tenant("Overlay Co");
        Response up = app.upload("/api/v1/rulesets/" + t.id + "/versions", t.analyst,
                files("bonus.drl", BONUS_V1, "bonus.scenario.json", BONUS_SCENARIO), "big order bonus");
        assertThat(up.status()).as(up.body()).isEqualTo(201);
        assertThat(up.json().get("version").asInt()).isEqualTo(1);
        assertThat(up.json().get("status").asText()).isEqualTo("draft");
        assertThat(up.json().get("rule_count").asInt()).isGreaterThan(1);

        assertThat(order(t, "before", 150).json().get("fired_rules").toString()).doesNotContain("Big order bonus");

        Response act = app.post("/api/v1/rulesets/" + t.id + "/versions/1/activate", t.admin, "");
        assertThat(act.status()).as(act.body()).isEqualTo(200);
        assertThat(act.json().get("scenarios").get(0).get("passed").asBoolean()).isTrue();

        Response after = order(t, "after", 150);
        assertThat(after.json().get("fired_rules").toString()).contains("Big order bonus", "Shipped orders count");
        assertThat(after.json().get("rule_set_version").asText()).matches("coreldove@base-[0-9a-f]{8}\\+v1");

        Tenant other = tenant("Neighbour");
        assertThat(order(other, "n-1", 150).json().get("fired_rules").toString()).doesNotContain("Big order bonus");
    }

    @Test
    void shouldRejectAnUploadThatDoesNotCompileNamingFileAndLineAndKeepServing() {
        Tenant t = tenant("Broken Upload");
        Response r = app.upload("/api/v1/rulesets/" + t.id + "/versions", t.analyst,
                files("broken.drl", "package x;\nimport dev.thrillring.engine.model.Fact;\nrule \"r\" when\n  Fact(nosuch == 1)\nthen end\n"), null);
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.json().get("errors").get(0).get("file").asText()).isEqualTo("broken.drl");
        assertThat(r.json().get("errors").get(0).get("line").asInt()).isEqualTo(4);
        assertThat(app.get("/api/v1/rulesets/" + t.id + "/versions", t.admin).json().get("versions")).isEmpty();
        assertThat(order(t, "still-ok", 1).status()).isEqualTo(200);
    }

    @Test
    void shouldBlockActivationWhenAScenarioFails() {
        Tenant t = tenant("Failing Scenario");
        String wrong = BONUS_SCENARIO.replace("\"amount\": 500", "\"amount\": 501");
        app.upload("/api/v1/rulesets/" + t.id + "/versions", t.analyst, files("bonus.drl", BONUS_V1, "bonus.scenario.json", wrong), null);

        Response act = app.post("/api/v1/rulesets/" + t.id + "/versions/1/activate", t.admin, "");
        assertThat(act.status()).isEqualTo(422);
        assertThat(act.json().get("title").asText()).isEqualTo("Scenarios failed");
        assertThat(act.json().get("scenarios").get(0).get("failures").get(0).asText()).contains("expected an outcome like");
        assertThat(order(t, "o-1", 150).json().get("fired_rules").toString()).doesNotContain("Big order bonus");
    }

    @Test
    void shouldRollBackDiffAndAuditVersions() {
        Tenant t = tenant("Versioned");
        app.upload("/api/v1/rulesets/" + t.id + "/versions", t.analyst, files("bonus.drl", BONUS_V1), "v1");
        app.upload("/api/v1/rulesets/" + t.id + "/versions", t.analyst, files("bonus.drl", BONUS_V2, "extra.drl", "package extra;\n"), "v2");
        assertThat(app.post("/api/v1/rulesets/" + t.id + "/versions/1/activate", t.admin, "").status()).isEqualTo(200);
        assertThat(app.post("/api/v1/rulesets/" + t.id + "/versions/2/activate", t.admin, "").status()).isEqualTo(200);
        assertThat(order(t, "v2-order", 150).json().get("outcomes").toString()).contains("\"amount\":900");

        Response rb = app.post("/api/v1/rulesets/" + t.id + "/rollback", t.admin, "");
        assertThat(rb.status()).as(rb.body()).isEqualTo(200);
        assertThat(rb.json().get("version").get("version").asInt()).isEqualTo(1);
        assertThat(order(t, "v1-order", 150).json().get("outcomes").toString()).contains("\"amount\":500");

        var versions = app.get("/api/v1/rulesets/" + t.id + "/versions", t.admin).json().get("versions");
        assertThat(versions.get(0).get("status").asText()).isEqualTo("inactive");
        assertThat(versions.get(1).get("status").asText()).isEqualTo("active");

        Response diff = app.get("/api/v1/rulesets/" + t.id + "/diff?from=1&to=2", t.admin);
        assertThat(diff.status()).isEqualTo(200);
        assertThat(diff.json().get("files").toString()).contains("\"path\":\"bonus.drl\",\"change\":\"changed\"", "\"path\":\"extra.drl\",\"change\":\"added\"");
        assertThat(diff.json().get("files").get(0).get("diff").asText()).contains("-    outcomes.points(500", "+    outcomes.points(900");

        var audit = app.get("/api/v1/rulesets/" + t.id + "/audit", t.admin).json().get("entries");
        assertThat(audit.toString()).contains("ruleset.version_created", "ruleset.activated");
        assertThat(audit.get(0).get("action").asText()).isEqualTo("ruleset.activated");
        assertThat(audit.get(0).get("after").get("active_version").asInt()).isEqualTo(1);

        assertThat(app.post("/api/v1/rulesets/" + t.id + "/deactivate", t.admin, "").status()).isEqualTo(204);
        assertThat(order(t, "base-order", 150).json().get("fired_rules").toString()).doesNotContain("Big order bonus");
    }

    @Test
    void shouldDryRunADraftWithoutPersistingAnything() throws Exception {
        Tenant t = tenant("Dry Runner");
        app.upload("/api/v1/rulesets/" + t.id + "/versions", t.analyst, files("bonus.drl", BONUS_V1), null);
        Response r = app.post("/api/v1/rulesets/" + t.id + "/dry-run", t.analyst,
                "{\"version\": 1, \"facts\": [{\"type\":\"order.shipped\",\"user_id\":\"u-9\",\"attributes\":{\"value\":120}},"
                        + "{\"type\":\"order.shipped\",\"user_id\":\"u-9\",\"attributes\":{\"value\":5}}]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("persisted").asBoolean()).isFalse();
        assertThat(r.json().get("results").get(0).get("fired_rules").toString()).contains("Big order bonus");
        assertThat(r.json().get("results").get(1).get("fired_rules").toString()).doesNotContain("Big order bonus");

        try (Connection c = app.ownerConnection();
             PreparedStatement ps = c.prepareStatement("SELECT (SELECT count(*) FROM facts WHERE tenant_id = ?::uuid) + "
                     + "(SELECT count(*) FROM subject_metrics WHERE tenant_id = ?::uuid)")) {
            ps.setString(1, t.id);
            ps.setString(2, t.id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
        }
        Response bad = app.post("/api/v1/rulesets/" + t.id + "/dry-run", t.analyst, "{\"facts\": [{\"type\":\"Bad Type\"}]}");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().get("errors").get(0).get("field").asText()).isEqualTo("facts[0].type");
    }

    @Test
    void shouldKeepMetricsPerSubjectAcrossFactsSoThresholdsFire() {
        Tenant t = tenant("Thresholds");
        String threshold = """
                package overlay;
                import dev.thrillring.engine.model.SubjectState;
                global dev.thrillring.engine.model.Outcomes outcomes;
                rule "Third order"
                when
                    SubjectState(metric("orders_shipped") >= 3, !unlocked("third-order"))
                then
                    outcomes.unlock("third-order");
                end
                """;
        app.upload("/api/v1/rulesets/" + t.id + "/versions", t.analyst, files("third.drl", threshold), null);
        app.post("/api/v1/rulesets/" + t.id + "/versions/1/activate", t.admin, "");
        assertThat(order(t, "t-1", 1).json().get("fired_rules").toString()).doesNotContain("Third order");
        assertThat(order(t, "t-2", 1).json().get("fired_rules").toString()).doesNotContain("Third order");
        assertThat(order(t, "t-3", 1).json().get("outcomes").toString()).contains("\"kind\":\"unlock\"", "third-order");
    }

    @Test
    void shouldRefuseWrongUploadsNamingTheFile() {
        Tenant t = tenant("Bad Files");
        Response r = app.upload("/api/v1/rulesets/" + t.id + "/versions", t.analyst, files("notes.txt", "hello", "../evil.drl", "x"), null);
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().get("errors").toString()).contains("files[notes.txt]", "files[../evil.drl]");
        Response json = app.post("/api/v1/rulesets/" + t.id + "/versions", t.analyst, "{}");
        assertThat(json.status()).isEqualTo(415);
        assertThat(app.post("/api/v1/rulesets/" + t.id + "/versions/99/activate", t.admin, "").status()).isEqualTo(404);
        assertThat(app.post("/api/v1/rulesets/" + t.id + "/versions/1/activate", t.analyst, "").status()).isEqualTo(403);
        assertThat(app.upload("/api/v1/rulesets/" + t.id + "/versions", t.ingest, files("a.drl", "package a;\n"), null).status()).isEqualTo(403);
    }

    @Test
    void shouldRefuseAnOversizedUploadWithAProblemNotACrash() {
        Tenant t = tenant("Big Upload");
        Response r = app.upload("/api/v1/rulesets/" + t.id + "/versions", t.analyst,
                Map.of("big.drl", new byte[1_500_000]), null);
        assertThat(r.status()).isIn(413, 422);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(app.get("/api/v1/rulesets/" + t.id + "/versions", t.admin).json().get("versions")).isEmpty();
    }

    @Test
    void shouldRefuseAnotherTenantsRuleSets() {
        Tenant a = tenant("Owner");
        Tenant b = tenant("Intruder");
        app.upload("/api/v1/rulesets/" + a.id + "/versions", a.analyst, files("bonus.drl", BONUS_V1), null);
        assertThat(app.get("/api/v1/rulesets/" + a.id + "/versions", b.admin).status()).isEqualTo(403);
        assertThat(app.post("/api/v1/rulesets/" + a.id + "/versions/1/activate", b.admin, "").status()).isEqualTo(403);
        assertThat(app.upload("/api/v1/rulesets/" + a.id + "/versions", b.analyst, files("x.drl", "package x;\n"), null).status()).isEqualTo(403);
    }
}
