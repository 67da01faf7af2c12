package dev.thrillring.app;

import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitTest {

    @Test
    void shouldAnswer429WithRetryAfterOnceATenantsRateIsSpentAndLeaveOthersAlone() {
        TestServer app = TestServer.shared();
        String slow = app.createTenant("Throttled", "bizosaas");
        String other = app.createTenant("Unthrottled", "bizosaas");
        String slowKey = app.issueKey(slow, "viewer");
        String otherKey = app.issueKey(other, "viewer");
        Response set = app.send("PUT", "/api/v1/tenants/" + slow + "/rate-limit", TestServer.ADMIN_KEY, "application/json", "{\"rate_limit_per_second\":2}");
        assertThat(set.status()).as(set.body()).isEqualTo(200);

        List<Response> burst = new ArrayList<>();
        for (int i = 0; i < 8; i++) burst.add(app.get("/api/v1/tenants/" + slow, slowKey));
        Response limited = burst.stream().filter(r -> r.status() == 429).findFirst().orElseThrow(
                () -> new AssertionError("no 429 in " + burst.stream().map(Response::status).toList()));
        assertThat(limited.header("Content-Type")).startsWith("application/problem+json");
        assertThat(Long.parseLong(limited.header("Retry-After"))).isPositive();
        assertThat(limited.header("RateLimit-Limit")).isEqualTo("2");
        assertThat(burst.getFirst().header("RateLimit-Remaining")).isNotNull();

        assertThat(app.get("/api/v1/tenants/" + other, otherKey).status()).isEqualTo(200);

        assertThat(app.send("PUT", "/api/v1/tenants/" + slow + "/rate-limit", TestServer.ADMIN_KEY, "application/json",
                "{\"rate_limit_per_second\":0}").json().get("errors").get(0).get("field").asText()).isEqualTo("rate_limit_per_second");
        assertThat(app.send("PUT", "/api/v1/tenants/" + other + "/rate-limit", app.issueKey(other, "tenant_admin"), "application/json",
                "{\"rate_limit_per_second\":1000}").status()).isEqualTo(403);
        app.send("PUT", "/api/v1/tenants/" + slow + "/rate-limit", TestServer.ADMIN_KEY, "application/json", "{\"rate_limit_per_second\":null}");
    }

    /** Two nodes on one database: what one node took counts on the other once they have synced. */
    @Test
    void shouldHoldATenantsLimitAcrossNodes() {
        TestServer a = TestServer.shared();
        String tenant = a.createTenant("Throttled on two nodes", "bizosaas");
        String key = a.issueKey(tenant, "viewer");
        assertThat(a.send("PUT", "/api/v1/tenants/" + tenant + "/rate-limit", TestServer.ADMIN_KEY, "application/json",
                "{\"rate_limit_per_second\":1}").status()).isEqualTo(200);
        Config second = new Config("127.0.0.1", 0, TestServer.tempDir(), java.util.Optional.of(a.server.database().jdbcUrl() + "?user=postgres"),
                java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.of(TestServer.ADMIN_KEY), java.nio.file.Path.of("rules"),
                java.nio.file.Path.of("decision-tables"), 1_048_576, 4, 100, false, "http://127.0.0.1:7070", java.util.Set.of(), 100_000, 100_000, 100_000).withBadgeKeySecret(a.badgeKeySecret());
        try (TestServer b = TestServer.wrap(Server.start(second))) {
            String path = "/api/v1/tenants/" + tenant;
            // The tenant's bucket holds 2 tokens (two seconds of 1/s). Node B takes one and syncs.
            assertThat(b.get(path, key).status()).isEqualTo(200);
            b.server.syncRateLimits();
            // Node A has not seen the tenant yet: its own copy starts full, and it spends it.
            int allowedOnA = 0;
            while (a.get(path, key).status() == 200) allowedOnA++;
            // 2 from its full copy, or 1 if its background sync (every 0.5 s) already charged B's use.
            assertThat(allowedOnA).isBetween(1, 2);
            a.server.syncRateLimits();
            b.server.syncRateLimits();
            // Alone, B would still have a token; charged with A's use, it has none.
            Response refused = b.get(path, key);
            assertThat(refused.status()).as("node B must count what node A took").isEqualTo(429);
            assertThat(Long.parseLong(refused.header("Retry-After"))).isPositive();
        } finally {
            a.send("PUT", "/api/v1/tenants/" + tenant + "/rate-limit", TestServer.ADMIN_KEY, "application/json", "{\"rate_limit_per_second\":null}");
        }
    }
}
