package dev.thrillring.decisions;

import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every kind of bad input gets a 4xx problem naming what is wrong, and writes nothing. */
class BadFactInputTest {
    static TestServer app;
    static String tenant;
    static String otherTenant;
    static String ingestKey;
    static String viewerKey;

    @BeforeAll
    static void setUp() {
        app = TestServer.shared();
        tenant = app.createTenant("Bad Input Co", "bizoholic");
        otherTenant = app.createTenant("Someone Else", "bizoholic");
        ingestKey = app.issueKey(tenant, "ingest");
        viewerKey = app.issueKey(tenant, "viewer");
    }

    static String valid(String overrides) {
        return "{\"id\":\"bad-x\",\"tenant_id\":\"" + tenant + "\",\"type\":\"campaign.launched\"" + overrides + "}";
    }

    static Stream<Arguments> badBodies() {
        return Stream.of(
                Arguments.of("malformed JSON", "{\"id\": ", 400, "(body)"),
                Arguments.of("not an object", "[1,2]", 422, "(body)"),
                Arguments.of("missing id", "{\"tenant_id\":\"" + UUID.randomUUID() + "\",\"type\":\"a\"}", 422, "id"),
                Arguments.of("missing type", "{\"id\":\"a\",\"tenant_id\":\"" + UUID.randomUUID() + "\"}", 422, "type"),
                Arguments.of("id of wrong type", valid(",\"id\": 5").replace("\"id\":\"bad-x\",", ""), 422, "id"),
                Arguments.of("tenant not a UUID", "{\"id\":\"a\",\"tenant_id\":\"acme\",\"type\":\"a\"}", 422, "tenant_id"),
                Arguments.of("type with capitals", valid("").replace("campaign.launched", "Campaign Launched"), 422, "type"),
                Arguments.of("unknown field", valid(",\"colour\":\"red\""), 422, "colour"),
                Arguments.of("occurred_at not a time", valid(",\"occurred_at\":\"yesterday\""), 422, "occurred_at"),
                Arguments.of("occurred_at far in the future", valid(",\"occurred_at\":\"2999-01-01T00:00:00Z\""), 422, "occurred_at"),
                Arguments.of("attributes not an object", valid(",\"attributes\":[1]"), 422, "attributes"),
                Arguments.of("nested attribute", valid(",\"attributes\":{\"a\":{\"b\":1}}"), 422, "attributes.a"),
                Arguments.of("huge number", valid(",\"attributes\":{\"a\":1" + "0".repeat(40) + "}"), 422, "attributes.a"),
                Arguments.of("duplicate keys", valid(",\"type\":\"again\""), 400, "(body)"),
                Arguments.of("empty batch", "{\"facts\":[]}", 422, "facts"),
                Arguments.of("batch with a bad fact", "{\"facts\":[" + valid("") + ",{\"id\":\"b\"}]}", 422, "facts[1].tenant_id"),
                Arguments.of("batch repeating an id", "{\"facts\":[" + valid("") + "," + valid("") + "]}", 422, "facts[1].id"),
                Arguments.of("deep nesting", "[".repeat(100) + "]".repeat(100), 400, "(body)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void shouldRejectBadInputNamingTheFieldAndWriteNothing(String name, String body, int status, String field) throws Exception {
        long before = factCount();
        Response r = app.post("/api/v1/facts", ingestKey, body);

        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.json().get("status").asInt()).isEqualTo(status);
        if (status == 422) assertThat(r.json().get("errors").toString()).contains("\"field\":\"" + field + "\"");
        assertThat(factCount()).isEqualTo(before);
    }

    @Test
    void shouldRefuseABatchOverOneThousandFacts() throws Exception {
        StringBuilder sb = new StringBuilder("{\"facts\":[");
        for (int i = 0; i < 1001; i++) sb.append(i == 0 ? "" : ",").append("{\"id\":\"f").append(i).append("\"}");
        long before = factCount();
        Response r = app.post("/api/v1/facts", ingestKey, sb.append("]}").toString());
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo("facts");
        assertThat(factCount()).isEqualTo(before);
    }

    @Test
    void shouldRefuseABodyOverTheSizeLimit() throws Exception {
        long before = factCount();
        String big = valid(",\"attributes\":{\"a\":\"" + "x".repeat(1_100_000) + "\"}");
        Response r = app.post("/api/v1/facts", ingestKey, big);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(factCount()).isEqualTo(before);
    }

    @Test
    void shouldRefuseAFactForAnotherTenant() throws Exception {
        long before = factCount();
        Response r = app.post("/api/v1/facts", ingestKey, valid("").replace(tenant, otherTenant));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.json().get("detail").asText()).contains("tenant_id");
        assertThat(factCount()).isEqualTo(before);
    }

    @Test
    void shouldRefuseABatchWhenOneFactIsForAnotherTenant() throws Exception {
        long before = factCount();
        Response r = app.post("/api/v1/facts", ingestKey,
                "{\"facts\":[" + valid("") + "," + valid("").replace(tenant, otherTenant).replace("bad-x", "bad-y") + "]}");
        assertThat(r.status()).isEqualTo(403);
        assertThat(factCount()).isEqualTo(before);
    }

    @Test
    void shouldNameTheTenantWhenAnAdminPostsForOneThatDoesNotExist() throws Exception {
        long before = factCount();
        Response r = app.post("/api/v1/facts", TestServer.ADMIN_KEY,
                "{\"id\":\"a\",\"tenant_id\":\"" + UUID.randomUUID() + "\",\"type\":\"a\"}");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo("tenant_id");
        assertThat(factCount()).isEqualTo(before);
    }

    @Test
    void shouldRefuseAWrongContentType() {
        Response r = app.send("POST", "/api/v1/facts", ingestKey, "text/plain", valid(""));
        assertThat(r.status()).isEqualTo(415);
    }

    @Test
    void shouldRefuseMissingAndUnknownKeys() {
        assertThat(app.post("/api/v1/facts", null, valid("")).status()).isEqualTo(401);
        Response r = app.post("/api/v1/facts", "trk_nope_nope", valid(""));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer");
    }

    @Test
    void shouldRefuseAViewerPostingFacts() {
        assertThat(app.post("/api/v1/facts", viewerKey, valid("")).status()).isEqualTo(403);
    }

    @Test
    void shouldRejectABadLimitNamingIt() {
        Response r = app.get("/api/v1/tenants/" + tenant + "/decisions?limit=abc", viewerKey);
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo("limit");
    }

    @Test
    void shouldAnswerUnknownRoutesWithAProblem() {
        Response r = app.get("/api/v1/nothing-here", ingestKey);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
    }

    static long factCount() throws Exception {
        try (Connection c = app.ownerConnection(); ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM facts")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
