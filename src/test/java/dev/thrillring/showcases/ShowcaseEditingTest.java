package dev.thrillring.showcases;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thrillring.support.TestServer;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** Editing, visibility, hand-typed metrics and testimonials, as the public sees them. */
class ShowcaseEditingTest {
    static final TestServer app = TestServer.shared();
    static String tenant;
    static String admin;
    static String base;
    static String page;

    @BeforeAll
    static void generated() {
        tenant = app.createTenant("Editing Co", "coreldove");
        admin = app.issueKey(tenant, "tenant_admin");
        var r = app.post("/api/v1/gamification/portfolio/generate", admin, "{\"tenant_id\":\"" + tenant + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        base = "/api/v1/showcases/" + tenant + "/portfolios/" + r.json().get("portfolio_id").asText();
        page = r.json().get("showcase_url").asText().replaceFirst("^https?://[^/]+", "");
    }

    TestServer.Response patch(String body) { return app.send("PATCH", base, admin, "application/json", body); }

    @Test
    void shouldEscapeTenantTextEverywhereOnThePage() {
        String evil = "<script>alert(1)</script>";
        assertThat(patch("{\"portfolio_name\":\"Evil " + evil + "\",\"description\":\"</script><img src=x onerror=alert(2)>\"}").status()).isEqualTo(200);
        assertThat(app.post(base + "/testimonials", admin,
                "{\"quote\":\"\\\"><svg onload=alert(3)>\",\"author\":\"<b>Bob</b>\",\"role\":\"CEO\"}").status()).isEqualTo(201);
        assertThat(app.post(base + "/metrics", admin, "{\"metric_name\":\"<i>ROI</i>\",\"metric_value\":12.5,\"metric_unit\":\"percentage\"}").status()).isEqualTo(201);
        var r = app.get(page, null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).doesNotContain("<script>alert", "<img src=x", "<svg onload", "<b>Bob", "<i>ROI");
        Document d = Jsoup.parse(r.body());
        assertThat(d.select("script")).hasSize(1); // the JSON-LD block only
        assertThat(d.select("img[onerror], svg[onload]")).isEmpty();
        assertThat(d.selectFirst("h1").text()).isEqualTo("Evil " + evil);
        assertThat(d.text()).contains("\"><svg onload=alert(3)>", "<b>Bob</b>");
        // The JSON-LD still parses and carries the name as text.
        assertThat(d.selectFirst("script[type=application/ld+json]").data()).doesNotContain("</script>").contains("\\u003cscript");
        patch("{\"portfolio_name\":\"Editing Co\",\"description\":\"Plain.\"}");
    }

    @Test
    void shouldMarkHandTypedMetricsUnverifiedOnThePage() {
        var m = app.post(base + "/metrics", admin, "{\"metric_name\":\"Customer satisfaction\",\"metric_value\":92,\"metric_unit\":\"percentage\","
                + "\"comparison_baseline\":80,\"time_period\":\"Q3 2026\",\"baseline_period\":\"Q2 2026\"}");
        assertThat(m.status()).as(m.body()).isEqualTo(201);
        assertThat(m.json().get("verification_status").asText()).isEqualTo("unverified");
        assertThat(m.json().get("data_source").asText()).isEqualTo("entered by the tenant");
        Document d = Jsoup.parse(app.get(page, null).body());
        var card = d.select(".metric").stream().filter(e -> e.text().contains("Customer satisfaction")).findFirst().orElseThrow();
        assertThat(card.text()).contains("Unverified", "92 %", "was 80 %");
        String id = m.json().get("metric_id").asText();
        assertThat(app.send("PUT", base + "/metrics/" + id, admin, "application/json", "{\"metric_value\":93}").json()
                .get("metric_value").decimalValue()).isEqualByComparingTo("93");
        assertThat(app.send("DELETE", base + "/metrics/" + id, admin, null, null).status()).isEqualTo(204);
        assertThat(app.send("DELETE", base + "/metrics/" + id, admin, null, null).status()).isEqualTo(404);
    }

    @Test
    void shouldTurnAnEditedComputedNumberUnverified() {
        JsonNode p = app.get(base, admin).json();
        JsonNode unlocks = StreamSupport.stream(p.get("featured_metrics").spliterator(), false)
                .filter(m -> "achievements:unlocked".equals(m.get("key").asText(null))).findFirst().orElseThrow();
        assertThat(unlocks.get("verification_status").asText()).isEqualTo("verified");
        String url = base + "/metrics/" + unlocks.get("metric_id").asText();
        var renamed = app.send("PUT", url, admin, "application/json", "{\"metric_name\":\"Badges earned\"}");
        assertThat(renamed.json().get("verification_status").asText()).isEqualTo("verified");
        var edited = app.send("PUT", url, admin, "application/json", "{\"metric_value\":1000}");
        assertThat(edited.json().get("verification_status").asText()).isEqualTo("unverified");
        assertThat(edited.json().get("key").isNull()).isTrue();
    }

    @Test
    void shouldEditAndRemoveTestimonialsAndHideThemWhenAsked() {
        var t = app.post(base + "/testimonials", admin, "{\"quote\":\"They doubled our leads.\",\"author\":\"Ann\",\"company\":\"Shop\"}");
        String url = base + "/testimonials/" + t.json().get("id").asText();
        assertThat(app.send("PUT", url, admin, "application/json", "{\"quote\":\"They tripled our leads.\",\"author\":\"Ann\"}").status()).isEqualTo(200);
        assertThat(app.get(page, null).body()).contains("They tripled our leads.");
        patch("{\"include_testimonials\":false}");
        assertThat(app.get(page, null).body()).doesNotContain("They tripled our leads.");
        patch("{\"include_testimonials\":true}");
        assertThat(app.send("DELETE", url, admin, null, null).status()).isEqualTo(204);
        assertThat(app.get(page, null).body()).doesNotContain("They tripled our leads.");
        assertThat(app.post(base + "/testimonials", admin, "{\"quote\":\"\",\"author\":\"Ann\"}").body()).contains("quote");
    }

    @Test
    void shouldHideUnlistedFromIndexesAndPrivateFromThePublic() {
        assertThat(patch("{\"visibility\":\"unlisted\"}").status()).isEqualTo(200);
        var unlisted = app.get(page, null);
        assertThat(unlisted.status()).isEqualTo(200);
        assertThat(unlisted.header("X-Robots-Tag")).isEqualTo("noindex");
        assertThat(Jsoup.parse(unlisted.body()).selectFirst("meta[name=robots]").attr("content")).isEqualTo("noindex");
        assertThat(app.get("/sitemaps/coreldove.xml", null).body()).doesNotContain(page);

        patch("{\"visibility\":\"private\"}");
        assertThat(app.get(page, null).status()).isEqualTo(404);
        assertThat(app.get(page + "/og.png", null).status()).isEqualTo(404);
        assertThat(app.get(page + "/share/linkedin", null).status()).isEqualTo(404);
        assertThat(app.get(base, admin).status()).isEqualTo(200);

        patch("{\"visibility\":\"public\"}");
        assertThat(app.post(base + "/unpublish", admin, null).json().get("published").asBoolean()).isFalse();
        assertThat(app.get(page, null).status()).isEqualTo(404);
        assertThat(app.post(base + "/publish", admin, null).json().get("published").asBoolean()).isTrue();
        assertThat(app.get(page, null).status()).isEqualTo(200);
    }

    @Test
    void shouldKeepSlugsUniquePerPlatformAndTenantsApart() {
        String other = app.createTenant("Other Co", "coreldove");
        String otherAdmin = app.issueKey(other, "tenant_admin");
        var r = app.post("/api/v1/gamification/portfolio/generate", otherAdmin, "{\"tenant_id\":\"" + other + "\"}");
        String otherBase = "/api/v1/showcases/" + other + "/portfolios/" + r.json().get("portfolio_id").asText();
        String mySlug = page.substring(page.lastIndexOf('/') + 1);
        var clash = app.send("PATCH", otherBase, otherAdmin, "application/json", "{\"slug\":\"" + mySlug + "\"}");
        assertThat(clash.status()).isEqualTo(409);
        assertThat(app.get(base, otherAdmin).status()).isEqualTo(403);
    }
}
