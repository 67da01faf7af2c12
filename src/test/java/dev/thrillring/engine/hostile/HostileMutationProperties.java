package dev.thrillring.engine.hostile;

import dev.thrillring.engine.RuleResource;
import dev.thrillring.engine.RuleSetCompiler;
import dev.thrillring.engine.RuleSetInvalid;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11: random comments, unicode escapes, text blocks, line-end variants, zero-width and
 * whitespace characters put into known-bad DRL at token boundaries never turn a refusal into an
 * acceptance. Runs on {@link RuleSetCompiler#check}, the check an upload goes through before
 * anything is compiled, so that hundreds of mutants take seconds.
 */
class HostileMutationProperties {
    static final RuleSetCompiler COMPILER = new RuleSetCompiler();
    static final HostileCorpus.Marks MARKS = new HostileCorpus.Marks(Path.of("/nonexistent/thrillring/marker"), Path.of("/nonexistent/thrillring/secret"));

    /** Every DRL attempt of the hostile corpus but the two 125 KB ones (they have a test of their own). */
    static final List<String> BAD = HostileCorpus.ALL.stream()
            .filter(a -> a.file().endsWith(".drl") && !a.name().endsWith("125KB"))
            .map(a -> new String(a.content().apply(MARKS), StandardCharsets.UTF_8))
            .toList();

    static List<RuleSetInvalid.Error> check(String drl) {
        return COMPILER.check("hostile-mutants", List.of(new RuleResource("mutant.drl", drl.getBytes(StandardCharsets.UTF_8))));
    }

    @Example
    void everyUnmutatedBadRuleIsRefused() {
        assertThat(BAD).hasSizeGreaterThan(60);
        for (String drl : BAD) assertThat(check(drl)).as(drl).isNotEmpty();
    }

    @Property(tries = 600)
    void mutationsNeverTurnARefusalIntoAnAcceptance(@ForAll("mutants") String drl) {
        assertThat(check(drl)).as("accepted mutant:\n%s", visible(drl)).isNotEmpty();
    }

    /** What can be put between two tokens without changing what Java makes of them (or that breaks the syntax). */
    static final List<String> NOISE = List.of(
            " ", "\t", "\f", "\n", "\r", "\r\n", "/**/", "/* c */", "/* \n */", "// c\n", "// c\r", "// c\r\n",
            "\u200B", "\u200C", "\u200D", "\u00AD", "\uFEFF", "\u2060", "\u0001",
            HostileCorpus.U + "0020", HostileCorpus.U + "000a", HostileCorpus.U + "uu0009", HostileCorpus.U + "002f" + HostileCorpus.U + "002a*/");

    sealed interface Mutation permits Insert, Escape, TextBlock, HideBehindTextBlock, LineEnds {}

    /** Puts {@code noise} at a token boundary ({@code where} picks which, 0..1). */
    record Insert(String noise, double where) implements Mutation {}

    /** Writes the letter at {@code where} as a unicode escape with {@code us} u's. */
    record Escape(double where, int us) implements Mutation {}

    /** Turns a string literal into a text block. */
    record TextBlock(double where) implements Mutation {}

    /** Starts a consequence with a harmless text block, the cover the token check fell for. */
    record HideBehindTextBlock() implements Mutation {}

    /** Every line feed becomes {@code eol}. */
    record LineEnds(String eol) implements Mutation {}

    @Provide
    Arbitrary<String> mutants() {
        Arbitrary<Double> where = Arbitraries.doubles().between(0, 1);
        Arbitrary<Mutation> mutation = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Combinators.combine(Arbitraries.of(NOISE), where).as(Insert::new)),
                net.jqwik.api.Tuple.of(3, Combinators.combine(where, Arbitraries.integers().between(1, 4)).as(Escape::new)),
                net.jqwik.api.Tuple.of(2, where.map(TextBlock::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new HideBehindTextBlock())),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("\r\n", "\r").map(LineEnds::new)));
        return Combinators.combine(Arbitraries.of(BAD), mutation.list().ofMinSize(1).ofMaxSize(6))
                .as((drl, mutations) -> {
                    String out = drl;
                    for (Mutation m : mutations) out = apply(out, m);
                    return out;
                });
    }

    static String apply(String s, Mutation m) {
        return switch (m) {
            case Insert i -> {
                List<Integer> b = boundaries(s);
                int at = b.get(Math.min(b.size() - 1, (int) (i.where() * b.size())));
                // Next to '/' or '*' a comment could merge with the code into a longer comment and hide it:
                // that would be a different rule, not a disguise of the same one.
                boolean slashy = (at > 0 && "/*\\".indexOf(s.charAt(at - 1)) >= 0) || (at < s.length() && "/*".indexOf(s.charAt(at)) >= 0);
                yield slashy ? s : s.substring(0, at) + i.noise() + s.substring(at);
            }
            case Escape e -> {
                List<Integer> letters = new ArrayList<>();
                for (int k = 0; k < s.length(); k++) if (Character.isLetter(s.charAt(k))) letters.add(k);
                if (letters.isEmpty()) yield s;
                int at = letters.get(Math.min(letters.size() - 1, (int) (e.where() * letters.size())));
                yield s.substring(0, at) + "\\" + "u".repeat(e.us()) + String.format("%04x", (int) s.charAt(at)) + s.substring(at + 1);
            }
            case TextBlock t -> {
                Matcher lit = Pattern.compile("\"([A-Za-z0-9_./@ -]*)\"").matcher(s);
                List<int[]> found = new ArrayList<>();
                while (lit.find()) found.add(new int[]{lit.start(), lit.end()});
                if (found.isEmpty()) yield s;
                int[] f = found.get(Math.min(found.size() - 1, (int) (t.where() * found.size())));
                String content = s.substring(f[0] + 1, f[1] - 1);
                yield s.substring(0, f[0]) + HostileCorpus.TQ + "\n        " + content + HostileCorpus.TQ + s.substring(f[1]);
            }
            case HideBehindTextBlock h -> s.replaceFirst("\nthen\n", "\nthen\n    String cover = " + HostileCorpus.TQ + "\n        x" + HostileCorpus.TQ + ";\n");
            case LineEnds l -> s.replace("\n", l.eol());
        };
    }

    /** Offsets where one token may end and another begin: a change between word, space and punctuation characters. */
    static List<Integer> boundaries(String s) {
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i < s.length(); i++) {
            int a = kind(s.charAt(i - 1)), b = kind(s.charAt(i));
            if (a != b || a == 2) out.add(i);
        }
        if (out.isEmpty()) out.add(0);
        return out;
    }

    private static int kind(char c) {
        if (Character.isLetterOrDigit(c) || c == '_' || c == '$') return 0;
        if (Character.isWhitespace(c)) return 1;
        return 2;
    }

    static String visible(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '\r') sb.append("\\r");
            else if (c != '\n' && c != '\t' && (c < 0x20 || Character.getType(c) == Character.FORMAT)) sb.append(String.format("\\x{%04x}", (int) c));
            else sb.append(c);
        }
        return sb.toString();
    }
}
