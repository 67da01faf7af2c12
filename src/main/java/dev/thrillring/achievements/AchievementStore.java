package dev.thrillring.achievements;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thrillring.web.Json;
import dev.thrillring.engine.AchievementDefinitions.Definition;
import dev.thrillring.engine.model.Outcome;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.Record;
import org.jooq.impl.DSL;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.ACHIEVEMENTS;
import static dev.thrillring.db.schema.Tables.ACHIEVEMENT_CATEGORIES;
import static dev.thrillring.db.schema.Tables.TENANT_ACHIEVEMENTS;

/** The achievement catalogue, subjects' progress and unlocks, and their events. */
public final class AchievementStore {
    private static final ObjectMapper JSON = Json.mapper();

    // ---------------------------------------------------------------- catalogue (owner) --

    /**
     * Makes the platform catalogue match {@code defs}: inserts or updates each, marks entries no
     * rule defines any more inactive.
     *
     * @return the ids of definitions that are new or became easier to reach (to be backfilled)
     */
    Map<UUID, Definition> syncPlatform(DSLContext owner, String platform, List<Definition> defs) {
        Map<UUID, Definition> backfill = new LinkedHashMap<>();
        int sort = 0;
        for (Definition d : defs) {
            UUID category = category(owner, platform, d.meta("category", "General"));
            Record before = owner.select(ACHIEVEMENTS.ID, ACHIEVEMENTS.TRIGGER_CONDITIONS, ACHIEVEMENTS.STATUS).from(ACHIEVEMENTS)
                    .where(ACHIEVEMENTS.PLATFORM.eq(platform).and(ACHIEVEMENTS.TENANT_ID.isNull()).and(ACHIEVEMENTS.ACHIEVEMENT_KEY.eq(d.key())))
                    .fetchOne();
            var values = new LinkedHashMap<org.jooq.Field<?>, Object>();
            values.put(ACHIEVEMENTS.CATEGORY_ID, category);
            values.put(ACHIEVEMENTS.ACHIEVEMENT_NAME, d.meta("title", d.key()));
            values.put(ACHIEVEMENTS.DESCRIPTION, d.meta("description", null));
            values.put(ACHIEVEMENTS.ACHIEVEMENT_TYPE, d.meta("type", "milestone"));
            values.put(ACHIEVEMENTS.TRIGGER_CONDITIONS, json(trigger(d)));
            values.put(ACHIEVEMENTS.REWARD_CONFIG, json(reward(d.points(), d.meta("badge", null))));
            values.put(ACHIEVEMENTS.DIFFICULTY_LEVEL, Integer.parseInt(d.meta("difficulty", "1")));
            int cooldownDays = Integer.parseInt(d.meta("cooldown_days", "0"));
            values.put(ACHIEVEMENTS.IS_REPEATABLE, cooldownDays > 0);
            values.put(ACHIEVEMENTS.COOLDOWN_SECONDS, cooldownDays > 0 ? cooldownDays * 86_400 : null);
            values.put(ACHIEVEMENTS.IS_HIDDEN, Boolean.parseBoolean(d.meta("hidden", "false")));
            values.put(ACHIEVEMENTS.ICON_URL, d.meta("icon", null));
            values.put(ACHIEVEMENTS.SORT_ORDER, ++sort);
            values.put(ACHIEVEMENTS.STATUS, "active");
            UUID id;
            if (before == null) {
                id = UUID.randomUUID();
                owner.insertInto(ACHIEVEMENTS).set(ACHIEVEMENTS.ID, id).set(ACHIEVEMENTS.PLATFORM, platform)
                        .set(ACHIEVEMENTS.ACHIEVEMENT_KEY, d.key()).set(values).execute();
                backfill.put(id, d);
            } else {
                id = before.get(ACHIEVEMENTS.ID);
                owner.update(ACHIEVEMENTS).set(values).where(ACHIEVEMENTS.ID.eq(id)).execute();
                Map<?, ?> old = read(before.get(ACHIEVEMENTS.TRIGGER_CONDITIONS));
                boolean easier = !(old.get("threshold") instanceof Number n) || d.threshold() < n.doubleValue()
                        || !"active".equals(before.get(ACHIEVEMENTS.STATUS));
                if (easier) backfill.put(id, d);
            }
        }
        Set<String> keys = defs.stream().map(Definition::key).collect(java.util.stream.Collectors.toSet());
        owner.update(ACHIEVEMENTS).set(ACHIEVEMENTS.STATUS, "inactive")
                .where(ACHIEVEMENTS.PLATFORM.eq(platform).and(ACHIEVEMENTS.TENANT_ID.isNull())
                        .and(ACHIEVEMENTS.STATUS.eq("active")).and(keys.isEmpty() ? DSL.trueCondition() : ACHIEVEMENTS.ACHIEVEMENT_KEY.notIn(keys)))
                .execute();
        return backfill;
    }

