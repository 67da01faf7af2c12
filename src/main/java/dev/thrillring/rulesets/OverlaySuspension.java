package dev.thrillring.rulesets;

import dev.thrillring.engine.RuleEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Watches evaluations that overrun their deadline and suspends a tenant's own rules when they
 * keep doing it: at the first worker that had to be abandoned (it may never end), or at the
 * {@value #STRIKES}th overrun within {@link #WINDOW}. So one tenant's rules can hold at most one
 * abandoned worker, or {@value #STRIKES} slow facts in a window, before its platform's base takes
 * over. Overruns of a platform's base rules are logged only: there is nothing beneath them.
 */
final class OverlaySuspension implements Consumer<RuleEngine.Overrun> {
    static final int STRIKES = 3;
    static final Duration WINDOW = Duration.ofMinutes(10);
    private static final Logger LOG = LoggerFactory.getLogger(OverlaySuspension.class);

    private final RuleSetService ruleSets;
    private final Map<UUID, Deque<Long>> strikes = new ConcurrentHashMap<>();

    OverlaySuspension(RuleSetService ruleSets) { this.ruleSets = ruleSets; }

    @Override public void accept(RuleEngine.Overrun o) {
        LOG.warn("rule set {} overran its deadline in rule '{}' for tenant {}{}", o.ruleSetVersion(), o.rule(), o.tenantId(),
                o.abandoned() ? "; its worker was abandoned" : "");
        if (o.tenantId() == null || !o.ruleSetVersion().contains("+v")) return;
        long now = System.nanoTime();
        Deque<Long> times = strikes.computeIfAbsent(o.tenantId(), t -> new ArrayDeque<>());
        boolean suspend;
        synchronized (times) {
            while (!times.isEmpty() && now - times.peekFirst() > WINDOW.toNanos()) times.pollFirst();
            times.addLast(now);
            suspend = o.abandoned() || times.size() >= STRIKES;
            if (suspend) times.clear();
        }
        if (!suspend) return;
        String reason = o.abandoned() ? "rule '" + o.rule() + "' ran past its deadline and its worker had to be abandoned"
                : "rule '" + o.rule() + "' overran its deadline " + STRIKES + " times within " + WINDOW.toMinutes() + " minutes";
        // Off the request thread: suspension writes and recompiles.
        Thread.ofVirtual().name("overlay-suspension").start(() -> {
            try {
                ruleSets.suspend(o.tenantId(), reason);
                LOG.warn("suspended the rules of tenant {}: {}", o.tenantId(), reason);
            } catch (RuntimeException e) {
                LOG.error("could not suspend the rules of tenant {}", o.tenantId(), e);
            }
        });
    }
}
