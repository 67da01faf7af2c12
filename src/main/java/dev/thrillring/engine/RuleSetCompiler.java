package dev.thrillring.engine;

import dev.thrillring.engine.authoring.TableCheck;
import org.drools.base.definitions.InternalKnowledgePackage;
import org.drools.compiler.builder.impl.KnowledgeBuilderImpl;
import org.drools.core.rule.JavaDialectRuntimeData;
import org.drools.drl.ast.descr.PackageDescr;
import org.kie.api.KieBase;
import org.kie.api.definition.KiePackage;
import org.kie.internal.builder.KnowledgeBuilderFactory;
import org.kie.internal.builder.KnowledgeBuilderResult;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds a KIE base from rule resources: limits first, then every table turned into DRL, then the
 * parse-tree check ({@link RuleCheck}) on all DRL, then the build of the checked trees, then the
 * bytecode check ({@link BytecodeCheck}) of what was generated. Every error names its file and its
 * line, or its sheet and cell. One time limit covers all of it, and each owner (a tenant or a
 * platform) compiles one rule set at a time.
 */
public final class RuleSetCompiler {
    /** Compilations abandoned at the time limit and still running: each holds its owner's turn until it ends. */
    private static final AtomicInteger ABANDONED = new AtomicInteger();
    private static final ExecutorService BUILDER = Executors.newCachedThreadPool(r -> {
        // A deep stack: parsers recurse on nesting, and a refusal is better than a StackOverflowError.
        Thread t = new Thread(null, r, "rule-set-compiler", 64L << 20);
        t.setDaemon(true);
        return t;
    });
    private static final Map<String, Semaphore> TURNS = new ConcurrentHashMap<>();
    /** The time limit for rule sets made only of shipped (trusted) files. */
    private static final Duration SHIPPED_COMPILE_TIME = Duration.ofMinutes(5);

    /** What one rule set may hold and how long it may take to check and build. */
    public record Limits(int maxResources, int maxResourceBytes, int maxTotalBytes, Duration maxCompileTime) {
        public static final Limits DEFAULT = new Limits(50, 1 << 20, 5 << 20, Duration.ofSeconds(30));
    }

    private final Limits limits;

    public RuleSetCompiler() { this(Limits.DEFAULT); }

    public RuleSetCompiler(Limits limits) { this.limits = limits; }

    /** One DRL text to compile: where it came from and what the check made of it. */
    private record Source(RuleResource resource, String sheet, String drl, PackageDescr tree, dev.thrillring.engine.authoring.TableRows rows) {
        Source(RuleResource resource, String sheet, String drl, PackageDescr tree) { this(resource, sheet, drl, tree, null); }
    }

    /**
     * Compiles {@code resources} into a rule set named {@code name} (a platform or a tenant).
     *
     * @param versionLabel the label stored with every decision made by this rule set
     * @throws RuleSetInvalid with every located error when anything is wrong or not allowed
     */
    public CompiledRuleSet compile(String name, String versionLabel, List<RuleResource> resources) {
        return underLimit(name, resources, () -> build(name, versionLabel, resources));
    }

    /**
     * Runs the checks without building: every refusal and table error, located; empty when the
     * resources may be compiled. Authors' tools and tests use it.
     */
    public List<RuleSetInvalid.Error> check(String name, List<RuleResource> resources) {
        try {
            underLimit(name, resources, () -> checked(name, resources));
            return List.of();
        } catch (RuleSetInvalid e) {
            return e.errors();
        }
    }

    /** Compilations abandoned at the time limit that have not ended yet. */
    public static int abandoned() { return ABANDONED.get(); }