    private static UUID category(DSLContext owner, String platform, String name) {
        owner.insertInto(ACHIEVEMENT_CATEGORIES).set(ACHIEVEMENT_CATEGORIES.PLATFORM, platform)
                .set(ACHIEVEMENT_CATEGORIES.CATEGORY_NAME, name).onConflictDoNothing().execute();
        return owner.select(ACHIEVEMENT_CATEGORIES.ID).from(ACHIEVEMENT_CATEGORIES)
                .where(ACHIEVEMENT_CATEGORIES.PLATFORM.eq(platform).and(ACHIEVEMENT_CATEGORIES.TENANT_ID.isNull())
                        .and(ACHIEVEMENT_CATEGORIES.CATEGORY_NAME.eq(name)))
                .fetchOne(ACHIEVEMENT_CATEGORIES.ID);
    }

    /**
     * Unlocks, as backfilled, an all-time achievement for every subject of the platform's tenants
     * (or of one tenant) that already meets it, and records one {@code achievement.backfilled}
     * event per tenant instead of one notification per subject.
     *
     * @return how many subjects unlocked it
     */
    int backfill(DSLContext tx, String platform, UUID tenantOrNull, UUID achievementId, Definition d) {
        if (!d.period().equals("all_time")) return 0;
        var sql = """
                WITH met AS (
                    SELECT m.tenant_id, NULLIF(m.user_id, '') AS user_id, m.value
                      FROM subject_metrics m JOIN tenants t ON t.id = m.tenant_id
                     WHERE t.platform = {0} AND ({1}::uuid IS NULL OR m.tenant_id = {1}::uuid)
                       AND m.metric = {2} AND m.period_key = 'all'
                       AND (m.value > {3} OR (m.value = {3} AND {7} = '>='))
                       AND ({4}::varchar IS NULL OR EXISTS (
                            SELECT 1 FROM tenant_achievements p JOIN achievements pa ON pa.id = p.achievement_id
                             WHERE p.tenant_id = m.tenant_id AND p.user_id IS NOT DISTINCT FROM NULLIF(m.user_id, '')
                               AND pa.achievement_key = {4} AND p.unlocked_at IS NOT NULL))
                ), unlocked AS (
                    INSERT INTO tenant_achievements (tenant_id, user_id, achievement_id, occurrence, completion_percentage,
                                                     progress_data, unlocked_at, notified_at, backfilled)
                    SELECT tenant_id, user_id, {5}, 1, 100, jsonb_build_object('current', value, 'target', {3}), now(), now(), true FROM met
                    ON CONFLICT (tenant_id, user_id, achievement_id, occurrence) DO UPDATE
                       SET unlocked_at = excluded.unlocked_at, completion_percentage = 100, backfilled = true,
                           notified_at = excluded.notified_at, progress_data = excluded.progress_data
                     WHERE tenant_achievements.unlocked_at IS NULL
                    RETURNING tenant_id
                )
                SELECT tenant_id, count(*) FROM unlocked GROUP BY tenant_id
                """;
        int total = 0;
        // One event per tenant, not per subject: a backfill must not flood the tenant's consumers.
        for (Record r : tx.fetch(sql, platform, tenantOrNull, d.metric(), d.threshold(), d.requires(), achievementId, d.key(), d.comparison())) {
            int subjects = r.get(1, Integer.class);
            total += subjects;
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("achievement", d.key());
            data.put("subjects", subjects);
            data.put("backfilled", true);
            data.put("platform", platform);
            dev.thrillring.events.EventLog.append(tx, dev.thrillring.events.Event.of(r.get(0, UUID.class), "achievement.backfilled",
                    null, Instant.now(), data));
        }
        return total;
    }

