package dev.thrillring.subjects;

import dev.thrillring.engine.Periods;
import dev.thrillring.engine.model.SubjectState;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A subject's stored state as a group of facts found it, then as each of the group's facts left
 * it: {@link #stateAt} gives the state a fact is evaluated with, {@link #advance} takes in what
 * the evaluation changed, so the next fact of the subject sees it.
 */
public final class Snapshot {
    /** The last unlock of an achievement and its cooldown (null: held for good). */
    record Unlock(Instant at, Integer cooldownSeconds) {}

    private final UUID tenantId;
    private final String userKey;
    final Map<String, Map<String, Double>> metricsByKey = new HashMap<>();
    final Map<String, Unlock> lastUnlock = new HashMap<>();
    int referrals;
    long version;
    /** Metric values the group's decisions changed, by metric and period key (to be written). */
    private final Map<String, Map<String, Double>> changed = new HashMap<>();

    Snapshot(UUID tenantId, String userKey) {
        this.tenantId = tenantId;
        this.userKey = userKey;
    }

    /** The key the subject is stored under ({@link SubjectStore#key}). */
    public String userKey() { return userKey; }

    /** The version the state was read at. */
    public long version() { return version; }

    /** The state as rules see it for a fact that occurred at {@code at}. */
    public SubjectState stateAt(Instant at) {
        Map<String, Map<String, Double>> metrics = new HashMap<>();
        Periods.keysAt(at, ZoneOffset.UTC).forEach((period, key) -> metrics.put(period, metricsByKey.getOrDefault(key, Map.of())));
        Set<String> unlocked = new HashSet<>();
        lastUnlock.forEach((k, u) -> {
            if (u.cooldownSeconds() == null || u.at().plusSeconds(u.cooldownSeconds()).isAfter(at)) unlocked.add(k);
        });
        return new SubjectState(tenantId, userKey.isEmpty() ? null : userKey, metrics, unlocked, referrals);
    }

    /**
     * Takes in the state a fact's evaluation left: its metric values in the fact's periods and the
     * achievements it unlocked (held from {@code at}; a repeatable one until it is read again).
     */
    public void advance(Set<String> unlockedBefore, SubjectState after, Instant at, Set<String> metricNames) {
        Map<String, String> keys = Periods.keysAt(at, ZoneOffset.UTC);
        for (String name : metricNames) {
            for (var pk : keys.entrySet()) {
                double v = after.metric(name, pk.getKey());
                metricsByKey.computeIfAbsent(pk.getValue(), k -> new HashMap<>()).put(name, v);
                changed.computeIfAbsent(name, n -> new HashMap<>()).put(pk.getValue(), v);
            }
        }
        for (String k : after.unlockedAchievements()) {
            if (!unlockedBefore.contains(k)) lastUnlock.put(k, new Unlock(at, null));
        }
    }

    /** The metric values to write, by metric and period key. */
    public Map<String, Map<String, Double>> changedMetrics() { return changed; }
}
