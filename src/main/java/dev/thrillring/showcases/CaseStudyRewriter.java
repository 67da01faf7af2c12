package dev.thrillring.showcases;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Optional polish of the deterministic case studies by an OpenAI-compatible chat endpoint
 * ({@code THRILLRING_WRITER_URL}). The model only rewords: a rewrite is kept only when every
 * field carries exactly the numbers of the deterministic text, says nothing about a direction
 * (rise or fall) the data did not, adds no link, and stays short. Anything else, including a
 * timeout or an unreadable answer, keeps the deterministic text. Off by default.
 */
public final class CaseStudyRewriter {
    private static final Logger LOG = LoggerFactory.getLogger(CaseStudyRewriter.class);

    /** Where the endpoint is, which model, and the bearer key if it wants one. */
    public record Settings(URI baseUrl, String model, Optional<String> apiKey, Duration timeout) {
        public static Optional<Settings> fromEnv(Map<String, String> env) {
            String url = env.get("THRILLRING_WRITER_URL");
            if (url == null || url.isBlank()) return Optional.empty();
            URI base = URI.create(url.trim().replaceAll("/+$", ""));
            if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) {
                throw new IllegalArgumentException("THRILLRING_WRITER_URL must be an http(s) URL, got '" + url + "'");
            }
            String model = env.getOrDefault("THRILLRING_WRITER_MODEL", "gpt-4o-mini").trim();
            String key = env.get("THRILLRING_WRITER_API_KEY");
            return Optional.of(new Settings(base, model, key == null || key.isBlank() ? Optional.empty() : Optional.of(key.trim()),
                    Duration.ofSeconds(20)));
        }
    }

    /** How a rewrite ended; counted, and recorded on each study as {@code written_by}. */
    public enum Outcome { KEPT, NUMBERS_CHANGED, REFUSED, FAILED }

    static final String SYSTEM_PROMPT = """
            You polish short case studies for a public results page. Rewrite the JSON you are given
            so it reads well, in the same language, keeping its meaning. Rules: keep every number,
            date and percentage exactly as written and add no new ones; do not say a value rose
            when it fell or the reverse; add no links, names or claims that are not in the input.
            Answer with JSON only, of the same shape: {"title": ..., "summary": ..., "body": [...]}
            with as many body paragraphs as the input.""";

    // Digits with separators inside (1,234 / 12.5 / 2026-11-30 pieces), read as one number each.
    private static final Pattern NUMBER = Pattern.compile("\\d+(?:[.,]\\d+)*");
    private static final Set<String> NUMBER_WORDS = Set.of("zero", "one", "two", "three", "four", "five", "six", "seven",
            "eight", "nine", "ten", "eleven", "twelve", "twenty", "thirty", "forty", "fifty", "hundred", "thousand",
            "million", "billion", "dozen", "half", "twice", "double", "doubled", "triple", "tripled", "quadrupled", "percent");
    private static final Set<String> FALL_WORDS = Set.of("fell", "fall", "falls", "dropped", "drop", "drops", "declined",
            "decline", "decreased", "decrease", "down", "lower", "lost", "shrank", "worse", "worsened");
    private static final Pattern WORD = Pattern.compile("\\p{L}+");
    // A sign directly before a number, not the hyphen inside a date such as 2026-11.
    private static final Pattern SIGNED = Pattern.compile("(?<![\\d\\p{L}])([+\\-−])\\s?(\\d+(?:[.,]\\d+)*)");
    private static final int MAX_GROWTH = 3;

    // Plain mapper: the model's answer is not ours to be strict about, only its checked fields count.
    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();

    private final Settings settings;
    private final HttpClient http;
    private final Map<Outcome, AtomicLong> counts = new java.util.EnumMap<>(Outcome.class);

    public CaseStudyRewriter(Settings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        for (Outcome o : Outcome.values()) counts.put(o, new AtomicLong());
    }

    /** Rewrites made so far, by outcome (for {@code /metrics} and tests). */
    public Map<Outcome, Long> counts() {
        Map<Outcome, Long> out = new java.util.EnumMap<>(Outcome.class);
        counts.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** Each study rewritten where the rewrite passes the checks, else as it was. Never throws. */
    List<Map<String, Object>> rewrite(List<Map<String, Object>> studies) {
        List<Map<String, Object>> out = new ArrayList<>(studies.size());
        for (Map<String, Object> s : studies) out.add(rewriteOne(s));
        return out;
    }

    private Map<String, Object> rewriteOne(Map<String, Object> study) {
        Outcome outcome;
        Map<String, Object> result = study;
        try {
            Optional<Map<String, Object>> proposed = ask(study);
            if (proposed.isEmpty()) {
                outcome = Outcome.REFUSED;
            } else if (!faithful(study, proposed.get())) {
                outcome = Outcome.NUMBERS_CHANGED;
            } else {
                outcome = Outcome.KEPT;
                result = new LinkedHashMap<>(study);
                result.putAll(proposed.get());
                result.put("written_by", "model");
            }
        } catch (Exception e) {
            // The page must not depend on a model being up.
            LOG.warn("case study rewrite failed, keeping the deterministic text: {}", e.toString());
            outcome = Outcome.FAILED;
        }
        counts.get(outcome).incrementAndGet();
        if (result == study) {
            result = new LinkedHashMap<>(study);
            result.put("written_by", "template");
        }
        return result;
    }

    /** The model's proposal as {title, summary, body}, or empty when the answer is not that shape. */
    private Optional<Map<String, Object>> ask(Map<String, Object> study) throws Exception {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("title", study.get("title"));
        input.put("summary", study.get("summary"));
        input.put("body", study.get("body"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", settings.model());
        body.put("temperature", 0);
        body.put("messages", List.of(Map.of("role", "system", "content", SYSTEM_PROMPT),
                Map.of("role", "user", "content", MAPPER.writeValueAsString(input))));
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(settings.baseUrl() + "/chat/completions"))
                .timeout(settings.timeout()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(MAPPER.writeValueAsString(body)));
        settings.apiKey().ifPresent(k -> req.header("Authorization", "Bearer " + k));
        HttpResponse<String> res = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) throw new IllegalStateException("writer answered HTTP " + res.statusCode());
        JsonNode content = MAPPER.readTree(res.body()).path("choices").path(0).path("message").path("content");
        if (!content.isTextual()) return Optional.empty();
        String text = content.asText().strip();
        // Models often fence JSON in markdown.
        text = text.replaceFirst("^```(?:json)?\\s*", "").replaceFirst("\\s*```$", "");
        JsonNode n;
        try {
            n = MAPPER.readTree(text);
        } catch (Exception e) {
            return Optional.empty();
        }
        if (n == null || !n.path("title").isTextual() || !n.path("summary").isTextual() || !n.path("body").isArray()) return Optional.empty();
        List<String> paragraphs = new ArrayList<>();
        for (JsonNode p : n.path("body")) {
            if (!p.isTextual()) return Optional.empty();
            paragraphs.add(p.asText().strip());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("title", n.path("title").asText().strip());
        out.put("summary", n.path("summary").asText().strip());
        out.put("body", paragraphs);
        return Optional.of(out);
    }

    /** True when each field of the rewrite says the same numbers and directions as the original. */
    static boolean faithful(Map<String, Object> original, Map<String, Object> rewrite) {
        if (!sameFacts((String) original.get("title"), (String) rewrite.get("title"))) return false;
        if (!sameFacts((String) original.get("summary"), (String) rewrite.get("summary"))) return false;
        @SuppressWarnings("unchecked") List<String> a = (List<String>) original.get("body");
        @SuppressWarnings("unchecked") List<String> b = (List<String>) rewrite.get("body");
        if (a == null || b == null || a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) if (!sameFacts(a.get(i), b.get(i))) return false;
        return true;
    }

    static boolean sameFacts(String original, String rewrite) {
        if (original == null || rewrite == null) return original == rewrite;
        if (rewrite.isBlank() || rewrite.length() > MAX_GROWTH * original.length() + 80) return false;
        if (!numbers(original).equals(numbers(rewrite))) return false;
        Set<String> before = words(original);
        Set<String> after = words(rewrite);
        for (String w : after) {
            if (NUMBER_WORDS.contains(w) && !before.contains(w)) return false;
        }
        if (hasAny(before, FALL_WORDS) != hasAny(after, FALL_WORDS)) return false;
        String lo = original.toLowerCase(Locale.ROOT), lr = rewrite.toLowerCase(Locale.ROOT);
        for (String link : List.of("http", "www.", "://", "<", ">")) {
            if (lr.contains(link) && !lo.contains(link)) return false;
        }
        // A minus or plus sign in front of a number changes its meaning.
        return signs(original).equals(signs(rewrite));
    }

    /** The numbers of a text, as written with group separators removed, sorted (a multiset is too strict for rewording). */
    static Set<String> numbers(String text) {
        Set<String> out = new TreeSet<>();
        Matcher m = NUMBER.matcher(text);
        while (m.find()) {
            String n = m.group();
            // "1,234" and "1234" are the same number; "12.5" keeps its point.
            if (n.matches("\\d{1,3}(,\\d{3})+")) n = n.replace(",", "");
            out.add(n);
        }
        return out;
    }

    private static Set<String> signs(String text) {
        Set<String> out = new TreeSet<>();
        Matcher m = SIGNED.matcher(text);
        while (m.find()) out.add((m.group(1).equals("+") ? "+" : "-") + m.group(2));
        return out;
    }

    private static Set<String> words(String text) {
        Set<String> out = new java.util.HashSet<>();
        Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) out.add(m.group());
        return out;
    }

    private static boolean hasAny(Set<String> words, Set<String> of) {
        for (String w : words) if (of.contains(w)) return true;
        return false;
    }
}
