package dev.thrillring.rulesets;

import dev.thrillring.support.TestServer;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static dev.thrillring.support.TestServer.text;
import static org.assertj.core.api.Assertions.assertThat;

/** A second service process on the same database hears about activations (tenant and platform) on the first. */
class TwoProcessTest {

    @Test
    void shouldReachAnotherProcessSoonAfterActivation() throws Exception {
        TestServer first = TestServer.shared();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path data = TestServer.tempDir();
        Path log = data.resolve("second.log");
        ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), "dev.thrillring.Main", "serve")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("DATABASE_URL", first.server.database().jdbcUrl() + "?user=postgres");
        env.put("THRILLRING_HOST", "127.0.0.1");
        env.put("THRILLRING_PORT", Integer.toString(port));
        env.put("THRILLRING_DATA_DIR", data.toString());
        // Nodes sharing a database share the sealing key of the badge signing keys.
        env.put("THRILLRING_BADGE_KEY_SECRET", first.badgeKeySecret());
        env.put("THRILLRING_ADMIN_KEY", TestServer.ADMIN_KEY);
        env.put("THRILLRING_RULES_DIR", new File("rules").getAbsolutePath());
        env.put("THRILLRING_TABLES_DIR", new File("decision-tables").getAbsolutePath());
        Process second = pb.start();
        try {
            HttpClient client = HttpClient.newHttpClient();
            String base2 = "http://127.0.0.1:" + port;
            waitReady(client, base2, second, log);

            String tenant = first.createTenant("Two Nodes", "coreldove");
            String admin = first.issueKey(tenant, "tenant_admin");
            String ingest = first.issueKey(tenant, "ingest");
            assertThat(post(client, base2, ingest, tenant, "warm").body()).doesNotContain("Node bonus");

            String drl = "package overlay;\nimport dev.thrillring.engine.model.Fact;\nglobal dev.thrillring.engine.model.Outcomes outcomes;\n"
                    + "rule \"Node bonus\" when Fact(type == \"order.shipped\") then outcomes.points(7, \"x\"); end\n";
            first.upload("/api/v1/rulesets/" + tenant + "/versions", admin, Map.of("n.drl", text(drl)), null);
            long activatedAt = System.nanoTime();
            assertThat(first.post("/api/v1/rulesets/" + tenant + "/versions/1/activate", admin, "").status()).isEqualTo(200);
            long activationMs = (System.nanoTime() - activatedAt) / 1_000_000;

            long t0 = System.nanoTime();
            boolean seen = false;
            // Bounded polling: at most 200 facts, 50 ms apart.
            for (int i = 0; i < 200 && !seen; i++) {
                seen = post(client, base2, ingest, tenant, "poll-" + i).body().contains("Node bonus");
                if (!seen) Thread.sleep(50);
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("second process applied the activation %d ms after the activation request returned (activation took %d ms)%n", ms, activationMs);
            assertThat(seen).as("second process never applied the activation; its log:\n" + Files.readString(log)).isTrue();

            // Leaderboards: the second process builds its rank index, then follows scores committed by the first.
            String board = "/api/v1/gamification/leaderboards?leaderboard_type=performance&user_id=x";
            String a = first.createTenant("Scorer A", "bizosaas");
            String b = first.createTenant("Scorer B", "bizosaas");
            String aIngest = first.issueKey(a, "ingest");
            String bIngest = first.issueKey(b, "ingest");
            String aViewer = first.issueKey(a, "viewer");
            first.post("/api/v1/facts", aIngest, "{\"id\":\"sa-1\",\"tenant_id\":\"" + a + "\",\"user_id\":\"x\",\"type\":\"feature.adopted\"}");
            assertThat(get(client, base2, aViewer, board)).contains("\"user_position\":{\"rank\":1");
            for (int i = 0; i < 2; i++) {
                first.post("/api/v1/facts", bIngest, "{\"id\":\"sb-" + i + "\",\"tenant_id\":\"" + b + "\",\"user_id\":\"y\",\"type\":\"feature.adopted\"}");
            }
            long s0 = System.nanoTime();
            boolean overtaken = false;
            for (int i = 0; i < 100 && !overtaken; i++) {
                overtaken = get(client, base2, aViewer, board).contains("\"user_position\":{\"rank\":2");
                if (!overtaken) Thread.sleep(20);
            }
            System.out.printf("second process saw the new ranks %d ms after the first committed them%n", (System.nanoTime() - s0) / 1_000_000);
            assertThat(overtaken).as("second process kept stale ranks").isTrue();

            // Privacy: an opt-in on the first process shows the name on the second, whose names were cached.
            assertThat(get(client, base2, aViewer, board)).doesNotContain("Scorer A Inc");
            String aAdmin = first.issueKey(a, "tenant_admin");
            assertThat(first.send("PUT", "/api/v1/tenants/" + a + "/leaderboard-privacy", aAdmin, "application/json",
                    "{\"opted_in\":true,\"display_name\":\"Scorer A Inc\"}").status()).isEqualTo(200);
            boolean named = false;
            for (int i = 0; i < 100 && !named; i++) {
                named = get(client, base2, aViewer, board).contains("Scorer A Inc");
                if (!named) Thread.sleep(20);
            }
            assertThat(named).as("second process kept showing a pseudonym after the opt-in").isTrue();

            // A platform's base: activated on the first process, served by the second to the platform's tenants.
            String platform = "twonode" + System.nanoTime() % 100000;
            try (var c = first.ownerConnection()) {
                c.createStatement().execute("INSERT INTO platforms (name) VALUES ('" + platform + "')");
            }
            String platformAdmin = first.post("/api/v1/platforms/" + platform + "/api-keys", TestServer.ADMIN_KEY, "").json().get("api_key").asText();
            String onPlatform = first.createTenant("On the platform", platform);
            String platformIngest = first.issueKey(onPlatform, "ingest");
            assertThat(post(client, base2, platformIngest, onPlatform, "pb-warm", "task.done").body()).doesNotContain("Task points");
            String taskPoints = "package platform;\nimport dev.thrillring.engine.model.Fact;\nglobal dev.thrillring.engine.model.Outcomes outcomes;\n"
                    + "rule \"Task points\" when Fact(type == \"task.done\") then outcomes.points(3, \"task\"); end\n";
            assertThat(first.upload("/api/v1/platforms/" + platform + "/rulesets/versions", platformAdmin, Map.of("tasks.drl", text(taskPoints)), null)
                    .status()).isEqualTo(201);
            assertThat(first.post("/api/v1/platforms/" + platform + "/rulesets/versions/1/activate", platformAdmin, "").status()).isEqualTo(200);
            long p0 = System.nanoTime();
            boolean based = false;
            for (int i = 0; i < 200 && !based; i++) {
                based = post(client, base2, platformIngest, onPlatform, "pb-" + i, "task.done").body().contains("Task points");
                if (!based) Thread.sleep(50);
            }
            System.out.printf("second process served the new platform base %d ms after its activation returned%n", (System.nanoTime() - p0) / 1_000_000);
            assertThat(based).as("second process kept the old platform base; its log:\n" + Files.readString(log)).isTrue();
        } finally {
            second.destroy();
            second.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            if (second.isAlive()) second.destroyForcibly();
        }
    }

    private static HttpResponse<String> post(HttpClient c, String base, String key, String tenant, String id) throws Exception {
        return post(c, base, key, tenant, id, "order.shipped");
    }

    private static HttpResponse<String> post(HttpClient c, String base, String key, String tenant, String id, String type) throws Exception {
        return c.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/facts"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + id + "\",\"tenant_id\":\"" + tenant + "\",\"type\":\"" + type + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String get(HttpClient c, String base, String key, String path) throws Exception {
        return c.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + key).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void waitReady(HttpClient c, String base, Process p, Path log) throws Exception {
        for (int i = 0; i < 240; i++) {
            if (!p.isAlive()) throw new AssertionError("second process exited: " + Files.readString(log));
            try {
                if (c.send(HttpRequest.newBuilder(URI.create(base + "/ready")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) return;
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("second process not ready after 60 s: " + Files.readString(log));
    }
}
