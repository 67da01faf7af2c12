package dev.thrillring.analytics;

import dev.thrillring.db.TenantScope;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.ACHIEVEMENTS;
import static dev.thrillring.db.schema.Tables.ANALYTICS_USER_DAYS;
import static dev.thrillring.db.schema.Tables.ANALYTICS_USER_FIRST_DAYS;
import static dev.thrillring.db.schema.Tables.LEADERBOARD_ENTRIES;
import static dev.thrillring.db.schema.Tables.REFERRAL_CLICKS;
import static dev.thrillring.db.schema.Tables.REFERRAL_CODES;
import static dev.thrillring.db.schema.Tables.REFERRAL_CONVERSIONS;
import static dev.thrillring.db.schema.Tables.SHOWCASE_PORTFOLIOS;
import static dev.thrillring.db.schema.Tables.TENANT_ACHIEVEMENTS;

/** The analytics rollup (user days, first days) and the counts the metrics are computed from. */
final class AnalyticsStore {
    private static final org.jooq.Table<?> AUD = ANALYTICS_USER_DAYS;

    /** A day of inclusive windows [from, to], with the instants bounding it. */
    record Window(LocalDate from, LocalDate to) {
        OffsetDateTime start() { return from.atStartOfDay().atOffset(ZoneOffset.UTC); }
        OffsetDateTime end() { return to.plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC); }
    }

    /** A user's UTC day of activity. */
    record UserDay(String user, LocalDate day) {}

    /**
     * Records users' activity (facts per user and UTC day, the rollup) inside the decisions'
     * transaction: one upsert of the days and one of each user's first day, for a whole group.
     */
    void recordActivity(DSLContext tx, UUID tenant, Map<UserDay, Integer> facts) {
        var d = ANALYTICS_USER_DAYS;
        var days = tx.insertInto(d, d.TENANT_ID, d.USER_ID, d.DAY, d.FACTS);
        Map<String, LocalDate> first = new java.util.LinkedHashMap<>();
        for (var e : facts.entrySet()) {
            days = days.values(tenant, e.getKey().user(), e.getKey().day(), e.getValue());
            first.merge(e.getKey().user(), e.getKey().day(), (a, b) -> a.isBefore(b) ? a : b);
        }
        // Nothing in the transaction reads them back: both go with its last statements, in one round trip.
        TenantScope.defer(tx, days.onConflict(d.TENANT_ID, d.DAY, d.USER_ID).doUpdate().set(d.FACTS, d.FACTS.plus(DSL.excluded(d.FACTS))));
        var f = ANALYTICS_USER_FIRST_DAYS;
        var firsts = tx.insertInto(f, f.TENANT_ID, f.USER_ID, f.FIRST_DAY);
        for (var e : first.entrySet()) firsts = firsts.values(tenant, e.getKey(), e.getValue());
        TenantScope.defer(tx, firsts.onConflict(f.TENANT_ID, f.USER_ID).doUpdate().set(f.FIRST_DAY, DSL.least(f.FIRST_DAY, DSL.excluded(f.FIRST_DAY)))
                .where(f.FIRST_DAY.gt(DSL.excluded(f.FIRST_DAY))));
    }

    /** Users with at least one decided fact in the window, with how many days each was active. */
    List<UserDays> activeUsers(DSLContext tx, UUID tenant, Window w) {
        var d = ANALYTICS_USER_DAYS;
        return tx.select(d.USER_ID, DSL.count(), DSL.max(d.DAY)).from(d)
                .where(d.TENANT_ID.eq(tenant).and(d.DAY.between(w.from(), w.to())))
                .groupBy(d.USER_ID)
                .fetch(r -> new UserDays(r.value1(), r.value2(), r.value3()));
    }

    record UserDays(String userId, int days, LocalDate lastDay) {}

    /** Achievements of the platform and the tenant's own, with the users who unlocked each in the window. */
    List<AchievementUnlocks> unlocksByAchievement(DSLContext tx, UUID tenant, String platform, Window w) {
        var a = ACHIEVEMENTS;
        var ta = TENANT_ACHIEVEMENTS;
        Field<Integer> users = DSL.countDistinct(ta.USER_ID).as("users");
        return tx.select(a.ACHIEVEMENT_KEY, a.ACHIEVEMENT_NAME, a.DIFFICULTY_LEVEL, users).from(a)
                .leftJoin(ta).on(ta.ACHIEVEMENT_ID.eq(a.ID).and(ta.TENANT_ID.eq(tenant)).and(ta.USER_ID.isNotNull())
                        .and(ta.UNLOCKED_AT.ge(w.start())).and(ta.UNLOCKED_AT.lt(w.end())))
                .where(a.PLATFORM.eq(platform).and(a.STATUS.eq("active")).and(a.TENANT_ID.isNull().or(a.TENANT_ID.eq(tenant))))
                .groupBy(a.ACHIEVEMENT_KEY, a.ACHIEVEMENT_NAME, a.DIFFICULTY_LEVEL)
                .orderBy(a.ACHIEVEMENT_KEY)
                .fetch(r -> new AchievementUnlocks(r.value1(), r.value2(), r.value3(), r.value4()));
    }

    record AchievementUnlocks(String key, String name, int difficulty, int users) {}

    /** Users who unlocked at least one achievement in the window, per difficulty level (null key: any level). */
    Set<String> unlockers(DSLContext tx, UUID tenant, Window w, Integer difficulty) {
        var ta = TENANT_ACHIEVEMENTS;
        var a = ACHIEVEMENTS;
        return new HashSet<>(tx.selectDistinct(ta.USER_ID).from(ta).join(a).on(a.ID.eq(ta.ACHIEVEMENT_ID))
                .where(ta.TENANT_ID.eq(tenant).and(ta.USER_ID.isNotNull()).and(ta.UNLOCKED_AT.ge(w.start())).and(ta.UNLOCKED_AT.lt(w.end()))
                        .and(difficulty == null ? DSL.noCondition() : a.DIFFICULTY_LEVEL.eq(difficulty)))
                .fetch(ta.USER_ID));
    }

    /** Users who ever unlocked an achievement or held a referral code, up to the window's end (for "engaged"). */
    Set<String> engagedUsers(DSLContext tx, UUID tenant, Window w) {
        var ta = TENANT_ACHIEVEMENTS;
        var c = REFERRAL_CODES;
        return new HashSet<>(tx.select(ta.USER_ID).from(ta)
                .where(ta.TENANT_ID.eq(tenant).and(ta.USER_ID.isNotNull()).and(ta.UNLOCKED_AT.lt(w.end())))
                .union(DSL.select(c.REFERRER_USER_ID).from(c)
                        .where(c.TENANT_ID.eq(tenant).and(c.REFERRER_USER_ID.isNotNull()).and(c.CREATED_AT.lt(w.end()))))
                .fetch(0, String.class));
    }

    /** Users who created a referral code in the window or whose code was clicked in it. */
    Set<String> referralParticipants(DSLContext tx, UUID tenant, Window w) {
        var c = REFERRAL_CODES;
        var k = REFERRAL_CLICKS;
        return new HashSet<>(tx.select(c.REFERRER_USER_ID).from(c)
                .where(c.TENANT_ID.eq(tenant).and(c.REFERRER_USER_ID.isNotNull()).and(c.CREATED_AT.ge(w.start())).and(c.CREATED_AT.lt(w.end())))
                .union(DSL.select(c.REFERRER_USER_ID).from(k).join(c).on(c.ID.eq(k.REFERRAL_CODE_ID).and(c.TENANT_ID.eq(k.TENANT_ID)))
                        .where(k.TENANT_ID.eq(tenant).and(c.REFERRER_USER_ID.isNotNull()).and(k.CLICKED_AT.ge(w.start())).and(k.CLICKED_AT.lt(w.end()))))
                .fetch(0, String.class));
    }

    /** Clicks in the window counted once per code and visitor (device fingerprint, else address). */
    int uniqueClicks(DSLContext tx, UUID tenant, Window w) {
        var k = REFERRAL_CLICKS;
        return tx.select(DSL.countDistinct(k.REFERRAL_CODE_ID, DSL.coalesce(k.DEVICE_FINGERPRINT, k.IP_ADDRESS, DSL.inline("")))).from(k)
                .where(k.TENANT_ID.eq(tenant).and(k.CLICKED_AT.ge(w.start())).and(k.CLICKED_AT.lt(w.end())))
                .fetchSingle(0, Integer.class);
    }

    /** Conversions created in the window, by status. */
    java.util.Map<String, Integer> conversionsByStatus(DSLContext tx, UUID tenant, Window w) {
        var v = REFERRAL_CONVERSIONS;
        return tx.select(v.STATUS, DSL.count()).from(v)
                .where(v.TENANT_ID.eq(tenant).and(v.CREATED_AT.ge(w.start())).and(v.CREATED_AT.lt(w.end())))
                .groupBy(v.STATUS).fetchMap(v.STATUS, DSL.count());
    }

    /** Users with a score on any board in one of the window's daily buckets (every score is kept in them). */
    int leaderboardParticipants(DSLContext tx, UUID tenant, Window w) {
        var e = LEADERBOARD_ENTRIES;
        List<String> days = w.from().datesUntil(w.to().plusDays(1)).map(LocalDate::toString).toList();
        return tx.select(DSL.countDistinct(e.USER_ID)).from(e)
                .where(e.TENANT_ID.eq(tenant).and(e.USER_ID.isNotNull()).and(e.PERIOD_KEY.in(days)))
                .fetchSingle(0, Integer.class);
    }

    /** Whether the tenant has a published, active showcase. */
    boolean hasPublishedShowcase(DSLContext tx, UUID tenant) {
        var s = SHOWCASE_PORTFOLIOS;
        return tx.fetchExists(s, s.TENANT_ID.eq(tenant).and(s.STATUS.eq("active")).and(s.PUBLISHED_AT.isNotNull()));
    }

    /** Retention rows: cohort (Monday of the first active week), week index after it (0-4), users active then. */
    List<CohortWeek> retention(DSLContext tx, UUID tenant, Window w) {
        var f = ANALYTICS_USER_FIRST_DAYS;
        var d = ANALYTICS_USER_DAYS;
        Field<LocalDate> cohort = DSL.field("date_trunc('week', {0})::date", LocalDate.class, f.FIRST_DAY);
        Field<Integer> week = DSL.field("(({0} - date_trunc('week', {1})::date) / 7)", Integer.class, d.DAY, f.FIRST_DAY);
        return tx.select(cohort, week, DSL.countDistinct(d.USER_ID)).from(f)
                .join(d).on(d.TENANT_ID.eq(f.TENANT_ID).and(d.USER_ID.eq(f.USER_ID)).and(d.DAY.ge(f.FIRST_DAY))
                        .and(d.DAY.lt(DSL.field("date_trunc('week', {0})::date + 35", LocalDate.class, f.FIRST_DAY))))
                .where(f.TENANT_ID.eq(tenant).and(f.FIRST_DAY.between(w.from(), w.to())))
                .groupBy(cohort, week)
                .orderBy(cohort, week)
                .fetch(r -> new CohortWeek(r.value1(), r.value2(), r.value3()));
    }

    record CohortWeek(LocalDate cohort, int week, int users) {}

    /** Platform of a tenant is read by the service; kept out of here. */
    static Window window(LocalDate from, LocalDate to) { return new Window(from, to); }
}
