package dev.thrillring.achievements;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.ACHIEVEMENTS;
import static dev.thrillring.db.schema.Tables.ACHIEVEMENT_CATEGORIES;
import static dev.thrillring.db.schema.Tables.SUBJECT_METRICS;
import static dev.thrillring.db.schema.Tables.TENANT_ACHIEVEMENTS;

/** Read-side queries: the catalogue with unlock counts, and one subject's achievement rows. */
final class AchievementQueries {

    /** A catalogue entry as listed. */
    record Entry(UUID achievementId, String key, String name, String description, String category, String type,
                 String platform, boolean custom, Map<?, ?> triggerConditions, Map<?, ?> rewardConfig, int difficultyLevel,
                 boolean isRepeatable, Integer cooldownSeconds, boolean isHidden, String iconUrl, int sortOrder, int unlockCount) {}

    /** A subject's row for one achievement (one occurrence). */
    record SubjectRow(UUID achievementId, String key, int occurrence, double percentage, Map<?, ?> progressData,
                      OffsetDateTime unlockedAt, boolean backfilled) {}

    /** Active entries of the platform and, when given, the tenant's own, with how many subjects unlocked each. */
    List<Entry> catalogue(DSLContext tx, String platform, UUID tenantOrNull) {
        var unlocks = DSL.select(DSL.count()).from(TENANT_ACHIEVEMENTS)
                .where(TENANT_ACHIEVEMENTS.ACHIEVEMENT_ID.eq(ACHIEVEMENTS.ID).and(TENANT_ACHIEVEMENTS.UNLOCKED_AT.isNotNull()))
                .<Integer>asField("unlock_count");
        return tx.select(ACHIEVEMENTS.ID, ACHIEVEMENTS.ACHIEVEMENT_KEY, ACHIEVEMENTS.ACHIEVEMENT_NAME, ACHIEVEMENTS.DESCRIPTION,
                        ACHIEVEMENT_CATEGORIES.CATEGORY_NAME, ACHIEVEMENTS.ACHIEVEMENT_TYPE, ACHIEVEMENTS.PLATFORM, ACHIEVEMENTS.TENANT_ID,
                        ACHIEVEMENTS.TRIGGER_CONDITIONS, ACHIEVEMENTS.REWARD_CONFIG, ACHIEVEMENTS.DIFFICULTY_LEVEL,
                        ACHIEVEMENTS.IS_REPEATABLE, ACHIEVEMENTS.COOLDOWN_SECONDS, ACHIEVEMENTS.IS_HIDDEN, ACHIEVEMENTS.ICON_URL,
                        ACHIEVEMENTS.SORT_ORDER, unlocks)
                .from(ACHIEVEMENTS).leftJoin(ACHIEVEMENT_CATEGORIES).on(ACHIEVEMENT_CATEGORIES.ID.eq(ACHIEVEMENTS.CATEGORY_ID))
                .where(ACHIEVEMENTS.PLATFORM.eq(platform).and(ACHIEVEMENTS.STATUS.eq("active"))
                        .and(tenantOrNull == null ? ACHIEVEMENTS.TENANT_ID.isNull()
                                : ACHIEVEMENTS.TENANT_ID.isNull().or(ACHIEVEMENTS.TENANT_ID.eq(tenantOrNull))))
                .orderBy(ACHIEVEMENTS.TENANT_ID.nullsFirst(), ACHIEVEMENT_CATEGORIES.SORT_ORDER, ACHIEVEMENTS.SORT_ORDER, ACHIEVEMENTS.ACHIEVEMENT_KEY)
                .fetch(r -> new Entry(r.value1(), r.value2(), r.value3(), r.value4(), r.value5(), r.value6(), r.value7(), r.value8() != null,
                        AchievementStore.read(r.value9()), AchievementStore.read(r.value10()), r.value11(), r.value12(), r.value13(),
                        r.value14(), r.value15(), r.value16(), r.value17()));
    }

