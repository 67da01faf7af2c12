package dev.thrillring.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thrillring.auth.AuthService;
import dev.thrillring.auth.Principal;
import dev.thrillring.auth.Role;
import dev.thrillring.console.ConsoleViews.AuditRow;
import dev.thrillring.console.ConsoleViews.DecisionRow;
import dev.thrillring.console.ConsoleViews.DryRow;
import dev.thrillring.console.ConsoleViews.Overview;
import dev.thrillring.console.ConsoleViews.PlatformTenants;
import dev.thrillring.console.ConsoleViews.TenantRow;
import dev.thrillring.console.ConsoleViews.VersionRow;
import dev.thrillring.decisions.Decision;
import dev.thrillring.decisions.FactService;
import dev.thrillring.engine.model.Outcome;
import dev.thrillring.leaderboards.LeaderboardService;
import dev.thrillring.platforms.PlatformService;
import dev.thrillring.problems.Problem;
import dev.thrillring.referrals.ConversionService;
import dev.thrillring.rulesets.PlatformRuleSetService;
import dev.thrillring.rulesets.RuleSetService;
import dev.thrillring.tenants.Tenant;
import dev.thrillring.tenants.TenantService;
import dev.thrillring.web.Json;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * What the console shows and changes, always through the API's own services with the signed-in
 * caller, so every page gets exactly the API's role and tenant checks. It holds no data of its own.
 */
