package dev.thrillring.analytics;

import dev.thrillring.db.TenantScope;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.ACHIEVEMENTS;
import static dev.thrillring.db.schema.Tables.ANALYTICS_HOLDOUTS;
import static dev.thrillring.db.schema.Tables.ANALYTICS_USER_DAYS;
import static dev.thrillring.db.schema.Tables.ANALYTICS_USER_FIRST_DAYS;
import static dev.thrillring.db.schema.Tables.LEADERBOARDS;
import static dev.thrillring.db.schema.Tables.LEADERBOARD_ENTRIES;
import static dev.thrillring.db.schema.Tables.REFERRAL_CLICKS;
import static dev.thrillring.db.schema.Tables.REFERRAL_CODES;
import static dev.thrillring.db.schema.Tables.REFERRAL_CONVERSIONS;
import static dev.thrillring.db.schema.Tables.SHOWCASE_PORTFOLIOS;
import static dev.thrillring.db.schema.Tables.TENANT_ACHIEVEMENTS;

/** The analytics rollup (user days, first days) and the counts the metrics are computed from. */
final class AnalyticsStore {
    /** A day of inclusive windows [from, to], with the instants bounding it. */
    record Window(LocalDate from, LocalDate to) {
        OffsetDateTime start() { return from.atStartOfDay().atOffset(ZoneOffset.UTC); }
        OffsetDateTime end() { return to.plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC); }
    }

    /** A user's UTC day of activity. */
    record UserDay(String user, LocalDate day) {}

    /**
     * Records users' activity (facts per user and UTC day, the rollup) inside the decisions'
     * transaction: one upsert of the days, and one of each user's first day, last day and the
     * 128 days up to it ({@link #RECENT_DAYS}), for a whole group.
     */
    void recordActivity(DSLContext tx, UUID tenant, Map<UserDay, Integer> facts, java.util.Set<UserDay> scored) {
        var d = ANALYTICS_USER_DAYS;
        var days = tx.insertInto(d, d.TENANT_ID, d.USER_ID, d.DAY, d.FACTS);
        Map<String, java.util.TreeSet<LocalDate>> byUser = new java.util.LinkedHashMap<>();
        Map<String, java.util.TreeSet<LocalDate>> scoredByUser = new java.util.HashMap<>();
        for (var e : facts.entrySet()) {
            days = days.values(tenant, e.getKey().user(), e.getKey().day(), e.getValue());
            byUser.computeIfAbsent(e.getKey().user(), u -> new java.util.TreeSet<>()).add(e.getKey().day());
            if (scored.contains(e.getKey())) scoredByUser.computeIfAbsent(e.getKey().user(), u -> new java.util.TreeSet<>()).add(e.getKey().day());
        }
        // Nothing in the transaction reads them back: both go with its last statements, in one round trip.
        TenantScope.defer(tx, days.onConflict(d.TENANT_ID, d.DAY, d.USER_ID).doUpdate().set(d.FACTS, d.FACTS.plus(DSL.excluded(d.FACTS))));
        var f = ANALYTICS_USER_FIRST_DAYS;
        var firsts = tx.insertInto(f, f.TENANT_ID, f.USER_ID, f.FIRST_DAY, LAST_DAY, RECENT, SCORED);
        for (var e : byUser.entrySet()) {
            LocalDate last = e.getValue().last();
            firsts = firsts.values(DSL.val(tenant), DSL.val(e.getKey()), DSL.val(e.getValue().first()), DSL.val(last),
                    DSL.field("{0}::bit(" + RECENT_DAYS + ")", String.class, DSL.val(recentBits(e.getValue(), last))),
                    DSL.field("{0}::bit(" + RECENT_DAYS + ")", String.class,
                            DSL.val(recentBits(scoredByUser.getOrDefault(e.getKey(), new java.util.TreeSet<>()), last))));
        }
        // The stored bits and the group's, each shifted to the later of the two last days, or-ed;
        // written only when something changed (a new day, an earlier first day, a day now scored).
        Field<String> merged = shiftedOr(RECENT), mergedScored = shiftedOr(SCORED);
        TenantScope.defer(tx, firsts.onConflict(f.TENANT_ID, f.USER_ID).doUpdate()
                .set(f.FIRST_DAY, DSL.least(f.FIRST_DAY, DSL.excluded(f.FIRST_DAY)))
                .set(LAST_DAY, DSL.greatest(LAST_DAY, DSL.excluded(LAST_DAY)))
                .set(RECENT, merged)
                .set(SCORED, mergedScored)
                .where(f.FIRST_DAY.gt(DSL.excluded(f.FIRST_DAY)).or(LAST_DAY.lt(DSL.excluded(LAST_DAY)))
                        .or(DSL.condition("{0} <> {1}", merged, RECENT)).or(DSL.condition("{0} <> {1}", mergedScored, SCORED))));
    }

    /** A bit column of the stored row and of the group's, each shifted to the later of the two last days, or-ed. */
    private static Field<String> shiftedOr(Field<String> bits) {
        return DSL.field("({0} << greatest({1} - {2}, 0)) | ({3} << greatest({2} - {1}, 0))", String.class,
                bits, DSL.excluded(LAST_DAY), LAST_DAY, DSL.excluded(bits));
    }

    /** How many days up to a user's last active day {@code analytics_user_first_days.recent} holds (V174). */
    static final int RECENT_DAYS = 128;
    /** The user's last active day (V174; not in the generated schema, as its neighbour is a bit string). */
    static final Field<LocalDate> LAST_DAY = DSL.field(DSL.name("analytics_user_first_days", "last_day"), LocalDate.class);
    /** Bit i from the right is set when the user was active on last_day - i. */
    static final Field<String> RECENT = DSL.field(DSL.name("analytics_user_first_days", "recent"), String.class);
    /** Bit i from the right is set when the user scored on some board on last_day - i (V201). */
    static final Field<String> SCORED = DSL.field(DSL.name("analytics_user_first_days", "scored"), String.class);

    /** The bit string of these days relative to {@code last} (a user's latest day): its last character is that day. */
    static String recentBits(java.util.NavigableSet<LocalDate> days, LocalDate last) {
        char[] bits = "0".repeat(RECENT_DAYS).toCharArray();
        for (LocalDate day : days) {
            long back = java.time.temporal.ChronoUnit.DAYS.between(day, last);
            if (back < RECENT_DAYS) bits[RECENT_DAYS - 1 - (int) back] = '1';
        }
        return new String(bits);
    }

    /** The tenants of a platform (platform_tenants() reads them with the owner's rights: the caller was checked). */
    List<UUID> platformTenants(DSLContext tx, String platform) {
        return tx.select(DSL.field("id", UUID.class)).from(DSL.table("platform_tenants({0})", DSL.val(platform))).orderBy(DSL.field("id"))
                .fetch(org.jooq.Record1::value1);
    }

    /**
     * The counts of one tenant's answer, read in one round trip. Each number is aggregated by the
     * database, so no per-user row leaves it: active users and their days from the user-day
     * rollup (an index-only range of the window's days), every other user set (unlockers,
     * referrers) checked against that rollup by index probes, distinct counts hashed.
     */
    AnalyticsCounts counts(DSLContext tx, UUID tenant, String platform, Window w, LocalDate today) {
        // The per-user recent days answer windows starting within their reach of today; older windows read the user days.
        boolean recent = !w.from().isBefore(today.minusDays(RECENT_DAYS - 1));
        List<org.jooq.ResultQuery<?>> queries = new java.util.ArrayList<>(List.of(activeUserCounts(tx, tenant, w, recent), achievements(tx, tenant, platform, w),
                uniqueClicks(tx, tenant, w), conversionsByStatus(tx, tenant, w)));
        // Board participants come with the active users from the recent bits; older windows count the board entries.
        if (!recent) queries.addAll(leaderboardParticipants(tx, tenant, w));
        queries.addAll(List.of(hasPublishedShowcase(tx, tenant), retention(tx, tenant, w), holdout(tx, tenant, w)));
        var r = new java.util.ArrayList<>(TenantScope.fetchTogether(tx, queries));
        var u = r.get(0).get(0);
        long participants;
        if (!recent) {
            r.remove(4); // enable_seqscan off, around the board statement
            participants = r.remove(4).get(0).get(0, Long.class);
            r.remove(4); // and on again
        } else if (u.get(8 + LEVELS, Long.class) > 0) {
            // Some user's last day is beyond the reach of its bits back to the window's start (facts dated ahead): read the user days.
            u = activeUserCounts(tx, tenant, w, false).fetchOne();
            participants = TenantScope.fetchTogether(tx, leaderboardParticipants(tx, tenant, w)).get(1).get(0).get(0, Long.class);
        } else {
            participants = u.get(9 + LEVELS, Long.class);
        }
        var impact = new AnalyticsCounts.Impact(u.get(0, Long.class), u.get(1, Long.class), u.get(2, Long.class),
                u.get(3, Long.class), u.get(4, Long.class), u.get(5, Long.class));
        Map<Integer, Long> tiers = new TreeMap<>();
        for (int level = 0; level <= LEVELS; level++) tiers.put(level, u.get(6 + level, Long.class));
        long referrers = u.get(7 + LEVELS, Long.class);
        long active = impact.engagedUsers() + impact.otherUsers();
        Map<AnalyticsCounts.AchievementKey, AnalyticsCounts.Achievement> achievements = new TreeMap<>();
        r.get(1).forEach(a -> achievements.put(new AnalyticsCounts.AchievementKey(a.get(0, UUID.class), a.get(1, String.class)),
                new AnalyticsCounts.Achievement(a.get(2, String.class), a.get(3, Integer.class), a.get(4, Long.class))));
        Map<String, Long> byStatus = new TreeMap<>();
        r.get(3).forEach(v -> byStatus.put(v.get(0, String.class), v.get(1, Long.class)));
        Map<LocalDate, Map<Integer, Long>> cohorts = new TreeMap<>();
        r.get(5).forEach(c -> cohorts.computeIfAbsent(c.get(0, LocalDate.class), m -> new TreeMap<>()).put(c.get(1, Integer.class), c.get(2, Long.class)));
        AnalyticsCounts.HoldoutCounts holdout = null;
        for (var h : r.get(6)) {
            var g = new AnalyticsCounts.Group(h.get(3, Long.class), h.get(4, Long.class), h.get(5, Long.class), h.get(6, Long.class));
            var none = new AnalyticsCounts.Group(0, 0, 0, 0);
            Boolean held = h.get(2, Boolean.class);
            var these = new AnalyticsCounts.HoldoutCounts(h.get(0, java.math.BigDecimal.class), h.get(1, LocalDate.class),
                    Boolean.TRUE.equals(held) ? g : none, Boolean.FALSE.equals(held) ? g : none, 1);
            holdout = holdout == null ? these
                    : new AnalyticsCounts.HoldoutCounts(these.share(), these.startedOn(), holdout.held().plus(these.held()), holdout.treated().plus(these.treated()), 1);
        }
        return new AnalyticsCounts(active, impact, tiers, achievements, referrers, r.get(2).get(0).get(0, Long.class),
                byStatus, participants, r.get(4).get(0).get(0, Boolean.class) && active > 0 ? 1 : 0, active > 0 ? 1 : 0, cohorts,
                holdout);
    }

    /** Difficulty levels run from 1 to 5 (achievements_difficulty). */
    static final int LEVELS = 5;

    /**
     * Every count about active users, in one statement and one pass over the window's active
     * users (an index-only range of the user-day rollup, hashed per user), each joined at most
     * once with three small hashed sets: the engaged (unlocked an achievement or held a referral
     * code by the window's end), the unlockers of the window with the levels they reached (a bit
     * per difficulty level), and the referrers of the window. One row: engaged users, their days,
     * those active in the last 7 days; the same for the others; active unlockers of any level,
     * then of levels 1 to 5; active referrers.
     */
    private static org.jooq.ResultQuery<?> activeUserCounts(DSLContext tx, UUID tenant, Window w, boolean recent) {
        var d = ANALYTICS_USER_DAYS;
        var f = ANALYTICS_USER_FIRST_DAYS;
        var ta = TENANT_ACHIEVEMENTS;
        var a = ACHIEVEMENTS;
        var c = REFERRAL_CODES;
        var k = REFERRAL_CLICKS;
        LocalDate last7 = w.to().minusDays(6).isAfter(w.from()) ? w.to().minusDays(6) : w.from();
        // Users whose last day is within RECENT_DAYS of the window's start have every day of the window in their bits.
        Field<LocalDate> reach = DSL.field("{0} + " + (RECENT_DAYS - 1), LocalDate.class, DSL.val(w.from()));
        var act = DSL.name("act").fields("user_id", "days", "last7", "scored")
                .as(recent
                        ? DSL.select(f.USER_ID, daysIn(RECENT, w.from(), w.to()), DSL.field(daysIn(RECENT, last7, w.to()).gt(0L)),
                                        DSL.field(daysIn(SCORED, w.from(), w.to()).gt(0L))).from(f)
                                .where(f.TENANT_ID.eq(tenant).and(LAST_DAY.ge(w.from())).and(LAST_DAY.le(reach)))
                        : DSL.select(d.USER_ID, DSL.count().cast(Long.class), DSL.field(DSL.max(d.DAY).ge(last7)), DSL.field(DSL.falseCondition()))
                                .from(d).where(d.TENANT_ID.eq(tenant).and(d.DAY.between(w.from(), w.to()))).groupBy(d.USER_ID));
        // Users the bits cannot answer for: none unless facts are dated more than RECENT_DAYS after the window's start.
        Field<Long> beyond = recent
                ? DSL.field(DSL.selectCount().from(f).where(f.TENANT_ID.eq(tenant).and(LAST_DAY.gt(reach)))).cast(Long.class)
                : DSL.inline(0L);
        var eng = DSL.name("eng").fields("user_id")
                .as(DSL.select(ta.USER_ID).from(ta).where(ta.TENANT_ID.eq(tenant).and(ta.USER_ID.isNotNull()).and(ta.UNLOCKED_AT.lt(w.end())))
                        .union(DSL.select(c.REFERRER_USER_ID).from(c)
                                .where(c.TENANT_ID.eq(tenant).and(c.REFERRER_USER_ID.isNotNull()).and(c.CREATED_AT.lt(w.end())))));
        var unl = DSL.name("unl").fields("user_id", "levels")
                .as(DSL.select(ta.USER_ID, DSL.field("bit_or(1 << {0})", Integer.class, a.DIFFICULTY_LEVEL)).from(ta).join(a).on(a.ID.eq(ta.ACHIEVEMENT_ID))
                        .where(ta.TENANT_ID.eq(tenant).and(ta.USER_ID.isNotNull()).and(ta.UNLOCKED_AT.ge(w.start())).and(ta.UNLOCKED_AT.lt(w.end())))
                        .groupBy(ta.USER_ID));
        var ref = DSL.name("ref").fields("user_id")
                .as(DSL.select(c.REFERRER_USER_ID).from(c)
                        .where(c.TENANT_ID.eq(tenant).and(c.REFERRER_USER_ID.isNotNull()).and(c.CREATED_AT.ge(w.start())).and(c.CREATED_AT.lt(w.end())))
                        .union(DSL.select(c.REFERRER_USER_ID).from(k).join(c).on(c.ID.eq(k.REFERRAL_CODE_ID).and(c.TENANT_ID.eq(k.TENANT_ID)))
                                .where(k.TENANT_ID.eq(tenant).and(c.REFERRER_USER_ID.isNotNull()).and(k.CLICKED_AT.ge(w.start())).and(k.CLICKED_AT.lt(w.end())))));
        Field<String> user = DSL.field(DSL.name("act", "user_id"), String.class);
        Field<Long> days = DSL.field(DSL.name("act", "days"), Long.class);
        Field<Boolean> lastWeek = DSL.field(DSL.name("act", "last7"), Boolean.class);
        Field<String> engUser = DSL.field(DSL.name("eng", "user_id"), String.class);
        Field<String> unlUser = DSL.field(DSL.name("unl", "user_id"), String.class);
        Field<Integer> levels = DSL.field(DSL.name("unl", "levels"), Integer.class);
        Field<String> refUser = DSL.field(DSL.name("ref", "user_id"), String.class);
        var engaged = engUser.isNotNull();
        var inLast7 = DSL.condition(lastWeek);
        List<Field<?>> counts = new java.util.ArrayList<>(List.of(
                DSL.count().filterWhere(engaged), DSL.coalesce(DSL.sum(days).filterWhere(engaged), DSL.inline(java.math.BigDecimal.ZERO)).cast(Long.class),
                DSL.count().filterWhere(engaged.and(inLast7)),
                DSL.count().filterWhere(engaged.not()), DSL.coalesce(DSL.sum(days).filterWhere(engaged.not()), DSL.inline(java.math.BigDecimal.ZERO)).cast(Long.class),
                DSL.count().filterWhere(engaged.not().and(inLast7)),
                DSL.count().filterWhere(levels.isNotNull())));
        for (int level = 1; level <= LEVELS; level++) {
            counts.add(DSL.count().filterWhere(DSL.condition("({0} & {1}) <> 0", levels, DSL.inline(1 << level))));
        }
        counts.add(DSL.count().filterWhere(refUser.isNotNull()));
        counts.add(beyond);
        // Users who scored on some board in the window (recent bits only; the user-days path counts board entries instead).
        counts.add(DSL.count().filterWhere(DSL.condition(DSL.field(DSL.name("act", "scored"), Boolean.class))));
        return tx.with(act).with(eng).with(unl).with(ref).select(counts)
                .from(act).leftJoin(eng).on(engUser.eq(user)).leftJoin(unl).on(unlUser.eq(user)).leftJoin(ref).on(refUser.eq(user))
                .where(days.gt(0L));
    }

    /**
     * A user's active days in [from, to] from the recent bits: the bits of offsets last_day - to
     * (at least 0) to last_day - from, as a substring (the last character is last_day), counted.
     */
    private static Field<Long> daysIn(Field<String> bits, LocalDate from, LocalDate to) {
        return DSL.field("bit_count(substring({0} from " + RECENT_DAYS + " - ({1} - {2}) for greatest(({1} - {2}) - greatest({1} - {3}, 0) + 1, 0)))",
                Long.class, bits, LAST_DAY, DSL.val(from), DSL.val(to));
    }

    /**
     * Achievements of the platform and the tenant's own (with their owner), with the users who
     * unlocked each in the window: the window's distinct (achievement, user) pairs hashed, then
     * counted per achievement (count(DISTINCT) would sort every group's users).
     */
    private static org.jooq.ResultQuery<?> achievements(DSLContext tx, UUID tenant, String platform, Window w) {
        var a = ACHIEVEMENTS;
        var ta = TENANT_ACHIEVEMENTS;
        var unlocked = DSL.selectDistinct(ta.ACHIEVEMENT_ID, ta.USER_ID).from(ta)
                .where(ta.TENANT_ID.eq(tenant).and(ta.USER_ID.isNotNull()).and(ta.UNLOCKED_AT.ge(w.start())).and(ta.UNLOCKED_AT.lt(w.end())))
                .asTable("unlocked");
        return tx.select(a.TENANT_ID, a.ACHIEVEMENT_KEY, a.ACHIEVEMENT_NAME, a.DIFFICULTY_LEVEL, DSL.count(unlocked.field(ta.USER_ID))).from(a)
                .leftJoin(unlocked).on(unlocked.field(ta.ACHIEVEMENT_ID).eq(a.ID))
                .where(a.PLATFORM.eq(platform).and(a.STATUS.eq("active")).and(a.TENANT_ID.isNull().or(a.TENANT_ID.eq(tenant))))
                .groupBy(a.TENANT_ID, a.ACHIEVEMENT_KEY, a.ACHIEVEMENT_NAME, a.DIFFICULTY_LEVEL);
    }

    /** Clicks in the window counted once per code and visitor (device fingerprint, else address). */
    private static org.jooq.ResultQuery<?> uniqueClicks(DSLContext tx, UUID tenant, Window w) {
        var k = REFERRAL_CLICKS;
        return tx.selectCount().from(DSL.selectDistinct(k.REFERRAL_CODE_ID, DSL.coalesce(k.DEVICE_FINGERPRINT, k.IP_ADDRESS, DSL.inline(""))).from(k)
                .where(k.TENANT_ID.eq(tenant).and(k.CLICKED_AT.ge(w.start())).and(k.CLICKED_AT.lt(w.end()))));
    }

    /** Conversions created in the window, by status. */
    private static org.jooq.ResultQuery<?> conversionsByStatus(DSLContext tx, UUID tenant, Window w) {
        var v = REFERRAL_CONVERSIONS;
        return tx.select(v.STATUS, DSL.count()).from(v)
                .where(v.TENANT_ID.eq(tenant).and(v.CREATED_AT.ge(w.start())).and(v.CREATED_AT.lt(w.end())))
                .groupBy(v.STATUS);
    }

    /**
     * Users with a score on any board in one of the window's daily buckets (every score is kept in
     * them), hashed rather than sorted. Naming the boards lets the (tenant, board, period, user)
     * index reach just the window's daily buckets, however long the history. Three statements:
     * sequential scans off, the count, on again. Where the window's buckets are most of the table
     * (a young deployment, the bench), the planner prefers a sequential scan that tests every row
     * against boards x days: 57 ms of CPU against 37 ms through the index on AnalyticsBench's
     * 100,000 entries. With a longer history it takes the index by itself.
     */
    private static List<org.jooq.ResultQuery<?>> leaderboardParticipants(DSLContext tx, UUID tenant, Window w) {
        var e = LEADERBOARD_ENTRIES;
        var b = LEADERBOARDS;
        List<String> days = w.from().datesUntil(w.to().plusDays(1)).map(LocalDate::toString).toList();
        // A cast, so that PostgreSQL reads "= ANY" as over one array rather than over a subquery's rows.
        Field<UUID[]> boards = DSL.field(DSL.select(DSL.arrayAgg(b.ID)).from(b).where(b.TENANT_ID.isNull().or(b.TENANT_ID.eq(tenant))))
                .cast(org.jooq.impl.SQLDataType.UUID.array());
        return List.of(seqScans(tx, false), tx.selectCount().from(DSL.selectDistinct(e.USER_ID).from(e)
                .where(e.TENANT_ID.eq(tenant).and(e.USER_ID.isNotNull()).and(e.LEADERBOARD_ID.eq(DSL.any(boards))).and(e.PERIOD_KEY.in(days)))),
                seqScans(tx, true));
    }

    /** Sets enable_seqscan for the rest of the transaction. */
    private static org.jooq.ResultQuery<?> seqScans(DSLContext tx, boolean on) {
        return tx.select(DSL.function("set_config", String.class, DSL.inline("enable_seqscan"), DSL.inline(on ? "on" : "off"), DSL.inline(true)));
    }

    /** Whether the tenant has a published, active showcase. */
    private static org.jooq.ResultQuery<?> hasPublishedShowcase(DSLContext tx, UUID tenant) {
        var s = SHOWCASE_PORTFOLIOS;
        return tx.select(DSL.exists(DSL.selectOne().from(s).where(s.TENANT_ID.eq(tenant).and(s.STATUS.eq("active")).and(s.PUBLISHED_AT.isNotNull()))));
    }

    /**
     * The tenant's holdout, when it runs one: users first seen from its start to the window's end,
     * split by {@link Holdout} membership, each with its activity in the window (one probe of the
     * (tenant, user, day) index per user). Rows: (share, started_on, held, users, active, days,
     * active in the last 7 days); none without a holdout.
     */
    private static org.jooq.ResultQuery<?> holdout(DSLContext tx, UUID tenant, Window w) {
        var h = ANALYTICS_HOLDOUTS;
        var f = ANALYTICS_USER_FIRST_DAYS;
        var d = ANALYTICS_USER_DAYS;
        var a = DSL.lateral(DSL.select(DSL.count().as("days"), DSL.max(d.DAY).as("last_day")).from(d)
                .where(d.TENANT_ID.eq(f.TENANT_ID).and(d.USER_ID.eq(f.USER_ID)).and(d.DAY.between(w.from(), w.to())))).as("a");
        Field<Integer> days = a.field("days", Integer.class);
        Field<LocalDate> last = a.field("last_day", LocalDate.class);
        Field<Boolean> held = DSL.field(Holdout.bucket(f.TENANT_ID, f.USER_ID).lt(h.SHARE.mul(DSL.inline(Holdout.BUCKETS)).cast(Long.class)));
        return tx.select(h.SHARE, h.STARTED_ON, held, DSL.count(f.USER_ID).cast(Long.class), DSL.count().filterWhere(days.gt(0)).cast(Long.class),
                        DSL.coalesce(DSL.sum(days), DSL.inline(java.math.BigDecimal.ZERO)).cast(Long.class),
                        DSL.count().filterWhere(last.ge(w.to().minusDays(6))).cast(Long.class))
                .from(h).leftJoin(f).on(f.TENANT_ID.eq(h.TENANT_ID).and(f.FIRST_DAY.ge(h.STARTED_ON)).and(f.FIRST_DAY.le(w.to())))
                .leftJoin(a).on(DSL.trueCondition())
                .where(h.TENANT_ID.eq(tenant))
                .groupBy(h.SHARE, h.STARTED_ON, held);
    }

    /** The tenant's holdout setting, when it runs one. */
    java.util.Optional<HoldoutSetting> holdoutSetting(DSLContext tx, UUID tenant) {
        var h = ANALYTICS_HOLDOUTS;
        return tx.select(h.SHARE, h.STARTED_ON).from(h).where(h.TENANT_ID.eq(tenant)).fetchOptional(r -> new HoldoutSetting(r.value1(), r.value2()));
    }

    record HoldoutSetting(java.math.BigDecimal share, LocalDate startedOn) {}

    /** Starts the tenant's holdout on {@code today} or changes its share (a changed share restarts it: membership changed). */
    HoldoutSetting setHoldout(DSLContext tx, UUID tenant, java.math.BigDecimal share, LocalDate today) {
        var h = ANALYTICS_HOLDOUTS;
        return tx.insertInto(h, h.TENANT_ID, h.SHARE, h.STARTED_ON).values(tenant, share, today)
                .onConflict(h.TENANT_ID).doUpdate()
                .set(h.STARTED_ON, DSL.when(h.SHARE.eq(DSL.excluded(h.SHARE)), h.STARTED_ON).otherwise(DSL.excluded(h.STARTED_ON)))
                .set(h.SHARE, DSL.excluded(h.SHARE)).set(h.UPDATED_AT, DSL.currentOffsetDateTime())
                .returningResult(h.SHARE, h.STARTED_ON).fetchOne(r -> new HoldoutSetting(r.value1(), r.value2()));
    }

    /** Ends the tenant's holdout; false when it ran none. */
    boolean endHoldout(DSLContext tx, UUID tenant) {
        var h = ANALYTICS_HOLDOUTS;
        return tx.deleteFrom(h).where(h.TENANT_ID.eq(tenant)).execute() == 1;
    }

    /** Retention rows: cohort (Monday of the first active week), week index after it (0-4), users active then. */
    private static org.jooq.ResultQuery<?> retention(DSLContext tx, UUID tenant, Window w) {
        var f = ANALYTICS_USER_FIRST_DAYS;
        var d = ANALYTICS_USER_DAYS;
        Field<LocalDate> cohort = DSL.field("date_trunc('week', {0})::date", LocalDate.class, f.FIRST_DAY);
        Field<Integer> week = DSL.field("(({0} - date_trunc('week', {1})::date) / 7)", Integer.class, d.DAY, f.FIRST_DAY);
        return tx.select(cohort, week, DSL.countDistinct(d.USER_ID)).from(f)
                .join(d).on(d.TENANT_ID.eq(f.TENANT_ID).and(d.USER_ID.eq(f.USER_ID)).and(d.DAY.ge(f.FIRST_DAY))
                        .and(d.DAY.lt(DSL.field("date_trunc('week', {0})::date + 35", LocalDate.class, f.FIRST_DAY))))
                .where(f.TENANT_ID.eq(tenant).and(f.FIRST_DAY.between(w.from(), w.to())))
                .groupBy(cohort, week);
    }
}
