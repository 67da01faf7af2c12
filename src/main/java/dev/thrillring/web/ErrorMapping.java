package dev.thrillring.web;

import dev.thrillring.db.DatabaseFailures;
import dev.thrillring.engine.RuleFailure;
import dev.thrillring.engine.RuleSetInvalid;
import dev.thrillring.problems.Problem;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.validation.ValidationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place where failures become HTTP responses: RFC 9457 {@code application/problem+json}
 * documents that name the offending field. Unexpected exceptions are logged with their stack
 * trace and answered with a bare 500 that reveals nothing internal.
 */
public final class ErrorMapping {
    private static final Logger log = LoggerFactory.getLogger(ErrorMapping.class);
    public static final String PROBLEM_JSON = "application/problem+json";
    private static final String PAGE_RENDERED = "thrillring.failurePage";

    private ErrorMapping() {}

    public static void register(RoutesConfig routes) {
        register(routes, () -> {});
    }

    /** As {@link #register(RoutesConfig)}; {@code onOutage} runs when a request found the database gone. */
    public static void register(RoutesConfig routes, Runnable onOutage) {
        register(routes, onOutage, PageSession.NONE);
    }

    /** As above; a failure on a page (as {@code pages} decides) is rendered as a page. */
    public static void register(RoutesConfig routes, Runnable onOutage, PageSession pages) {
        Writer out = (ctx, status, body) -> {
            body.putIfAbsent("instance", ctx.path());
            if (pages.renderFailure(ctx, status, body)) ctx.attribute(PAGE_RENDERED, true);
            else write(ctx, status, body);
        };
        routes.exception(Problem.class, (e, ctx) -> {
            Map<String, Object> body = problem(e.status(), e.title(), e.detail());
            if (e instanceof Problem.Invalid inv) body.put("errors", inv.violations());
            if (e instanceof Problem.Conflict c && c.field() != null) {
                body.put("field", c.field());
                body.put("errors", List.of(new Problem.Violation(c.field(), c.detail())));
            }
            if (e instanceof Problem.Unprocessable u) body.putAll(u.extensions());
            if (e instanceof Problem.Unauthenticated) ctx.header("WWW-Authenticate", "Bearer");
            if (e instanceof Problem.TooManyRequests t) {
                ctx.header("Retry-After", Long.toString(t.retryAfterSeconds()));
                ctx.header("RateLimit-Limit", Integer.toString(t.limit()));
                ctx.header("RateLimit-Remaining", "0");
                ctx.header("RateLimit-Reset", Long.toString(t.retryAfterSeconds()));
            }
            if (e instanceof Problem.Unavailable u) {
                ctx.header("Retry-After", Long.toString(u.retryAfterSeconds()));
                body.put("retryable", true);
            }
            out.write(ctx, e.status(), body);
        });
        routes.exception(RuleSetInvalid.class, (e, ctx) -> {
            Map<String, Object> body = problem(422, "Invalid rule set", e.errors().size() + " error(s); see errors");
            body.put("errors", e.errors());
            out.write(ctx, 422, body);
        });
        routes.exception(RuleFailure.class, (e, ctx) -> {
            Map<String, Object> body = problem(422, "Rule evaluation failed", e.getMessage());
            if (!e.rule().isEmpty()) body.put("rule", e.rule());
            out.write(ctx, 422, body);
        });
        routes.exception(ValidationException.class, (e, ctx) -> {
            List<Problem.Violation> violations = e.getErrors().entrySet().stream()
                    .map(en -> new Problem.Violation(en.getKey(), en.getValue().isEmpty()
                            ? "is invalid" : "has the wrong type or format (" + en.getValue().getFirst().getMessage() + ")"))
                    .toList();
            Map<String, Object> body = problem(422, "Invalid request", violations.size() == 1
                    ? violations.getFirst().field() + ": " + violations.getFirst().message() : "several fields are invalid");
            body.put("errors", violations);
            out.write(ctx, 422, body);
        });
        routes.exception(HttpResponseException.class, (e, ctx) -> out.write(ctx, e.getStatus(),
                problem(e.getStatus(), titleFor(e.getStatus()), detailFor(e))));
        // Jetty reports unreadable or oversized multipart bodies as a wrapped BadMessageException.
        routes.exception(jakarta.servlet.ServletException.class, (e, ctx) -> {
            boolean tooLarge = false;
            boolean badMessage = false;
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof org.eclipse.jetty.http.BadMessageException) badMessage = true;
                String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(java.util.Locale.ROOT);
                if (m.contains("exceeded") || m.contains("too large") || m.contains("max file size") || m.contains("max length")) tooLarge = true;
            }
            if (tooLarge) {
                out.write(ctx, 413, problem(413, "Content too large", "an uploaded file or the whole upload is larger than this service accepts"));
            } else if (badMessage) {
                out.write(ctx, 400, problem(400, "Bad request", "the request body could not be read"));
            } else {
                log.error("unexpected failure on {} {}", ctx.method(), ctx.path(), e);
                out.write(ctx, 500, problem(500, "Internal error", "the request failed on the server; it has been logged"));
            }
        });
        routes.exception(Exception.class, (e, ctx) -> {
            if (DatabaseFailures.isDiskFull(e)) {
                log.error("the database is out of disk space during {} {}", ctx.method(), ctx.path(), e);
                onOutage.run();
                out.write(ctx, 507, problem(507, "Insufficient storage", "the database has no disk space left; nothing was written"));
                return;
            }
            if (DatabaseFailures.isOutage(e)) {
                // The database went away under this request (before the supervisor's next probe):
                // retryable, and not the client's fault.
                log.warn("database unavailable during {} {}: {}", ctx.method(), ctx.path(), e.toString());
                onOutage.run();
                ctx.header("Retry-After", "2");
                Map<String, Object> body = problem(503, "Service unavailable", "the database is not answering; retry shortly");
                body.put("retryable", true);
                out.write(ctx, 503, body);
                return;
            }
            log.error("unexpected failure on {} {}", ctx.method(), ctx.path(), e);
            out.write(ctx, 500, problem(500, "Internal error", "the request failed on the server; it has been logged"));
        });
        for (int status : new int[]{404, 405}) {
            routes.error(status, "*", ctx -> {
                if (isProblem(ctx) || ctx.attribute(PAGE_RENDERED) != null) return;
                out.write(ctx, status, problem(status, titleFor(status),
                        status == 404 ? "no route " + ctx.method() + " " + ctx.path() : "method not allowed here"));
            });
        }
    }

    private interface Writer { void write(Context ctx, int status, Map<String, Object> body); }

    static Map<String, Object> problem(int status, String title, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        return body;
    }

    private static void write(Context ctx, int status, Map<String, Object> body) {
        body.putIfAbsent("instance", ctx.path());
        ctx.status(status).json(body).contentType(PROBLEM_JSON);
    }

    private static boolean isProblem(Context ctx) {
        String ct = ctx.res().getContentType();
        return ct != null && ct.startsWith(PROBLEM_JSON);
    }

    private static String detailFor(HttpResponseException e) {
        return switch (e.getStatus()) {
            case 413 -> "the body is larger than this service accepts";
            case 400 -> "the request could not be read";
            default -> titleFor(e.getStatus());
        };
    }

    private static String titleFor(int status) {
        return switch (status) {
            case 400 -> "Bad request";
            case 401 -> "Unauthenticated";
            case 403 -> "Forbidden";
            case 404 -> "Not found";
            case 405 -> "Method not allowed";
            case 413 -> "Content too large";
            case 415 -> "Unsupported media type";
            case 429 -> "Too many requests";
            case 503 -> "Service unavailable";
            default -> status >= 500 ? "Internal error" : "Request failed";
        };
    }

}
