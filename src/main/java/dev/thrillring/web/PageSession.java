package dev.thrillring.web;

import io.javalin.http.Context;

import java.util.Map;
import java.util.Optional;

/**
 * What browser pages add to the API's request handling, without a second access-control path: a
 * page session stands in for the {@code Authorization} header (the credential it holds is checked
 * by {@link AccessControl} exactly as a header's would be), and failures on a page are shown as a
 * page instead of problem+json.
 */
public interface PageSession {
    /**
     * The bearer credential of this request's page session, for a request without an
     * {@code Authorization} header; empty when it has none. An implementation refuses (throws) an
     * unsafe method whose CSRF token does not match the session's.
     */
    Optional<String> credential(Context ctx);

    /** Renders {@code problem} as a page when the request is for one and returns true; false leaves it to problem+json. */
    boolean renderFailure(Context ctx, int status, Map<String, Object> problem);

    /** No pages: the API alone. */
    PageSession NONE = new PageSession() {
        @Override public Optional<String> credential(Context ctx) { return Optional.empty(); }

        @Override public boolean renderFailure(Context ctx, int status, Map<String, Object> problem) { return false; }
    };
}
