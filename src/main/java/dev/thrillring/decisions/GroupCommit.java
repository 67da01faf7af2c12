package dev.thrillring.decisions;

import dev.thrillring.db.TenantScope;
import dev.thrillring.engine.CompiledRuleSet;
import dev.thrillring.engine.Evaluation;
import dev.thrillring.engine.Periods;
import dev.thrillring.engine.RuleEngine;
import dev.thrillring.engine.RuleFailure;
import dev.thrillring.engine.model.Outcome;
import dev.thrillring.engine.model.SubjectState;
import dev.thrillring.problems.Problem;
import dev.thrillring.subjects.Snapshot;
import dev.thrillring.subjects.SubjectStore;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Group commit of facts. Facts wait in a queue per tenant; a few workers per tenant each take
 * what is waiting (up to {@link #MAX_GROUP}) and decide it as one group:
 * <ol>
 *   <li>read, in one short transaction: which facts are replays, and every subject's state and
 *       version (four statements for the whole group); the connection goes back to the pool;</li>
 *   <li>evaluate the rules, fact by fact in arrival order, each subject's facts on the state the
 *       earlier ones left, holding no connection;</li>
 *   <li>write, in one transaction: claim the facts, move each subject to its next version if it
 *       is still the one read (else read and evaluate again), the metrics, each fact's
 *       achievements, scores and events through the {@link DecisionWriter}, the decisions.</li>
 * </ol>
 * A fact is answered only after that commit. A subject is in one group at a time on this node,
 * so its facts are decided in arrival order; across nodes the version check orders them. A fact
 * whose rules fail is answered with its failure and leaves the group; a write that fails for one
 * fact is redone fact by fact, so its neighbours are not undone.
 */
final class GroupCommit {
    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);
    static final int MAX_GROUP = 1000;
    /**
     * Groups of one tenant in flight at once on one node (on disjoint subjects). More than one,
     * so that a group's commit (its WAL flush) overlaps the next group's reads and evaluation;
     * groups serialize only on the tenant's event counter, in their last round trip.
     * {@code -Dthrillring.group.workers=N} overrides it for benchmarks.
     */
    static final int WORKERS_PER_TENANT = Integer.getInteger("thrillring.group.workers", 4);
    static final int MAX_ATTEMPTS = 8;
    private static boolean TRACE() { return Boolean.getBoolean("thrillring.trace.groups"); }

    private final TenantScope scope;
    private final RuleEngine engine;
    private final DecisionWriter writer;
    private final FactStore store = new FactStore();
    private final SubjectStore subjects = new SubjectStore();
    private final Map<UUID, TenantQueue> queues = new ConcurrentHashMap<>();

    /** Where a group finds the rule set that decides its tenant's facts now. */
    @FunctionalInterface
    interface RuleSets {
        CompiledRuleSet forTenant(UUID tenant, String platform);
    }

    private final RuleSets ruleSets;

    GroupCommit(TenantScope scope, RuleEngine engine, DecisionWriter writer, RuleSets ruleSets) {
        this.ruleSets = ruleSets;
        this.scope = scope;
        this.engine = engine;
        this.writer = writer;
    }

    /** A fact waiting to be decided, and the answer its request waits for. */
    record Pending(FactInput fact, String platform, String subject, Map<String, String> periodKeys,
                   CompletableFuture<Decision> answer) {}

    /** Queues a fact; the future completes once its decision has committed (or with why it was refused). */
    CompletableFuture<Decision> submit(FactInput f, String platform) {
        Pending p = new Pending(f, platform, SubjectStore.key(f.userId()), Periods.keysAt(f.occurredAt(), ZoneOffset.UTC),
                new CompletableFuture<>());
        TenantQueue q = queues.computeIfAbsent(f.tenantId(), t -> new TenantQueue());
        boolean start;
        synchronized (q) {
            q.waiting.add(p);
            start = q.workers < WORKERS_PER_TENANT;
            if (start) q.workers++;
        }
        if (start) Thread.ofVirtual().name("group-commit-" + f.tenantId()).start(() -> drain(f.tenantId(), q));
        return p.answer();
    }

    /** One tenant's waiting facts and the subjects that groups in flight hold. */
    private static final class TenantQueue {
        final ArrayDeque<Pending> waiting = new ArrayDeque<>();
        final Set<String> busy = new HashSet<>();
        int workers;

        /**
         * The next group: waiting facts in arrival order, skipping (with every later fact of the
         * same subject) subjects that another group holds, and facts of a subject whose periods
         * differ from its first fact's in this group (they wait for the next group).
         */
        List<Pending> take() {
            List<Pending> group = new ArrayList<>();
            Set<String> blocked = new HashSet<>();
            Map<String, Map<String, String>> periods = new HashMap<>();
            for (Iterator<Pending> it = waiting.iterator(); it.hasNext() && group.size() < MAX_GROUP; ) {
                Pending p = it.next();
                if (busy.contains(p.subject()) || blocked.contains(p.subject())) {
                    blocked.add(p.subject());
                    continue;
                }
                Map<String, String> first = periods.putIfAbsent(p.subject(), p.periodKeys());
                if (first != null && !first.equals(p.periodKeys())) {
                    blocked.add(p.subject());
                    continue;
                }
                group.add(p);
                it.remove();
            }
            for (Pending p : group) busy.add(p.subject());
            return group;
        }
    }

    private void drain(UUID tenant, TenantQueue q) {
        while (true) {
            List<Pending> group;
            synchronized (q) {
                group = q.take();
                if (group.isEmpty()) {
                    q.workers--;
                    return;
                }
            }
            try {
                decide(tenant, group);
            } catch (Throwable t) {
                if (dev.thrillring.db.DatabaseFailures.isOutage(t)) log.warn("a group of {} facts failed: the database is unreachable ({})", group.size(), t.toString());
                else log.error("a group of {} facts failed", group.size(), t);
                for (Pending p : group) p.answer().completeExceptionally(t);
            } finally {
                synchronized (q) {
                    for (Pending p : group) q.busy.remove(p.subject());
                }
            }
        }
    }

    /** Another transaction moved a subject or claimed a fact id between the read and the write. */
    private static final class Moved extends RuntimeException {
        Moved() { super(null, null, false, false); }
    }

    /** What the read step found. */
    private record Read(Map<String, FactStore.Stored> stored, Map<String, Snapshot> snapshots) {}

    /** A fact the rules decided, waiting to be written. */
    private record Evaluated(Pending pending, Evaluation evaluation) {}

    private void decide(UUID tenant, List<Pending> group) {
        for (int attempt = 1; ; attempt++) {
            List<Pending> open = group.stream().filter(p -> !p.answer().isDone()).toList();
            if (open.isEmpty()) return;
            try {
                attempt(tenant, open);
                return;
            } catch (Moved moved) {
                // read and evaluate again below
            } catch (WriteFailed failed) {
                if (!isConflict(failed.getCause())) {
                    // The database is gone: every fact would fail the same way, one connection
                    // timeout after another. Answer them all now; each is retryable.
                    if (open.size() == 1 || dev.thrillring.db.DatabaseFailures.isOutage(failed.getCause())) {
                        throw (RuntimeException) failed.getCause();
                    }
                    log.warn("the write of a group of {} facts failed ({}); deciding them one by one", open.size(), failed.getCause().toString());
                    // One fact's write failed: decide each alone, so the failure stays with its fact.
                    for (Pending p : open) {
                        try {
                            decide(tenant, List.of(p));
                        } catch (RuntimeException alone) {
                            p.answer().completeExceptionally(alone);
                        }
                    }
                    return;
                }
            }
            if (attempt >= MAX_ATTEMPTS) {
                Problem busy = new Problem.Conflict("user_id", "the subject's state kept changing while this fact was decided; send it again");
                open.forEach(p -> p.answer().completeExceptionally(busy));
                return;
            }
        }
    }

    /** The write step failed for a reason other than a moved subject. */
    private static final class WriteFailed extends RuntimeException {
        WriteFailed(RuntimeException cause) { super(cause); }
    }

    private void attempt(UUID tenant, List<Pending> group) {
        Set<String> ids = new LinkedHashSet<>();
        Set<String> users = new HashSet<>();
        Set<String> periodKeys = new HashSet<>();
        for (Pending p : group) {
            ids.add(p.fact().id());
            users.add(p.subject());
            periodKeys.addAll(p.periodKeys().values());
        }
        long t0 = System.nanoTime();
        // The replays and every subject's state, in one round trip.
        List<org.jooq.ResultQuery<?>> reads = new ArrayList<>();
        reads.add(store.findAllQuery(tenant, ids));
        reads.addAll(subjects.loadAllQueries(tenant, users, periodKeys));
        Read read = scope.inTenant(tenant, reads, (tx, results) -> new Read(FactStore.stored(results.getFirst()),
                subjects.loadAll(tenant, users, results.subList(1, results.size()))));
        long t1 = System.nanoTime();

        // The rule set active now, not when the request arrived: a long batch moves to a new
        // activation at its next group, and a replaced rule set decides no group that starts later.
        CompiledRuleSet ruleSet = ruleSets.forTenant(tenant, group.getFirst().platform());
        // No connection is held from here until the write.
        List<Evaluated> evaluated = new ArrayList<>();
        Map<String, Pending> firstOfId = new HashMap<>();
        List<Pending> sameIdLater = new ArrayList<>();
        for (Pending p : group) {
            FactInput f = p.fact();
            FactStore.Stored stored = read.stored().get(f.id());
            if (stored != null) {
                replay(p, stored.payloadHash(), stored.decision());
                continue;
            }
            if (firstOfId.putIfAbsent(f.id(), p) != null) {
                sameIdLater.add(p);
                continue;
            }
            Snapshot snapshot = read.snapshots().get(p.subject());
            SubjectState state = snapshot.stateAt(f.occurredAt());
            Set<String> unlockedBefore = state.unlockedAchievements();
            try {
                Evaluation e = engine.evaluate(ruleSet, f.toFact(), state);
                // Held out: decided and measured, but no rewards, so no events or notifications either.
                if (writer.heldOut(tenant, f.userId())) e = Holdouts.withheld(e);
                snapshot.advance(unlockedBefore, state, f.occurredAt(), metricNames(e.outcomes()));
                evaluated.add(new Evaluated(p, e));
            } catch (RuleFailure | Problem failure) {
                p.answer().completeExceptionally(failure);
                firstOfId.remove(f.id());
            }
        }

        long t2 = System.nanoTime();
        List<Decision> decisions;
        try {
            decisions = evaluated.isEmpty() ? List.of() : write(tenant, evaluated, read);
        } catch (Moved moved) {
            throw moved;
        } catch (RuntimeException e) {
            throw new WriteFailed(e);
        }
        if (TRACE()) System.err.printf("group %d: read %d ms, evaluate %d ms, write %d ms%n", group.size(),
                (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
        for (int i = 0; i < decisions.size(); i++) evaluated.get(i).pending().answer().complete(decisions.get(i));
        // The same id twice in one group: the later one is a replay of the first (or a conflict).
        for (Pending p : sameIdLater) {
            Pending first = firstOfId.get(p.fact().id());
            Decision d = first == null ? null : first.answer().getNow(null);
            if (d == null) {
                p.answer().completeExceptionally(new Problem.Conflict(p.fact().field() + "id",
                        "fact id '" + p.fact().id() + "' was sent twice at once and the first was refused"));
            } else {
                replay(p, first.fact().payloadHash(), d);
            }
        }
    }

    /**
     * The write step, in one transaction: claiming the facts and moving their subjects' versions
     * go together with the tenant's setting in the first round trip; the metrics, the features'
     * parts and the decisions follow, most of them deferred to the commit's round trip.
     */
    private List<Decision> write(UUID tenant, List<Evaluated> evaluated, Read read) {
        List<FactInput> facts = evaluated.stream().map(e -> e.pending().fact()).toList();
        // Sorted, so two writers lock shared subjects in the same order.
        Map<String, Long> versions = new TreeMap<>();
        Map<String, Map<String, Map<String, Double>>> metrics = new LinkedHashMap<>();
        for (Evaluated e : evaluated) {
            Snapshot s = read.snapshots().get(e.pending().subject());
            versions.put(e.pending().subject(), s.version());
            if (!s.changedMetrics().isEmpty()) metrics.put(e.pending().subject(), s.changedMetrics());
        }
        return scope.inTenant(tenant, List.of(store.claimAllQuery(tenant, facts), subjects.bumpVersionsQuery(tenant, versions)), (tx, first) -> {
            FactStore.Claimed claimed = FactStore.Claimed.of(first.get(0));
            if (claimed.ids().size() != facts.size()) throw new Moved();
            if (!SubjectStore.moved(versions, first.get(1)).isEmpty()) throw new Moved();
            subjects.writeMetrics(tx, tenant, metrics);
            List<Decided> group = new ArrayList<>(evaluated.size());
            for (Evaluated e : evaluated) {
                FactInput f = e.pending().fact();
                group.add(new Decided(tenant, e.pending().platform(), f.userId(), e.evaluation().outcomes(), f.id(), f.occurredAt()));
            }
            writer.writeParts(tx, group);
            return store.insertDecisions(tx, tenant, facts, evaluated.stream().map(Evaluated::evaluation).toList(), claimed.now());
        });
    }

    private static void replay(Pending p, String storedHash, Decision stored) {
        FactInput f = p.fact();
        if (!storedHash.equals(f.payloadHash())) {
            p.answer().completeExceptionally(new Problem.Conflict(f.field() + "id", "fact id '" + f.id()
                    + "' was already used with a different payload; use a new id for a new fact"));
        } else {
            p.answer().complete(stored.replayed());
        }
    }

    private static Set<String> metricNames(List<Outcome> outcomes) {
        Set<String> names = new HashSet<>();
        for (Outcome o : outcomes) {
            if (o.kind().equals("metric") || o.kind().equals("metric_max") || o.kind().equals("metric_set")) {
                names.add((String) o.details().get("name"));
            }
        }
        return names;
    }

    /** A deadlock or serialization failure between writers: worth another attempt. */
    private static boolean isConflict(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && ("40P01".equals(s.getSQLState()) || "40001".equals(s.getSQLState()))) return true;
        }
        return false;
    }
}
