package dev.thrillring.achievements;

import dev.thrillring.decisions.Decided;
import dev.thrillring.engine.model.Outcome;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.Record3;
import org.jooq.Row6;
import org.jooq.Row7;
import org.jooq.impl.DSL;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.TENANT_ACHIEVEMENTS;

/**
 * The progress and unlocks of a group of one tenant's decisions, in at most three statements
 * whatever the group's size: the open occurrence of every repeatable achievement the group
 * touches, one upsert of progress rows and one of unlocks. The decisions are played in arrival
 * order in memory first (which occurrence each outcome meets, which unlock is the first of its
 * row), so the merged statements leave what one statement per outcome would have left, and each
 * decision gets the events of what it changed. The database still refuses a second unlock of a
 * row ({@code WHERE unlocked_at IS NULL}); an event is kept only for a row it confirmed.
 */
final class ProgressWrites {
    /** One row of {@code tenant_achievements}: a subject's occurrence of an achievement. */
    private record Row(String user, UUID achievement, int occurrence) {}

    /** A subject's achievement, whatever the occurrence. */
    private record Pair(String user, UUID achievement) {}

    /** What a decision may announce once the statements confirmed its row. */
    private record Pending(Decided decision, Row row, String type, Map<String, Object> data) {}

    private ProgressWrites() {}

    static void apply(DSLContext tx, AchievementStore store, List<Decided> group) {
        UUID tenantId = group.getFirst().tenantId();
        // Catalogue lookups (cached) and the repeatable pairs whose open occurrence must be read.
        Map<Outcome, AchievementStore.Ref> refs = new java.util.IdentityHashMap<>();
        Set<Pair> repeatable = new HashSet<>();
        for (Decided d : group) {
            for (Outcome o : d.outcomes()) {
                if (!o.kind().equals("progress") && !o.kind().equals("unlock")) continue;
                AchievementStore.Ref ref = store.ref(tx, tenantId, d.platform(), (String) o.details().get("achievement"), o.rule());
                refs.put(o, ref);
                if (ref.repeatable()) repeatable.add(new Pair(d.userId(), ref.id()));
            }
        }
        if (refs.isEmpty()) return;
        Map<Pair, Integer> open = openOccurrences(tx, tenantId, repeatable);

        // Play the group in order: progress rows keep their last value before an unlock of the
        // row; an unlock is written once, by the first decision that reaches it.
        Map<Row, Row6<UUID, String, UUID, Integer, BigDecimal, JSONB>> progress = new LinkedHashMap<>();
        Map<Row, Row7<UUID, String, UUID, Integer, BigDecimal, OffsetDateTime, JSONB>> unlocks = new LinkedHashMap<>();
        List<Pending> progressed = new ArrayList<>();
        List<Pending> unlocked = new ArrayList<>();
        Set<Row> unlockedHere = new HashSet<>();
        for (Decided d : group) {
            for (Outcome o : d.outcomes()) {
                if (!o.kind().equals("progress")) continue;
                AchievementStore.Ref ref = refs.get(o);
                Row row = new Row(d.userId(), ref.id(), occurrence(open, d.userId(), ref));
                if (unlockedHere.contains(row)) continue;
                double current = ((Number) o.details().get("current")).doubleValue();
                double target = ((Number) o.details().get("target")).doubleValue();
                double pct = ((Number) o.details().getOrDefault("percentage", Math.min(100, current / target * 100))).doubleValue();
                progress.put(row, DSL.row(tenantId, d.userId(), ref.id(), row.occurrence(), pct(pct),
                        AchievementStore.json(Map.of("current", current, "target", target))));
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("rule", o.rule());
                data.put("achievement", o.details().get("achievement"));
                data.put("occurrence", row.occurrence());
                data.put("current", current);
                data.put("target", target);
                data.put("percentage", pct);
                progressed.add(new Pending(d, row, "achievement.progressed", data));
            }
            for (Outcome o : d.outcomes()) {
                if (!o.kind().equals("unlock")) continue;
                AchievementStore.Ref ref = refs.get(o);
                Row row = new Row(d.userId(), ref.id(), occurrence(open, d.userId(), ref));
                if (!unlockedHere.add(row)) continue;
                OffsetDateTime when = d.at().atOffset(ZoneOffset.UTC);
                JSONB unlockData = AchievementStore.json(Map.of("fact_id", d.source(), "rule", o.rule()));
                unlocks.put(row, DSL.row(tenantId, d.userId(), ref.id(), row.occurrence(), pct(100), when, unlockData));
                if (ref.repeatable()) open.put(new Pair(d.userId(), ref.id()), row.occurrence() + 1);
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("rule", o.rule());
                data.put("achievement", o.details().get("achievement"));
                data.put("occurrence", row.occurrence());
                data.put("backfilled", false);
                unlocked.add(new Pending(d, row, "achievement.unlocked", data));
            }
        }

        Set<Row> progressWritten = progress.isEmpty() ? Set.of() : writeProgress(tx, progress.values());
        Set<Row> unlockWritten = unlocks.isEmpty() ? Set.of() : writeUnlocks(tx, unlocks.values());
        // Each decision's progress events come before its unlock events, as one decision at a time would give them.
        Map<Decided, List<Pending>> byDecision = new LinkedHashMap<>();
        for (Pending p : progressed) if (progressWritten.contains(p.row())) byDecision.computeIfAbsent(p.decision(), k -> new ArrayList<>()).add(p);
        for (Pending p : unlocked) if (unlockWritten.contains(p.row())) byDecision.computeIfAbsent(p.decision(), k -> new ArrayList<>()).add(p);
        for (var e : byDecision.entrySet()) {
            for (Pending p : e.getValue()) {
                e.getKey().emit(p.type(), p.data());
            }
        }
    }

