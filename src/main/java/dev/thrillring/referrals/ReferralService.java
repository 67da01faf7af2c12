package dev.thrillring.referrals;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thrillring.web.Json;
import dev.thrillring.auth.Principal;
import dev.thrillring.auth.Role;
import dev.thrillring.db.TenantScope;
import dev.thrillring.engine.RuleEngine;
import dev.thrillring.engine.RuleSetRegistry;
import dev.thrillring.engine.model.Fact;
import dev.thrillring.engine.model.Outcome;
import dev.thrillring.engine.model.SubjectState;
import dev.thrillring.problems.Problem;
import dev.thrillring.problems.Problem.Violation;
import dev.thrillring.subjects.SubjectStore;
import dev.thrillring.tenants.TenantService;
import org.jooq.JSONB;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Referral programs, codes and the clicks on their share links. The rewards a code can earn are
 * not configured here: they come from the tenant's rules (the referral-reward-tiers table), and
 * {@code potential_rewards} shows what those rules would grant for the referrer's next conversion.
 */
public final class ReferralService {
    private static final ObjectMapper JSON = Json.mapper();
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}");
    private static final Pattern USER = Pattern.compile("[\\x21-\\x7E]{1,128}");
    private static final Set<Role> MANAGERS = Set.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN);
    private static final Set<Role> ISSUERS = Set.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.INGEST);

    private final TenantScope scope;
    private final TenantService tenants;
    private final RuleSetRegistry ruleSets;
    private final RuleEngine engine;
    private final String publicUrl;
    private final Clock clock;
    private final ReferralStore store = new ReferralStore();
    private final SubjectStore subjects = new SubjectStore();
    private final ReferralEvents events;

    public ReferralService(TenantScope scope, TenantService tenants, RuleSetRegistry ruleSets, RuleEngine engine,
                           String publicUrl, Clock clock) {
        this.scope = scope;
        this.tenants = tenants;
        this.ruleSets = ruleSets;
        this.engine = engine;
        this.publicUrl = publicUrl;
        this.clock = clock;
        this.events = new ReferralEvents(scope, clock);
    }

    /** Clicks and signups posted by a platform's backend with their own times. */
    public ReferralEvents events() { return events; }

    /** A program as a client creates it. */
    public record NewProgram(String programName, String landingUrl, Integer attributionWindowDays, Integer holdDays,
                             Map<String, Integer> caps, Double reviewAt, Double rejectAt, String currency) {}

    /** A program as listed. */
    public record ProgramView(UUID programId, String programName, String platform, Object rewardStructure,
                              Object fraudDetectionRules, String landingUrl, String status, OffsetDateTime createdAt) {}

    public ProgramView createProgram(Principal caller, UUID tenant, NewProgram p) {
        caller.require(tenant, MANAGERS, "create referral programs");
        List<Violation> errors = new ArrayList<>();
        if (p.programName() == null || !NAME.matcher(p.programName()).matches()) {
            errors.add(new Violation("program_name", "must be 1 to 100 letters, digits, spaces, '_', '.', '-'"));
        }
        if (p.landingUrl() != null && !validUrl(p.landingUrl())) errors.add(new Violation("landing_url", "must be an http(s) URL of at most 1000 characters"));
        int window = within(p.attributionWindowDays(), 30, 1, 365, "attribution_window_days", errors);
        int hold = within(p.holdDays(), 14, 0, 365, "hold_days", errors);
        Map<String, Integer> caps = new LinkedHashMap<>();
        if (p.caps() != null) {
            p.caps().forEach((k, v) -> {
                if (!Set.of("per_referrer_month", "per_referrer_lifetime").contains(k)) errors.add(new Violation("caps." + k, "is not a known cap"));
                else if (v == null || v < 1 || v > 1_000_000) errors.add(new Violation("caps." + k, "must be from 1 to 1000000"));
                else caps.put(k, v);
            });
        }
        double review = p.reviewAt() == null ? 0.3 : p.reviewAt();
        double reject = p.rejectAt() == null ? 0.8 : p.rejectAt();
        if (!(review > 0 && review < reject && reject <= 1)) errors.add(new Violation("review_at", "must satisfy 0 < review_at < reject_at <= 1"));
        if (p.currency() != null && !Currencies.known(p.currency())) errors.add(new Violation("currency", "must be an ISO 4217 code such as EUR"));
        if (!errors.isEmpty()) throw new Problem.Invalid(errors);
        String platform = platformOf(tenant);
        Map<String, Object> rewards = new LinkedHashMap<>();
        rewards.put("tiers", "rules: referral-reward-tiers decision table");
        rewards.put("attribution_window_days", window);
        rewards.put("hold_days", hold);
        rewards.put("caps", caps);
        rewards.put("currency", p.currency() == null ? Currencies.DEFAULT : p.currency());
        Map<String, Object> fraud = Map.of("review_at", review, "reject_at", reject, "indicators", "rules: fraud-indicators decision table");
        return view(scope.inTenant(tenant, tx -> {
            if (store.programByName(tx, tenant, p.programName()).isPresent()) {
                throw new Problem.Conflict("program_name", "the tenant already has a program named '" + p.programName() + "'");
            }
            ReferralStore.Program created = store.insertProgram(tx, tenant, p.programName(), platform, Json.jsonb(rewards), Json.jsonb(fraud), p.landingUrl());
            new dev.thrillring.audit.AuditStore().record(tx, tenant, caller, "referral.program_created",
                    "referral_program/" + created.programId(), null, Map.of("program_name", p.programName(), "reward_structure", rewards, "fraud", fraud));
            return created;
        }));
    }

    public List<ProgramView> programs(Principal caller, UUID tenant) {
        caller.requireTenant(tenant);
        return scope.inTenant(tenant, tx -> store.programs(tx, tenant)).stream().map(ReferralService::view).toList();
    }

    /** The seed's {@code ReferralCodeRequest}, plus who refers and the code's own limits. */
    public record CodeRequest(String tenantId, String programType, Map<String, Object> customRewards, Integer expiryDays,
                              String referrerUserId, String vanityCode, Integer usageLimit, String referrerEmail) {}

    /**
     * Issues a referral code of the tenant's program {@code program_type} (the default program
     * {@code standard} is created on first use) and answers the seed's {@code ReferralCodeResponse}.
     */
    public Map<String, Object> generateCode(Principal caller, CodeRequest r) { return generateCode(caller, r, null, null); }

    /**
     * As {@link #generateCode(Principal, CodeRequest)}, remembering the referrer's address and
     * device as the service saw them (same-IP and same-device fraud signals compare against them).
     */
    public Map<String, Object> generateCode(Principal caller, CodeRequest r, String referrerIp, String referrerDevice) {
        List<Violation> errors = new ArrayList<>();
        UUID tenant = null;
        if (r.tenantId() == null) errors.add(new Violation("tenant_id", "is required"));
        else {
            try {
                tenant = UUID.fromString(r.tenantId());
            } catch (IllegalArgumentException e) {
                errors.add(new Violation("tenant_id", "must be a UUID"));
            }
        }
        String programName = r.programType() == null ? "standard" : r.programType();
        if (!NAME.matcher(programName).matches()) errors.add(new Violation("program_type", "must name one of the tenant's programs"));
        int expiryDays = within(r.expiryDays(), 365, 1, 3650, "expiry_days", errors);
        int usageLimit = within(r.usageLimit(), 0, 0, 1_000_000, "usage_limit", errors);
        if (r.referrerUserId() != null && !USER.matcher(r.referrerUserId()).matches()) {
            errors.add(new Violation("referrer_user_id", "must be 1 to 128 visible ASCII characters"));
        }
        if (r.vanityCode() != null && !ReferralCodes.validVanity(r.vanityCode())) {
            errors.add(new Violation("vanity_code", "must be 4 to 32 letters, digits and inner dashes"));
        }
        if (r.customRewards() != null && r.customRewards().size() > 20) errors.add(new Violation("custom_rewards", "may hold at most 20 entries"));
        if (r.referrerEmail() != null && !EmailAddresses.valid(r.referrerEmail())) errors.add(new Violation("referrer_email", "must be an e-mail address"));
        if (!errors.isEmpty()) throw new Problem.Invalid(errors);
        // Kept in its normal form only: the e-mail identity signal compares normal forms.
        String referrerEmail = r.referrerEmail() == null ? null : EmailAddresses.normalise(r.referrerEmail());
        UUID t = tenant;
        caller.require(t, ISSUERS, "issue referral codes");
        String platform = platformOf(t);
        OffsetDateTime expiry = clock.instant().plusSeconds(expiryDays * 86_400L).atOffset(ZoneOffset.UTC);
        JSONB custom = r.customRewards() == null ? null : Json.jsonb(r.customRewards());
        ReferralStore.Code code = scope.inTenant(t, tx -> {
            ReferralStore.Program program = store.programByName(tx, t, programName).orElseGet(() -> {
                if (!programName.equals("standard")) throw new Problem.Invalid("program_type", "the tenant has no program named '" + programName + "'");
                Map<String, Object> rewards = Map.of("tiers", "rules: referral-reward-tiers decision table", "attribution_window_days", 30,
                        "hold_days", 14, "caps", Map.of());
                return store.insertProgram(tx, t, "standard", platform, Json.jsonb(rewards),
                        Json.jsonb(Map.of("review_at", 0.3, "reject_at", 0.8, "indicators", "rules: fraud-indicators decision table")), null);
            });
            if (r.vanityCode() != null) {
                return store.insertCode(tx, t, program.programId(), ReferralCodes.normalise(r.vanityCode()), r.referrerUserId(), usageLimit, expiry, custom,
                        referrerIp, referrerDevice, referrerEmail)
                        .orElseThrow(() -> new Problem.Conflict("vanity_code", "the code '" + r.vanityCode() + "' is taken"));
            }
            for (int attempt = 0; attempt < 5; attempt++) {
                Optional<ReferralStore.Code> c = store.insertCode(tx, t, program.programId(), ReferralCodes.generate(), r.referrerUserId(), usageLimit, expiry, custom,
                        referrerIp, referrerDevice, referrerEmail);
                if (c.isPresent()) return c.get();
            }
            throw new IllegalStateException("five random referral codes in a row were taken");
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("referral_code", code.code());
        out.put("share_url", publicUrl + "/r/" + code.code());
        out.put("potential_rewards", potentialRewards(t, platform, r.referrerUserId(), r.customRewards()));
        out.put("tracking_metrics", metrics(t, code));
        return out;
    }

    /** A code with its funnel figures so far. */
    public Map<String, Object> code(Principal caller, UUID tenant, String code) {
        caller.requireTenant(tenant);
        ReferralStore.Code c = scope.inTenant(tenant, tx -> store.code(tx, tenant, code))
                .orElseThrow(() -> new Problem.NotFound("no referral code '" + code + "'"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("referral_code", c.code());
        out.put("program_id", c.programId());
        out.put("referrer_user_id", c.referrerUserId());
        out.put("status", c.status());
        out.put("share_url", publicUrl + "/r/" + c.code());
        out.put("custom_rewards", c.customRewards() == null ? null : read(c.customRewards()));
        out.put("tracking_metrics", metrics(tenant, c));
        return out;
    }

    /** Where a click on a share link leads, and the click's id. */
    public record Click(UUID clickId, String code, String redirectTo) {}

    /**
     * Records a click on a share link with the signals the service sees itself (address, user
     * agent, the device fingerprint the landing page passes) and says where to send the visitor.
     */
    public Click click(String codeText, String ip, String userAgent, String device) {
        if (codeText == null || codeText.length() > 32) throw new Problem.NotFound("no such referral code");
        UUID tenant = store.tenantOfCode(scope.unscoped(), codeText).orElseThrow(() -> new Problem.NotFound("no such referral code"));
        return scope.inTenant(tenant, tx -> {
            ReferralStore.Code code = store.code(tx, tenant, codeText).orElseThrow(() -> new Problem.NotFound("no such referral code"));
            UUID click = store.insertClick(tx, tenant, code.codeId(), ip, truncate(userAgent, 500), device == null ? null : truncate(device, 128));
            boolean usable = code.status().equals("active") && (code.expiryDate() == null || code.expiryDate().toInstant().isAfter(clock.instant()))
                    && (code.usageLimit() == 0 || code.usageCount() < code.usageLimit());
            String landing = store.program(tx, tenant, code.programId()).map(ReferralStore.Program::landingUrl).orElse(null);
            String target = landing == null ? null : landing + (landing.contains("?") ? "&" : "?") + "ref=" + code.code()
                    + "&click=" + click + (usable ? "" : "&expired=true");
            return new Click(click, code.code(), target);
        });
    }

    private Map<String, Object> metrics(UUID tenant, ReferralStore.Code code) {
        return scope.inTenant(tenant, tx -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("clicks", store.clicks(tx, tenant, code.codeId()));
            m.put("conversions", store.conversions(tx, tenant, code.codeId(), null));
            m.put("approved_conversions", store.conversions(tx, tenant, code.codeId(), "approved"));
            m.put("usage_count", code.usageCount());
            m.put("usage_limit", code.usageLimit());
            m.put("expires_at", code.expiryDate());
            return m;
        });
    }

    /**
     * What the tenant's rules would grant for the referrer's next converted referral: a dry
     * evaluation of a {@code referral.converted} fact with the referrer's current state.
     */
    private Map<String, Object> potentialRewards(UUID tenant, String platform, String referrer, Map<String, Object> custom) {
        Instant now = clock.instant();
        SubjectState state = scope.inTenant(tenant, tx -> subjects.load(tx, tenant, referrer, now));
        var ruleSet = ruleSets.forTenant(tenant, platform);
        Map<String, Object> out = new LinkedHashMap<>();
        for (String type : List.of("signup", "subscription", "purchase")) {
            // Two dry evaluations, at value 0 and 100, split a reward into its fixed part and its share of the value.
            Map<String, Double> fixed = rewards(ruleSet, tenant, referrer, type, 0, state, now);
            Map<String, Double> at100 = rewards(ruleSet, tenant, referrer, type, 100, state, now);
            Map<String, Object> byParty = new LinkedHashMap<>();
            for (String key : at100.keySet()) {
                String[] partyTier = key.split("\\|");
                double f = fixed.getOrDefault(key, 0.0);
                byParty.put(partyTier[0], Map.of("tier", partyTier[1], "fixed", f, "percent_of_value", Math.round((at100.get(key) - f) * 1000) / 1000.0));
            }
            if (!byParty.isEmpty()) out.put(type, byParty);
        }
        out.put("converted_referrals_so_far", state.getReferralsConverted());
        if (custom != null) out.put("custom_rewards", custom);
        out.put("rule_set_version", ruleSet.version());
        return out;
    }

    private Map<String, Double> rewards(dev.thrillring.engine.CompiledRuleSet set, UUID tenant, String referrer, String type, double value,
                                        SubjectState state, Instant now) {
        SubjectState copy = new SubjectState(tenant, referrer, Map.of(), state.unlockedAchievements(), state.getReferralsConverted());
        var e = engine.evaluate(set, new Fact("potential-rewards", tenant, referrer, "referral.converted", now,
                Map.of("conversion_type", type, "conversion_value", value)), copy);
        Map<String, Double> out = new LinkedHashMap<>();
        for (Outcome o : e.outcomes()) {
            if (o.kind().equals("reward")) out.put(o.details().get("party") + "|" + o.details().get("tier"), ((Number) o.details().get("amount")).doubleValue());
        }
        return out;
    }

    private static int within(Integer v, int dflt, int min, int max, String field, List<Violation> errors) {
        if (v == null) return dflt;
        if (v < min || v > max) errors.add(new Violation(field, "must be from " + min + " to " + max));
        return v;
    }

    private static boolean validUrl(String s) {
        if (s.length() > 1000) return false;
        try {
            URI u = URI.create(s);
            return ("https".equals(u.getScheme()) || "http".equals(u.getScheme())) && u.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String truncate(String s, int max) { return s == null ? null : s.length() > max ? s.substring(0, max) : s; }

    private String platformOf(UUID tenant) {
        return tenants.platformOf(tenant).orElseThrow(() -> new Problem.NotFound("no tenant " + tenant));
    }


    private static ProgramView view(ReferralStore.Program p) {
        return new ProgramView(p.programId(), p.programName(), p.platform(), read(p.rewardStructure()), read(p.fraudDetectionRules()),
                p.landingUrl(), p.status(), p.createdAt());
    }


    private static Object read(JSONB j) {
        try {
            return j == null ? null : JSON.readValue(j.data(), Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
