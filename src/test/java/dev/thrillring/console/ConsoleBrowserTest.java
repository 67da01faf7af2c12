package dev.thrillring.console;

import dev.thrillring.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console in a real browser (headless Chromium, JavaScript on, so htmx runs): sign in, a cell
 * edited to a wrong value shows its message, a dry run highlights the fired row, activation, the
 * next fact obeys, and the review queue approves a conversion. Every page is saved as a screenshot
 * at desktop and phone widths (see SHOTS). Skipped, saying why, where chromium is missing.
 * Its own server: it changes a platform's live base.
 */
class ConsoleBrowserTest {
    /** target/screenshots, or {@code -Dthrillring.screenshots=DIR} (docs/screenshots for the documentation). */
    static final Path SHOTS = Path.of(System.getProperty("thrillring.screenshots", "target/screenshots"));
    static TestServer app;
    static String tenant;
    static dev.thrillring.support.WebhookReceiver receiver;

    @BeforeAll
    static void setUp() {
        Assumptions.assumeTrue(Chromium.installed(),
                "browser tests skipped: " + Chromium.BINARY + " is missing (Debian: apt-get install chromium; or set CHROMIUM to a Chromium binary)");
        app = TestServer.start(TestServer.tempDir(), dev.thrillring.webhooks.WebhookSettings.DEFAULTS.withAllowHttp(true));
        tenant = app.createTenant("Acme Ads", "bizoholic");
        receiver = new dev.thrillring.support.WebhookReceiver();
    }

    @AfterAll
    static void tearDown() {
        if (app != null) app.close();
        if (receiver != null) receiver.close();
    }

