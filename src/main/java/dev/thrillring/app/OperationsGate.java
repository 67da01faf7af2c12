package dev.thrillring.app;

import dev.thrillring.db.DatabaseSupervisor;
import dev.thrillring.db.DiskWatch;
import dev.thrillring.problems.Problem;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Optional;
import java.util.Set;

/**
 * Runs before authentication (which needs the database): while the database is down every request
 * but the probes fails at once with 503 and {@code Retry-After}, instead of waiting for a pool
 * timeout; while free disk is below the floor, writes fail with 507 and reads go on.
 */
final class OperationsGate {
    private static final Set<String> PROBES = Set.of("/health", "/ready", "/metrics");
    private static final Set<HandlerType> WRITES = Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.PATCH);

    private final DatabaseSupervisor supervisor;
    private final Optional<DiskWatch> disk;
    private final Counter unavailable;
    private final Counter noSpace;

    OperationsGate(DatabaseSupervisor supervisor, Optional<DiskWatch> disk, MeterRegistry registry) {
        this.supervisor = supervisor;
        this.disk = disk;
        this.unavailable = Counter.builder("thrillring.requests.refused").tag("reason", "database_down")
                .description("requests refused before any work because the database was down or the disk full").register(registry);
        this.noSpace = Counter.builder("thrillring.requests.refused").tag("reason", "disk_low").register(registry);
    }

    void check(Context ctx) {
        if (PROBES.contains(ctx.path())) return;
        DatabaseSupervisor.State s = supervisor.state();
        if (!s.up()) {
            unavailable.increment();
            long retry = Math.max(1, s.retryAfter().toSeconds());
            throw new Problem.Unavailable("the database is unavailable and being recovered; nothing was attempted, retry in "
                    + retry + " s", retry);
        }
        if (disk.isPresent() && WRITES.contains(ctx.method())) {
            DiskWatch.Space space = disk.get().space();
            if (space.low()) {
                noSpace.increment();
                throw new Problem.InsufficientStorage("free disk under the database is " + (space.freeBytes() >> 20)
                        + " MiB, below the floor of " + (space.floorBytes() >> 20)
                        + " MiB: new facts and other writes are refused until space is freed; reads work");
            }
        }
    }
}
