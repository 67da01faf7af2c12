package dev.thrillring.engine.authoring;

import dev.thrillring.engine.CompiledRuleSet;
import dev.thrillring.engine.RuleSetCompiler;
import dev.thrillring.engine.RuleSetInvalid;
import dev.thrillring.engine.authoring.AnalystWorkbooks.Edit;
import dev.thrillring.engine.authoring.AnalystWorkbooks.Mistake;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Each analyst mistake is refused at its cell, in business words, before the engine sees the table. */
class TableCheckTest {
    static List<Mistake> mistakes() { return AnalystWorkbooks.mistakes(); }

    static List<Edit> edits() { return AnalystWorkbooks.edits(); }

    @Test
    void shouldHoldAtLeastThirtyMistakes() {
        assertThat(mistakes()).hasSizeGreaterThanOrEqualTo(30);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void shouldRefuseTheMistakeAtItsCellInBusinessWords(Mistake m) {
        List<RuleSetInvalid.Error> errors = new RuleSetCompiler().check("platform-" + AnalystWorkbooks.PLATFORM,
                AnalystWorkbooks.platformWith(m.replaces(), m.file(), m.content()));
        assertThat(errors).as("%s", errors).hasSize(1);
        RuleSetInvalid.Error e = errors.getFirst();
        assertThat(e.file()).isEqualTo(m.file());
        assertThat(e.cell()).as(e.toString()).isEqualTo(m.cell());
        for (String w : m.words()) assertThat(e.message()).as(e.toString()).containsIgnoringCase(w);
        assertThat(e.message()).doesNotContain("$param", "Unable to resolve", "Syntax error", "cannot be resolved");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("edits")
    void shouldCompileWhatTheAnalystMeant(Edit e) {
        CompiledRuleSet set = new RuleSetCompiler().compile("platform-" + AnalystWorkbooks.PLATFORM, "edit",
                AnalystWorkbooks.platformWith(e.replaces(), e.file(), e.content()));
        try {
            assertThat(set.ruleCount()).isGreaterThan(50);
        } finally {
            set.dispose();
        }
    }
}
