package dev.thrillring.bench;

import dev.thrillring.engine.CompiledRuleSet;
import dev.thrillring.engine.Overlay;
import dev.thrillring.engine.PlatformRuleFiles;
import dev.thrillring.engine.RuleEngine;
import dev.thrillring.engine.RuleResource;
import dev.thrillring.engine.RuleSetCompiler;
import dev.thrillring.engine.RuleSetRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Compile time, memory and reload leaks of rule sets, measured in one run (single shots, not JMH:
 * each step is seconds long). Prints a Markdown table for docs/benchmarks.md.
 *
 * <pre>./mvnw -Pbench test-compile exec:exec -Dbench=dev.thrillring.bench.RuleSetScaleBench</pre>
 */
public final class RuleSetScaleBench {

    public static void main(String[] args) throws Exception {
        RuleEngine engine = new RuleEngine(new SimpleMeterRegistry());
        PlatformRuleFiles files = new PlatformRuleFiles(Path.of("rules"), Path.of("decision-tables"));
        RuleSetCompiler compiler = new RuleSetCompiler();
        List<RuleResource> base = files.load("coreldove");

        // Compile times: the platform base alone (baseline) and base + a 200-rule overlay, warm.
        for (int i = 0; i < 5; i++) compiler.compile("warm", "w", base).dispose();
        long baseMs = median(5, () -> compiler.compile("b", "b", base).dispose());
        List<RuleResource> withOverlay = new ArrayList<>(base);
        withOverlay.add(overlay(200, "big"));
        for (int i = 0; i < 3; i++) compiler.compile("warm", "w", withOverlay).dispose();
        long overlayMs = median(5, () -> compiler.compile("o", "o", withOverlay).dispose());

        // Heap per compiled base: hold 20 copies.
        long before = usedHeap();
        List<CompiledRuleSet> held = new ArrayList<>();
        for (int i = 0; i < 20; i++) held.add(compiler.compile("h" + i, "h", base));
        long perBase = (usedHeap() - before) / 20;
        held.forEach(CompiledRuleSet::dispose);
        held.clear();

        // Repeated reloads: 200 compile-swap-dispose cycles of base + overlay.
        for (int i = 0; i < 20; i++) compiler.compile("r", "r", withOverlay).dispose();
        long heap0 = usedHeap();
        long meta0 = metaspace();
        for (int i = 0; i < 200; i++) compiler.compile("r" + i, "r", withOverlay).dispose();
        long heapGrowth = usedHeap() - heap0;
        long metaGrowth = metaspace() - meta0;

        // 10,000 tenants, 1,000 with overlays (10 rules each), 200 compiled overlays kept at most.
        Map<UUID, Overlay> overlays = new HashMap<>();
        List<UUID> tenants = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            UUID t = UUID.randomUUID();
            tenants.add(t);
            if (i % 10 == 0) overlays.put(t, new Overlay(1, List.of(overlay(10, "t" + i))));
        }
        long heapEmpty = usedHeap();
        long t0 = System.nanoTime();
        try (RuleSetRegistry registry = new RuleSetRegistry(compiler, files, engine, t -> Optional.ofNullable(overlays.get(t)), 200, new SimpleMeterRegistry())) {
            registry.loadPlatforms(List.of("coreldove"));
            for (UUID t : tenants) registry.forTenant(t, "coreldove");
            long allMs = (System.nanoTime() - t0) / 1_000_000;
            Thread.sleep(12_000); // evicted overlays are disposed after the registry's grace period
            long heapAll = usedHeap() - heapEmpty;
            System.out.println("| measure | value |");
            System.out.println("|---|---|");
            System.out.printf("| compile platform base (%d files), warm, median of 5 | %d ms |%n", base.size(), baseMs);
            System.out.printf("| compile base + 200-rule overlay, warm, median of 5 | %d ms (%.1fx the base) |%n", overlayMs, (double) overlayMs / baseMs);
            System.out.printf("| heap per compiled platform base | %.1f MB |%n", perBase / 1e6);
            System.out.printf("| heap growth after 200 reloads of base + 200-rule overlay | %.1f MB |%n", heapGrowth / 1e6);
            System.out.printf("| metaspace growth after those 200 reloads | %.1f MB |%n", metaGrowth / 1e6);
            System.out.printf("| 10,000 tenants (1,000 overlays, at most 200 kept): first fact of each | %d ms in all |%n", allMs);
            System.out.printf("| heap held by the registry for those 10,000 tenants | %.1f MB |%n", heapAll / 1e6);
        }
        System.exit(0);
    }

    static RuleResource overlay(int rules, String pkg) {
        StringBuilder drl = new StringBuilder("package overlay." + pkg + ";\nimport dev.thrillring.engine.model.Fact;\n"
                + "import dev.thrillring.engine.model.SubjectState;\nglobal dev.thrillring.engine.model.Outcomes outcomes;\n");
        for (int i = 0; i < rules; i++) {
            drl.append("rule \"r").append(i).append("\"\nwhen\n    $f : Fact(type == \"custom.t").append(i % 20)
                    .append("\", num(\"value\") >= ").append(i).append(")\n    SubjectState(metric(\"m").append(i % 7)
                    .append("\") < ").append(i * 3).append(")\nthen\n    outcomes.points(").append(i).append(", \"r\");\nend\n");
        }
        return new RuleResource(pkg + ".drl", drl.toString().getBytes(StandardCharsets.UTF_8));
    }

    static long median(int n, Runnable r) {
        long[] ms = new long[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            r.run();
            ms[i] = (System.nanoTime() - t) / 1_000_000;
        }
        Arrays.sort(ms);
        return ms[n / 2];
    }

    static long usedHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    static long metaspace() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.NON_HEAP && p.getName().contains("Metaspace"))
                .mapToLong(p -> p.getUsage().getUsed()).sum();
    }

}
