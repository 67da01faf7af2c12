package dev.thrillring.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thrillring.support.ServiceProcess;
import dev.thrillring.support.TestServer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kill -9} of the service in the middle of a batch, with its watchdog killed too: the next
 * start finds the orphaned PostgreSQL, stops it and serves; every batch sent again is complete in
 * the database, nothing lost, nothing decided twice. Then {@code kill -9} of the service alone: its
 * watchdog stops PostgreSQL.
 */
class CrashRestartTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH = 100;

    @Test
    void shouldRecoverFromKill9MidBatchWithNothingLostOrDoubled() throws Exception {
        var data = TestServer.tempDir();
        HttpClient http = HttpClient.newHttpClient();
        List<String> sent = new ArrayList<>();
        String tenant;
        String key;
        try (ServiceProcess first = new ServiceProcess(data, Map.of()).start()) {
            first.awaitReady(Duration.ofSeconds(120));
            tenant = JSON.readTree(send(http, first, "/api/v1/tenants", TestServer.ADMIN_KEY,
                    "{\"name\":\"Crash\",\"platform\":\"coreldove\",\"industry\":\"retail\"}").body()).get("tenant_id").asText();
            key = JSON.readTree(send(http, first, "/api/v1/tenants/" + tenant + "/api-keys", TestServer.ADMIN_KEY,
                    "{\"role\":\"ingest\"}").body()).get("api_key").asText();
            // Batches one after another; the kill lands while the fourth is being decided.
            CompletableFuture<HttpResponse<String>> inFlight = null;
            for (int b = 0; b < 4; b++) {
                String body = batch(tenant, b);
                sent.add(body);
                inFlight = CompletableFuture.supplyAsync(() -> send(http, first, "/api/v1/facts", key, body));
                if (b < 3) assertThat(inFlight.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }
            Thread.sleep(150);
            ProcessHandle orphan = first.postmaster().orElseThrow();
            first.kill9(true);
            assertThat(inFlight.handle((r, e) -> e != null || r.statusCode() != 200).get(30, TimeUnit.SECONDS))
                    .as("the batch in flight got no answer").isTrue();
            Thread.sleep(300);
            assertThat(orphan.isAlive()).as("with its watchdog killed too, PostgreSQL outlives the service").isTrue();

            try (ServiceProcess second = new ServiceProcess(data, Map.of()).start()) {
                Duration ready = second.awaitReady(Duration.ofSeconds(120));
                System.out.printf("after kill -9 (service and watchdog): ready in %d ms, orphan stopped%n", ready.toMillis());
                assertThat(orphan.isAlive()).as("the orphaned postmaster was stopped").isFalse();
                var stopped = Pattern.compile("orphaned PostgreSQL \\d+ stopped in (\\d+) ms").matcher(second.tail());
                assertThat(stopped.find()).as("the start reports the orphan it stopped:\n" + second.tail()).isTrue();
                // The orphan costs its fast shutdown (a checkpoint), never PostgreSQL's 60 s lock-file wait.
                assertThat(Long.parseLong(stopped.group(1))).isLessThan(10_000);
                assertThat(second.tail()).doesNotContain("lock file");

                int replayed = 0;
                for (String body : sent) {
                    HttpResponse<String> r = send(http, second, "/api/v1/facts", key, body);
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    for (var item : JSON.readTree(r.body()).get("results")) {
                        assertThat(item.get("status").asText()).isIn("decided", "replayed");
                        if (item.get("status").asText().equals("replayed")) replayed++;
                    }
                }
                String[] port = Files.readAllLines(data.resolve("postgres/postmaster.pid")).get(3).trim().split("\\s+");
                try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port[0] + "/thrillring", "postgres", "");
                     var rs = c.createStatement().executeQuery("SELECT count(*), count(d.fact_id) FROM facts f "
                             + "LEFT JOIN decisions d USING (tenant_id, fact_id) WHERE f.tenant_id = '" + tenant + "'")) {
                    rs.next();
                    System.out.printf("kill -9 mid-batch: %d facts sent in %d batches, %d stored, %d decisions, %d replayed on resend%n",
                            sent.size() * BATCH, sent.size(), rs.getInt(1), rs.getInt(2), replayed);
                    assertThat(rs.getInt(1)).as("facts stored: each sent one, once").isEqualTo(sent.size() * BATCH);
                    assertThat(rs.getInt(2)).as("each with its one decision").isEqualTo(sent.size() * BATCH);
                }
                assertThat(replayed).as("the three acknowledged batches were kept").isGreaterThanOrEqualTo(3 * BATCH);

                ProcessHandle pm = second.postmaster().orElseThrow();
                long t0 = System.nanoTime();
                second.kill9(false);
                pm.onExit().get(15, TimeUnit.SECONDS);
                System.out.printf("after kill -9 (service only): the watchdog stopped PostgreSQL in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            }
        }
    }

    private static String batch(String tenant, int b) {
        var facts = JSON.createArrayNode();
        for (int i = 0; i < BATCH; i++) {
            facts.addObject().put("id", "b" + b + "-" + i).put("tenant_id", tenant).put("user_id", "u" + i % 10).put("type", "order.shipped");
        }
        return JSON.createObjectNode().set("facts", facts).toString();
    }

    private static HttpResponse<String> send(HttpClient http, ServiceProcess s, String path, String key, String body) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(s.baseUrl() + path)).timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
