package dev.thrillring.showcases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.thrillring.support.TestServer;
import org.jsoup.Jsoup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The optional model writer, against an OpenAI-compatible stub on loopback (no model is reachable
 * here): a faithful rewording is kept and marked, and a changed number, a garbled answer, an error
 * or a timeout all keep the deterministic text.
 */
class CaseStudyRewriterTest {
    static final ObjectMapper json = new ObjectMapper();
    /** What the stub does with the next request: good, number, fall, garbage, error, slow. */
    static final AtomicReference<String> mode = new AtomicReference<>("good");
    static final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    static HttpServer stub;
    static TestServer app;
    static String tenant;
    static String admin;

    @BeforeAll
    static void start() throws Exception {
        stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        stub.createContext("/v1/chat/completions", ex -> {
            JsonNode req = json.readTree(ex.getRequestBody());
            requests.add(req);
            JsonNode study = json.readTree(req.path("messages").path(1).path("content").asText());
            String content = switch (mode.get()) {
                case "good" -> reworded(study, s -> "Put simply: " + s).toString();
                case "number" -> reworded(study, s -> s.replaceFirst("\\d+", "999")).toString();
                case "fall" -> reworded(study, s -> s + " Results dropped afterwards.").toString();
                case "garbage" -> "Sure! Here is a nicer version of your case study.";
                case "slow" -> {
                    try { Thread.sleep(3_000); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
                    yield reworded(study, s -> s).toString();
                }
                default -> null;
            };
            byte[] body;
            int status = 200;
            if (content == null) {
                status = 500;
                body = "{\"error\":\"down\"}".getBytes(StandardCharsets.UTF_8);
            } else {
                ObjectNode res = json.createObjectNode();
                res.putArray("choices").addObject().putObject("message").put("role", "assistant").put("content", "```json\n" + content + "\n```");
                body = res.toString().getBytes(StandardCharsets.UTF_8);
            }
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        stub.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        stub.start();
        URI base = URI.create("http://127.0.0.1:" + stub.getAddress().getPort() + "/v1");
        app = TestServer.start(TestServer.tempDir(), c -> c.withWriter(
                new CaseStudyRewriter.Settings(base, "stub-model", Optional.of("sk-test"), Duration.ofSeconds(1))));
        tenant = app.createTenant("Rewrite Works", "bizoholic");
        admin = app.issueKey(tenant, "tenant_admin");
        String ingest = app.issueKey(tenant, "ingest");
        for (int i = 0; i < 3; i++) {
            ObjectNode f = json.createObjectNode().put("id", "rw-" + i).put("tenant_id", tenant).put("type", "campaign.launched")
                    .put("occurred_at", Instant.now().minusSeconds(60 - i).toString());
            f.putObject("attributes").put("channel", "search");
            assertThat(app.post("/api/v1/facts", ingest, f.toString()).status()).isEqualTo(200);
        }
    }

    @AfterAll
    static void stop() {
        if (app != null) app.close();
        if (stub != null) stub.stop(0);
    }

    static ObjectNode reworded(JsonNode study, java.util.function.UnaryOperator<String> change) {
        ObjectNode out = json.createObjectNode();
        out.put("title", change.apply(study.get("title").asText()));
        out.put("summary", change.apply(study.get("summary").asText()));
        ArrayNode body = out.putArray("body");
        study.get("body").forEach(p -> body.add(change.apply(p.asText())));
        return out;
    }

    static JsonNode generate() {
        var r = app.post("/api/v1/gamification/portfolio/generate", admin,
                "{\"tenant_id\":\"" + tenant + "\",\"platform\":\"bizoholic\",\"showcase_type\":\"achievements\"}");
        assertThat(r.status()).as(r.body()).isIn(200, 201);
        return r.json();
    }

    @Test
    void shouldKeepAFaithfulRewordingMarkTheStudyAndSayItOnThePage() {
        mode.set("good");
        requests.clear();
        JsonNode out = generate();
        JsonNode study = out.get("case_studies").get(0);
        assertThat(study.get("written_by").asText()).isEqualTo("model");
        assertThat(study.get("summary").asText()).startsWith("Put simply: ");
        // The request is an OpenAI-compatible chat completion with the key and the rules in the system prompt.
        JsonNode req = requests.getFirst();
        assertThat(req.get("model").asText()).isEqualTo("stub-model");
        assertThat(req.get("messages").get(0).get("content").asText()).contains("keep every number");
        // What was stored is what the page shows.
        String url = out.get("showcase_url").asText().replaceFirst("^https?://[^/]+", "");
        var page = app.get(url, null);
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        var doc = Jsoup.parse(page.body());
        assertThat(doc.select("article p").eachText()).anyMatch(t -> t.startsWith("Put simply: "));
        assertThat(doc.text()).contains("every number was checked");
    }

    @Test
    void shouldDiscardARewriteThatChangesANumberOrADirectionOrIsNotJsonOrFailsOrIsSlow() {
        for (String m : List.of("number", "fall", "garbage", "error", "slow")) {
            mode.set(m);
            JsonNode study = generate().get("case_studies").get(0);
            assertThat(study.get("written_by").asText()).as(m).isEqualTo("template");
            assertThat(study.get("summary").asText()).as(m).doesNotContain("999").doesNotContain("dropped").doesNotStartWith("Put simply");
        }
    }

    @Test
    void shouldCompareTheFactsOfTwoTextsNotTheirWording() {
        String original = "Campaigns launched went from 2 in October 2026 to 5 in November 2026 (+150 %).";
        assertThat(CaseStudyRewriter.sameFacts(original, "In November 2026, campaigns launched reached 5, up from 2 in October 2026 (+150 %).")).isTrue();
        assertThat(CaseStudyRewriter.sameFacts(original, "Campaigns launched went from 2 to 6 (+150 %) in November 2026, October 2026.")).isFalse();
        assertThat(CaseStudyRewriter.sameFacts(original, "Campaigns launched went from 2 in October 2026 to 5 in November 2026 (-150 %).")).isFalse();
        assertThat(CaseStudyRewriter.sameFacts(original, "Campaigns launched more than doubled from 2 in October 2026 to 5 in November 2026 (+150 %).")).isFalse();
        assertThat(CaseStudyRewriter.sameFacts(original, "Campaigns launched went from 2 in October 2026 to 5 in November 2026 (+150 %). See https://spam.example")).isFalse();
        assertThat(CaseStudyRewriter.sameFacts(original, "Campaigns fell from 2 in October 2026 to 5 in November 2026 (+150 %).")).isFalse();
        assertThat(CaseStudyRewriter.sameFacts("Revenue went from 1,200 to 1,500.", "Revenue rose to 1500 from 1200.")).isTrue();
        assertThat(CaseStudyRewriter.faithful(Map.of("title", "A 1", "summary", "B 2", "body", List.of("C 3")),
                Map.of("title", "A 1", "summary", "B 2", "body", List.of("C 3", "D")))).isFalse();
    }
}