    /** Every achievement row of one subject (user, or the tenant as a whole when {@code userId} is null). */
    List<SubjectRow> subjectRows(DSLContext tx, UUID tenantId, String userId) {
        return tx.select(TENANT_ACHIEVEMENTS.ACHIEVEMENT_ID, ACHIEVEMENTS.ACHIEVEMENT_KEY, TENANT_ACHIEVEMENTS.OCCURRENCE,
                        TENANT_ACHIEVEMENTS.COMPLETION_PERCENTAGE, TENANT_ACHIEVEMENTS.PROGRESS_DATA,
                        TENANT_ACHIEVEMENTS.UNLOCKED_AT, TENANT_ACHIEVEMENTS.BACKFILLED)
                .from(TENANT_ACHIEVEMENTS).join(ACHIEVEMENTS).on(ACHIEVEMENTS.ID.eq(TENANT_ACHIEVEMENTS.ACHIEVEMENT_ID))
                .where(TENANT_ACHIEVEMENTS.TENANT_ID.eq(tenantId).and(TENANT_ACHIEVEMENTS.USER_ID.isNotDistinctFrom(userId)))
                .orderBy(TENANT_ACHIEVEMENTS.UNLOCKED_AT.desc().nullsLast(), TENANT_ACHIEVEMENTS.OCCURRENCE)
                .fetch(r -> new SubjectRow(r.value1(), r.value2(), r.value3(), r.value4().doubleValue(),
                        AchievementStore.read(r.value5()), r.value6(), r.value7()));
    }

    /** Every user's achievement rows of the tenant (for the tenant-wide view when the tenant as a whole has none). */
    List<SubjectRow> rowsOfAllUsers(DSLContext tx, UUID tenantId) {
        return tx.select(TENANT_ACHIEVEMENTS.ACHIEVEMENT_ID, ACHIEVEMENTS.ACHIEVEMENT_KEY, TENANT_ACHIEVEMENTS.OCCURRENCE,
                        TENANT_ACHIEVEMENTS.COMPLETION_PERCENTAGE, TENANT_ACHIEVEMENTS.PROGRESS_DATA,
                        TENANT_ACHIEVEMENTS.UNLOCKED_AT, TENANT_ACHIEVEMENTS.BACKFILLED)
                .from(TENANT_ACHIEVEMENTS).join(ACHIEVEMENTS).on(ACHIEVEMENTS.ID.eq(TENANT_ACHIEVEMENTS.ACHIEVEMENT_ID))
                .where(TENANT_ACHIEVEMENTS.TENANT_ID.eq(tenantId).and(TENANT_ACHIEVEMENTS.USER_ID.isNotNull()))
                .orderBy(TENANT_ACHIEVEMENTS.UNLOCKED_AT.asc().nullsLast(), TENANT_ACHIEVEMENTS.OCCURRENCE)
                .fetch(r -> new SubjectRow(r.value1(), r.value2(), r.value3(), r.value4().doubleValue(),
                        AchievementStore.read(r.value5()), r.value6(), r.value7()));
    }

    /** The all-time metrics of the tenant's users, summed, and how many users have any. */
    Map<String, Double> allTimeMetricsOfUsers(DSLContext tx, UUID tenantId) {
        return tx.select(SUBJECT_METRICS.METRIC, DSL.sum(SUBJECT_METRICS.VALUE).cast(Double.class)).from(SUBJECT_METRICS)
                .where(SUBJECT_METRICS.TENANT_ID.eq(tenantId).and(SUBJECT_METRICS.USER_ID.ne(""))
                        .and(SUBJECT_METRICS.PERIOD_KEY.eq("all")))
                .groupBy(SUBJECT_METRICS.METRIC)
                .fetchMap(r -> r.value1(), r -> r.value2());
    }

    /** Keys of achievements anyone in the tenant has unlocked (hidden ones are shown to a tenant once it has). */
    List<String> unlockedInTenant(DSLContext tx, UUID tenantId) {
        return tx.selectDistinct(ACHIEVEMENTS.ACHIEVEMENT_KEY).from(TENANT_ACHIEVEMENTS)
                .join(ACHIEVEMENTS).on(ACHIEVEMENTS.ID.eq(TENANT_ACHIEVEMENTS.ACHIEVEMENT_ID))
                .where(TENANT_ACHIEVEMENTS.TENANT_ID.eq(tenantId).and(TENANT_ACHIEVEMENTS.UNLOCKED_AT.isNotNull()))
                .fetch(ACHIEVEMENTS.ACHIEVEMENT_KEY);
    }

    /** A subject's all-time metrics. */
    Map<String, Double> allTimeMetrics(DSLContext tx, UUID tenantId, String userId) {
        return tx.select(SUBJECT_METRICS.METRIC, SUBJECT_METRICS.VALUE).from(SUBJECT_METRICS)
                .where(SUBJECT_METRICS.TENANT_ID.eq(tenantId).and(SUBJECT_METRICS.USER_ID.eq(userId == null ? "" : userId))
                        .and(SUBJECT_METRICS.PERIOD_KEY.eq("all")))
                .fetchMap(SUBJECT_METRICS.METRIC, SUBJECT_METRICS.VALUE);
    }

}
