package dev.thrillring.engine;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hostile uploads: each must be refused before it is compiled, with the offending line named. */
class RuleSafetyTest {

    static String rule(String imports, String when, String then) {
        return "package evil;\n" + imports + "import dev.thrillring.engine.model.Fact;\n"
                + "global dev.thrillring.engine.model.Outcomes outcomes;\n"
                + "rule \"r\"\nwhen\n    " + when + "\nthen\n    " + then + "\nend\n";
    }

    static Stream<Arguments> hostile() {
        return Stream.of(
                Arguments.of("System.exit in a consequence", rule("", "Fact()", "System.exit(1);")),
                Arguments.of("fully qualified System", rule("", "Fact()", "java.lang.System.exit(1);")),
                Arguments.of("Runtime.exec", rule("", "Fact()", "Runtime.getRuntime().exec(\"rm -rf /\");")),
                Arguments.of("ProcessBuilder", rule("", "Fact()", "new ProcessBuilder(\"sh\").start();")),
                Arguments.of("reflection via getClass", rule("", "$f : Fact()", "$f.getClass().getClassLoader();")),
                Arguments.of("Class.forName", rule("", "Fact()", "Class.forName(\"x\");")),
                Arguments.of("class literal", rule("", "Fact()", "Object o = String.class;")),
                Arguments.of("a thread", rule("", "Fact()", "new Thread(() -> {}).start();")),
                Arguments.of("file access", rule("import java.io.File;\n", "Fact()", "new File(\"/etc/passwd\").delete();")),
                Arguments.of("nio files", rule("", "Fact()", "java.nio.file.Files.delete(null);")),
                Arguments.of("network", rule("", "Fact()", "new java.net.Socket(\"example.org\", 80);")),
                Arguments.of("import outside the allow-list", rule("import java.lang.reflect.Method;\n", "Fact()", "")),
                Arguments.of("static import", rule("import static java.lang.System.exit;\n", "Fact()", "")),
                Arguments.of("function import", rule("import function java.lang.System.exit;\n", "Fact()", "")),
                Arguments.of("engine runtime via drools", rule("", "Fact()", "drools.getKieRuntime().halt();")),
                Arguments.of("engine runtime via kcontext", rule("", "Fact()", "kcontext.getKieRuntime();")),
                Arguments.of("system call in a condition", rule("", "Fact(eval(System.currentTimeMillis() > 0))", "")),
                Arguments.of("system call in a from", rule("", "$e : Object() from System.getenv()", "")),
                Arguments.of("a DRL function", "package evil;\nfunction void boom() { Runtime.getRuntime().halt(0); }\n"),
                Arguments.of("a foreign global", "package evil;\nglobal java.util.concurrent.ExecutorService pool;\n"),
                Arguments.of("unicode escape", rule("", "Fact()", "\\u0053ystem.exit(1);")),
                Arguments.of("mislabelled outcomes", rule("", "Fact()", "outcomes.enterRule(\"someone else\");")),
                Arguments.of("a timer", "package evil;\nimport dev.thrillring.engine.model.Fact;\nrule \"t\" timer(int: 1s 1s) when Fact() then end\n"),
                Arguments.of("script engine", rule("", "Fact()", "new javax.script.ScriptEngineManager();")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void shouldRefuseHostileRules(String name, String drl) {
        assertThat(RuleSafety.check(drl)).as(name).isNotEmpty();
        assertThatThrownBy(() -> new RuleSetCompiler().compile("hostile", "x",
                List.of(new RuleResource("evil.drl", drl.getBytes(StandardCharsets.UTF_8)))))
                .isInstanceOfSatisfying(RuleSetInvalid.class, e -> assertThat(e.errors()).allSatisfy(err -> {
                    assertThat(err.file()).isEqualTo("evil.drl");
                    assertThat(err.line()).isPositive();
                }));
    }

    @Test
    void shouldRefuseHostileCodeInADecisionTableActionCell() {
        String csv = String.join("\n",
                "RuleSet,evil",
                "Import,dev.thrillring.engine.model.Fact",
                "Variables,dev.thrillring.engine.model.Outcomes outcomes",
                ",",
                "RuleTable Evil,",
                "CONDITION,ACTION",
                "Fact,",
                "'type == ''$param''',$param",
                "Type,Action",
                "a,outcomes.points(1; 'x');",
                "b,Runtime.getRuntime().halt(0);").replace('\'', '"');
        assertThatThrownBy(() -> new RuleSetCompiler().compile("hostile-table", "x",
                List.of(new RuleResource("evil.drl.csv", csv.getBytes(StandardCharsets.UTF_8)))))
                .isInstanceOfSatisfying(RuleSetInvalid.class, e -> assertThat(e.errors()).anySatisfy(err -> {
                    assertThat(err.file()).isEqualTo("evil.drl.csv");
                    assertThat(err.cell()).isEqualTo("A11");
                    assertThat(err.message()).contains("Runtime");
                }));
    }

    @Test
    void shouldAllowTheFactModelCollectionsAndStringsThatMentionForbiddenWords() {
        String drl = rule("import java.util.List;\nimport java.time.Duration;\n",
                "$f : Fact(text(\"note\") != \"System.exit\", num(\"value\") > Math.max(1, 2))",
                "// Runtime is only mentioned in a comment\n    outcomes.points(1, \"System upgrade bonus\");");
        assertThat(RuleSafety.check(drl)).isEmpty();
        new RuleSetCompiler().compile("harmless", "x", List.of(new RuleResource("ok.drl", drl.getBytes(StandardCharsets.UTF_8)))).dispose();
    }

    @Test
    void shouldRefuseOversizedRuleSets() {
        var limits = new RuleSetCompiler.Limits(2, 100, 110, java.time.Duration.ofSeconds(30));
        byte[] big = new byte[101];
        assertThatThrownBy(() -> new RuleSetCompiler(limits).compile("big", "x", List.of(
                new RuleResource("a.drl", big), new RuleResource("b.drl", new byte[10]), new RuleResource("c.drl", new byte[10]))))
                .isInstanceOfSatisfying(RuleSetInvalid.class, e -> assertThat(e.errors().toString())
                        .contains("3 files", "a.drl", "121 bytes in all"));
    }

    @Test
    void shouldRefuseARuleSetThatTakesTooLongToCompile() {
        StringBuilder drl = new StringBuilder("package slow;\nimport dev.thrillring.engine.model.Fact;\n");
        for (int i = 0; i < 400; i++) drl.append("rule \"r").append(i).append("\" when Fact(type == \"t").append(i).append("\") then end\n");
        var limits = new RuleSetCompiler.Limits(50, 1 << 20, 5 << 20, java.time.Duration.ofMillis(1));
        assertThatThrownBy(() -> new RuleSetCompiler(limits).compile("slow", "x",
                List.of(new RuleResource("slow.drl", drl.toString().getBytes(StandardCharsets.UTF_8)))))
                .isInstanceOfSatisfying(RuleSetInvalid.class, e -> assertThat(e.errors().getFirst().message()).contains("longer than"));
    }
}
