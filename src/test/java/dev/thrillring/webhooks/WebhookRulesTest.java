package dev.thrillring.webhooks;

import com.standardwebhooks.Webhook;
import dev.thrillring.events.EventTypeFilter;
import dev.thrillring.problems.Problem;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pure parts of webhook delivery: schedule, filters, target addresses, signatures. */
class WebhookRulesTest {

    @Test
    void shouldFollowTheStandardScheduleWithJitterAndThenStop() {
        RetrySchedule s = new RetrySchedule(WebhookSettings.STANDARD_SCHEDULE);
        assertThat(s.attempts()).isEqualTo(10);
        assertThat(s.next(0, Optional.empty())).contains(Duration.ZERO);
        for (int i = 0; i < 50; i++) {
            Duration fiveSeconds = s.next(1, Optional.empty()).orElseThrow();
            assertThat(fiveSeconds).isBetween(Duration.ofMillis(4500), Duration.ofMillis(5500));
            assertThat(s.next(9, Optional.empty()).orElseThrow()).isBetween(Duration.ofMinutes(1296), Duration.ofMinutes(1584));
        }
        assertThat(s.next(10, Optional.empty())).isEmpty();
    }

    @Test
    void shouldHonourALongerRetryAfterButNotAShorterOne() {
        RetrySchedule s = new RetrySchedule(WebhookSettings.STANDARD_SCHEDULE);
        assertThat(s.next(1, Optional.of(Duration.ofSeconds(60)))).contains(Duration.ofSeconds(60));
        assertThat(s.next(2, Optional.of(Duration.ofSeconds(1))).orElseThrow()).isGreaterThan(Duration.ofMinutes(4));
        Instant now = Instant.parse("2026-11-30T12:00:00Z");
        assertThat(RetrySchedule.parseRetryAfter("120", now)).contains(Duration.ofSeconds(120));
        assertThat(RetrySchedule.parseRetryAfter("Mon, 30 Nov 2026 12:01:00 GMT", now)).contains(Duration.ofSeconds(60));
        assertThat(RetrySchedule.parseRetryAfter("9999999999", now)).contains(RetrySchedule.MAX_RETRY_AFTER);
        assertThat(RetrySchedule.parseRetryAfter("soon", now)).isEmpty();
        assertThat(RetrySchedule.parseRetryAfter("-5", now)).isEmpty();
        assertThat(List.of(429, 502, 504)).allMatch(RetrySchedule::slowDown);
        assertThat(List.of(500, 503, 410, 200)).noneMatch(RetrySchedule::slowDown);
    }

    @Test
    void shouldMatchExactTypesFamiliesAndEverything() {
        EventTypeFilter f = EventTypeFilter.parse(List.of("achievement.*", "referral.converted"));
        assertThat(f.matches("achievement.unlocked")).isTrue();
        assertThat(f.matches("achievement.progressed")).isTrue();
        assertThat(f.matches("referral.converted")).isTrue();
        assertThat(f.matches("referral.flagged")).isFalse();
        assertThat(f.matches("achievements.unlocked")).isFalse();
        assertThat(EventTypeFilter.parse(List.of("*")).matches("leaderboard.rank_changed")).isTrue();
        assertThatThrownBy(() -> EventTypeFilter.parse(List.of())).isInstanceOf(Problem.Invalid.class);
        assertThatThrownBy(() -> EventTypeFilter.parse(List.of("achievement.unlocked", "a*"))).isInstanceOf(Problem.Invalid.class)
                .satisfies(e -> assertThat(((Problem.Invalid) e).violations().getFirst().field()).isEqualTo("event_types[1]"));
    }

    @Test
    void shouldRequireHttpsAndRefuseInternalAddresses() throws Exception {
        assertThat(EndpointUrl.refusal("http://127.0.0.1:8080/hook", false)).isPresent();
        assertThat(EndpointUrl.refusal("https://127.0.0.1:8080/hook", false)).isPresent();
        assertThat(EndpointUrl.refusal("http://127.0.0.1:8080/hook", true)).isEmpty();
        assertThat(EndpointUrl.refusal("http://[::1]:8080/hook", true)).isEmpty();
        assertThat(EndpointUrl.refusal("https://user:pw@127.0.0.1/", true)).isPresent();
        for (String internal : List.of("10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "fd00:ec2::254",
                "fe80::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1", "224.0.0.1")) {
            assertThat(EndpointUrl.internal(InetAddress.getByName(internal)) || InetAddress.getByName(internal).isLoopbackAddress())
                    .as(internal).isTrue();
        }
        for (String external : List.of("93.184.216.34", "8.8.8.8", "2606:4700::1111")) {
            assertThat(EndpointUrl.internal(InetAddress.getByName(external))).as(external).isFalse();
        }
        assertThat(EndpointUrl.refusal("https://169.254.169.254/latest", true).orElseThrow()).contains("link-local");
    }

    @Test
    void shouldSignAsTheStandardWebhooksLibraryDoes() throws Exception {
        String secret = Signature.newSecret();
        long ts = Instant.now().getEpochSecond();
        String body = "{\"type\":\"achievement.unlocked\",\"timestamp\":\"2026-11-30T12:00:00Z\",\"data\":{\"subject\":\"ünïcode\"}}";
        assertThat(Signature.sign(secret, "msg_1", ts, body)).isEqualTo(new Webhook(secret).sign("msg_1", ts, body));
        new Webhook(secret).verify(body, Map.of("webhook-id", List.of("msg_1"), "webhook-timestamp", List.of(Long.toString(ts)),
                "webhook-signature", List.of("v1,bm9wZQ== " + Signature.sign(secret, "msg_1", ts, body))));
    }
}
