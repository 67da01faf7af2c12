package dev.thrillring.decisions;

import dev.thrillring.auth.Principal;
import dev.thrillring.db.DatabaseFailures;
import dev.thrillring.db.TenantScope;
import dev.thrillring.engine.CompiledRuleSet;
import dev.thrillring.engine.RuleEngine;
import dev.thrillring.engine.RuleSetRegistry;
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
 * Ingestion: facts are authorised, then decided in groups that share their reads and their
 * transaction ({@link GroupCommit}); each is answered after its decision has committed. A fact
 * id seen before returns the stored decision.
 */
public final class FactService {
    private final TenantScope scope;
    private final TenantService tenants;
    private final RuleEngine engine;
    private final RuleSetRegistry ruleSets;
    private final FactStore store = new FactStore();
    private final GroupCommit groups;
    private final Counter decided;
    private final Counter replayed;
    private final Counter rejected;

    public FactService(TenantScope scope, TenantService tenants, RuleEngine engine, RuleSetRegistry ruleSets,
                       DecisionWriter writer, MeterRegistry registry) {
        this.groups = new GroupCommit(scope, engine, writer, ruleSets::forTenant);
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
    /** A tenant's platform; its rule set is looked up again by each group that decides its facts. */
    record TenantRules(String platform) {}

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
            else {
                // Builds the tenant's overlay now if it is not built yet, so the group does not wait for it.
                this.ruleSets.forTenant(f.tenantId(), platform.get());
                ruleSets.put(f.tenantId(), new TenantRules(platform.get()));
            }
        }
        if (!unknown.isEmpty()) throw new Problem.Invalid(unknown);
        return ruleSets;
    }

    /** Decides one fact (or replays its earlier decision) once its group has committed. */
    Decision decide(FactInput f, String platform) {
        return await(groups.submit(f, platform));
    }

    private Decision await(java.util.concurrent.CompletableFuture<Decision> answer) {
        try {
            Decision d = answer.join();
            (d.status().equals("replayed") ? replayed : decided).increment();
            return d;
        } catch (java.util.concurrent.CompletionException e) {
            rejected.increment();
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    /** Ingests one fact. */
    public Decision ingestOne(Principal caller, FactInput fact) {
        TenantRules rules = authorise(caller, List.of(fact)).get(fact.tenantId());
        return decide(fact, rules.platform());
    }

    /**
     * Ingests a batch: validated and authorised as a whole, then decided in groups that share
     * transactions; a fact whose rules fail does not undo its neighbours. Each item reports its
     * own outcome. When the database fails mid-batch, the facts committed keep their decisions
     * and each fact whose group was lost is "failed" with a retryable problem (every fact's group
     * answers, so the report is exact): resending the whole batch is safe (fact ids are
     * idempotent) and completes it.
     */
    public List<BatchItem> ingestBatch(Principal caller, List<FactInput> facts) {
        var ruleSets = authorise(caller, facts);
        List<java.util.concurrent.CompletableFuture<Decision>> answers = new ArrayList<>(facts.size());
        for (FactInput f : facts) {
            TenantRules rules = ruleSets.get(f.tenantId());
            answers.add(groups.submit(f, rules.platform()));
        }
        List<BatchItem> items = new ArrayList<>(facts.size());
        for (int i = 0; i < facts.size(); i++) {
            FactInput f = facts.get(i);
            try {
                Decision d = await(answers.get(i));
                items.add(new BatchItem(f.id(), d.status(), d, null));
            } catch (Problem p) {
                items.add(new BatchItem(f.id(), "rejected", null, Map.of("status", p.status(), "title", p.title(), "detail", p.detail())));
            } catch (RuleFailure r) {
                items.add(new BatchItem(f.id(), "rejected", null,
                        Map.of("status", 422, "title", "Rule evaluation failed", "detail", r.getMessage(), "rule", r.rule())));
            } catch (RuntimeException e) {
                if (!DatabaseFailures.isOutage(e) && !DatabaseFailures.isDiskFull(e)) throw e;
                items.add(new BatchItem(f.id(), "failed", null, RETRY));
            }
        }
        return items;
    }

    private static final Map<String, Object> RETRY = Map.of("status", 503, "title", "Service unavailable", "retryable", true,
            "detail", "the database failed during this batch; this fact has no decision yet: send the batch again");

    /** True when an item of a batch needs the batch sent again. */
    public static boolean retryable(BatchItem item) {
        return item.status().equals("failed");
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
