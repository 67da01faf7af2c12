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
}
