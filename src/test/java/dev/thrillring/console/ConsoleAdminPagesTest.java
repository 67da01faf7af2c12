package dev.thrillring.console;

import dev.thrillring.support.TestServer;
import dev.thrillring.support.WebhookReceiver;
import dev.thrillring.webhooks.WebhookSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An admin's API keys and webhooks pages, over HTTP with forms only: a key issued is shown once and
 * works, its last use is shown, revoking it (after a confirmation) ends it; an endpoint's deliveries
 * are listed and one is sent again. Its own server: webhooks to loopback need the test setting.
 */
class ConsoleAdminPagesTest {
    static TestServer app;
    static String tenant;

    @BeforeAll
    static void setUp() {
        app = TestServer.start(TestServer.tempDir(), WebhookSettings.DEFAULTS.withAllowHttp(true));
        tenant = app.createTenant("Console keys", "coreldove");
    }

    @AfterAll
    static void tearDown() { app.close(); }

    @Test
    void shouldIssueAKeyShownOnceShowItsLastUseAndRevokeItAfterConfirming() throws Exception {
        ConsoleBrowser b = new ConsoleBrowser(app);
        String admin = app.issueKey(tenant, "tenant_admin");
        assertThat(b.signIn(admin).status()).isEqualTo(303);
        String base = "/console/tenants/" + tenant;
        ConsoleBrowser.Page keys = b.get(base + "/keys");
        assertThat(keys.status()).isEqualTo(200);
        assertThat(keys.body()).contains("Issue key", "tenant admin");

        ConsoleBrowser.Page refused = b.post(base + "/keys", Map.of("_csrf", keys.csrf(), "role", "owner"));
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body()).contains("role: must be one of tenant_admin, analyst, ingest, viewer");

