package dev.thrillring.app;

import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OperationsTest {
    static TestServer app;

    @BeforeAll
    static void setUp() { app = TestServer.shared(); }

    @Test
    void shouldReportHealthWithoutAKey() {
        Response r = app.get("/health", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("status").asText()).isEqualTo("up");
    }

    @Test
    void shouldBeReadyWithDatabaseMigrationsAndRuleSets() {
        Response r = app.get("/ready", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("checks").get("database").asText()).isEqualTo("up");
        assertThat(r.json().get("checks").get("migrations").asText()).isEqualTo("applied");
        assertThat(r.json().get("checks").get("rule_sets").asText()).isEqualTo("loaded");
    }

    @Test
    void shouldKeepIdleConnectionsOpenLongerThanTheJdkClientPoolsThem() {
        // The JDK client (jdk.httpclient.keepalive.timeout) and Jetty both default to 30 s: with equal
        // timeouts a pooled connection is reused just as the server closes it and gets no answer.
        assertThat(app.server.idleTimeouts()).isNotEmpty()
                .allSatisfy(t -> assertThat(t).isGreaterThan(java.time.Duration.ofSeconds(60)));
        assertThat(app.get("/health", null).status()).isEqualTo(200);
    }

    @Test
    void shouldAskForTheScrapeTokenWhenTheOperatorSetOne() {
        try (TestServer guarded = TestServer.start(TestServer.tempDir(), c -> c.withMetricsToken("scrape-token-0123456789"))) {
            Response none = guarded.get("/metrics", null);
            assertThat(none.status()).isEqualTo(401);
            assertThat(none.header("Content-Type")).startsWith("application/problem+json");
            assertThat(guarded.get("/metrics", "another-token").status()).isEqualTo(401);
            Response ok = guarded.get("/metrics", "scrape-token-0123456789");
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.body()).contains("http_server_requests_seconds");
            assertThat(guarded.get("/health", null).status()).as("health stays open for probes").isEqualTo(200);
        }
    }

    @Test
    void shouldExposePrometheusMetricsPerRoute() {
        String tenant = app.createTenant("Metered", "coreldove");
        String key = app.issueKey(tenant, "ingest");
        app.post("/api/v1/facts", key, "{\"id\":\"m-1\",\"tenant_id\":\"" + tenant + "\",\"type\":\"order.shipped\"}");

        Response r = app.get("/metrics", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body())
                .contains("http_server_requests_seconds_bucket{")
                .contains("route=\"/api/v1/facts\"")
                .contains("thrillring_facts_total{result=\"decided\"}")
                .contains("thrillring_rules_evaluation_seconds_count")
                .contains("hikaricp_connections_active");
    }
}
