package dev.thrillring.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.thrillring.auth.Principal;
import dev.thrillring.problems.Problem;
import io.javalin.http.Context;

import java.io.IOException;
import java.util.UUID;

/** Reading requests the same way everywhere: JSON bodies, path ids, the caller. */
public final class Requests {
    public static final String PRINCIPAL = "thrillring.principal";
    private static final ObjectMapper MAPPER = Json.mapper();

    private Requests() {}

    /** The authenticated caller (set once per request before the handler runs). */
    public static Principal principal(Context ctx) {
        Principal p = ctx.attribute(PRINCIPAL);
        if (p == null) throw new Problem.Unauthenticated("this route needs an API key");
        return p;
    }

    /** A path parameter that must be a UUID. */
    public static UUID uuidPath(Context ctx, String name) {
        String raw = ctx.pathParam(name);
        try {
            if (raw.length() == 36) return UUID.fromString(raw);
        } catch (IllegalArgumentException ignored) {
            // fall through to the problem below
        }
        throw new Problem.Invalid(name, "must be a UUID");
    }

    private static final java.util.regex.Pattern VISIBLE = java.util.regex.Pattern.compile("[\\x21-\\x7E]{1,128}");
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9_-]{1,49}");

    /** An optional user id query parameter: 1 to 128 visible ASCII characters, as in facts. */
    public static String userIdQuery(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null) return null;
        if (!VISIBLE.matcher(v).matches()) throw new Problem.Invalid(name, "must be 1 to 128 visible ASCII characters");
        return v;
    }

    /** An optional platform, board or similar name query parameter. */
    public static String nameQuery(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null) return null;
        if (!NAME.matcher(v).matches()) throw new Problem.Invalid(name, "must be a name of 2 to 50 of a-z, 0-9, '_', '-'");
        return v;
    }

    /** An optional {@code limit} query parameter: {@code dflt} when absent, else 1 to {@code max}. */
    public static int limitQuery(Context ctx, int dflt, int max) {
        int limit = ctx.queryParamAsClass("limit", Integer.class).getOrDefault(dflt);
        if (limit < 1 || limit > max) throw new Problem.Invalid("limit", "must be between 1 and " + max);
        return limit;
    }

    /** A platform, board or similar name in the path. */
    public static String namePath(Context ctx, String name) {
        String v = ctx.pathParam(name);
        if (!NAME.matcher(v).matches()) throw new Problem.Invalid(name, "must be a name of 2 to 50 of a-z, 0-9, '_', '-'");
        return v;
    }

    /** The body as a JSON tree, with its content type checked. */
    public static JsonNode tree(Context ctx) {
        requireJson(ctx);
        try {
            JsonNode node = MAPPER.readTree(ctx.bodyAsBytes());
            if (node == null || node.isMissingNode()) throw new Problem.Malformed("the body is empty; send a JSON document");
            return node;
        } catch (StreamConstraintsException e) {
            throw new Problem.Malformed("the JSON document is nested deeper than " + Json.MAX_DEPTH + " levels or has an oversized value");
        } catch (JsonProcessingException e) {
            throw new Problem.Malformed("the body is not valid JSON: " + e.getOriginalMessage()
                    + location(e));
        } catch (IOException e) {
            throw new Problem.Malformed("the body could not be read");
        }
    }

    /** The body bound to {@code type}; unknown, missing or mistyped fields are named. */
    public static <T> T body(Context ctx, Class<T> type) {
        JsonNode tree = tree(ctx);
        if (!tree.isObject()) throw new Problem.Invalid("(body)", "must be a JSON object");
        unknownFields(tree, type);
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (UnrecognizedPropertyException e) {
            throw new Problem.Invalid(path(e), "is not a known field");
        } catch (InvalidFormatException e) {
            throw new Problem.Invalid(path(e), "has the wrong format");
        } catch (MismatchedInputException e) {
            throw new Problem.Invalid(path(e), "has the wrong type");
        } catch (JsonProcessingException e) {
            throw new Problem.Malformed("the body does not match the expected document");
        }
    }

    /** Every unknown top-level field at once, not just the first one Jackson stops at. */
    private static void unknownFields(JsonNode tree, Class<?> type) {
        if (java.util.Map.class.isAssignableFrom(type) || JsonNode.class.isAssignableFrom(type)) return;
        var known = new java.util.HashSet<String>();
        MAPPER.getDeserializationConfig().introspect(MAPPER.constructType(type)).findProperties().forEach(p -> known.add(p.getName()));
        if (known.isEmpty()) return;
        var errors = new java.util.ArrayList<Problem.Violation>();
        tree.fieldNames().forEachRemaining(f -> { if (!known.contains(f)) errors.add(new Problem.Violation(f, "is not a known field")); });
        if (!errors.isEmpty()) throw new Problem.Invalid(errors);
    }

    private static void requireJson(Context ctx) {
        String ct = ctx.contentType();
        if (ct == null || !ct.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new Problem.Unsupported("send the body as application/json");
        }
    }

    /** A JSON path such as {@code facts[2].occurred_at} for a binding error. */
    static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) sb.append('.');
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.isEmpty() ? "(body)" : sb.toString();
    }

    private static String location(JsonProcessingException e) {
        var loc = e.getLocation();
        return loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
    }
}
