package dev.thrillring.bench;

import dev.thrillring.app.Config;
import dev.thrillring.app.Server;
import dev.thrillring.support.TestServer;

import java.nio.file.Path;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Public showcase page latency, warm, against {@code GET /health} in the same run and the same
 * loop (interleaved): the full page (lookup, tenant-scoped read of the portfolio and its metrics,
 * jte render), a revalidation answered 304, and the cached social image.
 *
 * <pre>./mvnw -Pbench test-compile exec:exec -Dbench=dev.thrillring.bench.ShowcaseRenderBench -Dbench.args="2000"</pre>
 */
public final class ShowcaseRenderBench {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        Config config = new Config("127.0.0.1", 0, TestServer.tempDir(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(TestServer.ADMIN_KEY), Path.of("rules"), Path.of("decision-tables"), 1_048_576, 8, 100, false,
                "http://127.0.0.1:7070", Set.of(), 1_000_000, 1_000_000, 1_000_000);
        try (Server server = Server.start(config)) {
            var app = TestServer.wrap(server);
            String tenant = app.createTenant("Bench Studio", "bizoholic");
            String admin = app.issueKey(tenant, "tenant_admin");
            String ingest = app.issueKey(tenant, "ingest");
            YearMonth before = YearMonth.now(ZoneOffset.UTC).minusMonths(1);
            Instant recent = Instant.now().minusSeconds(600);
            for (int i = 0; i < 40; i++) {
                String at = (i < 15 ? before.atDay(3).atTime(8, i).toInstant(ZoneOffset.UTC) : recent.plusSeconds(i)).toString();
                String type = i % 2 == 0 ? "campaign.launched" : "lead.captured";
                app.post("/api/v1/facts", ingest, "{\"id\":\"f" + i + "\",\"tenant_id\":\"" + tenant + "\",\"type\":\"" + type
                        + "\",\"occurred_at\":\"" + at + "\",\"attributes\":{\"count\":3}}");
            }
            var g = app.post("/api/v1/gamification/portfolio/generate", admin, "{\"tenant_id\":\"" + tenant + "\"}");
            String base = "/api/v1/showcases/" + tenant + "/portfolios/" + g.json().get("portfolio_id").asText();
            for (int i = 0; i < 5; i++) {
                app.post(base + "/testimonials", admin, "{\"quote\":\"Quote number " + i + " about the results we saw.\",\"author\":\"Client " + i + "\"}");
            }
            String page = g.json().get("showcase_url").asText().replaceFirst("^https?://[^/]+", "");
            var first = app.get(page, null);
            if (first.status() != 200) throw new IllegalStateException(first.status() + " " + first.body());
            String etag = first.header("ETag");
            for (int i = 0; i < 500; i++) {
                app.get(page, null);
                app.get("/health", null);
                app.get(page + "/og.png", null);
            }
            double[] health = new double[n], full = new double[n], revalidate = new double[n], image = new double[n];
            for (int i = 0; i < n; i++) {
                health[i] = time(() -> app.get("/health", null));
                full[i] = time(() -> app.get(page, null));
                revalidate[i] = time(() -> app.send("GET", page, null, null, null, Map.of("If-None-Match", etag)));
                image[i] = time(() -> app.get(page + "/og.png", null));
            }
            System.out.printf("page: %d bytes, %d metrics, %d testimonials; %d requests each, interleaved, after 500 warm-up rounds%n",
                    first.body().length(), g.json().get("featured_metrics").size(), 5, n);
            System.out.println("| request | p50 | p99 |");
            System.out.println("|---|---|---|");
            row("baseline: GET /health", health, null);
            row("GET /s/{platform}/{slug} (full render)", full, health);
            row("GET /s/{platform}/{slug} with If-None-Match (304)", revalidate, health);
            row("GET /s/{platform}/{slug}/og.png (cached PNG)", image, health);
        }
    }

    static double time(Runnable r) {
        long t = System.nanoTime();
        r.run();
        return (System.nanoTime() - t) / 1e6;
    }

    static void row(String name, double[] v, double[] baseline) {
        Arrays.sort(v);
        double p50 = v[v.length / 2], p99 = v[(int) Math.ceil(v.length * 0.99) - 1];
        String rel = "";
        if (baseline != null) {
            double b50 = baseline[baseline.length / 2], b99 = baseline[(int) Math.ceil(baseline.length * 0.99) - 1];
            rel = String.format(" (%.1f× / %.1f× /health)", p50 / b50, p99 / b99);
        }
        System.out.printf("| %s | %.2f ms | %.2f ms%s |%n", name, p50, p99, rel);
    }
}
