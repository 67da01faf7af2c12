package dev.thrillring.decisions;

import dev.thrillring.auth.Principal;
import dev.thrillring.db.TenantScope;
import dev.thrillring.engine.CompiledRuleSet;
import dev.thrillring.engine.Evaluation;
import dev.thrillring.engine.RuleEngine;
import dev.thrillring.engine.RuleSetRegistry;
import dev.thrillring.engine.model.SubjectState;
import dev.thrillring.subjects.SubjectStore;
import dev.thrillring.engine.RuleFailure;
import dev.thrillring.problems.Problem;
import dev.thrillring.problems.Problem.Violation;
import dev.thrillring.tenants.TenantService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Ingestion: each fact is claimed by its id, evaluated by its tenant's rule set, and committed
 * with its decision in one transaction. A fact id seen before returns the stored decision.
 */
public final class FactService {
    private final TenantScope scope;
    private final TenantService tenants;
    private final RuleEngine engine;
    private final RuleSetRegistry ruleSets;
    private final FactStore store = new FactStore();
    private final SubjectStore subjects = new SubjectStore();
    private final List<DecisionListener> listeners;
    private final Counter decided;
    private final Counter replayed;
    private final Counter rejected;

    public FactService(TenantScope scope, TenantService tenants, RuleEngine engine, RuleSetRegistry ruleSets,
                       List<DecisionListener> listeners, MeterRegistry registry) {
        this.listeners = List.copyOf(listeners);
        this.scope = scope;
        this.tenants = tenants;
        this.engine = engine;
        this.ruleSets = ruleSets;
        this.decided = Counter.builder("thrillring.facts").tag("result", "decided").register(registry);
        this.replayed = Counter.builder("thrillring.facts").tag("result", "replayed").register(registry);
        this.rejected = Counter.builder("thrillring.facts").tag("result", "rejected").register(registry);
    }

    /** The result for one fact of a batch: its decision, or the problem that stopped it. */
    public record BatchItem(String factId, String status, Decision decision, Map<String, Object> problem) {}

    /**
     * Checks that the caller may post every fact and that every tenant exists; nothing is
     * written unless all pass.
     */
    /** A tenant's platform and the rule set that decides its facts. */
    record TenantRules(String platform, CompiledRuleSet ruleSet) {}

    Map<UUID, TenantRules> authorise(Principal caller, List<FactInput> facts) {
        Map<UUID, TenantRules> ruleSets = new LinkedHashMap<>();
        List<Violation> unknown = new ArrayList<>();
        for (FactInput f : facts) {
            if (!caller.canActFor(f.tenantId())) {
                throw new Problem.Forbidden(f.field() + "tenant_id: this API key may not post facts for tenant " + f.tenantId());
            }
            if (ruleSets.containsKey(f.tenantId())) continue;
            Optional<String> platform = tenants.platformOf(f.tenantId());
            if (platform.isEmpty()) unknown.add(new Violation(f.field() + "tenant_id", "no such tenant"));
            else ruleSets.put(f.tenantId(), new TenantRules(platform.get(), this.ruleSets.forTenant(f.tenantId(), platform.get())));
        }
        if (!unknown.isEmpty()) throw new Problem.Invalid(unknown);
        return ruleSets;
    }

    /** Decides one fact (or replays its earlier decision). */
    Decision decide(FactInput f, String platform, CompiledRuleSet ruleSet) {
        try {
            List<Runnable> afterCommit = new ArrayList<>();
            Decision d = scope.inTenant(f.tenantId(), tx -> {
                if (!store.claim(tx, f)) {
                    String stored = store.payloadHash(tx, f.tenantId(), f.id()).orElseThrow();
                    if (!stored.equals(f.payloadHash())) {
                        throw new Problem.Conflict(f.field() + "id", "fact id '" + f.id()
                                + "' was already used with a different payload; use a new id for a new fact");
                    }
                    return store.find(tx, f.tenantId(), f.id()).orElseThrow().replayed();
                }
                subjects.lock(tx, f.tenantId(), f.userId());
                SubjectState state = subjects.load(tx, f.tenantId(), f.userId(), f.occurredAt());
                Evaluation e = engine.evaluate(ruleSet, f.toFact(), state);
                subjects.applyMetrics(tx, f.tenantId(), f.userId(), e.outcomes(), f.occurredAt());
                Decided decided = new Decided(f.tenantId(), platform, f.userId(), e.outcomes(), f.id(), f.occurredAt());
                for (DecisionListener l : listeners) {
                    Runnable after = l.record(tx, decided);
                    if (after != null) afterCommit.add(after);
                }
                return store.insertDecision(tx, f, e);
            });
            afterCommit.forEach(Runnable::run);
            (d.status().equals("replayed") ? replayed : decided).increment();
            return d;
        } catch (Problem | RuleFailure e) {
            rejected.increment();
            throw e;
        }
    }

    /** Ingests one fact. */
    public Decision ingestOne(Principal caller, FactInput fact) {
        TenantRules rules = authorise(caller, List.of(fact)).get(fact.tenantId());
        return decide(fact, rules.platform(), rules.ruleSet());
    }

    /**
     * Ingests a batch: validated and authorised as a whole, then one transaction per fact, so a
     * fact whose rules fail does not undo its neighbours. Each item reports its own outcome.
     */
    public List<BatchItem> ingestBatch(Principal caller, List<FactInput> facts) {
        var ruleSets = authorise(caller, facts);
        List<BatchItem> items = new ArrayList<>(facts.size());
        for (FactInput f : facts) {
            try {
                TenantRules rules = ruleSets.get(f.tenantId());
                Decision d = decide(f, rules.platform(), rules.ruleSet());
                items.add(new BatchItem(f.id(), d.status(), d, null));
            } catch (Problem p) {
                items.add(new BatchItem(f.id(), "rejected", null, Map.of("status", p.status(), "title", p.title(), "detail", p.detail())));
            } catch (RuleFailure r) {
                items.add(new BatchItem(f.id(), "rejected", null,
                        Map.of("status", 422, "title", "Rule evaluation failed", "detail", r.getMessage(), "rule", r.rule())));
            }
        }
        return items;
    }

    /** The stored decision about a fact. */
    public Decision find(Principal caller, UUID tenantId, String factId) {
        caller.requireTenant(tenantId);
        return scope.inTenant(tenantId, tx -> store.find(tx, tenantId, factId))
                .orElseThrow(() -> new Problem.NotFound("no fact '" + factId + "' for tenant " + tenantId));
    }

    /** The tenant's latest decisions, newest first. */
    public List<Decision> recent(Principal caller, UUID tenantId, int limit) {
        caller.requireTenant(tenantId);
        return scope.inTenant(tenantId, tx -> store.recent(tx, tenantId, limit));
    }
}