    // ------------------------------------------------------- decisions (tenant scope) --

    /** What the decision path needs to know of an achievement; cached, the catalogue rarely changes. */
    record Ref(UUID id, boolean repeatable) {}

    private final com.github.benmanes.caffeine.cache.Cache<String, Ref> refs;

    AchievementStore(dev.thrillring.db.Caches caches) { this.refs = caches.lasting("achievement-refs", 100_000); }

    /** Forgets cached catalogue entries (after a sync or a new custom achievement). */
    void forgetCatalogue() { refs.invalidateAll(); }

    Ref ref(DSLContext tx, UUID tenantId, String platform, String key, String rule) {
        String k = platform + "|" + tenantId + "|" + key;
        Ref r = refs.getIfPresent(k);
        if (r != null) return r;
        UUID id = achievementId(tx, tenantId, platform, key).orElseGet(() -> registerCustom(tx, tenantId, platform, key, rule));
        Boolean repeatable = tx.select(ACHIEVEMENTS.IS_REPEATABLE).from(ACHIEVEMENTS).where(ACHIEVEMENTS.ID.eq(id)).fetchOne(ACHIEVEMENTS.IS_REPEATABLE);
        Ref found = new Ref(id, Boolean.TRUE.equals(repeatable));
        // Only once committed: a custom achievement registered by a transaction that then rolls
        // back would otherwise stay cached with an id no row has.
        dev.thrillring.db.TenantScope.afterCommit(tx, () -> refs.put(k, found));
        return found;
    }

    /**
     * Persists the progress and unlock outcomes of a group of one tenant's decisions (in arrival
     * order) and adds their events to each decision: see {@link ProgressWrites}.
     */
    void applyAll(DSLContext tx, List<dev.thrillring.decisions.Decided> group) {
        ProgressWrites.apply(tx, this, group);
    }

    /** The tenant's own definition of {@code key} if it has one, else the platform's. */
    static Optional<UUID> achievementId(DSLContext tx, UUID tenantId, String platform, String key) {
        return tx.select(ACHIEVEMENTS.ID).from(ACHIEVEMENTS)
                .where(ACHIEVEMENTS.ACHIEVEMENT_KEY.eq(key).and(ACHIEVEMENTS.PLATFORM.eq(platform))
                        .and(ACHIEVEMENTS.TENANT_ID.isNull().or(ACHIEVEMENTS.TENANT_ID.eq(tenantId))))
                .orderBy(ACHIEVEMENTS.TENANT_ID.desc().nullsLast()).limit(1)
                .fetchOptional(ACHIEVEMENTS.ID);
    }

    /** A key a tenant's rules unlock that no catalogue defines becomes one of the tenant's custom achievements. */
    private static UUID registerCustom(DSLContext tx, UUID tenantId, String platform, String key, String rule) {
        tx.insertInto(ACHIEVEMENTS)
                .set(ACHIEVEMENTS.TENANT_ID, tenantId).set(ACHIEVEMENTS.ACHIEVEMENT_KEY, key)
                .set(ACHIEVEMENTS.ACHIEVEMENT_NAME, key).set(ACHIEVEMENTS.ACHIEVEMENT_TYPE, "custom")
                .set(ACHIEVEMENTS.PLATFORM, platform).set(ACHIEVEMENTS.TRIGGER_CONDITIONS, json(Map.of("rule", rule)))
                .onConflictDoNothing().execute();
        return achievementId(tx, tenantId, platform, key).orElseThrow();
    }

    static Map<String, Object> trigger(Definition d) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("metric", d.metric());
        t.put("comparison", d.comparison());
        t.put("threshold", d.threshold());
        t.put("period", d.period());
        if (d.requires() != null) t.put("requires", d.requires());
        t.put("rule", d.rule());
        return t;
    }

    static Map<String, Object> reward(long points, String badge) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("points", points);
        if (badge != null) r.put("badge", badge);
        return r;
    }

    private static BigDecimal pct(double p) { return BigDecimal.valueOf(Math.max(0, Math.min(100, p))).setScale(2, RoundingMode.DOWN); }

    static JSONB json(Object value) { return Json.jsonb(value); }

    static Map<?, ?> read(JSONB json) {
        if (json == null) return Map.of();
        try {
            return JSON.readValue(json.data(), Map.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
