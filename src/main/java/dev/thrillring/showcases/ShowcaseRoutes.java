package dev.thrillring.showcases;

import dev.thrillring.web.Requests;
import dev.thrillring.auth.Role;
import dev.thrillring.problems.Problem;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The seed's {@code /api/v1/gamification/portfolio/generate}, the portfolio API under
 * {@code /api/v1/showcases/{tenant_id}/portfolios}, and the public pages {@code /s/{platform}/{slug}}
 * with their social image, tracked share links, sitemaps and robots.txt.
 */
public final class ShowcaseRoutes {
    private static final Pattern SLUG = ShowcaseService.SLUG;
    private static final String PORTFOLIO = "/api/v1/showcases/{tenant_id}/portfolios/{portfolio_id}";
    private final ShowcaseService service;
    private final PublicShowcases pages;

    private ShowcaseRoutes(ShowcaseService service, PublicShowcases pages) {
        this.service = service;
        this.pages = pages;
    }

    public static void register(RoutesConfig routes, ShowcaseService service) {
        ShowcaseRoutes r = new ShowcaseRoutes(service, new PublicShowcases(service));
        Role[] editors = {Role.PLATFORM_ADMIN, Role.TENANT_ADMIN};
        Role[] readers = {Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST, Role.VIEWER};
        routes.post("/api/v1/gamification/portfolio/generate", r::generate, editors);
        // The seed's unprefixed path, an alias of the gateway's.
        routes.post("/portfolio/generate", r::generate, editors);
        routes.get("/api/v1/showcases/{tenant_id}/portfolios", r::list, readers);
        routes.get(PORTFOLIO, r::get, readers);
        routes.patch(PORTFOLIO, r::update, editors);
        routes.post(PORTFOLIO + "/publish", ctx -> r.publish(ctx, true), editors);
        routes.post(PORTFOLIO + "/unpublish", ctx -> r.publish(ctx, false), editors);
        routes.post(PORTFOLIO + "/testimonials", r::addTestimonial, editors);
        routes.put(PORTFOLIO + "/testimonials/{testimonial_id}", r::editTestimonial, editors);
        routes.delete(PORTFOLIO + "/testimonials/{testimonial_id}", r::removeTestimonial, editors);
        routes.post(PORTFOLIO + "/metrics", r::addMetric, editors);
        routes.put(PORTFOLIO + "/metrics/{metric_id}", r::editMetric, editors);
        routes.delete(PORTFOLIO + "/metrics/{metric_id}", r::removeMetric, editors);
        routes.get(PORTFOLIO + "/shares", r::shares, readers);

        routes.get("/s/{platform}/{slug}", r::page, Role.PUBLIC);
        routes.get("/s/{platform}/{slug}/og.png", r::image, Role.PUBLIC);
        routes.get("/s/{platform}/{slug}/share/{network}", r::share, Role.PUBLIC);
        routes.get("/sitemap.xml", r::sitemapIndex, Role.PUBLIC);
        routes.get("/sitemaps/{file}", r::sitemap, Role.PUBLIC);
        routes.get("/robots.txt", ctx -> ctx.contentType("text/plain; charset=utf-8").result(r.pages.robots()), Role.PUBLIC);
    }

    private void generate(Context ctx) {
        var req = Requests.body(ctx, ShowcaseService.GenerateRequest.class);
        ctx.status(HttpStatus.CREATED).json(service.generate(Requests.principal(ctx), req));
    }

    private void list(Context ctx) {
        ctx.json(Map.of("portfolios", service.list(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"))));
    }

    private void get(Context ctx) {
        ctx.json(service.get(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), Requests.uuidPath(ctx, "portfolio_id")));
    }

    private void update(Context ctx) {
        var u = Requests.body(ctx, ShowcaseService.Update.class);
        ctx.json(service.update(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), Requests.uuidPath(ctx, "portfolio_id"), u));
    }

    private void publish(Context ctx, boolean publish) {
        ctx.json(service.publish(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), Requests.uuidPath(ctx, "portfolio_id"), publish));
    }

