package dev.thrillring.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thrillring.auth.Principal;
import dev.thrillring.auth.Role;
import dev.thrillring.platforms.PlatformService;
import dev.thrillring.referrals.ReferralService;
import dev.thrillring.tenants.IssuedKey;
import dev.thrillring.tenants.TenantService;
import dev.thrillring.web.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Demo mode ({@code serve --demo} or {@code THRILLRING_DEMO=true}): one sample tenant per shipped
 * platform, named {@code demo-…}, each with referral codes, then a steady, bounded trickle of
 * facts and referral conversions posted to the service's own HTTP API with the tenants' ingest
 * keys, so they take the path every client's facts take. Nothing here runs without the flag.
 */
public final class DemoMode {
    private static final Logger log = LoggerFactory.getLogger(DemoMode.class);
    /** The demo acts as the operator would, under a name of its own in the audit log. */
    private static final Principal DEMO = new Principal("demo-mode", Role.PLATFORM_ADMIN, Optional.empty(), Optional.empty(), t -> Optional.empty(), null);

    private final TenantService tenants;
    private final PlatformService platforms;
    private final ReferralService referrals;
    private final List<String> registered;

    /** @param registered the platforms the service knows; samples exist only for the shipped three */
    public DemoMode(TenantService tenants, PlatformService platforms, ReferralService referrals, List<String> registered) {
        this.tenants = tenants;
        this.platforms = platforms;
        this.referrals = referrals;
        this.registered = List.copyOf(registered);
    }

    /** True for a tenant created by the demo mode; the console marks it as demo data. */
    public static boolean isDemo(String tenantName) { return DemoCatalogue.isDemo(tenantName); }

    /** A demo tenant and the keys issued for it at this start (the keys of earlier starts are revoked). */
    public record DemoTenant(UUID tenantId, String name, String platform, String adminKey, String ingestKey, List<Referrer> referrers) {}

    /** A referrer of a demo tenant: its code and the device and address it was issued from. */
    public record Referrer(String userId, String code, String device, String ip) {}

    /** What was set up, and the running feed; closing it stops the feed. */
    public record Started(List<DemoTenant> tenants, DemoFeed feed) implements AutoCloseable {
        @Override public void close() { feed.close(); }
    }

    /**
     * Creates the demo tenants that do not exist yet (an earlier start's are reused), issues fresh
     * keys and referral codes, and starts feeding them through the HTTP API at {@code baseUrl}.
     */
    public Started start(String baseUrl, Duration tick, long maxTicks) {
        List<DemoTenant> made = new ArrayList<>();
        for (DemoCatalogue.Sample s : DemoCatalogue.SAMPLES) {
            if (!registered.contains(s.platform())) continue;
            made.add(prepare(s));
        }
        DemoFeed feed = new DemoFeed(baseUrl, made, tick, maxTicks);
        feed.start();
        log.info("demo mode: {} demo tenants, each fed one or two facts every {} ms and a referral conversion every fifth time", made.size(), tick.toMillis());
        return new Started(made, feed);
    }

    private DemoTenant prepare(DemoCatalogue.Sample s) {
        UUID id = existing(s).orElseGet(() -> tenants.create(DEMO, new TenantService.NewTenant(s.name(), s.platform(), s.industry())).tenantId());
        // Keys are shown once: a new start cannot print the old ones, so it revokes them and issues new ones.
        for (JsonNode k : Json.mapper().valueToTree(tenants.keys(DEMO, id))) {
            if (k.path("revoked_at").isNull() || k.path("revoked_at").isMissingNode()) tenants.revokeKey(DEMO, id, UUID.fromString(k.path("key_id").asText()));
        }
        IssuedKey admin = tenants.issueKey(DEMO, id, "tenant_admin");
        IssuedKey ingest = tenants.issueKey(DEMO, id, "ingest");
        List<Referrer> referrers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String user = DemoCatalogue.USERS.get(i);
            String device = "demo-device-" + user;
            String ip = "203.0.113." + (10 + i);
            var request = new ReferralService.CodeRequest(id.toString(), "standard", null, 90, user, null, null,
                    user + "@" + s.name().substring(DemoCatalogue.PREFIX.length()) + ".example.com");
            var code = withRetry(() -> referrals.generateCode(DEMO, request, ip, device));
            referrers.add(new Referrer(user, String.valueOf(code.get("referral_code")), device, ip));
        }
        return new DemoTenant(id, s.name(), s.platform(), admin.apiKey(), ingest.apiKey(), referrers);
    }

    /**
     * A code's rules are the first evaluation of a tenant's new rule set: on a saturated machine
     * that one can overrun the evaluation deadline while the next is fast. The demo tries again
     * rather than fail its start.
     */
    private static <T> T withRetry(java.util.function.Supplier<T> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (dev.thrillring.engine.RuleFailure e) {
                if (attempt == 3) throw e;
                log.warn("demo mode: {} (attempt {} of 3, trying again)", e.getMessage(), attempt);
            }
        }
    }

    private Optional<UUID> existing(DemoCatalogue.Sample s) {
        for (JsonNode t : Json.mapper().valueToTree(platforms.tenants(DEMO, s.platform()))) {
            if (s.name().equals(t.path("name").asText())) return Optional.of(UUID.fromString(t.path("tenant_id").asText()));
        }
        return Optional.empty();
    }
}
