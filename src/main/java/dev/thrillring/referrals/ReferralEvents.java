package dev.thrillring.referrals;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.thrillring.web.Json;
import dev.thrillring.auth.Principal;
import dev.thrillring.auth.Role;
import dev.thrillring.db.TenantScope;
import dev.thrillring.problems.Problem;
import dev.thrillring.problems.Problem.Violation;
import org.jooq.DSLContext;
import org.jooq.JSONB;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Clicks and signups a platform's backend posts, at the time they happened, with the referee's
 * context it knows (see {@link RefereeContext}). A signup posted before the conversion lends the
 * conversion its click, e-mail, address and device when the conversion does not carry them.
 */
public final class ReferralEvents {
    private static final Pattern USER = Pattern.compile("[\\x21-\\x7E]{1,128}");
    private static final Set<Role> RECORDERS = Set.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.INGEST);

    private final TenantScope scope;
    private final Clock clock;
    private final ReferralStore store = new ReferralStore();
    private final ReferralEventStore events = new ReferralEventStore();

    public ReferralEvents(TenantScope scope, Clock clock) {
        this.scope = scope;
        this.clock = clock;
    }

    /** A click as a platform's backend reports it. */
    public record NewClick(String referralCode, String occurredAt, Boolean backfill, String ip, String userAgent, String deviceId) {}

    /** A signup of a referred person, before (or without) a conversion. */
    public record NewSignup(String referralCode, String refereeUserId, String clickId, String occurredAt, Boolean backfill,
                            String refereeIp, String refereeUserAgent, String refereeDeviceId, String refereeEmail) {}

    /** Records a click at its own time; answers its id, to be passed with the signup or conversion. */
    public Map<String, Object> click(Principal caller, UUID tenant, NewClick c, String seenIp, String seenDevice) {
        caller.require(tenant, RECORDERS, "record clicks");
        List<Violation> errors = new ArrayList<>();
        if (c.referralCode() == null || c.referralCode().isBlank() || c.referralCode().length() > 32) errors.add(new Violation("referral_code", "is required"));
        RefereeContext who = RefereeContext.of(new RefereeContext.Asserted("ip", c.ip(), "user_agent", c.userAgent(), "device_id", c.deviceId(),
                "email", null), seenIp, seenDevice, errors);
        Instant now = clock.instant();
        return scope.inTenant(tenant, tx -> {
            ReferralStore.Code code = codeOrErrors(tx, tenant, c.referralCode(), errors);
            EventTime at = EventTime.of(c.occurredAt(), c.backfill(), code == null ? 30 : windowDays(tx, tenant, code), now, "occurred_at", errors);
            if (!errors.isEmpty()) throw new Problem.Invalid(errors);
            UUID id = events.insertClick(tx, tenant, code.codeId(), who, at.at(), at.backfilled());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("click_id", id);
            out.put("referral_code", code.code());
            out.put("occurred_at", at.at());
            out.put("backfilled", at.backfilled());
            out.put("inputs", who.inputs());
            return out;
        });
    }

    /**
     * Records a referred person's signup. Once per referee and program: the same referee again
     * answers the first signup ({@code replayed}), or 409 when it came through another code.
     */
    public Map<String, Object> signup(Principal caller, UUID tenant, NewSignup s, String seenIp, String seenDevice) {
        caller.require(tenant, RECORDERS, "record signups");
        List<Violation> errors = new ArrayList<>();
        if (s.referralCode() == null || s.referralCode().isBlank() || s.referralCode().length() > 32) errors.add(new Violation("referral_code", "is required"));
        if (s.refereeUserId() == null || !USER.matcher(s.refereeUserId()).matches()) errors.add(new Violation("referee_user_id", "must be 1 to 128 visible ASCII characters"));
        UUID click = null;
        if (s.clickId() != null) {
            try {
                if (s.clickId().length() != 36) throw new IllegalArgumentException();
                click = UUID.fromString(s.clickId());
            } catch (IllegalArgumentException e) {
                errors.add(new Violation("click_id", "must be a UUID"));
            }
        }
        RefereeContext who = RefereeContext.of(new RefereeContext.Asserted("referee_ip", s.refereeIp(), "referee_user_agent", s.refereeUserAgent(),
                "referee_device_id", s.refereeDeviceId(), "referee_email", s.refereeEmail()), seenIp, seenDevice, errors);
        Instant now = clock.instant();
        UUID clickId = click;
        return scope.inTenant(tenant, tx -> {
            ReferralStore.Code code = codeOrErrors(tx, tenant, s.referralCode(), errors);
            EventTime at = EventTime.of(s.occurredAt(), s.backfill(), code == null ? 30 : windowDays(tx, tenant, code), now, "occurred_at", errors);
            if (code != null && clickId != null && events.click(tx, tenant, clickId).filter(k -> k.codeId().equals(code.codeId())).isEmpty()) {
                errors.add(new Violation("click_id", "no click with this id on this referral code"));
            }
            if (!errors.isEmpty()) throw new Problem.Invalid(errors);
            store.lockCode(tx, tenant, code.codeId());
            UUID id = events.insertSignup(tx, tenant, code, s.refereeUserId(), clickId, who, Json.jsonb(who.inputs()), at.at(), at.backfilled());
            boolean replayed = id == null;
            ReferralEventStore.Signup saved = events.signup(tx, tenant, code.programId(), s.refereeUserId()).orElseThrow();
            if (replayed && !saved.codeId().equals(code.codeId())) {
                throw new Problem.Conflict("referee_user_id", "this referee already signed up through another code of the program");
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("signup_id", saved.signupId());
            out.put("referral_code", code.code());
            out.put("referee_user_id", saved.refereeUserId());
            out.put("click_id", saved.clickId());
            out.put("occurred_at", saved.occurredAt());
            out.put("backfilled", saved.backfilled());
            out.put("inputs", replayed ? null : who.inputs());
            if (replayed) out.put("replayed", true);
            return out;
        });
    }

    private ReferralStore.Code codeOrErrors(DSLContext tx, UUID tenant, String text, List<Violation> errors) {
        if (text == null || text.isBlank() || text.length() > 32) return null;
        var code = store.code(tx, tenant, text);
        if (code.isEmpty()) errors.add(new Violation("referral_code", "no such referral code"));
        return code.orElse(null);
    }

    private int windowDays(DSLContext tx, UUID tenant, ReferralStore.Code code) {
        return store.program(tx, tenant, code.programId()).map(p -> windowDays(p.rewardStructure())).orElse(30);
    }

    /** The program's attribution window in days (30 when not set). */
    static int windowDays(JSONB rewardStructure) {
        try {
            var node = rewardStructure == null ? null : Json.mapper().readTree(rewardStructure.data()).get("attribution_window_days");
            return node != null && node.isInt() ? node.intValue() : 30;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
