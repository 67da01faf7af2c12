package dev.thrillring.engine;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The rule author's command line: {@code rules validate DIR} compiles every DRL file and decision
 * table under DIR (with the safety check) and {@code rules test DIR} also runs its
 * {@code *.scenario.json} files. {@code --base DIR2} compiles DIR on top of a platform's base
 * folder, as a tenant overlay is. Exit status 0 when all is well, 1 otherwise, 2 on misuse.
 */
public final class RulesCommand {
    private final PrintStream out;

    public RulesCommand(PrintStream out) { this.out = out; }

    public int run(List<String> args) {
        if (args.size() == 3 && args.get(0).equals("xlsx")) return toWorkbook(Path.of(args.get(1)), Path.of(args.get(2)));
        if (args.size() < 2 || !(args.get(0).equals("validate") || args.get(0).equals("test"))) {
            out.println("usage: rules validate|test DIR [--base DIR]... | rules xlsx TABLE.drl.csv OUT.drl.xlsx");
            return 2;
        }
        boolean test = args.get(0).equals("test");
        Path dir = Path.of(args.get(1));
        List<Path> bases = new ArrayList<>();
        for (int i = 2; i < args.size(); i++) {
            if (args.get(i).equals("--base") && i + 1 < args.size()) bases.add(Path.of(args.get(++i)));
            else {
                out.println("unknown argument: " + args.get(i));
                return 2;
            }
        }
        if (!Files.isDirectory(dir)) {
            out.println("not a folder: " + dir);
            return 2;
        }
        List<RuleResource> rules = new ArrayList<>();
        List<Scenario> scenarios = new ArrayList<>();
        try {
            for (Path b : bases) read(b, rules, null);
            read(dir, rules, scenarios);
        } catch (RuleSetInvalid e) {
            e.errors().forEach(err -> out.println("ERROR " + err));
            return 1;
        } catch (IOException e) {
            out.println("cannot read " + dir + ": " + e.getMessage());
            return 2;
        }
        CompiledRuleSet set;
        try {
            set = new RuleSetCompiler().compile("cli", "local", rules);
        } catch (RuleSetInvalid e) {
            e.errors().forEach(err -> out.println("ERROR " + err));
            out.println(e.errors().size() + " error(s); the rule set is not valid");
            return 1;
        }
        try {
            out.println("OK " + rules.size() + " files, " + set.ruleCount() + " rules compiled");
            if (!test) return 0;
            int failed = 0;
            for (ScenarioRunner.Result r : new ScenarioRunner(new RuleEngine(new SimpleMeterRegistry())).run(set, scenarios)) {
                out.println((r.passed() ? "PASS " : "FAIL ") + r.file() + ": " + r.name());
                r.failures().forEach(f -> out.println("     " + f));
                if (!r.passed()) failed++;
            }
            out.println((scenarios.size() - failed) + " passed, " + failed + " failed");
            return failed == 0 ? 0 : 1;
        } finally {
            set.dispose();
        }
    }

    /** Converts a CSV decision table into an XLSX workbook for analysts, then checks that it compiles the same. */
    private int toWorkbook(Path csv, Path xlsx) {
        try {
            byte[] content = Files.readAllBytes(csv);
            String sheet = csv.getFileName().toString().replaceAll("\\.drl\\.csv$|\\.csv$", "");
            byte[] book = DecisionTableWorkbook.fromCsv(content, sheet.length() > 31 ? sheet.substring(0, 31) : sheet);
            int before = rulesIn(new RuleResource("in.drl.csv", content));
            int after = rulesIn(new RuleResource("out.drl.xlsx", book));
            if (before != after) {
                out.println("the workbook would hold " + after + " rules, the CSV " + before + "; not written");
                return 1;
            }
            Files.write(xlsx, book);
            out.println("OK wrote " + xlsx);
            return 0;
        } catch (IOException e) {
            out.println("cannot convert: " + e.getMessage());
            return 2;
        } catch (RuleSetInvalid e) {
            e.errors().forEach(err -> out.println("ERROR " + err));
            return 1;
        }
    }

    /** Compiles a table alone (with the safety check) and counts its rules. */
    private static int rulesIn(RuleResource table) {
        CompiledRuleSet set = new RuleSetCompiler().compile("convert", "convert", List.of(table));
        try {
            return set.ruleCount();
        } finally {
            set.dispose();
        }
    }

    private static void read(Path dir, List<RuleResource> rules, List<Scenario> scenarios) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                String name = dir.relativize(f).toString();
                if (RuleResource.isRuleFile(name)) rules.add(new RuleResource(name, Files.readAllBytes(f)));
                else if (scenarios != null && Scenario.isScenarioFile(name)) scenarios.addAll(Scenario.parse(name, Files.readAllBytes(f)));
            }
        }
    }
}
