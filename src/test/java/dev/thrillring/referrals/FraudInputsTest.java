package dev.thrillring.referrals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** What a platform's backend really sends: event times, the referee's context, signups first; and the signals built on them. */
class FraudInputsTest {
    static TestServer app;
    static final AtomicInteger n = new AtomicInteger();

    record Tenant(String id, String admin, String ingest, String analyst) {}

    @BeforeAll
    static void setUp() { app = TestServer.shared(); }

    static Tenant tenant() {
        String id = app.createTenant("Inputs " + n.incrementAndGet(), "coreldove");
        return new Tenant(id, app.issueKey(id, "tenant_admin"), app.issueKey(id, "ingest"), app.issueKey(id, "analyst"));
    }

    static String code(Tenant t, String referrer, String email) {
        Response r = app.post("/api/v1/gamification/referral/generate-code", t.ingest, "{\"tenant_id\":\"" + t.id + "\",\"referrer_user_id\":\""
                + referrer + "\"" + (email == null ? "" : ",\"referrer_email\":\"" + email + "\"") + "}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("referral_code").asText();
    }

    static Response convert(Tenant t, String code, String referee, String extra) {
        return app.post("/api/v1/gamification/referral/track-conversion", t.ingest, "{\"tenant_id\":\"" + t.id + "\",\"referral_code\":\"" + code
                + "\",\"referee_user_id\":\"" + referee + "\",\"conversion_type\":\"purchase\",\"conversion_value\":49.90" + extra + "}");
    }

    static java.util.List<String> ids(JsonNode page) {
        java.util.List<String> out = new java.util.ArrayList<>();
        page.get("conversions").forEach(c -> out.add(c.get("conversion_id").asText()));
        return out;
    }

    static String ago(Duration d) { return Instant.now().minus(d).toString(); }

    @Test
    void shouldJudgeTimingOnTheEventsOwnTimesAndLabelAssertedContext() {
        Tenant t = tenant();
        String code = code(t, "alice", null);
        Response click = app.post("/api/v1/referrals/" + t.id + "/clicks", t.ingest, "{\"referral_code\":\"" + code + "\",\"occurred_at\":\""
                + ago(Duration.ofDays(3)) + "\",\"ip\":\"198.51.100.7\",\"user_agent\":\"Mozilla/5.0\",\"device_id\":\"dev-bob\"}");
        assertThat(click.status()).as(click.body()).isEqualTo(201);
        assertThat(click.json().get("inputs").get("ip").get("source").asText()).isEqualTo("caller");
        Response signup = app.post("/api/v1/referrals/" + t.id + "/signups", t.ingest, "{\"referral_code\":\"" + code + "\",\"referee_user_id\":\"bob\","
                + "\"click_id\":\"" + click.json().get("click_id").asText() + "\",\"occurred_at\":\"" + ago(Duration.ofDays(3).minusMinutes(2))
                + "\",\"referee_ip\":\"198.51.100.7\",\"referee_device_id\":\"dev-bob\",\"referee_email\":\"bob.smith@example.com\"}");
        assertThat(signup.status()).as(signup.body()).isEqualTo(201);
        // The subscription comes two days after the click: not a fast conversion, though posted seconds after the click was.
        Response sub = convert(t, code, "bob", ",\"occurred_at\":\"" + ago(Duration.ofDays(1)) + "\"");
        assertThat(sub.status()).as(sub.body()).isEqualTo(200);
        assertThat(sub.json().get("status").asText()).isEqualTo("approved");
        assertThat(sub.json().get("signals").get("fast_conversion").asBoolean()).isFalse();
        assertThat(sub.json().get("signup_id").asText()).isEqualTo(signup.json().get("signup_id").asText());
        assertThat(sub.json().get("inputs").get("ip").get("value").asText()).isEqualTo("198.51.100.7");
        assertThat(sub.json().get("inputs").get("ip").get("source").asText()).isEqualTo("signup");
        assertThat(sub.json().get("inputs").get("email").get("value").asText()).isEqualTo("bob.smith@example.com");

        // Asserted by the caller, and labelled so.
        Response carol = convert(t, code, "carol", ",\"referee_ip\":\"198.51.100.8\",\"referee_device_id\":\"dev-carol\",\"referee_user_agent\":\"UA\"");
        assertThat(carol.json().get("inputs").get("ip").get("source").asText()).isEqualTo("caller");
        assertThat(carol.json().get("inputs").get("device_id").get("source").asText()).isEqualTo("caller");
        Response fetched = app.get("/api/v1/referrals/" + t.id + "/conversions/" + carol.json().get("conversion_id").asText(), t.analyst);
        assertThat(fetched.json().get("inputs").get("user_agent").get("value").asText()).isEqualTo("UA");
    }

    @Test
    void shouldBoundEventTimesUnlessBackfilled() {
        Tenant t = tenant();
        String code = code(t, "alice", null);
        Response future = convert(t, code, "f", ",\"occurred_at\":\"" + Instant.now().plus(Duration.ofHours(1)) + "\"");
        assertThat(future.status()).isEqualTo(422);
        assertThat(future.json().get("errors").get(0).get("field").asText()).isEqualTo("occurred_at");
        Response old = convert(t, code, "o", ",\"occurred_at\":\"" + ago(Duration.ofDays(45)) + "\"");
        assertThat(old.status()).isEqualTo(422);
        assertThat(old.json().get("errors").get(0).get("message").asText()).contains("attribution window", "backfill");
        Response backfilled = convert(t, code, "o", ",\"occurred_at\":\"" + ago(Duration.ofDays(45)) + "\",\"backfill\":true");
        assertThat(backfilled.status()).as(backfilled.body()).isEqualTo(200);
        assertThat(backfilled.json().get("backfilled").asBoolean()).isTrue();
        Response noTime = convert(t, code, "p", ",\"backfill\":true");
        assertThat(noTime.json().get("errors").get(0).get("field").asText()).isEqualTo("backfill");
        Response badClick = convert(t, code, "q", ",\"click_id\":\"00000000-0000-0000-0000-000000000001\"");
        assertThat(badClick.status()).isEqualTo(422);
        assertThat(badClick.json().get("errors").get(0).get("field").asText()).isEqualTo("click_id");
        Response unknown = convert(t, code, "r", ",\"referee_ipaddr\":\"1.2.3.4\",\"colour\":\"red\"");
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.json().get("errors").findValuesAsText("field")).containsExactlyInAnyOrder("referee_ipaddr", "colour");
    }

