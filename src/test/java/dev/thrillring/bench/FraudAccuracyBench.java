package dev.thrillring.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thrillring.app.Config;
import dev.thrillring.app.Server;
import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * Fraud detection accuracy on labelled, generated referral journeys, through the real service:
 * codes, clicks (inserted with past timestamps, since the journeys span days), conversions over
 * HTTP with the referee's address and device, signals computed by the service, weights from the
 * shipped fraud-indicators table. Prints a Markdown report for docs/fraud.md. Seeded: the same
 * seed gives the same journeys.
 *
 * <pre>./mvnw -Pbench test-compile exec:exec -Dbench=dev.thrillring.bench.FraudAccuracyBench -Dbench.args="2000 42"</pre>
 */
public final class FraudAccuracyBench {
    static final String[] COMPANIES = {"acme.example", "globex.example", "initech.example", "umbrella.example", "gmail.com", "outlook.com"};

    final Random rnd;
    final TestServer app;
    final Connection owner;
    final String tenant;
    final String ingest;
    /** One labelled conversion: its kind, whether it is fraud, its id and the status it was given when posted. */
    record Labelled(String kind, boolean fraud, String id, String statusWhenPosted) {}

    final List<Labelled> labelled = new ArrayList<>();
    int n;

    FraudAccuracyBench(TestServer app, Connection owner, long seed) {
        this.rnd = new Random(seed);
        this.app = app;
        this.owner = owner;
        this.tenant = app.createTenant("Fraud lab", "coreldove");
        this.ingest = app.issueKey(tenant, "ingest");
    }

