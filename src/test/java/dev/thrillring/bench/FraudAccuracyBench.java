package dev.thrillring.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thrillring.app.Config;
import dev.thrillring.app.Server;
import dev.thrillring.bench.ReferralJourneys.Click;
import dev.thrillring.bench.ReferralJourneys.Conversion;
import dev.thrillring.bench.ReferralJourneys.Referrer;
import dev.thrillring.bench.ReferralJourneys.Signup;
import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Fraud detection accuracy on labelled journeys ({@link ReferralJourneys}) replayed over the HTTP
 * API the way a platform's backend sends them: codes generated with the referrer's e-mail (its
 * address and device through a trusted proxy's headers), then every click, signup and conversion
 * posted in time order with its own {@code occurred_at} (history older than the attribution window
 * as a {@code backfill}) and the referee's address, device, user agent and e-mail asserted by the
 * ingest key. Nothing is inserted into the database directly; final statuses are read back through
 * the conversions listing. Prints a Markdown report for docs/fraud.md.
 *
 * <pre>./mvnw -Pbench test-compile exec:exec -Dbench=dev.thrillring.bench.FraudAccuracyBench -Dbench.args="2000 101"</pre>
 */
public final class FraudAccuracyBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WINDOW = Duration.ofDays(30);

    final TestServer app;
    final String tenant;
    final String ingest;
    final String admin;
    final Map<String, String> codes = new HashMap<>();
    final Map<String, String> clickIds = new HashMap<>();

    /** One labelled conversion: its kind, whether it is fraud, its id and the status it was given when posted. */
    record Labelled(String kind, boolean fraud, String id, String statusWhenPosted) {}

    final List<Labelled> labelled = new ArrayList<>();
    int refused;

    FraudAccuracyBench(TestServer app) {
        this.app = app;
        this.tenant = app.createTenant("Fraud lab", "coreldove");
        this.ingest = app.issueKey(tenant, "ingest");
        this.admin = app.issueKey(tenant, "tenant_admin");
    }

    public static void main(String[] args) throws Exception {
        int journeys = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 101;
        Config config = new Config("127.0.0.1", 0, TestServer.tempDir(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(TestServer.ADMIN_KEY), Path.of("rules"), Path.of("decision-tables"), 1_048_576, 8, 1000, false,
                "http://127.0.0.1:7070", Set.of("127.0.0.1"), 100_000, 100_000, 100_000);
        try (Server server = Server.start(config)) {
            FraudAccuracyBench b = new FraudAccuracyBench(TestServer.wrap(server));
            Instant now = Instant.now();
            // Forty days of history ending four days ago: the oldest events are posted as a backfill.
            ReferralJourneys gen = new ReferralJourneys(seed, now.minus(Duration.ofDays(40)), Duration.ofDays(30)).generate(journeys);
            long t0 = System.nanoTime();
            b.replay(gen, now);
            b.report(journeys, seed, (System.nanoTime() - t0) / 1e9);
        }
        System.exit(0);
    }

    void replay(ReferralJourneys gen, Instant now) {
        for (Referrer r : gen.referrers) {
            ObjectNode body = JSON.createObjectNode().put("tenant_id", tenant).put("referrer_user_id", r.user()).put("referrer_email", r.email());
            Response res = app.send("POST", "/api/v1/gamification/referral/generate-code", ingest, "application/json", body.toString(),
                    Map.of("X-Forwarded-For", r.ip(), "X-Device-Fingerprint", r.device()));
            if (res.status() != 201) throw new IllegalStateException(res.status() + " " + res.body());
            codes.put(r.user(), res.json().get("referral_code").asText());
        }
        List<ReferralJourneys.Event> events = new ArrayList<>(gen.events);
        events.sort(Comparator.comparing(ReferralJourneys.Event::at));
        for (ReferralJourneys.Event e : events) {
            boolean backfill = e.at().isBefore(now.minus(WINDOW).plus(Duration.ofHours(1)));
            switch (e) {
                case Click c -> {
                    ObjectNode b = timed(JSON.createObjectNode().put("referral_code", codes.get(c.referrer().user())), c.at(), backfill)
                            .put("ip", c.ip()).put("device_id", c.device()).put("user_agent", c.userAgent());
                    clickIds.put(c.key(), expect(app.post("/api/v1/referrals/" + tenant + "/clicks", ingest, b.toString()), 201).get("click_id").asText());
                }
                case Signup s -> {
                    ObjectNode b = timed(JSON.createObjectNode().put("referral_code", codes.get(s.referrer().user())).put("referee_user_id", s.referee())
                            .put("click_id", clickIds.get(s.clickKey())), s.at(), backfill)
                            .put("referee_ip", s.ip()).put("referee_device_id", s.device()).put("referee_email", s.email());
                    Response r = app.post("/api/v1/referrals/" + tenant + "/signups", ingest, b.toString());
                    if (r.status() != 201 && r.status() != 200) refused++;
                }
                case Conversion c -> {
                    ObjectNode b = timed(JSON.createObjectNode().put("tenant_id", tenant).put("referral_code", codes.get(c.referrer().user()))
                            .put("referee_user_id", c.referee()).put("conversion_type", "purchase").put("conversion_value", c.value()), c.at(), backfill)
                            .put("referee_ip", c.ip()).put("referee_device_id", c.device()).put("referee_user_agent", c.userAgent())
                            .put("referee_email", c.email());
                    if (c.clickKey() != null) b.put("click_id", clickIds.get(c.clickKey()));
                    Response r = app.post("/api/v1/gamification/referral/track-conversion", ingest, b.toString());
                    if (r.status() == 409) {
                        refused++;
                        continue;
                    }
                    JsonNode j = expect(r, 200);
                    labelled.add(new Labelled(c.kind(), c.fraud(), j.get("conversion_id").asText(), j.get("status").asText()));
                }
            }
        }
    }

    static ObjectNode timed(ObjectNode b, Instant at, boolean backfill) {
        b.put("occurred_at", at.toString());
        if (backfill) b.put("backfill", true);
        return b;
    }

    static JsonNode expect(Response r, int status) {
        if (r.status() != status) throw new IllegalStateException(r.status() + " " + r.body());
        return r.json();
    }

    final Map<String, String> indicators = new HashMap<>();

    /** Final statuses through the listing, page by page: later conversions can send earlier ones back to review. */
    Map<String, String> finalStatuses() {
        Map<String, String> out = new HashMap<>();
        String cursor = null;
        do {
            JsonNode page = expect(app.get("/api/v1/referrals/" + tenant + "/conversions?limit=500" + (cursor == null ? "" : "&cursor=" + cursor), admin), 200);
            page.get("conversions").forEach(c -> {
                out.put(c.get("conversion_id").asText(), c.get("status").asText());
                List<String> names = new ArrayList<>();
                c.get("reasons").forEach(r -> { if (r.get("weight").asDouble() > 0) names.add(r.get("indicator").asText()); });
                java.util.Collections.sort(names);
                indicators.put(c.get("conversion_id").asText(), names.isEmpty() ? "(none)" : String.join(" + ", names));
            });
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null);
        return out;
    }

    void report(int journeys, long seed, double seconds) {
        Map<String, String> finalStatus = finalStatuses();
        long fraud = labelled.stream().filter(Labelled::fraud).count();
        System.out.printf("%d journeys (seed %d): %d conversions, %d legitimate, %d fraudulent; %d requests refused (409); replayed in %.0f s%n%n",
                journeys, seed, labelled.size(), labelled.size() - fraud, fraud, refused, seconds);
        Map<String, int[]> byKind = new TreeMap<>();
        for (Labelled l : labelled) {
            int[] k = byKind.computeIfAbsent(l.kind(), x -> new int[3]);
            String st = finalStatus.get(l.id());
            k[0]++;
            if (st.equals("pending_review")) k[1]++;
            if (st.equals("rejected")) k[2]++;
        }
        System.out.println("| journey kind (final status) | conversions | approved | review | rejected | caught or passed |");
        System.out.println("|---|---|---|---|---|---|");
        byKind.forEach((k, v) -> System.out.printf("| %s | %d | %d | %d | %d | %.1f %% %s |%n", k, v[0], v[0] - v[1] - v[2], v[1], v[2],
                k.startsWith("fraud") ? 100.0 * (v[1] + v[2]) / v[0] : 100.0 * (v[0] - v[1] - v[2]) / v[0], k.startsWith("fraud") ? "caught" : "passed"));
        System.out.println();
        Map<String, double[]> posted = measures(Labelled::statusWhenPosted);
        Map<String, double[]> last = measures(l -> finalStatus.get(l.id()));
        System.out.println("| measure (caught = sent to review or rejected) | when posted | final |");
        System.out.println("|---|---|---|");
        posted.forEach((name, v) -> System.out.printf("| %s | %.1f %% | %.1f %% |%n", name, v[0], last.get(name)[0]));
        System.out.println();
        System.out.println("| errors (final): journey kind | status | indicators | conversions |");
        System.out.println("|---|---|---|---|");
        Map<String, Integer> errors = new TreeMap<>();
        for (Labelled l : labelled) {
            String st = finalStatus.get(l.id());
            if (l.fraud() == !st.equals("approved")) continue;
            errors.merge(l.kind() + " | " + st + " | " + indicators.get(l.id()), 1, Integer::sum);
        }
        errors.forEach((k, v) -> System.out.printf("| %s | %d |%n", k, v));
    }

    private Map<String, double[]> measures(java.util.function.Function<Labelled, String> status) {
        int tp = 0, fp = 0, tn = 0, fn = 0, rejectedLegit = 0, reviewLegit = 0, rejectedFraud = 0;
        for (Labelled l : labelled) {
            String st = status.apply(l);
            boolean caught = !st.equals("approved");
            if (l.fraud()) { if (caught) tp++; else fn++; } else { if (caught) fp++; else tn++; }
            if (st.equals("rejected")) { if (l.fraud()) rejectedFraud++; else rejectedLegit++; }
            if (st.equals("pending_review") && !l.fraud()) reviewLegit++;
        }
        int total = tp + fp + tn + fn;
        Map<String, double[]> m = new LinkedHashMap<>();
        m.put("accuracy", new double[]{100.0 * (tp + tn) / total});
        m.put("precision", new double[]{100.0 * tp / Math.max(1, tp + fp)});
        m.put("recall", new double[]{100.0 * tp / Math.max(1, tp + fn)});
        m.put("legitimate rejected", new double[]{100.0 * rejectedLegit / Math.max(1, tn + fp)});
        m.put("legitimate sent to review", new double[]{100.0 * reviewLegit / Math.max(1, tn + fp)});
        m.put("fraud rejected outright", new double[]{100.0 * rejectedFraud / Math.max(1, tp + fn)});
        return m;
    }
}
