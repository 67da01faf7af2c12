package dev.thrillring.showcases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thrillring.support.TestServer;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.ResultSet;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** A tenant with activity generates its showcase through the seed's route; its page renders the real numbers. */
class ShowcaseApiTest {
    static final TestServer app = TestServer.shared();
    static final ObjectMapper json = new ObjectMapper();
    static final YearMonth NOW = YearMonth.now(ZoneOffset.UTC);
    static final YearMonth BEFORE = NOW.minusMonths(1);
    static String tenant;
    static String admin;
    static JsonNode generated;

    @BeforeAll
    static void tenantWithActivity() {
        tenant = app.createTenant("Acme Ads", "bizoholic");
        admin = app.issueKey(tenant, "tenant_admin");
        String ingest = app.issueKey(tenant, "ingest");
        // Two launches last month, five this month (the tenant as a whole, so it ranks on the boards too).
        for (int i = 0; i < 7; i++) {
            String at = (i < 2 ? BEFORE.atDay(10 + i) : NOW.atDay(1)).atTime(9, i).atOffset(ZoneOffset.UTC).toString();
            if (i >= 2 && NOW.atDay(1).atTime(9, i).atOffset(ZoneOffset.UTC).toInstant().isAfter(java.time.Instant.now())) {
                at = java.time.Instant.now().minusSeconds(60 - i).toString();
            }
            var r = app.post("/api/v1/facts", ingest, fact("launch-" + i, "campaign.launched", at));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
        var r = app.post("/api/v1/gamification/portfolio/generate", admin,
                "{\"tenant_id\":\"" + tenant + "\",\"platform\":\"bizoholic\",\"showcase_type\":\"comprehensive\","
                        + "\"include_testimonials\":true,\"seo_optimize\":true}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        generated = r.json();
    }

    static String fact(String id, String type, String at) {
        ObjectNode f = json.createObjectNode().put("id", id).put("tenant_id", tenant).put("type", type).put("occurred_at", at);
        f.putObject("attributes").put("channel", "search");
        return f.toString();
    }

    static JsonNode metric(JsonNode portfolio, String key) {
        return StreamSupport.stream(portfolio.get("featured_metrics").spliterator(), false)
                .filter(m -> key.equals(m.get("key").asText(null))).findFirst().orElseThrow(() -> new AssertionError("no " + key + " in " + portfolio));
    }

    static String path() { return generated.get("showcase_url").asText().replaceFirst("^https?://[^/]+", ""); }

    @Test
    void shouldAnswerTheSeedsResponseWithVerifiedBeforeAfterMetrics() {
        assertThat(generated.fieldNames()).toIterable()
                .containsExactly("portfolio_id", "showcase_url", "featured_metrics", "case_studies", "social_templates");
        assertThat(generated.get("showcase_url").asText()).endsWith("/s/bizoholic/acme-ads");
        JsonNode launches = metric(generated, "subject:campaigns_launched");
        assertThat(launches.get("metric_value").decimalValue()).isEqualByComparingTo("5");
        assertThat(launches.get("comparison_baseline").decimalValue()).isEqualByComparingTo("2");
        assertThat(launches.get("time_period").asText()).isEqualTo(NOW.toString());
        assertThat(launches.get("baseline_period").asText()).isEqualTo(BEFORE.toString());
        assertThat(launches.get("verification_status").asText()).isEqualTo("verified");
        assertThat(launches.get("data_source").asText()).contains("campaigns_launched");
        assertThat(launches.get("change_percent").decimalValue()).isEqualByComparingTo("150");
        assertThat(metric(generated, "achievements:unlocked").get("verification_status").asText()).isEqualTo("verified");
        assertThat(metric(generated, "rank:growth").get("metric_unit").asText()).isEqualTo("rank");
        assertThat(StreamSupport.stream(generated.get("social_templates").spliterator(), false).map(t -> t.get("network").asText()))
                .containsExactly("linkedin", "x", "facebook", "email");
    }

    @Test
    void shouldWriteCaseStudiesOnlyWithNumbersFromTheData() {
        String text = generated.get("case_studies").toString();
        assertThat(text).contains("Campaigns launched went from 2 in " + CaseStudyWriter.window(BEFORE.toString())
                + " to 5 in " + CaseStudyWriter.window(NOW.toString()) + " (+150 %)");
        assertThat(text).contains("First campaign");
        // Every number in the text is a number of the data (metric values, baselines, changes, dates, counts).
        String numbersOfData = generated.get("featured_metrics").toString() + " " + NOW + " " + BEFORE + " " + java.time.LocalDate.now(ZoneOffset.UTC)
                + " " + BEFORE.atDay(10) + " " + NOW.atDay(1) + " 150 1 2 3 4 5 6 7 8 9 10 11";
        var m = java.util.regex.Pattern.compile("\\d+(\\.\\d+)?").matcher(text.replaceAll("W\\d\\d", ""));
        while (m.find()) assertThat(numbersOfData).as("number %s in the case studies", m.group()).contains(m.group());
    }

    @Test
    void shouldRecordThePortfolioGeneratedEvent() throws Exception {
        try (var c = app.ownerConnection(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT data->>'portfolio_id' FROM events WHERE tenant_id = '" + tenant + "' AND type = 'portfolio.generated'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(generated.get("portfolio_id").asText());
        }
    }

    @Test
    void shouldRenderThePublicPageWithItsSeoTags() {
        var r = app.get(path(), null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/html");
        assertThat(r.header("ETag")).isNotBlank();
        assertThat(r.header("Last-Modified")).isNotBlank();
        assertThat(r.header("Cache-Control")).contains("max-age");
        Document d = Jsoup.parse(r.body());
        assertThat(d.title()).contains("Acme Ads");
        assertThat(d.selectFirst("meta[name=description]").attr("content")).contains("Campaigns launched");
        assertThat(d.selectFirst("link[rel=canonical]").attr("href")).isEqualTo(generated.get("showcase_url").asText());
        for (String p : new String[] {"og:title", "og:type", "og:image", "og:url", "og:description", "og:image:alt"}) {
            assertThat(d.selectFirst("meta[property=" + p + "]")).as(p).isNotNull();
            assertThat(d.selectFirst("meta[property=" + p + "]").attr("content")).as(p).isNotBlank();
        }
        assertThat(d.selectFirst("meta[name=twitter:card]").attr("content")).isEqualTo("summary_large_image");
        assertThat(d.selectFirst("meta[name=robots]")).isNull();
        assertThat(d.select("svg.chart")).isNotEmpty();
        assertThat(d.text()).contains("Campaigns launched", "Verified by ThrillRing", "First campaign");
        assertThat(d.select(".share a").eachAttr("href")).allMatch(h -> h.contains(path() + "/share/"));
    }

    @Test
    void shouldDescribeTheShowcaseInValidJsonLdWithoutSelfServingReviews() throws Exception {
        Document d = Jsoup.parse(app.get(path(), null).body());
        JsonNode ld = json.readTree(d.selectFirst("script[type=application/ld+json]").data());
        assertThat(ld.get("@context").asText()).isEqualTo("https://schema.org");
        var types = StreamSupport.stream(ld.get("@graph").spliterator(), false).map(n -> n.get("@type").asText()).toList();
        assertThat(types).contains("Organization", "Article").doesNotContain("Review", "AggregateRating");
        JsonNode article = StreamSupport.stream(ld.get("@graph").spliterator(), false).filter(n -> n.get("@type").asText().equals("Article")).findFirst().orElseThrow();
        assertThat(article.get("headline").asText()).isNotBlank();
        assertThat(article.get("datePublished").asText()).isNotBlank();
        assertThat(d.html()).doesNotContain("AggregateRating");
    }

    @Test
    void shouldAnswerNotModifiedToACurrentCopy() {
        var first = app.get(path(), null);
        var again = app.send("GET", path(), null, null, null, Map.of("If-None-Match", first.header("ETag")));
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
    }

    @Test
    void shouldDrawA1200By630SocialImage() throws Exception {
        var client = java.net.http.HttpClient.newHttpClient();
        var resp = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(app.baseUrl() + path() + "/og.png")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.headers().firstValue("Content-Type")).hasValue("image/png");
        var img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(resp.body()));
        assertThat(img.getWidth()).isEqualTo(1200);
        assertThat(img.getHeight()).isEqualTo(630);
    }

    @Test
    void shouldListPublicPagesInThePlatformSitemapWithRealLastmod() {
        var index = app.get("/sitemap.xml", null);
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.body()).contains("<sitemapindex", "/sitemaps/bizoholic.xml", "<lastmod>");
        var sitemap = app.get("/sitemaps/bizoholic.xml", null);
        assertThat(sitemap.body()).contains("<loc>" + generated.get("showcase_url").asText() + "</loc>");
        var robots = app.get("/robots.txt", null);
        assertThat(robots.body()).contains("Sitemap: ", "/sitemap.xml", "Disallow: /api/");
    }

    @Test
    void shouldTrackASharedLinkAndCountIt() {
        var r = app.get(path() + "/share/linkedin", null);
        assertThat(r.status()).isEqualTo(302);
        assertThat(r.header("Location")).startsWith("https://www.linkedin.com/sharing/share-offsite/?url=");
        var x = app.get(path() + "/share/x", null);
        assertThat(x.header("Location")).startsWith("https://twitter.com/intent/tweet?text=");
        assertThat(app.get(path() + "/share/myspace", null).status()).isEqualTo(404);
        var shares = app.get("/api/v1/showcases/" + tenant + "/portfolios/" + generated.get("portfolio_id").asText() + "/shares", admin);
        assertThat(shares.json().get("shares").get("linkedin").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(shares.json().get("shares").get("twitter").asInt()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void shouldRefuseBadRequestsNamingTheField() {
        var r = app.post("/api/v1/gamification/portfolio/generate", admin, "{\"tenant_id\":\"" + tenant + "\",\"showcase_type\":\"bogus\"}");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.body()).contains("showcase_type");
        var missing = app.post("/api/v1/gamification/portfolio/generate", admin, "{\"platform\":\"bizoholic\"}");
        assertThat(missing.status()).isEqualTo(422);
        assertThat(missing.body()).contains("tenant_id");
        var wrongPlatform = app.post("/api/v1/gamification/portfolio/generate", admin, "{\"tenant_id\":\"" + tenant + "\",\"platform\":\"coreldove\"}");
        assertThat(wrongPlatform.status()).isEqualTo(422);
        var viewer = app.issueKey(tenant, "viewer");
        assertThat(app.post("/api/v1/gamification/portfolio/generate", viewer, "{\"tenant_id\":\"" + tenant + "\"}").status()).isEqualTo(403);
        String base = "/api/v1/showcases/" + tenant + "/portfolios/" + generated.get("portfolio_id").asText();
        var colour = app.send("PATCH", base, admin, "application/json", "{\"custom_branding\":{\"primary_color\":\"red;}\"}}");
        assertThat(colour.status()).isEqualTo(422);
        assertThat(colour.body()).contains("custom_branding.primary_color");
    }
}
