package dev.thrillring.leaderboards;

import dev.thrillring.problems.Problem;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Period arithmetic of boards, without a database or a server. */
class BoardPeriodsTest {
    static LeaderboardStore.Board board(String period, String zone) {
        return new LeaderboardStore.Board(UUID.randomUUID(), "performance", "Performance", "platform", "performance", period, zone,
                "public", 100, null);
    }

    @Test
    void shouldPutAMomentInItsBucketInTheBoardsTimeZone() {
        // 23:30 UTC on Sunday 2026-11-29 is already Monday 2026-11-30 in Berlin: a new ISO week there.
        Instant late = Instant.parse("2026-11-29T23:30:00Z");
        assertThat(BoardPeriods.periodKey(board("daily", "UTC"), late)).isEqualTo("2026-11-29");
        assertThat(BoardPeriods.periodKey(board("daily", "Europe/Berlin"), late)).isEqualTo("2026-11-30");
        assertThat(BoardPeriods.periodKey(board("weekly", "UTC"), late)).isEqualTo("2026-W48");
        assertThat(BoardPeriods.periodKey(board("weekly", "Europe/Berlin"), late)).isEqualTo("2026-W49");
        assertThat(BoardPeriods.periodKey(board("monthly", "UTC"), Instant.parse("2026-12-31T23:59:59Z"))).isEqualTo("2026-12");
        assertThat(BoardPeriods.periodKey(board("all_time", "UTC"), late)).isEqualTo("all");
    }

    @Test
    void shouldNameThePreviousBucketAcrossYearEnds() {
        assertThat(BoardPeriods.previousPeriodKey(board("daily", "UTC"), "2027-01-01")).isEqualTo("2026-12-31");
        assertThat(BoardPeriods.previousPeriodKey(board("weekly", "UTC"), "2027-W01")).isEqualTo("2026-W53");
        assertThat(BoardPeriods.previousPeriodKey(board("weekly", "UTC"), "2026-W49")).isEqualTo("2026-W48");
        assertThat(BoardPeriods.previousPeriodKey(board("monthly", "UTC"), "2027-01")).isEqualTo("2026-12");
        assertThat(BoardPeriods.previousPeriodKey(board("all_time", "UTC"), "all")).isNull();
        assertThat(BoardPeriods.previousPeriodKey(board("daily", "UTC"), "not-a-day")).isNull();
    }

    @Test
    void shouldEndTheCurrentPeriodAtTheNextBoundaryInTheBoardsZone() {
        Instant now = Instant.parse("2026-11-30T10:15:30.250Z");
        assertThat(BoardPeriods.nextReset(board("daily", "UTC"), now).toInstant()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
        // Monday 10:15: the week ends next Monday at midnight.
        assertThat(BoardPeriods.nextReset(board("weekly", "UTC"), now).toInstant()).isEqualTo(Instant.parse("2026-12-07T00:00:00Z"));
        assertThat(BoardPeriods.nextReset(board("monthly", "Europe/Berlin"), now).toInstant()).isEqualTo(Instant.parse("2026-11-30T23:00:00Z"));
        // All-time standings never reset: the answer is when to read them again, whole seconds.
        assertThat(BoardPeriods.nextReset(board("all_time", "UTC"), now).toInstant())
                .isEqualTo(Instant.parse("2026-11-30T10:15:30Z").plus(BoardPeriods.ALL_TIME_REFRESH));
    }

    @Test
    void shouldReadTheTimePeriodARequestMeans() {
        assertThat(BoardPeriods.timePeriodOf(null, null)).isEqualTo("monthly");
        assertThat(BoardPeriods.timePeriodOf(null, "2026-W48")).isEqualTo("weekly");
        assertThat(BoardPeriods.timePeriodOf(null, "2026-11-24")).isEqualTo("daily");
        assertThat(BoardPeriods.timePeriodOf(null, "all")).isEqualTo("all_time");
        assertThat(BoardPeriods.timePeriodOf("daily", "2026-11-24")).isEqualTo("daily");
        assertThatThrownBy(() -> BoardPeriods.timePeriodOf("weekly", "2026-11"))
                .isInstanceOf(Problem.Invalid.class).hasMessageContaining("not a weekly period");
        assertThatThrownBy(() -> BoardPeriods.timePeriodOf("yearly", null)).isInstanceOf(Problem.Invalid.class);
        assertThatThrownBy(() -> BoardPeriods.requirePeriodKey("2026-13-x")).isInstanceOf(Problem.Invalid.class);
        BoardPeriods.requirePeriodKey(null);
        BoardPeriods.requirePeriodKey("2026-W01");
    }
}
