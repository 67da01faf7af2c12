package dev.thrillring.openapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The API's OpenAPI 3.1 document. The contract is written by hand in
 * {@code src/main/resources/openapi/thrillring.yaml} (docs/decisions.md says why); this class reads
 * it once, names the server it is served from, and renders it as JSON and YAML.
 */
public final class OpenApiDocument {
    /** The classpath resource holding the hand-written document. */
    public static final String RESOURCE = "openapi/thrillring.yaml";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode document;
    private final byte[] json;
    private final byte[] yaml;

    private OpenApiDocument(JsonNode document) {
        this.document = document;
        try {
            this.json = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(document);
            this.yaml = YAML.writeValueAsBytes(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the OpenAPI document cannot be rendered", e);
        }
    }

    /** The shipped document, served from {@code publicUrl} (the base of every path). */
    public static OpenApiDocument load(String publicUrl) {
        try (InputStream in = OpenApiDocument.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            ObjectNode doc = (ObjectNode) expand(YAML.readTree(in), null);
            ObjectNode components = (ObjectNode) doc.get("components");
            components.remove(List.of("x-responses", "x-parameters"));
            doc.set("servers", JSON.valueToTree(List.of(Map.of("url", publicUrl, "description", "this ThrillRing node"))));
            return new OpenApiDocument(doc);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /**
     * The tree with every {@code $ref} into {@code #/components/x-...} replaced by a copy of its
     * target: OpenAPI cannot reference a whole {@code responses} map or {@code parameters} list,
     * and the hand-written file shares those between a route and its aliases.
     */
    private static JsonNode expand(JsonNode node, JsonNode root) {
        JsonNode top = root == null ? node : root;
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (node.size() == 1 && ref != null && ref.asText().startsWith("#/components/x-")) {
                JsonNode target = top.at(ref.asText().substring(1));
                if (target.isMissingNode()) throw new IllegalStateException(RESOURCE + ": " + ref.asText() + " names nothing");
                return expand(target.deepCopy(), top);
            }
            ObjectNode out = JSON.createObjectNode();
            node.properties().forEach(e -> out.set(e.getKey(), expand(e.getValue(), top)));
            return out;
        }
        if (node.isArray()) {
            var out = JSON.createArrayNode();
            node.forEach(n -> out.add(expand(n, top)));
            return out;
        }
        return node;
    }

    /**
     * Writes the served document (shorthands expanded) to the file {@code args[0]}, for tools that
     * read a file: the {@code client} build profile generates a Java client from it.
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) throw new IllegalArgumentException("usage: OpenApiDocument FILE.json");
        java.nio.file.Path out = java.nio.file.Path.of(args[0]);
        if (out.getParent() != null) java.nio.file.Files.createDirectories(out.getParent());
        java.nio.file.Files.write(out, load("http://127.0.0.1:7070").json());
    }

    /** The document as a tree (read-only by convention). */
    public JsonNode tree() { return document.deepCopy(); }

    byte[] json() { return json; }

    byte[] yaml() { return yaml; }
}
