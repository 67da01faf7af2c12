package dev.thrillring.showcases;

import dev.thrillring.web.Json;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.impl.DSL;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.PORTFOLIO_METRICS;
import static dev.thrillring.db.schema.Tables.SHOWCASE_PORTFOLIOS;
import static dev.thrillring.db.schema.Tables.SOCIAL_SHARES;

/** Portfolios, their metrics, shares; the public lookups go through owner-rights functions. */
final class ShowcaseStore {
    private static final dev.thrillring.db.schema.tables.ShowcasePortfolios P = SHOWCASE_PORTFOLIOS;
    private static final dev.thrillring.db.schema.tables.PortfolioMetrics M = PORTFOLIO_METRICS;

    /** Where a public showcase lives. */
    record PublicRef(UUID tenantId, UUID portfolioId, OffsetDateTime updatedAt) {}

    /** A sitemap entry. */
    record SitemapEntry(String name, OffsetDateTime updatedAt) {}

    Optional<Portfolio> find(DSLContext tx, UUID tenant, UUID id) {
        return tx.selectFrom(P).where(P.TENANT_ID.eq(tenant)).and(P.ID.eq(id)).fetchOptional(ShowcaseStore::portfolio);
    }

    Optional<Portfolio> findKind(DSLContext tx, UUID tenant, String platform, String type) {
        return tx.selectFrom(P).where(P.TENANT_ID.eq(tenant)).and(P.PLATFORM.eq(platform)).and(P.SHOWCASE_TYPE.eq(type))
                .fetchOptional(ShowcaseStore::portfolio);
    }

    List<Portfolio> list(DSLContext tx, UUID tenant) {
        return tx.selectFrom(P).where(P.TENANT_ID.eq(tenant)).orderBy(P.CREATED_AT).fetch(ShowcaseStore::portfolio);
    }

    /** A new published portfolio; empty when the slug (or the kind) is taken, so the caller can try another slug. */
    Optional<UUID> insert(DSLContext tx, UUID tenant, String platform, String type, String name, String slug, String description) {
        return tx.insertInto(P).set(P.TENANT_ID, tenant).set(P.PLATFORM, platform).set(P.SHOWCASE_TYPE, type)
                .set(P.PORTFOLIO_NAME, name).set(P.SLUG, slug).set(P.DESCRIPTION, description)
                .set(P.VISIBILITY, "public").set(P.STATUS, "active").set(P.PUBLISHED_AT, DSL.currentOffsetDateTime())
                .onConflictDoNothing().returningResult(P.ID).fetchOptional().map(r -> r.value1());
    }

    /** Stores what generation computed. */
    void saveGenerated(DSLContext tx, UUID id, String baseline, boolean includeTestimonials, List<Map<String, Object>> caseStudies,
                       Map<String, Object> socialProof, Map<String, Object> seo) {
        tx.update(P).set(P.BASELINE, baseline).set(P.INCLUDE_TESTIMONIALS, includeTestimonials)
                .set(P.CASE_STUDIES, Json.jsonb(caseStudies)).set(P.SOCIAL_PROOF_DATA, Json.jsonb(socialProof))
                .set(P.SEO_DATA, Json.jsonb(seo)).set(P.UPDATED_AT, DSL.currentOffsetDateTime())
                .where(P.ID.eq(id)).execute();
    }

    /** Replaces the case studies {@code expected} with {@code replacement}; false when they changed meanwhile. */
    boolean replaceStudies(DSLContext tx, UUID tenant, UUID id, List<Map<String, Object>> expected, List<Map<String, Object>> replacement) {
        return tx.update(P).set(P.CASE_STUDIES, Json.jsonb(replacement))
                .where(P.TENANT_ID.eq(tenant)).and(P.ID.eq(id)).and(P.CASE_STUDIES.eq(Json.jsonb(expected))).execute() == 1;
    }

    /** Applies the changed fields (null: unchanged) and moves updated_at. */
    void update(DSLContext tx, UUID tenant, UUID id, Map<org.jooq.Field<?>, Object> changes) {
        var u = tx.update(P).set(P.UPDATED_AT, DSL.currentOffsetDateTime());
        for (var e : changes.entrySet()) {
            @SuppressWarnings("unchecked") org.jooq.Field<Object> f = (org.jooq.Field<Object>) e.getKey();
            u = u.set(f, e.getValue());
        }
        u.where(P.TENANT_ID.eq(tenant)).and(P.ID.eq(id)).execute();
    }

