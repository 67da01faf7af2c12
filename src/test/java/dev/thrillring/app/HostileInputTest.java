package dev.thrillring.app;

import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every writing route of the route table, fed hostile bodies with a key that may use it: none may
 * answer 500, and the database must come out intact (no injected statement ran).
 */
class HostileInputTest {
    static TestServer app;
    static String tenant;

    @BeforeAll
    static void setUp() {
        app = TestServer.shared();
        tenant = app.createTenant("Hostile target", "bizosaas");
    }

    static String concrete(String path) {
        return path.replace("{tenant_id}", tenant).replace("{version}", "1").replace("{code}", "ABC%27--")
                .replaceAll("\\{[a-z_]*id}", UUID.randomUUID().toString()).replaceAll("\\{[a-z_]+}", "x%27%3B");
    }

    static final String INJECTION = "'; DROP TABLE tenants; -- \\\" OR 1=1 <script>alert(1)</script> ${jndi:ldap://x} {{7*7}}";

    static List<String> bodies(String tenantId) {
        String big = "x".repeat(20_000);
        return List.of(
                "", "{", "{\"a\":", "null", "[]", "\"just a string\"", "12", "true",
                "{\"a\":1,\"a\":2}",
                "[".repeat(2000) + "]".repeat(2000),
                "{\"tenant_id\":\"" + tenantId + "\",\"name\":\"" + INJECTION + "\",\"key\":\"" + INJECTION + "\",\"id\":\"" + INJECTION
                        + "\",\"type\":\"" + INJECTION + "\",\"program_name\":\"" + INJECTION + "\",\"referral_code\":\"" + INJECTION + "\"}",
                "{\"tenant_id\":\"" + tenantId + "\",\"threshold\":1e400,\"conversion_value\":1e400,\"limit\":99999999999999999999999,\"points\":-1e308}",
                "{\"tenant_id\":\"" + tenantId + "\",\"name\":\"\\u0000\\ud800\\u202e\\uFEFF😀\",\"key\":\"\\u0000\",\"id\":\"\\ud800\",\"type\":\"a\\u0000\"}",
                "{\"tenant_id\":\"" + tenantId + "\",\"name\":\"" + big + "\",\"description\":\"" + big + "\",\"id\":\"" + big + "\"}",
                "{\"tenant_id\":[1,2],\"name\":{\"nested\":true},\"facts\":\"not an array\",\"version\":\"one\",\"to_version\":-1}");
    }

    /** Rows per table of the schema: a refused request must leave every count unchanged. */
    static Map<String, Long> rowCounts(Connection c) throws Exception {
        List<String> tables = new ArrayList<>();
        try (ResultSet t = c.createStatement().executeQuery(
                // rate_buckets is the limiter's own state, synced in the background twice a second.
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('flyway_schema_history', 'rate_buckets') ORDER BY 1")) {
            while (t.next()) tables.add(t.getString(1));
        }
        String sql = tables.stream().map(t -> "(SELECT count(*) FROM public.\"" + t + "\")").collect(Collectors.joining(", ", "SELECT ", ""));
        Map<String, Long> counts = new TreeMap<>();
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            for (int i = 0; i < tables.size(); i++) counts.put(tables.get(i), rs.getLong(i + 1));
        }
        return counts;
    }

