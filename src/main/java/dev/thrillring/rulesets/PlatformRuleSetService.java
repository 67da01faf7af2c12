package dev.thrillring.rulesets;

import dev.thrillring.engine.authoring.TableSchema;
import dev.thrillring.audit.AuditStore;
import dev.thrillring.auth.Principal;
import dev.thrillring.engine.CompiledRuleSet;
import dev.thrillring.platforms.PlatformScope;
import dev.thrillring.engine.Overlay;
import dev.thrillring.engine.RuleEngine;
import dev.thrillring.engine.RuleResource;
import dev.thrillring.engine.RuleSetCompiler;
import dev.thrillring.engine.RuleSetInvalid;
import dev.thrillring.engine.RuleSetRegistry;
import dev.thrillring.engine.ScenarioRunner;
import dev.thrillring.engine.authoring.TableDiff;
import dev.thrillring.engine.authoring.TableLayers;
import dev.thrillring.problems.Problem;
import dev.thrillring.db.TenantScope;
import org.jooq.DSLContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;


/**
 * A platform's base rules, managed by its platform admins: versions uploaded (validated against
 * the shipped files, then stored immutable) and activated for every tenant of the platform. An
 * activation runs the version's scenarios and recompiles every tenant's active rule set on the
 * new base first; if one tenant's rules would break, nothing changes and the tenants are named.
 */
public final class PlatformRuleSetService {
    private final TenantScope scope;
    private final PlatformBaseRules base;
    private final RuleSetRegistry registry;
    private final Overlay.Source overlays;
    private final ScenarioRunner scenarios;
    private final Consumer<String> baseChanged;
    private final RuleSetService ruleSets;
    private final PlatformRuleSetStore store = new PlatformRuleSetStore();
    private final AuditStore audit = new AuditStore();

    /** {@code baseChanged} runs after a new base is live (the achievement catalogue follows it). */
    public PlatformRuleSetService(TenantScope scope, PlatformBaseRules base, RuleSetRegistry registry, Overlay.Source overlays,
                                  RuleEngine engine, RuleSetService ruleSets, Consumer<String> baseChanged) {
        this.ruleSets = ruleSets;
        this.scope = scope;
        this.base = base;
        this.registry = registry;
        this.overlays = overlays;
        this.scenarios = new ScenarioRunner(engine);
        this.baseChanged = baseChanged;
    }

    /** One file of the platform's base as it serves now: shipped, or uploaded in the active version. */
    public record BaseFile(String path, String source, int bytes) {}

    /** The live base: its rule set version, the active uploaded version (if any) and every file. */
    public record BaseView(String platform, String ruleSetVersion, int ruleCount, Integer activeVersion, List<BaseFile> files) {}

    public BaseView current(Principal caller, String platform) {
        Optional<Integer> active = inPlatform(caller, platform, tx -> store.active(tx, platform).map(RuleSetStore.Version::version));
        CompiledRuleSet set = registry.platformBase(platform);
        List<BaseFile> files = base.load(platform).stream().map(r -> new BaseFile(r.path(),
                r.path().startsWith(PlatformBaseRules.UPLOADED + "/") ? "uploaded" : "shipped", r.content().length)).toList();
        return new BaseView(platform, set.version(), set.ruleCount(), active.orElse(null), files);
    }

    /** The content of one live base file, by the path {@link #current} lists. */
    public byte[] currentFile(Principal caller, String platform, String path) {
        inPlatform(caller, platform, tx -> null);
        return base.load(platform).stream().filter(r -> r.path().equals(path)).findFirst()
                .orElseThrow(() -> new Problem.NotFound("no file '" + path + "' in the base rules of " + platform)).content();
    }

    /** One table of the live base as a workbook generated from its schema. */
    public TableViews.Download tableFile(Principal caller, String platform, String table, String format) {
        inPlatform(caller, platform, tx -> null);
        return TableViews.download(base.load(platform), table, format);
    }

