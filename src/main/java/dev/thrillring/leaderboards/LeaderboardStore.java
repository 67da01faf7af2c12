package dev.thrillring.leaderboards;

import dev.thrillring.web.Json;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.LEADERBOARDS;
import static dev.thrillring.db.schema.Tables.LEADERBOARD_ENTRIES;
import static dev.thrillring.db.schema.Tables.LEADERBOARD_PRIVACY;

/** Boards, entries per period bucket, privacy choices; standings through {@code leaderboard_standings}. */
final class LeaderboardStore {

    /** A board definition. */
    record Board(UUID id, String key, String name, String type, String source, String period, String timeZone,
                 String visibility, int maxParticipants, UUID tenantId) {}

    /** One row of a board's standings. */
    record Standing(long rank, UUID tenantId, String userId, String displayName, BigDecimal score, OffsetDateTime scoreReachedAt) {}

    /** Active boards of the platform and the tenant's own. */
    List<Board> boards(DSLContext tx, String platform, UUID tenant) {
        return tx.selectFrom(LEADERBOARDS)
                .where(LEADERBOARDS.PLATFORM.eq(platform).and(LEADERBOARDS.STATUS.eq("active"))
                        .and(LEADERBOARDS.TENANT_ID.isNull().or(LEADERBOARDS.TENANT_ID.eq(tenant))))
                .orderBy(LEADERBOARDS.LEADERBOARD_KEY)
                .fetch(r -> new Board(r.getId(), r.getLeaderboardKey(), r.getLeaderboardName(), r.getLeaderboardType(),
                        String.valueOf(((Map<?, ?>) Json.read(r.getScoringCriteria())).get("source")), r.getTimePeriod(), r.getTimeZone(),
                        r.getVisibility(), r.getMaxParticipants(), r.getTenantId()));
    }

    /** What one fact adds to one board period: the sum of its score outcomes there, per rule. */
    record Score(UUID board, String period, BigDecimal value, Map<String, BigDecimal> byRule) {}

    static String key(UUID board, String period) { return board + "|" + period; }

    /** A subject's summed score on one board period over a group of decisions, reached at {@code at}. */
    record SubjectScore(String user, Score score, OffsetDateTime at) {
        String key() { return (user == null ? "" : user) + "|" + LeaderboardStore.key(score.board(), score.period()); }
    }

    /**
     * Adds the scores of several subjects of one tenant to their entries, one row per subject and
     * board period, in one upsert; returns each entry as it stands now, keyed like
     * {@link SubjectScore#key()}. The time a score was reached moves only when the score changes
     * (the tie-break: who got there first).
     */
    Map<String, RankIndex.Entry> addScoresAll(DSLContext tx, UUID tenant, java.util.Collection<SubjectScore> scores) {
        var e = LEADERBOARD_ENTRIES;
        var insert = tx.insertInto(e, e.LEADERBOARD_ID, e.PERIOD_KEY, e.TENANT_ID, e.USER_ID, e.SCORE, e.SCORE_DATA,
                e.SCORE_REACHED_AT, e.LAST_ACTIVITY);
        for (SubjectScore s : scores) {
            insert = insert.values(s.score().board(), s.score().period(), tenant, s.user(), s.score().value(), Json.jsonb(s.score().byRule()),
                    s.at(), s.at());
        }
        Map<String, RankIndex.Entry> out = new java.util.HashMap<>();
        insert.onConflict(e.TENANT_ID, e.LEADERBOARD_ID, e.PERIOD_KEY, e.USER_ID)
                .doUpdate()
                .set(e.SCORE, e.SCORE.plus(DSL.excluded(e.SCORE)))
                .set(e.SCORE_DATA, mergedBreakdown(scores))
                .set(e.SCORE_REACHED_AT, DSL.when(DSL.excluded(e.SCORE).eq(BigDecimal.ZERO), e.SCORE_REACHED_AT)
                        .otherwise(DSL.excluded(e.SCORE_REACHED_AT)))
                .set(e.LAST_ACTIVITY, DSL.excluded(e.LAST_ACTIVITY)).set(e.UPDATED_AT, DSL.currentOffsetDateTime())
                .set(e.GENERATION, e.GENERATION.plus(1L))
                .returningResult(e.USER_ID, e.LEADERBOARD_ID, e.PERIOD_KEY, e.SCORE, e.SCORE_REACHED_AT, e.GENERATION)
                .fetch()
                .forEach(r -> out.put((r.value1() == null ? "" : r.value1()) + "|" + key(r.value2(), r.value3()),
                        new RankIndex.Entry(tenant, r.value1(), r.value4(), r.value5().toInstant(), r.value6())));
        return out;
    }

    /**
     * The stored per-rule breakdown plus the new one, key by key. For the rules these rows name,
     * it is written with built-in operators only: {@code jsonb_add_numbers} (a SQL function with a
     * subquery, which PostgreSQL cannot inline) cost about 10 µs per row, and a fact writes 16 rows
     * (4 boards, 4 period buckets). Rules without a new value keep theirs ({@code jsonb_strip_nulls}
     * drops the NULL sums), and a rule new to the entry starts from 0.
     */
    private static org.jooq.Field<org.jooq.JSONB> mergedBreakdown(java.util.Collection<SubjectScore> scores) {
        var e = LEADERBOARD_ENTRIES;
        java.util.Set<String> rules = new java.util.TreeSet<>();
        for (SubjectScore s : scores) rules.addAll(s.score().byRule().keySet());
        // jsonb_build_object takes at most 100 arguments: many rules go through the general function.
        if (rules.isEmpty() || rules.size() > 50) {
            return DSL.function("jsonb_add_numbers", org.jooq.JSONB.class, e.SCORE_DATA, DSL.excluded(e.SCORE_DATA));
        }
        List<org.jooq.Field<?>> pairs = new java.util.ArrayList<>();
        for (String rule : rules) {
            pairs.add(DSL.val(rule));
            pairs.add(DSL.coalesce(DSL.field("({0} ->> {1})::numeric", BigDecimal.class, e.SCORE_DATA, DSL.val(rule)), BigDecimal.ZERO)
                    .plus(DSL.field("({0} ->> {1})::numeric", BigDecimal.class, DSL.excluded(e.SCORE_DATA), DSL.val(rule))));
        }
        return DSL.field("coalesce({0}, '{}'::jsonb) || jsonb_strip_nulls(jsonb_build_object({1}))", org.jooq.JSONB.class,
                e.SCORE_DATA, DSL.list(pairs.toArray(org.jooq.Field[]::new)));
    }

