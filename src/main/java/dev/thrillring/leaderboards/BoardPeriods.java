package dev.thrillring.leaderboards;

import dev.thrillring.engine.Periods;
import dev.thrillring.problems.Problem;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Period arithmetic of boards, pure: which bucket a moment falls in, the bucket before it, when
 * the current one ends, and which period a request means. No state, no database.
 */
final class BoardPeriods {
    private static final Pattern PERIOD = Pattern.compile("all|\\d{4}-\\d{2}-\\d{2}|\\d{4}-W\\d{2}|\\d{4}-\\d{2}");
    /** A board's time period and the {@link Periods} bucket it is kept in. */
    private static final Map<String, String> BUCKET_OF = Map.of("daily", "day", "weekly", "week", "monthly", "month", "all_time", "all_time");

    /** How soon a client should read all-time standings again (they are live; the stream pushes every change). */
    static final Duration ALL_TIME_REFRESH = Duration.ofSeconds(60);

    private BoardPeriods() {}

    /** Whether {@code timePeriod} is one of daily, weekly, monthly, all_time. */
    static boolean isTimePeriod(String timePeriod) { return BUCKET_OF.containsKey(timePeriod); }

    /** Refuses a period key that is not all, a day, an ISO week or a month (null passes: the current one). */
    static void requirePeriodKey(String period) {
        if (period != null && !PERIOD.matcher(period).matches()) {
            throw new Problem.Invalid("period", "must be all, 2026-11-24, 2026-W48 or 2026-11");
        }
    }

    /** The seed's default period, or the one a {@code period} key such as 2026-W48 names when only that is given. */
    static String timePeriodOf(String timePeriod, String period) {
        if (timePeriod != null) {
            if (!isTimePeriod(timePeriod)) throw new Problem.Invalid("time_period", "must be daily, weekly, monthly or all_time");
            if (period != null && !timePeriod.equals(granularityOf(period))) {
                throw new Problem.Invalid("period", "'" + period + "' is not a " + timePeriod + " period");
            }
            return timePeriod;
        }
        return period == null ? "monthly" : granularityOf(period);
    }

    /** The time period a bucket key belongs to. */
    static String granularityOf(String period) {
        if (period.equals("all")) return "all_time";
        if (period.contains("W")) return "weekly";
        return period.length() == 10 ? "daily" : "monthly";
    }

    /** The key of the bucket of the board's own period that {@code at} falls in, in the board's time zone. */
    static String periodKey(LeaderboardStore.Board b, Instant at) {
        return Periods.keysAt(at, ZoneId.of(b.timeZone())).get(BUCKET_OF.get(b.period()));
    }

    /** The bucket before {@code key}: yesterday, last ISO week, last month; none for all time or a key that does not parse. */
    static String previousPeriodKey(LeaderboardStore.Board b, String key) {
        try {
            return switch (b.period()) {
                case "daily" -> LocalDate.parse(key).minusDays(1).toString();
                case "weekly" -> {
                    var monday = LocalDate.of(Integer.parseInt(key.substring(0, 4)), 1, 4)
                            .with(IsoFields.WEEK_OF_WEEK_BASED_YEAR, Integer.parseInt(key.substring(6))).with(DayOfWeek.MONDAY).minusWeeks(1);
                    yield String.format(Locale.ROOT, "%d-W%02d", monday.get(IsoFields.WEEK_BASED_YEAR), monday.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
                }
                case "monthly" -> YearMonth.parse(key).minusMonths(1).toString();
                default -> null;
            };
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** When the board's current period ends, in its time zone; for all-time boards, the next refresh. */
    static ZonedDateTime nextReset(LeaderboardStore.Board b, Instant now) {
        ZoneId zone = ZoneId.of(b.timeZone());
        ZonedDateTime midnight = now.atZone(zone).toLocalDate().atStartOfDay(zone);
        return switch (b.period()) {
            // All-time standings never reset; they change with every decision. The answer names
            // when a polling client should read them again (docs/decisions.md).
            case "all_time" -> now.atZone(zone).truncatedTo(ChronoUnit.SECONDS).plus(ALL_TIME_REFRESH);
            case "daily" -> midnight.plusDays(1);
            case "weekly" -> midnight.with(TemporalAdjusters.next(DayOfWeek.MONDAY));
            default -> midnight.with(TemporalAdjusters.firstDayOfNextMonth());
        };
    }
}
