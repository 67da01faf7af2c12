package dev.thrillring.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import dev.thrillring.support.WebhookReceiver;
import dev.thrillring.support.WebhookReceiver.Received;
import dev.thrillring.support.WebhookReceiver.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Webhooks end to end: a real server with a compressed retry schedule, and real receivers on
 * loopback that fail, time out, answer 410 or 429, and recover. Signatures are checked with the
 * Standard Webhooks library, not with our own code.
 */
class WebhookDeliveryTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final ObjectMapper JSON = new ObjectMapper();
    static TestServer app;

    @BeforeAll
    static void setUp() {
        WebhookSettings s = WebhookSettings.DEFAULTS.withAllowHttp(true)
                .withTiming(List.of(Duration.ZERO, Duration.ofMillis(300), Duration.ofMillis(300), Duration.ofMillis(300), Duration.ofMillis(300)),
                        Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofDays(5));
        app = TestServer.start(TestServer.tempDir(), s);
    }

    @AfterAll
    static void tearDown() { app.close(); }

    record Tenant(String id, String admin, String ingest) {}

    static Tenant tenant(String name) {
        String id = app.createTenant(name, "coreldove");
        return new Tenant(id, app.issueKey(id, "tenant_admin"), app.issueKey(id, "ingest"));
    }

    static JsonNode create(Tenant t, String url, String... types) {
        Response r = app.post("/api/v1/tenants/" + t.id() + "/webhooks", t.admin(),
                JSON.createObjectNode().put("url", url).set("event_types", JSON.valueToTree(List.of(types))).toString());
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    static void fact(Tenant t, String id, String user) {
        Response r = app.post("/api/v1/facts", t.ingest(), "{\"id\":\"" + id + "\",\"tenant_id\":\"" + t.id()
                + "\",\"user_id\":\"" + user + "\",\"type\":\"order.shipped\",\"attributes\":{\"value\":20}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    static String type(Received r) {
        try {
            return JSON.readTree(r.body()).get("type").asText();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static JsonNode body(Received r) {
        try {
            return JSON.readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static void status(Tenant t, String endpoint, String status) {
        Response r = app.send("PATCH", "/api/v1/tenants/" + t.id() + "/webhooks/" + endpoint, t.admin(), "application/json",
                "{\"status\":\"" + status + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    /** The secret column of an endpoint, read as the database owner. */
    static String storedSecret(String endpoint) throws Exception {
        try (Connection c = app.ownerConnection(); var ps = c.prepareStatement("SELECT secret FROM webhook_endpoints WHERE id = ?")) {
            ps.setObject(1, java.util.UUID.fromString(endpoint));
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    static void verify(String secret, Received r) throws Exception {
        new Webhook(secret).verify(r.body(), r.headers());
    }

    @Test
    void shouldDeliverSignedEventsThatTheStandardLibraryVerifies() throws Exception {
        Tenant t = tenant("Webhook signer");
        try (WebhookReceiver rx = new WebhookReceiver(); WebhookReceiver referrals = new WebhookReceiver()) {
            JsonNode created = create(t, rx.url(), "achievement.*", "referral.converted", "leaderboard.rank_changed");
            create(t, referrals.url(), "referral.converted");
            String secret = created.get("secret").asText();
            assertThat(secret).startsWith("whsec_");
            assertThat(Base64.getDecoder().decode(secret.substring(6))).hasSizeGreaterThanOrEqualTo(32);
            assertThat(created.get("endpoint").has("secret")).isFalse();
            // At rest the secret is sealed: the column holds neither it nor its key bytes.
            String stored = storedSecret(created.get("endpoint").get("id").asText());
            assertThat(stored).startsWith("sealed:v1:").doesNotContain(secret).doesNotContain(secret.substring(6));

            fact(t, "sig-1", "alice");
            Received unlocked = rx.await(r -> type(r).equals("achievement.unlocked"), 1, WAIT).getFirst();
            verify(secret, unlocked);
            JsonNode b = body(unlocked);
            assertThat(b.get("timestamp").asText()).isNotEmpty();
            assertThat(b.get("data").get("tenant_id").asText()).isEqualTo(t.id());
            assertThat(b.get("data").get("subject").asText()).isEqualTo("alice");
            assertThat(b.get("data").get("achievement").asText()).isEqualTo("first-sale");
            assertThat(unlocked.header("webhook-id")).isEqualTo("msg_" + b.get("data").get("event_id").asText().replace("-", ""));
            assertThat(unlocked.header("webhook-signature")).startsWith("v1,");
            assertThat(Long.parseLong(unlocked.header("webhook-timestamp"))).isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(60L));
            // Tampered bodies and other secrets fail the same verifier: it is not a rubber stamp.
            Received tampered = new Received(unlocked.headers(), unlocked.body().replace("alice", "mallory"), unlocked.at(), 200);
            assertThatThrownBy(() -> verify(secret, tampered)).isInstanceOf(WebhookVerificationException.class);
            assertThatThrownBy(() -> verify(Signature.newSecret(), unlocked)).isInstanceOf(WebhookVerificationException.class);

            // Only subscribed types arrive; the referral-only endpoint got nothing from an order.
            Thread.sleep(500);
            assertThat(rx.received()).allSatisfy(r -> assertThat(type(r)).matches("achievement\\..*|referral\\.converted|leaderboard\\.rank_changed"));
            assertThat(referrals.received()).isEmpty();
        }
    }

    @Test
    void shouldRetryFailuresWithTheSameWebhookIdAndLogEveryAttempt() throws Exception {
        Tenant t = tenant("Webhook retries");
        try (WebhookReceiver rx = new WebhookReceiver().answer(n -> n <= 2 ? Reply.status(500) : Reply.ok())) {
            JsonNode created = create(t, rx.url(), "achievement.unlocked");
            fact(t, "retry-1", "bob");
            List<Received> all = rx.await(r -> r.status() == 200, 1, WAIT);
            List<Received> got = rx.received();
            assertThat(got).hasSize(3);
            assertThat(got.stream().map(r -> r.header("webhook-id")).distinct()).hasSize(1);
            for (Received r : got) verify(created.get("secret").asText(), r);
            String id = created.get("endpoint").get("id").asText();
            JsonNode attempts = awaitAttempts(t, id, 3);
            assertThat(attempts.findValuesAsText("outcome")).containsExactlyInAnyOrder("failure", "failure", "success");
            assertThat(attempts.findValuesAsText("status_code")).containsExactlyInAnyOrder("500", "500", "200");
            assertThat(attempts.get(0).get("response_excerpt").asText()).startsWith("answer");
            JsonNode messages = app.get("/api/v1/tenants/" + t.id() + "/webhooks/" + id + "/messages", t.admin()).json().get("messages");
            assertThat(messages).hasSize(1);
            assertThat(messages.get(0).get("status").asText()).isEqualTo("delivered");
            assertThat(messages.get(0).get("attempts").asInt()).isEqualTo(3);
            assertThat(all).hasSize(1);
            String metrics = app.get("/metrics", null).body();
            assertThat(metrics).contains("webhook_deliveries_total{outcome=\"retry\"}", "webhook_deliveries_total{outcome=\"success\"}",
                    "webhook_attempt_latency_seconds_count");
        }
    }

    static JsonNode awaitAttempts(Tenant t, String endpoint, int n) throws InterruptedException {
        Instant end = Instant.now().plus(WAIT);
        while (true) {
            JsonNode a = app.get("/api/v1/tenants/" + t.id() + "/webhooks/" + endpoint + "/attempts", t.admin()).json().get("attempts");
            if (a.size() >= n || Instant.now().isAfter(end)) return a;
            Thread.sleep(50);
        }
    }

    @Test
    void shouldGiveUpOnASlowAnswerAtTheTimeoutAndRetry() throws Exception {
        Tenant t = tenant("Webhook timeout");
        try (WebhookReceiver rx = new WebhookReceiver().answer(n -> n == 1 ? new Reply(200, Duration.ofMillis(2500), null) : Reply.ok())) {
            String id = create(t, rx.url(), "achievement.unlocked").get("endpoint").get("id").asText();
            fact(t, "slow-1", "carol");
            rx.await(r -> true, 2, WAIT);
            JsonNode attempts = awaitAttempts(t, id, 2);
            assertThat(attempts.findValuesAsText("outcome")).containsExactlyInAnyOrder("failure", "success");
            assertThat(attempts.toString()).contains("timed out");
        }
    }

    @Test
    void shouldDisableOn410AndTellTheTenantsOtherEndpoints() throws Exception {
        Tenant t = tenant("Webhook gone");
        try (WebhookReceiver gone = new WebhookReceiver().answer(n -> Reply.status(410)); WebhookReceiver watcher = new WebhookReceiver()) {
            String id = create(t, gone.url(), "achievement.unlocked").get("endpoint").get("id").asText();
            create(t, watcher.url(), "endpoint.*");
            fact(t, "gone-1", "dave");
            Received disabled = watcher.await(r -> type(r).equals("endpoint.disabled"), 1, WAIT).getFirst();
            assertThat(body(disabled).get("data").get("endpoint_id").asText()).isEqualTo(id);
            JsonNode e = app.get("/api/v1/tenants/" + t.id() + "/webhooks/" + id, t.admin()).json();
            assertThat(e.get("status").asText()).isEqualTo("disabled");
            assertThat(e.get("disabled_reason").asText()).contains("410");
            fact(t, "gone-2", "erin");
            Thread.sleep(800);
            assertThat(gone.received()).hasSize(1);
        }
    }

    @Test
    void shouldHonourRetryAfterOn429() throws Exception {
        Tenant t = tenant("Webhook slow down");
        try (WebhookReceiver rx = new WebhookReceiver().answer(n -> n == 1 ? new Reply(429, Duration.ZERO, "2") : Reply.ok())) {
            create(t, rx.url(), "achievement.unlocked");
            fact(t, "429-1", "frank");
            List<Received> got = rx.await(r -> true, 2, WAIT);
            // The schedule alone would retry after about 300 ms.
            assertThat(Duration.between(got.get(0).at(), got.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
        }
    }

    @Test
    void shouldDeadLetterAfterTheLastAttemptThenRecoverAndReplay() throws Exception {
        Tenant t = tenant("Webhook dead letters");
        AtomicInteger healthy = new AtomicInteger(0);
        try (WebhookReceiver rx = new WebhookReceiver().answer(n -> healthy.get() == 1 ? Reply.ok() : Reply.status(503))) {
            Instant before = Instant.now().minusSeconds(1);
            String id = create(t, rx.url(), "achievement.unlocked").get("endpoint").get("id").asText();
            fact(t, "dead-1", "gina");
            rx.await(r -> true, 5, WAIT);
            JsonNode dead = awaitDead(t, id);
            assertThat(dead).hasSize(1);
            String webhookId = dead.get(0).get("webhook_id").asText();

            healthy.set(1);
            Response rec = app.post("/api/v1/tenants/" + t.id() + "/webhooks/" + id + "/recover", t.admin(), "{\"since\":\"" + before + "\"}");
            assertThat(rec.status()).as(rec.body()).isEqualTo(202);
            assertThat(rec.json().get("requeued").asInt()).isEqualTo(1);
            rx.await(r -> r.status() == 200 && r.header("webhook-id").equals(webhookId), 1, WAIT);

            String messageId = dead.get(0).get("id").asText();
            Response replay = app.post("/api/v1/tenants/" + t.id() + "/webhooks/" + id + "/messages/" + messageId + "/replay", t.admin(), "{}");
            assertThat(replay.status()).as(replay.body()).isEqualTo(202);
            rx.await(r -> r.status() == 200 && r.header("webhook-id").equals(webhookId), 2, WAIT);
            assertThat(app.post("/api/v1/tenants/" + t.id() + "/webhooks/" + id + "/recover", t.admin(), "{\"since\":\"yesterday\"}").status())
                    .isEqualTo(422);
        }
    }

    static JsonNode awaitDead(Tenant t, String endpoint) throws InterruptedException {
        Instant end = Instant.now().plus(WAIT);
        while (true) {
            JsonNode d = app.get("/api/v1/tenants/" + t.id() + "/webhooks/" + endpoint + "/dead-letters", t.admin()).json().get("messages");
            if (!d.isEmpty() || Instant.now().isAfter(end)) return d;
            Thread.sleep(50);
        }
    }

    @Test
    void shouldSignWithBothSecretsWhileRotating() throws Exception {
        Tenant t = tenant("Webhook rotation");
        try (WebhookReceiver rx = new WebhookReceiver()) {
            JsonNode created = create(t, rx.url(), "webhook.test");
            String id = created.get("endpoint").get("id").asText();
            String old = created.get("secret").asText();
            Response rotated = app.post("/api/v1/tenants/" + t.id() + "/webhooks/" + id + "/rotate-secret", t.admin(), "{}");
            assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
            String fresh = rotated.json().get("secret").asText();
            assertThat(fresh).startsWith("whsec_").isNotEqualTo(old);
            assertThat(app.post("/api/v1/tenants/" + t.id() + "/webhooks/" + id + "/test", t.admin(), "{}").status()).isEqualTo(202);
            Received r = rx.await(x -> true, 1, WAIT).getFirst();
            assertThat(type(r)).isEqualTo("webhook.test");
            assertThat(r.header("webhook-signature").split(" ")).hasSize(2);
            assertThatCode(() -> verify(fresh, r)).doesNotThrowAnyException();
            assertThatCode(() -> verify(old, r)).doesNotThrowAnyException();
        }
    }

    @Test
    void shouldNotLetASlowEndpointDelayTheOthers() throws Exception {
        Tenant t = tenant("Webhook slow neighbour");
        try (WebhookReceiver slow = new WebhookReceiver().answer(n -> new Reply(200, Duration.ofMillis(900), null));
             WebhookReceiver fast = new WebhookReceiver()) {
            String slowId = create(t, slow.url(), "achievement.unlocked").get("endpoint").get("id").asText();
            String fastId = create(t, fast.url(), "achievement.unlocked").get("endpoint").get("id").asText();
            // Both paused while the facts go in, so the slow endpoint has its whole backlog at once
            // (facts posted slower than it answers, on a loaded machine, would leave it none).
            for (String id : List.of(slowId, fastId)) status(t, id, "paused");
            for (int i = 0; i < 12; i++) fact(t, "nb-" + i, "user-" + i);
            Instant start = Instant.now();
            for (String id : List.of(slowId, fastId)) status(t, id, "active");
            List<Received> fastAll = fast.await(r -> true, 12, WAIT);
            List<Received> slowAll = slow.await(r -> true, 12, WAIT);
            Instant fastDone = fastAll.stream().map(Received::at).max(Instant::compareTo).orElseThrow();
            Instant slowDone = slowAll.stream().map(Received::at).max(Instant::compareTo).orElseThrow();
            // Twelve 900 ms answers over four slots take at least 2.7 s; the fast endpoint is not held behind them.
            assertThat(Duration.between(start, slowDone)).isGreaterThan(Duration.ofMillis(1800));
            assertThat(fastDone).isBefore(slowDone.minusMillis(900));
        }
    }

    @Test
    void shouldDeliverAFifoEndpointInOrderWhileItsHeadIsRetried() throws Exception {
        Tenant t = tenant("Webhook FIFO");
        // The first request fails: in FIFO mode nothing behind it may pass until its retry succeeds.
        try (WebhookReceiver rx = new WebhookReceiver().answer(n -> n == 1 ? Reply.status(500) : Reply.ok())) {
            Response made = app.post("/api/v1/tenants/" + t.id() + "/webhooks", t.admin(),
                    "{\"url\":\"" + rx.url() + "\",\"event_types\":[\"achievement.unlocked\"],\"fifo\":true}");
            assertThat(made.status()).as(made.body()).isEqualTo(201);
            String id = made.json().get("endpoint").get("id").asText();
            // Paused while the facts go in, so the whole line is there when it resumes.
            status(t, id, "paused");
            for (int i = 0; i < 6; i++) fact(t, "fifo-" + i, "fifo-user-" + i);
            status(t, id, "active");
            List<Received> all = rx.await(r -> true, 7, WAIT);
            List<Long> positions = all.stream().map(r -> body(r).get("data").get("position").asLong()).toList();
            assertThat(all.getFirst().status()).isEqualTo(500);
            // The failed head comes again first, then the rest in the log's order.
            assertThat(positions.get(1)).isEqualTo(positions.get(0));
            assertThat(positions.subList(1, 7)).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void shouldHoldEventsWhilePausedAndDeliverThemOnResume() throws Exception {
        Tenant t = tenant("Webhook pause");
        try (WebhookReceiver rx = new WebhookReceiver()) {
            String id = create(t, rx.url(), "achievement.unlocked").get("endpoint").get("id").asText();
            Response paused = app.send("PATCH", "/api/v1/tenants/" + t.id() + "/webhooks/" + id, t.admin(), "application/json", "{\"status\":\"paused\"}");
            assertThat(paused.status()).as(paused.body()).isEqualTo(200);
            fact(t, "pause-1", "hank");
            Thread.sleep(800);
            assertThat(rx.received()).isEmpty();
            app.send("PATCH", "/api/v1/tenants/" + t.id() + "/webhooks/" + id, t.admin(), "application/json", "{\"status\":\"active\"}");
            rx.await(r -> type(r).equals("achievement.unlocked"), 1, WAIT);
        }
    }

    @Test
    void shouldDisableAnEndpointThatFailedForFiveDays() throws Exception {
        Tenant t = tenant("Webhook five days");
        try (WebhookReceiver failing = new WebhookReceiver().answer(n -> Reply.status(500)); WebhookReceiver watcher = new WebhookReceiver()) {
            String id = create(t, failing.url(), "achievement.unlocked").get("endpoint").get("id").asText();
            create(t, watcher.url(), "endpoint.disabled");
            try (Connection c = app.ownerConnection()) {
                c.createStatement().execute("UPDATE webhook_endpoints SET failing_since = now() - interval '5 days 1 minute' WHERE id = '" + id + "'");
            }
            fact(t, "five-1", "ivy");
            Received r = watcher.await(x -> true, 1, WAIT).getFirst();
            assertThat(body(r).get("data").get("reason").asText()).contains("5 days");
            assertThat(app.get("/api/v1/tenants/" + t.id() + "/webhooks/" + id, t.admin()).json().get("status").asText()).isEqualTo("disabled");
        }
    }

    @Test
    void shouldRefuseUnsafeTargetsAndBadInputNamingTheField() {
        Tenant t = tenant("Webhook refusals");
        String base = "/api/v1/tenants/" + t.id() + "/webhooks";
        for (String url : List.of("http://169.254.169.254/latest/meta-data", "https://10.1.2.3/hook", "https://192.168.0.1/",
                "ftp://example.org/", "https://[fd00:ec2::254]/", "not a url")) {
            Response r = app.post(base, t.admin(), "{\"url\":\"" + url + "\",\"event_types\":[\"*\"]}");
            assertThat(r.status()).as(url + " " + r.body()).isEqualTo(422);
            assertThat(r.body()).contains("url");
        }
        Response types = app.post(base, t.admin(), "{\"url\":\"http://127.0.0.1:9/x\",\"event_types\":[\"Achievement Unlocked\"]}");
        assertThat(types.status()).isEqualTo(422);
        assertThat(types.body()).contains("event_types[0]");
        Response rate = app.post(base, t.admin(), "{\"url\":\"http://127.0.0.1:9/x\",\"event_types\":[\"*\"],\"rate_limit_per_second\":0}");
        assertThat(rate.body()).contains("rate_limit_per_second");
        // Another tenant's admin, an analyst and an unknown id.
        Tenant other = tenant("Webhook outsider");
        assertThat(app.get(base, other.admin()).status()).isEqualTo(403);
        assertThat(app.get(base, app.issueKey(t.id(), "analyst")).status()).isEqualTo(403);
        assertThat(app.get(base + "/" + java.util.UUID.randomUUID(), t.admin()).status()).isEqualTo(404);
    }

    @Test
    void shouldDeliverAPlatformWideEndpointTheEventsOfEveryTenantOfThePlatform() throws Exception {
        Tenant a = tenant("Platform tenant A");
        Tenant b = tenant("Platform tenant B");
        try (WebhookReceiver rx = new WebhookReceiver()) {
            Response r = app.post("/api/v1/platforms/coreldove/webhooks", TestServer.ADMIN_KEY,
                    "{\"url\":\"" + rx.url() + "\",\"event_types\":[\"achievement.unlocked\"]}");
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            String id = r.json().get("endpoint").get("id").asText();
            fact(a, "pw-a", "jack");
            fact(b, "pw-b", "kate");
            // Other tests' tenants of the platform may deliver too; each of these two must arrive.
            for (Tenant t : List.of(a, b)) rx.await(x -> body(x).get("data").get("tenant_id").asText().equals(t.id()), 1, WAIT);
            assertThat(app.get("/api/v1/platforms/coreldove/webhooks", a.admin()).status()).isEqualTo(403);
            // A tenant admin neither sees nor changes it through the tenant's route.
            assertThat(app.get("/api/v1/tenants/" + a.id() + "/webhooks/" + id, a.admin()).status()).isEqualTo(404);
            assertThat(app.send("DELETE", "/api/v1/platforms/coreldove/webhooks/" + id, TestServer.ADMIN_KEY, null, null).status()).isEqualTo(204);
        }
    }

}