    /** False when another portfolio of the platform has that slug. */
    boolean setSlug(DSLContext tx, UUID tenant, UUID id, String slug) {
        try {
            tx.update(P).set(P.SLUG, slug).set(P.UPDATED_AT, DSL.currentOffsetDateTime())
                    .where(P.TENANT_ID.eq(tenant)).and(P.ID.eq(id)).execute();
            return true;
        } catch (org.jooq.exception.DataAccessException e) {
            if (e.sqlStateClass() == org.jooq.exception.SQLStateClass.C23_INTEGRITY_CONSTRAINT_VIOLATION) return false;
            throw e;
        }
    }

    void touch(DSLContext tx, UUID id) { tx.update(P).set(P.UPDATED_AT, DSL.currentOffsetDateTime()).where(P.ID.eq(id)).execute(); }

    void saveTestimonials(DSLContext tx, UUID id, List<Map<String, Object>> testimonials) {
        tx.update(P).set(P.TESTIMONIALS, Json.jsonb(testimonials)).set(P.UPDATED_AT, DSL.currentOffsetDateTime()).where(P.ID.eq(id)).execute();
    }

    // ---- metrics

    List<Metric> metrics(DSLContext tx, UUID tenant, UUID portfolio) {
        return tx.selectFrom(M).where(M.TENANT_ID.eq(tenant)).and(M.PORTFOLIO_ID.eq(portfolio))
                .orderBy(M.DISPLAY_ORDER, M.CREATED_AT, M.ID).fetch(ShowcaseStore::metric);
    }

    Optional<Metric> metric(DSLContext tx, UUID tenant, UUID portfolio, UUID id) {
        return tx.selectFrom(M).where(M.TENANT_ID.eq(tenant)).and(M.PORTFOLIO_ID.eq(portfolio)).and(M.ID.eq(id)).fetchOptional(ShowcaseStore::metric);
    }

    /** Replaces the computed metrics (those with a key); metrics typed in by hand stay. */
    void replaceComputed(DSLContext tx, UUID tenant, UUID portfolio, List<Metric> computed) {
        tx.deleteFrom(M).where(M.TENANT_ID.eq(tenant)).and(M.PORTFOLIO_ID.eq(portfolio)).and(M.METRIC_KEY.isNotNull()).execute();
        for (int i = 0; i < computed.size(); i++) insert(tx, tenant, portfolio, computed.get(i), i);
    }

    UUID insert(DSLContext tx, UUID tenant, UUID portfolio, Metric m, int order) {
        return tx.insertInto(M).set(M.TENANT_ID, tenant).set(M.PORTFOLIO_ID, portfolio).set(M.METRIC_KEY, m.key())
                .set(M.METRIC_NAME, m.metricName()).set(M.METRIC_VALUE, m.metricValue()).set(M.METRIC_UNIT, m.metricUnit())
                .set(M.TIME_PERIOD, m.timePeriod()).set(M.COMPARISON_BASELINE, m.comparisonBaseline())
                .set(M.BASELINE_PERIOD, m.baselinePeriod()).set(M.DATA_SOURCE, m.dataSource())
                .set(M.VERIFICATION_STATUS, m.verificationStatus()).set(M.DISPLAY_ORDER, order)
                .returningResult(M.ID).fetchOne().value1();
    }

    void updateMetric(DSLContext tx, UUID tenant, UUID id, Metric m) {
        tx.update(M).set(M.METRIC_KEY, m.key()).set(M.METRIC_NAME, m.metricName()).set(M.METRIC_VALUE, m.metricValue())
                .set(M.METRIC_UNIT, m.metricUnit()).set(M.TIME_PERIOD, m.timePeriod()).set(M.COMPARISON_BASELINE, m.comparisonBaseline())
                .set(M.BASELINE_PERIOD, m.baselinePeriod()).set(M.DATA_SOURCE, m.dataSource())
                .set(M.VERIFICATION_STATUS, m.verificationStatus()).set(M.DISPLAY_ORDER, m.displayOrder())
                .set(M.UPDATED_AT, DSL.currentOffsetDateTime())
                .where(M.TENANT_ID.eq(tenant)).and(M.ID.eq(id)).execute();
    }

    boolean deleteMetric(DSLContext tx, UUID tenant, UUID portfolio, UUID id) {
        return tx.deleteFrom(M).where(M.TENANT_ID.eq(tenant)).and(M.PORTFOLIO_ID.eq(portfolio)).and(M.ID.eq(id)).execute() == 1;
    }

