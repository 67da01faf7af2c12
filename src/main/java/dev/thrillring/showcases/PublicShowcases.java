package dev.thrillring.showcases;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.thrillring.web.Json;
import dev.thrillring.problems.Problem;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The public side of showcases: a published, non-private page by platform and slug, its social
 * image, tracked shares and the sitemaps. Reads go through the owner-rights lookup, then the
 * tenant's own scope, so a page can never show another tenant's rows.
 */
public final class PublicShowcases {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMMM yyyy", Locale.ENGLISH);
    private final ShowcaseService service;
    private final ShowcaseStore store;
    private final SocialImage images = new SocialImage();

    public PublicShowcases(ShowcaseService service) {
        this.service = service;
        this.store = service.store();
    }

    /** A published showcase with its metrics. */
    public record Published(Portfolio portfolio, List<Metric> metrics) {
        /** Changes whenever the page could: the portfolio row moves on every edit of it or its metrics. */
        public String etag() { return etagOf(portfolio.portfolioId(), portfolio.updatedAt()); }
    }

    static String etagOf(java.util.UUID id, OffsetDateTime updatedAt) {
        return "\"" + id + "-" + updatedAt.toInstant().toEpochMilli() + "-" + RENDER_VERSION + "\"";
    }

    /**
     * Published pages by version (ETag): a warm request costs one lookup of the page's current
     * version, so an edit shows at once on every node and nothing stale is served.
     */
    private final java.util.Map<String, Published> recent = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(256, 0.75f, true) {
                @Override protected boolean removeEldestEntry(java.util.Map.Entry<String, Published> e) { return size() > 1024; }
            });

    /** Bumped when the template changes what it renders from the same data. */
    static final int RENDER_VERSION = 1;

    /** The page, or 404 for an unknown, unpublished or private one. */
    public Published find(String platform, String slug) {
        var ref = store.publicRef(service.scope().unscoped(), platform, slug)
                .orElseThrow(() -> new Problem.NotFound("no showcase at /s/" + platform + "/" + slug));
        Published hit = recent.get(etagOf(ref.portfolioId(), ref.updatedAt()));
        if (hit != null) return hit;
        Published loaded = service.scope().inTenant(ref.tenantId(), tx -> {
            Portfolio p = store.find(tx, ref.tenantId(), ref.portfolioId()).orElseThrow(() -> new Problem.NotFound("no showcase"));
            return new Published(p, store.metrics(tx, ref.tenantId(), ref.portfolioId()));
        });
        recent.put(loaded.etag(), loaded);
        return loaded;
    }

    public String pageUrl(Portfolio p) { return ShareTemplates.pageUrl(service.publicUrl(), p.platform(), p.slug()); }

    /** Page models by version: building one serialises the JSON-LD, so it is done once per version. */
    private final java.util.Map<String, ShowcasePage> models = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(256, 0.75f, true) {
                @Override protected boolean removeEldestEntry(java.util.Map.Entry<String, ShowcasePage> e) { return size() > 1024; }
            });

    /** The template model of a page (cached per page version). */
    public ShowcasePage page(Published pub) {
        ShowcasePage hit = models.get(pub.etag());
        if (hit != null) return hit;
        ShowcasePage built = build(pub);
        models.put(pub.etag(), built);
        return built;
    }

    private ShowcasePage build(Published pub) {
        Portfolio p = pub.portfolio();
        String url = pageUrl(p);
        String title = text(p.seoData().get("title"), p.portfolioName() + " – results on " + p.platform());
        String description = text(p.seoData().get("description"), ShareTemplates.headline(p.portfolioName(), pub.metrics()));
        List<ShowcasePage.Card> cards = new ArrayList<>();
        List<ShowcasePage.Card> ranks = new ArrayList<>();
        for (Metric m : pub.metrics()) {
            boolean rank = m.key() != null && (m.key().startsWith("rank:") || m.key().startsWith("percentile:"));
            (rank ? ranks : cards).add(card(m));
        }
        List<ShowcasePage.Study> studies = p.caseStudies().stream().map(s -> new ShowcasePage.Study(text(s.get("id"), ""),
                text(s.get("title"), ""), text(s.get("summary"), ""), strings(s.get("body")), "model".equals(s.get("written_by")))).toList();
        List<ShowcasePage.Quote> quotes = p.includeTestimonials()
                ? p.testimonials().stream().map(t -> new ShowcasePage.Quote(text(t.get("quote"), ""), text(t.get("author"), ""),
                        join(text(t.get("role"), null), text(t.get("company"), null)))).toList()
                : List.of();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> badgeRows = (List<Map<String, Object>>) p.socialProofData().getOrDefault("badges", List.of());
        List<ShowcasePage.Badge> badges = badgeRows.stream().map(b -> new ShowcasePage.Badge(text(b.get("name"), ""),
                text(b.get("description"), ""), text(b.get("url"), ""), ((Number) b.getOrDefault("unlocks", 0)).longValue())).toList();
        List<ShowcasePage.Share> shares = ShareTemplates.ORDER.stream().map(n -> new ShowcasePage.Share(n, switch (n) {
            case "linkedin" -> "LinkedIn";
            case "x" -> "X";
            case "facebook" -> "Facebook";
            default -> "E-mail";
        }, url + "/share/" + n)).toList();
        var branding = p.customBranding();
        OffsetDateTime updated = p.updatedAt().withOffsetSameInstant(ZoneOffset.UTC);
        return new ShowcasePage(title, description, url, url + "/og.png",
                p.portfolioName() + ": " + cards.stream().limit(3).map(c -> c.name() + " " + c.value()).reduce((a, b) -> a + ", " + b).orElse("results"),
                !"public".equals(p.visibility()), jsonLd(p, url, studies, updated), p.portfolioName(), p.platform(),
                p.description() == null ? "" : p.description(),
                text(branding.get("primary_color"), "#2457c5"), text(branding.get("accent_color"), "#0b7a53"),
                text(branding.get("logo_url"), null), "dark".equals(branding.get("theme")),
                cards, ranks, studies, quotes, badges, shares, DAY.format(updated), updated.toString());
    }

    private static ShowcasePage.Card card(Metric m) {
        String change = null;
        if (m.change() != null) {
            change = m.changePercent() != null ? (m.changePercent().signum() > 0 ? "+" : "") + Metric.plain(m.changePercent()) + " %"
                    : (m.change().signum() > 0 ? "+" : "") + Metric.plain(m.change());
        }
        boolean lowerBetter = "rank".equals(m.metricUnit()) || (m.key() != null && m.key().startsWith("percentile:"));
        return new ShowcasePage.Card(m.metricName(), Metric.withUnit(m.metricValue(), m.metricUnit()),
                m.comparisonBaseline() == null ? null : Metric.withUnit(m.comparisonBaseline(), m.metricUnit()), change,
                m.change() == null || m.change().signum() == 0 ? "flat" : m.improved() ? "up" : "down",
                CaseStudyWriter.window(m.timePeriod()), CaseStudyWriter.window(m.baselinePeriod()), m.verified(),
                m.dataSource(), m.comparisonBaseline() == null ? "" : Charts.beforeAfter(m.comparisonBaseline(), m.metricValue(), lowerBetter));
    }

    /** Organization for the showcase, an Article per case study; no Review or AggregateRating about the tenant itself. */
    private static String jsonLd(Portfolio p, String url, List<ShowcasePage.Study> studies, OffsetDateTime updated) {
        List<Object> graph = new ArrayList<>();
        Map<String, Object> org = new LinkedHashMap<>();
        org.put("@type", "Organization");
        org.put("@id", url + "#organization");
        org.put("name", p.portfolioName());
        org.put("url", url);
        Object logo = p.customBranding().get("logo_url");
        if (logo != null) org.put("logo", logo);
        if (p.description() != null) org.put("description", p.description());
        graph.add(org);
        for (var s : studies) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("@type", "Article");
            a.put("@id", url + "#" + s.id());
            a.put("headline", s.title().length() > 110 ? s.title().substring(0, 110) : s.title());
            a.put("description", s.summary());
            a.put("articleBody", String.join(" ", s.body()));
            a.put("url", url + "#" + s.id());
            a.put("image", url + "/og.png");
            a.put("datePublished", (p.publishedAt() == null ? updated : p.publishedAt()).withOffsetSameInstant(ZoneOffset.UTC).toString());
            a.put("dateModified", updated.toString());
            a.put("author", Map.of("@id", url + "#organization"));
            a.put("publisher", Map.of("@id", url + "#organization"));
            graph.add(a);
        }
        try {
            String json = Json.mapper().writeValueAsString(Map.of("@context", "https://schema.org", "@graph", graph));
            // Inside <script>, "</script>" or "<!--" in tenant text must not end the block.
            return json.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The 1200x630 social image (cached per page version). */
    public byte[] socialImage(Published pub) { return images.render(pub); }

    /** Records a share through the tracked link and answers where to send the browser. */
    public String share(Published pub, String network) {
        String recorded = ShareTemplates.NETWORKS.get(network);
        if (recorded == null) throw new Problem.NotFound("no share network " + network + "; use linkedin, x, facebook or email");
        Portfolio p = pub.portfolio();
        String url = pageUrl(p);
        service.scope().inTenant(p.tenantId(), tx -> {
            store.recordShare(tx, p.tenantId(), p.portfolioId(), recorded, url);
            return null;
        });
        return ShareTemplates.intentUrl(network, url, p.portfolioName(), ShareTemplates.headline(p.portfolioName(), pub.metrics()));
    }

    /** The sitemap index: one sitemap per platform with public showcases, lastmod the latest update. */
    public String sitemapIndex() {
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
        for (var e : store.sitemapPlatforms(service.scope().unscoped())) {
            sb.append("  <sitemap><loc>").append(xml(service.publicUrl() + "/sitemaps/" + e.name() + ".xml")).append("</loc><lastmod>")
                    .append(iso(e.updatedAt())).append("</lastmod></sitemap>\n");
        }
        return sb.append("</sitemapindex>\n").toString();
    }

    /** One platform's sitemap (at most 50,000 URLs, the protocol's limit per file). */
    public String sitemap(String platform) {
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
        for (var e : store.sitemap(service.scope().unscoped(), platform)) {
            sb.append("  <url><loc>").append(xml(ShareTemplates.pageUrl(service.publicUrl(), platform, e.name()))).append("</loc><lastmod>")
                    .append(iso(e.updatedAt())).append("</lastmod></url>\n");
        }
        return sb.append("</urlset>\n").toString();
    }

    public String robots() {
        return "User-agent: *\nAllow: /s/\nAllow: /badges/\nDisallow: /api/\nDisallow: /s/*/share/\n\nSitemap: " + service.publicUrl() + "/sitemap.xml\n";
    }

    private static String iso(OffsetDateTime t) { return t.withOffsetSameInstant(ZoneOffset.UTC).withNano(0).toString(); }

    private static String xml(String s) { return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"); }

    private static String text(Object o, String dflt) { return o == null ? dflt : o.toString(); }

    private static String join(String a, String b) {
        if (a == null || a.isBlank()) return b;
        return b == null || b.isBlank() ? a : a + ", " + b;
    }

    private static List<String> strings(Object o) {
        return o instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
    }

}