    public static void main(String[] args) throws Exception {
        int journeys = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 42;
        Config config = new Config("127.0.0.1", 0, TestServer.tempDir(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(TestServer.ADMIN_KEY), Path.of("rules"), Path.of("decision-tables"), 1_048_576, 8, 1000, false,
                "http://127.0.0.1:7070", Set.of("127.0.0.1"), 100_000, 100_000, 100_000);
        try (Server server = Server.start(config);
             Connection owner = DriverManager.getConnection(server.database().jdbcUrl(), "postgres", "")) {
            FraudAccuracyBench b = new FraudAccuracyBench(TestServer.wrap(server), owner, seed);
            for (int i = 0; i < journeys; i++) b.journey();
            b.report(journeys, seed);
        }
        System.exit(0);
    }

    record Referrer(String user, String ip, String device, String code) {}

    Referrer referrer() {
        String user = "ref-" + (++n);
        String ip = ip();
        String device = "dev-" + user;
        Response r = app.send("POST", "/api/v1/gamification/referral/generate-code", ingest, "application/json",
                "{\"tenant_id\":\"" + tenant + "\",\"referrer_user_id\":\"" + user + "\"}", Map.of("X-Forwarded-For", ip, "X-Device-Fingerprint", device));
        return new Referrer(user, ip, device, r.json().get("referral_code").asText());
    }

    void journey() throws Exception {
        double p = rnd.nextDouble();
        if (p < 0.80) legit(rnd.nextDouble());
        else fraud(rnd.nextDouble());
    }

    void legit(double p) throws Exception {
        Referrer r = referrer();
        String referee = "user-" + (++n);
        String email = (rnd.nextBoolean() ? "Jane.Doe" : "j.smith") + n + "@" + COMPANIES[rnd.nextInt(COMPANIES.length)];
        String ip = ip();
        String device = "dev-" + referee;
        String kind;
        Duration sinceClick = Duration.ofMinutes(30 + rnd.nextInt(3 * 24 * 60));
        if (p < 0.70) kind = "legit: ordinary";
        else if (p < 0.78) { kind = "legit: fast converter (2-4 min)"; sinceClick = Duration.ofSeconds(120 + rnd.nextInt(120)); }
        else if (p < 0.85) { kind = "legit: same office network as referrer"; ip = r.ip(); }
        else if (p < 0.88) { kind = "legit: shared family device, other network"; device = r.device(); }
        else if (p < 0.90) { kind = "legit: family, same device and home network"; device = r.device(); ip = r.ip(); }
        else { kind = "legit: typed the code, no click"; sinceClick = null; }
        if (sinceClick != null) click(r.code(), ip, device, sinceClick);
        record(kind, false, convert(r.code(), referee, email, ip, device, 20 + rnd.nextInt(200)));
    }

    void fraud(double p) throws Exception {
        Referrer r = referrer();
        if (p < 0.30) {
            String referee = "sock-" + (++n);
            click(r.code(), r.ip(), r.device(), Duration.ofSeconds(20 + rnd.nextInt(200)));
            record("fraud: sock puppet on the referrer's machine", true, convert(r.code(), referee, "sock" + n + "@gmail.com", r.ip(), r.device(), 30));
        } else if (p < 0.55) {
            String referee = "farm-" + (++n);
            String ip = ip();
            click(r.code(), ip, "dev-" + referee, Duration.ofSeconds(30 + rnd.nextInt(120)));
            record("fraud: disposable e-mail farm", true, convert(r.code(), referee, "x" + n + "@mailinator.com", ip, "dev-" + referee, 25));
        } else if (p < 0.75) {
            String ip = ip();
            for (int i = 0; i < 8; i++) {
                String referee = "burst-" + (++n);
                click(r.code(), ip, "dev-" + referee, Duration.ofSeconds(10 + rnd.nextInt(60)));
                record("fraud: burst of fake referees from one address", true,
                        convert(r.code(), referee, "b" + n + "@gmail.com", ip, "dev-" + referee, 19));
            }
        } else if (p < 0.90) {
            String device = "dev-reused-" + (++n);
            String first = "dup-a-" + n;
            convert(r.code(), first, first + "@gmail.com", ip(), device, 40);
            String second = "dup-b-" + n;
            click(r.code(), ip(), device, Duration.ofMinutes(2));
            record("fraud: same device converting again as another referee", true, convert(r.code(), second, second + "@gmail.com", ip(), device, 40));
        } else {
            Referrer partner = referrer();
            String partnerIp = partner.ip();
            click(r.code(), partnerIp, partner.device(), Duration.ofHours(5));
            convert(r.code(), partner.user(), partner.user() + "@gmail.com", partnerIp, partner.device(), 60);
            click(partner.code(), r.ip(), r.device(), Duration.ofMinutes(3));
            record("fraud: referral ring (A refers B, B refers A)", true, convert(partner.code(), r.user(), r.user() + "@gmail.com", r.ip(), r.device(), 60));
        }
    }

    void click(String code, String ip, String device, Duration ago) throws Exception {
        try (PreparedStatement ps = owner.prepareStatement("INSERT INTO referral_clicks (tenant_id, referral_code_id, ip_address, device_fingerprint, clicked_at) "
                + "SELECT tenant_id, id, ?, ?, ? FROM referral_codes WHERE code = ?")) {
            ps.setString(1, ip);
            ps.setString(2, device);
            ps.setTimestamp(3, Timestamp.from(Instant.now().minus(ago)));
            ps.setString(4, code);
            ps.executeUpdate();
        }
    }

    JsonNode convert(String code, String referee, String email, String ip, String device, int value) {
        Response r = app.send("POST", "/api/v1/gamification/referral/track-conversion", ingest, "application/json",
                "{\"tenant_id\":\"" + tenant + "\",\"referral_code\":\"" + code + "\",\"referee_user_id\":\"" + referee + "\",\"referee_email\":\"" + email
                        + "\",\"conversion_type\":\"purchase\",\"conversion_value\":" + value + "}",
                Map.of("X-Forwarded-For", ip, "X-Device-Fingerprint", device));
        if (r.status() != 200) throw new IllegalStateException(r.status() + " " + r.body());
        return r.json();
    }

    void record(String kind, boolean fraud, JsonNode result) {
        labelled.add(new Labelled(kind, fraud, result.get("conversion_id").asText(), result.get("status").asText()));
    }

    String ip() { return "10." + rnd.nextInt(250) + "." + rnd.nextInt(250) + "." + (1 + rnd.nextInt(250)); }

    /**
     * Statuses when each conversion was posted, and at the end: later conversions can send earlier
     * ones of a burst back to review while their rewards are held, which is what a reviewer sees.
     */
    void report(int journeys, long seed) throws Exception {
        Map<String, String> finalStatus = new java.util.HashMap<>();
        try (ResultSet rs = owner.createStatement().executeQuery("SELECT id::text, status FROM referral_conversions")) {
            while (rs.next()) finalStatus.put(rs.getString(1), rs.getString(2));
        }
        long fraud = labelled.stream().filter(Labelled::fraud).count();
        long legit = labelled.size() - fraud;
        System.out.printf("%d journeys (seed %d): %d conversions, %d legitimate, %d fraudulent%n%n", journeys, seed, labelled.size(), legit, fraud);
        Map<String, int[]> byKind = new LinkedHashMap<>();
        for (Labelled l : labelled) {
            int[] k = byKind.computeIfAbsent(l.kind(), x -> new int[3]);
            String st = finalStatus.get(l.id());
            k[0]++;
            if (st.equals("pending_review")) k[1]++;
            if (st.equals("rejected")) k[2]++;
        }
        System.out.println("| journey kind (final status) | conversions | approved | review | rejected |");
        System.out.println("|---|---|---|---|---|");
        byKind.forEach((k, v) -> System.out.printf("| %s | %d | %d | %d | %d |%n", k, v[0], v[0] - v[1] - v[2], v[1], v[2]));
        System.out.println();
        double[] posted = measures(l -> l.statusWhenPosted());
        double[] last = measures(l -> finalStatus.get(l.id()));
        System.out.println("| measure (fraud = sent to review or rejected) | when posted | final |");
        System.out.println("|---|---|---|");
        String[] names = {"accuracy", "precision", "recall", "legitimate conversions sent to review or rejected",
                "legitimate conversions rejected (false positives that cost a customer)", "fraudulent conversions rejected outright"};
        for (int i = 0; i < names.length; i++) System.out.printf("| %s | %.1f %% | %.1f %% |%n", names[i], posted[i], last[i]);
    }

    private double[] measures(java.util.function.Function<Labelled, String> status) {
        int tp = 0, fp = 0, tn = 0, fn = 0, rejectedLegit = 0, rejectedFraud = 0;
        for (Labelled l : labelled) {
            String st = status.apply(l);
            boolean flagged = !st.equals("approved");
            if (l.fraud() && flagged) tp++;
            if (l.fraud() && !flagged) fn++;
            if (!l.fraud() && flagged) fp++;
            if (!l.fraud() && !flagged) tn++;
            if (st.equals("rejected")) {
                if (l.fraud()) rejectedFraud++;
                else rejectedLegit++;
            }
        }
        int total = tp + fp + tn + fn;
        int fraud = tp + fn;
        int legit = tn + fp;
        return new double[]{100.0 * (tp + tn) / total, 100.0 * tp / Math.max(1, tp + fp), 100.0 * tp / Math.max(1, fraud),
                100.0 * fp / Math.max(1, legit), 100.0 * rejectedLegit / Math.max(1, legit), 100.0 * rejectedFraud / Math.max(1, fraud)};
    }
}
