package dev.thrillring.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thrillring.auth.Principal;
import dev.thrillring.console.ConsoleViews.EndpointForm;
import dev.thrillring.console.ConsoleViews.EndpointRow;
import dev.thrillring.problems.Problem;
import dev.thrillring.tenants.Tenant;
import dev.thrillring.web.Json;
import dev.thrillring.web.Requests;
import dev.thrillring.webhooks.WebhookService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A tenant's webhook endpoints for its admins: register one (its secret shown once), change its
 * URL, filters, description and rate limit, pause or resume it, rotate its secret, send a test
 * event, delete it (each change that cannot be undone confirmed first), and its deliveries with
 * "Send again". Every form calls the webhooks service the API routes call, and a refused field
 * is shown under that field with the API's message.
 */
final class ConsoleWebhookRoutes {
    private static final String T = ConsolePaths.ROOT + "/tenants/{tenant_id}";
    private static final String E = T + "/webhooks/{webhook_id}";
    private static final Set<String> MESSAGE_STATUSES = Set.of("pending", "delivered", "dead");
    /** The fields the endpoint form shows; a message about any other goes above the form. */
    private static final Set<String> FIELDS = Set.of("url", "event_types", "description", "rate_limit_per_second");
    /** What a redirect back to a list may announce: fixed texts, so a link cannot put words on the page. */
    private static final Map<String, String> NOTICES = Map.of(
            "paused", "The endpoint is paused: its events wait until it is resumed.",
            "resumed", "The endpoint is active again: waiting events are being sent.",
            "changed", "The endpoint is changed.",
            "deleted", "The endpoint is deleted; its messages are gone with it.");
    private final ConsoleRoutes pages;
    private final ConsoleService service;

    ConsoleWebhookRoutes(ConsoleRoutes pages, ConsoleService service) {
        this.pages = pages;
        this.service = service;
    }

    private WebhookService webhooks() { return service.s.webhooks(); }

    void register(RoutesConfig routes) {
        routes.get(T + "/webhooks", this::list, ConsoleRoutes.ADMINS);
        routes.post(T + "/webhooks", this::create, ConsoleRoutes.ADMINS);
        // Before {webhook_id}: "new" is not an id.
        routes.get(T + "/webhooks/new", this::newForm, ConsoleRoutes.ADMINS);
        routes.get(E, this::deliveries, ConsoleRoutes.ADMINS);
        routes.get(E + "/edit", this::editForm, ConsoleRoutes.ADMINS);
        routes.post(E + "/edit", this::edit, ConsoleRoutes.ADMINS);
        routes.post(E + "/status", this::status, ConsoleRoutes.ADMINS);
        routes.post(E + "/test", this::test, ConsoleRoutes.ADMINS);
        routes.get(E + "/rotate", this::confirmRotate, ConsoleRoutes.ADMINS);
        routes.post(E + "/rotate", this::rotate, ConsoleRoutes.ADMINS);
        routes.get(E + "/delete", this::confirmDelete, ConsoleRoutes.ADMINS);
        routes.post(E + "/delete", this::delete, ConsoleRoutes.ADMINS);
        routes.post(E + "/messages/{message_id}/replay", this::replay, ConsoleRoutes.ADMINS);
    }

    // --- the list and one endpoint's deliveries ------------------------------------------------

    private void list(Context ctx) {
        Tenant t = pages.tenant(ctx);
        List<EndpointRow> rows = new ArrayList<>();
        for (JsonNode e : Json.mapper().valueToTree(webhooks().endpointsOf(Requests.principal(ctx), t.tenantId()))) rows.add(endpoint(e));
        ctx.render("console/webhooks.jte", ConsoleRoutes.model("frame", pages.frame(ctx, "Webhooks", t, "webhooks"), "endpoints", rows,
                "notice", NOTICES.get(String.valueOf(ctx.queryParam("done")))));
    }

    private static EndpointRow endpoint(JsonNode e) {
        List<String> types = new ArrayList<>();
        e.path("event_types").forEach(x -> types.add(x.asText()));
        return new EndpointRow(e.path("id").asText(), e.path("url").asText(), e.path("description").asText(""), types,
                e.path("status").asText(), e.path("disabled_reason").asText(""), ConsoleAdminRoutes.time(e.path("failing_since")),
                ConsoleAdminRoutes.time(e.path("created_at")), e.path("rate_limit_per_second").isNumber() ? e.path("rate_limit_per_second").asText() : "",
                e.path("fifo").asBoolean(), ConsoleAdminRoutes.time(e.path("previous_secret_until")));
    }

