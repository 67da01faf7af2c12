package dev.thrillring.referrals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Conversions over HTTP: signals the service records itself, bands, tiers, caps, review, ledger. */
class ConversionTest {
    static TestServer app;
    static final AtomicInteger n = new AtomicInteger();

    record Tenant(String id, String admin, String ingest) {}

    @BeforeAll
    static void setUp() { app = TestServer.shared(); }

    static Tenant tenant() {
        String id = app.createTenant("Converting " + n.incrementAndGet(), "coreldove");
        return new Tenant(id, app.issueKey(id, "tenant_admin"), app.issueKey(id, "ingest"));
    }

    static Response asVisitor(Tenant t, String path, String body, String ip, String device) {
        return app.send("POST", path, t.ingest, "application/json", body, Map.of("X-Forwarded-For", ip, "X-Device-Fingerprint", device));
    }

    /** A code for {@code referrer}, requested by the platform on behalf of a referrer at 198.51.100.1 on device dev-referrer. */
    static String code(Tenant t, String referrer, String extra) {
        Response r = asVisitor(t, "/api/v1/gamification/referral/generate-code",
                "{\"tenant_id\":\"" + t.id + "\",\"referrer_user_id\":\"" + referrer + "\"" + extra + "}", "198.51.100.1", "dev-referrer");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("referral_code").asText();
    }

    static Response convert(Tenant t, String code, String referee, String extra, String ip, String device) {
        return asVisitor(t, "/api/v1/gamification/referral/track-conversion", "{\"tenant_id\":\"" + t.id + "\",\"referral_code\":\"" + code
                + "\",\"referee_user_id\":\"" + referee + "\",\"conversion_type\":\"purchase\",\"conversion_value\":49.90" + extra + "}", ip, device);
    }

    static Response convert(Tenant t, String code, String referee) {
        return convert(t, code, referee, "", "203.0.113." + n.incrementAndGet() % 250, "dev-" + referee);
    }

    @Test
    void shouldApproveACleanConversionWithDoubleSidedRewardsOnHold() {
        Tenant t = tenant();
        String code = code(t, "alice", "");
        Response r = convert(t, code, "bob", ",\"referee_email\":\"Bob.Smith+ref@Example.com\",\"order_id\":\"o-1\"", "203.0.113.10", "dev-bob");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("status").asText()).isEqualTo("approved");
        assertThat(r.json().get("fraud_score").asDouble()).isZero();
        JsonNode rewards = r.json().get("rewards");
        assertThat(rewards).hasSize(2);
        assertThat(rewards.findValuesAsText("party")).containsExactlyInAnyOrder("referrer", "referee");
        assertThat(rewards.findValuesAsText("state")).containsOnly("pending");
        assertThat(rewards.findValuesAsText("tier")).containsOnly("bronze");

