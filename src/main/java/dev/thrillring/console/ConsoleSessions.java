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
import java.net.URI;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
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
    /** The double-submit token of the sign-in form, before any session exists (on plain-http loopback). */
    static final String SIGN_IN_COOKIE = "thrillring_console_signin";
    /**
     * Its name when cookies are Secure: the {@code __Host-} prefix makes browsers refuse it unless
     * it is Secure, host-only and Path=/, so a sibling subdomain cannot plant a token of its choosing
     * (docs/decisions.md, "Console sign-in token").
     */
    static final String HOST_SIGN_IN_COOKIE = "__Host-" + SIGN_IN_COOKIE;
    static final String CSRF_FIELD = "_csrf";
    static final String CSRF_HEADER = "X-CSRF-Token";
    static final Duration IDLE = Duration.ofMinutes(30);
    static final Duration LONGEST = Duration.ofHours(12);
    static final int MAX_SESSIONS = 10_000;
    /** Sessions one credential may hold at once; signing in again ends its oldest. */
    static final int MAX_PER_CREDENTIAL = 10;
    /** Sent by the console's own polling (the boards page): such requests do not count as activity. */
    static final String POLL_HEADER = "X-Console-Poll";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    /** One signed-in browser: the credential it signed in with, its CSRF token, and who it is (for the page header). */
    record Session(String credential, String csrf, String who, Instant created, Instant lastSeen) {}

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Function<Context, Boolean> failurePage;
    private final boolean secure;
    private final int maxSessions;
    private final int maxPerCredential;

    /**
     * @param failurePage renders a failure on a console page, true when it did
     * @param publicUrl the service's configured public URL: cookies are Secure unless it is plain http on loopback
     */
    ConsoleSessions(Clock clock, Function<Context, Boolean> failurePage, String publicUrl) {
        this(clock, failurePage, publicUrl, MAX_SESSIONS, MAX_PER_CREDENTIAL);
    }

    ConsoleSessions(Clock clock, Function<Context, Boolean> failurePage, String publicUrl, int maxSessions, int maxPerCredential) {
        this.clock = clock;
        this.failurePage = failurePage;
        this.secure = secureCookies(publicUrl);
        this.maxSessions = maxSessions;
        this.maxPerCredential = maxPerCredential;
    }

    static String token() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Starts a session for a credential the caller has just verified, and sets its cookie. */
    Session start(Context ctx, String credential, String who) {
        String id = open(credential, who);
        ctx.cookie(cookie(COOKIE, id, -1));
        ctx.cookie(signInCookie("", 0));
        return sessions.get(key(id));
    }

    /**
     * Opens a session and answers its id. Never refuses: a credential already holding its
     * {@code maxPerCredential} sessions loses its oldest, and when the node holds
     * {@code maxSessions} the least recently used one goes, so one key cannot lock others out.
     */
    synchronized String open(String credential, String who) {
        Instant now = clock.instant();
        String id = token();
        Session s = new Session(credential, token(), who, now, now);
        List<Map.Entry<String, Session>> mine = sessions.entrySet().stream().filter(e -> e.getValue().credential().equals(credential))
                .sorted(Comparator.comparing((Map.Entry<String, Session> e) -> e.getValue().created())).toList();
        for (int i = 0; i <= mine.size() - maxPerCredential; i++) sessions.remove(mine.get(i).getKey());
        if (sessions.size() >= maxSessions) sweep(now);
        while (sessions.size() >= maxSessions) {
            sessions.entrySet().stream().min(Comparator.comparing((Map.Entry<String, Session> e) -> e.getValue().lastSeen()))
                    .ifPresent(e -> sessions.remove(e.getKey()));
        }
        sessions.put(key(id), s);
        return id;
    }

    /**
     * The request's live session, if any; it counts as activity unless the console's own polling
     * asked, or a live board's stream (the browser reopens it by itself, so an open tab would never idle out).
     */
    Optional<Session> current(Context ctx) {
        String id = ctx.cookie(COOKIE);
        return id == null ? Optional.empty() : find(id, ctx.header(POLL_HEADER) == null && !ctx.path().endsWith("/boards/live"));
    }

    /** True while the request's session lasts; never counts as activity. */
    boolean alive(Context ctx) { return aliveCheck(ctx).getAsBoolean(); }

    /** Whether the request's session is still alive, asked later without the request (a stream outlives it). */
    java.util.function.BooleanSupplier aliveCheck(Context ctx) {
        String id = ctx.cookie(COOKIE);
        return () -> id != null && find(id, false).isPresent();
    }

    /** The live session of a cookie's id, touching it when {@code activity}. */
    Optional<Session> find(String id, boolean activity) {
        if (id.length() > 100) return Optional.empty();
        String k = key(id);
        Session s = sessions.get(k);
        if (s == null) return Optional.empty();
        Instant now = clock.instant();
        if (expired(s, now)) {
            sessions.remove(k);
            return Optional.empty();
        }
        if (!activity) return Optional.of(s);
        Session touched = new Session(s.credential(), s.csrf(), s.who(), s.created(), now);
        sessions.replace(k, s, touched);
        return Optional.of(touched);
    }

    /** Ends the request's session and clears its cookie. */
    void end(Context ctx) {
        String id = ctx.cookie(COOKIE);
        if (id != null) sessions.remove(key(id));
        ctx.cookie(cookie(COOKIE, "", 0));
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
        String t = ctx.cookie(signInCookieName());
        if (t == null || t.length() != 43) {
            t = token();
            ctx.cookie(signInCookie(t, 600));
        }
        return t;
    }

    /** The sign-in form's token as the browser sent it back. */
    String sentSignInToken(Context ctx) { return ctx.cookie(signInCookieName()); }

    String signInCookieName() { return secure ? HOST_SIGN_IN_COOKIE : SIGN_IN_COOKIE; }

    private Cookie signInCookie(String value, int maxAge) {
        return secure ? new Cookie(HOST_SIGN_IN_COOKIE, value, "/", maxAge, true, true, null, SameSite.STRICT)
                : cookie(SIGN_IN_COOKIE, value, maxAge);
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

    /** HttpOnly, SameSite=Strict, path /console, and Secure unless the public URL is plain http on loopback. */
    Cookie cookie(String name, String value, int maxAge) {
        return new Cookie(name, value, "/console", maxAge, secure, true, null, SameSite.STRICT);
    }

    boolean secure() { return secure; }

    /**
     * Whether the console's cookies are Secure: from the configured public URL (THRILLRING_PUBLIC_URL),
     * never from the request's Host header, which a TLS-terminating proxy may rewrite to a loopback
     * address. Only plain http on a loopback host (a developer's machine) goes without.
     */
    static boolean secureCookies(String publicUrl) {
        try {
            URI u = URI.create(publicUrl.trim());
            String host = u.getHost();
            if (!"http".equalsIgnoreCase(u.getScheme()) || host == null) return true;
            host = host.toLowerCase(java.util.Locale.ROOT);
            return !(host.equals("localhost") || host.equals("[::1]") || host.equals("::1")
                    || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}"));
        } catch (IllegalArgumentException | NullPointerException e) {
            return true;
        }
    }
}
