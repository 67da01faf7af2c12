package dev.thrillring.engine;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.thrillring.engine.authoring.TableCheck;
import dev.thrillring.engine.authoring.TableWorkbook;

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
    /**
     * The service's checks and size limits, with a longer time limit: the 30 s limit protects a
     * shared service from a hostile upload, while here the author's own machine compiles the
     * author's files and may be busy (a loaded machine took longer than 30 s for a platform).
     */
    private static final RuleSetCompiler LOCAL = new RuleSetCompiler(new RuleSetCompiler.Limits(
            RuleSetCompiler.Limits.DEFAULT.maxResources(), RuleSetCompiler.Limits.DEFAULT.maxResourceBytes(),
            RuleSetCompiler.Limits.DEFAULT.maxTotalBytes(), java.time.Duration.ofMinutes(5)));

    private final PrintStream out;

    public RulesCommand(PrintStream out) { this.out = out; }

    public int run(List<String> args) {
        if (args.size() == 3 && args.get(0).equals("xlsx")) return toWorkbook(Path.of(args.get(1)), Path.of(args.get(2)));
        if (args.equals(List.of("test"))) return testPlatforms(Path.of("rules"), Path.of("decision-tables"));
        if (args.size() < 2 || !(args.get(0).equals("validate") || args.get(0).equals("test"))) {
            out.println("usage: rules test | rules validate|test DIR [--base DIR]... | rules xlsx TABLE.drl.{csv,xlsx,xls,ods} OUT.drl.{xlsx,ods}");
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
            for (Path b : bases) read(b, rules, null, null);
            read(dir, rules, scenarios, null);
        } catch (RuleSetInvalid e) {
            e.errors().forEach(err -> out.println("ERROR " + err));
            return 1;
        } catch (IOException e) {
            out.println("cannot read " + dir + ": " + e.getMessage());
            return 2;
        }
        return compileAndTest("cli", rules, test ? scenarios : null, dir.toString()) == null ? 1 : 0;
    }

    /**
     * Compiles {@code rules} and runs {@code scenarios} (none when null: validation only); prints
     * every error and result. Returns "passed/failed" counts, or null when anything failed or
     * nothing was compiled or tested.
     */
    private int[] compileAndTest(String name, List<RuleResource> rules, List<Scenario> scenarios, String where) {
        CompiledRuleSet set;
        try {
            set = LOCAL.compile(name, "local", rules);
        } catch (RuleSetInvalid e) {
            e.errors().forEach(err -> out.println("ERROR " + err));
            out.println(e.errors().size() + " error(s); the rule set is not valid");
            return null;
        }
        try {
            out.println("OK " + rules.size() + " files, " + set.ruleCount() + " rules compiled");
            if (set.ruleCount() == 0) {
                out.println("ERROR no rule was compiled from " + where + "; nothing was checked");
                return null;
            }
            if (scenarios == null) return new int[] {0, 0};
            if (scenarios.isEmpty()) {
                out.println("ERROR no *.scenario.json under " + where + "; nothing was tested");
                return null;
            }
            int failed = 0;
            for (ScenarioRunner.Result r : new ScenarioRunner(new RuleEngine(new SimpleMeterRegistry())).run(set, scenarios)) {
                out.println((r.passed() ? "PASS " : "FAIL ") + r.file() + ": " + r.name());
                r.failures().forEach(f -> out.println("     " + f));
                if (!r.passed()) failed++;
            }
            out.println((scenarios.size() - failed) + " passed, " + failed + " failed");
            return failed == 0 ? new int[] {scenarios.size(), 0} : null;
        } finally {
            set.dispose();
        }
    }

    /**
     * {@code rules test} in a project laid out like this repository: each platform's rules, its
     * tables and the shared ({@code _common}) ones, compiled together and tested with the
     * platform's scenarios, then one summary line per platform.
     */
    private int testPlatforms(Path rulesDir, Path tablesDir) {
        if (!Files.isDirectory(rulesDir)) {
            out.println("no rules/ folder here; run it in the project's folder or name a folder: rules test DIR");
            return 2;
        }
        List<String> platforms = new ArrayList<>();
        try (Stream<Path> list = Files.list(rulesDir)) {
            list.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("_")).sorted().forEach(platforms::add);
        } catch (IOException e) {
            out.println("cannot read " + rulesDir + ": " + e.getMessage());
            return 2;
        }
        List<String> summary = new ArrayList<>();
        boolean ok = !platforms.isEmpty();
        for (String platform : platforms) {
            out.println("== " + platform);
            List<RuleResource> rules = new ArrayList<>();
            List<Scenario> scenarios = new ArrayList<>();
            int[] result;
            try {
                for (Path dir : List.of(rulesDir.resolve("_common"), rulesDir.resolve(platform), tablesDir.resolve("_common"), tablesDir.resolve(platform))) {
                    if (Files.isDirectory(dir)) read(dir, rules, scenarios, dir.toString());
                }
                result = compileAndTest("platform-" + platform, rules, scenarios, platform);
            } catch (RuleSetInvalid e) {
                e.errors().forEach(err -> out.println("ERROR " + err));
                result = null;
            } catch (IOException e) {
                out.println("ERROR cannot read the files of " + platform + ": " + e.getMessage());
                result = null;
            }
            summary.add(platform + ": " + rules.size() + " files, " + (result == null ? "FAILED" : result[0] + " scenarios passed"));
            ok &= result != null;
        }
        out.println("== summary");
        summary.forEach(out::println);
        return ok ? 0 : 1;
    }

    /**
     * Writes a decision table as the workbook analysts work in, then checks that it compiles the
     * same: a table of a known kind as generated from its schema (.xlsx, or .ods when OUT says so),
     * any other CSV table cell for cell.
     */
    private int toWorkbook(Path table, Path xlsx) {
        try {
            byte[] content = Files.readAllBytes(table);
            String inName = "in" + table.getFileName().toString().replaceAll("^[^.]*", "");
            String outName = "out" + xlsx.getFileName().toString().replaceAll("^[^.]*", "");
            if (!RuleResource.isRuleFile(inName) || !RuleResource.isRuleFile(outName) || outName.endsWith(".csv") || outName.endsWith(".xls")) {
                out.println("usage: rules xlsx TABLE.drl.{csv,xlsx,xls,ods} OUT.drl.{xlsx,ods}");
                return 2;
            }
            String sheet = table.getFileName().toString().replaceAll("\\.drl\\.csv$|\\.csv$", "");
            TableCheck.Result read = TableCheck.read(List.of(new RuleResource(table.getFileName().toString(), content)));
            read.errors().values().forEach(errs -> errs.forEach(err -> out.println("ERROR " + err)));
            if (!read.errors().isEmpty()) return 1;
            var rows = read.tables().get(table.getFileName().toString());
            byte[] book;
            if (rows != null) {
                book = outName.endsWith(".ods") ? TableWorkbook.ods(rows.getFirst()) : TableWorkbook.xlsx(rows.getFirst(), read.choices());
            } else if (inName.endsWith(".csv") && outName.endsWith(".xlsx")) {
                book = DecisionTableWorkbook.fromCsv(content, sheet.length() > 31 ? sheet.substring(0, 31) : sheet);
            } else {
                out.println("only tables of the five known kinds can be written as generated workbooks; other tables from .csv to .xlsx");
                return 1;
            }
            int before = rulesIn(new RuleResource(inName, content));
            int after = rulesIn(new RuleResource(outName, book));
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
        CompiledRuleSet set = LOCAL.compile("convert", "convert", List.of(table));
        try {
            return set.ruleCount();
        } finally {
            set.dispose();
        }
    }

    private static void read(Path dir, List<RuleResource> rules, List<Scenario> scenarios, String prefix) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                String name = prefix == null ? dir.relativize(f).toString() : prefix + "/" + dir.relativize(f);
                if (RuleResource.isRuleFile(name)) rules.add(new RuleResource(name, Files.readAllBytes(f)));
                else if (scenarios != null && Scenario.isScenarioFile(name)) scenarios.addAll(Scenario.parse(name, Files.readAllBytes(f)));
            }
        }
    }
}
