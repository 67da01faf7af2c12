package dev.thrillring.client;

import dev.thrillring.client.api.AchievementsApi;
import dev.thrillring.client.api.BadgesApi;
import dev.thrillring.client.api.FactsApi;
import dev.thrillring.client.api.LeaderboardsApi;
import dev.thrillring.client.api.PlatformsApi;
import dev.thrillring.client.api.RulesetsApi;
import dev.thrillring.client.api.ShowcasesApi;
import dev.thrillring.client.api.TenantsApi;
import dev.thrillring.client.model.AchievementProgressResponse;
import dev.thrillring.client.model.ApiKeyIssued;
import dev.thrillring.client.model.ClaimBadgeRequest;
import dev.thrillring.client.model.Decision;
import dev.thrillring.client.model.DryRunPlatformRuleSetRequest;
import dev.thrillring.client.model.Fact;
import dev.thrillring.client.model.IssueTenantKeyRequest;
import dev.thrillring.client.model.LeaderboardResponse;
import dev.thrillring.client.model.PlatformName;
import dev.thrillring.client.model.PortfolioShowcaseRequest;
import dev.thrillring.client.model.PortfolioShowcaseResponse;
import dev.thrillring.client.model.PostFactsRequest;
import dev.thrillring.client.model.Tenant;
import dev.thrillring.client.model.TenantRequest;
import dev.thrillring.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's curl session, run by a Java client that openapi-generator generated from the
 * served document at build time ({@code ./mvnw -Pclient test -Dtest=GeneratedClientTest}).
 * Nothing here is written by hand but the calls: if the document and the server disagree on a
 * path, a parameter or a body, a call fails or a model does not bind.
 */
class GeneratedClientTest {
    static TestServer app;
    static ApiClient client;

    @BeforeAll
    static void start() {
        app = TestServer.start(TestServer.tempDir());
        client = new ApiClient().setScheme("http").setHost("127.0.0.1").setPort(app.server.port()).setBasePath("");
        // Strict binding: a field the server sends that the document does not list fails the call.
        // It is also what tells a single decision from a batch result (the generated oneOf tries both).
        client.setObjectMapper(ApiClient.createDefaultObjectMapper()
                .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true));
    }

    @AfterAll
    static void stop() { app.close(); }

    static Map<String, String> bearer(String key) { return Map.of("Authorization", "Bearer " + key); }

    @Test
    void shouldRunTheReadmeSessionThroughTheGeneratedClient() throws Exception {
        var admin = bearer(TestServer.ADMIN_KEY);
        TenantsApi tenants = new TenantsApi(client);
        FactsApi facts = new FactsApi(client);
        RulesetsApi rulesets = new RulesetsApi(client);

        // 1-2: a tenant and its ingest key
        Tenant tenant = tenants.createTenant(new TenantRequest().name("Acme Ads").platform(PlatformName.BIZOHOLIC).industry("marketing"), admin);
        UUID t = tenant.getTenantId();
        ApiKeyIssued ingest = tenants.issueTenantKey(t, new IssueTenantKeyRequest().role(IssueTenantKeyRequest.RoleEnum.INGEST), admin);
        var key = bearer(ingest.getApiKey());

        // 3-4: a fact, its decision, and u-1's achievements
        Decision d = facts.postFacts(new PostFactsRequest(new Fact().id("evt-1").tenantId(t).userId("u-1").type("campaign.launched")
                .attributes(Map.of("channel", "search"))), key).getDecision();
        assertThat(d.getStatus()).isEqualTo(Decision.StatusEnum.DECIDED);
        assertThat(d.getFiredRules()).contains("Campaign launches count");
        assertThat(facts.getDecision(t, "evt-1", key).getFactId()).isEqualTo("evt-1");
        AchievementProgressResponse progress = new AchievementsApi(client).achievementProgress(t, "u-1", null, null, admin);
        assertThat(progress.getUnlockedAchievements()).extracting(a -> a.getKey()).contains("first-campaign");

        // 5: the tenant's own rule on top of the platform's, activated, and firing
        Path drl = Files.createTempDirectory("client").resolve("bonus.drl");
        Files.writeString(drl, """
                package overlay;
                import dev.thrillring.engine.model.Fact;
                global dev.thrillring.engine.model.Outcomes outcomes;
                rule "Search campaigns earn a bonus"
                when
                    Fact(type == "campaign.launched", text("channel") == "search")
                then
                    outcomes.points(25, "search launch bonus");
                end
                """);
        rulesets.uploadRuleSet(t, List.of(drl.toFile()), "launch bonus", List.of(), admin);
        rulesets.activateRuleSet(t, 1, admin);
        Decision d2 = facts.postFacts(new PostFactsRequest(new Fact().id("evt-2").tenantId(t).type("campaign.launched")
                .attributes(Map.of("channel", "search"))), key).getDecision();
        assertThat(d2.getFiredRules()).contains("Search campaigns earn a bonus");
        assertThat(d2.getRuleSetVersion()).endsWith("+v1");

        // 6-7: a platform admin key, the base points table edited, tried on the tenant and activated
        PlatformsApi platforms = new PlatformsApi(client);
        @SuppressWarnings("unchecked")
        String padminKey = (String) ((Map<String, Object>) platforms.issuePlatformKey(PlatformName.BIZOHOLIC, admin)).get("api_key");
        var padmin = bearer(padminKey);
        assertThat(rulesets.platformRuleSet(PlatformName.BIZOHOLIC, padmin)).isNotNull();
        File table = rulesets.platformRuleSetFile(PlatformName.BIZOHOLIC, "decision-tables/bizoholic/fact-points.drl.csv", padmin);
        Path edited = Files.createTempDirectory("client").resolve("fact-points.drl.csv");
        Files.writeString(edited, Files.readString(table.toPath()).replaceAll("(?m)^campaign.launched,50", "campaign.launched,80"));
        rulesets.uploadPlatformRuleSet(PlatformName.BIZOHOLIC, List.of(edited.toFile()), "launches earn more", List.of(), padmin);
        @SuppressWarnings("unchecked")
        Map<String, Object> dry = (Map<String, Object>) rulesets.dryRunPlatformRuleSet(PlatformName.BIZOHOLIC, new DryRunPlatformRuleSetRequest()
                .tenantId(t).version(1).facts(List.of(Map.of("type", "campaign.launched", "user_id", "u-1"))), padmin);
        assertThat(dry.toString()).contains("amount=80");
        rulesets.activatePlatformRuleSet(PlatformName.BIZOHOLIC, 1, padmin);

        // 8: the public board, no key
        LeaderboardResponse board = new LeaderboardsApi(client).publicLeaderboard(PlatformName.BIZOHOLIC, "performance", null, null, null);
        assertThat(board.getLeaderboardData()).isNotEmpty();
        assertThat(board.getNextUpdate()).isNotNull();

        // 9: a showcase and a badge for u-1's first campaign
        PortfolioShowcaseResponse showcase = new ShowcasesApi(client).generatePortfolio(new PortfolioShowcaseRequest().tenantId(t), admin);
        assertThat(showcase.getShowcaseUrl()).hasPath("/s/bizoholic/acme-ads");
        assertThat(showcase.getFeaturedMetrics()).isNotEmpty();
        @SuppressWarnings("unchecked")
        Map<String, Object> badge = (Map<String, Object>) new BadgesApi(client).claimBadge(t,
                new ClaimBadgeRequest().userId("u-1").achievement("first-campaign").email("ann@example.com"), key);
        assertThat(badge).isNotEmpty();
    }
}