    private EndpointRow endpoint(Context ctx, Tenant t) {
        return endpoint(Json.mapper().valueToTree(webhooks().endpointOf(Requests.principal(ctx), t.tenantId(), id(ctx))));
    }

    private static UUID id(Context ctx) { return Requests.uuidPath(ctx, "webhook_id"); }

    private void deliveries(Context ctx) {
        Tenant t = pages.tenant(ctx);
        Principal p = Requests.principal(ctx);
        String status = ctx.queryParam("status");
        if (status != null && status.isBlank()) status = null;
        if (status != null && !MESSAGE_STATUSES.contains(status)) throw new Problem.Invalid("status", "must be pending, delivered or dead");
        EndpointRow endpoint = endpoint(ctx, t);
        List<ConsoleViews.MessageRow> rows = new ArrayList<>();
        for (JsonNode m : Json.mapper().valueToTree(webhooks().messagesOf(p, t.tenantId(), id(ctx), status, 50))) {
            rows.add(new ConsoleViews.MessageRow(m.path("id").asText(), m.path("type").asText(), m.path("status").asText(), m.path("attempts").asInt(),
                    m.path("last_status").isNumber() ? m.path("last_status").asText() : "", m.path("last_error").asText(""),
                    ConsoleAdminRoutes.time(m.path("created_at")), ConsoleAdminRoutes.time(m.path("delivered_at")),
                    ConsoleAdminRoutes.time(m.path("next_attempt_at"))));
        }
        String replayed = ctx.queryParam("replayed");
        String tested = ctx.queryParam("tested");
        String notice = replayed != null && rows.stream().anyMatch(r -> r.id().equals(replayed)) ? "Message " + replayed + " is queued to be sent again."
                : tested != null && rows.stream().anyMatch(r -> r.id().equals(tested)) ? "A webhook.test event is queued for this endpoint"
                + (endpoint.stopped() ? "; it is sent once the endpoint is resumed." : ".")
                : NOTICES.get(String.valueOf(ctx.queryParam("done")));
        ctx.render("console/deliveries.jte", ConsoleRoutes.model("frame", pages.frame(ctx, "Deliveries", t, "webhooks"), "endpoint", endpoint,
                "messages", rows, "status", status == null ? "" : status, "notice", notice));
    }

    private void replay(Context ctx) {
        Tenant t = pages.tenant(ctx);
        UUID message = Requests.uuidPath(ctx, "message_id");
        webhooks().replayOf(Requests.principal(ctx), t.tenantId(), id(ctx), message);
        ctx.redirect(path(t, "/webhooks/" + id(ctx) + "?replayed=" + message), HttpStatus.SEE_OTHER);
    }

    // --- register and change ---------------------------------------------------------------------

    private void newForm(Context ctx) {
        Tenant t = pages.tenant(ctx);
        renderForm(ctx, t, newForm(t, "", "achievement.*", "", "", false, Map.of(), List.of()));
    }

    private static EndpointForm newForm(Tenant t, String url, String types, String description, String rate, boolean fifo,
                                        Map<String, List<String>> errors, List<String> general) {
        return new EndpointForm("New webhook endpoint", path(t, "/webhooks"), "Register endpoint", path(t, "/webhooks"),
                url, types, description, rate, fifo, errors, general);
    }

    private void renderForm(Context ctx, Tenant t, EndpointForm form) {
        ctx.render("console/webhookForm.jte", ConsoleRoutes.model("frame", pages.frame(ctx, form.heading(), t, "webhooks"), "form", form));
    }

