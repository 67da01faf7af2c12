package dev.thrillring.contract;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.thrillring.auth.JwtVerifier;
import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client written from the seed's Pydantic models and routes alone (section 1.3 and the gateway
 * routes of 4.1), run against every seed route on every platform, under the gateway prefix and at
 * the seed's unprefixed paths. Response records mirror the models: a missing or null required
 * field, or a value of the wrong type, fails to bind (extra fields are ignored, as Pydantic does).
 */
class SeedClientTest {
    static final String SECRET = "seed-client-secret-of-at-least-32-bytes!";
    static final List<String> PLATFORMS = List.of("bizoholic", "coreldove", "bizosaas");
    static final ObjectMapper SEED = new ObjectMapper().registerModule(new JavaTimeModule())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES, true)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            .configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false);
    static TestServer app;

    // ---- the seed's models ----
    record ReferralCodeResponse(String referralCode, String shareUrl, Map<String, Object> potentialRewards, Map<String, Object> trackingMetrics) {
        ReferralCodeResponse { Objects.requireNonNull(referralCode); Objects.requireNonNull(shareUrl); Objects.requireNonNull(potentialRewards); Objects.requireNonNull(trackingMetrics); }
    }
    record AchievementProgressResponse(List<Map<String, Object>> unlockedAchievements, List<Map<String, Object>> progressUpdates,
                                       List<Map<String, Object>> recommendations, List<Map<String, Object>> nextMilestones) {
        AchievementProgressResponse { Objects.requireNonNull(unlockedAchievements); Objects.requireNonNull(progressUpdates); Objects.requireNonNull(recommendations); Objects.requireNonNull(nextMilestones); }
    }
    record LeaderboardResponse(List<Map<String, Object>> leaderboardData, Map<String, Object> userPosition,
                               List<Map<String, Object>> rankChanges, OffsetDateTime nextUpdate) {
        LeaderboardResponse { Objects.requireNonNull(leaderboardData); Objects.requireNonNull(rankChanges); Objects.requireNonNull(nextUpdate, "next_update"); }
    }

    record PortfolioShowcaseResponse(String portfolioId, String showcaseUrl, List<Map<String, Object>> featuredMetrics,
                                     List<Map<String, Object>> caseStudies, List<Map<String, Object>> socialTemplates) {
        PortfolioShowcaseResponse { Objects.requireNonNull(portfolioId); Objects.requireNonNull(showcaseUrl); Objects.requireNonNull(featuredMetrics);
            Objects.requireNonNull(caseStudies); Objects.requireNonNull(socialTemplates); }
    }
    /**
     * The seed's track-conversion answer has no model; its dict is {@code {"status": "processing", "message": ...}}.
     * Both keys are required here (the status is the conversion's, decided at once, not "processing").
     */
    record TrackConversionResponse(String status, String message) {
        TrackConversionResponse { Objects.requireNonNull(status, "status"); Objects.requireNonNull(message, "message"); }
    }
    /** The seed's analytics answer has no model; its three groups, as the seed's hard-coded dict has them. */
    record GamificationAnalytics(Map<String, Object> engagementMetrics, Map<String, Object> performanceImpact, List<Object> recommendations) {
        GamificationAnalytics { Objects.requireNonNull(engagementMetrics); Objects.requireNonNull(performanceImpact); Objects.requireNonNull(recommendations); }
    }

    static <T> T seed(Response r, Class<T> model) throws Exception {
        assertThat(r.status()).as(r.body()).isBetween(200, 201);
        return SEED.readValue(r.body(), model);
    }

    record Platform(String name, String tenant, String admin, String ingest, String viewerJwt, String adminJwt) {}
    static final List<Platform> platforms = new ArrayList<>();

    // ---- the conformance table: every seed-shaped call, by route and platform ----
    /** The seed's routes (section 1.3 at the gateway prefix and unprefixed, and the gateway routes of 4.1), in the table's order. */
    static final List<String> SEED_ROUTES = List.of(
            "POST /referral/generate-code", "POST /api/v1/gamification/referral/generate-code", "POST /api/v1/gamification/referrals/generate",
            "POST /referral/track-conversion", "POST /api/v1/gamification/referral/track-conversion",
            "GET /achievements/progress/{tenant_id}", "GET /api/v1/gamification/achievements/progress/{tenant_id}",
            "GET /api/v1/gamification/achievements/{tenant_id}",
            "POST /achievements/custom", "POST /api/v1/gamification/achievements/custom",
            "GET /leaderboards", "GET /api/v1/gamification/leaderboards",
            "POST /portfolio/generate", "POST /api/v1/gamification/portfolio/generate",
            "GET /analytics/gamification/{tenant_id}", "GET /api/v1/gamification/analytics/gamification/{tenant_id}",
            "GET /api/v1/gamification/analytics/{tenant_id}");
    /** route -> platform -> the statuses its seed-shaped calls answered (each call's body was also bound to the seed's model). */
    static final Map<String, Map<String, java.util.SortedSet<Integer>>> CONFORMANCE = new java.util.concurrent.ConcurrentHashMap<>();

    /** A seed-shaped call: sent, and its status recorded under its route template and platform. */
    static Response call(Platform p, String method, String template, String key, String body) {
        String path = template.replace("{tenant_id}", p.tenant());
        Response r = method.equals("GET") ? app.get(path, key) : app.post(path, key, body);
        String route = method + " " + (template.contains("?") ? template.substring(0, template.indexOf('?')) : template);
        assertThat(SEED_ROUTES).as("a seed route").contains(route);
        CONFORMANCE.computeIfAbsent(route, k -> new java.util.concurrent.ConcurrentHashMap<>())
                .computeIfAbsent(p.name(), k -> new java.util.concurrent.ConcurrentSkipListSet<>()).add(r.status());
        return r;
    }

    /** The table as markdown: a row per seed route, a column per platform, the statuses its seed-shaped calls answered. */
    static String conformanceTable() {
        StringBuilder md = new StringBuilder("| seed route | " + String.join(" | ", PLATFORMS) + " |\n|---|" + "---|".repeat(PLATFORMS.size()) + "\n");
        for (String route : SEED_ROUTES) {
            md.append("| `").append(route).append("` |");
            for (String platform : PLATFORMS) {
                var statuses = CONFORMANCE.getOrDefault(route, Map.of()).get(platform);
                md.append(' ').append(statuses == null ? "not called" : statuses.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))).append(" |");
            }
            md.append('\n');
        }
        return md.toString();
    }

    @BeforeAll
    static void start() throws Exception {
        app = TestServer.start(TestServer.tempDir(), c -> c.withJwt(new JwtVerifier.Settings(Optional.of(SECRET), Optional.empty(),
                Optional.empty(), "https://id.example", "thrillring", "tenant_id", "roles", "platform")));
        for (String p : PLATFORMS) {
            String t = app.createTenant("Seed client on " + p, p);
            String admin = app.issueKey(t, "tenant_admin");
            String drl = "package overlay;\nimport dev.thrillring.engine.model.Fact;\nglobal dev.thrillring.engine.model.Outcomes outcomes;\n"
                    + "rule \"Points score\" when $f : Fact(type == \"points.earned\") then outcomes.score(\"performance\", $f.num(\"points\")); "
                    + "outcomes.score(\"growth\", $f.num(\"points\")); outcomes.score(\"engagement\", 1); end\n";
            assertThat(app.upload("/api/v1/rulesets/" + t + "/versions", admin, Map.of("s.drl", TestServer.text(drl)), null).status()).isEqualTo(201);
            assertThat(app.post("/api/v1/rulesets/" + t + "/versions/1/activate", admin, "").status()).isEqualTo(200);
            String ingest = app.issueKey(t, "ingest");
            int i = 0;
            for (String user : List.of("user-1", "user-2")) {
                Response f = app.post("/api/v1/facts", ingest, "{\"id\":\"s-" + (i++) + "\",\"tenant_id\":\"" + t + "\",\"user_id\":\"" + user
                        + "\",\"type\":\"points.earned\",\"attributes\":{\"points\":" + (user.equals("user-1") ? 7 : 9) + "}}");
                assertThat(f.status()).as(f.body()).isEqualTo(200);
            }
            platforms.add(new Platform(p, t, admin, ingest, jwt(t, "viewer", "user-1"), jwt(t, "tenant_admin", "user-1")));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        app.close();
        if (CONFORMANCE.isEmpty()) return; // a single test method was run: no table
        String table = conformanceTable();
        java.nio.file.Files.createDirectories(java.nio.file.Path.of("target"));
        java.nio.file.Files.writeString(java.nio.file.Path.of("target", "seed-conformance.md"), table);
        if (CONFORMANCE.keySet().containsAll(SEED_ROUTES)) {
            // The whole class ran: every seed route was called on every platform and answered 2xx.
            assertThat(table).as(table).doesNotContain("not called");
            for (String route : SEED_ROUTES) {
                for (String platform : PLATFORMS) assertThat(CONFORMANCE.get(route).get(platform)).as(route + " on " + platform).allMatch(s -> s >= 200 && s < 300);
            }
        }
    }

    static String jwt(String tenant, String role, String sub) throws Exception {
        var claims = new JWTClaimsSet.Builder().subject(sub).issuer("https://id.example").audience("thrillring")
                .expirationTime(Date.from(Instant.now().plusSeconds(600))).claim("tenant_id", tenant).claim("roles", List.of(role)).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    @Test
    void shouldAnswerTheSeedsDefaultLeaderboardCallWithTheTokensUserOnEveryPlatformAndPath() throws Exception {
        for (Platform p : platforms) {
            for (String path : List.of("/api/v1/gamification/leaderboards", "/leaderboards")) {
                // LeaderboardRequest's defaults, sent explicitly and left out.
                for (String q : List.of("?platform=" + p.name() + "&leaderboard_type=performance&time_period=monthly&limit=50", "")) {
                    LeaderboardResponse r = seed(call(p, "GET", path + q, p.viewerJwt(), null), LeaderboardResponse.class);
                    assertThat(r.leaderboardData()).as(p.name() + path + q).hasSize(2);
                    assertThat(r.userPosition()).as("the token's sub is the subject").isNotNull();
                    assertThat(((Number) r.userPosition().get("rank")).intValue()).isEqualTo(2);
                    assertThat(((Number) r.userPosition().get("score")).doubleValue()).isEqualTo(7.0);
                    assertThat(r.nextUpdate()).isAfter(OffsetDateTime.now().minusSeconds(1));
                }
            }
        }
    }

    @Test
    void shouldReadEveryBoardTypeInEveryPeriod() throws Exception {
        for (Platform p : platforms) {
            for (String type : List.of("performance", "growth", "engagement", "industry", "all-time")) {
                for (String period : List.of("daily", "weekly", "monthly", "all_time")) {
                    String q = "?platform=" + p.name() + "&leaderboard_type=" + type + "&time_period=" + period + "&industry=retail";
                    Response res = call(p, "GET", "/api/v1/gamification/leaderboards" + q, p.viewerJwt(), null);
                    LeaderboardResponse r = seed(res, LeaderboardResponse.class);
                    assertThat(r.nextUpdate()).as(q).isNotNull();
                    if (!type.equals("industry")) {
                        // Every score is kept in every period bucket: both users are on every board today.
                        assertThat(r.leaderboardData()).as(q + " " + res.body()).hasSize(2);
                    }
                }
            }
        }
    }

    @Test
    void shouldLetOnlyRolesThatReadOthersNameAnotherUser() throws Exception {
        Platform p = platforms.getFirst();
        assertThat(app.get("/leaderboards?user_id=user-2", p.viewerJwt()).status()).isEqualTo(403);
        LeaderboardResponse other = seed(app.get("/leaderboards?user_id=user-2", p.adminJwt()), LeaderboardResponse.class);
        assertThat(((Number) other.userPosition().get("score")).doubleValue()).isEqualTo(9.0);
    }

    @Test
    void shouldGenerateACodeAndTrackAConversionInTheSeedsShapes() throws Exception {
        for (Platform p : platforms) {
            for (String path : List.of("/api/v1/gamification/referral/generate-code", "/referral/generate-code", "/api/v1/gamification/referrals/generate")) {
                ReferralCodeResponse code = seed(call(p, "POST", path, p.adminJwt(),
                        "{\"tenant_id\":\"" + p.tenant() + "\",\"program_type\":\"standard\",\"custom_rewards\":null,\"expiry_days\":365}"),
                        ReferralCodeResponse.class);
                assertThat(code.referralCode()).isNotBlank();
                // ReferralCodeRequest with only its required field.
                assertThat(seed(call(p, "POST", path, p.adminJwt(), "{\"tenant_id\":\"" + p.tenant() + "\"}"), ReferralCodeResponse.class).shareUrl()).isNotBlank();
            }
            String code = SEED.readTree(app.post("/referral/generate-code", p.adminJwt(), "{\"tenant_id\":\"" + p.tenant() + "\"}").body())
                    .get("referral_code").asText();
            // referral_code as a query parameter, conversion_data as the body (FastAPI's reading of the seed's signature).
            int n = 0;
            for (String path : List.of("/referral/track-conversion", "/api/v1/gamification/referral/track-conversion")) {
                // referral_code as a query parameter, conversion_data as the body (FastAPI's reading of the seed's signature).
                Response q = call(p, "POST", path + "?referral_code=" + code, p.ingest(),
                        "{\"tenant_id\":\"" + p.tenant() + "\",\"user_id\":\"new-" + (n++) + "\",\"conversion_type\":\"signup\",\"conversion_value\":0,\"time_to_convert\":900}");
                assertThat(seed(q, TrackConversionResponse.class).status()).isNotBlank();
                // Both in the body.
                Response b = call(p, "POST", path, p.ingest(),
                        "{\"referral_code\":\"" + code + "\",\"conversion_data\":{\"user_id\":\"new-" + (n++) + "\",\"conversion_type\":\"purchase\",\"conversion_value\":12.5}}");
                assertThat(seed(b, TrackConversionResponse.class).status()).isNotBlank();
            }
            Response bad = app.post("/referral/track-conversion?referral_code=" + code, p.ingest(), "{\"colour\":\"red\"}");
            assertThat(bad.status()).isEqualTo(422);
            assertThat(bad.json().get("errors").get(0).get("field").asText()).isEqualTo("conversion_data.colour");
        }
    }

    @Test
    void shouldCreateACustomAchievementFromTheSeedsColumnsAndReportProgressWithNextMilestones() throws Exception {
        for (Platform p : platforms) {
            for (String path : List.of("/achievements/custom", "/api/v1/gamification/achievements/custom")) {
                String name = path.startsWith("/api") ? "Gateway Collector " : "Point Collector ";
                Response created = call(p, "POST", path, p.admin(), "{\"tenant_id\":\"" + p.tenant() + "\",\"achievement_name\":\"" + name
                        + p.name() + "\",\"description\":\"Collect 100 points\",\"achievement_type\":\"milestone\",\"trigger_conditions\":"
                        + "{\"metric\":\"points\",\"threshold\":100,\"period\":\"all_time\",\"prerequisites\":[]},\"reward_config\":{\"points\":50},"
                        + "\"difficulty_level\":2,\"is_repeatable\":false,\"icon_url\":\"https://cdn.example/p.png\"}");
                assertThat(created.status()).as(created.body()).isEqualTo(201);
                // The seed returns the agent's result dict as is (no model): a JSON object.
                assertThat(SEED.readValue(created.body(), Map.class)).isNotEmpty();
                assertThat(created.json().get("key").asText()).isEqualTo(name.strip().toLowerCase().replace(' ', '-') + "-" + p.name());
            }
            for (String path : List.of("/api/v1/gamification/achievements/progress/{tenant_id}", "/achievements/progress/{tenant_id}",
                    "/api/v1/gamification/achievements/{tenant_id}")) {
                // AchievementProgressRequest's default platform sent for the tenant's own platform, and left out.
                for (String q : List.of("?platform=" + p.name(), "")) {
                    AchievementProgressResponse r = seed(call(p, "GET", path + q, p.viewerJwt(), null), AchievementProgressResponse.class);
                    for (Map<String, Object> item : r.progressUpdates()) assertThat(item).containsKey("next_milestone");
                }
            }
            Response unknown = app.post("/achievements/custom", p.admin(), "{\"tenant_id\":\"" + p.tenant() + "\",\"achievement_name\":\"X y\","
                    + "\"trigger_conditions\":{\"metric\":\"points\",\"threshold\":1,\"window\":3}}");
            assertThat(unknown.status()).isEqualTo(422);
            assertThat(unknown.json().get("errors").get(0).get("field").asText()).isEqualTo("trigger_conditions.window");
        }
    }

    @Test
    void shouldGenerateAPortfolioInTheSeedsShapeOnEveryPlatformAndPath() throws Exception {
        for (Platform p : platforms) {
            for (String path : List.of("/api/v1/gamification/portfolio/generate", "/portfolio/generate")) {
                // PortfolioShowcaseRequest with its defaults sent explicitly (the tenant's platform), and with only tenant_id.
                for (String body : List.of("{\"tenant_id\":\"" + p.tenant() + "\",\"platform\":\"" + p.name()
                        + "\",\"showcase_type\":\"comprehensive\",\"include_testimonials\":true,\"seo_optimize\":true}", "{\"tenant_id\":\"" + p.tenant() + "\"}")) {
                    PortfolioShowcaseResponse r = seed(call(p, "POST", path, p.adminJwt(), body), PortfolioShowcaseResponse.class);
                    assertThat(r.showcaseUrl()).as(p.name() + path).contains("/s/" + p.name() + "/");
                    assertThat(r.featuredMetrics()).as("verified metrics from the decided facts").isNotEmpty();
                }
            }
        }
    }

    @Test
    void shouldAnswerTheSeedsAnalyticsCallWithTheSeedsGroupsOnEveryPlatformAndPath() throws Exception {
        for (Platform p : platforms) {
            for (String path : List.of("/analytics/gamification/{tenant_id}", "/api/v1/gamification/analytics/gamification/{tenant_id}",
                    "/api/v1/gamification/analytics/{tenant_id}")) {
                // the seed's defaults: time_period=30d, metrics=all; sent and left out
                for (String q : List.of("?time_period=30d&metrics=all", "")) {
                    GamificationAnalytics r = seed(call(p, "GET", path + q, p.adminJwt(), null), GamificationAnalytics.class);
                    @SuppressWarnings("unchecked")
                    Map<String, Object> active = (Map<String, Object>) r.engagementMetrics().get("active_users");
                    assertThat(((Number) active.get("value")).intValue()).as(p.name() + path + q).isEqualTo(2);
                    assertThat(r.engagementMetrics()).containsKeys("achievement_unlock_rate", "referral_conversion_rate",
                            "leaderboard_participation", "portfolio_creation_rate");
                }
            }
        }
    }

    @Test
    void shouldFailTheSeedModelWhenNextUpdateIsMissing() {
        // The strict model is itself tested: a body without next_update does not bind.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SEED.readValue(
                "{\"leaderboard_data\":[],\"user_position\":null,\"rank_changes\":[]}", LeaderboardResponse.class)).isInstanceOf(Exception.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SEED.readValue(
                "{\"leaderboard_data\":[],\"user_position\":null,\"rank_changes\":[],\"next_update\":null}", LeaderboardResponse.class)).isInstanceOf(Exception.class);
    }

}