    static String js(String s) { return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"; }

    @Test
    void shouldLetAnAnalystChangeTryAndActivateAThresholdAndAnAdminClearTheQueue() throws Exception {
        String ingest = app.issueKey(tenant, "ingest");
        var hook = app.post("/api/v1/tenants/" + tenant + "/webhooks", TestServer.ADMIN_KEY,
                "{\"url\":\"" + receiver.url() + "\",\"event_types\":[\"achievement.*\",\"referral.*\"],\"description\":\"CRM sync\"}");
        assertThat(hook.status()).as(hook.body()).isEqualTo(201);
        String endpoint = hook.json().path("endpoint").path("id").asText();
        for (int i = 0; i < 6; i++) {
            app.post("/api/v1/facts", ingest, "{\"id\":\"seed-" + i + "\",\"tenant_id\":\"" + tenant + "\",\"user_id\":\"u-" + (i % 3)
                    + "\",\"type\":\"" + (i % 2 == 0 ? "campaign.launched" : "lead.captured") + "\"}");
        }
        pendingConversions(ingest);
        String base = app.baseUrl() + "/console/tenants/" + tenant;
        try (Chromium b = new Chromium()) {
            long start = System.nanoTime();
            b.open(app.baseUrl() + "/");
            assertThat(b.url()).endsWith("/console/sign-in?next=%2Fconsole");
            b.screenshots(SHOTS, "console-sign-in");
            b.andWaitForNextPage("document.getElementById('credential').value = " + js(TestServer.ADMIN_KEY)
                    + "; document.querySelector('main form button[type=submit]').click()");
            assertThat(b.url()).endsWith("/console");
            assertThat(b.text()).contains("Tenants", "Acme Ads", "operator (every platform)");
            b.screenshots(SHOTS, "console-tenants");

            b.andWaitForNextPage("document.querySelector('a[href=\"/console/tenants/" + tenant + "\"]').click()");
            assertThat(b.text()).contains("Overview", "Latest decisions", "seed-");
            b.screenshots(SHOTS, "console-overview");

            b.open(base + "/tables");
            b.screenshots(SHOTS, "console-tables");
            b.andWaitForNextPage("document.querySelector('a[href*=\"fact-points\"]').click()");
            String row = b.eval("[...document.querySelectorAll('input[id$=\"-0\"]')].find(i => i.value === 'campaign.launched').id").asText();
            String points = row.replaceFirst("-0$", "-1");
            assertThat(b.eval("document.getElementById('" + points + "').type").asText()).isEqualTo("number");
            // A wrong value: htmx checks the grid on change and the message appears at the cell.
            b.eval("const el = document.getElementById('" + points + "'); el.value = '2000000'; el.dispatchEvent(new Event('change', {bubbles: true})); true");
            b.await("document.querySelector('td.cell.bad .cellmsg')");
            String message = b.eval("document.querySelector('td.cell.bad .cellmsg').innerText").asText();
            assertThat(message).contains("Points", "1000000");
            b.screenshots(SHOTS, "console-table-error");

            b.andWaitForNextPage("document.getElementById('" + points + "').value = '80'; document.getElementById('comment').value = 'launches earn more';"
                    + " document.querySelector('button[value=save]').click()");
            assertThat(b.text()).contains("Platform version 1 of bizoholic is saved as a draft");
            b.eval("document.getElementById('facts').value = " + js("{\"type\": \"campaign.launched\", \"user_id\": \"u-9\"}")
                    + "; document.querySelector('main form button[type=submit]').click(); true");
            b.await("document.querySelector('tr.fired')");
            assertThat(b.text()).contains("Fact points_", "amount 80");
            b.screenshots(SHOTS, "console-try");

            b.andWaitForNextPage("document.querySelector('a.button[href$=\"/activate\"]').click()");
            assertThat(b.text()).contains("Activate platform version 1 of bizoholic?");
            b.screenshots(SHOTS, "console-confirm");
            b.andWaitForNextPage("document.querySelector('main form button[type=submit]').click()");
            assertThat(b.text()).contains("Platform version 1 is live");

            var decision = app.post("/api/v1/facts", ingest, "{\"id\":\"after-activation\",\"tenant_id\":\"" + tenant
                    + "\",\"user_id\":\"u-1\",\"type\":\"campaign.launched\"}");
            assertThat(decision.body()).contains("\"amount\":80");
            b.open(base + "/decisions?fact_id=after-activation");
            assertThat(b.text()).contains("after-activation", "amount 80");
            // Reported, not asserted: the issue's "in under a minute" for the analyst's loop, screenshots excluded.
            System.out.printf("console loop (sign-in to the next fact obeying): %.1f s, of which screenshots %.1f s%n",
                    (System.nanoTime() - start) / 1e9, b.screenshotNanos / 1e9);
            b.open(base + "/decisions");
            b.screenshots(SHOTS, "console-decisions");

            b.open(base + "/review");
            assertThat(b.text()).contains("2 conversion(s) wait");
            b.screenshots(SHOTS, "console-review");
            b.andWaitForNextPage("document.querySelector('main input[name=note]').value = 'known household';"
                    + " document.querySelector('main form button[value=approve]').click()");
            assertThat(b.text()).contains("1 conversion(s) wait");

            b.open(base + "/versions");
            b.screenshots(SHOTS, "console-versions");
            // A mistake in a part htmx updates is shown in place of the page's main part, with the field named.
            b.open(base + "/try");
            b.eval("document.getElementById('facts').value = '{oops'; document.querySelector('main form button[type=submit]').click(); true");
            b.await("document.querySelector('main .error')");
            assertThat(b.text()).contains("facts: is not JSON");

            b.open(base + "/boards");
            assertThat(b.text()).contains("Rank", "Score");
            // Live over SSE: the stream opens (a change arriving on it: ConsoleSecurityTest).
            b.await("document.getElementById('live-note').textContent.startsWith('Live')");
            b.screenshots(SHOTS, "console-boards");

            adminPages(b, base, endpoint);
        }
        var approved = app.get("/api/v1/referrals/" + tenant + "/conversions?status=approved", TestServer.ADMIN_KEY);
        assertThat(approved.body()).contains("known household");
    }

    /** API keys, webhook deliveries with a replay, registering an endpoint, a user's achievements, a version's changes, and demo data. */
    static void adminPages(Chromium b, String base, String endpoint) throws Exception {
        b.open(base + "/keys");
        b.screenshots(SHOTS, "console-keys");
        b.andWaitForNextPage("document.getElementById('role').value = 'viewer'; document.querySelector('main form button[type=submit]').click()");
        assertThat(b.text()).contains("New viewer key", "Copy it now");
        String key = b.eval("document.getElementById('issued-key').value").asText();
        assertThat(app.get("/api/v1/tenants/" + tenant + "/decisions", key).status()).isEqualTo(200);

        receiver.await(r -> true, 1, java.time.Duration.ofSeconds(60));
        b.open(base + "/webhooks");
        assertThat(b.text()).contains(receiver.url(), "CRM sync");
        b.screenshots(SHOTS, "console-webhooks");
        b.open(base + "/webhooks/" + endpoint);
        b.await("document.querySelector('main table tbody tr')");
        b.andWaitForNextPage("document.querySelector('main table tbody form button').click()");
        assertThat(b.text()).contains("is queued to be sent again");
        b.screenshots(SHOTS, "console-deliveries");

        // Register an endpoint from the console: a refused URL is named under its field, then the secret is shown once.
        b.open(base + "/webhooks/new");
        b.andWaitForNextPage("document.getElementById('url').value = 'https://10.0.0.7/hook';"
                + " document.getElementById('event_types').value = 'achievement.*, referral.converted';"
                + " document.getElementById('description').value = 'Data warehouse'; document.querySelector('main form button[type=submit]').click()");
        assertThat(b.eval("document.getElementById('url-error').innerText").asText()).isNotBlank();
        assertThat(b.eval("document.getElementById('url').getAttribute('aria-describedby')").asText()).contains("url-error");
        assertThat(b.eval("document.getElementById('description').value").asText()).isEqualTo("Data warehouse");
        b.screenshots(SHOTS, "console-webhook-new");
        b.andWaitForNextPage("document.getElementById('url').value = " + js(receiver.url() + "/warehouse")
                + "; document.querySelector('main form button[type=submit]').click()");
        assertThat(b.text()).contains("Endpoint registered", "Copy it now", "Data warehouse");
        assertThat(b.eval("document.getElementById('endpoint-secret').value").asText()).startsWith("whsec_");
        b.screenshots(SHOTS, "console-webhook-secret");

        // A user's progress on every achievement of the catalogue, from a plain GET form.
        b.open(base + "/achievements");
        b.andWaitForNextPage("document.getElementById('user_id').value = 'u-1'; document.querySelector('main form button[type=submit]').click()");
        assertThat(b.url()).endsWith("/achievements?user_id=u-1");
        assertThat(b.text()).contains("u-1 has unlocked", "Next milestone");
        b.screenshots(SHOTS, "console-achievements");

        // A saved tenant version against the active one (a DRL change: file by file).
        for (int points : new int[]{25, 40}) {
            var v = app.upload("/api/v1/rulesets/" + tenant + "/versions", TestServer.ADMIN_KEY,
                    Map.of("bonus.drl", TestServer.text(ConsoleAdminPagesTest.BONUS.formatted(points))), "big orders: " + points);
            assertThat(v.status()).as(v.body()).isEqualTo(201);
        }
        assertThat(app.post("/api/v1/rulesets/" + tenant + "/versions/1/activate", TestServer.ADMIN_KEY, "").status()).isEqualTo(200);
        b.open(base + "/versions/2/diff");
        assertThat(b.text()).contains("Compared with the active version 1", "bonus.drl", "outcomes.points(25", "outcomes.points(40");
        b.screenshots(SHOTS, "console-diff");

        try (var demo = app.server.startDemo(java.time.Duration.ofMillis(300), 5)) {
            b.open(app.baseUrl() + "/console");
            assertThat(b.text()).contains("demo-acme-ads", "demo data");
            b.screenshots(SHOTS, "console-demo");
        }
    }

    /** Two conversions in the review band: the referrer's own machine (0.65) and a disposable address (0.4). */
    static void pendingConversions(String ingest) {
        var code = app.send("POST", "/api/v1/gamification/referral/generate-code", ingest, "application/json",
                "{\"tenant_id\":\"" + tenant + "\",\"referrer_user_id\":\"u-1\"}", Map.of("X-Forwarded-For", "198.51.100.1", "X-Device-Fingerprint", "dev-referrer"));
        String referral = code.json().get("referral_code").asText();
        String[][] referees = {{"carol", "", "198.51.100.1", "dev-referrer"}, {"dave", ",\"referee_email\":\"dave@mailinator.com\"", "203.0.113.21", "dev-dave"}};
        for (String[] r : referees) {
            var c = app.send("POST", "/api/v1/gamification/referral/track-conversion", ingest, "application/json", "{\"tenant_id\":\"" + tenant
                    + "\",\"referral_code\":\"" + referral + "\",\"referee_user_id\":\"" + r[0] + "\",\"conversion_type\":\"purchase\",\"conversion_value\":49.90" + r[1] + "}",
                    Map.of("X-Forwarded-For", r[2], "X-Device-Fingerprint", r[3]));
            assertThat(c.json().get("status").asText()).as(c.body()).isEqualTo("pending_review");
        }
    }
}
