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
 * An admin's API keys, webhooks and achievements pages, over HTTP with forms only: a key issued is
 * shown once and works, its last use is shown, revoking it (after a confirmation) ends it; an
 * endpoint is registered (its secret once, and it signs), changed, paused, tested, rotated and
 * deleted, refused fields carry the API's message, its deliveries are listed and one is sent again;
 * a user's progress on every achievement is the API's. Its own server: webhooks to loopback need
 * the test setting.
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
            // The fact also progresses achievements: wait for the unlock itself, then for its outcome on record.
            receiver.await(r -> r.body().contains("achievement.unlocked"), 1, Duration.ofSeconds(30));

            ConsoleBrowser b = new ConsoleBrowser(app);
            assertThat(b.signIn(admin).status()).isEqualTo(303);
            String base = "/console/tenants/" + tenant;
            ConsoleBrowser.Page list = b.get(base + "/webhooks");
            assertThat(list.body()).contains(receiver.url(), "CRM sync", "achievement.*");
            ConsoleBrowser.Page deliveries = b.get(base + "/webhooks/" + endpoint + "?status=delivered");
            for (long until = System.nanoTime() + 30_000_000_000L; !deliveries.body().contains("achievement.unlocked") && System.nanoTime() < until; ) {
                Thread.sleep(200);
                deliveries = b.get(base + "/webhooks/" + endpoint + "?status=delivered");
            }
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

    /** As jte writes text into a page. */
    static String html(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&#34;").replace("'", "&#39;");
    }

    static String fieldMessage(ConsoleBrowser.Page page, String field) {
        Matcher m = Pattern.compile("<p class=\"fieldmsg\" id=\"" + field + "-error\">(.*?)</p>", Pattern.DOTALL).matcher(page.body());
        assertThat(m.find()).as("a message under " + field + " in " + page.body()).isTrue();
        return m.group(1).strip();
    }

    /** The achievements page's row of one achievement. */
    static String achievementRow(ConsoleBrowser.Page page, String key) {
        Matcher m = Pattern.compile("<tr[^>]*id=\"a-" + Pattern.quote(key) + "\">(.*?)</tr>", Pattern.DOTALL).matcher(page.body());
        assertThat(m.find()).as("a row for " + key + " in " + page.body()).isTrue();
        return m.group(1);
    }

    @Test
    void shouldShowEveryAchievementOfTheCatalogueWithAUsersProgressAsTheApiAnswersIt() {
        String t = app.createTenant("Console achievements", "coreldove");
        String neighbour = app.createTenant("Console achievements' neighbour", "coreldove");
        String ingest = app.issueKey(t, "ingest");
        for (int i = 0; i < 10; i++) {
            assertThat(app.post("/api/v1/facts", ingest, "{\"id\":\"ach-" + i + "\",\"tenant_id\":\"" + t
                    + "\",\"user_id\":\"u-1\",\"type\":\"order.shipped\",\"attributes\":{\"value\":50}}").status()).isEqualTo(200);
        }
        String admin = app.issueKey(t, "tenant_admin");
        var api = app.get("/api/v1/gamification/achievements/progress/" + t + "?user_id=u-1", admin).json();
        var catalogue = app.get("/api/v1/gamification/achievements", admin).json().path("achievements");
        assertThat(catalogue.size()).isGreaterThanOrEqualTo(20);

        ConsoleBrowser b = new ConsoleBrowser(app);
        assertThat(b.signIn(admin).status()).isEqualTo(303);
        String base = "/console/tenants/" + t + "/achievements";
        ConsoleBrowser.Page page = b.get(base + "?user_id=u-1");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("href=\"" + base + "\" aria-current=\"page\">Achievements</a>", "method=\"get\"");
        // Every achievement of the catalogue, each once.
        assertThat(Pattern.compile("<tr[^>]*id=\"a-").matcher(page.body()).results().count()).isEqualTo(catalogue.size());
        for (var a : catalogue) achievementRow(page, a.path("key").asText());
        assertThat(page.body()).contains("<strong>u-1</strong> has unlocked " + api.path("unlocked_achievements").size() + " of " + catalogue.size());
        assertThat(achievementRow(page, "first-sale")).contains("100 %", "unlocked").doesNotContain("not yet");
        assertThat(achievementRow(page, "orders-bronze")).contains("unlocked");
        // Progress, current against the threshold and the next milestone: the API's own figures.
        assertThat(api.path("progress_updates").size()).isGreaterThan(0);
        for (var u : api.path("progress_updates")) {
            String row = achievementRow(page, u.path("key").asText());
            assertThat(row).contains(ConsoleAchievementRoutes.number(u.path("progress").asDouble()) + " %",
                    ConsoleAchievementRoutes.number(u.path("current").asDouble()) + " of " + ConsoleAchievementRoutes.number(u.path("target").asDouble()),
                    html(u.path("next_milestone").asText()));
        }
        assertThat(achievementRow(page, "orders-silver")).contains("10 %", "10 of 100", "90 more orders shipped to unlock", "in progress");
        for (var m : api.path("next_milestones")) {
            assertThat(page.body()).contains("<li>" + html(m.path("next_milestone").asText()) + "</li>");
            assertThat(achievementRow(page, m.path("key").asText())).contains(html(m.path("next_milestone").asText()));
        }
        // One the user has not started (the API lists no progress for it): 0 of its threshold.
        var untouched = java.util.stream.StreamSupport.stream(catalogue.spliterator(), false)
                .filter(a -> !api.toString().contains("\"key\":\"" + a.path("key").asText() + "\"")).findFirst().orElseThrow();
        assertThat(achievementRow(page, untouched.path("key").asText())).contains("0 %", "0 of "
                + ConsoleAchievementRoutes.number(untouched.path("trigger_conditions").path("threshold").asDouble()), "not started", "not yet");

        // No user: the catalogue with how many of this tenant's users unlocked each.
        ConsoleBrowser.Page plain = b.get(base);
        assertThat(plain.status()).isEqualTo(200);
        assertThat(achievementRow(plain, "orders-bronze")).contains("data-label=\"Unlocked by\">1</td>", "orders_shipped ≥ 10");
        assertThat(b.get(base + "?user_id=").status()).isEqualTo(200);

        // A refused user id: the API's message under the field, the value kept, nothing else read.
        ConsoleBrowser.Page bad = b.get(base + "?user_id=two%20words");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(fieldMessage(bad, "user_id")).isEqualTo(app.get("/api/v1/gamification/achievements/progress/" + t + "?user_id=two%20words", admin)
                .json().path("errors").get(0).path("message").asText());
        assertThat(bad.body()).contains("value=\"two words\"", "aria-invalid=\"true\"").doesNotContain("</strong> has unlocked");

        // Tenant isolation: the same user id elsewhere has nothing; the neighbour's page is not this admin's.
        assertThat(b.get("/console/tenants/" + neighbour + "/achievements?user_id=u-1").status()).isEqualTo(403);
        ConsoleBrowser op = new ConsoleBrowser(app);
        assertThat(op.signIn(TestServer.ADMIN_KEY).status()).isEqualTo(303);
        ConsoleBrowser.Page elsewhere = op.get("/console/tenants/" + neighbour + "/achievements?user_id=u-1");
        assertThat(elsewhere.status()).isEqualTo(200);
        assertThat(elsewhere.body()).contains("<strong>u-1</strong> has unlocked 0 of");
        assertThat(achievementRow(elsewhere, "orders-bronze")).contains("0 %", "0 of 10", "not started");
        assertThat(achievementRow(op.get("/console/tenants/" + neighbour + "/achievements"), "orders-bronze")).contains("data-label=\"Unlocked by\">0</td>");
        // A viewer reads too, as on the API.
        ConsoleBrowser viewer = new ConsoleBrowser(app);
        assertThat(viewer.signIn(app.issueKey(t, "viewer")).status()).isEqualTo(303);
        assertThat(achievementRow(viewer.get(base + "?user_id=u-1"), "orders-silver")).contains("10 of 100");
    }

    @Test
    void shouldRegisterChangePauseTestRotateAndDeleteAnEndpointFromForms() throws Exception {
        String t = app.createTenant("Console endpoints", "coreldove");
        String neighbour = app.createTenant("Console endpoints' neighbour", "coreldove");
        String admin = app.issueKey(t, "tenant_admin");
        String api = "/api/v1/tenants/" + t + "/webhooks";
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            ConsoleBrowser b = new ConsoleBrowser(app);
            assertThat(b.signIn(admin).status()).isEqualTo(303);
            String base = "/console/tenants/" + t + "/webhooks";
            ConsoleBrowser.Page form = b.get(base + "/new");
            assertThat(form.status()).isEqualTo(200);
            assertThat(form.body()).contains("name=\"url\"", "name=\"event_types\"", "name=\"rate_limit_per_second\"");
            String csrf = form.csrf();

            // Refused fields: the API's own message under the field, what was typed kept, nothing stored.
            for (String url : new String[]{"not a url", "https://10.1.2.3/hook"}) {
                ConsoleBrowser.Page refused = b.post(base, Map.of("_csrf", csrf, "url", url, "event_types", "achievement.*", "description", "Keep me"));
                assertThat(refused.status()).as(refused.body()).isEqualTo(422);
                var problem = app.post(api, admin, "{\"url\":\"" + url + "\",\"event_types\":[\"achievement.*\"]}");
                assertThat(problem.status()).isEqualTo(422);
                assertThat(fieldMessage(refused, "url")).isEqualTo(html(problem.json().path("errors").get(0).path("message").asText()));
                assertThat(refused.body()).contains("value=\"" + url + "\"", "value=\"Keep me\"");
            }
            ConsoleBrowser.Page badType = b.post(base, Map.of("_csrf", csrf, "url", receiver.url(), "event_types", "achievement.*, Orders"));
            assertThat(badType.status()).isEqualTo(422);
            assertThat(fieldMessage(badType, "event_types")).startsWith("“Orders” must be an event type");
            ConsoleBrowser.Page badRate = b.post(base, Map.of("_csrf", csrf, "url", receiver.url(), "event_types", "*", "rate_limit_per_second", "0"));
            assertThat(fieldMessage(badRate, "rate_limit_per_second")).isEqualTo("must be between 1 and 10000");
            assertThat(b.post(base, Map.of("url", receiver.url(), "event_types", "*")).status()).as("no CSRF token").isEqualTo(403);
            assertThat(app.get(api, admin).json().path("endpoints").size()).isZero();

            // Registered: the secret once, and it signs what the endpoint receives.
            ConsoleBrowser.Page created = b.post(base, Map.of("_csrf", csrf, "url", receiver.url(), "event_types", "achievement.*\nreferral.converted",
                    "description", "CRM sync", "rate_limit_per_second", "20"));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            Matcher secret = Pattern.compile("id=\"endpoint-secret\"[^>]*value=\"(whsec_[^\"]+)\"").matcher(created.body());
            assertThat(secret.find()).as(created.body()).isTrue();
            String first = secret.group(1);
            var stored = app.get(api, admin).json().path("endpoints").get(0);
            String id = stored.path("id").asText();
            assertThat(stored.path("event_types").toString()).isEqualTo("[\"achievement.*\",\"referral.converted\"]");
            assertThat(stored.path("rate_limit_per_second").asInt()).isEqualTo(20);
            assertThat(stored.path("description").asText()).isEqualTo("CRM sync");
            ConsoleBrowser.Page list = b.get(base);
            assertThat(list.body()).contains(receiver.url(), "CRM sync", "20 per second").doesNotContain(first);

            ConsoleBrowser.Page tested = b.post(base + "/" + id + "/test", Map.of("_csrf", csrf));
            assertThat(tested.status()).isEqualTo(303);
            assertThat(b.get(tested.location()).body()).contains("A webhook.test event is queued");
            var test = receiver.await(r -> r.body().contains("webhook.test"), 1, Duration.ofSeconds(30)).getFirst();
            new com.standardwebhooks.Webhook(first).verify(test.body(), test.headers());

            // Change the filter, description and limit; emptying the limit is refused (the API keeps it).
            ConsoleBrowser.Page edit = b.get(base + "/" + id + "/edit");
            assertThat(edit.body()).contains("value=\"achievement.*, referral.converted\"", "value=\"20\"");
            ConsoleBrowser.Page noLimit = b.post(base + "/" + id + "/edit", Map.of("_csrf", csrf, "url", receiver.url(), "event_types", "referral.*"));
            assertThat(noLimit.status()).isEqualTo(422);
            assertThat(fieldMessage(noLimit, "rate_limit_per_second")).contains("cannot be removed");
            ConsoleBrowser.Page changed = b.post(base + "/" + id + "/edit", Map.of("_csrf", csrf, "url", receiver.url(), "event_types", "referral.*, ruleset.activated",
                    "description", "CRM sync v2", "rate_limit_per_second", "5", "fifo", "on"));
            assertThat(changed.status()).as(changed.body()).isEqualTo(303);
            assertThat(b.get(changed.location()).body()).contains("The endpoint is changed.");
            stored = app.get(api + "/" + id, admin).json();
            assertThat(stored.path("event_types").toString()).isEqualTo("[\"referral.*\",\"ruleset.activated\"]");
            assertThat(stored.path("description").asText()).isEqualTo("CRM sync v2");
            assertThat(stored.path("rate_limit_per_second").asInt()).isEqualTo(5);
            assertThat(stored.path("fifo").asBoolean()).isTrue();

            // Pause and resume.
            assertThat(b.post(base + "/" + id + "/status", Map.of("_csrf", csrf, "status", "paused")).location()).endsWith("/webhooks?done=paused");
            assertThat(app.get(api + "/" + id, admin).json().path("status").asText()).isEqualTo("paused");
            assertThat(b.get(base + "?done=paused").body()).contains("The endpoint is paused", ">Resume<");
            assertThat(b.post(base + "/" + id + "/status", Map.of("_csrf", csrf, "status", "active", "back", "endpoint")).location())
                    .endsWith("/webhooks/" + id + "?done=resumed");
            assertThat(app.get(api + "/" + id, admin).json().path("status").asText()).isEqualTo("active");
            assertThat(b.post(base + "/" + id + "/status", Map.of("_csrf", csrf, "status", "gone")).status()).isEqualTo(422);

            // Rotate, confirmed first: a new secret once, which signs the next delivery (the old one still does for the overlap).
            ConsoleBrowser.Page confirmRotate = b.get(base + "/" + id + "/rotate");
            assertThat(confirmRotate.body()).contains("Rotate the secret of " + receiver.url());
            ConsoleBrowser.Page rotated = b.post(base + "/" + id + "/rotate", Map.of("_csrf", csrf));
            Matcher next = Pattern.compile("id=\"endpoint-secret\"[^>]*value=\"(whsec_[^\"]+)\"").matcher(rotated.body());
            assertThat(next.find()).as(rotated.body()).isTrue();
            assertThat(next.group(1)).isNotEqualTo(first);
            assertThat(rotated.body()).contains("also with the previous secret until");
            int before = receiver.received().size();
            b.post(base + "/" + id + "/test", Map.of("_csrf", csrf));
            var second = receiver.await(r -> true, before + 1, Duration.ofSeconds(30)).getLast();
            new com.standardwebhooks.Webhook(next.group(1)).verify(second.body(), second.headers());

            // Another tenant's admin reaches none of it; its own path does not find this endpoint.
            ConsoleBrowser other = new ConsoleBrowser(app);
            assertThat(other.signIn(app.issueKey(neighbour, "tenant_admin")).status()).isEqualTo(303);
            String otherCsrf = other.csrfOf("/console/tenants/" + neighbour + "/webhooks");
            assertThat(other.post(base + "/" + id + "/delete", Map.of("_csrf", otherCsrf)).status()).isEqualTo(403);
            assertThat(other.get(base + "/" + id + "/edit").status()).isEqualTo(403);
            assertThat(other.post("/console/tenants/" + neighbour + "/webhooks/" + id + "/delete", Map.of("_csrf", otherCsrf)).status()).isEqualTo(404);
            assertThat(other.post("/console/tenants/" + neighbour + "/webhooks/" + id + "/edit",
                    Map.of("_csrf", otherCsrf, "url", receiver.url(), "event_types", "*")).status()).isEqualTo(404);
            assertThat(app.get(api + "/" + id, admin).json().path("event_types").toString()).contains("referral.*");

            // Delete, confirmed first.
            ConsoleBrowser.Page confirmDelete = b.get(base + "/" + id + "/delete");
            assertThat(confirmDelete.body()).contains("Delete the endpoint " + receiver.url() + "?", "class=\"danger\"");
            assertThat(app.get(api + "/" + id, admin).status()).as("nothing changes before the confirmation is posted").isEqualTo(200);
            ConsoleBrowser.Page deleted = b.post(base + "/" + id + "/delete", Map.of("_csrf", csrf));
            assertThat(deleted.location()).endsWith("/webhooks?done=deleted");
            assertThat(b.get(deleted.location()).body()).contains("The endpoint is deleted").doesNotContain(receiver.url());
            assertThat(app.get(api + "/" + id, admin).status()).isEqualTo(404);
            assertThat(b.get(base + "/" + id + "/edit").status()).isEqualTo(404);
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
