package dev.thrillring.console;

import dev.thrillring.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The issue's "done when", over HTTP with forms only: a threshold changed in the grid (a wrong value
 * first, refused at its cell with the API's message), tried, activated, and the next fact obeys;
 * an admin clears the review queue. Its own server: it changes a platform's live base.
 */
class ConsoleFlowTest {
    static TestServer app;
    static String tenant;
    static final String TABLE = "decision-tables/bizoholic/fact-points.drl.csv";

    @BeforeAll
    static void setUp() {
        app = TestServer.start(TestServer.tempDir());
        tenant = app.createTenant("Console flow", "bizoholic");
    }

    @AfterAll
    static void tearDown() { app.close(); }

    /** The grid's fields as the page holds them. */
    static Map<String, String> gridFields(String html) {
        Map<String, String> f = new LinkedHashMap<>();
        Matcher m = Pattern.compile("name=\"(c-\\d+-\\d+)\" value=\"([^\"]*)\"").matcher(html);
        while (m.find()) f.put(m.group(1), m.group(2).replace("&#34;", "\"").replace("&quot;", "\"").replace("&amp;", "&"));
        return f;
    }

    @Test
    void shouldChangeAThresholdTryItActivateItAndSeeTheNextFactObey() {
        ConsoleBrowser b = new ConsoleBrowser(app);
        assertThat(b.signIn(TestServer.ADMIN_KEY).status()).isEqualTo(303);
        String base = "/console/tenants/" + tenant;
        ConsoleBrowser.Page list = b.get(base + "/tables");
        assertThat(list.body()).contains(TABLE);
        String edit = base + "/tables/edit?path=" + java.net.URLEncoder.encode(TABLE, java.nio.charset.StandardCharsets.UTF_8);
        ConsoleBrowser.Page grid = b.get(edit);
        assertThat(grid.status()).isEqualTo(200);
        Map<String, String> fields = gridFields(grid.body());
        String row = fields.entrySet().stream().filter(e -> e.getValue().equals("campaign.launched")).findFirst().orElseThrow().getKey();
        String points = row.replaceFirst("-0$", "-1");
        assertThat(fields.get(points)).isEqualTo("50");

        Map<String, String> wrong = new LinkedHashMap<>(fields);
        wrong.put("_csrf", grid.csrf());
        wrong.put(points, "lots");
        ConsoleBrowser.Page checked = b.post(edit, wrong);
        assertThat(checked.status()).isEqualTo(200);
        assertThat(checked.body()).contains("class=\"cell bad\"", "aria-invalid=\"true\"").contains("lots");
        // The very message the API answers for the same upload.
        var api = app.upload("/api/v1/platforms/bizoholic/rulesets/versions", TestServer.ADMIN_KEY,
                Map.of("fact-points.drl.csv", TestServer.text(new String(b.get(base + "/tables/download?path=" + TABLE).body())
                        .replace("campaign.launched,50", "campaign.launched,lots"))), "wrong");
        assertThat(api.status()).isEqualTo(422);
        String apiMessage = api.json().get("errors").get(0).get("message").asText();
        assertThat(checked.body()).contains(escape(apiMessage));

        Map<String, String> right = new LinkedHashMap<>(fields);
        right.put("_csrf", grid.csrf());
        right.put(points, "80");
        right.put("comment", "launches earn more");
        right.put("action", "save");
        ConsoleBrowser.Page saved = b.post(edit, right);
        assertThat(saved.status()).as(saved.body()).isEqualTo(200);
        assertThat(saved.body()).contains("Platform version 1 of bizoholic is saved as a draft");

        ConsoleBrowser.Page tried = b.post(base + "/platform-versions/1/try", Map.of("_csrf", saved.csrf(),
                "facts", "{\"type\":\"campaign.launched\",\"user_id\":\"u-1\"}"));
        assertThat(tried.status()).as(tried.body()).isEqualTo(200);
        assertThat(tried.body()).contains("class=\"fired\"", "Fact points_", "amount 80");

        assertThat(b.get(base + "/platform-versions/1/activate").body()).contains("Activate platform version 1 of bizoholic?");
        ConsoleBrowser.Page live = b.post(base + "/platform-versions/1/activate", Map.of("_csrf", saved.csrf(), "confirm", "yes"));
        assertThat(live.status()).as(live.body()).isEqualTo(200);
        assertThat(live.body()).contains("Platform version 1 is live");

        String ingest = app.issueKey(tenant, "ingest");
        var decision = app.post("/api/v1/facts", ingest, "{\"id\":\"after-1\",\"tenant_id\":\"" + tenant
                + "\",\"user_id\":\"u-2\",\"type\":\"campaign.launched\"}");
        assertThat(decision.body()).contains("\"amount\":80");
        assertThat(b.get(base + "/decisions?fact_id=after-1").body()).contains("after-1", "amount 80");
    }

    @Test
    void shouldLetAnAdminClearTheReviewQueue() {
        String admin = app.issueKey(tenant, "tenant_admin");
        String ingest = app.issueKey(tenant, "ingest");
        var code = app.send("POST", "/api/v1/gamification/referral/generate-code", ingest, "application/json",
                "{\"tenant_id\":\"" + tenant + "\",\"referrer_user_id\":\"ref-1\"}", Map.of("X-Forwarded-For", "198.51.100.1", "X-Device-Fingerprint", "dev-referrer"));
        String referral = code.json().get("referral_code").asText();
        // The same machine as the referrer (0.65), and a disposable address (0.4): both land in the review band.
        String[][] referees = {{"carol", "", "198.51.100.1", "dev-referrer"}, {"dave", ",\"referee_email\":\"dave@mailinator.com\"", "203.0.113.21", "dev-dave"}};
        for (String[] r : referees) {
            var c = app.send("POST", "/api/v1/gamification/referral/track-conversion", ingest, "application/json", "{\"tenant_id\":\"" + tenant
                    + "\",\"referral_code\":\"" + referral + "\",\"referee_user_id\":\"" + r[0] + "\",\"conversion_type\":\"purchase\",\"conversion_value\":49.90" + r[1] + "}",
                    Map.of("X-Forwarded-For", r[2], "X-Device-Fingerprint", r[3]));
            assertThat(c.json().get("status").asText()).as(c.body()).isEqualTo("pending_review");
        }
        ConsoleBrowser b = new ConsoleBrowser(app);
        b.signIn(admin);
        String queue = "/console/tenants/" + tenant + "/review";
        ConsoleBrowser.Page page = b.get(queue);
        assertThat(page.body()).contains("<strong>2</strong> conversion(s) wait", "same_ip");
        Matcher ids = Pattern.compile("action=\"" + Pattern.quote(queue) + "/([0-9a-f-]{36})\"").matcher(page.body());
        String[] decisions = {"approve", "reject"};
        int i = 0;
        while (ids.find()) {
            ConsoleBrowser.Page done = b.post(queue + "/" + ids.group(1), Map.of("_csrf", page.csrf(), "decision", decisions[i++], "note", "checked by hand"));
            assertThat(done.status()).isEqualTo(303);
        }
        assertThat(i).isEqualTo(2);
        assertThat(b.get(queue).body()).contains("<strong>0</strong> conversion(s) wait", "The queue is empty.");
        var approved = app.get("/api/v1/referrals/" + tenant + "/conversions?status=approved", admin);
        assertThat(approved.json().get("conversions").get(0).get("review_note").asText()).isEqualTo("checked by hand");
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("\"", "&#34;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
