package dev.thrillring.showcases;

import dev.thrillring.engine.Periods;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.ACHIEVEMENTS;
import static dev.thrillring.db.schema.Tables.LEADERBOARDS;
import static dev.thrillring.db.schema.Tables.REFERRAL_CONVERSIONS;
import static dev.thrillring.db.schema.Tables.SUBJECT_METRICS;
import static dev.thrillring.db.schema.Tables.TENANT_ACHIEVEMENTS;

/**
 * Featured metrics read only from ThrillRing's own records: the subject metrics the rules keep,
 * achievement unlocks, ranks on the platform's public boards, and referral results. Every number
 * here is a query result; nothing is estimated.
 */
final class MetricSources {
    static final int MAX_SUBJECT_METRICS = 12;

    /** The windows compared: a month and its baseline month (null: no baseline exists). */
    record Windows(YearMonth current, YearMonth baseline) {}

    /** An achievement the tenant's subjects unlocked, for the badge wall. */
    record Badge(UUID achievementId, String key, String name, String description, long unlocks, OffsetDateTime firstUnlockedAt) {}

    private MetricSources() {}

    /** Resolves the tenant's baseline choice ({@code previous}, {@code joined}, or {@code YYYY-MM}) against {@code now}. */
    static Windows windows(DSLContext tx, UUID tenant, String baseline, Instant now) {
        YearMonth current = YearMonth.from(now.atZone(ZoneOffset.UTC));
        YearMonth base = switch (baseline) {
            case "previous" -> current.minusMonths(1);
            case "joined" -> firstRecordedMonth(tx, tenant);
            default -> YearMonth.parse(baseline);
        };
        return new Windows(current, base == null || !base.isBefore(current) ? null : base);
    }

    private static YearMonth firstRecordedMonth(DSLContext tx, UUID tenant) {
        var m = SUBJECT_METRICS;
        String first = tx.select(DSL.min(m.PERIOD_KEY)).from(m)
                .where(m.TENANT_ID.eq(tenant)).and(m.PERIOD_KEY.likeRegex("^[0-9]{4}-[0-9]{2}$")).fetchOne(0, String.class);
        return first == null ? null : YearMonth.parse(first);
    }