public final class ConsoleService {
    static final Set<Role> CONSOLE_ROLES = Set.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST, Role.VIEWER);
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'");

    /** The services the console calls; the same instances the API routes use. */
    public record Services(AuthService auth, TenantService tenants, PlatformService platforms, FactService facts,
                           RuleSetService ruleSets, PlatformRuleSetService platformRuleSets, ConversionService conversions,
                           LeaderboardService leaderboards, List<String> platformNames, dev.thrillring.webhooks.WebhookService webhooks,
                           dev.thrillring.achievements.AchievementService achievements) {}

    final Services s;

    public ConsoleService(Services services) { this.s = services; }

    /**
     * Checks a pasted API key or JWT with the API's own authentication.
     *
     * @throws Problem.Unauthenticated when it is not valid
     * @throws Problem.Forbidden when its role has no console pages (ingest keys)
     */
    Principal signIn(String credential) {
        if (credential == null || credential.isBlank()) throw new Problem.Invalid("credential", "paste an API key or a JWT");
        Principal p = s.auth().authenticate("Bearer " + credential.trim());
        if (!CONSOLE_ROLES.contains(p.role())) {
            throw new Problem.Forbidden("an " + p.role().wireName() + " key posts facts and has no console pages; sign in with an admin, analyst or viewer key");
        }
        return p;
    }

    static String describe(Principal p) {
        if (p.isOperator()) return "operator (every platform)";
        if (p.platform().isPresent()) return "platform admin of " + p.platform().get();
        return p.role().wireName().replace('_', ' ') + (p.keyId().startsWith("jwt:") ? " " + p.keyId().substring(4) : "");
    }

    /** The platforms a platform admin sees, each with its tenants. */
    List<PlatformTenants> platformsOf(Principal caller) {
        List<String> names = caller.platform().map(List::of).orElse(s.platformNames());
        List<PlatformTenants> out = new ArrayList<>();
        for (String p : names) {
            // The API's own listing, read as the JSON it answers (its row type is the platforms package's own).
            JsonNode rows = Json.mapper().valueToTree(s.platforms().tenants(caller, p));
            List<TenantRow> tenants = new ArrayList<>();
            for (JsonNode t : rows) {
                tenants.add(new TenantRow(t.path("tenant_id").asText(), t.path("name").asText(), t.path("industry").asText(),
                        t.path("status").asText(), when(t.path("created_at").isTextual() ? OffsetDateTime.parse(t.path("created_at").asText()) : null)));
            }
            out.add(new PlatformTenants(p, tenants));
        }
        return out;
    }

    Tenant tenant(Principal caller, UUID tenant) { return s.tenants().get(caller, tenant); }

    Overview overview(Principal caller, Tenant t) {
        List<DecisionRow> recent = s.facts().recent(caller, t.tenantId(), 5).stream().map(ConsoleService::row).toList();
        String live = s.ruleSets().list(caller, t.tenantId()).stream().filter(v -> "active".equals(v.status()))
                .map(v -> "version " + v.version() + (v.comment() == null ? "" : " (" + v.comment() + ")")).findFirst()
                .orElse("the platform's base rules only");
        Long waiting = null;
        if (isAdmin(caller)) waiting = Json.mapper().valueToTree(s.conversions().reviewQueue(caller, t.tenantId(), null, 1)).path("total").asLong();
        return new Overview(t.platform(), t.industry(), t.status(), when(t.createdAt()), live, recent, waiting);
    }

    /** The latest decisions, or the one of a fact id, or those about a user among the latest 500. */
    List<DecisionRow> decisions(Principal caller, UUID tenant, String factId, String userId) {
        if (factId != null && !factId.isBlank()) {
            if (factId.length() > 128) throw new Problem.Invalid("fact_id", "must have at most 128 characters");
            return List.of(row(s.facts().find(caller, tenant, factId.trim())));
        }
        if (userId != null && !userId.isBlank()) {
            String u = userId.trim();
            return s.facts().recent(caller, tenant, 500).stream().filter(d -> u.equals(d.userId())).limit(50).map(ConsoleService::row).toList();
        }
        return s.facts().recent(caller, tenant, 50).stream().map(ConsoleService::row).toList();
    }

    List<VersionRow> versions(Principal caller, UUID tenant) {
        return s.ruleSets().list(caller, tenant).stream().map(v -> new VersionRow(v.version(), v.status(), v.author(), v.comment(),
                when(v.createdAt()), when(v.activatedAt()), v.files() == null ? List.of() : v.files().stream().map(RuleSetService.FileInfo::path).toList()))
                .toList();
    }

    /** The platform's base versions, for its admins. */
    List<VersionRow> platformVersions(Principal caller, String platform) {
        return s.platformRuleSets().list(caller, platform).stream().map(v -> new VersionRow(v.version(), v.status(), v.author(), v.comment(),
                when(v.createdAt()), when(v.activatedAt()), List.of())).toList();
    }

    List<AuditRow> audit(Principal caller, UUID tenant) {
        if (!isAuthor(caller)) return List.of();
        return s.ruleSets().auditLog(caller, tenant, 20).stream()
                .map(e -> new AuditRow(when(e.at()), e.actor(), e.action(), e.target())).toList();
    }

    RuleSetService.Activation activate(Principal caller, UUID tenant, int version) { return s.ruleSets().activate(caller, tenant, version); }

    RuleSetService.Activation rollback(Principal caller, UUID tenant) { return s.ruleSets().rollback(caller, tenant, null); }

    void deactivate(Principal caller, UUID tenant) { s.ruleSets().deactivate(caller, tenant); }

    RuleSetService.VersionView upload(Principal caller, UUID tenant, List<RuleSetService.Upload> files, String comment) {
        return s.ruleSets().createVersion(caller, tenant, files, comment);
    }

    /** A dry run of pasted facts (a JSON array, or one object) on the live rules or a stored version. */
    ConsoleViews.TryIt dryRun(Principal caller, UUID tenant, String factsText, Integer version, String action, List<String> versions) {
        JsonNode facts = parseFacts(factsText);
        JsonNode out = Json.mapper().valueToTree(s.ruleSets().dryRun(caller, tenant, version, facts));
        return tryIt(factsText, version, versions, out, action);
    }

    static JsonNode parseFacts(String text) {
        if (text == null || text.isBlank()) throw new Problem.Invalid("facts", "paste one fact or a JSON array of facts");
        if (text.length() > 200_000) throw new Problem.Invalid("facts", "must have at most 200,000 characters");
        JsonNode n;
        try {
            n = Json.mapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new Problem.Invalid("facts", "is not JSON: " + firstLine(e.getMessage()));
        }
        if (n.isObject()) n = Json.mapper().createArrayNode().add(n);
        if (!n.isArray()) throw new Problem.Invalid("facts", "must be a fact object or an array of them");
        return n;
    }

    static ConsoleViews.TryIt tryIt(String factsText, Integer version, List<String> versions, JsonNode out, String action) {
        List<DryRow> rows = new ArrayList<>();
        for (JsonNode r : out.path("results")) {
            List<String> fired = new ArrayList<>();
            r.path("fired_rules").forEach(f -> fired.add(firedRule(f.asText())));
            List<String> outcomes = new ArrayList<>();
            r.path("outcomes").forEach(o -> outcomes.add(describe(o)));
            rows.add(new DryRow(r.path("type").asText(), r.path("user_id").isNull() ? null : r.path("user_id").asText(null), fired, outcomes));
        }
        return new ConsoleViews.TryIt(factsText, version == null ? "" : version.toString(), versions,
                out.path("rule_set_version").asText(), rows, null, action);
    }

    private static final java.util.regex.Pattern TABLE_ROW = java.util.regex.Pattern.compile("(.+)_(\\d+)");

    /** A fired rule, with the table row it came from when it is a decision table's ({@code Fact points_11}: row 11). */
    static String firedRule(String name) {
        var m = TABLE_ROW.matcher(name);
        return m.matches() ? name + " — row " + m.group(2) + " of the table " + m.group(1) : name;
    }

    Map<String, Object> reviewQueue(Principal caller, UUID tenant, String cursor) {
        return s.conversions().reviewQueue(caller, tenant, cursor == null || cursor.isBlank() ? null : cursor, 20);
    }

    Map<String, Object> review(Principal caller, UUID tenant, UUID conversion, String decision, String note) {
        return s.conversions().review(caller, tenant, conversion, decision, note == null || note.isBlank() ? null : note.trim());
    }

    JsonNode board(Principal caller, Tenant t, String type, String timePeriod) {
        return Json.mapper().valueToTree(s.leaderboards().leaderboard(caller, t.platform(), type, timePeriod, 25, null, null, t.industry()));
    }

    static boolean isAdmin(Principal p) { return p.role() == Role.PLATFORM_ADMIN || p.role() == Role.TENANT_ADMIN; }

    static boolean isAuthor(Principal p) { return isAdmin(p) || p.role() == Role.ANALYST; }

    static DecisionRow row(Decision d) {
        return new DecisionRow(d.factId(), d.userId(), d.type(), when(d.decidedAt()), d.ruleSetVersion(), d.firedRules(),
                d.outcomes() == null ? List.of() : d.outcomes().stream().map(ConsoleService::describe).toList());
    }

    static String describe(Outcome o) {
        return describe(Json.mapper().valueToTree(o));
    }

    /** An outcome in a few words: its kind and details ({@code points: amount 50, reason fact points}). */
    static String describe(JsonNode o) {
        StringBuilder sb = new StringBuilder(o.path("kind").asText());
        JsonNode d = o.path("details");
        if (d.isObject() && !d.isEmpty()) {
            sb.append(": ");
            List<String> parts = new ArrayList<>();
            d.properties().forEach(e -> parts.add(e.getKey() + " " + (e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString())));
            sb.append(String.join(", ", parts));
        }
        return sb.toString();
    }

    static String when(OffsetDateTime t) {
        return t == null ? "" : t.withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES).format(WHEN);
    }

    private static String firstLine(String m) {
        if (m == null) return "";
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    static Optional<Integer> version(String v) {
        if (v == null || v.isBlank()) return Optional.empty();
        try {
            int n = Integer.parseInt(v.trim());
            if (n > 0) return Optional.of(n);
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new Problem.Invalid("version", "must be a version number");
    }
}