    /** Validates (compiled over the shipped files) and stores a new draft version. */
    public RuleSetService.VersionView createVersion(Principal caller, String platform, List<RuleSetService.Upload> uploads, String comment) {
        return createVersion(caller, platform, uploads, List.of(), comment);
    }

    /**
     * Creates a base version on top of the active one: the active version's files stay unless a
     * file of this upload is the same table (kind and name, any format or letter case) or
     * {@code remove} names it, so a version that carries one table keeps what earlier ones changed.
     */
    public RuleSetService.VersionView createVersion(Principal caller, String platform, List<RuleSetService.Upload> uploads,
                                                    List<String> remove, String comment) {
        List<RuleSetStore.StoredFile> active = inPlatform(caller, platform,
                tx -> store.active(tx, platform).map(v -> store.files(tx, platform, v.version())).orElse(List.of()));
        List<RuleSetStore.StoredFile> files = layered(active, uploads.isEmpty() && !remove.isEmpty() ? List.of() : RuleSetService.checkUploads(uploads), remove);
        if (comment != null && comment.length() > 2000) throw new Problem.Invalid("comment", "must have at most 2000 characters");
        List<RuleResource> rules = base.combine(platform, files);
        CompiledRuleSet set = RuleSetService.compileWithScenarios("platform " + platform, files, () -> registry.compileBase(platform, rules));
        set.dispose();
        String checksum = RuleSetCompiler.checksum(files.stream().map(f -> new RuleResource(f.path(), f.content())).toList());
        RuleSetStore.Version v = inPlatform(caller, platform, tx -> {
            store.lockPlatform(tx, platform);
            RuleSetStore.Version created = store.insert(tx, platform, checksum, AuditStore.actor(caller), comment, files);
            audit.recordPlatform(tx, platform, caller, "base_ruleset.version_created", "base_ruleset/v" + created.version(), null,
                    Map.of("version", created.version(), "checksum", checksum, "files", files.stream().map(RuleSetStore.StoredFile::path).toList()));
            return created;
        });
        return RuleSetService.view(v, files, set.ruleCount()).with(TableDiff.between(
                TableLayers.effective(base.combine(platform, active)), TableLayers.effective(rules)));
    }

    /** The active version's files, less those replaced or removed, then the uploaded ones. */
    static List<RuleSetStore.StoredFile> layered(List<RuleSetStore.StoredFile> active, List<RuleSetStore.StoredFile> uploaded, List<String> remove) {
        java.util.Set<String> gone = new java.util.HashSet<>();
        for (RuleSetStore.StoredFile f : uploaded) gone.add(TableSchema.tableName(f.path()));
        List<Problem.Violation> unknown = new java.util.ArrayList<>();
        for (String r : remove) {
            String name = TableSchema.tableName(r.trim());
            if (active.stream().noneMatch(f -> TableSchema.tableName(f.path()).equals(name))) {
                unknown.add(new Problem.Violation("remove", "'" + r + "' is not a file of the active version; only uploaded files can be removed"));
            }
            gone.add(name);
        }
        if (!unknown.isEmpty()) throw new Problem.Invalid(unknown);
        List<RuleSetStore.StoredFile> out = new java.util.ArrayList<>();
        for (RuleSetStore.StoredFile f : active) if (!gone.contains(TableSchema.tableName(f.path()))) out.add(f);
        out.addAll(uploaded);
        if (out.isEmpty()) throw new Problem.Invalid("files", "the version would hold no file; upload at least one");
        return out;
    }

    public List<RuleSetService.VersionView> list(Principal caller, String platform) {
        return inPlatform(caller, platform, tx -> store.list(tx, platform).stream().map(v -> RuleSetService.view(v, List.of(), null)).toList());
    }

    public RuleSetService.VersionView get(Principal caller, String platform, int version) {
        List<RuleSetStore.StoredFile> files = inPlatform(caller, platform, tx -> {
            found(tx, platform, version);
            return store.files(tx, platform, version);
        });
        RuleSetService.VersionView v = inPlatform(caller, platform, tx -> RuleSetService.view(found(tx, platform, version), files, null));
        return v.with(TableViews.of(base.combine(platform, files), path -> TableViews.baseOrigin(path, version)));
    }

