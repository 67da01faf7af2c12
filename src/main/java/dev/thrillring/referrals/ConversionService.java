package dev.thrillring.referrals;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thrillring.decisions.Decided;
import dev.thrillring.decisions.DecisionWriter;
import dev.thrillring.events.Event;
import dev.thrillring.events.EventLog;
import dev.thrillring.web.Json;
import dev.thrillring.audit.AuditStore;
import dev.thrillring.auth.Principal;
import dev.thrillring.auth.Role;
import dev.thrillring.db.TenantScope;
import dev.thrillring.engine.Evaluation;
import dev.thrillring.engine.RuleEngine;
import dev.thrillring.engine.RuleSetRegistry;
import dev.thrillring.engine.model.Fact;
import dev.thrillring.engine.model.Outcome;
import dev.thrillring.engine.model.SubjectState;
import dev.thrillring.problems.Problem;
import dev.thrillring.problems.Problem.Violation;
import dev.thrillring.subjects.SubjectStore;
import dev.thrillring.tenants.TenantService;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.Record;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import static dev.thrillring.db.schema.Tables.REFERRAL_CONVERSIONS;

/**
 * Conversions: the service computes the fraud signals from its own records, the tenant's rules
 * weigh them and pick the reward tier, the score's band decides (approve, review, reject), and
 * rewards go into the append-only ledger with their hold. Reviews, refunds and payouts follow.
 */