    private static int occurrence(Map<Pair, Integer> open, String user, AchievementStore.Ref ref) {
        return ref.repeatable() ? open.getOrDefault(new Pair(user, ref.id()), 1) : 1;
    }

    /**
     * The occurrence each subject is working on for each repeatable achievement: 1, or one past
     * its last unlock. One statement for all pairs.
     */
    private static Map<Pair, Integer> openOccurrences(DSLContext tx, UUID tenantId, Set<Pair> pairs) {
        Map<Pair, Integer> open = new HashMap<>();
        if (pairs.isEmpty()) return open;
        Set<String> users = new HashSet<>();
        Set<UUID> achievements = new HashSet<>();
        boolean tenantSubject = false;
        for (Pair p : pairs) {
            if (p.user() == null) tenantSubject = true;
            else users.add(p.user());
            achievements.add(p.achievement());
        }
        var t = TENANT_ACHIEVEMENTS;
        var max = DSL.max(t.OCCURRENCE);
        var maxUnlocked = DSL.max(t.OCCURRENCE).filterWhere(t.UNLOCKED_AT.isNotNull());
        var who = users.isEmpty() ? DSL.falseCondition() : t.USER_ID.in(users);
        if (tenantSubject) who = who.or(t.USER_ID.isNull());
        for (var r : tx.select(t.USER_ID, t.ACHIEVEMENT_ID, max, maxUnlocked).from(t)
                .where(t.TENANT_ID.eq(tenantId).and(who).and(t.ACHIEVEMENT_ID.in(achievements)))
                .groupBy(t.USER_ID, t.ACHIEVEMENT_ID)
                .fetch()) {
            Pair p = new Pair(r.value1(), r.value2());
            if (!pairs.contains(p)) continue;
            Integer m = r.value3();
            Integer u = r.value4();
            open.put(p, u != null && u.equals(m) ? m + 1 : m);
        }
        return open;
    }

    /** One upsert of progress rows; a row already unlocked keeps what it has. Returns the rows written. */
    private static Set<Row> writeProgress(DSLContext tx, java.util.Collection<Row6<UUID, String, UUID, Integer, BigDecimal, JSONB>> rows) {
        var t = TENANT_ACHIEVEMENTS;
        return rowsOf(tx.insertInto(t, t.TENANT_ID, t.USER_ID, t.ACHIEVEMENT_ID, t.OCCURRENCE, t.COMPLETION_PERCENTAGE, t.PROGRESS_DATA)
                .valuesOfRows(new ArrayList<>(rows))
                .onConflict(t.TENANT_ID, t.USER_ID, t.ACHIEVEMENT_ID, t.OCCURRENCE)
                .doUpdate().set(t.COMPLETION_PERCENTAGE, DSL.excluded(t.COMPLETION_PERCENTAGE))
                .set(t.PROGRESS_DATA, DSL.excluded(t.PROGRESS_DATA))
                .where(t.UNLOCKED_AT.isNull())
                .returningResult(t.USER_ID, t.ACHIEVEMENT_ID, t.OCCURRENCE)
                .fetch());
    }

    /** One upsert of unlocks; a row already unlocked is not unlocked again. Returns the rows unlocked. */
    private static Set<Row> writeUnlocks(DSLContext tx,
                                         java.util.Collection<Row7<UUID, String, UUID, Integer, BigDecimal, OffsetDateTime, JSONB>> rows) {
        var t = TENANT_ACHIEVEMENTS;
        return rowsOf(tx.insertInto(t, t.TENANT_ID, t.USER_ID, t.ACHIEVEMENT_ID, t.OCCURRENCE, t.COMPLETION_PERCENTAGE, t.UNLOCKED_AT,
                        t.UNLOCK_DATA)
                .valuesOfRows(new ArrayList<>(rows))
                .onConflict(t.TENANT_ID, t.USER_ID, t.ACHIEVEMENT_ID, t.OCCURRENCE)
                .doUpdate().set(t.COMPLETION_PERCENTAGE, DSL.excluded(t.COMPLETION_PERCENTAGE))
                .set(t.UNLOCKED_AT, DSL.excluded(t.UNLOCKED_AT))
                .set(t.UNLOCK_DATA, DSL.excluded(t.UNLOCK_DATA))
                .where(t.UNLOCKED_AT.isNull())
                .returningResult(t.USER_ID, t.ACHIEVEMENT_ID, t.OCCURRENCE)
                .fetch());
    }

    private static Set<Row> rowsOf(org.jooq.Result<Record3<String, UUID, Integer>> result) {
        Set<Row> out = new HashSet<>();
        for (var r : result) out.add(new Row(r.value1(), r.value2(), r.value3()));
        return out;
    }

    private static BigDecimal pct(double p) { return BigDecimal.valueOf(Math.max(0, Math.min(100, p))).setScale(2, RoundingMode.DOWN); }
}
