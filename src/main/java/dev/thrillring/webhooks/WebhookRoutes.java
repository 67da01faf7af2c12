package dev.thrillring.webhooks;

import dev.thrillring.auth.Role;
import dev.thrillring.problems.Problem;
import dev.thrillring.web.Requests;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.UUID;

/**
 * {@code /api/v1/tenants/{tenant_id}/webhooks} (tenant admins) and
 * {@code /api/v1/platforms/{platform}/webhooks} (platform admins, every tenant of the platform).
 */
public final class WebhookRoutes {
    private final WebhookService service;

    private WebhookRoutes(WebhookService service) { this.service = service; }

    public static void register(RoutesConfig routes, WebhookService service) {
        WebhookRoutes r = new WebhookRoutes(service);
        String t = "/api/v1/tenants/{tenant_id}/webhooks";
        Role[] admins = {Role.PLATFORM_ADMIN, Role.TENANT_ADMIN};
        routes.post(t, r::create, admins);
        routes.get(t, r::list, admins);
        routes.get(t + "/{webhook_id}", r::get, admins);
        routes.patch(t + "/{webhook_id}", r::update, admins);
        routes.delete(t + "/{webhook_id}", r::delete, admins);
        routes.post(t + "/{webhook_id}/rotate-secret", r::rotate, admins);
        routes.post(t + "/{webhook_id}/test", r::test, admins);
        routes.get(t + "/{webhook_id}/messages", r::messages, admins);
        routes.get(t + "/{webhook_id}/dead-letters", r::deadLetters, admins);
        routes.get(t + "/{webhook_id}/attempts", r::attempts, admins);
        routes.post(t + "/{webhook_id}/messages/{message_id}/replay", r::replay, admins);
        routes.post(t + "/{webhook_id}/recover", r::recover, admins);

        String p = "/api/v1/platforms/{platform}/webhooks";
        routes.post(p, r::createPlatform, Role.PLATFORM_ADMIN);
        routes.get(p, r::listPlatform, Role.PLATFORM_ADMIN);
        routes.get(p + "/{webhook_id}", r::getPlatform, Role.PLATFORM_ADMIN);
        routes.patch(p + "/{webhook_id}", r::updatePlatform, Role.PLATFORM_ADMIN);
        routes.delete(p + "/{webhook_id}", r::deletePlatform, Role.PLATFORM_ADMIN);
        routes.post(p + "/{webhook_id}/rotate-secret", r::rotatePlatform, Role.PLATFORM_ADMIN);
    }

    private WebhookService.Owner tenant(Context ctx) {
        return service.tenantOwner(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"));
    }

    private WebhookService.Owner platform(Context ctx) {
        return service.platformOwner(Requests.principal(ctx), Requests.namePath(ctx, "platform"));
    }

    private static UUID id(Context ctx) { return Requests.uuidPath(ctx, "webhook_id"); }

    private void create(Context ctx) {
        WebhookService.Owner owner = tenant(ctx);
        ctx.status(HttpStatus.CREATED).json(service.create(owner, Requests.body(ctx, WebhookService.EndpointRequest.class)));
    }

    private void list(Context ctx) { ctx.json(Map.of("endpoints", service.list(tenant(ctx)))); }

    private void get(Context ctx) { ctx.json(service.get(tenant(ctx), id(ctx))); }

    private void update(Context ctx) {
        WebhookService.Owner owner = tenant(ctx);
        ctx.json(service.update(owner, id(ctx), Requests.body(ctx, WebhookService.EndpointRequest.class)));
    }

    private void delete(Context ctx) {
        service.delete(tenant(ctx), id(ctx));
        ctx.status(HttpStatus.NO_CONTENT);
    }

    private void rotate(Context ctx) { ctx.json(service.rotate(tenant(ctx), id(ctx))); }

    private void test(Context ctx) { ctx.status(HttpStatus.ACCEPTED).json(service.test(tenant(ctx), id(ctx))); }

    private void messages(Context ctx) {
        WebhookService.Owner owner = tenant(ctx);
        ctx.json(Map.of("messages", service.messages(owner, id(ctx), ctx.queryParam("status"), Requests.limitQuery(ctx, 100, 1000))));
    }

    private void deadLetters(Context ctx) {
        WebhookService.Owner owner = tenant(ctx);
        ctx.json(Map.of("messages", service.messages(owner, id(ctx), Message.DEAD, Requests.limitQuery(ctx, 100, 1000))));
    }

    private void attempts(Context ctx) {
        WebhookService.Owner owner = tenant(ctx);
        ctx.json(Map.of("attempts", service.attempts(owner, id(ctx), Requests.limitQuery(ctx, 100, 1000))));
    }

    private void replay(Context ctx) {
        WebhookService.Owner owner = tenant(ctx);
        ctx.status(HttpStatus.ACCEPTED).json(service.replay(owner, id(ctx), Requests.uuidPath(ctx, "message_id")));
    }

    /** Body {@code {"since": "2026-11-30T00:00:00Z"}}. */
    private void recover(Context ctx) {
        WebhookService.Owner owner = tenant(ctx);
        RecoverRequest r = Requests.body(ctx, RecoverRequest.class);
        if (r.since() == null) throw new Problem.Invalid("since", "is required: an ISO-8601 time such as 2026-11-30T00:00:00Z");
        Instant since;
        try {
            since = Instant.parse(r.since());
        } catch (DateTimeParseException e) {
            throw new Problem.Invalid("since", "must be an ISO-8601 time such as 2026-11-30T00:00:00Z");
        }
        ctx.status(HttpStatus.ACCEPTED).json(Map.of("requeued", service.recover(owner, id(ctx), since)));
    }

    record RecoverRequest(String since) {}

    private void createPlatform(Context ctx) {
        WebhookService.Owner owner = platform(ctx);
        ctx.status(HttpStatus.CREATED).json(service.create(owner, Requests.body(ctx, WebhookService.EndpointRequest.class)));
    }

    private void listPlatform(Context ctx) { ctx.json(Map.of("endpoints", service.list(platform(ctx)))); }

    private void getPlatform(Context ctx) { ctx.json(service.get(platform(ctx), id(ctx))); }

    private void updatePlatform(Context ctx) {
        WebhookService.Owner owner = platform(ctx);
        ctx.json(service.update(owner, id(ctx), Requests.body(ctx, WebhookService.EndpointRequest.class)));
    }

    private void deletePlatform(Context ctx) {
        service.delete(platform(ctx), id(ctx));
        ctx.status(HttpStatus.NO_CONTENT);
    }

    private void rotatePlatform(Context ctx) { ctx.json(service.rotate(platform(ctx), id(ctx))); }
}
