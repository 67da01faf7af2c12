package dev.thrillring.webhooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import dev.thrillring.support.WebhookReceiver;
import dev.thrillring.support.WebhookReceiver.Reply;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service is stopped while a delivery is in flight and started again on the same data: every
 * event is still delivered, at least once, and none is lost.
 */
class WebhookRestartTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String LEGACY_SECRET = "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[32]);

    @Test
    void shouldDeliverEveryEventAfterAStopMidDelivery() throws Exception {
        WebhookSettings settings = WebhookSettings.DEFAULTS.withAllowHttp(true)
                .withTiming(List.of(Duration.ZERO, Duration.ofMillis(200), Duration.ofMillis(200), Duration.ofMillis(200), Duration.ofMillis(200),
                        Duration.ofMillis(200)), Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofDays(5));
        Path data = TestServer.tempDir();
        AtomicBoolean hang = new AtomicBoolean(true);
        int facts = 30;
        String tenant;
        try (WebhookReceiver rx = new WebhookReceiver().answer(n -> hang.get() ? new Reply(200, Duration.ofSeconds(4), null) : Reply.ok())) {
            try (TestServer first = TestServer.start(data, settings)) {
                tenant = first.createTenant("Restarted", "coreldove");
                String admin = first.issueKey(tenant, "tenant_admin");
                String ingest = first.issueKey(tenant, "ingest");
                Response created = first.post("/api/v1/tenants/" + tenant + "/webhooks", admin,
                        "{\"url\":\"" + rx.url() + "\",\"event_types\":[\"*\"]}");
                assertThat(created.status()).as(created.body()).isEqualTo(201);
                for (int i = 0; i < facts; i++) {
                    Response r = first.post("/api/v1/facts", ingest, "{\"id\":\"rs-" + i + "\",\"tenant_id\":\"" + tenant
                            + "\",\"user_id\":\"u" + i + "\",\"type\":\"order.shipped\",\"attributes\":{\"value\":20}}");
                    assertThat(r.status()).as(r.body()).isEqualTo(200);
                }
                // Deliveries are in flight (the receiver holds each for 4 s) when the service stops.
                rx.await(x -> true, 1, Duration.ofSeconds(20));
                // As an earlier version stored it: the secret in the clear. The next start seals it.
                try (Connection c = first.ownerConnection(); var ps = c.prepareStatement("UPDATE webhook_endpoints SET secret = ? WHERE id = ?")) {
                    ps.setString(1, LEGACY_SECRET);
                    ps.setObject(2, java.util.UUID.fromString(created.json().get("endpoint").get("id").asText()));
                    assertThat(ps.executeUpdate()).isOne();
                }
            }
            int beforeRestart = rx.received().size();
            hang.set(false);
            java.time.Instant restarted = java.time.Instant.now();
            Set<String> expected = new HashSet<>();
            try (TestServer second = TestServer.start(data, settings)) {
                try (Connection c = second.ownerConnection();
                     ResultSet rs = c.createStatement().executeQuery("SELECT id FROM events WHERE tenant_id = '" + tenant + "'")) {
                    while (rs.next()) expected.add(Dispatcher.webhookId(java.util.UUID.fromString(rs.getString(1))));
                }
                assertThat(expected).hasSizeGreaterThanOrEqualTo(facts);
                assertThat(count(second, "SELECT count(*) FROM webhook_endpoints WHERE secret LIKE 'sealed:v1:%' AND tenant_id = '" + tenant + "'"))
                        .isOne();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (System.nanoTime() < deadline && undelivered(second, tenant) > 0) Thread.sleep(100);
                // None lost: every event became a message that the receiver acknowledged with a 2xx ...
                assertThat(undelivered(second, tenant)).isZero();
                assertThat(count(second, "SELECT count(*) FROM webhook_messages WHERE tenant_id = '" + tenant + "'")).isEqualTo(expected.size());
            }
            // ... and the receiver saw every one at least once; most of them only after the restart.
            assertThat(beforeRestart).isLessThan(expected.size() / 2);
            assertThat(received(rx)).containsAll(expected);
            assertThat(received(rx, restarted).size()).isGreaterThan(expected.size() / 2);
            // Sealed at start, the legacy secret still signs: the standard library verifies what came after.
            WebhookReceiver.Received after = rx.received().stream().filter(r -> r.at().isAfter(restarted) && r.status() == 200)
                    .reduce((a, b) -> b).orElseThrow();
            new com.standardwebhooks.Webhook(LEGACY_SECRET).verify(after.body(), after.headers());
        }
    }

    static Set<String> received(WebhookReceiver rx) { return received(rx, java.time.Instant.EPOCH); }

    /** The webhook-ids the receiver got after {@code since}. */
    static Set<String> received(WebhookReceiver rx, java.time.Instant since) {
        Set<String> out = new HashSet<>();
        rx.received().stream().filter(r -> r.at().isAfter(since)).forEach(r -> out.add(r.header("webhook-id")));
        return out;
    }

    static long undelivered(TestServer s, String tenant) throws Exception {
        return count(s, "SELECT (SELECT count(*) FROM events WHERE tenant_id = '" + tenant + "') - (SELECT count(*) FROM webhook_messages"
                + " WHERE tenant_id = '" + tenant + "' AND status = 'delivered')");
    }

    static long count(TestServer s, String sql) throws Exception {
        try (Connection c = s.ownerConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
