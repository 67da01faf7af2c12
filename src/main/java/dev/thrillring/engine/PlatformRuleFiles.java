package dev.thrillring.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads a platform's shipped base rules: {@code rules/_common/}, {@code decision-tables/_common/}
 * (shared by every platform; platform names start with a letter, so none is called {@code _common}),
 * then {@code rules/<platform>/} and {@code decision-tables/<platform>/}.
 */
public record PlatformRuleFiles(Path rulesDir, Path tablesDir) implements BaseRules {
    public static final String COMMON = "_common";

    @Override public List<RuleResource> load(String platform) {
        List<RuleResource> out = new ArrayList<>();
        for (String folder : List.of(COMMON, platform)) {
            addFrom(rulesDir.resolve(folder), rulesDir.getFileName() + "/" + folder, out);
            addFrom(tablesDir.resolve(folder), tablesDir.getFileName() + "/" + folder, out);
        }
        return out;
    }

    private static void addFrom(Path dir, String shownAs, List<RuleResource> out) {
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (Files.isRegularFile(f) && RuleResource.isRuleFile(name)) {
                    out.add(RuleResource.shippedFile(shownAs + "/" + name, Files.readAllBytes(f)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read rule files in " + dir, e);
        }
    }
}