    /** Every entry of a board period, across tenants: only for building a rank index, as the owner. */
    List<RankIndex.Entry> allEntries(DSLContext owner, UUID board, String period) {
        var e = LEADERBOARD_ENTRIES;
        return owner.select(e.TENANT_ID, e.USER_ID, e.SCORE, e.SCORE_REACHED_AT, e.GENERATION).from(e)
                .where(e.LEADERBOARD_ID.eq(board).and(e.PERIOD_KEY.eq(period)))
                .fetch(r -> new RankIndex.Entry(r.value1(), r.value2(), r.value3(), r.value4().toInstant(), r.value5()));
    }

    /** How each of these tenants wants to be shown: name when opted in, else nothing (a pseudonym). */
    Map<UUID, String> shownNames(DSLContext tx, java.util.Collection<UUID> tenants) {
        if (tenants.isEmpty()) return Map.of();
        Map<UUID, String> out = new java.util.HashMap<>();
        tx.select(DSL.field("tenant_id", UUID.class), DSL.field("shown_name", String.class))
                .from(DSL.table("leaderboard_shown_names({0})", DSL.val(tenants.toArray(new UUID[0]))))
                .forEach(r -> out.put(r.value1(), r.value2()));
        return out;
    }

    /** The whole standings of a board in a period (privacy applied by the database function). */
    List<Standing> standings(DSLContext tx, UUID board, String period, String industry) {
        return tx.select(DSL.field("rank", Long.class), DSL.field("tenant_id", UUID.class), DSL.field("user_id", String.class),
                        DSL.field("display_name", String.class), DSL.field("score", BigDecimal.class),
                        DSL.field("score_reached_at", OffsetDateTime.class))
                .from(DSL.table("leaderboard_standings({0}, {1}, {2})", DSL.val(board), DSL.val(period), DSL.val(industry, String.class)))
                .orderBy(DSL.field("rank"))
                .fetch(r -> new Standing(r.value1(), r.value2(), r.value3(), r.value4(), r.value5(), r.value6()));
    }

    Board insertBoard(DSLContext tx, UUID tenant, String platform, String key, String name, String source, String period,
                      String zone, String visibility, int max) {
        var b = LEADERBOARDS;
        UUID id = tx.insertInto(b).set(b.TENANT_ID, tenant).set(b.PLATFORM, platform).set(b.LEADERBOARD_KEY, key)
                .set(b.LEADERBOARD_NAME, name).set(b.LEADERBOARD_TYPE, "custom").set(b.SCORING_CRITERIA, Json.jsonb(Map.of("source", source)))
                .set(b.TIME_PERIOD, period).set(b.TIME_ZONE, zone).set(b.VISIBILITY, visibility).set(b.MAX_PARTICIPANTS, max)
                .onConflictDoNothing().returningResult(b.ID).fetchOptional().map(r -> r.value1())
                .orElseThrow(() -> new dev.thrillring.problems.Problem.Conflict("key", "a board '" + key + "' already exists"));
        return new Board(id, key, name, "custom", source, period, zone, visibility, max, tenant);
    }

    /** A subject's score in one period. */
    record PeriodScore(String period, BigDecimal score) {}

    /** A subject's entries on a board, newest period first. */
    List<PeriodScore> history(DSLContext tx, UUID board, UUID tenant, String user, int periods, String periodPattern) {
        var e = LEADERBOARD_ENTRIES;
        return tx.select(e.PERIOD_KEY, e.SCORE).from(e)
                .where(e.LEADERBOARD_ID.eq(board).and(e.TENANT_ID.eq(tenant)).and(e.USER_ID.isNotDistinctFrom(user))
                        .and(e.PERIOD_KEY.likeRegex(periodPattern)))
                .orderBy(e.PERIOD_KEY.desc()).limit(periods)
                .fetch(r -> new PeriodScore(r.value1(), r.value2()));
    }

    void setPrivacy(DSLContext tx, UUID tenant, boolean optedIn, String displayName) {
        tx.insertInto(LEADERBOARD_PRIVACY).set(LEADERBOARD_PRIVACY.TENANT_ID, tenant).set(LEADERBOARD_PRIVACY.OPTED_IN, optedIn)
                .set(LEADERBOARD_PRIVACY.DISPLAY_NAME, displayName)
                .onConflict(LEADERBOARD_PRIVACY.TENANT_ID).doUpdate()
                .set(LEADERBOARD_PRIVACY.OPTED_IN, optedIn).set(LEADERBOARD_PRIVACY.DISPLAY_NAME, displayName)
                .set(LEADERBOARD_PRIVACY.UPDATED_AT, DSL.currentOffsetDateTime())
                .execute();
    }

}
