package dev.thrillring.engine;

import org.kie.api.KieServices;
import org.kie.api.builder.KieBuilder;
import org.kie.api.builder.KieFileSystem;
import org.kie.api.builder.Message;
import org.kie.api.builder.ReleaseId;
import org.kie.api.runtime.KieContainer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds a KIE base from rule resources: limits first, then every table turned into DRL, then the
 * safety check on all DRL, then the KIE build under a time limit. Every error names its file and
 * its line, or its sheet and cell.
 */
public final class RuleSetCompiler {

    /** Declares the outcome global for every base, so evaluation can always bind it. */
    static final String PRELUDE = """
            package dev.thrillring.rules;
            global dev.thrillring.engine.model.Outcomes outcomes;
            """;
    private static final AtomicLong BUILDS = new AtomicLong();
    private static final ExecutorService BUILDER = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "rule-set-compiler");
        t.setDaemon(true);
        return t;
    });

    /** What one rule set may hold and how long it may take to build. */
    public record Limits(int maxResources, int maxResourceBytes, int maxTotalBytes, Duration maxCompileTime) {
        public static final Limits DEFAULT = new Limits(50, 1 << 20, 5 << 20, Duration.ofSeconds(30));
    }

    private final KieServices ks = KieServices.Factory.get();
    private final Limits limits;

    public RuleSetCompiler() { this(Limits.DEFAULT); }

    public RuleSetCompiler(Limits limits) { this.limits = limits; }

    /** Where a DRL file inside the KIE file system came from. */
    private record Source(RuleResource resource, String sheet, String drl) {}

    /**
     * Compiles {@code resources} into a rule set named {@code name} (a platform or a tenant).
     *
     * @param versionLabel the label stored with every decision made by this rule set
     * @throws RuleSetInvalid with every located error when anything is wrong
     */
    public CompiledRuleSet compile(String name, String versionLabel, List<RuleResource> resources) {
        checkLimits(name, resources);
        Map<String, Source> sources = new LinkedHashMap<>();
        List<RuleSetInvalid.Error> errors = new ArrayList<>();
        int n = 0;
        for (RuleResource r : resources) {
            List<Source> generated = new ArrayList<>();
            if (r.kind() == RuleResource.Kind.DRL) {
                generated.add(new Source(r, null, new String(r.content(), StandardCharsets.UTF_8)));
            } else {
                try {
                    DecisionTables.toDrl(r).forEach(g -> generated.add(new Source(r, g.sheet(), g.drl())));
                } catch (RuleSetInvalid e) {
                    errors.addAll(e.errors());
                    continue;
                }
            }
            for (Source s : generated) {
                for (RuleSafety.Violation v : RuleSafety.check(s.drl())) errors.add(locate(s, v.line(), v.message()));
                sources.put("src/main/resources/rules/r" + (n++) + ".drl", s);
            }
        }
        if (!errors.isEmpty()) throw new RuleSetInvalid(name, errors);

        String checksum = checksum(resources);
        ReleaseId rid = ks.newReleaseId("dev.thrillring.rulesets", name.replaceAll("[^A-Za-z0-9_.-]", "_"),
                "1." + BUILDS.incrementAndGet() + ".0-" + checksum.substring(0, 12));
        KieFileSystem kfs = ks.newKieFileSystem();
        kfs.generateAndWritePomXML(rid);
        kfs.write("src/main/resources/rules/prelude.drl", PRELUDE);
        sources.forEach((path, s) -> kfs.write(path, s.drl()));

        KieBuilder builder = build(name, kfs);
        for (Message m : builder.getResults().getMessages(Message.Level.ERROR)) {
            Source s = m.getPath() == null ? null : sources.get(m.getPath().startsWith("src/") ? m.getPath() : "src/main/resources/" + m.getPath());
            errors.add(s == null ? RuleSetInvalid.Error.inFile("(rule set)", m.getText()) : locate(s, m.getLine(), m.getText()));
        }
        if (!errors.isEmpty()) {
            ks.getRepository().removeKieModule(rid);
            throw new RuleSetInvalid(name, errors);
        }
        KieContainer container = ks.newKieContainer(rid);
        var base = container.getKieBase();
        int rules = base.getKiePackages().stream().mapToInt(p -> p.getRules().size()).sum();
        return new CompiledRuleSet(versionLabel, checksum, rid, container, base, rules);
    }

    private KieBuilder build(String name, KieFileSystem kfs) {
        Future<KieBuilder> f = BUILDER.submit(() -> ks.newKieBuilder(kfs).buildAll());
        try {
            return f.get(limits.maxCompileTime().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // The builder cannot be stopped safely; it is interrupted and its result discarded.
            f.cancel(true);
            throw new RuleSetInvalid(name, List.of(RuleSetInvalid.Error.inFile("(rule set)",
                    "compiling took longer than " + limits.maxCompileTime().toSeconds() + " s and was refused")));
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw new RuleSetInvalid(name, List.of(RuleSetInvalid.Error.inFile("(rule set)",
                    "the rule compiler failed: " + (c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage()))));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while compiling " + name, e);
        }
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

    /** An error at {@code line} of a source's DRL, located in the author's file. */
    private static RuleSetInvalid.Error locate(Source s, int line, String message) {
        if (s.resource().kind() == RuleResource.Kind.DRL) {
            return new RuleSetInvalid.Error(s.resource().path(), line > 0 ? line : null, null, null, message);
        }
        String cell = line > 0 ? DecisionTables.cellForLine(s.drl(), line) : null;
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
