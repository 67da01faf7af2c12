package dev.thrillring.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.thrillring.support.TestServer;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The served {@code /openapi.json} read as a client reads it: parsed by swagger-parser, and its
 * schemas compiled by a JSON Schema 2020-12 validator (OpenAPI 3.1's dialect) to check bodies.
 */
final class OpenApiContract {
    static final String BASE = "https://thrillring.invalid/openapi.json";
    static final ObjectMapper JSON = new ObjectMapper();

    final String text;
    final JsonNode tree;
    final SwaggerParseResult parsed;
    private final SchemaRegistry schemas;

    private OpenApiContract(String text) throws Exception {
        this.text = text;
        this.tree = JSON.readTree(text);
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        this.parsed = new OpenAPIV3Parser().readContents(text, null, options);
        this.schemas = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, b -> b.schemas(Map.of(BASE, text)));
    }

    static OpenApiContract served(TestServer app) throws Exception {
        TestServer.Response r = app.get("/openapi.json", null);
        assertThat(r.status()).isEqualTo(200);
        return new OpenApiContract(r.body());
    }

    OpenAPI api() { return parsed.getOpenAPI(); }

    /** Every documented operation as {@code METHOD path}. */
    Set<String> operations() {
        Set<String> out = new TreeSet<>();
        for (Map.Entry<String, PathItem> p : api().getPaths().entrySet()) {
            p.getValue().readOperationsMap().keySet().forEach(m -> out.add(m.name() + " " + p.getKey()));
        }
        return out;
    }

    /**
     * The problems with a response to {@code method template}: the operation, its status and
     * content type must be documented and the body must validate against the documented schema.
     */
    List<String> check(String method, String template, TestServer.Response r) {
        List<String> problems = new ArrayList<>();
        String op = "/paths/" + escape(template) + "/" + method.toLowerCase(Locale.ROOT);
        if (tree.at(op).isMissingNode()) return List.of(method + " " + template + " is not documented");
        String status = Integer.toString(r.status());
        String responses = op + "/responses/";
        String at = !tree.at(responses + status).isMissingNode() ? status
                : !tree.at(responses + status.charAt(0) + "XX").isMissingNode() ? status.charAt(0) + "XX"
                : r.status() >= 400 && !tree.at(responses + "default").isMissingNode() ? "default" : null;
        if (at == null) return List.of(method + " " + template + ": status " + status + " is not documented (" + r.body() + ")");
        String type = r.header("content-type");
        if (type == null || r.body() == null || r.body().isEmpty()) return problems;
        String mediaType = type.split(";")[0].trim();
        String content = resolve(responses + at) + "/content/" + escape(mediaType);
        if (tree.at(content).isMissingNode()) {
            return List.of(method + " " + template + " " + status + ": content type " + mediaType + " is not documented");
        }
        if (tree.at(content + "/schema").isMissingNode()) return problems;
        if (!mediaType.endsWith("json")) return problems;
        Schema schema = schemas.getSchema(SchemaLocation.of(BASE + "#" + content + "/schema"));
        for (Error e : schema.validate(r.body(), InputFormat.JSON)) {
            problems.add(method + " " + template + " " + status + ": " + e.getInstanceLocation() + " " + e.getMessage());
        }
        return problems;
    }

    /** Problems of {@code json} against the schema at {@code pointer} (e.g. {@code /components/schemas/Event}). */
    List<String> checkAgainst(String pointer, String json) {
        assertThat(tree.at(pointer).isMissingNode()).as(pointer).isFalse();
        return schemas.getSchema(SchemaLocation.of(BASE + "#" + pointer)).validate(json, InputFormat.JSON).stream()
                .map(e -> pointer + ": " + e.getInstanceLocation() + " " + e.getMessage()).toList();
    }

    /** The pointer of what {@code pointer} names, following local {@code $ref}s (a response defined under components). */
    String resolve(String pointer) {
        for (int hops = 0; hops < 10; hops++) {
            JsonNode ref = tree.at(pointer).get("$ref");
            if (ref == null || !ref.asText().startsWith("#/")) return pointer;
            pointer = ref.asText().substring(1);
        }
        throw new IllegalStateException("a $ref cycle at " + pointer);
    }

    /** A JSON pointer token (RFC 6901). */
    static String escape(String token) { return token.replace("~", "~0").replace("/", "~1"); }
}