    @Test
    void shouldCatchAnEmailAliasOfTheReferrerAndPennyPurchases() {
        Tenant t = tenant();
        String code = code(t, "alice", "Alice.Walker@gmail.com");
        Response alias = convert(t, code, "alice-2", ",\"referee_email\":\"a.l.i.c.e.walker+promo@googlemail.com\"");
        assertThat(alias.json().get("reasons").findValuesAsText("indicator")).contains("email_alias_of_referrer");
        assertThat(alias.json().get("status").asText()).isEqualTo("rejected");

        Response penny = app.post("/api/v1/gamification/referral/track-conversion", t.ingest, "{\"tenant_id\":\"" + t.id + "\",\"referral_code\":\""
                + code(t, "ben", null) + "\",\"referee_user_id\":\"cheap\",\"conversion_type\":\"purchase\",\"conversion_value\":0.05,\"referee_ip\":\"198.51.100.99\"}");
        assertThat(penny.json().get("reasons").findValuesAsText("indicator")).containsExactly("low_value");
        assertThat(penny.json().get("status").asText()).isEqualTo("pending_review");
    }

    @Test
    void shouldSendAHouseholdToReviewAndARingAcrossCodesToo() {
        Tenant t = tenant();
        Response codeR = app.send("POST", "/api/v1/gamification/referral/generate-code", t.ingest, "application/json",
                "{\"tenant_id\":\"" + t.id + "\",\"referrer_user_id\":\"mum\"}", java.util.Map.of("X-Device-Fingerprint", "family-tablet"));
        String code = codeR.json().get("referral_code").asText();
        String home = "127.0.0.1";
        // The referrer's code was made from the loopback address: family members convert from "home" on the same tablet.
        Response son = convert(t, code, "son", ",\"referee_ip\":\"" + home + "\",\"referee_device_id\":\"family-tablet\",\"referee_email\":\"tom.baker@example.com\"");
        assertThat(son.json().get("status").asText()).isEqualTo("pending_review");
        Response daughter = convert(t, code, "daughter", ",\"referee_ip\":\"" + home + "\",\"referee_device_id\":\"family-tablet\",\"referee_email\":\"lucy.baker@example.com\"");
        assertThat(daughter.json().get("signals").get("household").asBoolean()).isTrue();
        assertThat(daughter.json().get("fraud_score").asDouble()).isGreaterThan(0.8);
        assertThat(daughter.json().get("status").asText()).as("household evidence: review, not rejection").isEqualTo("pending_review");

        // x refers y, y refers z, z refers x: the closing edge is a cycle and the ring's earlier edges go back to review.
        Response xy = convert(t, code(t, "x", null), "y", "");
        convert(t, code(t, "y", null), "z", "");
        Response zx = convert(t, code(t, "z", null), "x", "");
        assertThat(zx.json().get("reasons").findValuesAsText("indicator")).contains("referral_cycle");
        assertThat(zx.json().get("status").asText()).isEqualTo("pending_review");
        Response xyNow = app.get("/api/v1/referrals/" + t.id + "/conversions/" + xy.json().get("conversion_id").asText(), t.admin);
        assertThat(xyNow.json().get("status").asText()).isEqualTo("pending_review");
    }

