package dev.thrillring.referrals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thrillring.auth.Principal;
import dev.thrillring.problems.Problem;
import dev.thrillring.web.Json;

import java.util.Map;
import java.util.Set;

/**
 * The seed's call shape of {@code track-conversion}: {@code referral_code} as a query parameter
 * (FastAPI's reading of a plain {@code str} argument) or in the body, with {@code conversion_data}
 * either as the whole body or under that key. Mapped onto {@link ConversionService.NewConversion}.
 */
final class SeedConversion {
    /** conversion_data keys and the fields they fill. */
    private static final Map<String, String> FIELDS = Map.ofEntries(
            Map.entry("tenant_id", "tenant_id"), Map.entry("user_id", "referee_user_id"),
            Map.entry("referee_user_id", "referee_user_id"), Map.entry("conversion_type", "conversion_type"),
            Map.entry("conversion_value", "conversion_value"), Map.entry("order_id", "order_id"),
            Map.entry("email", "referee_email"), Map.entry("referee_email", "referee_email"),
            Map.entry("referee_tenant_id", "referee_tenant_id"), Map.entry("click_id", "click_id"));
    /**
     * The seed's fraud hints, claimed by the caller. Accepted so seed clients work, but not
     * trusted: the service measures timing, addresses and devices itself (fraud signals).
     */
    private static final Set<String> CLAIMED_SIGNALS = Set.of("time_to_convert", "same_ip_as_referrer",
            "same_device_as_referrer", "referrer_conversion_history");

    private SeedConversion() {}

    /** True when the request uses the seed's shape rather than the flat {@code NewConversion} body. */
    static boolean applies(String queryCode, JsonNode body) {
        return queryCode != null || body.has("conversion_data");
    }

    static ConversionService.NewConversion read(Principal caller, String queryCode, JsonNode body) {
        JsonNode data = body.has("conversion_data") ? body.get("conversion_data") : body;
        if (!data.isObject()) throw new Problem.Invalid("conversion_data", "must be a JSON object");
        if (body.has("conversion_data")) {
            body.fieldNames().forEachRemaining(f -> {
                if (!f.equals("conversion_data") && !f.equals("referral_code")) throw new Problem.Invalid(f, "is not a known field");
            });
        }
        String code = queryCode != null ? queryCode : body.path("referral_code").isTextual() ? body.get("referral_code").asText() : null;
        if (queryCode != null && body.has("referral_code") && !queryCode.equals(body.path("referral_code").asText())) {
            throw new Problem.Invalid("referral_code", "differs between the query and the body");
        }
        ObjectNode flat = Json.mapper().createObjectNode();
        var fields = data.fields();
        while (fields.hasNext()) {
            var f = fields.next();
            String name = f.getKey();
            if (name.equals("referral_code") && !body.has("conversion_data")) continue;
            if (CLAIMED_SIGNALS.contains(name)) continue;
            String target = FIELDS.get(name);
            if (target == null) throw new Problem.Invalid("conversion_data." + name, "is not a known field");
            if (flat.has(target)) throw new Problem.Invalid("conversion_data." + name, "repeats another field");
            flat.set(target, f.getValue());
        }
        if (!flat.has("tenant_id") && caller.tenantId().isPresent()) flat.put("tenant_id", caller.tenantId().get().toString());
        if (code != null) flat.put("referral_code", code);
        try {
            return Json.mapper().treeToValue(flat, ConversionService.NewConversion.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new Problem.Invalid("conversion_data", "has a field of the wrong type");
        }
    }
}