        Response again = convert(t, code, "bob", ",\"referee_email\":\"Bob.Smith+ref@Example.com\",\"order_id\":\"o-1\"", "203.0.113.10", "dev-bob");
        assertThat(again.json().get("replayed").asBoolean()).isTrue();
        assertThat(again.json().get("conversion_id")).isEqualTo(r.json().get("conversion_id"));
        // The same order id with another body is a conflict, as with facts, naming the field.
        Response changed = convert(t, code, "bob", ",\"order_id\":\"o-1\"", "203.0.113.10", "dev-bob");
        assertThat(changed.status()).isEqualTo(409);
        assertThat(changed.json().get("errors").get(0).get("field").asText()).isEqualTo("order_id");
        assertThat(convert(t, code, "bob", ",\"order_id\":\"o-2\"", "203.0.113.10", "dev-bob").status()).isEqualTo(409);
    }

    @Test
    void shouldMoveTheBoardsWithAnApprovedConversionsScores() throws Exception {
        Tenant t = tenant();
        String code = code(t, "scorer", "");
        Response r = convert(t, code, "scored-referee");
        assertThat(r.json().get("status").asText()).as(r.body()).isEqualTo("approved");
        // The shipped scoring table gives referral.converted 20 on the growth board and 2 on engagement.
        try (var c = app.ownerConnection(); var ps = c.prepareStatement("SELECT l.leaderboard_key, e.score FROM leaderboard_entries e "
                + "JOIN leaderboards l ON l.id = e.leaderboard_id WHERE e.tenant_id = ?::uuid AND e.user_id = 'scorer' ORDER BY 1")) {
            ps.setString(1, t.id);
            Map<String, Double> scores = new java.util.TreeMap<>();
            try (var rs = ps.executeQuery()) {
                while (rs.next()) scores.put(rs.getString(1), rs.getDouble(2));
            }
            assertThat(scores).containsEntry("growth", 20.0).containsEntry("engagement", 2.0);
        }
        Response events = app.get("/api/v1/tenants/" + t.id + "/events?limit=100", t.admin);
        assertThat(events.json().get("events").findValuesAsText("type")).contains("referral.converted", "leaderboard.rank_changed");
    }

    @Test
    void shouldWithholdTheRewardOfAHeldOutPartyOnly() throws Exception {
        Tenant t = tenant();
        assertThat(app.send("PUT", "/api/v1/tenants/" + t.id + "/holdout", t.admin, "application/json", "{\"share\":0.5}").status()).isEqualTo(200);
        java.util.UUID id = java.util.UUID.fromString(t.id);
        java.math.BigDecimal half = new java.math.BigDecimal("0.5");
        List<String> held = new ArrayList<>(), treated = new ArrayList<>();
        for (int i = 1; held.size() < 2 || treated.size() < 2; i++) {
            (dev.thrillring.analytics.Holdout.contains(id, "ref-" + i, half) ? held : treated).add("ref-" + i);
        }
        // A held-out referrer, a treated referee: the referee's reward stands, the referrer's is withheld.
        Response r = convert(t, code(t, held.get(0), ""), treated.get(0));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("status").asText()).isEqualTo("approved");
        assertThat(r.json().get("rewards").findValuesAsText("party")).containsExactly("referee");
        assertThat(r.body()).contains("\"indicator\":\"holdout\"");
        // And the other way round (other users: a referee who referred the referrer before is a ring).
        Response back = convert(t, code(t, treated.get(1), ""), held.get(1));
        assertThat(back.json().get("rewards").findValuesAsText("party")).as(back.body()).containsExactly("referrer");
        try (var c = app.ownerConnection(); var ps = c.prepareStatement(
                "SELECT count(*) FROM reward_ledger WHERE tenant_id = ?::uuid AND beneficiary = ?")) {
            ps.setString(1, t.id);
            for (String user : held) {
                ps.setString(2, user);
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("ledger rows of the held-out " + user).isZero();
                }
            }
        }
    }

    @Test
    void shouldScoreSignalsItRecordedItselfIntoBands() {
        Tenant t = tenant();
        String code = code(t, "alice", "");
        Response self = convert(t, code, "alice", "", "203.0.113.20", "dev-x");
        assertThat(self.json().get("status").asText()).isEqualTo("rejected");
        assertThat(self.json().get("reasons").toString()).contains("self_referral");

        Response sameMachine = convert(t, code, "carol", "", "198.51.100.1", "dev-referrer");
        assertThat(sameMachine.json().get("status").asText()).isEqualTo("pending_review");
        assertThat(sameMachine.json().get("reasons").findValuesAsText("indicator")).containsExactlyInAnyOrder("same_ip", "same_device");
        assertThat(sameMachine.json().get("fraud_score").asDouble()).isEqualTo(0.65);

        Response disposable = convert(t, code, "dave", ",\"referee_email\":\"dave@mailinator.com\"", "203.0.113.21", "dev-dave");
        assertThat(disposable.json().get("status").asText()).isEqualTo("pending_review");
        assertThat(disposable.json().get("fraud_score").asDouble()).isEqualTo(0.4);

        // A click seconds before the conversion from the referee's device: fast, which alone weighs
        // too little for review; with a disposable address it is sent to review.
        String clickCode = code(t, "erin", "");
        app.send("GET", "/r/" + clickCode + "?d=dev-frank", null, null, null, Map.of("X-Forwarded-For", "203.0.113.22"));
        Response fast = convert(t, clickCode, "frank", "", "203.0.113.22", "dev-frank");
        assertThat(fast.json().get("reasons").findValuesAsText("indicator")).containsExactly("fast_conversion");
        assertThat(fast.json().get("status").asText()).isEqualTo("approved");
        app.send("GET", "/r/" + clickCode + "?d=dev-gus", null, null, null, Map.of("X-Forwarded-For", "203.0.113.23"));
        Response fastDisposable = convert(t, clickCode, "gus", ",\"referee_email\":\"gus@yopmail.com\"", "203.0.113.23", "dev-gus");
        assertThat(fastDisposable.json().get("fraud_score").asDouble()).isEqualTo(0.6);
        assertThat(fastDisposable.json().get("status").asText()).isEqualTo("pending_review");

        Response queue = app.get("/api/v1/referrals/" + t.id + "/review-queue", t.admin);
        assertThat(queue.json().get("conversions").findValuesAsText("referee_user_id")).containsExactly("carol", "dave", "gus");
    }

    @Test
    void shouldReviewRefundAndClawBackThroughTheLedgerWithoutEditingRows() throws Exception {
        Tenant t = tenant();
        Response program = app.post("/api/v1/referrals/" + t.id + "/programs", t.admin, "{\"program_name\":\"Instant\",\"hold_days\":0}");
        assertThat(program.status()).isEqualTo(201);
        String code = code(t, "alice", ",\"program_type\":\"Instant\"");
        Response flagged = convert(t, code, "gina", ",\"referee_email\":\"gina@yopmail.com\"", "203.0.113.30", "dev-gina");
        String id = flagged.json().get("conversion_id").asText();
        Response approved = app.post("/api/v1/referrals/" + t.id + "/conversions/" + id + "/review", t.admin,
                "{\"decision\":\"approve\",\"note\":\"known customer\"}");
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        assertThat(approved.json().get("status").asText()).isEqualTo("approved");
        assertThat(approved.json().get("rewards").findValuesAsText("state")).containsOnly("granted");
        assertThat(app.get("/api/v1/rulesets/" + t.id + "/audit", t.admin).json().get("entries").toString()).contains("referral.reviewed", "known customer");

        String referrerReward = null;
        for (JsonNode w : approved.json().get("rewards")) if (w.get("party").asText().equals("referrer")) referrerReward = w.get("reward_id").asText();
        Response paid = app.post("/api/v1/referrals/" + t.id + "/rewards/" + referrerReward + "/paid", t.admin, "");
        assertThat(paid.json().get("state").asText()).isEqualTo("paid");

        Response refunded = app.post("/api/v1/referrals/" + t.id + "/conversions/" + id + "/refund", t.ingest, "{\"note\":\"order refunded\"}");
        assertThat(refunded.json().get("status").asText()).isEqualTo("refunded");
        for (JsonNode w : refunded.json().get("rewards")) {
            assertThat(w.get("state").asText()).isEqualTo(w.get("party").asText().equals("referrer") ? "clawback" : "voided");
            assertThat(w.get("balance").asDouble()).isZero();
        }
        try (var c = app.ownerConnection(); var ps = c.prepareStatement(
                "SELECT string_agg(entry_type, ',' ORDER BY id) FROM reward_ledger WHERE tenant_id = ?::uuid AND party = 'referrer'")) {
            ps.setString(1, t.id);
            try (var rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("pending,granted,paid,clawback");
            }
        }
        try (var c = app.appConnection()) {
            c.createStatement().execute("SELECT set_config('app.tenant_id', '" + t.id + "', false)");
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> c.createStatement().execute("UPDATE reward_ledger SET amount = 0")))
                    .hasMessageContaining("permission denied");
        }
    }

    @Test
    void shouldCrossIntoTheSilverTierAndRespectCaps() {
        Tenant t = tenant();
        String code = code(t, "alice", "");
        for (int i = 0; i < 5; i++) assertThat(convert(t, code, "r" + i).json().get("status").asText()).isEqualTo("approved");
        Response sixth = convert(t, code, "r5");
        // A purchase: 7.5 % of 49.90 for the referrer at the silver tier.
        assertThat(sixth.json().get("planned_rewards").toString()).contains("\"tier\":\"silver\"", "\"amount\":3.74");
        assertThat(sixth.json().get("reasons").findValuesAsText("indicator")).contains("referrer_burst");

        Tenant capped = tenant();
        app.post("/api/v1/referrals/" + capped.id + "/programs", capped.admin, "{\"program_name\":\"Capped\",\"caps\":{\"per_referrer_lifetime\":2}}");
        String cappedCode = code(capped, "zoe", ",\"program_type\":\"Capped\"");
        convert(capped, cappedCode, "a");
        convert(capped, cappedCode, "b");
        Response third = convert(capped, cappedCode, "c");
        assertThat(third.json().get("status").asText()).isEqualTo("approved");
        assertThat(third.json().get("rewards")).isEmpty();
        assertThat(third.json().get("reasons").toString()).contains("lifetime cap of 2");
    }

    @Test
    void shouldHonourAUsageLimitUnderABurstOfConcurrentConversions() throws Exception {
        Tenant t = tenant();
        String code = code(t, "alice", ",\"usage_limit\":3");
        List<Future<Response>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(10)) {
            for (int i = 0; i < 10; i++) {
                String referee = "burst-" + i;
                results.add(pool.submit(() -> convert(t, code, referee)));
            }
        }
        int ok = 0;
        int refused = 0;
        for (Future<Response> f : results) {
            if (f.get().status() == 200) ok++;
            else if (f.get().status() == 409) refused++;
        }
        assertThat(ok).isEqualTo(3);
        assertThat(refused).isEqualTo(7);
        Response details = app.get("/api/v1/referrals/" + t.id + "/codes/" + code, t.admin);
        assertThat(details.json().get("tracking_metrics").get("usage_count").asInt()).isEqualTo(3);

        String program = app.get("/api/v1/referrals/" + t.id + "/programs", t.admin).json().get("programs").get(0).get("program_id").asText();
        Response funnel = app.get("/api/v1/referrals/" + t.id + "/programs/" + program + "/funnel", t.admin);
        assertThat(funnel.json().get("conversions").asInt()).isEqualTo(3);
    }

    @Test
    void shouldRaiseTheCrossReferralSignalsEachAlone() throws Exception {
        Tenant t = tenant();
        // Duplicate referee: the same device converts again under another referee id.
        String code = code(t, "alice", "");
        convert(t, code, "hank", "", "203.0.113.50", "dev-shared");
        Response dup = convert(t, code, "hank-2", "", "203.0.113.51", "dev-shared");
        assertThat(dup.json().get("reasons").findValuesAsText("indicator")).containsExactly("duplicate_referee");

        // Shared address: a third referee of one referrer from an address two others used.
        String crowd = code(t, "ivy", "");
        convert(t, crowd, "c1", "", "203.0.113.60", "dev-c1");
        convert(t, crowd, "c2", "", "203.0.113.60", "dev-c2");
        Response third = convert(t, crowd, "c3", "", "203.0.113.60", "dev-c3");
        assertThat(third.json().get("reasons").findValuesAsText("indicator")).containsExactly("shared_ip_many_referees");

        // Ring: jack referred kim; now kim refers jack.
        String jacks = code(t, "jack", "");
        convert(t, jacks, "kim", "", "203.0.113.70", "dev-kim");
        String kims = code(t, "kim", "");
        Response ring = convert(t, kims, "jack", "", "203.0.113.71", "dev-jack");
        assertThat(ring.json().get("reasons").findValuesAsText("indicator")).containsExactly("referral_ring");
        assertThat(ring.json().get("status").asText()).isEqualTo("pending_review");

        // Value outlier: far above the program's approved conversions.
        Tenant shop = tenant();
        for (int i = 0; i < 10; i++) convert(shop, code(shop, "seller-" + i, ""), "buyer-" + i);
        Response outlier = asVisitor(shop, "/api/v1/gamification/referral/track-conversion", "{\"tenant_id\":\"" + shop.id
                + "\",\"referral_code\":\"" + code(shop, "seller-y", "") + "\",\"referee_user_id\":\"whale-2\",\"conversion_type\":\"purchase\","
                + "\"conversion_value\":5000}", "203.0.113.81", "dev-whale-2");
        assertThat(outlier.json().get("reasons").findValuesAsText("indicator")).containsExactly("value_outlier");
    }

    /** A click posted by the platform's backend a few seconds before, with the visitor's address and device asserted. */
    static void clickSecondsAgo(Tenant t, String code, String ip, String device, int seconds) {
        Response r = app.post("/api/v1/referrals/" + t.id + "/clicks", t.ingest, "{\"referral_code\":\"" + code + "\",\"occurred_at\":\""
                + java.time.Instant.now().minusSeconds(seconds) + "\",\"ip\":\"" + ip + "\",\"device_id\":\"" + device + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    @Test
    void shouldSendABurstsEarlierConversionsBackToReviewWhatEverTheirAddresses() {
        Tenant t = tenant();
        String code = code(t, "burster", "");
        for (int i = 1; i <= 4; i++) {
            clickSecondsAgo(t, code, "203.0.113.9" + i, "dev-p" + i, 60);
            assertThat(convert(t, code, "p" + i, "", "203.0.113.9" + i, "dev-p" + i).json().get("status").asText()).isEqualTo("approved");
        }
        // The fifth conversion within the hour right after its click, from yet another address, shows a scripted burst.
        clickSecondsAgo(t, code, "203.0.113.95", "dev-p5", 60);
        Response fifth = convert(t, code, "p5", "", "203.0.113.95", "dev-p5");
        assertThat(fifth.json().get("reasons").findValuesAsText("indicator")).contains("referrer_burst", "scripted_burst", "fast_conversion");
        assertThat(fifth.json().get("status").asText()).isEqualTo("pending_review");

        JsonNode queue = app.get("/api/v1/referrals/" + t.id + "/review-queue", t.admin).json();
        assertThat(queue.get("total").asInt()).isEqualTo(5);
        assertThat(queue.get("conversions").findValuesAsText("referee_user_id")).containsExactly("p1", "p2", "p3", "p4", "p5");
        String p1 = null;
        for (JsonNode c : queue.get("conversions")) {
            if (c.get("referee_user_id").asText().equals("p5")) continue;
            if (c.get("referee_user_id").asText().equals("p1")) p1 = c.get("conversion_id").asText();
            assertThat(c.get("reasons").findValuesAsText("indicator")).contains("scripted_burst", "rescored");
            assertThat(c.get("rewards").findValuesAsText("state")).as("held rewards are voided").containsOnly("voided");
        }

        // A reviewer who knows p1 approves it: its rewards are held again.
        Response approved = app.post("/api/v1/referrals/" + t.id + "/conversions/" + p1 + "/review", t.admin, "{\"decision\":\"approve\"}");
        assertThat(approved.json().get("status").asText()).isEqualTo("approved");
        assertThat(approved.json().get("rewards").findValuesAsText("state")).contains("pending", "voided");

        // Rewards already granted (no hold) are not taken back by re-scoring: that is the refund route's job.
        Tenant instant = tenant();
        assertThat(app.post("/api/v1/referrals/" + instant.id + "/programs", instant.admin, "{\"program_name\":\"Instant\",\"hold_days\":0}").status())
                .isEqualTo(201);
        String fast = code(instant, "burster", ",\"program_type\":\"Instant\"");
        Response q1 = null;
        for (int i = 1; i <= 5; i++) {
            clickSecondsAgo(instant, fast, "203.0.113.8" + i, "dev-q" + i, 30);
            Response q = convert(instant, fast, "q" + i, "", "203.0.113.8" + i, "dev-q" + i);
            if (i == 1) q1 = q;
        }
        assertThat(app.get("/api/v1/referrals/" + instant.id + "/review-queue", instant.admin).json().get("conversions")
                .findValuesAsText("referee_user_id")).containsExactly("q5");
        assertThat(q1.json().get("rewards").findValuesAsText("state")).containsOnly("granted");
    }

    @Test
    void shouldRefuseAnExpiredCode() throws Exception {
        Tenant t = tenant();
        String code = code(t, "alice", ",\"expiry_days\":1");
        try (var c = app.ownerConnection(); var ps = c.prepareStatement("UPDATE referral_codes SET expiry_date = now() - interval '1 hour' WHERE code = ?")) {
            ps.setString(1, code);
            ps.executeUpdate();
        }
        Response r = convert(t, code, "late");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo("referral_code");
        assertThat(r.json().get("errors").get(0).get("message").asText()).contains("expired");
    }

    @Test
    void shouldRefuseBadConversionsNamingTheFields() {
        Tenant t = tenant();
        Response r = asVisitor(t, "/api/v1/gamification/referral/track-conversion", "{\"tenant_id\":\"" + t.id
                + "\",\"referral_code\":\"NOPE2345\",\"referee_user_id\":\"x\",\"conversion_type\":\"gift\",\"conversion_value\":-5,"
                + "\"referee_email\":\"not-an-email\"}", "203.0.113.40", "d");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().get("errors").findValuesAsText("field")).contains("conversion_type", "conversion_value", "referee_email");
        assertThat(convert(t, "NOPE2345", "x").json().get("errors").get(0).get("field").asText()).isEqualTo("referral_code");
    }
}
