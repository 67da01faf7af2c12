package dev.thrillring.problems;

import java.util.List;
import java.util.Map;

/**
 * A failure a client can act on. Services throw these; the app layer turns each into one
 * {@code application/problem+json} response (RFC 9457). Messages are written for clients and
 * never carry internal details.
 */
public abstract sealed class Problem extends RuntimeException
        permits Problem.Malformed, Problem.Invalid, Problem.NotFound, Problem.Conflict,
                Problem.Forbidden, Problem.Unauthenticated, Problem.TooLarge, Problem.Unsupported,
                Problem.Unprocessable, Problem.TooManyRequests, Problem.NotAcceptable,
                Problem.Unavailable, Problem.InsufficientStorage {

    private final int status;
    private final String title;

    Problem(int status, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
    }

    public int status() { return status; }
    public String title() { return title; }
    public String detail() { return getMessage(); }

    /** One field that failed validation: a JSON path such as {@code facts[2].occurred_at}. */
    public record Violation(String field, String message) {}

    /** The body could not be read as JSON at all. */
    public static final class Malformed extends Problem {
        public Malformed(String detail) { super(400, "Malformed request", detail); }
    }

    /** The request was well-formed but one or more fields are wrong. */
    public static final class Invalid extends Problem {
        private final List<Violation> violations;
        public Invalid(List<Violation> violations) {
            super(422, "Invalid request", summary(violations));
            this.violations = List.copyOf(violations);
        }
        public Invalid(String field, String message) { this(List.of(new Violation(field, message))); }
        public List<Violation> violations() { return violations; }
        private static String summary(List<Violation> v) {
            return v.size() == 1 ? v.getFirst().field() + ": " + v.getFirst().message()
                                 : v.size() + " fields are invalid; see errors";
        }
    }

    /** Well-formed and valid, but refused; {@code extensions} are added to the problem document. */
    public static final class Unprocessable extends Problem {
        private final Map<String, Object> extensions;
        public Unprocessable(String title, String detail, Map<String, Object> extensions) {
            super(422, title, detail);
            this.extensions = Map.copyOf(extensions);
        }
        public Map<String, Object> extensions() { return extensions; }
    }

    /** A rate limit is spent; {@code retryAfterSeconds} says when a token is back. */
    public static final class TooManyRequests extends Problem {
        private final long retryAfterSeconds;
        private final int limit;
        public TooManyRequests(String detail, long retryAfterSeconds, int limit) {
            super(429, "Too many requests", detail);
            this.retryAfterSeconds = retryAfterSeconds;
            this.limit = limit;
        }
        public long retryAfterSeconds() { return retryAfterSeconds; }
        public int limit() { return limit; }
    }

    public static final class NotFound extends Problem {
        public NotFound(String detail) { super(404, "Not found", detail); }
    }

    public static final class Conflict extends Problem {
        private final String field;
        public Conflict(String field, String detail) { super(409, "Conflict", detail); this.field = field; }
        public String field() { return field; }
    }

    public static final class Forbidden extends Problem {
        public Forbidden(String detail) { super(403, "Forbidden", detail); }
    }

    public static final class Unauthenticated extends Problem {
        public Unauthenticated(String detail) { super(401, "Unauthenticated", detail); }
    }

    public static final class TooLarge extends Problem {
        public TooLarge(String detail) { super(413, "Content too large", detail); }
    }

    /** The client does not accept what the route answers with (e.g. a stream asked for without text/event-stream). */
    public static final class NotAcceptable extends Problem {
        public NotAcceptable(String detail) { super(406, "Not acceptable", detail); }
    }

    public static final class Unsupported extends Problem {
        public Unsupported(String detail) { super(415, "Unsupported media type", detail); }
    }

    /** The database is down or starting again; the request was not attempted. Retry after {@code retryAfterSeconds}. */
    public static final class Unavailable extends Problem {
        private final long retryAfterSeconds;
        public Unavailable(String detail, long retryAfterSeconds) {
            super(503, "Service unavailable", detail);
            this.retryAfterSeconds = retryAfterSeconds;
        }
        public long retryAfterSeconds() { return retryAfterSeconds; }
    }

    /** Free disk under the database is below the configured floor: new writes are refused, reads work. */
    public static final class InsufficientStorage extends Problem {
        public InsufficientStorage(String detail) { super(507, "Insufficient storage", detail); }
    }
}
