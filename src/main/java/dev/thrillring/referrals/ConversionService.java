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
import java.util.Optional;
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
    private final ConversionStore conversions = new ConversionStore();

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
     * first answer; with another body it is a conflict. The rules run with no transaction open,
     * as for facts: what they need is read first (the code, the signals, the referrer's state and
     * its version), they decide, then one transaction writes, provided the referrer's state is
     * still the one read; otherwise (another conversion of the referrer, or a fact, came between)
     * it reads and decides again.
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
        String platform = tenants.requirePlatformOf(c.tenant);
        String hash = ConversionRequests.hash(r);
        for (int attempt = 1; ; attempt++) {
            Instant now = clock.instant();
            UUID id = UUID.randomUUID();
            Read read = scope.inTenant(c.tenant, tx -> readFor(tx, c, r, asserted, hash, id, now, new ArrayList<>(errors)));
            if (read.replay() != null) return read.replay();
            // The rules decide, holding no connection: fraud weights and reward tiers, for the referrer as the subject.
            Conversion decided = decide(c, r, read, platform, now);
            try {
                return scope.inTenant(c.tenant, tx -> write(tx, c, r, read, decided, platform, hash, id, now));
            } catch (SubjectMoved moved) {
                if (attempt >= 8) throw new Problem.Conflict("referral_code", "the referrer's state kept changing while this conversion was decided; send it again");
            }
        }
    }

    /** What a conversion's rules need, read in one transaction; or the answer to a replayed order. */
    private record Read(Map<String, Object> replay, ReferralStore.Code code, ReferralStore.Program program, Map<?, ?> config,
                        EventTime at, Optional<ReferralEventStore.Signup> signup, RefereeContext who, UUID clickId,
                        FraudSignals.Input input, Map<String, Boolean> signals, dev.thrillring.subjects.Snapshot subject, String capped,
                        List<dev.thrillring.db.schema.tables.records.ReferralConversionsRecord> earlier,
                        Map<UUID, List<RewardLedger.Reward>> earlierRewards, Map<UUID, Map<String, Boolean>> candidates) {
        static Read replayed(Map<String, Object> view) {
            return new Read(view, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
        }
    }

    private Read readFor(DSLContext tx, Checked c, NewConversion r, RefereeContext asserted, String hash, UUID id, Instant now,
                         List<Violation> errors) {
        ReferralStore.Code code = store.code(tx, c.tenant, r.referralCode())
                .orElseThrow(() -> new Problem.Invalid("referral_code", "no such referral code"));
        if (r.orderId() != null) {
            Map<String, Object> replay = replayOf(tx, c.tenant, code, r.orderId(), hash);
            if (replay != null) return Read.replayed(replay);
        }
        ReferralStore.Program program = store.program(tx, c.tenant, code.programId()).orElseThrow();
        if (!program.status().equals("active")) throw new Problem.Invalid("referral_code", "the code's program is " + program.status());
        if (!code.status().equals("active")) throw new Problem.Invalid("referral_code", "the code is " + code.status());
        Map<?, ?> config = read(program.rewardStructure());
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
        FraudSignals.Input input = new FraudSignals.Input(c.tenant, code.programId(), code, r.refereeUserId(), who.email(), who.ip(), who.device(),
                c.type, c.value, clicked, when);
        Map<String, Boolean> signals = FraudSignals.compute(tx, input);
        var subject = subjects.snapshot(tx, c.tenant, code.referrerUserId(), now);
        String capped = capReached(tx, c.tenant, code, config, now);
        var candidates = Rescoring.candidates(tx, input, signals, id);
        var earlier = candidates.isEmpty() ? List.<dev.thrillring.db.schema.tables.records.ReferralConversionsRecord>of()
                : conversions.findApproved(tx, c.tenant, candidates.keySet());
        var earlierRewards = ledger.rewardsOfConversions(tx, c.tenant, earlier.stream().map(e -> e.getId()).toList());
        return new Read(null, code, program, config, at, signup, who, clickId, input, signals, subject, capped, earlier, earlierRewards, candidates);
    }

    /** The earlier answer to an order already recorded with the same body; null when the order is new. */
    private Map<String, Object> replayOf(DSLContext tx, UUID tenant, ReferralStore.Code code, String orderId, String hash) {
        var existing = conversions.byOrder(tx, tenant, code.programId(), orderId).orElse(null);
        if (existing == null) return null;
        if (existing.requestHash() != null && !existing.requestHash().equals(hash)) {
            throw new Problem.Conflict("order_id", "order " + orderId + " was already recorded with a different body");
        }
        Map<String, Object> v = view(tx, tenant, existing.id());
        v.put("replayed", true);
        return v;
    }

    /** What the rules decided about a conversion, and about the earlier conversions it casts new light on. */
    private record Conversion(Evaluation evaluation, double score, List<Map<String, Object>> reasons, List<Map<String, Object>> rewards,
                              String status, double reviewAt, List<Rescored> rescored) {}

    private Conversion decide(Checked c, NewConversion r, Read read, String platform, Instant now) {
        SubjectState state = read.subject().stateAt(now);
        Map<String, Object> attributes = conversionAttributes(c.type, c.value, read.signals());
        Evaluation e = engine.evaluate(ruleSets.forTenant(c.tenant, platform),
                new Fact("conversion-" + UUID.randomUUID(), c.tenant, read.code().referrerUserId(), "referral.converted", now, attributes), state);
        Scored scored = Scored.of(e, Currencies.digits(read.config()));
        Map<?, ?> bands = read(read.program().fraudDetectionRules());
        double reviewAt = num(bands, "review_at", 0.3);
        double rejectAt = num(bands, "reject_at", 0.8);
        String status = FraudVerdict.status(scored.score, reviewAt, rejectAt, read.signals());
        if (read.capped() != null && !status.equals("rejected")) {
            scored.reasons.add(Map.of("indicator", "cap", "weight", 0, "reason", read.capped()));
            scored.rewards.clear();
        }
        // A party in the tenant's holdout (the experiment's control group) earns no reward; the
        // conversion itself, its fraud verdict and the other party's reward stand.
        List<String> withheld = new ArrayList<>();
        scored.rewards.removeIf(w -> {
            String party = String.valueOf(w.get("party"));
            boolean out = decisions.heldOut(c.tenant, party.equals("referrer") ? read.code().referrerUserId() : r.refereeUserId());
            if (out) withheld.add(party);
            return out;
        });
        if (!withheld.isEmpty()) {
            scored.reasons.add(Map.of("indicator", "holdout", "weight", 0, "reason", "held out of rewards by the tenant's holdout: " + String.join(", ", withheld)));
        }
        return new Conversion(e, scored.score, scored.reasons, scored.rewards, status, reviewAt,
                rescore(c.tenant, platform, read, state, reviewAt, now));
    }

    private Map<String, Object> write(DSLContext tx, Checked c, NewConversion r, Read read, Conversion d, String platform, String hash,
                                      UUID id, Instant now) {
        ReferralStore.Code code = read.code();
        store.lockCode(tx, c.tenant, code.codeId());
        if (r.orderId() != null) {
            Map<String, Object> replay = replayOf(tx, c.tenant, code, r.orderId(), hash);
            if (replay != null) return replay;
        }
        // The referrer's state (and so the signals and caps of its code) must be the one the rules saw.
        var subject = read.subject();
        if (!subjects.bumpVersions(tx, c.tenant, Map.of(subject.userKey(), subject.version())).isEmpty()) throw new SubjectMoved();
        if (!store.use(tx, c.tenant, code.codeId())) {
            throw new Problem.Conflict("referral_code", "the code reached its usage limit of " + code.usageLimit());
        }
        var row = new dev.thrillring.db.schema.tables.records.ReferralConversionsRecord();
        row.setId(id);
        row.setTenantId(c.tenant);
        row.setReferralCodeId(code.codeId());
        row.setProgramId(code.programId());
        row.setRefereeTenantId(c.refereeTenant);
        row.setRefereeUserId(r.refereeUserId());
        row.setReferrerUserId(code.referrerUserId());
        row.setConversionType(c.type);
        row.setOrderId(r.orderId());
        row.setConversionValue(c.value);
        row.setRewardAmount(d.rewards().stream().filter(w -> w.get("party").equals("referrer"))
                .map(w -> (BigDecimal) w.get("amount")).reduce(BigDecimal.ZERO, BigDecimal::add));
        row.setAiValidationScore(BigDecimal.valueOf(d.score()).setScale(2, RoundingMode.HALF_UP));
        row.setStatus(d.status());
        row.setClickId(read.clickId());
        row.setRefereeEmail(read.who().email());
        row.setIpAddress(read.who().ip());
        row.setDeviceFingerprint(read.who().device());
        row.setUserAgent(read.who().userAgent());
        row.setInputs(Json.jsonb(read.who().inputs()));
        row.setOccurredAt(read.at().at().atOffset(ZoneOffset.UTC));
        row.setBackfilled(read.at().backfilled());
        row.setRequestHash(hash);
        row.setSignupId(read.signup().map(ReferralEventStore.Signup::signupId).orElse(null));
        row.setSignals(Json.jsonb(read.signals()));
        row.setFraudReasons(Json.jsonb(d.reasons()));
        row.setRewards(Json.jsonb(d.rewards()));
        row.setProcessedAt(now.atOffset(ZoneOffset.UTC));
        if (!conversions.insert(tx, row)) {
            throw new Problem.Conflict("referee_user_id", "this referee already converted (" + c.type + ") in this program");
        }
        event(tx, c.tenant, code.referrerUserId(), platform, switch (d.status()) {
            case "approved" -> "referral.converted";
            case "pending_review" -> "referral.flagged";
            default -> "referral.rejected";
        }, Map.of("conversion_id", id, "score", d.score(), "reasons", d.reasons()));
        if (d.status().equals("approved")) settle(tx, c.tenant, platform, id, code, read.config(), d.evaluation(), now);
        if (!d.rescored().isEmpty()) applyRescores(tx, c.tenant, platform, d.rescored());
        return view(tx, c.tenant, id);
    }

    /** The referrer's state moved between the read and the write of a decision: read and decide again. */
    private static final class SubjectMoved extends RuntimeException {
        SubjectMoved() { super(null, null, false, false); }
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

    /** An earlier approved conversion scored again: its new signals, and its new score and reasons when it goes back to review. */
    private record Rescored(UUID id, String referrer, Map<String, Object> signals, boolean flagged, double score,
                            List<Map<String, Object>> reasons, List<RewardLedger.Reward> held, Set<String> revealed) {}

    /**
     * A burst, a shared address or a ring shows only once several conversions exist: the first
     * ones looked ordinary and were approved. While their rewards are still on hold, they are
     * scored again by the same rules with what is known now ({@link Rescoring}), whatever their
     * addresses. Those that reach the review band go back to the review queue and their held
     * rewards are voided; a reviewer who approves them restores the rewards. Conversions whose
     * rewards were already granted or paid are left to the refund route. Runs the rules with no
     * transaction open; {@link #applyRescores} writes the result.
     */
    private List<Rescored> rescore(UUID tenant, String platform, Read read, SubjectState state, double reviewAt, Instant now) {
        List<Rescored> out = new ArrayList<>();
        for (var row : read.earlier()) {
            UUID id = row.getId();
            List<RewardLedger.Reward> held = read.earlierRewards().get(id);
            if (held.stream().anyMatch(r -> !r.state().equals("pending"))) continue;
            Map<String, Object> signals = new LinkedHashMap<>();
            read(row.getSignals()).forEach((k, v) -> signals.put((String) k, v));
            Map<String, Boolean> revealed = read.candidates().get(id);
            if (revealed.keySet().stream().allMatch(k -> Boolean.TRUE.equals(signals.get(k)))) continue;
            signals.putAll(revealed);
            Scored again = Scored.of(engine.evaluate(ruleSets.forTenant(tenant, platform), new Fact("rescore-" + id, tenant,
                    row.getReferrerUserId(), "referral.converted", now, conversionAttributes(row.getConversionType(), row.getConversionValue(), signals)),
                    state), 2);
            if (again.score < reviewAt) {
                out.add(new Rescored(id, row.getReferrerUserId(), signals, false, again.score, List.of(), held, revealed.keySet()));
                continue;
            }
            List<Map<String, Object>> reasons = new ArrayList<>(again.reasons);
            reasons.add(Map.of("indicator", "rescored", "weight", 0, "reason", "scored again when a later conversion revealed "
                    + String.join(", ", revealed.keySet())));
            out.add(new Rescored(id, row.getReferrerUserId(), signals, true, again.score, reasons, held, revealed.keySet()));
        }
        return out;
    }

    /** Writes what {@link #rescore} decided, for the conversions still approved with every reward still on hold. */
    private void applyRescores(DSLContext tx, UUID tenant, String platform, List<Rescored> rescored) {
        Set<UUID> stillApproved = new java.util.HashSet<>();
        for (var row : conversions.lockApproved(tx, tenant, rescored.stream().map(Rescored::id).toList())) stillApproved.add(row.getId());
        var rewardsNow = ledger.rewardsOfConversions(tx, tenant, stillApproved);
        for (Rescored r : rescored) {
            if (!stillApproved.contains(r.id()) || rewardsNow.get(r.id()).stream().anyMatch(w -> !w.state().equals("pending"))) continue;
            if (!r.flagged()) {
                conversions.setSignals(tx, r.id(), r.signals());
                continue;
            }
            conversions.flag(tx, r.id(), r.score(), r.signals(), r.reasons());
            for (RewardLedger.Reward w : rewardsNow.get(r.id())) {
                ledger.mark(tx, tenant, w.rewardId(), "voided", w.amount().negate(), "re-scored: " + String.join(", ", r.revealed()));
                event(tx, tenant, w.beneficiary(), platform, "reward.voided", RewardLedger.view(ledger.reward(tx, tenant, w.rewardId())));
            }
            event(tx, tenant, r.referrer(), platform, "referral.flagged",
                    Map.of("conversion_id", r.id(), "score", r.score(), "reasons", r.reasons(), "rescored", true));
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
        Record row = conversions.find(tx, tenant, conversion);
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

    /**
     * Approves or rejects a conversion waiting for review, with a note; audited. An approval's
     * rules run with no transaction open: the conversion and the referrer's state are read
     * first, the rules decide, then one transaction writes, provided the conversion still waits
     * for review and the referrer's state is still the one read (else it reads and decides again).
     */
    public Map<String, Object> review(Principal caller, UUID tenant, UUID conversion, String decision, String note) {
        caller.require(tenant, REVIEWERS, "review conversions");
        if (!"approve".equals(decision) && !"reject".equals(decision)) throw new Problem.Invalid("decision", "must be approve or reject");
        if (note != null && note.length() > 2000) throw new Problem.Invalid("note", "must have at most 2000 characters");
        String platform = tenants.requirePlatformOf(tenant);
        String status = decision.equals("approve") ? "approved" : "rejected";
        for (int attempt = 1; ; attempt++) {
            Instant now = clock.instant();
            ToReview read = scope.inTenant(tenant, tx -> {
                var row = conversions.find(tx, tenant, conversion);
                if (row == null) throw new Problem.NotFound("no conversion " + conversion);
                requirePending(row);
                if (!status.equals("approved")) return new ToReview(null, null, null, null);
                ReferralStore.Code code = store.codeById(tx, tenant, row.getReferralCodeId());
                return new ToReview(code, store.program(tx, tenant, code.programId()).orElseThrow(),
                        subjects.snapshot(tx, tenant, code.referrerUserId(), now), row.getConversionType());
            });
            Evaluation e = null;
            if (read.code() != null) {
                Map<String, Object> attributes = new LinkedHashMap<>();
                attributes.put("conversion_type", read.conversionType());
                e = engine.evaluate(ruleSets.forTenant(tenant, platform), new Fact("review-" + conversion, tenant,
                        read.code().referrerUserId(), "referral.converted", now, attributes), read.subject().stateAt(now));
            }
            Evaluation decided = e;
            try {
                return scope.inTenant(tenant, tx -> {
                    var row = conversions.lock(tx, tenant, conversion);
                    requirePending(row);
                    if (decided != null && !subjects.bumpVersions(tx, tenant,
                            Map.of(read.subject().userKey(), read.subject().version())).isEmpty()) {
                        throw new SubjectMoved();
                    }
                    conversions.setReviewed(tx, conversion, status, note, dev.thrillring.audit.AuditStore.actor(caller));
                    audit.record(tx, tenant, caller, "referral.reviewed", "conversion/" + conversion,
                            Map.of("status", "pending_review"), note == null ? Map.of("status", status) : Map.of("status", status, "note", note));
                    if (decided != null) {
                        event(tx, tenant, read.code().referrerUserId(), platform, "referral.converted", Map.of("conversion_id", conversion, "reviewed", true));
                        settle(tx, tenant, platform, conversion, read.code(), read(read.program().rewardStructure()), decided, now);
                    } else {
                        event(tx, tenant, row.getReferrerUserId(), platform, "referral.rejected", Map.of("conversion_id", conversion, "reviewed", true));
                    }
                    return view(tx, tenant, conversion);
                });
            } catch (SubjectMoved moved) {
                if (attempt >= 8) throw new Problem.Conflict("conversion_id", "the referrer's state kept changing during the review; send it again");
            }
        }
    }

    /** What an approval reads before its rules run: the code, its program, and the referrer's state with its version. */
    private record ToReview(ReferralStore.Code code, ReferralStore.Program program, dev.thrillring.subjects.Snapshot subject,
                            String conversionType) {}

    private static void requirePending(dev.thrillring.db.schema.tables.records.ReferralConversionsRecord row) {
        if (!"pending_review".equals(row.getStatus())) {
            throw new Problem.Conflict("decision", "the conversion is " + row.getStatus() + ", not pending review");
        }
    }

    /**
     * A refund: rewards not yet paid are voided, paid ones clawed back with a negative entry. No
     * ledger row is changed.
     */
    public Map<String, Object> refund(Principal caller, UUID tenant, UUID conversion, String note) {
        caller.require(tenant, RECORDERS, "record refunds");
        String platform = tenants.requirePlatformOf(tenant);
        return scope.inTenant(tenant, tx -> {
            Record row = conversions.lock(tx, tenant, conversion);
            if (row == null) throw new Problem.NotFound("no conversion " + conversion);
            if ("refunded".equals(row.get(REFERRAL_CONVERSIONS.STATUS))) return view(tx, tenant, conversion);
            for (RewardLedger.Reward r : ledger.rewardsOfConversions(tx, tenant, List.of(conversion)).get(conversion)) {
                UUID reward = r.rewardId();
                if (r.state().equals("voided") || r.state().equals("clawback")) continue;
                boolean paid = r.state().equals("paid");
                ledger.mark(tx, tenant, reward, paid ? "clawback" : "voided", r.amount().negate(), note == null ? "refund" : truncate(note));
                event(tx, tenant, r.beneficiary(), platform, paid ? "reward.clawed_back" : "reward.voided",
                        RewardLedger.view(ledger.reward(tx, tenant, reward)));
            }
            conversions.setStatus(tx, conversion, "refunded");
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
            if (!conversions.exists(tx, tenant, id)) {
                throw new Problem.NotFound("no conversion " + id);
            }
            return view(tx, tenant, id);
        });
    }

    private Map<String, Object> page(UUID tenant, ConversionListing.Filter filter, String cursor, int limit, boolean newestFirst) {
        return scope.inTenant(tenant, tx -> {
            ConversionListing.Page p = listing.page(tx, tenant, filter, cursor, limit, newestFirst);
            Map<String, Object> out = new LinkedHashMap<>();
            // Two statements for the whole page (its rows, then all their rewards), not a few per conversion.
            out.put("conversions", views(tx, tenant, p.ids()));
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
        if (caps.get("per_referrer_lifetime") instanceof Number n
                && conversions.rewardedCount(tx, tenant, code.programId(), code.referrerUserId(), null) >= n.intValue()) {
            return "the referrer reached the lifetime cap of " + n + " rewarded conversions";
        }
        OffsetDateTime month = now.atOffset(ZoneOffset.UTC).withDayOfMonth(1).toLocalDate().atStartOfDay().atOffset(ZoneOffset.UTC);
        if (caps.get("per_referrer_month") instanceof Number n
                && conversions.rewardedCount(tx, tenant, code.programId(), code.referrerUserId(), month) >= n.intValue()) {
            return "the referrer reached the monthly cap of " + n + " rewarded conversions";
        }
        return null;
    }

    private Map<String, Object> view(DSLContext tx, UUID tenant, UUID id) {
        return views(tx, tenant, List.of(id)).getFirst();
    }

    /** The views of several conversions, in the order of {@code ids}: two statements however many. */
    private List<Map<String, Object>> views(DSLContext tx, UUID tenant, List<UUID> ids) {
        var rows = conversions.findAll(tx, tenant, ids);
        var rewards = ledger.rewardsOfConversions(tx, tenant, ids);
        return ids.stream().map(id -> view(rows.get(id), rewards.get(id))).toList();
    }

    /** The seed's answer carries a human-readable {@code message} beside its status; so does ours, per status. */
    static String message(String status) {
        return switch (status) {
            case "approved" -> "Referral conversion approved; rewards are on hold until their hold ends";
            case "pending_review" -> "Referral conversion held for review: its fraud score is in the review band";
            case "rejected" -> "Referral conversion rejected: its fraud score is in the reject band";
            case "refunded" -> "Referral conversion refunded: unpaid rewards voided, paid ones clawed back";
            default -> "Referral conversion " + status;
        };
    }

    private static Map<String, Object> view(Record r, List<RewardLedger.Reward> rewards) {
        UUID id = r.get(REFERRAL_CONVERSIONS.ID);
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("conversion_id", id);
        v.put("status", r.get(REFERRAL_CONVERSIONS.STATUS));
        v.put("message", message(r.get(REFERRAL_CONVERSIONS.STATUS)));
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
        v.put("rewards", rewards.stream().map(RewardLedger::view).toList());
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
