package dev.thrillring.events;

import dev.thrillring.auth.Principal;
import dev.thrillring.auth.Role;
import dev.thrillring.problems.Problem;
import dev.thrillring.web.Requests;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseHandler;

import java.util.Arrays;
import java.util.UUID;

/**
 * {@code GET /api/v1/tenants/{tenant_id}/events?after=&types=&limit=}: the tenant's events in
 * order; {@code .../events/stream}: the same live over Server-Sent Events, resumable with
 * {@code Last-Event-ID} (or {@code ?after=}).
 */
public final class EventRoutes {
    private final EventService service;
    private final EventStream stream;

    private EventRoutes(EventService service, EventStream stream) {
        this.service = service;
        this.stream = stream;
    }

    public static void register(RoutesConfig routes, EventService service, EventStream stream) {
        EventRoutes r = new EventRoutes(service, stream);
        routes.get("/api/v1/tenants/{tenant_id}/events", r::page, Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST);
        routes.get("/api/v1/tenants/{tenant_id}/events/stream", r::stream, Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST);
    }

    private void page(Context ctx) {
        long after = position(ctx.queryParam("after"), "after", 0L);
        int limit = Requests.limitQuery(ctx, 100, 1000);
        ctx.json(service.after(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), after, types(ctx), limit));
    }

    private void stream(Context ctx) throws Exception {
        Principal caller = Requests.principal(ctx);
        UUID tenant = Requests.uuidPath(ctx, "tenant_id");
        service.authorise(caller, tenant);
        String accept = ctx.header("Accept");
        if (accept == null || !accept.contains("text/event-stream")) {
            throw new Problem.NotAcceptable("Accept: this route answers text/event-stream only");
        }
        EventTypeFilter types = types(ctx);
        String lastEventId = ctx.header("Last-Event-ID");
        long after = lastEventId != null ? position(lastEventId, "Last-Event-ID", 0L)
                : ctx.queryParam("after") != null ? position(ctx.queryParam("after"), "after", 0L)
                : service.lastPosition(tenant); // a new client starts with what happens from now on
        String authorization = ctx.header("Authorization");
        EventStream.Slot slot = stream.reserve(caller.keyId(), tenant);
        boolean subscribed = false;
        try {
            new SseHandler(client -> {
                client.keepAlive();
                stream.subscribe(client, tenant, after, types, slot, authorization);
            }).handle(ctx);
            subscribed = true;
        } finally {
            if (!subscribed) slot.release();
        }
    }

    private static long position(String raw, String field, long dflt) {
        if (raw == null || raw.isBlank()) return dflt;
        try {
            long v = Long.parseLong(raw.trim());
            if (v >= 0) return v;
        } catch (NumberFormatException ignored) {
            // the problem below
        }
        throw new Problem.Invalid(field, "must be a position, 0 or more");
    }

    /** {@code types=achievement.*,referral.converted}; every type when absent. */
    private static EventTypeFilter types(Context ctx) {
        String raw = ctx.queryParam("types");
        if (raw == null) return EventTypeFilter.ALL;
        return EventTypeFilter.parse(Arrays.stream(raw.split(",")).map(String::trim).toList(), "types");
    }
}
