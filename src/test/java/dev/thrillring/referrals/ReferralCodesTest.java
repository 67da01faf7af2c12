package dev.thrillring.referrals;

import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class ReferralCodesTest {
    static TestServer app;
    static final AtomicInteger n = new AtomicInteger();

    record Tenant(String id, String admin, String ingest, String viewer) {}

    @BeforeAll
    static void setUp() { app = TestServer.shared(); }

    static Tenant tenant() {
        String id = app.createTenant("Referrer " + n.incrementAndGet(), "bizosaas");
        return new Tenant(id, app.issueKey(id, "tenant_admin"), app.issueKey(id, "ingest"), app.issueKey(id, "viewer"));
    }

    static Response generate(Tenant t, String key, String extra) {
        return app.post("/api/v1/gamification/referral/generate-code", key, "{\"tenant_id\":\"" + t.id + "\"" + extra + "}");
    }

    @Test
    void shouldIssueAnUnambiguousCodeWithRewardsFromTheRules() {
        Tenant t = tenant();
        Response r = generate(t, t.ingest, ",\"program_type\":\"standard\",\"expiry_days\":30,\"referrer_user_id\":\"alice\"");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        String code = r.json().get("referral_code").asText();
        assertThat(code).hasSize(8).matches("[23456789ABCDEFGHJKMNPQRSTUVWXYZ]+");
        assertThat(r.json().get("share_url").asText()).endsWith("/r/" + code);
        var potential = r.json().get("potential_rewards");
        assertThat(potential.get("subscription").get("referrer").get("tier").asText()).isEqualTo("bronze");
        assertThat(potential.get("subscription").get("referee").get("fixed").asDouble()).isEqualTo(10.0);
        assertThat(potential.get("purchase").get("referrer").get("percent_of_value").asDouble()).isEqualTo(5.0);
        assertThat(r.json().get("tracking_metrics").get("clicks").asInt()).isZero();

        Response gateway = app.post("/api/v1/gamification/referrals/generate", t.ingest, "{\"tenant_id\":\"" + t.id + "\"}");
        assertThat(gateway.status()).isEqualTo(201);
        assertThat(gateway.json().get("referral_code").asText()).isNotEqualTo(code);
    }

    @Test
    void shouldMatchVanityCodesCaseInsensitivelyAcrossTenants() {
        Tenant a = tenant();
        Tenant b = tenant();
        String vanity = "Spring-Sale-" + n.incrementAndGet();
        Response first = generate(a, a.admin, ",\"vanity_code\":\"" + vanity + "\",\"usage_limit\":5");
        assertThat(first.status()).isEqualTo(201);
        assertThat(first.json().get("referral_code").asText()).isEqualTo(vanity.toUpperCase());
        Response taken = generate(b, b.admin, ",\"vanity_code\":\"" + vanity.toLowerCase() + "\"");
        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.json().get("field").asText()).isEqualTo("vanity_code");
    }

    @Test
    void shouldRecordClicksWithTheSignalsItSeesAndRedirectToTheLandingPage() throws Exception {
        Tenant t = tenant();
        Response program = app.post("/api/v1/referrals/" + t.id + "/programs", t.admin,
                "{\"program_name\":\"Partners\",\"landing_url\":\"https://example.test/join\",\"hold_days\":7,\"caps\":{\"per_referrer_month\":10}}");
        assertThat(program.status()).as(program.body()).isEqualTo(201);
        assertThat(program.json().get("reward_structure").get("hold_days").asInt()).isEqualTo(7);
        String code = generate(t, t.ingest, ",\"program_type\":\"Partners\"").json().get("referral_code").asText();

        HttpClient noRedirects = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> click = noRedirects.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/r/" + code.toLowerCase() + "?d=device-42"))
                .header("User-Agent", "TestBrowser/1.0").header("X-Forwarded-For", "203.0.113.9").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(click.statusCode()).isEqualTo(302);
        assertThat(click.headers().firstValue("Location").orElseThrow()).startsWith("https://example.test/join?ref=" + code + "&click=");

        try (Connection c = app.ownerConnection();
             PreparedStatement ps = c.prepareStatement("SELECT k.ip_address, k.user_agent, k.device_fingerprint FROM referral_clicks k "
                     + "JOIN referral_codes r ON r.id = k.referral_code_id WHERE r.code = ?")) {
            ps.setString(1, code);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                // The test server trusts 127.0.0.1 as a proxy, so the forwarded address is the visitor's.
                assertThat(rs.getString(1)).isEqualTo("203.0.113.9");
                assertThat(rs.getString(2)).isEqualTo("TestBrowser/1.0");
                assertThat(rs.getString(3)).isEqualTo("device-42");
            }
        }
        Response details = app.get("/api/v1/referrals/" + t.id + "/codes/" + code, t.viewer);
        assertThat(details.json().get("tracking_metrics").get("clicks").asInt()).isEqualTo(1);
        assertThat(app.get("/r/NOPE2345", null).status()).isEqualTo(404);
    }

    @Test
    void shouldRefuseBadRequestsNamingTheFields() {
        Tenant t = tenant();
        Response r = generate(t, t.admin, ",\"expiry_days\":0,\"vanity_code\":\"a\",\"usage_limit\":-1,\"referrer_user_id\":\"has space\"");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().get("errors").findValuesAsText("field")).contains("expiry_days", "vanity_code", "usage_limit", "referrer_user_id");
        assertThat(generate(t, t.admin, ",\"program_type\":\"missing\"").status()).isEqualTo(422);
        assertThat(generate(t, t.viewer, "").status()).isEqualTo(403);
        Tenant other = tenant();
        assertThat(generate(t, other.admin, "").status()).isEqualTo(403);
        Response badProgram = app.post("/api/v1/referrals/" + t.id + "/programs", t.admin,
                "{\"program_name\":\"\",\"landing_url\":\"javascript:alert(1)\",\"review_at\":0.9,\"reject_at\":0.5,\"caps\":{\"daily\":3}}");
        assertThat(badProgram.status()).isEqualTo(422);
        assertThat(badProgram.json().get("errors").findValuesAsText("field")).contains("program_name", "landing_url", "review_at", "caps.daily");
    }
}