    private <T> T underLimit(String name, List<RuleResource> resources, java.util.concurrent.Callable<T> work) {
        checkLimits(name, resources);
        Semaphore turn = TURNS.computeIfAbsent(name, n -> new Semaphore(1));
        // The operator's own files are trusted and must load on a busy machine: they get a generous limit.
        Duration limit = resources.stream().allMatch(RuleResource::shipped) ? SHIPPED_COMPILE_TIME : limits.maxCompileTime();
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            if (!turn.tryAcquire(limits.maxCompileTime().toMillis(), TimeUnit.MILLISECONDS)) {
                throw refusal(name, "another rule set of " + name + " is being compiled; try again when it is done");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw refusal(name, "interrupted while waiting to compile");
        }
        boolean[] abandoned = {false};
        Future<T> f = BUILDER.submit(() -> {
            try {
                return work.call();
            } finally {
                turn.release();
                synchronized (abandoned) { if (abandoned[0]) ABANDONED.decrementAndGet(); }
            }
        });
        try {
            return f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // The builder cannot be stopped safely: it is interrupted, counted and its result discarded.
            synchronized (abandoned) { abandoned[0] = true; ABANDONED.incrementAndGet(); }
            f.cancel(true);
            throw refusal(name, "checking and compiling took longer than " + limit.toSeconds() + " s and was refused");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuleSetInvalid invalid) throw invalid;
            if (c instanceof StackOverflowError) throw refusal(name, "the rules are nested too deeply to check");
            throw refusal(name, "the rule compiler failed: " + (c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while compiling " + name, e);
        }
    }

    private List<Source> checked(String name, List<RuleResource> resources) {
        List<Source> sources = new ArrayList<>();
        List<RuleSetInvalid.Error> errors = new ArrayList<>();
        int n = 0;
        // Tables of known kinds are checked by meaning first; a table that fails is not converted,
        // so its author reads the schema's errors, not the engine's.
        TableCheck.Result read = TableCheck.read(resources);
        Map<String, List<RuleSetInvalid.Error>> tableErrors = read.errors();
        // Checked tables are compiled from their values, each kind and name once, later layers' rows over earlier ones by key.
        Map<String, DecisionTables.LayeredDrl> layered = new java.util.HashMap<>();
        if (tableErrors.isEmpty()) {
            try {
                for (DecisionTables.LayeredDrl l : DecisionTables.layered(resources, read)) layered.put(l.table().sources().getFirst().path(), l);
            } catch (RuntimeException e) {
                throw refusal(name, "the decision tables could not be converted: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
        }
        for (RuleResource r : resources) {
            List<DecisionTables.GeneratedSheet> drls;
            if (tableErrors.containsKey(r.path())) {
                errors.addAll(tableErrors.get(r.path()));
                continue;
            }
            if (read.tables().containsKey(r.path())) {
                DecisionTables.LayeredDrl l = layered.get(r.path());
                if (l == null) continue; // laid over a table of the same kind and name, compiled there
                for (DecisionTables.GeneratedSheet g : l.sheets()) {
                    RuleCheck.Result result = RuleCheck.check(g.drl(), l.table().shipped() ? null : namespace(name, n++));
                    Source s = new Source(r, g.sheet(), g.drl(), result.tree(), g.rows());
                    for (RuleCheck.Violation v : result.violations()) errors.add(locate(s, v.line(), v.message()));
                    sources.add(s);
                }
                continue;
            }
            if (r.kind() == RuleResource.Kind.DRL) {
                String text = new String(r.content(), StandardCharsets.UTF_8);
                // Editors on Windows start UTF-8 files with a byte-order mark; it is not part of the rules.
                if (text.startsWith("\uFEFF")) text = text.substring(1);
                drls = List.of(new DecisionTables.GeneratedSheet(null, text));
            } else {
                try {
                    drls = converted(r);
                } catch (RuleSetInvalid e) {
                    errors.addAll(e.errors());
                    continue;
                }
            }
            for (DecisionTables.GeneratedSheet g : drls) {
                RuleCheck.Result result;
                try {
                    result = RuleCheck.check(g.drl(), r.shipped() ? null : namespace(name, n++));
                } catch (StackOverflowError e) {
                    errors.add(locate(new Source(r, g.sheet(), g.drl(), null), 0, "the rules are nested too deeply to check; flatten the expression"));
                    continue;
                }
                Source s = new Source(r, g.sheet(), g.drl(), result.tree());
                for (RuleCheck.Violation v : result.violations()) errors.add(locate(s, v.line(), v.message()));
                sources.add(s);
            }
        }
        if (!errors.isEmpty()) throw new RuleSetInvalid(name, errors);
        return sources;
    }

    /**
     * Converted tables by kind and content hash. Conversion reads the whole workbook once per
     * sheet and is a function of the bytes, and the shared tables of {@code _common} are part of
     * every platform and of every tenant overlay, so a cold start converted each of them many times.
     * Failures are not kept: their messages name the path.
     */
    private static final Map<String, List<DecisionTables.GeneratedSheet>> CONVERTED =
            java.util.Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
                @Override protected boolean removeEldestEntry(Map.Entry<String, List<DecisionTables.GeneratedSheet>> e) { return size() > 128; }
            });

    static List<DecisionTables.GeneratedSheet> converted(RuleResource table) {
        String key = table.kind() + ":" + sha256(table.content());
        List<DecisionTables.GeneratedSheet> hit = CONVERTED.get(key);
        if (hit != null) return hit;
        List<DecisionTables.GeneratedSheet> drls = List.copyOf(DecisionTables.toDrl(table));
        CONVERTED.put(key, drls);
        return drls;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private CompiledRuleSet build(String name, String versionLabel, List<RuleResource> resources) {
        List<Source> sources = checked(name, resources);
        List<RuleSetInvalid.Error> errors = new ArrayList<>();
        KnowledgeBuilderImpl builder = (KnowledgeBuilderImpl) KnowledgeBuilderFactory.newKnowledgeBuilder();
        for (Source s : sources) {
            int before = builder.getErrors().size();
            builder.addPackage(s.tree());
            List<KnowledgeBuilderResult> all = new ArrayList<>(builder.getErrors());
            for (KnowledgeBuilderResult m : all.subList(before, all.size())) {
                int line = m.getLines() != null && m.getLines().length > 0 ? m.getLines()[0] : 0;
                errors.add(locate(s, line, m.getMessage()));
            }
        }
        if (errors.isEmpty() && builder.hasErrors()) {
            builder.getErrors().forEach(m -> errors.add(RuleSetInvalid.Error.inFile("(rule set)", m.getMessage())));
        }
        if (!errors.isEmpty()) throw new RuleSetInvalid(name, errors);
        Map<String, byte[]> classes = generatedClasses(builder.getKnowledgePackages());
        List<String> refused = BytecodeCheck.violations(classes);
        if (!refused.isEmpty()) {
            throw new RuleSetInvalid(name, refused.stream().map(m -> RuleSetInvalid.Error.inFile("(compiled rules)", m)).toList());
        }
        KieBase base = builder.newKieBase();
        int rules = base.getKiePackages().stream().mapToInt(p -> p.getRules().size()).sum();
        return new CompiledRuleSet(versionLabel, checksum(resources), base, rules);
    }

    /** The class files Drools generated for consequences and invokers, by file name. */
    static Map<String, byte[]> generatedClasses(java.util.Collection<KiePackage> packages) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (KiePackage p : packages) {
            if (((InternalKnowledgePackage) p).getDialectRuntimeRegistry().getDialectData("java") instanceof JavaDialectRuntimeData java) {
                out.putAll(java.getStore());
            }
        }
        return out;
    }

    /** The package an uploaded file's rules are placed in: its owner's namespace, one per file. */
    static String namespace(String owner, int file) {
        StringBuilder sb = new StringBuilder("uploaded.");
        for (char ch : owner.toLowerCase(Locale.ROOT).toCharArray()) sb.append((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ? ch : '_');
        return sb.append(".f").append(file).toString();
    }

    private void checkLimits(String name, List<RuleResource> resources) {
        List<RuleSetInvalid.Error> errors = new ArrayList<>();
        if (resources.size() > limits.maxResources()) {
            errors.add(RuleSetInvalid.Error.inFile("(rule set)", "holds " + resources.size() + " files; at most " + limits.maxResources() + " are allowed"));
        }
        long total = 0;
        for (RuleResource r : resources) {
            total += r.content().length;
            if (r.content().length > limits.maxResourceBytes()) {
                errors.add(RuleSetInvalid.Error.inFile(r.path(), "is " + r.content().length + " bytes; at most " + limits.maxResourceBytes() + " are allowed"));
            }
        }
        if (total > limits.maxTotalBytes()) {
            errors.add(RuleSetInvalid.Error.inFile("(rule set)", "is " + total + " bytes in all; at most " + limits.maxTotalBytes() + " are allowed"));
        }
        if (!errors.isEmpty()) throw new RuleSetInvalid(name, errors);
    }

    private static RuleSetInvalid refusal(String name, String message) {
        return new RuleSetInvalid(name, List.of(RuleSetInvalid.Error.inFile("(rule set)", message)));
    }

    /** An error at {@code line} of a source's DRL, located in the author's file. */
    private static RuleSetInvalid.Error locate(Source s, int line, String message) {
        if (s.resource().kind() == RuleResource.Kind.DRL) {
            return new RuleSetInvalid.Error(s.resource().path(), line > 0 ? line : null, null, null, message);
        }
        String cell = line > 0 ? DecisionTables.cellForLine(s.drl(), line) : null;
        if (s.rows() != null) {
            var at = s.rows().locate(cell);
            return new RuleSetInvalid.Error(at.path(), null, at.sheet(), at.cell(), message);
        }
        return new RuleSetInvalid.Error(s.resource().path(), null, s.sheet(), cell, message);
    }

    /** SHA-256 over the resources' names and contents, in name order. */
    public static String checksum(List<RuleResource> resources) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            resources.stream().sorted((a, b) -> a.path().compareTo(b.path())).forEach(r -> {
                md.update(r.path().getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(r.content());
                md.update((byte) 0);
            });
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