    /** What changed from base version {@code from} to {@code to}. */
    public RuleSetDiff.Result diff(Principal caller, String platform, int from, int to) {
        record Read(List<RuleSetStore.StoredFile> a, List<RuleSetStore.StoredFile> b) {}
        Read read = inPlatform(caller, platform, tx -> {
            found(tx, platform, from);
            found(tx, platform, to);
            return new Read(store.files(tx, platform, from), store.files(tx, platform, to));
        });
        return RuleSetDiff.between(from, read.a(), to, read.b()).with(TableDiff.between(
                TableLayers.effective(base.combine(platform, read.a())), TableLayers.effective(base.combine(platform, read.b()))));
    }

    /**
     * Evaluates facts of one of the platform's tenants as they would be decided on base
     * {@code version} (the live base when null) with the tenant's own active rules on top.
     * Nothing is persisted: an analyst tries a base change on real subjects before it goes live.
     */
    public Map<String, Object> dryRun(Principal caller, String platform, UUID tenant, Integer version, com.fasterxml.jackson.databind.JsonNode facts) {
        List<RuleSetStore.StoredFile> files = inPlatform(caller, platform, tx -> {
            if (!store.tenantsOf(tx, platform).contains(tenant)) throw new Problem.Invalid("tenant_id", "is not a tenant of platform " + platform);
            if (version == null) return null;
            found(tx, platform, version);
            return store.files(tx, platform, version);
        });
        var list = ruleSets.dryRunFacts(tenant, facts);
        if (files == null) return ruleSets.evaluateDry(tenant, registry.forTenant(tenant, platform), list);
        List<RuleResource> rules = base.combine(platform, files);
        CompiledRuleSet candidate = registry.compileBase(platform, rules);
        CompiledRuleSet set = candidate;
        try {
            Optional<Overlay> own = overlays.activeOverlay(tenant);
            if (own.isPresent()) set = registry.compileOverlayOn(rules, candidate, tenant, own.get().version(), own.get().rules());
            return ruleSets.evaluateDry(tenant, set, list);
        } finally {
            if (set != candidate) set.dispose();
            candidate.dispose();
        }
    }

    /** A tenant whose active rule set does not compile on a candidate base. */
    public record BrokenTenant(UUID tenantId, int version, List<RuleSetInvalid.Error> errors) {}

    /**
     * Compiles the new base, runs the version's scenarios, recompiles every tenant's active rule
     * set on it; only when all pass is it stored active, swapped in and announced to every process.
     */
    public RuleSetService.Activation activate(Principal caller, String platform, int version) {
        List<RuleSetStore.StoredFile> files = inPlatform(caller, platform, tx -> {
            found(tx, platform, version);
            return store.files(tx, platform, version);
        });
        return switchTo(caller, platform, Optional.of(version), files);
    }

    /** Puts the platform back on its shipped files only, with the same checks as an activation. */
    public RuleSetService.Activation deactivate(Principal caller, String platform) {
        inPlatform(caller, platform, tx -> null);
        return switchTo(caller, platform, Optional.empty(), List.of());
    }