    private void addTestimonial(Context ctx) {
        var in = Requests.body(ctx, ShowcaseService.TestimonialInput.class);
        ctx.status(HttpStatus.CREATED).json(service.addTestimonial(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"),
                Requests.uuidPath(ctx, "portfolio_id"), in));
    }

    private void editTestimonial(Context ctx) {
        var in = Requests.body(ctx, ShowcaseService.TestimonialInput.class);
        ctx.json(service.editTestimonial(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), Requests.uuidPath(ctx, "portfolio_id"),
                Requests.uuidPath(ctx, "testimonial_id"), in));
    }

    private void removeTestimonial(Context ctx) {
        service.removeTestimonial(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), Requests.uuidPath(ctx, "portfolio_id"),
                Requests.uuidPath(ctx, "testimonial_id"));
        ctx.status(HttpStatus.NO_CONTENT);
    }

    private void addMetric(Context ctx) {
        var in = Requests.body(ctx, ShowcaseService.MetricInput.class);
        ctx.status(HttpStatus.CREATED).json(service.addMetric(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"),
                Requests.uuidPath(ctx, "portfolio_id"), in));
    }

    private void editMetric(Context ctx) {
        var in = Requests.body(ctx, ShowcaseService.MetricInput.class);
        ctx.json(service.editMetric(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), Requests.uuidPath(ctx, "portfolio_id"),
                Requests.uuidPath(ctx, "metric_id"), in));
    }

    private void removeMetric(Context ctx) {
        service.removeMetric(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), Requests.uuidPath(ctx, "portfolio_id"),
                Requests.uuidPath(ctx, "metric_id"));
        ctx.status(HttpStatus.NO_CONTENT);
    }

    private void shares(Context ctx) {
        ctx.json(Map.of("shares", service.shares(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), Requests.uuidPath(ctx, "portfolio_id"))));
    }

    // ---- public

    private PublicShowcases.Published published(Context ctx) {
        String slug = ctx.pathParam("slug");
        if (!SLUG.matcher(slug).matches()) throw new Problem.NotFound("no showcase at this address");
        return pages.find(Requests.namePath(ctx, "platform"), slug);
    }

    /** Answers 304 when the client's copy is current; otherwise sets the validators and caching headers. */
    private static boolean fresh(Context ctx, PublicShowcases.Published pub) {
        String etag = pub.etag();
        ctx.header("ETag", etag);
        ctx.header("Last-Modified", DateTimeFormatter.RFC_1123_DATE_TIME.format(pub.portfolio().updatedAt().atZoneSameInstant(ZoneOffset.UTC).withNano(0)));
        ctx.header("Cache-Control", "public, max-age=60, stale-while-revalidate=300");
        if (!"public".equals(pub.portfolio().visibility())) ctx.header("X-Robots-Tag", "noindex");
        String inm = ctx.header("If-None-Match");
        if (inm != null && (inm.equals(etag) || inm.equals("W/" + etag))) {
            ctx.status(HttpStatus.NOT_MODIFIED);
            return true;
        }
        return false;
    }

    private void page(Context ctx) {
        var pub = published(ctx);
        if (fresh(ctx, pub)) return;
        ctx.render("showcase.jte", Map.of("page", pages.page(pub)));
    }

    private void image(Context ctx) {
        var pub = published(ctx);
        if (fresh(ctx, pub)) return;
        ctx.contentType("image/png").result(pages.socialImage(pub));
    }

    private void share(Context ctx) {
        var pub = published(ctx);
        String target = pages.share(pub, ctx.pathParam("network"));
        ctx.header("Cache-Control", "no-store");
        ctx.redirect(target, HttpStatus.FOUND);
    }

    private void sitemapIndex(Context ctx) {
        ctx.contentType("application/xml; charset=utf-8").header("Cache-Control", "public, max-age=300").result(pages.sitemapIndex());
    }

    private void sitemap(Context ctx) {
        String file = ctx.pathParam("file");
        if (!file.matches("[a-z][a-z0-9_-]{1,49}\\.xml")) throw new Problem.NotFound("no sitemap " + file);
        ctx.contentType("application/xml; charset=utf-8").header("Cache-Control", "public, max-age=300")
                .result(pages.sitemap(file.substring(0, file.length() - 4)));
    }
}