    private void create(Context ctx) {
        Tenant t = pages.tenant(ctx);
        Typed in = Typed.of(ctx);
        Map<String, Object> created;
        try {
            created = webhooks().createOf(Requests.principal(ctx), t.tenantId(),
                    new WebhookService.EndpointRequest(in.url(), in.types(), blankToNull(in.description()), in.rate(), in.fifo(), null));
        } catch (Problem.Invalid | Problem.Conflict e) {
            ctx.status(e.status());
            Refusal r = refusal(e, in.types());
            renderForm(ctx, t, newForm(t, in.url(), in.typesText(), in.description(), in.rateText(), in.fifo(), r.byField(), r.general()));
            return;
        }
        JsonNode json = Json.mapper().valueToTree(created);
        ctx.status(HttpStatus.CREATED);
        renderSecret(ctx, t, new ConsoleViews.EndpointSecret("Endpoint registered",
                "It receives the events committed from now on that its filter matches, signed with this secret (Standard Webhooks).",
                json.path("secret").asText(), endpoint(json.path("endpoint"))));
    }

    private void editForm(Context ctx) {
        Tenant t = pages.tenant(ctx);
        EndpointRow e = endpoint(ctx, t);
        renderForm(ctx, t, editForm(t, e, e.url(), String.join(", ", e.eventTypes()), e.description(), e.rateLimit(), e.fifo(), Map.of(), List.of()));
    }

    private static EndpointForm editForm(Tenant t, EndpointRow e, String url, String types, String description, String rate, boolean fifo,
                                         Map<String, List<String>> errors, List<String> general) {
        return new EndpointForm("Change endpoint", path(t, "/webhooks/" + e.id() + "/edit"), "Save changes", path(t, "/webhooks/" + e.id()),
                url, types, description, rate, fifo, errors, general);
    }

    private void edit(Context ctx) {
        Tenant t = pages.tenant(ctx);
        EndpointRow before = endpoint(ctx, t);
        Typed in = Typed.of(ctx);
        try {
            // PATCH semantics: an absent limit keeps the stored one, so emptying the field cannot remove it.
            if (in.rateText().isEmpty() && !before.rateLimit().isEmpty()) {
                throw new Problem.Invalid("rate_limit_per_second", "a limit cannot be removed once set (the API keeps it); enter a new one");
            }
            webhooks().updateOf(Requests.principal(ctx), t.tenantId(), id(ctx),
                    new WebhookService.EndpointRequest(in.url(), in.types(), in.description(), in.rate(), in.fifo(), null));
        } catch (Problem.Invalid | Problem.Conflict e) {
            ctx.status(e.status());
            Refusal r = refusal(e, in.types());
            renderForm(ctx, t, editForm(t, before, in.url(), in.typesText(), in.description(), in.rateText(), in.fifo(), r.byField(), r.general()));
            return;
        }
        ctx.redirect(path(t, "/webhooks/" + before.id() + "?done=changed"), HttpStatus.SEE_OTHER);
    }

    /** What the endpoint form sent, as typed; the filter is split on commas, spaces and new lines. */
    private record Typed(String url, String typesText, String description, String rateText, boolean fifo) {
        static Typed of(Context ctx) {
            return new Typed(text(ctx, "url").strip(), text(ctx, "event_types").strip(), text(ctx, "description"),
                    text(ctx, "rate_limit_per_second").strip(), ctx.formParam("fifo") != null);
        }

        private static String text(Context ctx, String field) { return ctx.formParam(field) == null ? "" : ctx.formParam(field); }

        List<String> types() { return typesText.isEmpty() ? List.of() : List.of(typesText.split("[\\s,]+")); }

        Integer rate() {
            if (rateText.isEmpty()) return null;
            try {
                return Integer.valueOf(rateText);
            } catch (NumberFormatException e) {
                throw new Problem.Invalid("rate_limit_per_second", "must be a whole number of messages per second");
            }
        }
    }

    private static String blankToNull(String s) { return s == null || s.isBlank() ? null : s; }

    /** The API's messages by the form's fields ({@code event_types[2]} is the filter's third entry), the rest apart. */
    private record Refusal(Map<String, List<String>> byField, List<String> general) {}

    private static Refusal refusal(Problem p, List<String> types) {
        List<Problem.Violation> violations = p instanceof Problem.Invalid i ? i.violations()
                : List.of(new Problem.Violation(((Problem.Conflict) p).field() == null ? "" : ((Problem.Conflict) p).field(), p.detail()));
        Map<String, List<String>> byField = new java.util.LinkedHashMap<>();
        List<String> general = new ArrayList<>();
        for (Problem.Violation v : violations) {
            String field = v.field().replaceFirst("\\[(\\d+)]$", "");
            String message = v.message();
            var index = java.util.regex.Pattern.compile("\\[(\\d+)]$").matcher(v.field());
            if (index.find()) {
                int i = Integer.parseInt(index.group(1));
                if (i < types.size()) message = "“" + types.get(i) + "” " + message;
            }
            if (FIELDS.contains(field)) byField.computeIfAbsent(field, k -> new ArrayList<>()).add(message);
            else general.add(v.field() + ": " + message);
        }
        return new Refusal(byField, general);
    }

