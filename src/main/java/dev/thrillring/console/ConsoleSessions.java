package dev.thrillring.console;

import dev.thrillring.problems.Problem;
import dev.thrillring.web.PageSession;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The console's sessions, held in this node's memory (docs/decisions.md, "Console sessions"): the
 * cookie carries a random id only; the API key or JWT it stands for stays on the server and goes
 * through the API's own authentication on every request, so a revoked key or an expired token
 * ends the session at once. Every unsafe request must carry the session's CSRF token.
 */
final class ConsoleSessions implements PageSession {
    static final String COOKIE = "thrillring_console";
    /** The double-submit token of the sign-in form, before any session exists. */
    static final String SIGN_IN_COOKIE = "thrillring_console_signin";
    static final String CSRF_FIELD = "_csrf";
    static final String CSRF_HEADER = "X-CSRF-Token";
    static final Duration IDLE = Duration.ofMinutes(30);
    static final Duration LONGEST = Duration.ofHours(12);
    static final int MAX_SESSIONS = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    /** One signed-in browser: the credential it signed in with, its CSRF token, and who it is (for the page header). */
    record Session(String credential, String csrf, String who, Instant created, Instant lastSeen) {}

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Function<Context, Boolean> failurePage;

    /** @param failurePage renders a failure on a console page, true when it did */
    ConsoleSessions(Clock clock, Function<Context, Boolean> failurePage) {
        this.clock = clock;
        this.failurePage = failurePage;
    }

    static String token() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Starts a session for a credential the caller has just verified, and sets its cookie. */
    Session start(Context ctx, String credential, String who) {
        Instant now = clock.instant();
        if (sessions.size() >= MAX_SESSIONS) sweep(now);
        if (sessions.size() >= MAX_SESSIONS) throw new Problem.Unavailable("too many console sessions are open; retry later", 60);
        String id = token();
        Session s = new Session(credential, token(), who, now, now);
        sessions.put(key(id), s);
        ctx.cookie(cookie(ctx, COOKIE, id, -1));
        ctx.cookie(cookie(ctx, SIGN_IN_COOKIE, "", 0));
        return s;
    }

    /** The request's live session, if any (touching it). */
    Optional<Session> current(Context ctx) {
        String id = ctx.cookie(COOKIE);
        if (id == null || id.length() > 100) return Optional.empty();
        String k = key(id);
        Session s = sessions.get(k);
        if (s == null) return Optional.empty();
        Instant now = clock.instant();
        if (expired(s, now)) {
            sessions.remove(k);
            return Optional.empty();
        }
        Session touched = new Session(s.credential(), s.csrf(), s.who(), s.created(), now);
        sessions.replace(k, s, touched);
        return Optional.of(touched);
    }

    /** Ends the request's session and clears its cookie. */
    void end(Context ctx) {
        String id = ctx.cookie(COOKIE);
        if (id != null) sessions.remove(key(id));
        ctx.cookie(cookie(ctx, COOKIE, "", 0));
    }

    /** Open sessions (for tests and metrics). */
    int open() { return sessions.size(); }

    @Override
    public Optional<String> credential(Context ctx) {
        if (!ConsolePaths.isConsole(ctx.path())) return Optional.empty();
        Optional<Session> s = current(ctx);
        if (s.isEmpty()) return Optional.empty();
        if (!SAFE.contains(ctx.method().name())) requireCsrf(ctx, s.get().csrf());
        return Optional.of(s.get().credential());
    }

    @Override
    public boolean renderFailure(Context ctx, int status, Map<String, Object> problem) {
        if (!ConsolePaths.isConsole(ctx.path())) return false;
        ctx.attribute(ConsolePages.PROBLEM, problem);
        ctx.status(status);
        return failurePage.apply(ctx);
    }

    /** @throws Problem.Forbidden when the form's (or htmx's header) token is not {@code expected} */
    static void requireCsrf(Context ctx, String expected) {
        String sent = ctx.header(CSRF_HEADER);
        if (sent == null) sent = ctx.formParam(CSRF_FIELD);
        if (sent == null || expected == null || expected.isEmpty()
                || !MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
            throw new Problem.Forbidden("this form's security token is missing or out of date; reload the page and send it again");
        }
    }

    /** The sign-in form's own token (double submit): set on the form page, compared on the post. */
    String signInToken(Context ctx) {
        String t = ctx.cookie(SIGN_IN_COOKIE);
        if (t == null || t.length() != 43) {
            t = token();
            ctx.cookie(cookie(ctx, SIGN_IN_COOKIE, t, 600));
        }
        return t;
    }

    private boolean expired(Session s, Instant now) {
        return s.lastSeen().plus(IDLE).isBefore(now) || s.created().plus(LONGEST).isBefore(now);
    }

    private void sweep(Instant now) {
        sessions.values().removeIf(s -> expired(s, now));
    }

    /** Session ids are kept hashed, so a heap dump does not hand out live cookies. */
    private static String key(String id) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** HttpOnly, SameSite=Strict, path /console, and Secure unless the browser talks to a loopback address. */
    static Cookie cookie(Context ctx, String name, String value, int maxAge) {
        return new Cookie(name, value, "/console", maxAge, !loopback(ctx), true, null, SameSite.STRICT);
    }

    static boolean loopback(Context ctx) {
        String host = ctx.host();
        if (host == null) return false;
        String h = host.startsWith("[") ? host.substring(0, Math.max(1, host.indexOf(']') + 1)) : host.replaceFirst(":\\d+$", "");
        return h.equals("localhost") || h.equals("[::1]") || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }
}
