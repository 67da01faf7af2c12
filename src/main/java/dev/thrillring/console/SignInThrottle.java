package dev.thrillring.console;

import dev.thrillring.problems.Problem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed console sign-ins per client address: after {@link #LIMIT} failures within {@link #WINDOW}
 * the address is answered 429 with Retry-After until its oldest failure leaves the window. Each
 * failure is logged with the address and the reason, never the credential that was tried.
 */
final class SignInThrottle {
    static final int LIMIT = 10;
    static final Duration WINDOW = Duration.ofMinutes(10);
    /** Addresses tracked at once; past it, addresses whose failures all left the window are dropped first. */
    static final int MAX_ADDRESSES = 100_000;
    private static final Logger log = LoggerFactory.getLogger(SignInThrottle.class);

    private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();
    private final Clock clock;

    SignInThrottle(Clock clock) {
        this.clock = clock;
    }

    /** @throws Problem.TooManyRequests when {@code address} has failed {@link #LIMIT} times within the window */
    void check(String address) {
        Deque<Instant> list = failures.get(address);
        if (list == null) return;
        Instant now = clock.instant();
        synchronized (list) {
            prune(list, now);
            if (list.size() < LIMIT) return;
            long wait = Math.max(1, Duration.between(now, list.peekFirst().plus(WINDOW)).toSeconds() + 1);
            throw new Problem.TooManyRequests("too many failed sign-ins from this address; try again in " + wait + " s", wait, LIMIT);
        }
    }

    /** Records a failed sign-in from {@code address}; {@code reason} must not contain the credential. */
    void failed(String address, int status, String reason) {
        Instant now = clock.instant();
        if (failures.size() >= MAX_ADDRESSES && !failures.containsKey(address)) {
            failures.values().removeIf(l -> {
                synchronized (l) {
                    prune(l, now);
                    return l.isEmpty();
                }
            });
            if (failures.size() >= MAX_ADDRESSES) failures.clear();
        }
        Deque<Instant> list = failures.computeIfAbsent(address, a -> new ArrayDeque<>());
        int count;
        synchronized (list) {
            prune(list, now);
            list.addLast(now);
            count = list.size();
        }
        log.warn("console sign-in failed from {}: {} {} ({} failure(s) in the last {} min)", address, status, reason, count, WINDOW.toMinutes());
    }

    private static void prune(Deque<Instant> list, Instant now) {
        while (!list.isEmpty() && !list.peekFirst().plus(WINDOW).isAfter(now)) list.removeFirst();
    }
}
