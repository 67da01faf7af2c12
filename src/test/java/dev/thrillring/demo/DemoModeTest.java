package dev.thrillring.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thrillring.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Demo mode creates its tenants only when asked, and feeds them facts the service decides. */
class DemoModeTest {
    static TestServer s;

    @BeforeAll
    static void start() { s = TestServer.start(TestServer.tempDir()); }

    @AfterAll
    static void stop() { s.close(); }

    @Test
    void shouldCreateDemoTenantsOnlyWithTheFlagAndFeedThemFactsThatGetDecided() throws Exception {
        assertThat(demoTenants()).as("a server started without the flag has no demo tenant").isEmpty();

        DemoMode.Started demo = s.server.startDemo(Duration.ofMillis(200), 1_000);
        try {
            assertThat(demo.tenants()).extracting(DemoMode.DemoTenant::platform).containsExactlyInAnyOrder("bizoholic", "coreldove", "bizosaas");
            assertThat(demoTenants()).hasSize(3).allMatch(n -> n.startsWith("demo-"));
            DemoMode.DemoTenant acme = demo.tenants().stream().filter(t -> t.platform().equals("bizoholic")).findFirst().orElseThrow();

            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            JsonNode decisions;
            long waiting;
            do {
                Thread.sleep(200);
                decisions = s.get("/api/v1/tenants/" + acme.tenantId() + "/decisions?limit=50", acme.adminKey()).json().path("decisions");
                waiting = s.get("/api/v1/referrals/" + acme.tenantId() + "/review-queue", acme.adminKey()).json().path("total").asLong();
            } while ((decisions.size() < 5 || waiting < 1) && System.nanoTime() < deadline);
            assertThat(decisions.size()).as("facts decided through the API").isGreaterThanOrEqualTo(5);
            assertThat(decisions.get(0).path("fired_rules").size()).isPositive();
            assertThat(waiting).as("a suspicious conversion waits for review").isPositive();
            assertThat(demo.feed().failures()).isZero();
        } finally {
            demo.close();
        }

        // A second start reuses the tenants and revokes the keys it printed before.
        DemoMode.Started again = s.server.startDemo(Duration.ofSeconds(60), 1);
        try {
            assertThat(demoTenants()).hasSize(3);
            DemoMode.DemoTenant old = demo.tenants().getFirst();
            Thread.sleep(5_500); // key lookups are cached for 5 s
            assertThat(s.get("/api/v1/tenants/" + old.tenantId() + "/decisions", old.adminKey()).status()).isEqualTo(401);
            assertThat(again.tenants().getFirst().tenantId()).isEqualTo(old.tenantId());
        } finally {
            again.close();
        }
    }

    private List<String> demoTenants() {
        List<String> names = new ArrayList<>();
        for (String p : List.of("bizoholic", "coreldove", "bizosaas")) {
            for (JsonNode t : s.get("/api/v1/platforms/" + p + "/tenants", TestServer.ADMIN_KEY).json().path("tenants")) {
                if (t.path("name").asText().startsWith("demo-")) names.add(t.path("name").asText());
            }
        }
        return names;
    }
}