    /**
     * Each metric the rules keep (names with a dot, such as {@code weekly_launch_streak.last}, are
     * the rules' own bookkeeping and are left out), this month against the baseline month: the tenant-as-a-whole
     * value where the rules keep one, else the sum over its users (the maximum for metrics named
     * {@code best_*}/{@code max_*}, which the rules keep as maxima).
     */
    static List<Metric> subjectMetrics(DSLContext tx, UUID tenant, Windows w) {
        var m = SUBJECT_METRICS;
        List<String> keys = w.baseline() == null ? List.of(w.current().toString()) : List.of(w.current().toString(), w.baseline().toString());
        var whole = DSL.field(m.USER_ID.eq(DSL.inline("")));
        Map<String, double[]> byMetric = new LinkedHashMap<>();
        Map<String, String> how = new LinkedHashMap<>();
        tx.select(m.METRIC, m.PERIOD_KEY, whole, DSL.sum(m.VALUE), DSL.max(m.VALUE), DSL.count()).from(m)
                .where(m.TENANT_ID.eq(tenant)).and(m.PERIOD_KEY.in(keys))
                .groupBy(m.METRIC, m.PERIOD_KEY, whole)
                .orderBy(whole.desc())
                .forEach(r -> {
                    String metric = r.value1();
                    boolean tenantWide = Boolean.TRUE.equals(r.value3());
                    String mode = how.computeIfAbsent(metric, k -> tenantWide ? "tenant" : maximum(k) ? "max" : "sum");
                    if (mode.equals("tenant") != tenantWide) return;
                    double value = mode.equals("max") ? r.value5() : r.value4().doubleValue();
                    double[] v = byMetric.computeIfAbsent(metric, k -> new double[2]);
                    v[r.value2().equals(w.current().toString()) ? 0 : 1] = value;
                });
        List<Metric> out = new ArrayList<>();
        byMetric.entrySet().stream()
                .filter(e -> e.getValue()[0] != 0 || e.getValue()[1] != 0)
                .filter(e -> !e.getKey().contains("."))
                .sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]))
                .limit(MAX_SUBJECT_METRICS)
                .forEach(e -> out.add(new Metric(null, "subject:" + e.getKey(), humanise(e.getKey()), dec(e.getValue()[0]), "count",
                        w.current().toString(), w.baseline() == null ? null : dec(e.getValue()[1]),
                        w.baseline() == null ? null : w.baseline().toString(),
                        "ThrillRing rule metric '" + e.getKey() + "', " + switch (how.get(e.getKey())) {
                            case "tenant" -> "the business as a whole";
                            case "max" -> "the best of the business's users";
                            default -> "summed over the business's users";
                        } + ", per calendar month (UTC)",
                        "verified", 0)));
        return out;
    }

    private static boolean maximum(String metric) { return metric.startsWith("best_") || metric.startsWith("max_"); }

    /** Achievements unlocked in the month against the baseline month. */
    static Metric unlocks(DSLContext tx, UUID tenant, Windows w) {
        BigDecimal now = BigDecimal.valueOf(unlockCount(tx, tenant, w.current()));
        BigDecimal before = w.baseline() == null ? null : BigDecimal.valueOf(unlockCount(tx, tenant, w.baseline()));
        return new Metric(null, "achievements:unlocked", "Achievements unlocked", now, "count", w.current().toString(), before,
                w.baseline() == null ? null : w.baseline().toString(),
                "ThrillRing achievement unlocks of the tenant's subjects per calendar month (UTC)", "verified", 0);
    }

    private static long unlockCount(DSLContext tx, UUID tenant, YearMonth month) {
        var ta = TENANT_ACHIEVEMENTS;
        return tx.fetchCount(ta, ta.TENANT_ID.eq(tenant).and(ta.UNLOCKED_AT.ge(start(month))).and(ta.UNLOCKED_AT.lt(start(month.plusMonths(1)))));
    }

    /** Every achievement the tenant's subjects unlocked, most unlocked first. */
    static List<Badge> badges(DSLContext tx, UUID tenant, int limit) {
        var ta = TENANT_ACHIEVEMENTS;
        var a = ACHIEVEMENTS;
        return tx.select(a.ID, a.ACHIEVEMENT_KEY, a.ACHIEVEMENT_NAME, a.DESCRIPTION, DSL.count(), DSL.min(ta.UNLOCKED_AT))
                .from(ta).join(a).on(a.ID.eq(ta.ACHIEVEMENT_ID))
                .where(ta.TENANT_ID.eq(tenant)).and(ta.UNLOCKED_AT.isNotNull())
                .groupBy(a.ID, a.ACHIEVEMENT_KEY, a.ACHIEVEMENT_NAME, a.DESCRIPTION)
                .orderBy(DSL.count().desc(), DSL.min(ta.UNLOCKED_AT))
                .limit(limit)
                .fetch(r -> new Badge(r.value1(), r.value2(), r.value3(), r.value4(), r.value5(), r.value6()));
    }

    /** The tenant's rank and percentile on each public board of its platform, now and one period earlier. */
    static List<Metric> ranks(DSLContext tx, UUID tenant, String platform, Instant now) {
        var b = LEADERBOARDS;
        List<Metric> out = new ArrayList<>();
        tx.select(b.ID, b.LEADERBOARD_KEY, b.LEADERBOARD_NAME, b.TIME_PERIOD, b.TIME_ZONE).from(b)
                .where(b.PLATFORM.eq(platform)).and(b.TENANT_ID.isNull()).and(b.VISIBILITY.eq("public")).and(b.STATUS.eq("active"))
                .orderBy(b.LEADERBOARD_KEY)
                .forEach(board -> {
                    ZoneId zone = ZoneId.of(board.value5());
                    String period = board.value4();
                    String cur = periodKey(period, now, zone);
                    Instant earlier = switch (period) {
                        case "daily" -> now.atZone(zone).minusDays(1).toInstant();
                        case "weekly" -> now.atZone(zone).minusWeeks(1).toInstant();
                        case "monthly" -> now.atZone(zone).minusMonths(1).toInstant();
                        default -> null;
                    };
                    long[] mine = standing(tx, board.value1(), cur, tenant);
                    if (mine == null) return;
                    String prev = earlier == null ? null : periodKey(period, earlier, zone);
                    long[] before = prev == null ? null : standing(tx, board.value1(), prev, tenant);
                    String source = "ThrillRing public board '" + board.value2() + "' (" + period.replace('_', ' ') + ")";
                    out.add(new Metric(null, "rank:" + board.value2(), "Rank: " + board.value3(), BigDecimal.valueOf(mine[0]), "rank",
                            label(cur) + ", " + mine[1] + " ranked", before == null ? null : BigDecimal.valueOf(before[0]),
                            before == null ? null : label(prev) + ", " + before[1] + " ranked", source, "verified", 0));
                    out.add(new Metric(null, "percentile:" + board.value2(), "Top percent: " + board.value3(), topPercent(mine),
                            "percentage", label(cur), before == null ? null : topPercent(before), before == null ? null : label(prev),
                            source + ", rank divided by participants", "verified", 0));
                });
        return out;
    }

    private static String label(String periodKey) { return periodKey.equals("all") ? "all time" : periodKey; }

    private static BigDecimal topPercent(long[] rankAndTotal) {
        return BigDecimal.valueOf(rankAndTotal[0] * 100).divide(BigDecimal.valueOf(rankAndTotal[1]), 1, RoundingMode.UP);
    }

    /** {rank, participants} of the tenant as a whole on a board in a period; null when it has no entry. */
    private static long[] standing(DSLContext tx, UUID board, String period, UUID tenant) {
        var rank = DSL.field("rank", Long.class);
        var t = DSL.field("tenant_id", UUID.class);
        var u = DSL.field("user_id", String.class);
        var rows = tx.select(rank, t, u).from(DSL.table("leaderboard_standings({0}, {1}, {2})", DSL.val(board), DSL.val(period),
                DSL.val((String) null, String.class))).fetch();
        for (var r : rows) {
            if (tenant.equals(r.value2()) && r.value3() == null) return new long[] {r.value1(), rows.size()};
        }
        return null;
    }

    private static String periodKey(String timePeriod, Instant at, ZoneId zone) {
        return Periods.keysAt(at, zone).get(switch (timePeriod) {
            case "daily" -> "day";
            case "weekly" -> "week";
            case "monthly" -> "month";
            default -> "all_time";
        });
    }

    /** Approved referral conversions and their value, this month against the baseline month. */
    static List<Metric> referrals(DSLContext tx, UUID tenant, Windows w) {
        BigDecimal[] now = conversions(tx, tenant, w.current());
        BigDecimal[] before = w.baseline() == null ? null : conversions(tx, tenant, w.baseline());
        String bp = w.baseline() == null ? null : w.baseline().toString();
        String source = "ThrillRing referral conversions approved after fraud scoring, per calendar month (UTC)";
        if (now[0].signum() == 0 && (before == null || before[0].signum() == 0)) return List.of();
        return List.of(
                new Metric(null, "referrals:approved", "Referral conversions", now[0], "count", w.current().toString(),
                        before == null ? null : before[0], bp, source, "verified", 0),
                new Metric(null, "referrals:value", "Referred revenue", now[1], "currency", w.current().toString(),
                        before == null ? null : before[1], bp, source + ", sum of conversion values", "verified", 0));
    }

    private static BigDecimal[] conversions(DSLContext tx, UUID tenant, YearMonth month) {
        var c = REFERRAL_CONVERSIONS;
        var r = tx.select(DSL.count(), DSL.coalesce(DSL.sum(c.CONVERSION_VALUE), BigDecimal.ZERO)).from(c)
                .where(c.TENANT_ID.eq(tenant)).and(c.STATUS.eq("approved"))
                .and(c.CREATED_AT.ge(start(month))).and(c.CREATED_AT.lt(start(month.plusMonths(1)))).fetchOne();
        return new BigDecimal[] {BigDecimal.valueOf(r.value1()), r.value2()};
    }

    static OffsetDateTime start(YearMonth month) { return month.atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC); }

    private static BigDecimal dec(double v) { return BigDecimal.valueOf(v).setScale(2, RoundingMode.HALF_UP); }

    /** {@code orders_shipped} -> {@code Orders shipped}. */
    static String humanise(String key) {
        String s = key.replace('_', ' ').replace('-', ' ').replace('.', ' ').trim();
        return s.isEmpty() ? key : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
