package dev.thrillring.engine;

import org.kie.api.KieServices;
import org.kie.api.builder.KieBuilder;
import org.kie.api.builder.KieFileSystem;
import org.kie.api.builder.Message;
import org.kie.api.builder.ReleaseId;
import org.kie.api.runtime.KieContainer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** Builds KIE bases from rule resources, one ReleaseId per content checksum. */
public final class RuleSetCompiler {

    /** Declares the outcome global for every base, so evaluation can always bind it. */
    static final String PRELUDE = """
            package dev.thrillring.rules;
            global dev.thrillring.engine.model.Outcomes outcomes;
            """;

    private final KieServices ks = KieServices.Factory.get();

    /**
     * Compiles {@code resources} into a rule set named {@code name} (e.g. a platform).
     *
     * @throws RuleSetInvalid with every located error when any resource does not compile
     */
    public CompiledRuleSet compile(String name, String versionPrefix, List<RuleResource> resources) {
        String checksum = checksum(resources);
        ReleaseId rid = ks.newReleaseId("dev.thrillring.rulesets", name, "1.0.0-" + checksum.substring(0, 16));
        KieFileSystem kfs = ks.newKieFileSystem();
        kfs.generateAndWritePomXML(rid);
        kfs.write("src/main/resources/thrillring/prelude.drl", PRELUDE);
        String dir = name.replaceAll("[^A-Za-z0-9_]", "_");
        for (RuleResource r : resources) kfs.write(r.kiePath(dir), r.content());

        KieBuilder builder = ks.newKieBuilder(kfs).buildAll();
        List<RuleSetInvalid.Error> errors = builder.getResults().getMessages(Message.Level.ERROR).stream()
                .map(m -> new RuleSetInvalid.Error(authorPath(m.getPath(), resources), m.getLine(), m.getText()))
                .toList();
        if (!errors.isEmpty()) {
            ks.getRepository().removeKieModule(rid);
            throw new RuleSetInvalid(name, errors);
        }
        KieContainer container = ks.newKieContainer(rid);
        var base = container.getKieBase();
        int rules = base.getKiePackages().stream().mapToInt(p -> p.getRules().size()).sum();
        return new CompiledRuleSet(versionPrefix + "-" + checksum.substring(0, 8), checksum, rid, container, base, rules);
    }

    /** Maps a KIE path back to the file name the author uploaded. */
    private static String authorPath(String kiePath, List<RuleResource> resources) {
        if (kiePath == null) return "(rule set)";
        String file = kiePath.substring(kiePath.lastIndexOf('/') + 1);
        for (RuleResource r : resources) {
            String p = r.path().replace('\\', '/');
            String base = p.substring(p.lastIndexOf('/') + 1);
            if (base.equals(file) || file.startsWith(base.substring(0, base.lastIndexOf('.')))) return r.path();
        }
        return file;
    }

    static String checksum(List<RuleResource> resources) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            resources.stream().sorted((a, b) -> a.path().compareTo(b.path())).forEach(r -> {
                md.update(r.path().getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(r.content());
                md.update((byte) 0);
            });
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
