package dev.thrillring.rulesets;

import dev.thrillring.engine.authoring.TableSchema;
import com.fasterxml.jackson.databind.JsonNode;
import dev.thrillring.audit.AuditStore;
import dev.thrillring.auth.Principal;
import dev.thrillring.auth.Role;
import dev.thrillring.db.TenantScope;
import dev.thrillring.engine.CompiledRuleSet;
import dev.thrillring.engine.Evaluation;
import dev.thrillring.engine.RuleEngine;
import dev.thrillring.engine.RuleResource;
import dev.thrillring.engine.RuleSetCompiler;
import dev.thrillring.engine.RuleSetInvalid;
import dev.thrillring.engine.RuleSetRegistry;
import dev.thrillring.engine.Scenario;
import dev.thrillring.engine.ScenarioRunner;
import dev.thrillring.engine.authoring.TableDiff;
import dev.thrillring.engine.authoring.TableLayers;
import dev.thrillring.engine.model.Fact;
import dev.thrillring.engine.model.Outcome;
import dev.thrillring.engine.model.SubjectState;
import dev.thrillring.decisions.FactParser;
import dev.thrillring.problems.Problem;
import dev.thrillring.subjects.SubjectStore;
import dev.thrillring.tenants.TenantService;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A tenant's rule set versions: upload (validated, then stored immutable), activation (compiled
 * and its scenarios run before it goes live, then swapped in and announced to every process),
 * rollback, diff, dry runs and the audit trail.
 */