    private RuleSetService.Activation switchTo(Principal caller, String platform, Optional<Integer> version, List<RuleSetStore.StoredFile> files) {
        List<RuleResource> rules = base.combine(platform, files);
        CompiledRuleSet set = registry.compileBase(platform, rules);
        try {
            List<ScenarioRunner.Result> results = scenarios.run(set, RuleSetService.scenariosOf(files));
            RuleSetService.requirePassed(results, "the current base");
            record Committed(RuleSetStore.Version version, long generation) {}
            Committed c = inPlatform(caller, platform, tx -> {
                // Held to the commit: no tenant activation of the platform can land between the check and the switch.
                base.lock(tx, platform, true);
                List<BrokenTenant> broken = brokenTenants(tx, platform, rules, set);
                if (!broken.isEmpty()) {
                    throw new Problem.Unprocessable("Tenant rule sets would break", broken.size()
                            + " tenant rule set(s) do not compile or fail their scenarios on this base; fix or deactivate them first. The current base keeps serving",
                            Map.of("tenants", broken));
                }
                store.lockPlatform(tx, platform);
                Optional<RuleSetStore.Version> before = store.active(tx, platform);
                long generation = store.activate(tx, platform, version);
                Map<String, Object> was = new LinkedHashMap<>();
                was.put("active_version", before.<Object>map(RuleSetStore.Version::version).orElse("shipped files"));
                audit.recordPlatform(tx, platform, caller, version.isPresent() ? "base_ruleset.activated" : "base_ruleset.deactivated",
                        "base_ruleset" + version.map(n -> "/v" + n).orElse(""), was,
                        Map.of("active_version", version.<Object>map(n -> n).orElse("shipped files"), "rule_set_version", set.version()));
                store.notifyChange(tx, platform, generation);
                return new Committed(version.map(n -> store.find(tx, platform, n).orElseThrow()).orElse(null), generation);
            });
            RuleSetStore.Version v = c.version();
            registry.installPlatform(platform, rules, set, c.generation());
            baseChanged.accept(platform);
            RuleSetService.VersionView view = v == null ? null : RuleSetService.view(v, files, set.ruleCount());
            return new RuleSetService.Activation(view, results);
        } catch (RuntimeException e) {
            set.dispose();
            throw e;
        }
    }

    /** Every tenant of the platform with an active version, compiled on the candidate base. */
    private List<BrokenTenant> brokenTenants(DSLContext tx, String platform, List<RuleResource> rules, CompiledRuleSet set) {
        List<UUID> tenants = store.tenantsOf(tx, platform);
        List<BrokenTenant> broken = new ArrayList<>();
        for (UUID t : tenants) {
            Optional<Overlay> overlay = overlays.activeOverlay(t);
            if (overlay.isEmpty()) continue;
            try {
                CompiledRuleSet tenantSet = registry.compileOverlayOn(rules, set, t, overlay.get().version(), overlay.get().rules());
                // The tenant's own scenarios must still pass on the new base, as they must when the tenant activates.
                List<RuleSetInvalid.Error> failed = scenarios.run(tenantSet, ruleSets.activeScenarios(t)).stream()
                        .filter(r -> !r.passed())
                        .map(r -> RuleSetInvalid.Error.inFile(r.file(), "scenario '" + r.name() + "' fails on this base: " + String.join("; ", r.failures())))
                        .toList();
                tenantSet.dispose();
                if (!failed.isEmpty()) broken.add(new BrokenTenant(t, overlay.get().version(), failed));
            } catch (RuleSetInvalid e) {
                broken.add(new BrokenTenant(t, overlay.get().version(), e.errors()));
            }
        }
        return broken;
    }

    /**
     * Reloads a platform's base after a process (this one included) switched it to
     * {@code generation}; nothing to do when this node serves that generation or a newer one.
     */
    public void reloadPlatform(String platform, long generation) {
        if (generation > 0 && registry.platformGeneration(platform) >= generation) return;
        PlatformBaseRules.Snapshot snapshot = base.snapshot(platform);
        registry.installPlatform(platform, snapshot.rules(), registry.compileBase(platform, snapshot.rules()), snapshot.generation());
    }

    private RuleSetStore.Version found(DSLContext tx, String platform, int version) {
        return store.find(tx, platform, version).orElseThrow(() -> new Problem.NotFound("no base rule set version " + version + " of " + platform));
    }

    private <T> T inPlatform(Principal caller, String platform, Function<DSLContext, T> work) {
        return PlatformScope.inPlatform(scope, caller, platform, "only a platform admin manages a platform's base rules", work);
    }
}
