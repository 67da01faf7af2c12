package dev.thrillring.webhooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thrillring.support.ServiceProcess;
import dev.thrillring.support.TestServer;
import dev.thrillring.support.WebhookReceiver;
import dev.thrillring.support.WebhookReceiver.Received;
import dev.thrillring.support.WebhookReceiver.Reply;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kill -9} of the service while a webhook is in flight, with the default lease: the next
 * start sends it again within about one lease (30 s) of the last renewal, not after the several
 * minutes that a lease sized for a whole claim would take.
 */
class WebhookKillTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldSendAMessageAgainSoonAfterTheNodeHoldingItWasKilled() throws Exception {
        var data = TestServer.tempDir();
        HttpClient http = HttpClient.newHttpClient();
        Map<String, String> env = Map.of("THRILLRING_WEBHOOK_ALLOW_HTTP", "true");
        AtomicBoolean hang = new AtomicBoolean(true);
        // The first answer is held past the kill; after the restart the receiver answers at once.
        try (WebhookReceiver rx = new WebhookReceiver().answer(n -> hang.get() ? new Reply(200, Duration.ofSeconds(10), null) : Reply.ok())) {
            try (ServiceProcess first = new ServiceProcess(data, env).start()) {
                first.awaitReady(Duration.ofSeconds(180));
                String tenant = JSON.readTree(send(http, first, "/api/v1/tenants", TestServer.ADMIN_KEY,
                        "{\"name\":\"Killed\",\"platform\":\"coreldove\",\"industry\":\"retail\"}").body()).get("tenant_id").asText();
                HttpResponse<String> hook = send(http, first, "/api/v1/tenants/" + tenant + "/webhooks", TestServer.ADMIN_KEY,
                        JSON.createObjectNode().put("url", rx.url()).set("event_types", JSON.valueToTree(List.of("achievement.unlocked"))).toString());
                assertThat(hook.statusCode()).as(hook.body()).isEqualTo(201);
                String key = JSON.readTree(send(http, first, "/api/v1/tenants/" + tenant + "/api-keys", TestServer.ADMIN_KEY,
                        "{\"role\":\"ingest\"}").body()).get("api_key").asText();
                HttpResponse<String> fact = send(http, first, "/api/v1/facts", key, "{\"id\":\"kill-1\",\"tenant_id\":\"" + tenant
                        + "\",\"user_id\":\"kim\",\"type\":\"order.shipped\",\"attributes\":{\"value\":20}}");
                assertThat(fact.statusCode()).as(fact.body()).isEqualTo(200);
                rx.await(r -> true, 1, Duration.ofSeconds(60));
                first.kill9(true);
            }
            Received held = rx.received().getFirst();
            hang.set(false);
            try (ServiceProcess second = new ServiceProcess(data, env).start()) {
                second.awaitReady(Duration.ofSeconds(180));
                java.time.Instant ready = java.time.Instant.now();
                String id = held.header("webhook-id");
                Received again = rx.await(r -> r.header("webhook-id").equals(id), 2, Duration.ofSeconds(200)).get(1);
                // Due again one lease (30 s) after the claim or its last renewal, so sent at the first
                // pass after that or after the start, whichever is later (15 s of slack for a loaded
                // machine). The former lease, 60 s + 7 × 15 s for a claim, ended 165 s after it.
                java.time.Instant due = held.at().plusSeconds(40);
                java.time.Instant bound = (ready.isAfter(due) ? ready : due).plusSeconds(15);
                assertThat(again.at()).isBefore(bound);
                System.out.printf("kill -9 mid-delivery: sent again %d ms after the first send%n",
                        Duration.between(held.at(), again.at()).toMillis());
            }
        }
    }

    private static HttpResponse<String> send(HttpClient http, ServiceProcess s, String path, String key, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(s.baseUrl() + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
