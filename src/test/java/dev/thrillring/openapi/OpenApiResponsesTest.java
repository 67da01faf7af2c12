package dev.thrillring.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real HTTP calls to the main routes (the README's session, the seed's routes, errors), each
 * answer checked against the document: status and content type documented, body valid against
 * the documented JSON Schema. Then every event the session wrote against its webhook entry.
 */
class OpenApiResponsesTest {
    static TestServer app;
    static OpenApiContract contract;
    static final String ADMIN = TestServer.ADMIN_KEY;

    @BeforeAll
    static void setUp() throws Exception {
        app = TestServer.shared();
        contract = OpenApiContract.served(app);
    }

    final List<String> problems = new ArrayList<>();
    final Set<String> checked = new HashSet<>();

    /** Sends to {@code template} with its placeholders filled in order, and checks the answer. */
    Response call(String method, String template, String key, String body, String... args) {
        String path = template;
        for (String a : args) path = path.replaceFirst("\\{[a-z_]+}", a);
        int q = template.indexOf('?');
        String bare = q < 0 ? template : template.substring(0, q);
        Response r = app.send(method, path, key, body == null ? null : "application/json", body);
        problems.addAll(contract.check(method, bare, r));
        checked.add(method + " " + bare + " " + r.status());
        return r;
    }