public final class RuleSetService {
    static final int MAX_DRY_RUN_FACTS = 100;
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final Set<Role> AUTHORS = Set.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST);
    private static final Set<Role> ACTIVATORS = Set.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN);

    private final TenantScope scope;
    private final TenantService tenants;
    private final RuleSetRegistry registry;
    private final RuleEngine engine;
    private final ScenarioRunner scenarios;
    private final RuleSetStore store = new RuleSetStore();
    private final AuditStore audit = new AuditStore();
    private final SubjectStore subjects = new SubjectStore();
    private final FactParser facts = new FactParser(Clock.systemUTC());
    private final PlatformBaseRules bases;

    public RuleSetService(TenantScope scope, TenantService tenants, RuleSetRegistry registry, RuleEngine engine, PlatformBaseRules bases) {
        this.bases = bases;
        this.scope = scope;
        this.tenants = tenants;
        this.registry = registry;
        this.engine = engine;
        this.scenarios = new ScenarioRunner(engine);
        engine.onOverrun(new OverlaySuspension(this));
    }

    /** One uploaded file. */
    public record Upload(String name, byte[] content) {}

    /** A stored file as listed: never its content. */
    public record FileInfo(String path, String kind, int bytes) {}

    /**
     * A version with its files and, after a build, its rule count. Read alone it lists its tables
     * row by row with each row's origin; uploaded, it shows what its tables change against the
     * active version and warns when a table loses many rows.
     */
    public record VersionView(int version, String checksum, String author, String comment, String status,
                              java.time.OffsetDateTime createdAt, java.time.OffsetDateTime activatedAt,
                              List<FileInfo> files, Integer ruleCount, List<TableViews.TableView> tables,
                              TableDiff.Result changes, List<String> warnings) {
        VersionView with(List<TableViews.TableView> tables) {
            return new VersionView(version, checksum, author, comment, status, createdAt, activatedAt, files, ruleCount, tables, changes, warnings);
        }

        VersionView with(TableDiff.Result changes) {
            return new VersionView(version, checksum, author, comment, status, createdAt, activatedAt, files, ruleCount, tables, changes,
                    changes.warnings());
        }
    }

    /** An activation: the version now live and the scenarios it passed. */
    public record Activation(VersionView version, List<ScenarioRunner.Result> scenarios) {}

    /** Validates and stores a new draft version; nothing is stored when any file is wrong. */
    public VersionView createVersion(Principal caller, UUID tenant, List<Upload> uploads, String comment) {
        caller.require(tenant, AUTHORS, "upload rule sets");
        String platform = platformOf(tenant);
        List<RuleSetStore.StoredFile> files = checkUploads(uploads);
        if (comment != null && comment.length() > 2000) throw new Problem.Invalid("comment", "must have at most 2000 characters");
        Build build = build(tenant, platform, 0, files);
        build.set.dispose();
        String checksum = RuleSetCompiler.checksum(files.stream().map(f -> new RuleResource(f.path(), f.content())).toList());
        RuleSetStore.Version v = scope.inTenant(tenant, tx -> {
            store.lockTenant(tx, tenant);
            int n = store.nextVersion(tx, tenant);
            RuleSetStore.Version created = store.insert(tx, tenant, n, checksum, dev.thrillring.audit.AuditStore.actor(caller), comment, files);
            audit.record(tx, tenant, caller, "ruleset.version_created", "ruleset/v" + n, null,
                    Map.of("version", n, "checksum", checksum, "files", files.stream().map(RuleSetStore.StoredFile::path).toList()));
            return created;
        });
        return view(v, files, build.set.ruleCount()).with(changesFromActive(tenant, platform, files));
    }

    /** What {@code files} change in the tenant's tables against its active version (or its platform base). */
    private TableDiff.Result changesFromActive(UUID tenant, String platform, List<RuleSetStore.StoredFile> files) {
        List<RuleResource> base = bases.snapshot(platform).rules();
        List<RuleSetStore.StoredFile> active = scope.inTenant(tenant, tx -> store.active(tx, tenant)
                .map(a -> store.files(tx, tenant, a.version())).orElse(List.of()));
        return TableDiff.between(TableLayers.effective(plus(base, overlayRules(active))), TableLayers.effective(plus(base, overlayRules(files))));
    }

    private static List<RuleResource> plus(List<RuleResource> a, List<RuleResource> b) {
        List<RuleResource> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** Compiles the version, runs its scenarios and, when all pass, makes it the tenant's live rule set. */
    public Activation activate(Principal caller, UUID tenant, int version) {
        caller.require(tenant, ACTIVATORS, "activate rule sets");
        String platform = platformOf(tenant);
        List<RuleSetStore.StoredFile> files = scope.inTenant(tenant, tx -> {
            store.find(tx, tenant, version).orElseThrow(() -> new Problem.NotFound("no rule set version " + version));
            return store.files(tx, tenant, version);
        });
        // Compiled on the base as the database has it, and committed only if that base is still the one
        // served: a base activation in between would not have checked this version.
        PlatformBaseRules.Snapshot base = bases.snapshot(platform);
        Build build = build(tenant, base, version, files);
        List<ScenarioRunner.Result> results = scenarios.run(build.set, build.scenarios);
        if (!results.stream().allMatch(ScenarioRunner.Result::passed)) build.set.dispose();
        requirePassed(results, "the active version");
        record Committed(RuleSetStore.Version version, long generation) {}
        Committed v;
        try {
            v = scope.inTenant(tenant, tx -> {
                store.lockTenant(tx, tenant);
                bases.lock(tx, platform, false);
                if (!bases.identity(tx, platform).equals(base.identity())) {
                    throw new Problem.Conflict("version", "the platform's base rules changed while version " + version
                            + " was being checked; activate it again");
                }
                Optional<RuleSetStore.Version> before = store.active(tx, tenant);
                long generation = store.activate(tx, tenant, version);
                audit.record(tx, tenant, caller, "ruleset.activated", "ruleset/v" + version,
                        before.map(b -> Map.of("active_version", b.version())).orElse(null), Map.of("active_version", version));
                store.notifyChange(tx, tenant, generation);
                return new Committed(store.find(tx, tenant, version).orElseThrow(), generation);
            });
        } catch (RuntimeException e) {
            build.set.dispose();
            throw e;
        }
        // Refused (and freed) when a later activation was installed first: that one is the active one.
        registry.install(tenant, platform, Optional.of(build.set), v.generation());
        return new Activation(view(v.version(), files, build.set.ruleCount()), results);
    }

    /**
     * Stores and activates a new version in one step, for rule files the service generates
     * (custom achievements): authors may do this without an admin, because the content comes
     * from a validated form, not from free rule code.
     */
    public Activation publishGenerated(Principal caller, UUID tenant, List<Upload> uploads, String comment) {
        VersionView v = createVersion(caller, tenant, uploads, comment);
        return activate(Principal.system(caller), tenant, v.version());
    }

    /** The files of the tenant's active version (none while it runs on its platform base). */
    public List<Upload> activeFiles(UUID tenant) {
        return scope.inTenant(tenant, tx -> store.active(tx, tenant)
                .map(v -> store.files(tx, tenant, v.version()).stream().map(f -> new Upload(f.path(), f.content())).toList())
                .orElse(List.of()));
    }

    /** Activates {@code toVersion}, or the version that was active before the current one. */
    public Activation rollback(Principal caller, UUID tenant, Integer toVersion) {
        caller.require(tenant, ACTIVATORS, "roll back rule sets");
        int target = toVersion != null ? toVersion : scope.inTenant(tenant, tx -> store.previouslyActive(tx, tenant))
                .orElseThrow(() -> new Problem.Conflict("to_version", "there is no earlier active version to roll back to"))
                .version();
        return activate(caller, tenant, target);
    }

    /** Puts the tenant back on its platform's base rules. */
    public void deactivate(Principal caller, UUID tenant) {
        caller.require(tenant, ACTIVATORS, "deactivate rule sets");
        String platform = platformOf(tenant);
        Long generation = scope.inTenant(tenant, tx -> {
            store.lockTenant(tx, tenant);
            Optional<RuleSetStore.Version> before = store.active(tx, tenant);
            if (before.isEmpty()) return null; // already on the platform base: nothing changed, nothing to audit
            long g = store.deactivate(tx, tenant);
            audit.record(tx, tenant, caller, "ruleset.deactivated", "ruleset",
                    Map.of("active_version", before.get().version()), Map.of("active_version", "platform base"));
            store.notifyChange(tx, tenant, g);
            return g;
        });
        if (generation != null) registry.install(tenant, platform, Optional.empty(), generation);
    }

    /**
     * Suspends a tenant's own rules: puts the tenant back on its platform's base (as deactivating
     * does), with an audit entry and a {@code ruleset.suspended} event, so an overlay that keeps
     * overrunning its deadline cannot degrade other tenants. An admin re-activates a fixed version.
     */
    public void suspend(UUID tenant, String reason) {
        String platform = platformOf(tenant);
        Principal service = new Principal("thrillring", dev.thrillring.auth.Role.TENANT_ADMIN, Optional.of(tenant),
                Optional.empty(), t -> Optional.empty(), null);
        Long suspended = scope.inTenant(tenant, tx -> {
            store.lockTenant(tx, tenant);
            Optional<RuleSetStore.Version> before = store.active(tx, tenant);
            if (before.isEmpty()) return null;
            long generation = store.deactivate(tx, tenant);
            audit.record(tx, tenant, service, "ruleset.suspended", "ruleset",
                    Map.of("active_version", before.get().version()), Map.of("active_version", "platform base", "reason", reason));
            dev.thrillring.events.EventLog.append(tx, dev.thrillring.events.Event.of(tenant, "ruleset.suspended", null, java.time.Instant.now(),
                    Map.of("version", before.get().version(), "reason", reason, "platform", platform)));
            store.notifyChange(tx, tenant, generation);
            return generation;
        });
        if (suspended != null) registry.install(tenant, platform, Optional.empty(), suspended);
    }

    public List<VersionView> list(Principal caller, UUID tenant) {
        caller.requireTenant(tenant);
        return scope.inTenant(tenant, tx -> store.list(tx, tenant).stream().map(v -> view(v, List.of(), null)).toList());
    }

    public VersionView get(Principal caller, UUID tenant, int version) {
        caller.requireTenant(tenant);
        String platform = platformOf(tenant);
        record Read(VersionView view, List<RuleSetStore.StoredFile> files) {}
        Read read = scope.inTenant(tenant, tx -> {
            RuleSetStore.Version v = store.find(tx, tenant, version).orElseThrow(() -> new Problem.NotFound("no rule set version " + version));
            List<RuleSetStore.StoredFile> files = store.files(tx, tenant, version);
            return new Read(view(v, files, null), files);
        });
        return read.view().with(tables(platform, version, read.files()));
    }

    /** The tenant's tables with {@code files} over the platform's live base, each row with its origin. */
    List<TableViews.TableView> tables(String platform, int version, List<RuleSetStore.StoredFile> files) {
        PlatformBaseRules.Snapshot base = bases.snapshot(platform);
        Integer platformVersion = TableViews.platformVersion(base.identity());
        Set<String> own = new HashSet<>();
        files.forEach(f -> own.add(f.path()));
        return TableViews.of(plus(base.rules(), overlayRules(files)),
                path -> own.contains(path) ? "tenant v" + version : TableViews.baseOrigin(path, platformVersion));
    }

    /**
     * One of the tenant's tables as a generated workbook: {@code base} the platform's rows only
     * (what analysts build on), else the rows the tenant is served (its active version over the base).
     */
    public TableViews.Download tableFile(Principal caller, UUID tenant, String table, String format, boolean base) {
        caller.requireTenant(tenant);
        String platform = platformOf(tenant);
        List<RuleResource> rules = new ArrayList<>(bases.snapshot(platform).rules());
        if (!base) {
            rules.addAll(overlayRules(scope.inTenant(tenant, tx -> store.active(tx, tenant)
                    .map(v -> store.files(tx, tenant, v.version())).orElse(List.of()))));
        }
        return TableViews.download(rules, table, format);
    }

    /** The tenant's tables as it is served now (its active version over the live base), each row with its origin. */
    public List<TableViews.TableView> activeTables(Principal caller, UUID tenant) {
        caller.requireTenant(tenant);
        String platform = platformOf(tenant);
        var active = scope.inTenant(tenant, tx -> store.active(tx, tenant).map(v -> java.util.Map.entry(v.version(), store.files(tx, tenant, v.version()))));
        return active.map(a -> tables(platform, a.getKey(), a.getValue())).orElseGet(() -> tables(platform, 0, List.of()));
    }

    /** The content of one file of a version. */
    public byte[] file(Principal caller, UUID tenant, int version, String path) {
        caller.requireTenant(tenant);
        return scope.inTenant(tenant, tx -> store.files(tx, tenant, version)).stream()
                .filter(f -> f.path().equals(path)).findFirst()
                .orElseThrow(() -> new Problem.NotFound("no file '" + path + "' in version " + version)).content();
    }

    /** What changed from version {@code from} to version {@code to}. */
    public RuleSetDiff.Result diff(Principal caller, UUID tenant, int from, int to) {
        caller.requireTenant(tenant);
        String platform = platformOf(tenant);
        record Read(List<RuleSetStore.StoredFile> a, List<RuleSetStore.StoredFile> b) {}
        Read read = scope.inTenant(tenant, tx -> {
            for (int v : new int[]{from, to}) {
                if (store.find(tx, tenant, v).isEmpty()) throw new Problem.NotFound("no rule set version " + v);
            }
            return new Read(store.files(tx, tenant, from), store.files(tx, tenant, to));
        });
        List<RuleResource> base = bases.snapshot(platform).rules();
        return RuleSetDiff.between(from, read.a(), to, read.b()).with(TableDiff.between(
                TableLayers.effective(plus(base, overlayRules(read.a()))), TableLayers.effective(plus(base, overlayRules(read.b())))));
    }

    /** The tenant's audit trail, newest first. */
    public List<AuditStore.Entry> auditLog(Principal caller, UUID tenant, int limit) {
        caller.require(tenant, Set.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST), "read the audit log");
        return scope.inTenant(tenant, tx -> audit.latest(tx, tenant, limit));
    }

    /** One fact of a dry run and what the rules decided about it. */
    public record DryRunResult(String type, String userId, List<String> firedRules, List<Outcome> outcomes) {}

    /**
     * Evaluates facts against the active rule set or a stored version, starting from each subject's
     * stored state and carrying metric changes from one fact to the next. Nothing is persisted.
     */
    public Map<String, Object> dryRun(Principal caller, UUID tenant, Integer version, JsonNode factsJson) {
        caller.require(tenant, AUTHORS, "dry-run rule sets");
        String platform = platformOf(tenant);
        List<Fact> list = dryRunFacts(tenant, factsJson);
        Build build = null;
        CompiledRuleSet set;
        if (version == null) {
            set = registry.forTenant(tenant, platform);
        } else {
            List<RuleSetStore.StoredFile> files = scope.inTenant(tenant, tx -> {
                store.find(tx, tenant, version).orElseThrow(() -> new Problem.NotFound("no rule set version " + version));
                return store.files(tx, tenant, version);
            });
            build = build(tenant, platform, version, files);
            set = build.set;
        }
        try {
            return evaluateDry(tenant, set, list);
        } finally {
            if (build != null) build.set.dispose();
        }
    }

    /** Parses a dry run's facts for {@code tenant} (at most {@link #MAX_DRY_RUN_FACTS}). */
    List<Fact> dryRunFacts(UUID tenant, JsonNode factsJson) {
        return facts.parseDryRun(factsJson, tenant, MAX_DRY_RUN_FACTS);
    }

    /** Evaluates {@code list} against {@code set} from each subject's stored state, carrying changes along; writes nothing. */
    Map<String, Object> evaluateDry(UUID tenant, CompiledRuleSet set, List<Fact> list) {
        Map<String, SubjectState> states = new HashMap<>();
        List<DryRunResult> results = new ArrayList<>();
        for (Fact f : list) {
            SubjectState state = states.computeIfAbsent(String.valueOf(f.getUserId()),
                    u -> scope.inTenant(tenant, tx -> subjects.load(tx, tenant, f.getUserId(), f.getOccurredAt())));
            Evaluation e = engine.evaluate(set, f, state);
            results.add(new DryRunResult(f.getType(), f.getUserId(), e.firedRules(), e.outcomes()));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rule_set_version", set.version());
        out.put("persisted", false);
        out.put("results", results);
        return out;
    }

    private record Build(CompiledRuleSet set, List<Scenario> scenarios) {}

    /** Compiles base + the version's rule files and reads its scenarios; all errors at once. */
    private Build build(UUID tenant, String platform, int version, List<RuleSetStore.StoredFile> files) {
        List<RuleResource> rules = overlayRules(files);
        return new Build(compileWithScenarios("tenant " + tenant, files, () -> registry.compileOverlay(tenant, platform, version, rules)),
                scenariosOf(files));
    }

    /** As above, on the base of {@code snapshot} rather than the one this node has loaded. */
    private Build build(UUID tenant, PlatformBaseRules.Snapshot snapshot, int version, List<RuleSetStore.StoredFile> files) {
        List<RuleResource> rules = overlayRules(files);
        String label = RuleSetRegistry.baseLabel(tenants.requirePlatformOf(tenant), snapshot.rules());
        return new Build(compileWithScenarios("tenant " + tenant, files,
                () -> registry.compileOverlayOn(snapshot.rules(), label, tenant, version, rules)), scenariosOf(files));
    }

    private static List<RuleResource> overlayRules(List<RuleSetStore.StoredFile> files) {
        return files.stream().filter(f -> !f.kind().equals("scenario")).map(f -> new RuleResource(f.path(), f.content())).toList();
    }

    /**
     * Runs {@code compile} and parses the scenario files beside it, reporting the errors of both
     * at once: an author fixes everything in one round.
     */
    static CompiledRuleSet compileWithScenarios(String what, List<RuleSetStore.StoredFile> files,
                                                java.util.function.Supplier<CompiledRuleSet> compile) {
        List<RuleSetInvalid.Error> errors = new ArrayList<>();
        for (RuleSetStore.StoredFile f : files) {
            if (!f.kind().equals("scenario")) continue;
            try {
                Scenario.parse(f.path(), f.content());
            } catch (RuleSetInvalid e) {
                errors.addAll(e.errors());
            }
        }
        CompiledRuleSet set;
        try {
            set = compile.get();
        } catch (RuleSetInvalid e) {
            errors.addAll(0, e.errors());
            throw new RuleSetInvalid(what, errors);
        }
        if (!errors.isEmpty()) {
            set.dispose();
            throw new RuleSetInvalid(what, errors);
        }
        return set;
    }

    /** Refuses an activation whose scenarios did not all pass; {@code serving} keeps serving. */
    static void requirePassed(List<ScenarioRunner.Result> results, String serving) {
        if (results.stream().allMatch(ScenarioRunner.Result::passed)) return;
        throw new Problem.Unprocessable("Scenarios failed", results.stream().filter(r -> !r.passed()).count()
                + " of " + results.size() + " scenarios failed; " + serving + " keeps serving", Map.of("scenarios", results));
    }

    /** The scenarios of the tenant's active version; none when it runs on its platform's base. */
    List<Scenario> activeScenarios(UUID tenant) {
        return scope.inTenant(tenant, tx -> store.active(tx, tenant).map(v -> scenariosOf(store.files(tx, tenant, v.version()))).orElse(List.of()));
    }

    /** The scenarios of a stored version (already checked when it was uploaded). */
    static List<Scenario> scenariosOf(List<RuleSetStore.StoredFile> files) {
        List<Scenario> found = new ArrayList<>();
        for (RuleSetStore.StoredFile f : files) {
            if (f.kind().equals("scenario")) found.addAll(Scenario.parse(f.path(), f.content()));
        }
        return found;
    }

    static List<RuleSetStore.StoredFile> checkUploads(List<Upload> uploads) {
        if (uploads.isEmpty()) throw new Problem.Invalid("files", "upload at least one file (DRL, decision table or scenario)");
        List<Problem.Violation> errors = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<RuleSetStore.StoredFile> files = new ArrayList<>();
        for (Upload u : uploads) {
            String name = u.name() == null ? "" : u.name();
            String field = "files[" + name + "]";
            if (!FILE_NAME.matcher(name).matches()) {
                errors.add(new Problem.Violation(field, "file names hold 1 to 100 of A-Z, a-z, 0-9, '.', '_', '-' and no folders"));
                continue;
            }
            if (!names.add(TableSchema.tableName(name))) errors.add(new Problem.Violation(field, "is uploaded twice (one table in two formats or letter cases counts once)"));
            String kind = kindOf(name);
            if (kind == null) {
                errors.add(new Problem.Violation(field, "must end in .drl, .drl.csv, .drl.xlsx, .drl.xls, .drl.ods or .scenario.json"));
                continue;
            }
            files.add(new RuleSetStore.StoredFile(name, kind, u.content()));
        }
        if (!errors.isEmpty()) throw new Problem.Invalid(errors);
        return files;
    }

    private static String kindOf(String name) {
        if (Scenario.isScenarioFile(name)) return "scenario";
        if (!RuleResource.isRuleFile(name)) return null;
        return new RuleResource(name, new byte[0]).kind().name().toLowerCase(Locale.ROOT);
    }

    private String platformOf(UUID tenant) {
        return tenants.platformOf(tenant).orElseThrow(() -> new Problem.NotFound("no tenant " + tenant));
    }



    static VersionView view(RuleSetStore.Version v, List<RuleSetStore.StoredFile> files, Integer rules) {
        return new VersionView(v.version(), v.checksum(), v.author(), v.comment(), v.status(), v.createdAt(), v.activatedAt(),
                files.stream().map(f -> new FileInfo(f.path(), f.kind(), f.content().length)).toList(), rules, null, null, List.of());
    }

    /**
     * Reloads a tenant's rule set after a process (this one included) changed it to
     * {@code generation}; nothing to do when this node serves that generation or a newer one.
     */
    public void reloadTenant(UUID tenant, long generation) {
        if (generation > 0 && registry.generation(tenant) >= generation) return;
        tenants.platformOf(tenant).ifPresent(p -> registry.refresh(tenant, p));
    }
}