    // --- pause, resume, test, rotate, delete ------------------------------------------------------

    private void status(Context ctx) {
        Tenant t = pages.tenant(ctx);
        String status = ctx.formParam("status");
        if (!"paused".equals(status) && !"active".equals(status)) throw new Problem.Invalid("status", "must be active or paused");
        webhooks().updateOf(Requests.principal(ctx), t.tenantId(), id(ctx), new WebhookService.EndpointRequest(null, null, null, null, null, status));
        String done = status.equals("paused") ? "paused" : "resumed";
        // Back where the button was: the list, or the endpoint's own page.
        ctx.redirect("endpoint".equals(ctx.formParam("back")) ? path(t, "/webhooks/" + id(ctx) + "?done=" + done)
                : path(t, "/webhooks?done=" + done), HttpStatus.SEE_OTHER);
    }

    private void test(Context ctx) {
        Tenant t = pages.tenant(ctx);
        JsonNode m = Json.mapper().valueToTree(webhooks().testOf(Requests.principal(ctx), t.tenantId(), id(ctx)));
        ctx.redirect(path(t, "/webhooks/" + id(ctx) + "?tested=" + m.path("id").asText()), HttpStatus.SEE_OTHER);
    }

    private void confirmRotate(Context ctx) {
        confirm(ctx, "Rotate the secret?", "Rotate the secret of ",
                "A new secret is made and shown once. For a while the deliveries carry two signatures, with the new secret and the old one,"
                        + " so the receiver can switch without losing a message; then the old secret stops signing.",
                "Rotate the secret", false);
    }

    /** The confirmation step of an endpoint action: the question names the endpoint; the form posts back to this path. */
    private void confirm(Context ctx, String title, String question, String consequence, String action, boolean danger) {
        Tenant t = pages.tenant(ctx);
        EndpointRow e = endpoint(ctx, t);
        ctx.render("console/confirm.jte", ConsoleRoutes.model("frame", pages.frame(ctx, title, t, "webhooks"), "confirm",
                new ConsoleViews.Confirm(question + e.url() + "?", consequence, ctx.path(), action, danger, path(t, "/webhooks/" + e.id()))));
    }

    private void rotate(Context ctx) {
        Tenant t = pages.tenant(ctx);
        JsonNode json = Json.mapper().valueToTree(webhooks().rotateOf(Requests.principal(ctx), t.tenantId(), id(ctx)));
        EndpointRow e = endpoint(json.path("endpoint"));
        renderSecret(ctx, t, new ConsoleViews.EndpointSecret("New secret",
                "Deliveries are signed with it from now on" + (e.previousSecretUntil().isEmpty() ? "."
                        : ", and also with the previous secret until " + e.previousSecretUntil() + ": switch the receiver before then."),
                json.path("secret").asText(), e));
    }

    private void renderSecret(Context ctx, Tenant t, ConsoleViews.EndpointSecret secret) {
        ctx.render("console/webhookSecret.jte", ConsoleRoutes.model("frame", pages.frame(ctx, secret.heading(), t, "webhooks"), "secret", secret));
    }

    private void confirmDelete(Context ctx) {
        confirm(ctx, "Delete the endpoint?", "Delete the endpoint ",
                "It receives no more events, and its pending messages and delivery log are deleted with it. This cannot be undone:"
                        + " register it again to receive new events (with a new secret).",
                "Delete the endpoint", true);
    }

    private void delete(Context ctx) {
        Tenant t = pages.tenant(ctx);
        webhooks().deleteOf(Requests.principal(ctx), t.tenantId(), id(ctx));
        ctx.redirect(path(t, "/webhooks?done=deleted"), HttpStatus.SEE_OTHER);
    }

    private static String path(Tenant t, String rest) { return ConsolePaths.ROOT + "/tenants/" + t.tenantId() + rest; }
}
