package dev.thrillring.achievements;

import dev.thrillring.auth.Principal;
import dev.thrillring.auth.Role;
import dev.thrillring.db.Database;
import dev.thrillring.db.TenantScope;
import dev.thrillring.engine.AchievementDefinitions;
import dev.thrillring.engine.AchievementDefinitions.Definition;
import dev.thrillring.engine.BaseRules;
import dev.thrillring.engine.model.Outcome;
import dev.thrillring.problems.Problem;
import dev.thrillring.problems.Problem.Violation;
import dev.thrillring.rulesets.RuleSetService;
import dev.thrillring.tenants.TenantService;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import static dev.thrillring.db.schema.Tables.ACHIEVEMENTS;

/**
 * Achievements: the catalogue (synced from the rules that track achievements), each subject's
 * progress and unlocks as decisions record them, backfill of new achievements, and tenants'
 * custom achievements generated into their rule overlays.
 */
public final class AchievementService implements dev.thrillring.decisions.DecisionListener {
    private static final Logger log = LoggerFactory.getLogger(AchievementService.class);
    private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9-]{1,62}");
    private static final Pattern METRIC = Pattern.compile("[a-z][a-z0-9_.]{0,62}");
    private static final Set<String> PERIODS = Set.of("all_time", "day", "week", "month");

    private final Database db;
    private final TenantScope scope;
    private final TenantService tenants;
    private final RuleSetService ruleSets;
    private final AchievementStore store;
    private final AchievementQueries queries = new AchievementQueries();

    public AchievementService(Database db, TenantScope scope, TenantService tenants, RuleSetService ruleSets, dev.thrillring.db.Caches caches) {
        this.store = new AchievementStore(caches);
        this.db = db;
        this.scope = scope;
        this.tenants = tenants;
        this.ruleSets = ruleSets;
    }

    // ------------------------------------------------------------------------ catalogue --

    /**
     * Makes each platform's catalogue match the achievements its base rules track, and backfills
     * new ones (or ones made easier) for subjects that already meet them.
     */
    public void syncPlatforms(BaseRules files, List<String> platforms) {
        for (String p : platforms) syncPlatform(files, p);
    }

    /** Another process synced a platform's catalogue: drop the cached lookups so they are read again. */
    public void catalogueChanged() { store.forgetCatalogue(); }

    public void syncPlatform(BaseRules files, String platform) {
        List<Definition> defs = AchievementDefinitions.from(files.load(platform));
        Set<String> seen = new HashSet<>();
        for (Definition d : defs) {
            if (!seen.add(d.key())) throw new IllegalStateException("achievement '" + d.key() + "' is tracked by two rules of " + platform);
        }
        store.forgetCatalogue();
        db.asOwner(owner -> {
            Map<UUID, Definition> fresh = store.syncPlatform(owner, platform, defs);
            int backfilled = 0;
            for (var e : fresh.entrySet()) backfilled += store.backfill(owner, platform, null, e.getKey(), e.getValue());
            log.info("achievement catalogue of {}: {} definitions, {} new or easier, {} subjects backfilled",
                    platform, defs.size(), fresh.size(), backfilled);
            return null;
        });
    }

    /** A listed achievement: its definition, and whether the caller's subject holds it. */
    public record CatalogueView(String platform, List<AchievementQueries.Entry> achievements) {}

    /**
     * The platform's catalogue (and a tenant's custom achievements). Hidden achievements appear
     * only once the tenant has unlocked them. Unlock counts are the tenant's own, or the whole
     * platform's for a platform admin.
     */
    public CatalogueView catalogue(Principal caller, String platform) {
        if (caller.role() == Role.PLATFORM_ADMIN) {
            if (platform == null) throw new Problem.Invalid("platform", "is required for a platform admin");
            caller.requirePlatform(platform);
            return new CatalogueView(platform, db.asOwner(owner -> queries.catalogue(owner, platform, null)));
        }
        UUID tenant = caller.tenantId().orElseThrow();
        String own = platformOf(tenant);
        if (platform != null && !platform.equals(own)) throw new Problem.Forbidden("this key's tenant is on platform " + own);
        return catalogueOf(caller, tenant);
    }

    /**
     * One tenant's catalogue as its own keys see it (the platform's achievements and the tenant's
     * custom ones; hidden ones once the tenant has unlocked them, unlock counts the tenant's), for
     * any caller that reaches the tenant: the console shows it to a platform admin too.
     */
    public CatalogueView catalogueOf(Principal caller, UUID tenant) {
        caller.requireTenant(tenant);
        String own = platformOf(tenant);
        return scope.inTenant(tenant, tx -> {
            Set<String> unlocked = new HashSet<>(queries.unlockedInTenant(tx, tenant));
            return new CatalogueView(own, queries.catalogue(tx, own, tenant).stream()
                    .filter(e -> !e.isHidden() || unlocked.contains(e.key())).toList());
        });
    }

    // ------------------------------------------------------------------------- progress --

    @Override
    public Runnable record(DSLContext tx, dev.thrillring.decisions.Decided d) {
        store.applyAll(tx, List.of(d));
        return null;
    }

    /** A group's progress and unlocks in a few statements for the whole group, not per decision. */
    @Override
    public Runnable recordAll(DSLContext tx, List<dev.thrillring.decisions.Decided> group) {
        store.applyAll(tx, group);
        return null;
    }

    /** The seed's {@code AchievementProgressResponse} for a subject. */
    public Map<String, Object> progress(Principal caller, UUID tenantId, String platform, String userId) {
        caller.requireTenant(tenantId);
        String own = platformOf(tenantId);
        if (platform != null && !platform.equals(own)) throw new Problem.Invalid("platform", "tenant " + tenantId + " is on platform " + own);
        if (userId != null && (userId.isEmpty() || userId.length() > 128)) throw new Problem.Invalid("user_id", "must have 1 to 128 characters");
        return scope.inTenant(tenantId, tx -> {
            var catalogue = queries.catalogue(tx, own, tenantId);
            var rows = queries.subjectRows(tx, tenantId, userId);
            var metrics = queries.allTimeMetrics(tx, tenantId, userId);
            if (userId == null && rows.isEmpty() && metrics.isEmpty()) {
                // The tenant as a whole has no progress of its own: its users', aggregated.
                return ProgressReport.aggregate(catalogue, queries.rowsOfAllUsers(tx, tenantId), queries.allTimeMetricsOfUsers(tx, tenantId));
            }
            return ProgressReport.build(catalogue, rows, metrics, userId);
        });
    }

    // ----------------------------------------------------------------------- custom --

    /** What a tenant admin or analyst sends to define a custom achievement. */
    public record NewCustom(String tenantId, String key, String name, String description, String metric, String comparison,
                            Double threshold, String period, Map<String, Object> reward, Boolean hidden, Integer cooldownDays,
                            String category,
                            // The seed's column names (its compatibility form), mapped by SeedAchievement:
                            String achievementName, String achievementType, Map<String, Object> triggerConditions,
                            Map<String, Object> rewardConfig, Integer difficultyLevel, Boolean isRepeatable, String iconUrl) {
        /** The flat shape only (tests and callers that do not use the seed's names). */
        public NewCustom(String tenantId, String key, String name, String description, String metric, String comparison,
                         Double threshold, String period, Map<String, Object> reward, Boolean hidden, Integer cooldownDays, String category) {
            this(tenantId, key, name, description, metric, comparison, threshold, period, reward, hidden, cooldownDays, category,
                    null, null, null, null, null, null, null);
        }
    }

    /**
     * Defines a custom achievement for the caller's tenant: generated into its rule overlay,
     * compiled, versioned and activated, then backfilled for subjects that already meet it.
     */
    public Map<String, Object> createCustom(Principal caller, NewCustom req) {
        if (!Set.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST).contains(caller.role())) {
            throw new Problem.Forbidden("only tenant admins and analysts define custom achievements");
        }
        if (req.tenantId() == null && caller.tenantId().isPresent()) req = SeedAchievement.withTenant(req, caller.tenantId().get());
        req = SeedAchievement.normalise(req);
        CustomAchievementRules.Custom c = validate(req);
        UUID tenant = UUID.fromString(req.tenantId());
        caller.requireTenant(tenant);
        int difficulty = req.difficultyLevel() == null ? 1 : req.difficultyLevel();
        String icon = req.iconUrl();
        String platform = platformOf(tenant);
        UUID id = UUID.randomUUID();
        List<CustomAchievementRules.Custom> all = scope.inTenant(tenant, tx -> {
            if (AchievementStore.achievementId(tx, tenant, platform, c.key()).isPresent()) {
                throw new Problem.Conflict("key", "an achievement with key '" + c.key() + "' already exists");
            }
            tx.insertInto(ACHIEVEMENTS).set(ACHIEVEMENTS.ID, id).set(ACHIEVEMENTS.TENANT_ID, tenant)
                    .set(ACHIEVEMENTS.ACHIEVEMENT_KEY, c.key()).set(ACHIEVEMENTS.ACHIEVEMENT_NAME, c.name())
                    .set(ACHIEVEMENTS.DESCRIPTION, c.description()).set(ACHIEVEMENTS.ACHIEVEMENT_TYPE, "custom")
                    .set(ACHIEVEMENTS.PLATFORM, platform).set(ACHIEVEMENTS.STATUS, "inactive")
                    .set(ACHIEVEMENTS.TRIGGER_CONDITIONS, AchievementStore.json(customTrigger(c)))
                    .set(ACHIEVEMENTS.REWARD_CONFIG, AchievementStore.json(AchievementStore.reward(c.points(), c.badge())))
                    .set(ACHIEVEMENTS.IS_HIDDEN, c.hidden()).set(ACHIEVEMENTS.IS_REPEATABLE, c.cooldownDays() > 0)
                    .set(ACHIEVEMENTS.COOLDOWN_SECONDS, c.cooldownDays() > 0 ? c.cooldownDays() * 86_400 : null)
                    .set(ACHIEVEMENTS.DIFFICULTY_LEVEL, difficulty).set(ACHIEVEMENTS.ICON_URL, icon)
                    .execute();
            return customsOf(tx, tenant, platform);
        });
        RuleSetService.Activation activation;
        try {
            List<RuleSetService.Upload> files = new ArrayList<>(ruleSets.activeFiles(tenant).stream()
                    .filter(f -> !f.name().equals(CustomAchievementRules.FILE)).toList());
            files.add(new RuleSetService.Upload(CustomAchievementRules.FILE, CustomAchievementRules.drl(all).getBytes(StandardCharsets.UTF_8)));
            activation = ruleSets.publishGenerated(caller, tenant, files, "custom achievement " + c.key());
        } catch (RuntimeException e) {
            scope.inTenant(tenant, tx -> tx.deleteFrom(ACHIEVEMENTS).where(ACHIEVEMENTS.ID.eq(id)).execute());
            throw e;
        }
        store.forgetCatalogue();
        int backfilled = scope.inTenant(tenant, tx -> {
            tx.update(ACHIEVEMENTS).set(ACHIEVEMENTS.STATUS, "active").where(ACHIEVEMENTS.ID.eq(id)).execute();
            new dev.thrillring.audit.AuditStore().record(tx, tenant, caller, "achievement.custom_created",
                    "achievement/" + id, null, Map.of("key", c.key(), "trigger", customTrigger(c), "points", c.points()));
            return store.backfill(tx, platform, tenant, id, definitionOf(c));
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("achievement_id", id);
        out.put("key", c.key());
        out.put("tenant_id", tenant);
        out.put("rule_set_version", activation.version().version());
        out.put("rule", "Custom achievement " + c.key());
        out.put("backfilled_subjects", backfilled);
        return out;
    }

    private List<CustomAchievementRules.Custom> customsOf(DSLContext tx, UUID tenant, String platform) {
        return tx.selectFrom(ACHIEVEMENTS)
                .where(ACHIEVEMENTS.TENANT_ID.eq(tenant).and(ACHIEVEMENTS.PLATFORM.eq(platform))
                        .and(ACHIEVEMENTS.ACHIEVEMENT_TYPE.eq("custom")))
                .orderBy(ACHIEVEMENTS.CREATED_AT, ACHIEVEMENTS.ACHIEVEMENT_KEY)
                .fetch().stream()
                .filter(r -> AchievementStore.read(r.getTriggerConditions()).get("metric") != null)
                .filter(r -> !r.getStatus().equals("archived"))
                .map(r -> {
                    Map<?, ?> t = AchievementStore.read(r.getTriggerConditions());
                    Map<?, ?> rw = AchievementStore.read(r.getRewardConfig());
                    return new CustomAchievementRules.Custom(r.getAchievementKey(), r.getAchievementName(), r.getDescription(),
                            (String) t.get("metric"), (String) t.get("comparison"), ((Number) t.get("threshold")).doubleValue(),
                            (String) t.get("period"), (rw.get("points") instanceof Number n ? n.longValue() : 0L), (String) rw.get("badge"),
                            r.getIsHidden(), r.getCooldownSeconds() == null ? 0 : r.getCooldownSeconds() / 86_400, "Custom");
                })
                .toList();
    }

    private static CustomAchievementRules.Custom validate(NewCustom r) {
        List<Violation> errors = new ArrayList<>();
        if (r.tenantId() == null) errors.add(new Violation("tenant_id", "is required"));
        else {
            try {
                UUID.fromString(r.tenantId());
            } catch (IllegalArgumentException e) {
                errors.add(new Violation("tenant_id", "must be a UUID"));
            }
        }
        if (r.key() == null || !KEY.matcher(r.key()).matches()) errors.add(new Violation("key", "must be 2 to 63 of a-z, 0-9 and '-'"));
        if (r.name() == null || r.name().isBlank() || r.name().length() > 255) errors.add(new Violation("name", "must have 1 to 255 characters"));
        if (r.description() != null && r.description().length() > 1000) errors.add(new Violation("description", "must have at most 1000 characters"));
        if (r.metric() == null || !METRIC.matcher(r.metric()).matches()) errors.add(new Violation("metric", "must be a metric name such as orders_shipped"));
        String comparison = r.comparison() == null ? ">=" : r.comparison();
        if (!comparison.equals(">=") && !comparison.equals(">")) errors.add(new Violation("comparison", "must be '>=' or '>'"));
        if (r.threshold() == null || !Double.isFinite(r.threshold()) || r.threshold() <= 0 || r.threshold() > 1e12) {
            errors.add(new Violation("threshold", "must be a number above 0"));
        }
        String period = r.period() == null ? "all_time" : r.period();
        if (!PERIODS.contains(period)) errors.add(new Violation("period", "must be one of all_time, day, week, month"));
        long points = 0;
        String badge = null;
        if (r.reward() != null) {
            for (String k : r.reward().keySet()) {
                if (!Set.of("points", "badge").contains(k)) errors.add(new Violation("reward." + k, "is not a known field"));
            }
            Object p = r.reward().get("points");
            if (p != null && !(p instanceof Integer || p instanceof Long) || p instanceof Number n && (n.longValue() < 0 || n.longValue() > 1_000_000)) {
                errors.add(new Violation("reward.points", "must be a whole number from 0 to 1000000"));
            } else if (p != null) points = ((Number) p).longValue();
            Object b = r.reward().get("badge");
            if (b != null && !(b instanceof String s && !s.isBlank() && s.length() <= 100)) errors.add(new Violation("reward.badge", "must be a name of 1 to 100 characters"));
            else badge = (String) b;
        }
        int cooldown = r.cooldownDays() == null ? 0 : r.cooldownDays();
        if (cooldown < 0 || cooldown > 3650) errors.add(new Violation("cooldown_days", "must be from 0 (not repeatable) to 3650"));
        if (r.category() != null && r.category().length() > 100) errors.add(new Violation("category", "must have at most 100 characters"));
        if (!errors.isEmpty()) throw new Problem.Invalid(errors);
        return new CustomAchievementRules.Custom(r.key(), r.name().strip(), r.description(), r.metric(), comparison, r.threshold(),
                period, points, badge, Boolean.TRUE.equals(r.hidden()), cooldown, r.category() == null ? "Custom" : r.category());
    }

    private static Map<String, Object> customTrigger(CustomAchievementRules.Custom c) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("metric", c.metric());
        t.put("comparison", c.comparison());
        t.put("threshold", c.threshold());
        t.put("period", c.period());
        t.put("rule", "Custom achievement " + c.key());
        return t;
    }

    private static Definition definitionOf(CustomAchievementRules.Custom c) {
        return new Definition(c.key(), c.metric(), c.comparison(), c.threshold(), c.period(), null, c.points(),
                "Custom achievement " + c.key(), Map.of());
    }

    private String platformOf(UUID tenant) {
        return tenants.platformOf(tenant).orElseThrow(() -> new Problem.NotFound("no tenant " + tenant));
    }

}
