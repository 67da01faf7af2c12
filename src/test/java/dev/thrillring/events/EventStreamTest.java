package dev.thrillring.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The tenant's event log live over SSE: every type, ids are log positions, Last-Event-ID resumes exactly. */
class EventStreamTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static TestServer app;

    @BeforeAll
    static void setUp() { app = TestServer.shared(); }

    record SseEvent(String id, String event, JsonNode data) {}

    /** An open stream whose events arrive on a queue. */
    static final class Stream implements AutoCloseable {
        final BlockingQueue<SseEvent> events = new LinkedBlockingQueue<>();
        final InputStream body;
        final int status;
        final String problem;
        volatile boolean ended;

        Stream(String path, String key, Map<String, String> headers) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(app.baseUrl() + path)).header("Authorization", "Bearer " + key)
                    .header("Accept", "text/event-stream");
            headers.forEach(b::header);
            HttpResponse<InputStream> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            status = r.statusCode();
            body = r.body();
            if (status != 200) {
                problem = new String(body.readAllBytes(), StandardCharsets.UTF_8) + " " + r.headers().firstValue("Content-Type").orElse("");
                ended = true;
                return;
            }
            problem = null;
            Thread.ofVirtual().start(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                    String id = null, event = null;
                    StringBuilder data = new StringBuilder();
                    for (String line; (line = in.readLine()) != null; ) {
                        if (line.startsWith("id:")) id = line.substring(3).trim();
                        else if (line.startsWith("event:")) event = line.substring(6).trim();
                        else if (line.startsWith("data:")) data.append(line.substring(5).trim());
                        else if (line.isEmpty() && !data.isEmpty()) {
                            events.add(new SseEvent(id, event, JSON.readTree(data.toString())));
                            data.setLength(0);
                        }
                    }
                } catch (Exception closed) {
                    // the test closed the stream
                } finally {
                    ended = true;
                }
            });
        }

        SseEvent next() throws InterruptedException {
            SseEvent e = events.poll(15, TimeUnit.SECONDS);
            assertThat(e).as("an event within 15 s").isNotNull();
            return e;
        }

        @Override public void close() throws Exception { body.close(); }
    }

    static void fact(String tenant, String ingest, String id, String user) {
        Response r = app.post("/api/v1/facts", ingest, "{\"id\":\"" + id + "\",\"tenant_id\":\"" + tenant
                + "\",\"user_id\":\"" + user + "\",\"type\":\"order.shipped\",\"attributes\":{\"value\":20}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    @Test
    void shouldStreamEventsLiveAndResumeAfterTheLastEventId() throws Exception {
        String tenant = app.createTenant("Stream reader", "coreldove");
        String ingest = app.issueKey(tenant, "ingest");
        String analyst = app.issueKey(tenant, "analyst");
        String path = "/api/v1/tenants/" + tenant + "/events/stream";
        String lastId;
        try (Stream s = new Stream(path, analyst, Map.of())) {
            assertThat(s.status).isEqualTo(200);
            fact(tenant, ingest, "st-1", "luke");
            SseEvent first = s.next();
            assertThat(first.id()).isEqualTo("1");
            assertThat(first.event()).isEqualTo(first.data().get("type").asText());
            assertThat(first.data().get("tenant_id").asText()).isEqualTo(tenant);
            assertThat(first.data().get("subject").asText()).isEqualTo("luke");
            lastId = first.id();
        }
        // Missed while disconnected: everything after the last id, in order, nothing twice.
        fact(tenant, ingest, "st-2", "mia");
        List<JsonNode> log = app.get("/api/v1/tenants/" + tenant + "/events?limit=1000", analyst).json().get("events").findParents("position");
        try (Stream s = new Stream(path, analyst, Map.of("Last-Event-ID", lastId))) {
            List<String> ids = new ArrayList<>();
            for (int i = 1; i < log.size(); i++) ids.add(s.next().id());
            assertThat(ids).containsExactlyElementsOf(log.subList(1, log.size()).stream().map(e -> e.get("position").asText()).toList());
        }
        // A filtered stream from the start carries only its types.
        try (Stream s = new Stream(path + "?types=achievement.unlocked&after=0", analyst, Map.of())) {
            SseEvent e = s.next();
            assertThat(e.event()).isEqualTo("achievement.unlocked");
            assertThat(e.data().get("data").get("achievement").asText()).isEqualTo("first-sale");
        }
    }

    @Test
    void shouldRefuseOtherTenantsBadPositionsAndNonStreamingClients() {
        String tenant = app.createTenant("Stream guard", "coreldove");
        String analyst = app.issueKey(tenant, "analyst");
        String other = app.createTenant("Stream outsider", "coreldove");
        String path = "/api/v1/tenants/" + tenant + "/events/stream";
        assertThat(app.send("GET", "/api/v1/tenants/" + other + "/events/stream", analyst, null, null,
                Map.of("Accept", "text/event-stream")).status()).isEqualTo(403);
        assertThat(app.send("GET", path, app.issueKey(tenant, "ingest"), null, null, Map.of("Accept", "text/event-stream")).status()).isEqualTo(403);
        assertThat(app.get(path, analyst).status()).isEqualTo(406);
        Response bad = app.send("GET", path, analyst, null, null, Map.of("Accept", "text/event-stream", "Last-Event-ID", "abc"));
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.body()).contains("Last-Event-ID");
        assertThat(app.send("GET", path + "?types=Bad%20Type", analyst, null, null, Map.of("Accept", "text/event-stream")).body()).contains("types[0]");
    }

    @Test
    void shouldCapTheOpenStreamsOfOneKeyWithAProblem() throws Exception {
        String tenant = app.createTenant("Stream cap", "coreldove");
        String analyst = app.issueKey(tenant, "analyst");
        String path = "/api/v1/tenants/" + tenant + "/events/stream";
        List<Stream> open = new ArrayList<>();
        try {
            for (int i = 0; i < dev.thrillring.events.EventStream.PER_KEY; i++) {
                Stream s = new Stream(path, analyst, Map.of());
                open.add(s);
                assertThat(s.status).as("stream " + (i + 1)).isEqualTo(200);
            }
            try (Stream refused = new Stream(path, analyst, Map.of())) {
                assertThat(refused.status).isEqualTo(429);
                assertThat(refused.problem).contains("problem+json").contains("event streams per API key");
            }
            // Another key of the same tenant still has its own streams.
            try (Stream other = new Stream(path, app.issueKey(tenant, "analyst"), Map.of())) {
                assertThat(other.status).isEqualTo(200);
            }
        } finally {
            for (Stream s : open) s.close();
        }
    }

    @Test
    void shouldCloseAStreamWhoseKeyWasRevokedAtTheNextHeartbeat() throws Exception {
        String tenant = app.createTenant("Stream revoked", "coreldove");
        Response issued = app.post("/api/v1/tenants/" + tenant + "/api-keys", TestServer.ADMIN_KEY, "{\"role\":\"analyst\"}");
        assertThat(issued.status()).as(issued.body()).isEqualTo(201);
        String key = issued.json().get("api_key").asText();
        String keyId = issued.json().get("key_id").asText();
        String path = "/api/v1/tenants/" + tenant + "/events/stream";
        try (Stream s = new Stream(path, key, Map.of()); Stream kept = new Stream(path, app.issueKey(tenant, "analyst"), Map.of())) {
            assertThat(s.status).isEqualTo(200);
            Response revoked = app.send("DELETE", "/api/v1/tenants/" + tenant + "/api-keys/" + keyId, TestServer.ADMIN_KEY, null, null);
            assertThat(revoked.status()).as(revoked.body()).isBetween(200, 204);
            java.time.Instant end = java.time.Instant.now().plusSeconds(25); // the heartbeat is every 15 s
            while (!s.ended && java.time.Instant.now().isBefore(end)) Thread.sleep(100);
            assertThat(s.ended).as("the revoked key's stream was closed").isTrue();
            assertThat(kept.ended).as("another key's stream stays open").isFalse();
        }
    }
}