    @Test
    void shouldListConversionsWithFiltersAndCursors() {
        Tenant t = tenant();
        String code = code(t, "alice", null);
        for (int i = 0; i < 5; i++) convert(t, code, "r" + i, ",\"referee_ip\":\"198.51.100." + (10 + i) + "\",\"occurred_at\":\"" + ago(Duration.ofDays(5 - i)) + "\"");
        convert(t, code(t, "bob", null), "bob", ""); // self-referral: rejected
        JsonNode first = app.get("/api/v1/referrals/" + t.id + "/conversions?limit=2", t.admin).json();
        assertThat(first.get("total").asInt()).isEqualTo(6);
        assertThat(first.get("conversions")).hasSize(2);
        java.util.List<String> seen = new java.util.ArrayList<>(ids(first));
        String cursor = first.get("next_cursor").asText();
        while (cursor != null) {
            JsonNode page = app.get("/api/v1/referrals/" + t.id + "/conversions?limit=2&cursor=" + cursor, t.admin).json();
            seen.addAll(ids(page));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        }
        assertThat(seen).hasSize(6).doesNotHaveDuplicates();
        assertThat(app.get("/api/v1/referrals/" + t.id + "/conversions?status=rejected", t.admin).json().get("conversions")
                .findValuesAsText("referee_user_id")).containsExactly("bob");
        assertThat(app.get("/api/v1/referrals/" + t.id + "/conversions?referrer_user_id=alice&from=" + ago(Duration.ofDays(3).plusHours(1)), t.admin)
                .json().get("total").asInt()).isEqualTo(3);
        assertThat(app.get("/api/v1/referrals/" + t.id + "/conversions?status=nope", t.admin).status()).isEqualTo(422);
        assertThat(app.get("/api/v1/referrals/" + t.id + "/conversions?cursor=garbage", t.admin).status()).isEqualTo(422);
        assertThat(app.get("/api/v1/referrals/" + t.id + "/conversions", t.ingest).status()).isEqualTo(403);

        String program = app.get("/api/v1/referrals/" + t.id + "/programs", t.admin).json().get("programs").get(0).get("program_id").asText();
        JsonNode funnel = app.get("/api/v1/referrals/" + t.id + "/programs/" + program + "/funnel", t.admin).json();
        assertThat(funnel.get("conversions").asInt()).isEqualTo(6);
        assertThat(funnel.get("rejected").asInt()).isEqualTo(1);
        assertThat(funnel.get("flagged").asInt()).isEqualTo(1);
        assertThat(funnel.get("in_review").asInt()).isZero();
        assertThat(funnel.has("signups")).isTrue();
    }
}
