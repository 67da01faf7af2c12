package dev.thrillring.openapi;

import dev.thrillring.app.Server;
import dev.thrillring.support.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The document and the server's own route table agree both ways: a route registered in Javalin
 * without an entry, or an entry without a route, fails here.
 */
class OpenApiCoverageTest {
    static TestServer app;
    static OpenApiContract contract;

    @BeforeAll
    static void setUp() throws Exception {
        app = TestServer.shared();
        contract = OpenApiContract.served(app);
    }

    static Set<String> registered(List<Server.Route> routes) {
        Set<String> out = new TreeSet<>();
        routes.forEach(r -> out.add(r.method() + " " + r.path()));
        return out;
    }

    /** What one side has and the other lacks, each line saying which. */
    static List<String> differences(Set<String> routes, Set<String> documented) {
        List<String> out = new ArrayList<>();
        routes.stream().filter(r -> !documented.contains(r)).forEach(r -> out.add("registered but not in openapi/thrillring.yaml: " + r));
        documented.stream().filter(d -> !routes.contains(d)).forEach(d -> out.add("documented but not registered: " + d));
        return out;
    }

    @Test
    void shouldParseAsOpenApi31WithoutMessages() {
        assertThat(contract.parsed.getMessages()).isEmpty();
        assertThat(contract.api().getOpenapi()).isEqualTo("3.1.0");
        assertThat(contract.api().getComponents().getSecuritySchemes()).containsOnlyKeys("apiKey", "jwt", "consoleSession");
        assertThat(contract.tree.at("/components/x-responses").isMissingNode()).as("shorthands are expanded before serving").isTrue();
        assertThat(contract.text).doesNotContain("#/components/x-");
    }

    @Test
    void shouldDocumentEveryRegisteredRouteAndNothingElse() {
        Set<String> routes = registered(app.server.routes());
        assertThat(routes).hasSizeGreaterThan(90);
        assertThat(differences(routes, contract.operations())).isEmpty();
    }

    @Test
    void shouldReportARouteAddedWithoutAnEntryAndAnEntryWithoutARoute() {
        Set<String> routes = registered(app.server.routes());
        Set<String> withNewRoute = new TreeSet<>(routes);
        withNewRoute.add("GET /api/v1/gamification/undocumented");
        assertThat(differences(withNewRoute, contract.operations()))
                .containsExactly("registered but not in openapi/thrillring.yaml: GET /api/v1/gamification/undocumented");
        Set<String> withoutOne = new TreeSet<>(routes);
        withoutOne.remove("POST /portfolio/generate");
        assertThat(differences(withoutOne, contract.operations())).containsExactly("documented but not registered: POST /portfolio/generate");
    }

    @Test
    void shouldDescribeTheSeedsModelsWithTheSeedsFieldNames() {
        var schemas = contract.api().getComponents().getSchemas();
        assertThat(schemas.get("ReferralCodeRequest").getProperties()).containsKeys("tenant_id", "program_type", "custom_rewards", "expiry_days");
        assertThat(schemas.get("ReferralCodeResponse").getRequired()).containsExactlyInAnyOrder("referral_code", "share_url", "potential_rewards", "tracking_metrics");
        assertThat(schemas.get("AchievementProgressRequest").getProperties()).containsKeys("tenant_id", "platform", "force_refresh");
        assertThat(schemas.get("AchievementProgressResponse").getRequired())
                .containsExactlyInAnyOrder("unlocked_achievements", "progress_updates", "recommendations", "next_milestones");
        assertThat(schemas.get("LeaderboardRequest").getProperties()).containsKeys("platform", "leaderboard_type", "time_period", "limit");
        assertThat(schemas.get("LeaderboardResponse").getRequired()).containsExactlyInAnyOrder("leaderboard_data", "user_position", "rank_changes", "next_update");
        assertThat(schemas.get("PortfolioShowcaseRequest").getProperties()).containsKeys("tenant_id", "platform", "showcase_type", "include_testimonials", "seo_optimize");
        assertThat(schemas.get("PortfolioShowcaseResponse").getRequired())
                .containsExactlyInAnyOrder("portfolio_id", "showcase_url", "featured_metrics", "case_studies", "social_templates");
    }

    @Test
    void shouldServeTheSameDocumentAsYamlAndSwaggerUiFromTheWebJar() throws Exception {
        TestServer.Response yaml = app.get("/openapi.yaml", null);
        assertThat(yaml.status()).isEqualTo(200);
        assertThat(yaml.header("content-type")).startsWith("application/yaml");
        var fromYaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(yaml.body());
        assertThat(fromYaml).isEqualTo(contract.tree);
        TestServer.Response page = app.get("/docs", null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("/docs/swagger-ui-bundle.js", "url: \"/openapi.json\"").doesNotContain("https://");
        TestServer.Response bundle = app.get("/docs/swagger-ui-bundle.js", null);
        assertThat(bundle.status()).isEqualTo(200);
        assertThat(bundle.body()).contains("SwaggerUIBundle");
        assertThat(app.get("/docs/index.html", null).status()).as("only the files the page loads").isEqualTo(404);
    }
}
