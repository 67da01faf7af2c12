package dev.thrillring.rulesets;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Which files changed between two versions, with a unified text diff for DRL, CSV and scenarios. */
final class RuleSetDiff {

    /** One file's change: {@code added}, {@code removed} or {@code changed}; {@code diff} for text files. */
    record FileChange(String path, String change, String diff) {}

    /** The files that changed and, by meaning, the table rows and cells ({@code tables}). */
    record Result(int from, int to, List<FileChange> files, dev.thrillring.engine.authoring.TableDiff.Result tables) {
        Result with(dev.thrillring.engine.authoring.TableDiff.Result tables) { return new Result(from, to, files, tables); }
    }

    private RuleSetDiff() {}

    static Result between(int from, List<RuleSetStore.StoredFile> a, int to, List<RuleSetStore.StoredFile> b) {
        Map<String, RuleSetStore.StoredFile> before = a.stream().collect(Collectors.toMap(RuleSetStore.StoredFile::path, Function.identity()));
        Map<String, RuleSetStore.StoredFile> after = b.stream().collect(Collectors.toMap(RuleSetStore.StoredFile::path, Function.identity()));
        Map<String, String> paths = new TreeMap<>();
        before.keySet().forEach(p -> paths.put(p, p));
        after.keySet().forEach(p -> paths.put(p, p));
        List<FileChange> out = new ArrayList<>();
        for (String p : paths.keySet()) {
            var x = before.get(p);
            var y = after.get(p);
            if (x == null) out.add(new FileChange(p, "added", text(y) ? unified(p, new byte[0], y.content(), from, to) : null));
            else if (y == null) out.add(new FileChange(p, "removed", text(x) ? unified(p, x.content(), new byte[0], from, to) : null));
            else if (!Arrays.equals(x.content(), y.content())) out.add(new FileChange(p, "changed", text(y) ? unified(p, x.content(), y.content(), from, to) : null));
        }
        return new Result(from, to, out, null);
    }

    private static boolean text(RuleSetStore.StoredFile f) {
        return f.kind().equals("drl") || f.kind().equals("csv") || f.kind().equals("scenario");
    }

    private static String unified(String path, byte[] a, byte[] b, int from, int to) {
        List<String> x = lines(a);
        List<String> y = lines(b);
        var patch = DiffUtils.diff(x, y);
        return String.join("\n", UnifiedDiffUtils.generateUnifiedDiff("v" + from + "/" + path, "v" + to + "/" + path, x, patch, 3));
    }

    private static List<String> lines(byte[] content) {
        String s = new String(content, StandardCharsets.UTF_8);
        return s.isEmpty() ? List.of() : Arrays.asList(s.split("\r?\n", -1));
    }
}
