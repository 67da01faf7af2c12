package dev.thrillring.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The achievements a rule set defines, read from its rules: each rule that tracks an achievement
 * ({@code track("key", "metric", threshold, "period")}) is one definition, its metadata
 * ({@code @title}, {@code @description}, {@code @category}, ...) the catalogue's text. The
 * catalogue is derived from the very rules that fire, so the two cannot drift apart.
 */
public final class AchievementDefinitions {

    /** One achievement as its rule defines it. */
    public record Definition(String key, String metric, String comparison, double threshold, String period, String requires,
                             long points, String rule, Map<String, String> meta) {
        public String meta(String name, String dflt) { return meta.getOrDefault(name, dflt); }
    }

    private static final Pattern RULE = Pattern.compile("(?ms)^\\s*rule\\s+\"([^\"]+)\"(.*?)^\\s*end\\b");
    private static final Pattern META = Pattern.compile("@(\\w+)\\(\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*\\)");
    private static final Pattern TRACK = Pattern.compile("track\\(\\s*\"([^\"]+)\"\\s*,\\s*\"([^\"]+)\"\\s*,\\s*(-?[0-9.]+)\\s*,\\s*\"([^\"]+)\"\\s*(?:,\\s*\"([^\"]+)\"\\s*)?\\)");
    private static final Pattern REQUIRES = Pattern.compile("(?<![!\\w])unlocked\\(\\s*\"([^\"]+)\"\\s*\\)");
    private static final Pattern POINTS = Pattern.compile("advance\\(\\s*\\$\\w+\\s*,\\s*(-?\\d+)\\s*\\)");

    private AchievementDefinitions() {}

    /** Every definition in the resources (DRL files, and decision tables as the DRL they compile to). */
    public static List<Definition> from(List<RuleResource> resources) {
        List<Definition> out = new ArrayList<>();
        for (RuleResource r : resources) {
            if (r.kind() == RuleResource.Kind.DRL) out.addAll(fromDrl(new String(r.content(), StandardCharsets.UTF_8)));
            else DecisionTables.toDrl(r).forEach(g -> out.addAll(fromDrl(g.drl())));
        }
        return out;
    }

    static List<Definition> fromDrl(String drl) {
        List<Definition> out = new ArrayList<>();
        Matcher rule = RULE.matcher(drl);
        while (rule.find()) {
            String body = rule.group(2);
            Matcher t = TRACK.matcher(body);
            if (!t.find()) continue;
            Map<String, String> meta = new LinkedHashMap<>();
            Matcher m = META.matcher(body);
            while (m.find()) meta.put(m.group(1), m.group(2).replace("\\\"", "\""));
            Matcher req = REQUIRES.matcher(body);
            Matcher pts = POINTS.matcher(body);
            out.add(new Definition(t.group(1), t.group(2), t.group(5) == null ? ">=" : t.group(5), Double.parseDouble(t.group(3)), t.group(4),
                    req.find() ? req.group(1) : null, pts.find() ? Long.parseLong(pts.group(1)) : 0, rule.group(1), meta));
        }
        return out;
    }
}
