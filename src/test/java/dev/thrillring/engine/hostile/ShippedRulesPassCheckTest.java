package dev.thrillring.engine.hostile;

import dev.thrillring.engine.RuleResource;
import dev.thrillring.engine.RuleSetCompiler;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11: the check an upload goes through accepts every shipped rule file and table under
 * rules/ and decision-tables/ and every rule example of docs/rules.md, one file at a time, so the
 * allow-list is not so tight that real authors cannot work.
 */
class ShippedRulesPassCheckTest {
    static final RuleSetCompiler COMPILER = new RuleSetCompiler();

    @Test
    void shouldPassEveryShippedRuleFileAndTable() throws Exception {
        List<Path> shipped = new ArrayList<>();
        for (String root : List.of("rules", "decision-tables")) {
            try (Stream<Path> walk = Files.walk(Path.of(root))) {
                walk.filter(p -> RuleResource.isRuleFile(p.getFileName().toString())).sorted().forEach(shipped::add);
            }
        }
        assertThat(shipped).hasSizeGreaterThanOrEqualTo(10);
        for (Path p : shipped) {
            var errors = COMPILER.check("shipped", List.of(new RuleResource(p.toString(), Files.readAllBytes(p))));
            assertThat(errors).as("%s", p).isEmpty();
        }
    }

    @Test
    void shouldPassEveryRuleOfTheDocs() throws Exception {
        List<String> rules = ShippedRulesStillUploadTest.documentedRules();
        assertThat(rules).hasSizeGreaterThanOrEqualTo(3);
        for (int i = 0; i < rules.size(); i++) {
            String drl = "package docs" + i + ";\n" + ShippedRulesStillUploadTest.DOC_HEADER + rules.get(i);
            var errors = COMPILER.check("docs", List.of(new RuleResource("doc" + i + ".drl", drl.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
            assertThat(errors).as(drl).isEmpty();
        }
    }
}