    // ---- shares and events

    void recordShare(DSLContext tx, UUID tenant, UUID portfolio, String network, String url) {
        var s = SOCIAL_SHARES;
        tx.insertInto(s).set(s.TENANT_ID, tenant).set(s.CONTENT_TYPE, "portfolio").set(s.CONTENT_ID, portfolio)
                .set(s.PLATFORM, network).set(s.SHARE_URL, url).execute();
    }

    /** Shares of a portfolio per network. */
    Map<String, Integer> shareCounts(DSLContext tx, UUID tenant, UUID portfolio) {
        var s = SOCIAL_SHARES;
        return tx.select(s.PLATFORM, DSL.count()).from(s)
                .where(s.TENANT_ID.eq(tenant)).and(s.CONTENT_TYPE.eq("portfolio")).and(s.CONTENT_ID.eq(portfolio))
                .groupBy(s.PLATFORM).orderBy(s.PLATFORM).fetchMap(r -> r.value1(), r -> r.value2());
    }

    /** Writes one event to the tenant's ordered event log, in the caller's transaction. */
    void event(DSLContext tx, UUID tenant, String platform, String type, Map<String, Object> data) {
        Map<String, Object> withPlatform = new java.util.LinkedHashMap<>(data);
        withPlatform.putIfAbsent("platform", platform);
        dev.thrillring.events.EventLog.append(tx, dev.thrillring.events.Event.of(tenant, type, null, java.time.Instant.now(), withPlatform));
    }

    // ---- public lookups (owner-rights functions; they reveal only where a public page lives)

    Optional<PublicRef> publicRef(DSLContext dsl, String platform, String slug) {
        return dsl.select(DSL.field("tenant_id", UUID.class), DSL.field("portfolio_id", UUID.class), DSL.field("updated_at", OffsetDateTime.class))
                .from(DSL.table("showcase_public({0}, {1})", DSL.val(platform), DSL.val(slug)))
                .fetchOptional(r -> new PublicRef(r.value1(), r.value2(), r.value3()));
    }

    List<SitemapEntry> sitemapPlatforms(DSLContext dsl) {
        return dsl.select(DSL.field("platform", String.class), DSL.field("updated_at", OffsetDateTime.class))
                .from(DSL.table("showcase_sitemap_platforms()")).fetch(r -> new SitemapEntry(r.value1(), r.value2()));
    }

    List<SitemapEntry> sitemap(DSLContext dsl, String platform) {
        return dsl.select(DSL.field("slug", String.class), DSL.field("updated_at", OffsetDateTime.class))
                .from(DSL.table("showcase_sitemap({0})", DSL.val(platform))).fetch(r -> new SitemapEntry(r.value1(), r.value2()));
    }

    @SuppressWarnings("unchecked")
    private static Portfolio portfolio(Record r) {
        return new Portfolio(r.get(P.ID), r.get(P.TENANT_ID), r.get(P.PORTFOLIO_NAME), r.get(P.PLATFORM), r.get(P.DESCRIPTION),
                r.get(P.VISIBILITY), r.get(P.SLUG), r.get(P.SHOWCASE_TYPE), Boolean.TRUE.equals(r.get(P.INCLUDE_TESTIMONIALS)),
                r.get(P.BASELINE),
                listOf(Json.read(r.get(P.CASE_STUDIES))), listOf(Json.read(r.get(P.TESTIMONIALS))),
                mapOf(Json.read(r.get(P.SOCIAL_PROOF_DATA))), mapOf(Json.read(r.get(P.CUSTOM_BRANDING))), mapOf(Json.read(r.get(P.SEO_DATA))),
                r.get(P.STATUS), r.get(P.PUBLISHED_AT), r.get(P.CREATED_AT), r.get(P.UPDATED_AT));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> listOf(Object o) { return o == null ? List.of() : (List<Map<String, Object>>) o; }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> mapOf(Object o) { return o == null ? Map.of() : (Map<String, Object>) o; }

    private static Metric metric(Record r) {
        return new Metric(r.get(M.ID), r.get(M.METRIC_KEY), r.get(M.METRIC_NAME), r.get(M.METRIC_VALUE), r.get(M.METRIC_UNIT),
                r.get(M.TIME_PERIOD), r.get(M.COMPARISON_BASELINE), r.get(M.BASELINE_PERIOD), r.get(M.DATA_SOURCE),
                r.get(M.VERIFICATION_STATUS), r.get(M.DISPLAY_ORDER));
    }
}
