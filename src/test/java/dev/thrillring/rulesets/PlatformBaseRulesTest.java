package dev.thrillring.rulesets;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.thrillring.support.TestServer.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A platform admin manages its platform's base rules over the API: uploads are validated against
 * the shipped files, an uploaded file replaces the shipped one of the same name, activation serves
 * every tenant of the platform at once, and an activation that would break a tenant's own rule set
 * is refused. Each test runs on a platform of its own, so the shared server's platforms are untouched.
 */
class PlatformBaseRulesTest {
    static TestServer app;
    static final AtomicInteger n = new AtomicInteger();

    @BeforeAll
    static void setUp() { app = TestServer.shared(); }

    record Platform(String name, String admin) {
        String rulesets() { return "/api/v1/platforms/" + name + "/rulesets"; }
    }

    static Platform platform() throws Exception {
        String name = "base" + n.incrementAndGet() + "x" + System.nanoTime() % 100000;
        try (var c = app.ownerConnection()) {
            c.createStatement().execute("INSERT INTO platforms (name) VALUES ('" + name + "')");
        }
        Response key = app.post("/api/v1/platforms/" + name + "/api-keys", TestServer.ADMIN_KEY, "");
        assertThat(key.status()).as(key.body()).isEqualTo(201);
        return new Platform(name, key.json().get("api_key").asText());
    }

    static final String TASK_POINTS = """
            package dev.thrillring.rules.platform;
            import dev.thrillring.engine.model.Fact;
            global dev.thrillring.engine.model.Outcomes outcomes;

            rule "Task points"
            when
                Fact(type == "task.done")
            then
                outcomes.points(7, "task done");
            end
            """;

    static final String TASK_SCENARIO = """
            {"name": "a finished task earns 7 points",
             "facts": [{"type": "task.done", "attributes": {}}],
             "expect": {"fired": ["Task points"], "outcomes": [{"kind": "points", "rule": "Task points", "amount": 7}]}}
            """;

