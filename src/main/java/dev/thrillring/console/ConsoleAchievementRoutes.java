package dev.thrillring.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thrillring.auth.Principal;
import dev.thrillring.console.ConsoleViews.AchievementRow;
import dev.thrillring.problems.Problem;
import dev.thrillring.tenants.Tenant;
import dev.thrillring.web.Json;
import dev.thrillring.web.Requests;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A tenant's achievements: its catalogue, and for a user id typed into a GET form that user's
 * progress on each (percentage, current against the threshold, unlocks with their occurrences,
 * the next milestone). Both come from the achievements service the API's
 * {@code GET /api/v1/gamification/achievements/progress/{tenant_id}} calls, with the same roles and
 * the same check of which user a caller may read.
 */
final class ConsoleAchievementRoutes {
    private static final String T = ConsolePaths.ROOT + "/tenants/{tenant_id}";
    private final ConsoleRoutes pages;
    private final ConsoleService service;

    ConsoleAchievementRoutes(ConsoleRoutes pages, ConsoleService service) {
        this.pages = pages;
        this.service = service;
    }

    void register(RoutesConfig routes) {
        routes.get(T + "/achievements", this::achievements, ConsoleRoutes.READERS);
    }

    private void achievements(Context ctx) {
        Tenant t = pages.tenant(ctx);
        Principal caller = Requests.principal(ctx);
        String typed = ctx.queryParam("user_id") == null ? "" : ctx.queryParam("user_id");
        String user = null;
        String error = null;
        try {
            // The API's own reading of user_id; an empty field asks for nobody (a user-bound key: its own user).
            user = caller.subjectFor(typed.isEmpty() ? null : Requests.userIdQuery(ctx, "user_id"));
        } catch (Problem.Invalid e) {
            error = e.violations().getFirst().message();
            ctx.status(422);
        }
        JsonNode catalogue = Json.mapper().valueToTree(service.s.achievements().catalogueOf(caller, t.tenantId())).path("achievements");
        JsonNode progress = user == null ? null
                : Json.mapper().valueToTree(service.s.achievements().progress(caller, t.tenantId(), null, user));
        ctx.render("console/achievements.jte", ConsoleRoutes.model("frame", pages.frame(ctx, "Achievements", t, "achievements"),
                "page", page(user == null ? typed : user, error, catalogue, progress)));
    }

    /** The catalogue merged with one user's progress report (null: no user asked for), in the catalogue's order. */
    static ConsoleViews.Achievements page(String userId, String error, JsonNode catalogue, JsonNode progress) {
        Map<String, List<JsonNode>> unlocks = new LinkedHashMap<>();
        Map<String, JsonNode> updates = new LinkedHashMap<>();
        Map<String, JsonNode> next = new LinkedHashMap<>();
        List<String> milestones = new ArrayList<>();
        if (progress != null) {
            progress.path("unlocked_achievements").forEach(u -> unlocks.computeIfAbsent(u.path("key").asText(), k -> new ArrayList<>()).add(u));
            progress.path("progress_updates").forEach(u -> updates.put(u.path("key").asText(), u));
            // The next milestone of each metric, also where the user has nothing yet (progress_updates lists only progress above zero).
            progress.path("next_milestones").forEach(m -> {
                next.put(m.path("key").asText(), m);
                milestones.add(m.path("next_milestone").asText());
            });
        }
        List<AchievementRow> rows = new ArrayList<>();
        int unlocked = 0;
        for (JsonNode e : catalogue) {
            List<JsonNode> held = unlocks.remove(e.path("key").asText());
            if (held != null) unlocked++;
            String key = e.path("key").asText();
            rows.add(row(e, held == null ? List.of() : held, updates.get(key), next.get(key), progress != null));
        }
        // Unlocked once, no longer in the catalogue (retired by a rule change): still the user's.
        for (List<JsonNode> held : unlocks.values()) {
            JsonNode first = held.getFirst();
            unlocked++;
            rows.add(new AchievementRow(first.path("key").asText(), first.path("achievement_name").asText(), "no longer in the catalogue",
                    "", "", reward(first.path("reward")), held.size() > 1, false, false, 0, "unlocked", 100, "", "",
                    latest(held), held.size(), ""));
        }
        return new ConsoleViews.Achievements(userId, error, progress != null, unlocked, rows, milestones);
    }

    private static AchievementRow row(JsonNode e, List<JsonNode> held, JsonNode update, JsonNode milestone, boolean forUser) {
        JsonNode trigger = e.path("trigger_conditions");
        boolean repeatable = e.path("is_repeatable").asBoolean();
        String target = trigger.path("threshold").isNumber() ? number(trigger.path("threshold").asDouble()) : "";
        double percentage = 0;
        String current = "";
        if (update != null) {
            percentage = update.path("progress").asDouble();
            current = number(update.path("current").asDouble());
            target = number(update.path("target").asDouble());
        } else if (!held.isEmpty() && !repeatable) {
            percentage = 100;
        } else if (forUser && !target.isEmpty()) {
            current = "0"; // the API lists progress above zero only
        }
        String state = !forUser ? "" : !held.isEmpty() ? "unlocked" : percentage > 0 ? "in progress" : "not started";
        return new AchievementRow(e.path("key").asText(), e.path("name").asText(), e.path("description").asText(""),
                e.path("category").asText(""), rule(trigger), reward(e.path("reward_config")), repeatable, e.path("is_hidden").asBoolean(),
                e.path("custom").asBoolean(), e.path("unlock_count").asInt(), state, percentage, current, target, latest(held), held.size(),
                update != null ? update.path("next_milestone").asText("") : milestone != null ? milestone.path("next_milestone").asText("") : "");
    }

    /** The latest unlock of an achievement (the API lists a user's unlocks newest first), as the console shows times. */
    private static String latest(List<JsonNode> held) {
        String latest = "";
        for (JsonNode u : held) {
            String at = u.path("unlocked_at").asText("");
            if (at.compareTo(latest) > 0) latest = at;
        }
        return latest.isEmpty() ? "" : ConsoleAdminRoutes.time(Json.mapper().getNodeFactory().textNode(latest));
    }

    /** {@code orders_shipped ≥ 100, all time}: what unlocks it, from its trigger conditions. */
    static String rule(JsonNode trigger) {
        if (!trigger.path("metric").isTextual()) return "";
        String comparison = trigger.path("comparison").asText(">=");
        String period = trigger.path("period").asText("all_time").replace('_', ' ');
        String s = trigger.path("metric").asText() + " " + (comparison.equals(">=") ? "≥" : comparison) + " "
                + (trigger.path("threshold").isNumber() ? number(trigger.path("threshold").asDouble()) : "?") + ", " + period;
        return trigger.path("requires").isTextual() ? s + ", after " + trigger.path("requires").asText() : s;
    }

    static String reward(JsonNode reward) {
        List<String> parts = new ArrayList<>();
        if (reward.path("points").isNumber() && reward.path("points").asLong() > 0) parts.add(reward.path("points").asLong() + " points");
        if (reward.path("badge").isTextual()) parts.add("badge " + reward.path("badge").asText());
        return String.join(", ", parts);
    }

    static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : String.format(Locale.ROOT, "%.2f", d);
    }
}
