package dev.thrillring.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** An API key bound to an end user: requests that name no user_id are about that user, as with a JWT's sub. */
class ApiKeyUserTest {
    static TestServer app;
    static String tenant, admin;
    static final String BOARD = "/api/v1/gamification/leaderboards?platform=bizosaas&leaderboard_type=performance&time_period=all_time";

    @BeforeAll
    static void seed() {
        app = TestServer.shared();
        tenant = app.createTenant("Bound keys", "bizosaas");
        admin = app.issueKey(tenant, "tenant_admin");
        String drl = "package overlay;\nimport dev.thrillring.engine.model.Fact;\nglobal dev.thrillring.engine.model.Outcomes outcomes;\n"
                + "rule \"Points score\" when $f : Fact(type == \"points.earned\") then outcomes.score(\"performance\", $f.num(\"points\")); end\n";
        assertThat(app.upload("/api/v1/rulesets/" + tenant + "/versions", admin, Map.of("s.drl", TestServer.text(drl)), null).status()).isEqualTo(201);
        assertThat(app.post("/api/v1/rulesets/" + tenant + "/versions/1/activate", admin, "").status()).isEqualTo(200);
        String ingest = app.issueKey(tenant, "ingest");
        fact(ingest, "bk-1", "u-bound", 10);
        fact(ingest, "bk-2", "u-other", 20);
    }

    static void fact(String key, String id, String user, int points) {
        Response r = app.post("/api/v1/facts", key, "{\"id\":\"" + id + "\",\"tenant_id\":\"" + tenant + "\",\"user_id\":\"" + user
                + "\",\"type\":\"points.earned\",\"attributes\":{\"points\":" + points + "}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    static Response issue(String body) {
        return app.post("/api/v1/tenants/" + tenant + "/api-keys", admin, body);
    }

    static String bound(String role, String user) {
        Response r = issue("{\"role\":\"" + role + "\",\"user_id\":\"" + user + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().get("user_id").asText()).isEqualTo(user);
        return r.json().get("api_key").asText();
    }

    @Test
    void shouldTakeTheSubjectFromTheKeyWhenTheRequestNamesNone() {
        String viewer = bound("viewer", "u-bound");
        JsonNode me = app.get(BOARD, viewer).json().get("user_position");
        assertThat(me.isNull()).as("bound viewer's position").isFalse();
        assertThat(me.get("rank").asInt()).isEqualTo(2);
        // An unbound key names nobody: no user's position.
        assertThat(app.get(BOARD, app.issueKey(tenant, "viewer")).json().get("user_position").isNull()).isTrue();
        // Naming itself is allowed, naming someone else is not for a viewer.
        assertThat(app.get(BOARD + "&user_id=u-bound", viewer).json().get("user_position").get("rank").asInt()).isEqualTo(2);
        assertThat(app.get(BOARD + "&user_id=u-other", viewer).status()).isEqualTo(403);
    }

    @Test
    void shouldLetReadersOfOtherUsersOverrideTheBoundUser() {
        String analyst = bound("analyst", "u-bound");
        assertThat(app.get(BOARD, analyst).json().get("user_position").get("rank").asInt()).isEqualTo(2);
        assertThat(app.get(BOARD + "&user_id=u-other", analyst).json().get("user_position").get("rank").asInt()).isEqualTo(1);
    }

    @Test
    void shouldListTheBindingAndRefuseABadUserId() {
        bound("ingest", "u-listed");
        boolean listed = false;
        for (JsonNode k : app.get("/api/v1/tenants/" + tenant + "/api-keys", admin).json().get("api_keys")) {
            if (k.has("user_id") && k.get("user_id").asText().equals("u-listed")) listed = true;
        }
        assertThat(listed).isTrue();
        for (String bad : new String[]{"\"\"", "\" padded\"", "\"" + "x".repeat(129) + "\""}) {
            Response r = issue("{\"role\":\"viewer\",\"user_id\":" + bad + "}");
            assertThat(r.status()).as(bad).isEqualTo(422);
            assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo("user_id");
        }
    }
}
