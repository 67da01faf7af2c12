package dev.thrillring.engine;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The parse-tree allow-list on its own: what it refuses, with which words, and what it lets authors write. */
class RuleCheckTest {

    private static final String HEAD = "package overlay;\nimport dev.thrillring.engine.model.Fact;\nimport dev.thrillring.engine.model.SubjectState;\n";

    static String rule(String when, String then) {
        return HEAD + "rule \"r\"\nwhen\n    " + when + "\nthen\n    " + then + "\nend\n";
    }

    static List<RuleSetInvalid.Error> check(String drl) {
        return new RuleSetCompiler().check("tenant-test", List.of(new RuleResource("t.drl", drl.getBytes(StandardCharsets.UTF_8))));
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("text block hiding a call", rule("Fact()", "outcomes.points(1, \"\"\"\n x \"\"\"); System.getenv(\"A\");"), "text block"),
                Arguments.of("static call", rule("Fact()", "System.exit(0);"), "not allowed"),
                Arguments.of("qualified static call", rule("Fact()", "java . lang /**/ . System.exit(0);"), "not allowed"),
                Arguments.of("object creation", rule("Fact()", "outcomes.points(1, new java.util.Formatter(\"/tmp/x\").toString());"), "new"),
                Arguments.of("class literal", rule("Fact()", "outcomes.points(1, String.class.getName());"), "class literal"),
                Arguments.of("getClass on a fact", rule("$f : Fact()", "outcomes.points(1, $f.getClass().getName());"), "method 'getClass'"),
                Arguments.of("getClass in a constraint", rule("Fact(getClass().getName() == \"x\")", "outcomes.points(1, \"x\");"), "method 'getClass'"),
                Arguments.of("loop", rule("Fact()", "while (true) { }"), "loop"),
                Arguments.of("lambda", rule("Fact()", "outcomes.points(1, ((java.util.function.Supplier<String>) () -> \"x\").get());"), "cast"),
                Arguments.of("local variable", rule("Fact()", "String x = \"a\";"), "statement"),
                Arguments.of("unicode escape", rule("Fact()", "outcomes.points(1, \"\\u0022);System.exit(0);//\");"), "unicode escape"),
                Arguments.of("zero-width space in a name", rule("Fact()", "Sys\u200Btem.exit(0);"), "character"),
                Arguments.of("lone CR ending a comment", rule("Fact()", "// note\rSystem.exit(0);\noutcomes.points(1, \"x\");"), "character"),
                Arguments.of("metadata expression", HEAD + "rule \"r\" @note(System.getProperty(\"user.home\")) when Fact() then outcomes.points(1, \"x\"); end\n", "metadata"),
                Arguments.of("unknown metadata key", HEAD + "rule \"r\" @watch(\"*\") when Fact() then outcomes.points(1, \"x\"); end\n", "metadata"),
                Arguments.of("function", HEAD + "function String f() { return System.getenv(\"A\"); }\n" + rule("Fact()", "outcomes.points(1, f());").substring(HEAD.length()), "function"),
                Arguments.of("query", HEAD + "query \"q\" Fact() end\n", "query"),
                Arguments.of("declare", HEAD + "declare Evil\n  x : String\nend\n", "declare"),
                Arguments.of("import outside the model", "package p;\nimport java.io.File;\n" + rule("Fact()", "outcomes.points(1, \"x\");").substring(HEAD.length()), "import"),
                Arguments.of("import function", "package p;\nimport function java.lang.System.getenv;\n" + rule("Fact()", "outcomes.points(1, \"x\");").substring(HEAD.length()), "import"),
                Arguments.of("another global", HEAD + "global java.util.List evil;\n" + rule("Fact()", "outcomes.points(1, \"x\");").substring(HEAD.length()), "global"),
                Arguments.of("generic global", HEAD + "global java.util.List<String> outcomes;\n" + rule("Fact()", "outcomes.points(1, \"x\");").substring(HEAD.length()), "global"),
                Arguments.of("timer", HEAD + "rule \"r\" timer (int: 1s 1s) when Fact() then outcomes.points(1, \"x\"); end\n", "timer"),
                Arguments.of("duration", HEAD + "rule \"r\" duration 1000 when Fact() then outcomes.points(1, \"x\"); end\n", "duration"),
                Arguments.of("calendars", HEAD + "rule \"r\" calendars \"c\" when Fact() then outcomes.points(1, \"x\"); end\n", "calendar"),
                Arguments.of("enabled expression", HEAD + "rule \"r\" enabled (System.exit(0) == null) when Fact() then outcomes.points(1, \"x\"); end\n", "enabled"),
                Arguments.of("dynamic salience", HEAD + "rule \"r\" salience (System.nanoTime()) when Fact() then outcomes.points(1, \"x\"); end\n", "salience"),
                Arguments.of("mvel dialect", HEAD + "rule \"r\" dialect \"mvel\" when Fact() then outcomes.points(1, \"x\"); end\n", "dialect"),
                Arguments.of("from an expression", rule("$s : String() from System.getenv(\"A\")", "outcomes.points(1, $s);"), "from"),
                Arguments.of("eval", rule("eval(System.exit(0) == null)", "outcomes.points(1, \"x\");"), "eval"),
                Arguments.of("accumulate with code", rule("Number() from accumulate(Fact(), init(int x = 0;) action(System.exit(0);) result(x))", "outcomes.points(1, \"x\");"), "accumulate"),
                Arguments.of("pattern on another class", rule("Object()", "outcomes.points(1, \"x\");"), "pattern"),
                Arguments.of("matches backtracks", rule("Fact(text(\"a\") matches \"(a+)+$\")", "outcomes.points(1, \"x\");"), "matches"),
                Arguments.of("engine runtime", rule("Fact()", "drools.getKieRuntime().halt();"), "statement"),
                Arguments.of("kcontext", rule("Fact()", "outcomes.points(1, kcontext.getRule().getName());"), "name 'kcontext'"),
                Arguments.of("escape from the method", rule("Fact()", "outcomes.points(1, \"x\"); } static { System.exit(0); } void f() {"), "syntax"),
                Arguments.of("attributes map", rule("$f : Fact(attributes != null)", "outcomes.points(1, \"x\");"), "name 'attributes'"),
                Arguments.of("outcomes engine hook", rule("Fact()", "outcomes.enterRule(\"other\");"), "method 'enterRule'"),
                Arguments.of("a package named after java.io", "package java.io;\n" + rule("Fact()", "outcomes.points(1, new File(\"x\").getName());").substring(HEAD.length()), "new"),
                Arguments.of("string repeat", rule("Fact()", "outcomes.points(1, \"x\".repeat(1000000000));"), "method 'repeat'"),
                Arguments.of("deep nesting", rule("Fact(" + "(".repeat(500) + "1 == 1" + ")".repeat(500) + ")", "outcomes.points(1, \"x\");"), "nested"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void shouldRefuseNamingTheConstruct(String name, String drl, String word) {
        List<RuleSetInvalid.Error> errors = check(drl);
        assertThat(errors).as(name).isNotEmpty();
        assertThat(errors.toString().toLowerCase(java.util.Locale.ROOT)).as(name).contains(word.toLowerCase(java.util.Locale.ROOT));
        assertThat(errors).as(name + ": located in the file").allSatisfy(e -> assertThat(e.file()).isIn("t.drl", "(rule set)"));
    }

    @Test
    void shouldLetAuthorsWriteWhatTheDocsShow() {
        assertThat(check(rule("$f : Fact(type == \"order.shipped\", num(\"value\") >= 100, text(\"channel\") == \"web\")",
                "outcomes.points(50, \"big web order\");"))).isEmpty();
        assertThat(check(rule("SubjectState(metric(\"orders_shipped\") >= 10, !unlocked(\"orders-10\"))", "outcomes.unlock(\"orders-10\");"))).isEmpty();
        assertThat(check(HEAD + "rule \"Orders: bronze\"\n @title(\"Orders: bronze\") @description(\"Ship 10 orders\") @difficulty(\"1\") @hidden(true)\n"
                + "when\n SubjectState($t : track(\"orders-bronze\", \"orders_shipped\", 10, \"all_time\") != null)\n SubjectState(unlocked(\"first-sale\"))\n"
                + "then\n outcomes.advance($t, 50);\nend\n")).isEmpty();
        assertThat(check(rule("$f : Fact(type == \"lead.captured\", textMatches(\"source\", \"^(ads|search)$\"))",
                "outcomes.metric(\"leads\", $f.has(\"count\") ? $f.num(\"count\") : 1);\noutcomes.score(\"growth\", Math.min(10, 0.5 * $f.num(\"value\")));"))).isEmpty();
        assertThat(check(rule("$f : Fact(type == \"x\", $v : num(\"v\"))\n not Fact(type == \"y\")\n exists SubjectState(referralsConverted > 2)\n"
                + " accumulate(Fact($w : num(\"v\")); $s : sum($w))", "outcomes.points((long) $v, \"x\" + $f.getType());"))).isEmpty();
        assertThat(check(HEAD + "rule \"r\" salience 10 no-loop true activation-group \"g\" when Fact() then outcomes.points(1, \"x\"); end\n")).isEmpty();
        assertThat(check("\uFEFF" + rule("Fact()", "outcomes.points(1, \"saved with a byte-order mark\");"))).isEmpty();
    }

    @Test
    void shouldCheckTheDrlOfEveryTableCell() {
        String csv = "RuleSet,overlay\nImport,dev.thrillring.engine.model.Fact\nVariables,dev.thrillring.engine.model.Outcomes outcomes\n,\n"
                + "RuleTable Points,\nCONDITION,ACTION\nFact,\n\"type == \"\"$param\"\"\",\"outcomes.points($param, \"\"p\"\");\"\nType,Points\n"
                + "a.b,5\na.c,1); System.exit(0); outcomes.points(1\n";
        List<RuleSetInvalid.Error> errors = new RuleSetCompiler().check("tenant-t", List.of(new RuleResource("p.drl.csv", csv.getBytes(StandardCharsets.UTF_8))));
        assertThat(errors).isNotEmpty();
        assertThat(errors.getFirst().file()).isEqualTo("p.drl.csv");
        assertThat(errors.getFirst().cell()).as("the row of the offending cell").endsWith("11");
        assertThat(errors.toString()).contains("System.exit(0)");
    }

    @Test
    void shouldForceUploadsIntoTheirOwnersNamespace() {
        assertThat(RuleSetCompiler.namespace("tenant-3F2a-x", 2)).isEqualTo("uploaded.tenant_3f2a_x.f2");
    }
}