        ConsoleBrowser.Page issued = b.post(base + "/keys", Map.of("_csrf", keys.csrf(), "role", "ingest"));
        assertThat(issued.status()).isEqualTo(201);
        Matcher m = Pattern.compile("id=\"issued-key\"[^>]*value=\"(trk_[^\"]+)\"").matcher(issued.body());
        assertThat(m.find()).as(issued.body()).isTrue();
        String key = m.group(1);
        assertThat(app.post("/api/v1/facts", key, "{\"id\":\"k-1\",\"tenant_id\":\"" + tenant + "\",\"type\":\"order.shipped\"}").status()).isEqualTo(200);
        ConsoleBrowser.Page after = b.get(base + "/keys");
        assertThat(after.body()).as("the secret is shown once").doesNotContain(key);
        String prefix = key.substring(0, 12);
        Matcher row = Pattern.compile("<tr>\\s*<td class=\"mono\">" + Pattern.quote(prefix) + "…</td>(.*?)</tr>", Pattern.DOTALL).matcher(after.body());
        assertThat(row.find()).as(after.body()).isTrue();
        assertThat(row.group(1)).as("last used").doesNotContain("never").contains("ingest", "active");
        Matcher revoke = Pattern.compile("href=\"(/console/tenants/[^\"]+/keys/[^\"]+/revoke)\">Revoke<span class=\"visually-hidden\"> " + Pattern.quote(prefix))
                .matcher(after.body());
        assertThat(revoke.find()).isTrue();
        String link = revoke.group(1);
        ConsoleBrowser.Page confirm = b.get(link);
        assertThat(confirm.body()).contains("Revoke the ingest key " + prefix);
        assertThat(app.post("/api/v1/facts", key, "{\"id\":\"k-2\",\"tenant_id\":\"" + tenant + "\",\"type\":\"order.shipped\"}").status())
                .as("nothing changes before the confirmation is posted").isEqualTo(200);
        ConsoleBrowser.Page done = b.post(link, Map.of("_csrf", confirm.csrf()));
        assertThat(done.status()).isEqualTo(303);
        assertThat(b.get(base + "/keys").body()).contains("revoked");
        assertThat(app.post("/api/v1/facts", key, "{\"id\":\"k-3\",\"tenant_id\":\"" + tenant + "\",\"type\":\"order.shipped\"}").status()).isEqualTo(401);
        assertThat(b.post(link, Map.of("_csrf", confirm.csrf())).status()).as("revoked twice").isEqualTo(404);
    }

    @Test
    void shouldListAnEndpointsDeliveriesAndSendOneAgain() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            String admin = app.issueKey(tenant, "tenant_admin");
            var created = app.post("/api/v1/tenants/" + tenant + "/webhooks", admin,
                    "{\"url\":\"" + receiver.url() + "\",\"event_types\":[\"achievement.*\"],\"description\":\"CRM sync\"}");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            String endpoint = created.json().path("endpoint").path("id").asText();
            String ingest = app.issueKey(tenant, "ingest");
            app.post("/api/v1/facts", ingest, "{\"id\":\"w-1\",\"tenant_id\":\"" + tenant + "\",\"user_id\":\"u-1\",\"type\":\"order.shipped\",\"attributes\":{\"value\":20}}");
            receiver.await(r -> true, 1, Duration.ofSeconds(30));

            ConsoleBrowser b = new ConsoleBrowser(app);
            assertThat(b.signIn(admin).status()).isEqualTo(303);
            String base = "/console/tenants/" + tenant;
            ConsoleBrowser.Page list = b.get(base + "/webhooks");
            assertThat(list.body()).contains(receiver.url(), "CRM sync", "achievement.*");
            ConsoleBrowser.Page deliveries = b.get(base + "/webhooks/" + endpoint + "?status=delivered");
            assertThat(deliveries.status()).isEqualTo(200);
            assertThat(deliveries.body()).contains("achievement.unlocked", "delivered");
            Matcher replay = Pattern.compile("action=\"(/console/tenants/[^\"]+/messages/([^\"/]+)/replay)\"").matcher(deliveries.body());
            assertThat(replay.find()).isTrue();
            int before = receiver.received().size();
            ConsoleBrowser.Page replayed = b.post(replay.group(1), Map.of("_csrf", deliveries.csrf()));
            assertThat(replayed.status()).isEqualTo(303);
            assertThat(b.get(replayed.location()).body()).contains("is queued to be sent again");
            receiver.await(r -> true, before + 1, Duration.ofSeconds(30));
            assertThat(b.get(base + "/webhooks/" + endpoint + "?status=bogus").status()).isEqualTo(422);
            assertThat(b.get(base + "/webhooks/" + java.util.UUID.randomUUID()).status()).isEqualTo(404);
        }
    }

    static final String BONUS = """
            package overlay;
            import dev.thrillring.engine.model.Fact;
            global dev.thrillring.engine.model.Outcomes outcomes;
            rule "Big order bonus"
            when
                Fact(type == "order.shipped", num("value") > 100)
            then
                outcomes.points(%d, "big order");
            end
            """;

    @Test
    void shouldShowASavedVersionsChangesAgainstTheActiveOne() {
        String t = app.createTenant("Console diff", "coreldove");
        String admin = app.issueKey(t, "tenant_admin");
        String base = "/api/v1/rulesets/" + t + "/versions";
        assertThat(app.upload(base, admin, Map.of("bonus.drl", TestServer.text(BONUS.formatted(500))), "v1").status()).isEqualTo(201);
        assertThat(app.upload(base, admin, Map.of("bonus.drl", TestServer.text(BONUS.formatted(900))), "v2").status()).isEqualTo(201);
        ConsoleBrowser b = new ConsoleBrowser(app);
        assertThat(b.signIn(admin).status()).isEqualTo(303);
        ConsoleBrowser.Page before = b.get("/console/tenants/" + t + "/versions/2/diff");
        assertThat(before.status()).isEqualTo(200);
        assertThat(before.body()).contains("version 1 (no version is active)");
        assertThat(app.post(base + "/1/activate", admin, "").status()).isEqualTo(200);
        ConsoleBrowser.Page diff = b.get("/console/tenants/" + t + "/versions/2/diff");
        assertThat(diff.body()).contains("Compared with the active version 1", "bonus.drl", "-    outcomes.points(500", "+    outcomes.points(900");
        assertThat(b.get("/console/tenants/" + t + "/versions").body()).contains("/versions/2/diff");
        assertThat(b.get("/console/tenants/" + t + "/versions/9/diff").status()).isEqualTo(404);
    }

    @Test
    void shouldShowEachChangedCellOfATable() throws Exception {
        var json = dev.thrillring.web.Json.mapper().readTree("""
                {"from":1,"to":2,"files":[{"path":"fact-points.drl.csv","change":"changed","diff":"-a\\n+b"}],
                 "tables":{"tables":[{"table":"Fact points","kind":"changed","rows_before":5,"rows_after":6,"rows":[
                   {"key":"order.shipped","change":"changed","cells":[{"column":"Points","before":"10","after":"12"}]},
                   {"key":"gift.sent","change":"added","cells":[]}]}],"warnings":[]}}""");
        ConsoleViews.Diff d = ConsoleDiffRoutes.view(2, 1, "the active version 1", json);
        assertThat(d.tables()).singleElement().satisfies(tc -> {
            assertThat(tc.rowsBefore()).isEqualTo(5);
            assertThat(tc.rows().getFirst().cells()).containsExactly(new ConsoleViews.CellChange("Points", "10", "12"));
            assertThat(tc.rows().get(1).change()).isEqualTo("added");
        });
        assertThat(d.files().getFirst().diff()).isEqualTo("-a\n+b");
    }
}
