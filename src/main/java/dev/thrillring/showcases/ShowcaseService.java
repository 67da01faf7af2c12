package dev.thrillring.showcases;

import dev.thrillring.web.Json;
import dev.thrillring.auth.Principal;
import dev.thrillring.auth.Role;
import dev.thrillring.db.TenantScope;
import dev.thrillring.problems.Problem;
import dev.thrillring.problems.Problem.Violation;
import dev.thrillring.tenants.Tenant;
import dev.thrillring.tenants.TenantService;
import org.jooq.DSLContext;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import static dev.thrillring.db.schema.Tables.SHOWCASE_PORTFOLIOS;

/**
 * Portfolios generated from the tenant's records (the seed's {@code portfolio/generate}), edited,
 * published and unpublished by the tenant's admins, with hand-typed metrics marked unverified.
 */
public final class ShowcaseService {
    static final Set<Role> EDITORS = Set.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN);
    static final Set<Role> READERS = Set.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST, Role.VIEWER);
    static final Set<String> TYPES = Set.of("comprehensive", "performance", "achievements", "referrals");
    static final Pattern BASELINE = Pattern.compile("previous|joined|[0-9]{4}-(0[1-9]|1[0-2])");
    static final Pattern SLUG = Pattern.compile("[a-z0-9]([a-z0-9-]{0,78}[a-z0-9])?");
    static final int MAX_TESTIMONIALS = 20;
    static final int MAX_METRICS = 40;

    private final TenantScope scope;
    private final TenantService tenants;
    private final ShowcaseStore store = new ShowcaseStore();
    private final String publicUrl;
    private final Clock clock;

    private final Optional<CaseStudyRewriter> rewriter;

    public ShowcaseService(TenantScope scope, TenantService tenants, String publicUrl, Clock clock) {
        this(scope, tenants, publicUrl, clock, Optional.empty());
    }

    /** With {@code rewriter}, generated case studies are reworded by a model after commit (see {@link CaseStudyRewriter}). */
    public ShowcaseService(TenantScope scope, TenantService tenants, String publicUrl, Clock clock, Optional<CaseStudyRewriter> rewriter) {
        this.rewriter = rewriter;
        this.scope = scope;
        this.tenants = tenants;
        this.publicUrl = publicUrl;
        this.clock = clock;
    }

    /** The seed's PortfolioShowcaseRequest, plus the baseline window ({@code previous}, {@code joined} or {@code YYYY-MM}). */
    public record GenerateRequest(String tenantId, String platform, String showcaseType, Boolean includeTestimonials,
                                  Boolean seoOptimize, String baseline) {}

    /**
     * Generates (or regenerates) the tenant's portfolio of this type from its records: verified
     * metrics with baselines, case studies, badges, share templates; writes {@code portfolio.generated}.
     * Regenerating keeps the slug, visibility, branding, testimonials and hand-typed metrics.
     */
    public Map<String, Object> generate(Principal caller, GenerateRequest req) {
        List<Violation> v = new ArrayList<>();
        UUID tenantId = Validation.uuid(req.tenantId(), "tenant_id", v);
        String type = req.showcaseType() == null ? "comprehensive" : req.showcaseType();
        if (!TYPES.contains(type)) v.add(new Violation("showcase_type", "must be one of " + String.join(", ", new java.util.TreeSet<>(TYPES))));
        String baseline = req.baseline() == null ? "previous" : req.baseline();
        if (!BASELINE.matcher(baseline).matches()) v.add(new Violation("baseline", "must be previous, joined or a month YYYY-MM"));
        if (!v.isEmpty()) throw new Problem.Invalid(v);
        caller.require(tenantId, EDITORS, "generate showcases");
        Tenant tenant = tenants.get(caller, tenantId);
        if (req.platform() != null && !req.platform().equals(tenant.platform())) {
            throw new Problem.Invalid("platform", "the tenant is on " + tenant.platform());
        }
        boolean testimonials = req.includeTestimonials() == null || req.includeTestimonials();
        boolean seo = req.seoOptimize() == null || req.seoOptimize();
        Instant now = clock.instant();
        Map<String, Object> generated = scope.inTenant(tenantId, tx -> {
            MetricSources.Windows w = MetricSources.windows(tx, tenantId, baseline, now);
            List<Metric> computed = new ArrayList<>();
            if (type.equals("comprehensive") || type.equals("performance")) computed.addAll(MetricSources.subjectMetrics(tx, tenantId, w));
            if (type.equals("comprehensive") || type.equals("achievements")) computed.add(MetricSources.unlocks(tx, tenantId, w));
            if (type.equals("comprehensive") || type.equals("performance")) computed.addAll(MetricSources.ranks(tx, tenantId, tenant.platform(), now));
            if (type.equals("comprehensive") || type.equals("referrals")) computed.addAll(MetricSources.referrals(tx, tenantId, w));
            List<MetricSources.Badge> badges = type.equals("referrals") ? List.of() : MetricSources.badges(tx, tenantId, 24);

            Portfolio p = store.findKind(tx, tenantId, tenant.platform(), type).orElseGet(() -> create(tx, tenant, type));
            store.replaceComputed(tx, tenantId, p.portfolioId(), computed);
            List<Metric> all = store.metrics(tx, tenantId, p.portfolioId());
            List<Map<String, Object>> studies = CaseStudyWriter.write(tenant.name(), all, badges);
            Map<String, Object> proof = new LinkedHashMap<>();
            proof.put("badges", badges.stream().map(b -> badgeJson(tenantId, b)).toList());
            proof.put("window", Map.of("current", w.current().toString(), "baseline", w.baseline() == null ? "" : w.baseline().toString()));
            proof.put("generated_at", now.toString());
            store.saveGenerated(tx, p.portfolioId(), baseline, testimonials, studies, proof, seo ? seoData(tenant, p, all) : null);
            String url = ShareTemplates.pageUrl(publicUrl, p.platform(), p.slug());
            store.event(tx, tenantId, p.platform(), "portfolio.generated", Map.of("portfolio_id", p.portfolioId().toString(),
                    "showcase_url", url, "showcase_type", type, "metrics", all.size(), "case_studies", studies.size()));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("portfolio_id", p.portfolioId().toString());
            out.put("showcase_url", url);
            out.put("featured_metrics", all.stream().map(ShowcaseService::metricJson).toList());
            out.put("case_studies", studies);
            out.put("social_templates", ShareTemplates.templates(publicUrl, p.platform(), p.slug(), p.portfolioName(), all));
            return out;
        });
        return rewriter.isEmpty() ? generated : reword(tenantId, generated);
    }

    /**
     * The model is called after commit, never inside the transaction, and its text replaces the
     * stored studies only if no newer generation replaced them meanwhile.
     */
    private Map<String, Object> reword(UUID tenantId, Map<String, Object> generated) {
        @SuppressWarnings("unchecked") List<Map<String, Object>> studies = (List<Map<String, Object>>) generated.get("case_studies");
        if (studies.isEmpty()) return generated;
        List<Map<String, Object>> reworded = rewriter.orElseThrow().rewrite(studies);
        if (reworded.equals(studies)) return generated;
        UUID portfolio = UUID.fromString((String) generated.get("portfolio_id"));
        boolean stored = scope.inTenant(tenantId, tx -> store.replaceStudies(tx, tenantId, portfolio, studies, reworded));
        if (!stored) return generated;
        Map<String, Object> out = new LinkedHashMap<>(generated);
        out.put("case_studies", reworded);
        return out;
    }

    private Portfolio create(DSLContext tx, Tenant tenant, String type) {
        String base = slugOf(tenant.name()) + (type.equals("comprehensive") ? "" : "-" + type);
        for (int i = 1; i <= 10; i++) {
            String slug = i == 1 ? base : base + "-" + (i == 10 ? UUID.randomUUID().toString().substring(0, 8) : Integer.toString(i));
            var id = store.insert(tx, tenant.tenantId(), tenant.platform(), type, tenant.name(), slug,
                    "Results " + tenant.name() + " reached with " + tenant.platform() + ", from ThrillRing's records.");
            if (id.isPresent()) return store.find(tx, tenant.tenantId(), id.get()).orElseThrow();
            if (store.findKind(tx, tenant.tenantId(), tenant.platform(), type).isPresent()) {
                return store.findKind(tx, tenant.tenantId(), tenant.platform(), type).orElseThrow();
            }
        }
        throw new Problem.Conflict("slug", "no free address for this showcase; set one with PATCH");
    }

    static String slugOf(String name) {
        String s = java.text.Normalizer.normalize(name, java.text.Normalizer.Form.NFKD).replaceAll("\\p{M}", "")
                .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (s.length() > 60) s = s.substring(0, 60).replaceAll("-+$", "");
        return s.isEmpty() ? "showcase" : s;
    }

    private Map<String, Object> seoData(Tenant tenant, Portfolio p, List<Metric> metrics) {
        Map<String, Object> seo = new LinkedHashMap<>();
        seo.put("title", p.portfolioName() + " – results on " + tenant.platform());
        seo.put("description", ShareTemplates.headline(p.portfolioName(), metrics));
        List<String> keywords = new ArrayList<>(List.of(tenant.platform(), "results", "case study"));
        if (tenant.industry() != null) keywords.add(tenant.industry());
        metrics.stream().filter(Metric::verified).limit(5).forEach(m -> keywords.add(m.metricName().toLowerCase(Locale.ROOT)));
        seo.put("keywords", keywords);
        return seo;
    }

    private Map<String, Object> badgeJson(UUID tenant, MetricSources.Badge b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("achievement_id", b.achievementId().toString());
        m.put("key", b.key());
        m.put("name", b.name());
        m.put("description", b.description());
        m.put("unlocks", b.unlocks());
        m.put("first_unlocked_at", b.firstUnlockedAt().toString());
        m.put("url", publicUrl + "/badges/issuers/" + tenant + "/achievements/" + b.achievementId());
        return m;
    }

    static Map<String, Object> metricJson(Metric m) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("metric_id", m.metricId() == null ? null : m.metricId().toString());
        j.put("key", m.key());
        j.put("metric_name", m.metricName());
        j.put("metric_value", m.metricValue());
        j.put("metric_unit", m.metricUnit());
        j.put("time_period", m.timePeriod());
        j.put("comparison_baseline", m.comparisonBaseline());
        j.put("baseline_period", m.baselinePeriod());
        j.put("change", m.change());
        j.put("change_percent", m.changePercent());
        j.put("data_source", m.dataSource());
        j.put("verification_status", m.verificationStatus());
        j.put("display_order", m.displayOrder());
        return j;
    }

    // ---- reading and editing

    /** Every portfolio of the tenant. */
    public List<Map<String, Object>> list(Principal caller, UUID tenantId) {
        caller.require(tenantId, READERS, "read showcases");
        return scope.inTenant(tenantId, tx -> store.list(tx, tenantId).stream().map(p -> view(tx, p)).toList());
    }

    /** One portfolio with its metrics, testimonials and share counts. */
    public Map<String, Object> get(Principal caller, UUID tenantId, UUID id) {
        caller.require(tenantId, READERS, "read showcases");
        return scope.inTenant(tenantId, tx -> view(tx, load(tx, tenantId, id)));
    }

    private Portfolio load(DSLContext tx, UUID tenantId, UUID id) {
        return store.find(tx, tenantId, id).orElseThrow(() -> new Problem.NotFound("no portfolio " + id));
    }

    private Map<String, Object> view(DSLContext tx, Portfolio p) {
        List<Metric> metrics = store.metrics(tx, p.tenantId(), p.portfolioId());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("portfolio_id", p.portfolioId().toString());
        out.put("tenant_id", p.tenantId().toString());
        out.put("portfolio_name", p.portfolioName());
        out.put("platform", p.platform());
        out.put("description", p.description());
        out.put("visibility", p.visibility());
        out.put("slug", p.slug());
        out.put("showcase_type", p.showcaseType());
        out.put("showcase_url", ShareTemplates.pageUrl(publicUrl, p.platform(), p.slug()));
        out.put("published", p.published());
        out.put("published_at", p.publishedAt());
        out.put("include_testimonials", p.includeTestimonials());
        out.put("baseline", p.baseline());
        out.put("custom_branding", p.customBranding());
        out.put("seo_data", p.seoData());
        out.put("featured_metrics", metrics.stream().map(ShowcaseService::metricJson).toList());
        out.put("case_studies", p.caseStudies());
        out.put("testimonials", p.testimonials());
        out.put("badges", p.socialProofData().getOrDefault("badges", List.of()));
        out.put("social_templates", ShareTemplates.templates(publicUrl, p.platform(), p.slug(), p.portfolioName(), metrics));
        out.put("shares", store.shareCounts(tx, p.tenantId(), p.portfolioId()));
        out.put("created_at", p.createdAt());
        out.put("updated_at", p.updatedAt());
        return out;
    }

    /** Branding: colours {@code #rrggbb}, an https logo, a light or dark theme. */
    public record Branding(String primaryColor, String accentColor, String logoUrl, String theme) {}

    public record Update(String portfolioName, String description, String visibility, String slug, Branding customBranding,
                         Boolean includeTestimonials) {}

    /** Changes the fields given; a slug another showcase of the platform has is refused (409). */
    public Map<String, Object> update(Principal caller, UUID tenantId, UUID id, Update u) {
        caller.require(tenantId, EDITORS, "edit showcases");
        Map<org.jooq.Field<?>, Object> changes = Validation.update(u);
        var p = SHOWCASE_PORTFOLIOS;
        return scope.inTenant(tenantId, tx -> {
            load(tx, tenantId, id);
            if (u.slug() != null && !store.setSlug(tx, tenantId, id, u.slug())) {
                throw new Problem.Conflict("slug", "another showcase on this platform has the address " + u.slug());
            }
            store.update(tx, tenantId, id, changes);
            return view(tx, load(tx, tenantId, id));
        });
    }

    /** Publishes ({@code true}) or unpublishes the page. */
    public Map<String, Object> publish(Principal caller, UUID tenantId, UUID id, boolean publish) {
        caller.require(tenantId, EDITORS, "publish showcases");
        var p = SHOWCASE_PORTFOLIOS;
        return scope.inTenant(tenantId, tx -> {
            Portfolio before = load(tx, tenantId, id);
            Map<org.jooq.Field<?>, Object> changes = new LinkedHashMap<>();
            changes.put(p.PUBLISHED_AT, publish ? (before.publishedAt() != null ? before.publishedAt() : java.time.OffsetDateTime.now(clock)) : null);
            changes.put(p.STATUS, "active");
            store.update(tx, tenantId, id, changes);
            return view(tx, load(tx, tenantId, id));
        });
    }

    // ---- testimonials

    public record TestimonialInput(String quote, String author, String role, String company) {}

    public Map<String, Object> addTestimonial(Principal caller, UUID tenantId, UUID id, TestimonialInput in) {
        caller.require(tenantId, EDITORS, "edit showcases");
        Validation.testimonial(in);
        return scope.inTenant(tenantId, tx -> {
            Portfolio p = load(tx, tenantId, id);
            if (p.testimonials().size() >= MAX_TESTIMONIALS) throw new Problem.Invalid("testimonials", "at most " + MAX_TESTIMONIALS + " per showcase");
            List<Map<String, Object>> list = new ArrayList<>(p.testimonials());
            Map<String, Object> t = testimonial(UUID.randomUUID().toString(), in);
            list.add(t);
            store.saveTestimonials(tx, id, list);
            return t;
        });
    }

    public Map<String, Object> editTestimonial(Principal caller, UUID tenantId, UUID id, UUID testimonialId, TestimonialInput in) {
        caller.require(tenantId, EDITORS, "edit showcases");
        Validation.testimonial(in);
        return scope.inTenant(tenantId, tx -> {
            List<Map<String, Object>> list = new ArrayList<>(load(tx, tenantId, id).testimonials());
            int i = indexOf(list, testimonialId);
            Map<String, Object> t = testimonial(testimonialId.toString(), in);
            list.set(i, t);
            store.saveTestimonials(tx, id, list);
            return t;
        });
    }

    public void removeTestimonial(Principal caller, UUID tenantId, UUID id, UUID testimonialId) {
        caller.require(tenantId, EDITORS, "edit showcases");
        scope.inTenant(tenantId, tx -> {
            List<Map<String, Object>> list = new ArrayList<>(load(tx, tenantId, id).testimonials());
            list.remove(indexOf(list, testimonialId));
            store.saveTestimonials(tx, id, list);
            return null;
        });
    }

    private static int indexOf(List<Map<String, Object>> list, UUID testimonialId) {
        for (int i = 0; i < list.size(); i++) if (testimonialId.toString().equals(list.get(i).get("id"))) return i;
        throw new Problem.NotFound("no testimonial " + testimonialId);
    }

    private static Map<String, Object> testimonial(String id, TestimonialInput in) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("id", id);
        t.put("quote", in.quote().strip());
        t.put("author", in.author().strip());
        t.put("role", in.role());
        t.put("company", in.company());
        return t;
    }

    // ---- metrics typed in by hand

    public record MetricInput(String metricName, BigDecimal metricValue, String metricUnit, String timePeriod,
                              BigDecimal comparisonBaseline, String baselinePeriod, String dataSource, Integer displayOrder) {}

    /** A metric the tenant types in: always {@code unverified}, and the page says so. */
    public Map<String, Object> addMetric(Principal caller, UUID tenantId, UUID id, MetricInput in) {
        caller.require(tenantId, EDITORS, "edit showcases");
        Validation.metric(in, true);
        return scope.inTenant(tenantId, tx -> {
            load(tx, tenantId, id);
            if (store.metrics(tx, tenantId, id).size() >= MAX_METRICS) throw new Problem.Invalid("metric_name", "at most " + MAX_METRICS + " metrics per showcase");
            Metric m = new Metric(null, null, in.metricName().strip(), in.metricValue(), in.metricUnit(), in.timePeriod(),
                    in.comparisonBaseline(), in.baselinePeriod(), in.dataSource() == null ? "entered by the tenant" : in.dataSource(),
                    "unverified", in.displayOrder() == null ? 1000 : in.displayOrder());
            UUID mid = store.insert(tx, tenantId, id, m, m.displayOrder());
            store.touch(tx, id);
            return metricJson(store.metric(tx, tenantId, id, mid).orElseThrow());
        });
    }

    /**
     * Edits a metric. Changing a computed metric's number or windows makes it the tenant's own:
     * unverified, and kept when the portfolio is generated again. Renaming or reordering does not.
     */
    public Map<String, Object> editMetric(Principal caller, UUID tenantId, UUID id, UUID metricId, MetricInput in) {
        caller.require(tenantId, EDITORS, "edit showcases");
        Validation.metric(in, false);
        return scope.inTenant(tenantId, tx -> {
            Metric old = store.metric(tx, tenantId, id, metricId).orElseThrow(() -> new Problem.NotFound("no metric " + metricId));
            boolean numbersChanged = changed(in.metricValue(), old.metricValue()) || changed(in.comparisonBaseline(), old.comparisonBaseline())
                    || (in.timePeriod() != null && !in.timePeriod().equals(old.timePeriod()))
                    || (in.baselinePeriod() != null && !in.baselinePeriod().equals(old.baselinePeriod()))
                    || (in.metricUnit() != null && !in.metricUnit().equals(old.metricUnit()))
                    || (in.dataSource() != null && !in.dataSource().equals(old.dataSource()));
            boolean verified = old.verified() && !numbersChanged;
            Metric m = new Metric(metricId, verified ? old.key() : null, or(in.metricName(), old.metricName()),
                    or(in.metricValue(), old.metricValue()), or(in.metricUnit(), old.metricUnit()), or(in.timePeriod(), old.timePeriod()),
                    or(in.comparisonBaseline(), old.comparisonBaseline()), or(in.baselinePeriod(), old.baselinePeriod()),
                    verified ? old.dataSource() : or(in.dataSource(), old.verified() ? "entered by the tenant" : old.dataSource()),
                    verified ? "verified" : "unverified", in.displayOrder() == null ? old.displayOrder() : in.displayOrder());
            store.updateMetric(tx, tenantId, metricId, m);
            store.touch(tx, id);
            return metricJson(store.metric(tx, tenantId, id, metricId).orElseThrow());
        });
    }

    public void removeMetric(Principal caller, UUID tenantId, UUID id, UUID metricId) {
        caller.require(tenantId, EDITORS, "edit showcases");
        scope.inTenant(tenantId, tx -> {
            if (!store.deleteMetric(tx, tenantId, id, metricId)) throw new Problem.NotFound("no metric " + metricId);
            store.touch(tx, id);
            return null;
        });
    }

    private static boolean changed(BigDecimal in, BigDecimal old) {
        return in != null && (old == null || in.compareTo(old) != 0);
    }

    private static <T> T or(T a, T b) { return a != null ? a : b; }

    /** Shares recorded through the tracked links, per network (analytics reads the same rows). */
    public Map<String, Integer> shares(Principal caller, UUID tenantId, UUID id) {
        caller.require(tenantId, READERS, "read showcases");
        return scope.inTenant(tenantId, tx -> {
            load(tx, tenantId, id);
            return store.shareCounts(tx, tenantId, id);
        });
    }

    ShowcaseStore store() { return store; }

    TenantScope scope() { return scope; }

    String publicUrl() { return publicUrl; }

    static Object json(Object o) { return Json.read(Json.jsonb(o)); }
}