public final class ConversionService {
    private static final ObjectMapper JSON = Json.mapper();
    private static final Pattern ID = Pattern.compile("[\\x21-\\x7E]{1,128}");
    private static final Set<String> TYPES = Set.of("signup", "subscription", "purchase");
    private static final Set<Role> RECORDERS = Set.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.INGEST);
    private static final Set<Role> REVIEWERS = Set.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN);
    private static final Set<Role> READERS = Set.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST);

    private final TenantScope scope;
    private final TenantService tenants;
    private final RuleSetRegistry ruleSets;
    private final RuleEngine engine;
    private final DecisionWriter decisions;
    private final Clock clock;
    private final ReferralStore store = new ReferralStore();
    private final RewardLedger ledger = new RewardLedger();
    private final SubjectStore subjects = new SubjectStore();
    private final AuditStore audit = new AuditStore();
    private final ReferralEventStore events = new ReferralEventStore();
    private final ConversionListing listing = new ConversionListing();

    public ConversionService(TenantScope scope, TenantService tenants, RuleSetRegistry ruleSets, RuleEngine engine,
                             DecisionWriter decisions, Clock clock) {
        this.scope = scope;
        this.tenants = tenants;
        this.ruleSets = ruleSets;
        this.engine = engine;
        this.decisions = decisions;
        this.clock = clock;
    }

    /**
     * What a platform posts when a referred customer converts. {@code occurred_at} says when it
     * happened ({@code backfill} for history older than the attribution window); a server-to-server
     * caller may assert the referee's address, user agent and device ({@link RefereeContext}).
     */
    public record NewConversion(String tenantId, String referralCode, String conversionType, BigDecimal conversionValue,
                                String orderId, String refereeTenantId, String refereeUserId, String refereeEmail, String clickId,
                                String occurredAt, Boolean backfill, String refereeIp, String refereeUserAgent, String refereeDeviceId) {}

    /**
     * Records a conversion. Idempotent by order id: the same order with the same body returns the
     * first answer; with another body it is a conflict.
     *
     * @param ip     the caller's address as the service saw it (trusted proxies honoured); used for
     *               the referee unless the body asserts {@code referee_ip}
     * @param device the device fingerprint header; used unless the body asserts {@code referee_device_id}
     */
    public Map<String, Object> track(Principal caller, NewConversion r, String ip, String device) {
        List<Violation> errors = new ArrayList<>();
        RefereeContext asserted = RefereeContext.of(new RefereeContext.Asserted("referee_ip", r.refereeIp(), "referee_user_agent", r.refereeUserAgent(),
                "referee_device_id", r.refereeDeviceId(), "referee_email", r.refereeEmail()), ip, device, errors);
        Checked c = check(r, errors);
        caller.require(c.tenant, RECORDERS, "record conversions");
        String platform = tenants.platformOf(c.tenant).orElseThrow(() -> new Problem.NotFound("no tenant " + c.tenant));
        Instant now = clock.instant();
        String hash = ConversionRequests.hash(r);
        return scope.inTenant(c.tenant, tx -> {
            ReferralStore.Code code = store.code(tx, c.tenant, r.referralCode())
                    .orElseThrow(() -> new Problem.Invalid("referral_code", "no such referral code"));
            store.lockCode(tx, c.tenant, code.codeId());
            if (r.orderId() != null) {
                var existing = tx.select(REFERRAL_CONVERSIONS.ID, REFERRAL_CONVERSIONS.REQUEST_HASH).from(REFERRAL_CONVERSIONS)
                        .where(REFERRAL_CONVERSIONS.TENANT_ID.eq(c.tenant).and(REFERRAL_CONVERSIONS.PROGRAM_ID.eq(code.programId()))
                                .and(REFERRAL_CONVERSIONS.ORDER_ID.eq(r.orderId()))).fetchOne();
                if (existing != null) {
                    if (existing.value2() != null && !existing.value2().equals(hash)) {
                        throw new Problem.Conflict("order_id", "order " + r.orderId() + " was already recorded with a different body");
                    }
                    Map<String, Object> v = view(tx, c.tenant, existing.value1());
                    v.put("replayed", true);
                    return v;
                }
            }
            ReferralStore.Program program = store.program(tx, c.tenant, code.programId()).orElseThrow();
            if (!program.status().equals("active")) throw new Problem.Invalid("referral_code", "the code's program is " + program.status());
            if (!code.status().equals("active")) throw new Problem.Invalid("referral_code", "the code is " + code.status());
            Map<?, ?> config = read(program.rewardStructure());
            Map<?, ?> bands = read(program.fraudDetectionRules());
            int window = (int) num(config, "attribution_window_days", 30);
            EventTime at = EventTime.of(r.occurredAt(), r.backfill(), window, now, "occurred_at", errors);
            if (c.click != null && events.click(tx, c.tenant, c.click).filter(k -> k.codeId().equals(code.codeId())).isEmpty()) {
                errors.add(new Violation("click_id", "no click with this id on this referral code"));
            }
            if (!errors.isEmpty()) throw new Problem.Invalid(errors);
            Instant when = at.at();
            if (code.expiryDate() != null && !code.expiryDate().toInstant().isAfter(when)) throw new Problem.Invalid("referral_code", "the code expired");
            // A signup posted earlier lends what this request does not carry: click, e-mail, address, device.
            var signup = events.signup(tx, c.tenant, code.programId(), r.refereeUserId());
            RefereeContext who = signup.map(su -> asserted.orElse(su.ip(), su.userAgent(), su.device(), su.email(), "signup")).orElse(asserted);
            UUID clickId = c.click != null ? c.click : signup.map(ReferralEventStore.Signup::clickId).orElse(null);
            Instant clicked = FraudSignals.clickTime(tx, c.tenant, code.codeId(), clickId, who.device(), who.ip(), when);
            if (clicked != null && clicked.plusSeconds(window * 86_400L).isBefore(when)) {
                throw new Problem.Invalid("referral_code", "the last click on this code was more than " + window + " days before the conversion (attribution window)");
            }
            String email = who.email();
            FraudSignals.Input input = new FraudSignals.Input(c.tenant, code.programId(), code, r.refereeUserId(), email, who.ip(), who.device(),
                    c.type, c.value, clicked, when);
            Map<String, Boolean> signals = FraudSignals.compute(tx, input);

            // The rules decide: fraud weights and reward tiers, for the referrer as the subject.
            Map<String, Object> attributes = conversionAttributes(c.type, c.value, signals);
            subjects.lock(tx, c.tenant, code.referrerUserId());
            SubjectState state = subjects.load(tx, c.tenant, code.referrerUserId(), now);
            Evaluation e = engine.evaluate(ruleSets.forTenant(c.tenant, platform),
                    new Fact("conversion-" + UUID.randomUUID(), c.tenant, code.referrerUserId(), "referral.converted", now, attributes), state);
            Scored scored = Scored.of(e, Currencies.digits(config));
            double score = scored.score;
            List<Map<String, Object>> reasons = scored.reasons;
            List<Map<String, Object>> rewards = scored.rewards;
            double reviewAt = num(bands, "review_at", 0.3);
            double rejectAt = num(bands, "reject_at", 0.8);
            String status = FraudVerdict.status(score, reviewAt, rejectAt, signals);
            String capped = capReached(tx, c.tenant, code, config, now);
            if (capped != null && !status.equals("rejected")) {
                reasons.add(Map.of("indicator", "cap", "weight", 0, "reason", capped));
                rewards.clear();
            }
            if (!store.use(tx, c.tenant, code.codeId())) {
                throw new Problem.Conflict("referral_code", "the code reached its usage limit of " + code.usageLimit());
            }
            UUID id = UUID.randomUUID();
            int inserted = tx.insertInto(REFERRAL_CONVERSIONS)
                    .set(REFERRAL_CONVERSIONS.ID, id).set(REFERRAL_CONVERSIONS.TENANT_ID, c.tenant)
                    .set(REFERRAL_CONVERSIONS.REFERRAL_CODE_ID, code.codeId()).set(REFERRAL_CONVERSIONS.PROGRAM_ID, code.programId())
                    .set(REFERRAL_CONVERSIONS.REFEREE_TENANT_ID, c.refereeTenant).set(REFERRAL_CONVERSIONS.REFEREE_USER_ID, r.refereeUserId())
                    .set(REFERRAL_CONVERSIONS.REFERRER_USER_ID, code.referrerUserId())
                    .set(REFERRAL_CONVERSIONS.CONVERSION_TYPE, c.type).set(REFERRAL_CONVERSIONS.ORDER_ID, r.orderId())
                    .set(REFERRAL_CONVERSIONS.CONVERSION_VALUE, c.value)
                    .set(REFERRAL_CONVERSIONS.REWARD_AMOUNT, rewards.stream().filter(w -> w.get("party").equals("referrer"))
                            .map(w -> (BigDecimal) w.get("amount")).reduce(BigDecimal.ZERO, BigDecimal::add))
                    .set(REFERRAL_CONVERSIONS.AI_VALIDATION_SCORE, BigDecimal.valueOf(score).setScale(2, RoundingMode.HALF_UP))
                    .set(REFERRAL_CONVERSIONS.STATUS, status).set(REFERRAL_CONVERSIONS.CLICK_ID, clickId)
                    .set(REFERRAL_CONVERSIONS.REFEREE_EMAIL, email).set(REFERRAL_CONVERSIONS.IP_ADDRESS, who.ip())
                    .set(REFERRAL_CONVERSIONS.DEVICE_FINGERPRINT, who.device()).set(REFERRAL_CONVERSIONS.USER_AGENT, who.userAgent())
                    .set(REFERRAL_CONVERSIONS.INPUTS, Json.jsonb(who.inputs()))
                    .set(REFERRAL_CONVERSIONS.OCCURRED_AT, when.atOffset(ZoneOffset.UTC)).set(REFERRAL_CONVERSIONS.BACKFILLED, at.backfilled())
                    .set(REFERRAL_CONVERSIONS.REQUEST_HASH, hash)
                    .set(REFERRAL_CONVERSIONS.SIGNUP_ID, signup.map(ReferralEventStore.Signup::signupId).orElse(null))
                    .set(REFERRAL_CONVERSIONS.SIGNALS, Json.jsonb(signals)).set(REFERRAL_CONVERSIONS.FRAUD_REASONS, Json.jsonb(reasons))
                    .set(REFERRAL_CONVERSIONS.REWARDS, Json.jsonb(rewards))
                    .set(REFERRAL_CONVERSIONS.PROCESSED_AT, now.atOffset(ZoneOffset.UTC))
                    .onConflictDoNothing().execute();
            if (inserted == 0) {
                throw new Problem.Conflict("referee_user_id", "this referee already converted (" + c.type + ") in this program");
            }
            event(tx, c.tenant, code.referrerUserId(), platform, switch (status) {
                case "approved" -> "referral.converted";
                case "pending_review" -> "referral.flagged";
                default -> "referral.rejected";
            }, Map.of("conversion_id", id, "score", score, "reasons", reasons));
            if (status.equals("approved")) settle(tx, c.tenant, platform, id, code, config, e, now);
            var candidates = Rescoring.candidates(tx, input, signals, id);
            if (!candidates.isEmpty()) rescore(tx, c.tenant, platform, candidates, state, reviewAt, now);
            return view(tx, c.tenant, id);
        });
    }

    /** What the fraud and reward rules decided about one conversion. */
    private record Scored(double score, List<Map<String, Object>> reasons, List<Map<String, Object>> rewards) {
        /** Fraud weights summed (at most 1) and rewards rounded to {@code digits} decimals, the currency's minor unit. */
        static Scored of(Evaluation e, int digits) {
            double score = 0;
            List<Map<String, Object>> reasons = new ArrayList<>();
            List<Map<String, Object>> rewards = new ArrayList<>();
            for (Outcome o : e.outcomes()) {
                if (o.kind().equals("fraud_signal")) {
                    score += ((Number) o.details().get("weight")).doubleValue();
                    reasons.add(Map.of("indicator", o.details().get("indicator"), "weight", o.details().get("weight"), "reason", o.details().get("reason")));
                } else if (o.kind().equals("reward")) {
                    rewards.add(Map.of("party", o.details().get("party"), "tier", o.details().get("tier"), "amount",
                            BigDecimal.valueOf(((Number) o.details().get("amount")).doubleValue()).setScale(digits, RoundingMode.HALF_UP)));
                }
            }
            return new Scored(Math.min(1.0, score), reasons, rewards);
        }
    }

    /**
     * A burst, a shared address or a ring shows only once several conversions exist: the first
     * ones looked ordinary and were approved. While their rewards are still on hold, they are
     * scored again by the same rules with what is known now ({@link Rescoring}), whatever their
     * addresses. Those that reach the review band go back to the review queue and their held
     * rewards are voided; a reviewer who approves them restores the rewards. Conversions whose
     * rewards were already granted or paid are left to the refund route.
     */
    private void rescore(DSLContext tx, UUID tenant, String platform, Map<UUID, Map<String, Boolean>> candidates,
                         SubjectState state, double reviewAt, Instant now) {
        var earlier = tx.selectFrom(REFERRAL_CONVERSIONS).where(REFERRAL_CONVERSIONS.TENANT_ID.eq(tenant)
                        .and(REFERRAL_CONVERSIONS.ID.in(candidates.keySet())).and(REFERRAL_CONVERSIONS.STATUS.eq("approved")))
                .orderBy(REFERRAL_CONVERSIONS.OCCURRED_AT).forUpdate().fetch();
        for (var row : earlier) {
            UUID id = row.getId();
            List<RewardLedger.Reward> held = ledger.rewardsOf(tx, tenant, id).stream().map(r -> ledger.reward(tx, tenant, r)).toList();
            if (held.stream().anyMatch(r -> !r.state().equals("pending"))) continue;
            Map<String, Object> signals = new LinkedHashMap<>();
            read(row.getSignals()).forEach((k, v) -> signals.put((String) k, v));
            Map<String, Boolean> revealed = candidates.get(id);
            if (revealed.keySet().stream().allMatch(k -> Boolean.TRUE.equals(signals.get(k)))) continue;
            signals.putAll(revealed);
            Scored again = Scored.of(engine.evaluate(ruleSets.forTenant(tenant, platform), new Fact("rescore-" + id, tenant,
                    row.getReferrerUserId(), "referral.converted", now, conversionAttributes(row.getConversionType(), row.getConversionValue(), signals)),
                    state), 2);
            if (again.score < reviewAt) {
                tx.update(REFERRAL_CONVERSIONS).set(REFERRAL_CONVERSIONS.SIGNALS, Json.jsonb(signals)).where(REFERRAL_CONVERSIONS.ID.eq(id)).execute();
                continue;
            }
            List<Map<String, Object>> reasons = new ArrayList<>(again.reasons);
            reasons.add(Map.of("indicator", "rescored", "weight", 0, "reason", "scored again when a later conversion revealed "
                    + String.join(", ", revealed.keySet())));
            tx.update(REFERRAL_CONVERSIONS).set(REFERRAL_CONVERSIONS.STATUS, "pending_review")
                    .set(REFERRAL_CONVERSIONS.AI_VALIDATION_SCORE, BigDecimal.valueOf(again.score).setScale(2, RoundingMode.HALF_UP))
                    .set(REFERRAL_CONVERSIONS.SIGNALS, Json.jsonb(signals)).set(REFERRAL_CONVERSIONS.FRAUD_REASONS, Json.jsonb(reasons))
                    .where(REFERRAL_CONVERSIONS.ID.eq(id)).execute();
            for (RewardLedger.Reward r : held) {
                ledger.mark(tx, tenant, r.rewardId(), "voided", r.amount().negate(), "re-scored: " + String.join(", ", revealed.keySet()));
                event(tx, tenant, r.beneficiary(), platform, "reward.voided", RewardLedger.view(ledger.reward(tx, tenant, r.rewardId())));
            }
            event(tx, tenant, row.getReferrerUserId(), platform, "referral.flagged",
                    Map.of("conversion_id", id, "score", again.score, "reasons", reasons, "rescored", true));
        }
    }

    /** The {@code referral.converted} fact's attributes: what converted, for how much, and each fraud signal. */
    private static Map<String, Object> conversionAttributes(String type, BigDecimal value, Map<String, ?> signals) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("conversion_type", type);
        attributes.put("conversion_value", value == null ? 0.0 : value.doubleValue());
        signals.forEach((k, v) -> attributes.put("signal_" + k, v));
        return attributes;
    }

    /** Approved: rewards go into the ledger on hold, and the referrer's metrics and achievements count it. */
    private void settle(DSLContext tx, UUID tenant, String platform, UUID conversion, ReferralStore.Code code, Map<?, ?> config,
                        Evaluation e, Instant now) {
        int hold = (int) num(config, "hold_days", 14);
        Record row = tx.select(REFERRAL_CONVERSIONS.REWARDS, REFERRAL_CONVERSIONS.REFEREE_USER_ID).from(REFERRAL_CONVERSIONS)
                .where(REFERRAL_CONVERSIONS.ID.eq(conversion)).fetchOne();
        for (Object o : (List<?>) readAny(row.get(REFERRAL_CONVERSIONS.REWARDS))) {
            Map<?, ?> w = (Map<?, ?>) o;
            String party = (String) w.get("party");
            String who = party.equals("referrer") ? code.referrerUserId() : row.get(REFERRAL_CONVERSIONS.REFEREE_USER_ID);
            ledger.pending(tx, tenant, conversion, party, who, (String) w.get("tier"),
                    BigDecimal.valueOf(((Number) w.get("amount")).doubleValue()).setScale(2, RoundingMode.HALF_UP), now.plusSeconds(hold * 86_400L));
        }
        // Metrics, achievements and leaderboard scores through the one write path.
        decisions.write(tx, new Decided(tenant, platform, code.referrerUserId(), e.outcomes(), "conversion-" + conversion, now));
        for (var granted : ledger.grantDue(tx, tenant, now)) {
            event(tx, tenant, granted.beneficiary(), platform, "reward.granted", RewardLedger.view(granted));
        }
    }

    /** Approves or rejects a conversion waiting for review, with a note; audited. */
    public Map<String, Object> review(Principal caller, UUID tenant, UUID conversion, String decision, String note) {
        caller.require(tenant, REVIEWERS, "review conversions");
        if (!"approve".equals(decision) && !"reject".equals(decision)) throw new Problem.Invalid("decision", "must be approve or reject");
        if (note != null && note.length() > 2000) throw new Problem.Invalid("note", "must have at most 2000 characters");
        String platform = tenants.requirePlatformOf(tenant);
        Instant now = clock.instant();
        return scope.inTenant(tenant, tx -> {
            Record row = tx.selectFrom(REFERRAL_CONVERSIONS).where(REFERRAL_CONVERSIONS.TENANT_ID.eq(tenant).and(REFERRAL_CONVERSIONS.ID.eq(conversion)))
                    .forUpdate().fetchOne();
            if (row == null) throw new Problem.NotFound("no conversion " + conversion);
            if (!"pending_review".equals(row.get(REFERRAL_CONVERSIONS.STATUS))) {
                throw new Problem.Conflict("decision", "the conversion is " + row.get(REFERRAL_CONVERSIONS.STATUS) + ", not pending review");
            }
            String status = decision.equals("approve") ? "approved" : "rejected";
            tx.update(REFERRAL_CONVERSIONS).set(REFERRAL_CONVERSIONS.STATUS, status).set(REFERRAL_CONVERSIONS.REVIEW_NOTE, note)
                    .set(REFERRAL_CONVERSIONS.REVIEWED_BY, dev.thrillring.audit.AuditStore.actor(caller))
                    .where(REFERRAL_CONVERSIONS.ID.eq(conversion)).execute();
            audit.record(tx, tenant, caller, "referral.reviewed", "conversion/" + conversion,
                    Map.of("status", "pending_review"), note == null ? Map.of("status", status) : Map.of("status", status, "note", note));
            if (status.equals("approved")) {
                UUID codeId = row.get(REFERRAL_CONVERSIONS.REFERRAL_CODE_ID);
                ReferralStore.Code code = store.codeById(tx, tenant, codeId);
                ReferralStore.Program program = store.program(tx, tenant, code.programId()).orElseThrow();
                Map<String, Object> attributes = new LinkedHashMap<>();
                attributes.put("conversion_type", row.get(REFERRAL_CONVERSIONS.CONVERSION_TYPE));
                subjects.lock(tx, tenant, code.referrerUserId());
                SubjectState state = subjects.load(tx, tenant, code.referrerUserId(), now);
                Evaluation e = engine.evaluate(ruleSets.forTenant(tenant, platform),
                        new Fact("review-" + conversion, tenant, code.referrerUserId(), "referral.converted", now, attributes), state);
                event(tx, tenant, code.referrerUserId(), platform, "referral.converted", Map.of("conversion_id", conversion, "reviewed", true));
                settle(tx, tenant, platform, conversion, code, read(program.rewardStructure()), e, now);
            } else {
                event(tx, tenant, row.get(REFERRAL_CONVERSIONS.REFERRER_USER_ID), platform, "referral.rejected",
                        Map.of("conversion_id", conversion, "reviewed", true));
            }
            return view(tx, tenant, conversion);
        });
    }

    /**
     * A refund: rewards not yet paid are voided, paid ones clawed back with a negative entry. No
     * ledger row is changed.
     */
    public Map<String, Object> refund(Principal caller, UUID tenant, UUID conversion, String note) {
        caller.require(tenant, RECORDERS, "record refunds");
        String platform = tenants.requirePlatformOf(tenant);
        return scope.inTenant(tenant, tx -> {
            Record row = tx.selectFrom(REFERRAL_CONVERSIONS).where(REFERRAL_CONVERSIONS.TENANT_ID.eq(tenant).and(REFERRAL_CONVERSIONS.ID.eq(conversion)))
                    .forUpdate().fetchOne();
            if (row == null) throw new Problem.NotFound("no conversion " + conversion);
            if ("refunded".equals(row.get(REFERRAL_CONVERSIONS.STATUS))) return view(tx, tenant, conversion);
            for (UUID reward : ledger.rewardsOf(tx, tenant, conversion)) {
                RewardLedger.Reward r = ledger.reward(tx, tenant, reward);
                if (r.state().equals("voided") || r.state().equals("clawback")) continue;
                boolean paid = r.state().equals("paid");
                ledger.mark(tx, tenant, reward, paid ? "clawback" : "voided", r.amount().negate(), note == null ? "refund" : truncate(note));
                event(tx, tenant, r.beneficiary(), platform, paid ? "reward.clawed_back" : "reward.voided",
                        RewardLedger.view(ledger.reward(tx, tenant, reward)));
            }
            tx.update(REFERRAL_CONVERSIONS).set(REFERRAL_CONVERSIONS.STATUS, "refunded").where(REFERRAL_CONVERSIONS.ID.eq(conversion)).execute();
            return view(tx, tenant, conversion);
        });
    }

    /** Records that a granted reward was paid out. */
    public Map<String, Object> markPaid(Principal caller, UUID tenant, UUID reward) {
        caller.require(tenant, REVIEWERS, "record payouts");
        return scope.inTenant(tenant, tx -> {
            ledger.grantDue(tx, tenant, clock.instant());
            RewardLedger.Reward r = ledger.reward(tx, tenant, reward);
            if (!r.state().equals("granted")) throw new Problem.Conflict("reward_id", "only a granted reward can be paid; this one is " + r.state());
            ledger.mark(tx, tenant, reward, "paid", BigDecimal.ZERO, null);
            return RewardLedger.view(ledger.reward(tx, tenant, reward));
        });
    }

    /** Rewards with their state, granting those whose hold ended. */
    public List<Map<String, Object>> rewards(Principal caller, UUID tenant, String beneficiary) {
        caller.requireTenant(tenant);
        String platform = tenants.requirePlatformOf(tenant);
        return scope.inTenant(tenant, tx -> {
            for (var granted : ledger.grantDue(tx, tenant, clock.instant())) {
                event(tx, tenant, granted.beneficiary(), platform, "reward.granted", RewardLedger.view(granted));
            }
            return ledger.rewards(tx, tenant, beneficiary).stream().map(RewardLedger::view).toList();
        });
    }

    /** Conversions waiting for review, with their scores and reasons, oldest first, a page at a time with the queue's total. */
    public Map<String, Object> reviewQueue(Principal caller, UUID tenant, String cursor, int limit) {
        caller.require(tenant, REVIEWERS, "read the review queue");
        return page(tenant, new ConversionListing.Filter("pending_review", null, null, null), cursor, limit, false);
    }

    /** Conversions of every status (rejected included), newest first, filtered, a page at a time. */
    public Map<String, Object> conversions(Principal caller, UUID tenant, ConversionListing.Filter filter, String cursor, int limit) {
        caller.require(tenant, READERS, "read conversions");
        if (filter.status() != null && !ConversionListing.STATUSES.contains(filter.status())) {
            throw new Problem.Invalid("status", "must be one of " + String.join(", ", new java.util.TreeSet<>(ConversionListing.STATUSES)));
        }
        return page(tenant, filter, cursor, limit, true);
    }

    /** One conversion with its signals, inputs (and their sources), reasons and rewards. */
    public Map<String, Object> conversion(Principal caller, UUID tenant, UUID id) {
        caller.require(tenant, READERS, "read conversions");
        return scope.inTenant(tenant, tx -> {
            if (!tx.fetchExists(REFERRAL_CONVERSIONS, REFERRAL_CONVERSIONS.TENANT_ID.eq(tenant).and(REFERRAL_CONVERSIONS.ID.eq(id)))) {
                throw new Problem.NotFound("no conversion " + id);
            }
            return view(tx, tenant, id);
        });
    }

    private Map<String, Object> page(UUID tenant, ConversionListing.Filter filter, String cursor, int limit, boolean newestFirst) {
        return scope.inTenant(tenant, tx -> {
            ConversionListing.Page p = listing.page(tx, tenant, filter, cursor, limit, newestFirst);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("conversions", p.ids().stream().map(id -> view(tx, tenant, id)).toList());
            out.put("total", p.total());
            out.put("next_cursor", p.nextCursor());
            return out;
        });
    }

    /** Funnel figures of a program: clicks, conversions by outcome, rewards, fraud rate. */
    public Map<String, Object> funnel(Principal caller, UUID tenant, UUID program) {
        caller.requireTenant(tenant);
        return scope.inTenant(tenant, tx -> {
            ReferralStore.Program p = store.program(tx, tenant, program).orElseThrow(() -> new Problem.NotFound("no program " + program));
            Map<String, Object> f = new LinkedHashMap<>(store.funnel(tx, tenant, program, num(read(p.fraudDetectionRules()), "review_at", 0.3)));
            long conversions = ((Number) f.get("conversions")).longValue();
            long flagged = ((Number) f.get("flagged")).longValue();
            f.put("fraud_rate", conversions == 0 ? 0.0 : Math.round(10_000.0 * flagged / conversions) / 10_000.0);
            return f;
        });
    }

    private String capReached(DSLContext tx, UUID tenant, ReferralStore.Code code, Map<?, ?> config, Instant now) {
        if (!(config.get("caps") instanceof Map<?, ?> caps) || caps.isEmpty()) return null;
        var base = REFERRAL_CONVERSIONS.TENANT_ID.eq(tenant).and(REFERRAL_CONVERSIONS.PROGRAM_ID.eq(code.programId()))
                .and(REFERRAL_CONVERSIONS.REFERRER_USER_ID.isNotDistinctFrom(code.referrerUserId()))
                .and(REFERRAL_CONVERSIONS.STATUS.in("approved", "pending_review"))
                .and(org.jooq.impl.DSL.coalesce(REFERRAL_CONVERSIONS.REWARD_AMOUNT, BigDecimal.ZERO).gt(BigDecimal.ZERO));
        if (caps.get("per_referrer_lifetime") instanceof Number n && tx.fetchCount(REFERRAL_CONVERSIONS, base) >= n.intValue()) {
            return "the referrer reached the lifetime cap of " + n + " rewarded conversions";
        }
        OffsetDateTime month = now.atOffset(ZoneOffset.UTC).withDayOfMonth(1).toLocalDate().atStartOfDay().atOffset(ZoneOffset.UTC);
        if (caps.get("per_referrer_month") instanceof Number n
                && tx.fetchCount(REFERRAL_CONVERSIONS, base.and(REFERRAL_CONVERSIONS.CREATED_AT.ge(month))) >= n.intValue()) {
            return "the referrer reached the monthly cap of " + n + " rewarded conversions";
        }
        return null;
    }

    private Map<String, Object> view(DSLContext tx, UUID tenant, UUID id) {
        Record r = tx.selectFrom(REFERRAL_CONVERSIONS).where(REFERRAL_CONVERSIONS.TENANT_ID.eq(tenant).and(REFERRAL_CONVERSIONS.ID.eq(id))).fetchOne();
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("conversion_id", id);
        v.put("status", r.get(REFERRAL_CONVERSIONS.STATUS));
        v.put("fraud_score", r.get(REFERRAL_CONVERSIONS.AI_VALIDATION_SCORE));
        v.put("reasons", readAny(r.get(REFERRAL_CONVERSIONS.FRAUD_REASONS)));
        v.put("signals", readAny(r.get(REFERRAL_CONVERSIONS.SIGNALS)));
        Object inputs = r.get(REFERRAL_CONVERSIONS.INPUTS) == null ? Map.of() : readAny(r.get(REFERRAL_CONVERSIONS.INPUTS));
        v.put("inputs", inputs);
        v.put("conversion_type", r.get(REFERRAL_CONVERSIONS.CONVERSION_TYPE));
        v.put("conversion_value", r.get(REFERRAL_CONVERSIONS.CONVERSION_VALUE));
        v.put("order_id", r.get(REFERRAL_CONVERSIONS.ORDER_ID));
        v.put("referrer_user_id", r.get(REFERRAL_CONVERSIONS.REFERRER_USER_ID));
        v.put("referee_user_id", r.get(REFERRAL_CONVERSIONS.REFEREE_USER_ID));
        v.put("reward_amount", r.get(REFERRAL_CONVERSIONS.REWARD_AMOUNT));
        v.put("planned_rewards", readAny(r.get(REFERRAL_CONVERSIONS.REWARDS)));
        v.put("rewards", ledger.rewardsOf(tx, tenant, id).stream().map(w -> RewardLedger.view(ledger.reward(tx, tenant, w))).toList());
        v.put("review_note", r.get(REFERRAL_CONVERSIONS.REVIEW_NOTE));
        v.put("occurred_at", r.get(REFERRAL_CONVERSIONS.OCCURRED_AT));
        v.put("backfilled", r.get(REFERRAL_CONVERSIONS.BACKFILLED));
        v.put("signup_id", r.get(REFERRAL_CONVERSIONS.SIGNUP_ID));
        v.put("click_id", r.get(REFERRAL_CONVERSIONS.CLICK_ID));
        v.put("created_at", r.get(REFERRAL_CONVERSIONS.CREATED_AT));
        return v;
    }

    private record Checked(UUID tenant, UUID refereeTenant, String type, BigDecimal value, UUID click) {}

    private static Checked check(NewConversion r, List<Violation> errors) {
        UUID tenant = uuid(r.tenantId(), "tenant_id", true, errors);
        UUID refereeTenant = uuid(r.refereeTenantId(), "referee_tenant_id", false, errors);
        UUID click = uuid(r.clickId(), "click_id", false, errors);
        if (r.referralCode() == null || r.referralCode().isBlank() || r.referralCode().length() > 32) errors.add(new Violation("referral_code", "is required"));
        String type = r.conversionType() == null ? "signup" : r.conversionType();
        if (!TYPES.contains(type)) errors.add(new Violation("conversion_type", "must be signup, subscription or purchase"));
        BigDecimal value = r.conversionValue() == null ? BigDecimal.ZERO : r.conversionValue();
        if (value.signum() < 0 || value.compareTo(new BigDecimal("9999999999.99")) > 0 || value.scale() > 2) {
            errors.add(new Violation("conversion_value", "must be from 0 to 9999999999.99 with at most 2 decimals"));
        }
        if (r.orderId() != null && !ID.matcher(r.orderId()).matches()) errors.add(new Violation("order_id", "must be 1 to 128 visible ASCII characters"));
        if (r.refereeUserId() == null || !ID.matcher(r.refereeUserId()).matches()) errors.add(new Violation("referee_user_id", "must be 1 to 128 visible ASCII characters"));
        if (!errors.isEmpty()) throw new Problem.Invalid(errors);
        return new Checked(tenant, refereeTenant == null ? tenant : refereeTenant, type, value, click);
    }

    private static UUID uuid(String s, String field, boolean required, List<Violation> errors) {
        if (s == null) {
            if (required) errors.add(new Violation(field, "is required"));
            return null;
        }
        try {
            if (s.length() == 36) return UUID.fromString(s);
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        errors.add(new Violation(field, "must be a UUID"));
        return null;
    }

    private static void event(DSLContext tx, UUID tenant, String user, String platform, String type, Map<String, Object> data) {
        Map<String, Object> all = new LinkedHashMap<>(data);
        all.putIfAbsent("platform", platform);
        EventLog.append(tx, Event.of(tenant, type, user, Instant.now(), all));
    }


    private static double num(Map<?, ?> m, String key, double dflt) {
        return m.get(key) instanceof Number n ? n.doubleValue() : dflt;
    }

    private static String truncate(String s) { return s.length() > 500 ? s.substring(0, 500) : s; }


    private static Map<?, ?> read(JSONB j) {
        Object o = readAny(j);
        return o instanceof Map<?, ?> m ? m : Map.of();
    }

    private static Object readAny(JSONB j) {
        try {
            return j == null ? List.of() : JSON.readValue(j.data(), Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
