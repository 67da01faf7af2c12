package dev.thrillring.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import dev.thrillring.support.WebhookReceiver;
import dev.thrillring.support.WebhookReceiver.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Webhook delivery against hostile receivers and poisoned rows: a real server with a compressed
 * schedule, real loopback receivers, the real PostgreSQL.
 */
class WebhookHardeningTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final ObjectMapper JSON = new ObjectMapper();
    static TestServer app;

    @BeforeAll
    static void setUp() {
        WebhookSettings s = WebhookSettings.DEFAULTS.withAllowHttp(true)
                .withTiming(List.of(Duration.ZERO, Duration.ofMillis(300), Duration.ofMillis(300), Duration.ofMillis(300), Duration.ofMillis(300)),
                        Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofDays(5))
                .withRetention(Duration.ofDays(30), Duration.ofDays(30), Duration.ofSeconds(1));
        app = TestServer.start(TestServer.tempDir(), s);
    }

    @AfterAll
    static void tearDown() { app.close(); }

    record Tenant(String id, String admin, String ingest) {}

    static Tenant tenant(String name) {
        String id = app.createTenant(name, "coreldove");
        return new Tenant(id, app.issueKey(id, "tenant_admin"), app.issueKey(id, "ingest"));
    }

    static String create(Tenant t, String url, String... types) {
        Response r = app.post("/api/v1/tenants/" + t.id() + "/webhooks", t.admin(),
                JSON.createObjectNode().put("url", url).set("event_types", JSON.valueToTree(List.of(types))).toString());
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("endpoint").get("id").asText();
    }

    static void fact(Tenant t, String id, String user) {
        Response r = app.post("/api/v1/facts", t.ingest(), "{\"id\":\"" + id + "\",\"tenant_id\":\"" + t.id()
                + "\",\"user_id\":\"" + user + "\",\"type\":\"order.shipped\",\"attributes\":{\"value\":20}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    static JsonNode await(String path, String key, String field, java.util.function.Predicate<JsonNode> done) throws InterruptedException {
        Instant end = Instant.now().plus(WAIT);
        while (true) {
            JsonNode n = app.get(path, key).json().get(field);
            if (done.test(n) || Instant.now().isAfter(end)) return n;
            Thread.sleep(50);
        }
    }

    @Test
    void shouldRecordAnAnswerCarryingNulAndControlCharactersOnceAndDeliverIt() throws Exception {
        Tenant t = tenant("Webhook NUL answer");
        try (WebhookReceiver rx = new WebhookReceiver().answer(n -> Reply.body(200, "ok\u0000\u0007\u001b[2Jdone"))) {
            String id = create(t, rx.url(), "achievement.unlocked");
            fact(t, "nul-1", "nina");
            String base = "/api/v1/tenants/" + t.id() + "/webhooks/" + id;
            JsonNode messages = await(base + "/messages", t.admin(), "messages",
                    m -> m.size() == 1 && m.get(0).get("status").asText().equals("delivered"));
            assertThat(messages.get(0).get("status").asText()).as(messages.toString()).isEqualTo("delivered");
            JsonNode attempts = app.get(base + "/attempts", t.admin()).json().get("attempts");
            assertThat(attempts).hasSize(1);
            assertThat(attempts.get(0).get("response_excerpt").asText()).isEqualTo("ok\uFFFD\uFFFD\uFFFD[2Jdone");
            Thread.sleep(1500); // no lease-driven re-delivery follows
            assertThat(rx.received()).hasSize(1);
        }
    }

    @Test
    void shouldDeadLetterAMessageWhoseAttemptsRanOutWithoutARecordedOutcome() throws Exception {
        Tenant t = tenant("Webhook poisoned");
        try (WebhookReceiver rx = new WebhookReceiver()) {
            String id = create(t, rx.url(), "achievement.unlocked");
            // What a message looks like after every claim of the schedule failed to record its outcome:
            // attempts at the schedule's size, due again because the last lease ended.
            UUID message = UUID.randomUUID();
            try (Connection c = app.ownerConnection(); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO webhook_messages (id, tenant_id, endpoint_id, webhook_id, type, body, status, attempts, next_attempt_at) "
                            + "VALUES (?, ?, ?, 'msg_poisoned', 'achievement.unlocked', '{}', 'pending', 5, now())")) {
                ps.setObject(1, message);
                ps.setObject(2, UUID.fromString(t.id()));
                ps.setObject(3, UUID.fromString(id));
                ps.executeUpdate();
            }
            String base = "/api/v1/tenants/" + t.id() + "/webhooks/" + id;
            JsonNode dead = await(base + "/dead-letters", t.admin(), "messages", d -> !d.isEmpty());
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).get("id").asText()).isEqualTo(message.toString());
            assertThat(dead.get(0).get("last_error").asText()).contains("gave up");
            assertThat(rx.received()).isEmpty();
        }
    }

    @Test
    void shouldRefuseAPortOutsideTheRange() {
        Tenant t = tenant("Webhook ports");
        for (String url : List.of("http://127.0.0.1:0/x", "http://127.0.0.1:65536/x", "https://example.org:99999/x")) {
            Response r = app.post("/api/v1/tenants/" + t.id() + "/webhooks", t.admin(), "{\"url\":\"" + url + "\",\"event_types\":[\"*\"]}");
            assertThat(r.status()).as(url + " " + r.body()).isEqualTo(422);
            assertThat(r.body()).contains("url");
        }
    }

    @Test
    void shouldRefuseInternalTargetsWithOneMessageThatNamesNoAddress() {
        Tenant t = tenant("Webhook oracle");
        java.util.Set<String> told = new java.util.HashSet<>();
        for (String url : List.of("https://10.1.2.3/hook", "https://169.254.169.254/latest", "https://no-such-host.invalid/hook",
                "https://[fd00:ec2::254]/", "https://[64:ff9b::a9fe:a9fe]/")) {
            Response r = app.post("/api/v1/tenants/" + t.id() + "/webhooks", t.admin(), "{\"url\":\"" + url + "\",\"event_types\":[\"*\"]}");
            assertThat(r.status()).as(url + " " + r.body()).isEqualTo(422);
            assertThat(r.header("Content-Type")).contains("problem+json");
            assertThat(r.body()).contains("\"url\"").doesNotContain("10.1.2.3", "169.254", "fd00", "64:ff9b", "127.0.0.1", "resolve to a",
                    "does not resolve", "metadata", "loopback", "no-such-host");
            told.add(r.body().replace(url, ""));
        }
        assertThat(told).hasSize(1);
        // Mistakes in the URL's own text still say what is wrong.
        Response scheme = app.post("/api/v1/tenants/" + t.id() + "/webhooks", t.admin(), "{\"url\":\"ftp://example.org/\",\"event_types\":[\"*\"]}");
        assertThat(scheme.body()).contains("https");
    }

    static void insertMessage(Connection c, UUID id, Tenant t, String endpoint, String status, String deliveredAgo, String nextAgo)
            throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO webhook_messages (id, tenant_id, endpoint_id, webhook_id, type, body, "
                + "status, attempts, next_attempt_at, delivered_at) VALUES (?, ?, ?, ?, 'achievement.unlocked', '{}', ?, 1, "
                + "now() - ?::interval, now() - ?::interval)")) {
            ps.setObject(1, id);
            ps.setObject(2, UUID.fromString(t.id()));
            ps.setObject(3, UUID.fromString(endpoint));
            ps.setString(4, "msg_" + id.toString().replace("-", ""));
            ps.setString(5, status);
            ps.setString(6, nextAgo);
            ps.setString(7, deliveredAgo);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO webhook_attempts (id, tenant_id, endpoint_id, message_id, attempt, "
                + "outcome, latency_ms, at) VALUES (?, ?, ?, ?, 1, 'success', 5, now() - ?::interval)")) {
            ps.setObject(1, UUID.randomUUID());
            ps.setObject(2, UUID.fromString(t.id()));
            ps.setObject(3, UUID.fromString(endpoint));
            ps.setObject(4, id);
            ps.setString(5, nextAgo);
            ps.executeUpdate();
        }
    }

    static long count(Connection c, String sql, UUID id) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, id);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void shouldDeleteDeliveredMessagesAttemptsAndDeadLettersPastTheirRetention() throws Exception {
        Tenant t = tenant("Webhook retention");
        try (WebhookReceiver rx = new WebhookReceiver()) {
            String id = create(t, rx.url(), "achievement.unlocked");
            // Paused, so the old pending message below stays as it is.
            app.send("PATCH", "/api/v1/tenants/" + t.id() + "/webhooks/" + id, t.admin(), "application/json", "{\"status\":\"paused\"}");
            UUID oldDelivered = UUID.randomUUID(), oldDead = UUID.randomUUID(), recentDelivered = UUID.randomUUID(),
                    recentDead = UUID.randomUUID(), oldPending = UUID.randomUUID();
            try (Connection c = app.ownerConnection()) {
                insertMessage(c, oldDelivered, t, id, "delivered", "31 days", "31 days");
                insertMessage(c, oldDead, t, id, "dead", "31 days", "31 days");
                insertMessage(c, recentDelivered, t, id, "delivered", "29 days", "29 days");
                insertMessage(c, recentDead, t, id, "dead", "29 days", "29 days");
                insertMessage(c, oldPending, t, id, "pending", "40 days", "40 days");
                Instant end = Instant.now().plus(WAIT);
                while (count(c, "SELECT count(*) FROM webhook_messages WHERE id = ?", oldDead) > 0 && Instant.now().isBefore(end)) Thread.sleep(100);
                for (UUID gone : List.of(oldDelivered, oldDead)) {
                    assertThat(count(c, "SELECT count(*) FROM webhook_messages WHERE id = ?", gone)).as(gone.toString()).isZero();
                    assertThat(count(c, "SELECT count(*) FROM webhook_attempts WHERE message_id = ?", gone)).isZero();
                }
                for (UUID kept : List.of(recentDelivered, recentDead, oldPending)) {
                    assertThat(count(c, "SELECT count(*) FROM webhook_messages WHERE id = ?", kept)).as(kept.toString()).isOne();
                    assertThat(count(c, "SELECT count(*) FROM webhook_attempts WHERE message_id = ?", kept)).as(kept.toString()).isOne();
                }
            }
        }
    }

    @Test
    void shouldDropAnEndpointsLagGaugeWhenItIsDeleted() throws Exception {
        Tenant t = tenant("Webhook meters");
        try (WebhookReceiver rx = new WebhookReceiver().answer(n -> Reply.status(503))) {
            String id = create(t, rx.url(), "achievement.unlocked");
            fact(t, "meter-1", "mona");
            Instant end = Instant.now().plus(WAIT);
            while (!app.get("/metrics", null).body().contains(id) && Instant.now().isBefore(end)) Thread.sleep(50);
            assertThat(app.get("/metrics", null).body()).contains("webhook_outbox_lag_seconds{endpoint=\"" + id + "\"");
            assertThat(app.send("DELETE", "/api/v1/tenants/" + t.id() + "/webhooks/" + id, t.admin(), null, null).status()).isEqualTo(204);
            Thread.sleep(1500);
            assertThat(app.get("/metrics", null).body()).doesNotContain(id);
        }
    }

    @Test
    void shouldRefuseControlCharactersInFreeTextNamingTheField() throws Exception {
        Tenant t = tenant("Webhook free text");
        try (WebhookReceiver rx = new WebhookReceiver()) {
            String base = "/api/v1/tenants/" + t.id() + "/webhooks";
            // As JSON escapes, so the request carries exactly these characters (a lone surrogate included).
            for (String bad : List.of("\\u0000", "a\\u0000b", "bell\\u0007", "esc\\u001b[2J", "\\u009b", "\\ud800lone")) {
                String body = "{\"url\":\"" + rx.url() + "\",\"description\":\"" + bad + "\",\"event_types\":[\"*\"]}";
                Response r = app.post(base, t.admin(), body);
                assertThat(r.status()).as(bad + " " + r.body().replace("\u0000", "NUL")).isEqualTo(422);
                assertThat(r.header("Content-Type")).contains("problem+json");
                assertThat(r.body()).contains("description");
            }
            Response url = app.post(base, t.admin(), JSON.createObjectNode().put("url", rx.url() + "\u0000")
                    .set("event_types", JSON.valueToTree(List.of("*"))).toString());
            assertThat(url.status()).as(url.body()).isEqualTo(422);
            assertThat(url.body()).contains("url");
            Response types = app.post(base, t.admin(), JSON.createObjectNode().put("url", rx.url())
                    .set("event_types", JSON.valueToTree(List.of("achievement.\u0000"))).toString());
            assertThat(types.status()).as(types.body()).isEqualTo(422);
            assertThat(types.body()).contains("event_types[0]");
            // A description with newlines and non-Latin text is fine, and so is changing it; a NUL on change is refused.
            String id = create(t, rx.url(), "*");
            Response ok = app.send("PATCH", base + "/" + id, t.admin(), "application/json",
                    JSON.createObjectNode().put("description", "Ünïcode 📦\nsecond line").toString());
            assertThat(ok.status()).as(ok.body()).isEqualTo(200);
            Response patched = app.send("PATCH", base + "/" + id, t.admin(), "application/json",
                    JSON.createObjectNode().put("description", "x\u0000").toString());
            assertThat(patched.status()).as(patched.body()).isEqualTo(422);
            assertThat(patched.body()).contains("description");
        }
    }

    @Test
    void shouldRenewTheLeaseOfMessagesQueuedBehindSlowSendsSoNoneGoesTwice() throws Exception {
        Tenant t = tenant("Webhook lease renewal");
        // 16 unlocks, 700 ms each, over four slots: the last wait about 2.8 s and finish after the
        // 3 s lease of their claim. Unrenewed, they would be due again and sent a second time.
        try (WebhookReceiver slow = new WebhookReceiver().answer(n -> new Reply(200, Duration.ofMillis(700), null))) {
            create(t, slow.url(), "achievement.unlocked");
            for (int i = 0; i < 16; i++) fact(t, "lease-" + i, "lease-user-" + i);
            slow.await(r -> true, 16, WAIT);
            Thread.sleep(4000); // a lease and then some: a lapsed one would show up as a repeat here
            List<String> ids = slow.received().stream().map(r -> r.header("webhook-id")).toList();
            assertThat(ids).hasSize(16).doesNotHaveDuplicates();
        }
    }
}