    @Test
    void shouldNeverAnswer500ToHostileBodiesOnAnyWritingRoute() throws Exception {
        List<String> failures = new ArrayList<>();
        int sent = 0;
        try (Connection owner = app.ownerConnection()) {
            Map<String, Long> rows = rowCounts(owner);
            for (Server.Route r : app.server.routes()) {
                if (!List.of("POST", "PUT", "PATCH").contains(r.method())) continue;
                String path = concrete(r.path());
                List<String[]> attempts = new ArrayList<>();
                for (String body : bodies(tenant)) attempts.add(new String[]{"application/json", body});
                attempts.add(new String[]{"text/plain", "{\"tenant_id\":\"" + tenant + "\"}"});
                attempts.add(new String[]{null, "garbage"});
                attempts.add(new String[]{"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"files\"; filename=\"../../etc/passwd\"\r\n\r\nrule"});
                for (String[] a : attempts) {
                    String what = r.method() + " " + r.path() + " <- " + a[0] + " " + a[1].substring(0, Math.min(60, a[1].length()));
                    Response res;
                    try {
                        res = app.send(r.method(), path, TestServer.ADMIN_KEY, a[0], a[1]);
                    } catch (java.io.UncheckedIOException first) {
                        // A kept-alive connection the server had just closed fails without an answer; the
                        // client does not retry a POST, so this one does, once. Twice is the server's fault.
                        try {
                            res = app.send(r.method(), path, TestServer.ADMIN_KEY, a[0], a[1]);
                        } catch (java.io.UncheckedIOException e) {
                            // A connection closed without an answer is as bad as a 500: name the request.
                            failures.add(what + " -> no answer twice: " + first.getMessage() + " / " + e.getMessage());
                            continue;
                        }
                    }
                    sent++;
                    if (res.status() >= 500) failures.add(what + " -> " + res.status());
                    Map<String, Long> now = rowCounts(owner);
                    if (res.status() >= 400 && !now.equals(rows)) failures.add(what + " -> " + res.status() + " but rows changed: " + rows + " -> " + now);
                    rows = now;
                }
            }
        }
        String q = String.join("&", "limit=" + INJECTION, "period=" + INJECTION, "platform=" + INJECTION, "user_id=%00", "after_rank=-1",
                "around=99999999999999999999", "from=" + INJECTION, "to=1e400", "type=%F0%28%8C%28", "status=" + INJECTION, "before=" + INJECTION,
                "leaderboard_type=" + INJECTION, "time_period=" + INJECTION, "industry=%00", "action=" + INJECTION, "since=" + INJECTION)
                .replace(" ", "%20").replace("'", "%27").replace("\"", "%22").replace("<", "%3C").replace(">", "%3E").replace("{", "%7B")
                .replace("}", "%7D").replace("$", "%24").replace("\\", "%5C").replace(";", "%3B");
        for (Server.Route r : app.server.routes()) {
            // The live stream never ends by itself: shouldRefuseHostileStreamParameters reads its first answer.
            if (!r.method().equals("GET") || r.path().endsWith("/stream")) continue;
            Response res = app.send("GET", concrete(r.path()) + "?" + q, TestServer.ADMIN_KEY, null, null);
            sent++;
            if (res.status() >= 500) failures.add("GET " + r.path() + " with hostile query -> " + res.status());
        }
        assertThat(failures).isEmpty();
        assertThat(sent).isGreaterThan(350);
        try (Connection c = app.ownerConnection(); ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM tenants")) {
            rs.next();
            assertThat(rs.getLong(1)).isPositive();
        }
        assertThat(app.get("/ready", null).status()).isEqualTo(200);
    }

    @Test
    void shouldRefuseHostileStreamParametersWithAProblemBeforeTheStreamOpens() throws Exception {
        var client = java.net.http.HttpClient.newHttpClient();
        record Case(String board, String query, String accept, int status) {}
        for (Case c : List.of(
                new Case("performance", "platform=%27%3B%20DROP%20TABLE%20tenants", "text/event-stream", 422),
                new Case("x%27%3B--", "platform=bizosaas", "text/event-stream", 404),
                new Case("performance", "", "text/event-stream", 422),
                new Case("performance", "platform=bizosaas", "application/json", 406))) {
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                            app.baseUrl() + "/api/v1/gamification/leaderboards/" + c.board() + "/stream?" + c.query()))
                    .header("Authorization", "Bearer " + TestServer.ADMIN_KEY).header("Accept", c.accept())
                    .timeout(java.time.Duration.ofSeconds(5)).build();
            var res = client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).as(c.toString()).isEqualTo(c.status());
            assertThat(res.headers().firstValue("Content-Type").orElse("")).as(c.toString()).startsWith("application/problem+json");
        }
    }
}