    static Map<String, byte[]> files(Object... nameAndText) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (int i = 0; i < nameAndText.length; i += 2) m.put((String) nameAndText[i], text((String) nameAndText[i + 1]));
        return m;
    }

    static Response fact(String tenant, String key, String id, String type) {
        return app.post("/api/v1/facts", key, "{\"id\":\"" + id + "\",\"tenant_id\":\"" + tenant + "\",\"user_id\":\"u-1\",\"type\":\""
                + type + "\",\"attributes\":{}}");
    }

    static List<String> paths(JsonNode base, String source) {
        List<String> out = new ArrayList<>();
        for (JsonNode f : base.get("files")) if (f.get("source").asText().equals(source)) out.add(f.get("path").asText());
        return out;
    }

    @Test
    void shouldLetAPlatformAdminUploadActivateAndDeactivateBaseRulesForEveryTenantOfThePlatform() throws Exception {
        Platform p = platform();
        String first = app.createTenant("Base one", p.name());
        String second = app.createTenant("Base two", p.name());
        String ingest1 = app.issueKey(first, "ingest");
        String ingest2 = app.issueKey(second, "ingest");

        Response before = app.get(p.rulesets(), p.admin());
        assertThat(before.status()).as(before.body()).isEqualTo(200);
        assertThat(before.json().get("active_version").isNull()).isTrue();
        assertThat(paths(before.json(), "shipped")).contains("rules/_common/shared.drl");
        assertThat(fact(first, ingest1, "t-0", "task.done").json().get("fired_rules").toString()).doesNotContain("Task points");

        // Replaces the shipped _common/shared.drl for this platform only: converted referrals count twice.
        String shared = Files.readString(Path.of("rules/_common/shared.drl")).replace("outcomes.metric(\"referrals_converted\", 1)",
                "outcomes.metric(\"referrals_converted\", 2)");
        Response up = app.upload(p.rulesets() + "/versions", p.admin(),
                files("task-points.drl", TASK_POINTS, "task.scenario.json", TASK_SCENARIO, "shared.drl", shared), "task points");
        assertThat(up.status()).as(up.body()).isEqualTo(201);
        assertThat(up.json().get("version").asInt()).isEqualTo(1);
        assertThat(up.json().get("status").asText()).isEqualTo("draft");
        assertThat(fact(first, ingest1, "t-1", "task.done").json().get("fired_rules").toString()).doesNotContain("Task points");

        // Tried on a tenant's real subjects before it goes live; nothing is written.
        Response dry = app.post(p.rulesets() + "/dry-run", p.admin(), "{\"tenant_id\":\"" + first + "\",\"version\":1,"
                + "\"facts\":[{\"type\":\"task.done\",\"user_id\":\"u-1\"}]}");
        assertThat(dry.status()).as(dry.body()).isEqualTo(200);
        assertThat(dry.json().get("persisted").asBoolean()).isFalse();
        assertThat(dry.json().get("results").get(0).get("fired_rules").toString()).contains("Task points");
        assertThat(app.get("/api/v1/tenants/" + first + "/decisions/dry-1", app.issueKey(first, "viewer")).status()).isEqualTo(404);
        String elsewhereTenant = app.createTenant("Not on this platform", "bizosaas");
        Response foreign = app.post(p.rulesets() + "/dry-run", p.admin(), "{\"tenant_id\":\"" + elsewhereTenant + "\",\"facts\":[{\"type\":\"task.done\"}]}");
        assertThat(foreign.status()).isEqualTo(422);
        assertThat(foreign.json().get("errors").get(0).get("field").asText()).isEqualTo("tenant_id");

        Response act = app.post(p.rulesets() + "/versions/1/activate", p.admin(), "");
        assertThat(act.status()).as(act.body()).isEqualTo(200);
        assertThat(act.json().get("scenarios").get(0).get("passed").asBoolean()).isTrue();

        for (String[] t : new String[][]{{first, ingest1}, {second, ingest2}}) {
            Response r = fact(t[0], t[1], "t-2", "task.done");
            assertThat(r.json().get("fired_rules").toString()).as(r.body()).contains("Task points");
            assertThat(r.json().get("rule_set_version").asText()).matches(p.name() + "@base-[0-9a-f]{8}");
        }
        JsonNode live = app.get(p.rulesets(), p.admin()).json();
        assertThat(live.get("active_version").asInt()).isEqualTo(1);
        assertThat(paths(live, "uploaded")).containsExactlyInAnyOrder("uploaded/" + p.name() + "/task-points.drl", "uploaded/" + p.name() + "/shared.drl");
        assertThat(paths(live, "shipped")).doesNotContain("rules/_common/shared.drl").contains("decision-tables/_common/fraud-indicators.drl.csv");
        Response download = app.get(p.rulesets() + "/files?path=uploaded/" + p.name() + "/shared.drl", p.admin());
        assertThat(download.body()).contains("\"referrals_converted\", 2");

        // Other platforms keep their shipped rules.
        String elsewhere = app.createTenant("Elsewhere", "coreldove");
        assertThat(fact(elsewhere, app.issueKey(elsewhere, "ingest"), "t-3", "task.done").json().get("fired_rules").toString())
                .doesNotContain("Task points");

        Response off = app.post(p.rulesets() + "/deactivate", p.admin(), "");
        assertThat(off.status()).as(off.body()).isEqualTo(200);
        assertThat(off.json().get("active_version").isNull()).isTrue();
        assertThat(fact(first, ingest1, "t-4", "task.done").json().get("fired_rules").toString()).doesNotContain("Task points");

        List<String> actions = new ArrayList<>();
        for (JsonNode e : app.get("/api/v1/platforms/" + p.name() + "/audit", p.admin()).json().get("entries")) actions.add(e.get("action").asText());
        assertThat(actions).contains("base_ruleset.version_created", "base_ruleset.activated", "base_ruleset.deactivated");
    }

    @Test
    void shouldRefuseAnUploadThatDoesNotCompileAndEveryoneButThePlatformsAdmins() throws Exception {
        Platform p = platform();
        Response bad = app.upload(p.rulesets() + "/versions", p.admin(),
                files("broken.drl", "package x;\nimport dev.thrillring.engine.model.Fact;\nrule \"r\" when\n  Fact(nosuch == 1)\nthen end\n"), null);
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.header("Content-Type")).startsWith("application/problem+json");
        assertThat(bad.json().get("errors").get(0).get("file").asText()).isEqualTo("uploaded/" + p.name() + "/broken.drl");
        assertThat(bad.json().get("errors").get(0).get("line").asInt()).isEqualTo(4);
        assertThat(app.upload(p.rulesets() + "/versions", p.admin(), files("../evil.drl", TASK_POINTS), null).json().get("errors").get(0).get("field").asText()).startsWith("files[");
        assertThat(app.get(p.rulesets() + "/versions", p.admin()).json().get("versions")).isEmpty();
        assertThat(app.post(p.rulesets() + "/versions/9/activate", p.admin(), "").status()).isEqualTo(404);

        String tenant = app.createTenant("Not an admin of the base", p.name());
        Platform other = platform();
        for (String key : List.of(app.issueKey(tenant, "tenant_admin"), app.issueKey(tenant, "analyst"), other.admin())) {
            assertThat(app.get(p.rulesets(), key).status()).isEqualTo(403);
            assertThat(app.upload(p.rulesets() + "/versions", key, files("task-points.drl", TASK_POINTS), null).status()).isEqualTo(403);
        }
        assertThat(app.get(p.rulesets() + "/versions", p.admin()).json().get("versions")).isEmpty();
    }

    /**
     * A tenant activation checked against one base must not go live on another: while a base
     * activation holds the platform (here: a connection holding its lock and switching the base),
     * the tenant's commit waits, then sees the base changed and asks to be activated again.
     */
    @Test
    void shouldRefuseATenantActivationWhoseBaseChangedWhileItWasChecked() throws Exception {
        Platform p = platform();
        String tenant = app.createTenant("Racing the base", p.name());
        String admin = app.issueKey(tenant, "tenant_admin");
        String overlay = "package overlay;\nimport dev.thrillring.engine.model.Fact;\nglobal dev.thrillring.engine.model.Outcomes outcomes;\n"
                + "rule \"Race bonus\" when Fact(type == \"task.done\") then outcomes.points(1, \"race\"); end\n";
        assertThat(app.upload("/api/v1/rulesets/" + tenant + "/versions", admin, files("race.drl", overlay), null).status()).isEqualTo(201);

        try (var holder = app.ownerConnection()) {
            holder.setAutoCommit(false);
            holder.createStatement().execute("SELECT pg_advisory_xact_lock(hashtextextended('platform-base/" + p.name() + "', 0))");
            var activation = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> app.post("/api/v1/rulesets/" + tenant + "/versions/1/activate", admin, ""));
            boolean waiting = false;
            for (int i = 0; i < 200 && !waiting; i++) {
                try (var look = app.ownerConnection(); var rs = look.createStatement().executeQuery(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")) {
                    rs.next();
                    waiting = rs.getLong(1) > 0;
                }
                if (!waiting) Thread.sleep(25);
            }
            assertThat(waiting).as("the tenant activation waits for the base activation to commit").isTrue();
            holder.createStatement().execute("INSERT INTO platform_rule_set_versions (platform, version, checksum, author, status, activated_at) "
                    + "VALUES ('" + p.name() + "', 1, 'switched', 'test', 'active', now())");
            holder.commit();
            Response refused = activation.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(refused.status()).as(refused.body()).isEqualTo(409);
            assertThat(refused.json().get("field").asText()).isEqualTo("version");
            assertThat(refused.json().get("detail").asText()).contains("activate it again");
        }
        assertThat(app.get("/api/v1/rulesets/" + tenant + "/versions/1", admin).json().get("status").asText()).isEqualTo("draft");
        Response again = app.post("/api/v1/rulesets/" + tenant + "/versions/1/activate", admin, "");
        assertThat(again.status()).as("checked against the current base this time").isEqualTo(200);
    }

    @Test
    void shouldRefuseABaseThatWouldBreakATenantsActiveRuleSetAndNameTheTenant() throws Exception {
        Platform p = platform();
        assertThat(app.upload(p.rulesets() + "/versions", p.admin(), files("task-points.drl", TASK_POINTS), null).status()).isEqualTo(201);
        assertThat(app.post(p.rulesets() + "/versions/1/activate", p.admin(), "").status()).isEqualTo(200);

        // The tenant's own rule and its scenario rely on the base's task points.
        String tenant = app.createTenant("Builds on the base", p.name());
        String admin = app.issueKey(tenant, "tenant_admin");
        String overlay = """
                package dev.thrillring.rules.platform;
                import dev.thrillring.engine.model.Fact;
                global dev.thrillring.engine.model.Outcomes outcomes;

                rule "Double task bonus"
                when
                    Fact(type == "task.done")
                then
                    outcomes.points(14, "double");
                end
                """;
        String scenario = """
                {"name": "a task earns the base's 7 and the bonus",
                 "facts": [{"type": "task.done"}],
                 "expect": {"fired": ["Task points", "Double task bonus"]}}
                """;
        assertThat(app.upload("/api/v1/rulesets/" + tenant + "/versions", admin, files("double.drl", overlay, "bonus.scenario.json", scenario), null).status()).isEqualTo(201);
        assertThat(app.post("/api/v1/rulesets/" + tenant + "/versions/1/activate", admin, "").status()).isEqualTo(200);

        String renamed = TASK_POINTS.replace("rule \"Task points\"", "rule \"Tasks earn points\"");
        assertThat(app.upload(p.rulesets() + "/versions", p.admin(), files("task-points.drl", renamed), null).status()).isEqualTo(201);
        Response diff = app.get(p.rulesets() + "/diff?from=1&to=2", p.admin());
        assertThat(diff.status()).as(diff.body()).isEqualTo(200);
        assertThat(diff.body()).contains("task-points.drl").contains("Tasks earn points");

        Response act = app.post(p.rulesets() + "/versions/2/activate", p.admin(), "");
        assertThat(act.status()).as(act.body()).isEqualTo(422);
        assertThat(act.json().get("title").asText()).isEqualTo("Tenant rule sets would break");
        assertThat(act.json().get("tenants").get(0).get("tenant_id").asText()).isEqualTo(tenant);
        assertThat(act.json().get("tenants").get(0).get("errors").get(0).get("file").asText()).isEqualTo("bonus.scenario.json");

        // Version 1 keeps serving, the tenant's rules with it.
        assertThat(app.get(p.rulesets(), p.admin()).json().get("active_version").asInt()).isEqualTo(1);
        Response r = fact(tenant, app.issueKey(tenant, "ingest"), "b-1", "task.done");
        assertThat(r.json().get("fired_rules").toString()).as(r.body()).contains("Task points", "Double task bonus");
    }
}