    @Test
    void shouldAnswerTheMainRoutesWithBodiesTheDocumentDescribes() {
        // the README's session
        Response t = call("POST", "/api/v1/tenants", ADMIN, "{\"name\":\"Contract Co\",\"platform\":\"bizoholic\",\"industry\":\"marketing\"}");
        assertThat(t.status()).isEqualTo(201);
        String tenant = t.json().get("tenant_id").asText();
        call("GET", "/api/v1/tenants/{tenant_id}", ADMIN, null, tenant);
        String ingest = call("POST", "/api/v1/tenants/{tenant_id}/api-keys", ADMIN, "{\"role\":\"ingest\"}", tenant).json().get("api_key").asText();
        String admin = app.issueKey(tenant, "tenant_admin");
        String analyst = app.issueKey(tenant, "analyst");
        call("GET", "/api/v1/tenants/{tenant_id}/api-keys", admin, null, tenant);
        String fact = "{\"id\":\"c-1\",\"tenant_id\":\"" + tenant + "\",\"user_id\":\"u-1\",\"type\":\"campaign.launched\",\"attributes\":{\"channel\":\"search\"}}";
        assertThat(call("POST", "/api/v1/facts", ingest, fact).json().get("status").asText()).isEqualTo("decided");
        assertThat(call("POST", "/api/v1/facts", ingest, fact).json().get("status").asText()).isEqualTo("replayed");
        call("POST", "/api/v1/facts", ingest, "{\"facts\":[{\"id\":\"c-2\",\"tenant_id\":\"" + tenant + "\",\"user_id\":\"u-2\",\"type\":\"campaign.launched\"},"
                + "{\"id\":\"c-1\",\"tenant_id\":\"" + tenant + "\",\"user_id\":\"u-9\",\"type\":\"campaign.launched\"}]}");
        call("GET", "/api/v1/tenants/{tenant_id}/decisions/{fact_id}", ingest, null, tenant, "c-1");
        call("GET", "/api/v1/tenants/{tenant_id}/decisions?limit=5", admin, null, tenant);
        call("GET", "/api/v1/tenants/{tenant_id}/events?limit=50", analyst, null, tenant);
        call("GET", "/api/v1/tenants/{tenant_id}/audit", admin, null, tenant);
        call("GET", "/api/v1/rulesets/{tenant_id}/versions", admin, null, tenant);
        call("GET", "/api/v1/platforms/{platform}/tenants", ADMIN, null, "bizoholic");
        call("GET", "/api/v1/platforms/{platform}/audit", ADMIN, null, "bizoholic");

        // the seed's routes, gateway and unprefixed
        call("GET", "/api/v1/gamification/achievements", admin, null);
        call("GET", "/api/v1/gamification/achievements/progress/{tenant_id}?user_id=u-1", admin, null, tenant);
        call("GET", "/achievements/progress/{tenant_id}", admin, null, tenant);
        call("GET", "/api/v1/gamification/achievements/{tenant_id}?platform=bizoholic", admin, null, tenant);
        call("POST", "/api/v1/gamification/achievements/custom", admin, "{\"tenant_id\":\"" + tenant
                + "\",\"key\":\"launcher\",\"name\":\"Launcher\",\"metric\":\"campaigns_launched\",\"threshold\":3}");
        call("POST", "/achievements/custom", admin, "{\"tenant_id\":\"" + tenant + "\",\"achievement_name\":\"Point Collector\",\"description\":\"100 points\","
                + "\"achievement_type\":\"milestone\",\"trigger_conditions\":{\"metric\":\"points\",\"threshold\":100,\"period\":\"all_time\",\"prerequisites\":[]},"
                + "\"reward_config\":{\"points\":50},\"difficulty_level\":2,\"is_repeatable\":false,\"icon_url\":\"https://cdn.example/p.png\"}");
        call("GET", "/api/v1/gamification/leaderboards?user_id=u-1", admin, null);
        call("GET", "/leaderboards?platform=bizoholic&leaderboard_type=performance&time_period=all_time&limit=50", admin, null);
        call("GET", "/api/v1/public/leaderboards/{platform}/{board_key}", null, null, "bizoholic", "performance");
        call("GET", "/api/v1/gamification/leaderboards/{board_key}/history?user_id=u-1", admin, null, "performance");
        Response code = call("POST", "/api/v1/gamification/referral/generate-code", admin, "{\"tenant_id\":\"" + tenant + "\",\"referrer_user_id\":\"u-1\"}");
        call("POST", "/referral/generate-code", admin, "{\"tenant_id\":\"" + tenant + "\",\"program_type\":\"standard\",\"custom_rewards\":null,\"expiry_days\":365}");
        call("POST", "/api/v1/gamification/referrals/generate", admin, "{\"tenant_id\":\"" + tenant + "\"}");
        String c = code.json().get("referral_code").asText();
        call("POST", "/api/v1/gamification/referral/track-conversion", ingest, "{\"tenant_id\":\"" + tenant + "\",\"referral_code\":\"" + c
                + "\",\"referee_user_id\":\"new-1\",\"conversion_type\":\"purchase\",\"conversion_value\":50,\"order_id\":\"o-1\"}");
        call("POST", "/referral/track-conversion?referral_code=" + c, ingest,
                "{\"tenant_id\":\"" + tenant + "\",\"user_id\":\"new-2\",\"conversion_type\":\"signup\",\"conversion_value\":0,\"time_to_convert\":900}");
        call("GET", "/api/v1/referrals/{tenant_id}/codes/{code}", admin, null, tenant, c);
        call("GET", "/api/v1/referrals/{tenant_id}/programs", admin, null, tenant);
        call("GET", "/api/v1/referrals/{tenant_id}/conversions", admin, null, tenant);
        call("GET", "/api/v1/referrals/{tenant_id}/review-queue", admin, null, tenant);
        call("GET", "/api/v1/referrals/{tenant_id}/rewards", admin, null, tenant);
        call("POST", "/api/v1/gamification/portfolio/generate", admin, "{\"tenant_id\":\"" + tenant + "\"}");
        call("POST", "/portfolio/generate", admin, "{\"tenant_id\":\"" + tenant
                + "\",\"platform\":\"bizoholic\",\"showcase_type\":\"comprehensive\",\"include_testimonials\":true,\"seo_optimize\":true}");
        call("GET", "/api/v1/showcases/{tenant_id}/portfolios", admin, null, tenant);
        call("GET", "/api/v1/gamification/analytics/{tenant_id}?time_period=7d", analyst, null, tenant);
        call("GET", "/analytics/gamification/{tenant_id}?time_period=30d&metrics=all", analyst, null, tenant);

        // operations and errors (problem+json)
        call("GET", "/health", null, null);
        call("GET", "/ready", null, null);
        call("GET", "/api/v1/tenants/{tenant_id}", null, null, tenant);
        call("GET", "/api/v1/tenants/{tenant_id}/api-keys", ingest, null, tenant);
        call("POST", "/api/v1/facts", ingest, "{\"id\":\"\",\"tenant_id\":\"" + tenant + "\",\"type\":\"X\"}");
        call("GET", "/api/v1/tenants/{tenant_id}/decisions/{fact_id}", admin, null, tenant, "nope");
        call("GET", "/leaderboards?time_period=fortnightly", admin, null);

        assertThat(problems).isEmpty();
        assertThat(checked).hasSizeGreaterThanOrEqualTo(40);
        assertThat(checked.stream().filter(s -> s.endsWith(" 401") || s.endsWith(" 403") || s.endsWith(" 404") || s.endsWith(" 422"))).hasSizeGreaterThanOrEqualTo(5);

        // every event the session wrote is a documented webhook, and its body validates against the entry
        JsonNode events = app.get("/api/v1/tenants/" + tenant + "/events?limit=1000", analyst).json().get("events");
        Set<String> types = new HashSet<>();
        for (JsonNode e : events) {
            String type = e.get("type").asText();
            types.add(type);
            assertThat(contract.tree.get("webhooks").has(type)).as("event type " + type + " has a webhooks entry").isTrue();
            String body = contract.resolve(contract.resolve("/webhooks/" + OpenApiContract.escape(type)) + "/post/requestBody")
                    + "/content/application~1json/schema";
            problems.addAll(contract.checkAgainst(body, e.toString()));
        }
        assertThat(types).contains("achievement.unlocked", "achievement.progressed", "leaderboard.rank_changed", "referral.converted");
        assertThat(problems).isEmpty();
    }

    @Test
    void shouldCatchABodyThatBreaksTheSeedsModel() {
        // The checker itself can fail: a leaderboard answer without next_update, a progress item without next_milestone.
        Response broken = new Response(200, java.util.Map.of("content-type", List.of("application/json")),
                "{\"leaderboard_data\":[],\"user_position\":null,\"rank_changes\":[]}", null);
        assertThat(contract.check("GET", "/leaderboards", broken)).singleElement().asString().contains("next_update");
        Response item = new Response(200, java.util.Map.of("content-type", List.of("application/json")),
                "{\"unlocked_achievements\":[],\"recommendations\":[],\"next_milestones\":[],\"progress_updates\":"
                        + "[{\"key\":\"k\",\"achievement_name\":\"K\",\"progress\":10,\"current\":1,\"target\":10}]}", null);
        assertThat(contract.check("GET", "/achievements/progress/{tenant_id}", item)).singleElement().asString().contains("next_milestone");
        Response undocumented = new Response(418, java.util.Map.of(), "", null);
        assertThat(contract.check("GET", "/health", undocumented)).singleElement().asString().contains("418");
    }
}
