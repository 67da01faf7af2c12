package dev.thrillring.engine;

import dev.thrillring.engine.model.Fact;
import dev.thrillring.engine.model.SubjectState;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Which compiled rule set serves which tenant. Each platform has a base compiled from the shipped
 * files; a tenant with an active overlay gets base + overlay compiled into a container of its
 * own, built on first use and swapped whole on activation. Tenants without an overlay share their
 * platform's base. Replaced containers are disposed after a grace period, so evaluations in flight
 * finish on the rule set they started with.
 *
 * <p>Swaps are ordered by activation generation (a number the database hands out in commit order):
 * a tenant's or platform's rule set is installed only if its generation is at least the newest one
 * this node has seen for it, so a swap that arrives late never replaces a newer one.
 */
public final class RuleSetRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RuleSetRegistry.class);
    /** Evaluations take milliseconds; a replaced rule set is kept this long before it is freed. */
    static final long DISPOSE_AFTER_MS = 10_000;

    private final RuleSetCompiler compiler;
    private final BaseRules files;
    private final RuleEngine engine;
    private final Overlay.Source overlays;
    private final int maxOverlays;
    private final Map<String, Base> platforms = new ConcurrentHashMap<>();
    private final Map<UUID, CompletableFuture<TenantRules>> tenants = new ConcurrentHashMap<>();
    /** The newest activation generation seen per tenant and per platform; kept when a rule set is evicted. */
    private final Map<UUID, Long> generations = new ConcurrentHashMap<>();
    private final Map<String, Long> platformGenerations = new ConcurrentHashMap<>();
    private final ScheduledExecutorService disposer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rule-set-disposer");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean ready;

    private record Base(List<RuleResource> rules, CompiledRuleSet set) {}

    /** A tenant's rule set: its own overlay build, or empty to use the platform base. */
    private static final class TenantRules {
        final String platform;
        final Optional<CompiledRuleSet> overlay;
        final long generation;
        volatile long lastUsed = System.nanoTime();

        TenantRules(String platform, Optional<CompiledRuleSet> overlay, long generation) {
            this.platform = platform;
            this.overlay = overlay;
            this.generation = generation;
        }
    }

    public RuleSetRegistry(RuleSetCompiler compiler, BaseRules files, RuleEngine engine,
                           Overlay.Source overlays, int maxOverlays, MeterRegistry registry) {
        this.compiler = compiler;
        this.files = files;
        this.engine = engine;
        this.overlays = overlays;
        this.maxOverlays = maxOverlays;
        registry.gauge("thrillring.rules.overlays.loaded", tenants, t -> t.values().stream()
                .filter(f -> f.isDone() && !f.isCompletedExceptionally() && f.join().overlay.isPresent()).count());
    }

    /** Compiles every platform's base rules; fails on the first one that does not compile. */
    public void loadPlatforms(Collection<String> names) {
        // Platforms compile independently, so a cold start waits for the slowest one, not the sum.
        int threads = Math.max(1, Math.min(names.size(), Runtime.getRuntime().availableProcessors()));
        var pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "platform-compile");
            t.setDaemon(true);
            return t;
        });
        try {
            List<CompletableFuture<Void>> jobs = names.stream()
                    .map(p -> CompletableFuture.runAsync(() -> loadPlatform(p), pool)).toList();
            for (CompletableFuture<Void> job : jobs) {
                try {
                    job.join();
                } catch (CompletionException e) {
                    if (e.getCause() instanceof RuntimeException r) throw r;
                    throw e;
                }
            }
        } finally {
            pool.shutdownNow();
        }
        ready = true;
    }

    private void loadPlatform(String platform) {
        long t0 = System.nanoTime();
        List<RuleResource> rules = files.load(platform);
        installPlatform(platform, rules, compileBase(platform, rules));
        log.info("rule set {} loaded: {} rules in {} ms", platformBase(platform).version(), platformBase(platform).ruleCount(),
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** Compiles a platform's base from its files again and swaps it in; tenant overlays rebuild on next use. */
    public synchronized void reloadPlatform(String platform) {
        loadPlatform(platform);
    }

    /** Compiles a candidate base for {@code platform} without installing it. */
    public CompiledRuleSet compileBase(String platform, List<RuleResource> rules) {
        return compiler.compile("platform-" + platform, baseLabel(platform, rules), rules);
    }

    /** Compiles a tenant overlay on a candidate base (to check an activation breaks no tenant). */
    public CompiledRuleSet compileOverlayOn(List<RuleResource> base, CompiledRuleSet baseSet, UUID tenant, int version, List<RuleResource> overlay) {
        return compileOverlayOn(base, baseSet.version(), tenant, version, overlay);
    }

    /** Compiles a tenant overlay on base rules as given (read fresh from the database and files). */
    public CompiledRuleSet compileOverlayOn(List<RuleResource> base, String baseLabel, UUID tenant, int version, List<RuleResource> overlay) {
        List<RuleResource> all = new ArrayList<>(base);
        all.addAll(overlay);
        return compiler.compile("tenant-" + tenant, baseLabel + "+v" + version, all);
    }

    /**
     * Swaps in a platform's base activated at {@code generation}, unless this node already serves a
     * newer one (then {@code set} is freed and false returned).
     */
    public synchronized boolean installPlatform(String platform, List<RuleResource> rules, CompiledRuleSet set, long generation) {
        if (generation < platformGeneration(platform)) {
            log.info("base of {} at generation {} not installed: generation {} is served", platform, generation, platformGeneration(platform));
            disposeLater(set);
            return false;
        }
        platformGenerations.put(platform, generation);
        installPlatform(platform, rules, set);
        return true;
    }

    /** The newest activation generation of the platform's base this node has installed (0: none known). */
    public long platformGeneration(String platform) { return platformGenerations.getOrDefault(platform, 0L); }

    /** The newest activation generation of the tenant's rule set this node has seen (0: none known). */
    public long generation(UUID tenant) { return generations.getOrDefault(tenant, 0L); }

    /** Swaps in a platform's new base; tenant overlays of the platform rebuild on next use. */
    public synchronized void installPlatform(String platform, List<RuleResource> rules, CompiledRuleSet set) {
        warmUp(set);
        Base old = platforms.put(platform, new Base(rules, set));
        if (old != null) {
            disposeLater(old.set);
            invalidatePlatform(platform);
        }
    }

    public boolean ready() { return ready; }

    /** The files of the platform's base as compiled and installed (what its catalogue must be read from). */
    public List<RuleResource> platformRules(String platform) { return base(platform).rules; }

    /** The platform's base rule set. */
    public CompiledRuleSet platformBase(String platform) { return base(platform).set; }

    /** The rule set that decides facts of {@code tenant}, building its overlay on first use. */
    public CompiledRuleSet forTenant(UUID tenant, String platform) {
        CompletableFuture<TenantRules> entry = tenants.get(tenant);
        if (entry == null) {
            CompletableFuture<TenantRules> mine = new CompletableFuture<>();
            entry = tenants.putIfAbsent(tenant, mine);
            if (entry == null) {
                entry = mine;
                try {
                    TenantRules loaded = load(tenant, platform);
                    mine.complete(loaded);
                    synchronized (this) {
                        if (loaded.generation < generation(tenant)) tenants.remove(tenant, mine); // read before a newer activation
                        else generations.put(tenant, loaded.generation);
                    }
                    // An activation may have installed a newer set while this one compiled.
                    if (tenants.get(tenant) != mine) loaded.overlay.ifPresent(this::disposeLater);
                } catch (RuntimeException e) {
                    tenants.remove(tenant, mine);
                    mine.completeExceptionally(e);
                    throw e;
                }
            }
        }
        TenantRules rules;
        try {
            rules = entry.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
        rules.lastUsed = System.nanoTime();
        return rules.overlay.orElseGet(() -> platformBase(rules.platform));
    }

    /** Loads the tenant's active version again and swaps it in, unless a newer one is served meanwhile. */
    public void refresh(UUID tenant, String platform) {
        TenantRules fresh = load(tenant, platform);
        install(tenant, platform, fresh.overlay, fresh.generation);
    }

    /** Compiles base + overlay for a tenant without installing it (drafts, dry runs, activation). */
    public CompiledRuleSet compileOverlay(UUID tenant, String platform, int version, List<RuleResource> overlay) {
        Base base = base(platform);
        return compileOverlayOn(base.rules, base.set, tenant, version, overlay);
    }

    /** The label a base compiled from {@code rules} carries; overlays on it carry it before {@code +v<n>}. */
    public static String baseLabel(String platform, List<RuleResource> rules) {
        return platform + "@base-" + RuleSetCompiler.checksum(rules).substring(0, 8);
    }

    /**
     * Swaps in the tenant's rule set (or its platform base when {@code set} is empty) activated at
     * {@code generation}, unless this node has seen a newer activation (then {@code set} is freed
     * and false returned).
     */
    public boolean install(UUID tenant, String platform, Optional<CompiledRuleSet> set, long generation) {
        CompletableFuture<TenantRules> old;
        synchronized (this) {
            if (generation < generation(tenant)) {
                log.debug("rule set of {} at generation {} not installed: generation {} is newer", tenant, generation, generation(tenant));
                set.ifPresent(this::disposeLater);
                return false;
            }
            generations.put(tenant, generation);
            old = swap(tenant, platform, set, generation);
        }
        disposeOverlayOf(old);
        evictIfFull();
        return true;
    }

    private CompletableFuture<TenantRules> swap(UUID tenant, String platform, Optional<CompiledRuleSet> set, long generation) {
        if (set.isPresent() && !set.get().version().startsWith(base(platform).set.version() + "+")) {
            // Compiled on a base this node does not serve (it changed meanwhile, or its notice has not
            // arrived): rebuild from the database on next use rather than serve a mix.
            disposeLater(set.get());
            return tenants.remove(tenant);
        }
        set.ifPresent(this::warmUp);
        return tenants.put(tenant, CompletableFuture.completedFuture(new TenantRules(platform, set, generation)));
    }

    /** Forgets a tenant's rule set, so the next fact loads the active version from the database. */
    public void invalidate(UUID tenant) {
        disposeOverlayOf(tenants.remove(tenant));
    }

    /** Forgets every tenant's rule set (after a lost database notification channel). */
    public void invalidateAll() {
        for (UUID t : List.copyOf(tenants.keySet())) invalidate(t);
    }

    private void invalidatePlatform(String platform) {
        tenants.forEach((t, f) -> {
            if (f.isDone() && !f.isCompletedExceptionally() && f.join().platform.equals(platform)) invalidate(t);
        });
    }

    private TenantRules load(UUID tenant, String platform) {
        Overlay.Active active = overlays.active(tenant);
        Optional<Overlay> overlay = active.overlay();
        if (overlay.isEmpty()) return new TenantRules(platform, Optional.empty(), active.generation());
        CompiledRuleSet set = compileOverlay(tenant, platform, overlay.get().version(), overlay.get().rules());
        warmUp(set);
        evictIfFull();
        return new TenantRules(platform, Optional.of(set), active.generation());
    }

    /** Keeps at most {@code maxOverlays} compiled overlays; the least recently used go first. */
    private void evictIfFull() {
        List<Map.Entry<UUID, CompletableFuture<TenantRules>>> built = tenants.entrySet().stream()
                .filter(e -> e.getValue().isDone() && !e.getValue().isCompletedExceptionally() && e.getValue().join().overlay.isPresent())
                .sorted((a, b) -> Long.compare(a.getValue().join().lastUsed, b.getValue().join().lastUsed))
                .toList();
        for (int i = 0; i < built.size() - maxOverlays; i++) {
            if (tenants.remove(built.get(i).getKey(), built.get(i).getValue())) disposeOverlayOf(built.get(i).getValue());
        }
    }

    /** The platform's base; a platform registered after start is compiled on first use. */
    private Base base(String platform) {
        Base b = platforms.get(platform);
        if (b != null) return b;
        synchronized (this) {
            if (!platforms.containsKey(platform)) reloadPlatform(platform);
        }
        return platforms.get(platform);
    }

    private void disposeOverlayOf(CompletableFuture<TenantRules> f) {
        if (f != null && f.isDone() && !f.isCompletedExceptionally()) f.join().overlay.ifPresent(this::disposeLater);
    }

    private void disposeLater(CompiledRuleSet set) {
        disposer.schedule(set::dispose, DISPOSE_AFTER_MS, TimeUnit.MILLISECONDS);
    }

    /** One throwaway evaluation, so the first real fact does not pay for class loading. */
    private void warmUp(CompiledRuleSet set) {
        UUID none = new UUID(0, 0);
        try {
            engine.evaluate(set, new Fact("warm-up", none, null, "thrillring.warm_up", Instant.now(), Map.of()),
                    SubjectState.empty(none, null));
        } catch (RuntimeException e) {
            log.debug("warm-up evaluation of {} failed: {}", set.version(), e.toString());
        }
    }

    @Override public void close() {
        disposer.shutdownNow();
        tenants.values().forEach(f -> {
            if (f.isDone() && !f.isCompletedExceptionally()) f.join().overlay.ifPresent(CompiledRuleSet::dispose);
        });
        tenants.clear();
        platforms.values().forEach(b -> b.set.dispose());
        platforms.clear();
    }
}
