package dev.thrillring.db;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the database's state up to date in the background, so that {@code /ready}, {@code /health}
 * and the request gate read a field instead of waiting on a pool: every {@link #PROBE_EVERY} a
 * {@code SELECT 1} on a connection of its own (short connect and socket timeouts), and for the
 * embedded PostgreSQL a look at its postmaster process. When the embedded postmaster is gone (a
 * crash, a full disk, a kill) it is started again with exponential backoff (1 s doubling to 30 s),
 * and each attempt is logged with its reason and counted. With {@code DATABASE_URL} nothing is
 * started: the pool and the listener reconnect once the probe sees the server again.
 */
public final class DatabaseSupervisor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DatabaseSupervisor.class);
    static final Duration PROBE_EVERY = Duration.ofMillis(250);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /**
     * What the service knows about its database now.
     *
     * @param up        the last probe succeeded
     * @param reason    why it is down (empty when up)
     * @param since     when the current state began
     * @param restarts  times this process started the embedded PostgreSQL again
     * @param retryAfter a client's sensible wait before retrying while down
     */
    public record State(boolean up, String reason, Instant since, long restarts, Duration retryAfter) {}

    private final Database db;
    private final Optional<PostgresProcess> process;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r ->
            Thread.ofPlatform().daemon().name("db-supervisor").unstarted(r));
    private final Counter restartCounter;
    private final Counter failedRestartCounter;
    private final Counter outageCounter;
    private volatile State state;
    private Connection probe;
    private Duration backoff = FIRST_BACKOFF;
    private long nextRestartAt;

    public DatabaseSupervisor(Database db, MeterRegistry registry) {
        this.db = db;
        this.process = db.embeddedProcess();
        this.state = new State(true, "", Instant.now(), 0, Duration.ZERO);
        this.restartCounter = Counter.builder("thrillring.database.restarts")
                .description("times the embedded PostgreSQL was started again after it exited").register(registry);
        this.failedRestartCounter = Counter.builder("thrillring.database.restart.failures")
                .description("attempts to start the embedded PostgreSQL again that failed").register(registry);
        this.outageCounter = Counter.builder("thrillring.database.outages")
                .description("times the database stopped answering").register(registry);
        registry.gauge("thrillring.database.up", this, s -> s.state.up() ? 1 : 0);
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::tick, 0, PROBE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The state as of the last probe (at most {@link #PROBE_EVERY} old); never blocks. */
    public State state() { return state; }

    /** Probes now on the supervisor's thread (after a request saw the database fail). */
    public void probeSoon() {
        timer.execute(this::tick);
    }

    private void tick() {
        try {
            if (process.isPresent() && process.get().postmaster().isEmpty()) {
                closeProbe();
                down("the embedded PostgreSQL is not running");
                maybeRestart(process.get());
                return;
            }
            String failure = query();
            if (failure == null) up();
            else down(failure);
        } catch (RuntimeException e) {
            log.error("database supervisor round failed", e);
        }
    }

    /** Null when {@code SELECT 1} answered, else why not. */
    private String query() {
        try {
            if (probe == null) probe = db.probeConnection();
            try (var st = probe.createStatement()) {
                st.setQueryTimeout(2);
                try (var rs = st.executeQuery("SELECT 1")) {
                    if (rs.next() && rs.getInt(1) == 1) return null;
                }
            }
            return "the database answered SELECT 1 wrongly";
        } catch (SQLException e) {
            closeProbe();
            // The SQLSTATE only: the message can name hosts and ports, and /health is public.
            log.debug("database probe failed", e);
            return "the database does not answer (SQLSTATE " + (e.getSQLState() == null ? "unknown" : e.getSQLState()) + ")";
        }
    }

    private void maybeRestart(PostgresProcess pg) {
        long now = System.nanoTime();
        if (now < nextRestartAt) return;
        long t0 = System.nanoTime();
        try {
            log.warn("starting the embedded PostgreSQL again ({}; attempt after {} s backoff)", state.reason(), backoff.toSeconds());
            pg.start(Duration.ofSeconds(20));
            restartCounter.increment();
            log.info("embedded PostgreSQL started again in {} ms", (System.nanoTime() - t0) / 1_000_000);
            db.evictPooledConnections();
            backoff = FIRST_BACKOFF;
            nextRestartAt = 0;
            String failure = query();
            if (failure == null) up();
        } catch (RuntimeException e) {
            failedRestartCounter.increment();
            nextRestartAt = System.nanoTime() + backoff.toNanos();
            log.error("the embedded PostgreSQL did not start again: {}; next attempt in {} s", e.getMessage(), backoff.toSeconds());
            state = new State(false, "the embedded PostgreSQL exited and could not be started again (see the log); retrying",
                    state.since(), state.restarts(), backoff);
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    private void up() {
        State s = state;
        if (!s.up()) {
            log.info("database answers again after {} ms down ({})", Duration.between(s.since(), Instant.now()).toMillis(), s.reason());
            db.evictPooledConnections();
            state = new State(true, "", Instant.now(), (long) restartCounter.count(), Duration.ZERO);
        } else if (s.restarts() != (long) restartCounter.count()) {
            state = new State(true, "", s.since(), (long) restartCounter.count(), Duration.ZERO);
        }
    }

    private void down(String reason) {
        State s = state;
        Duration retry = nextRestartAt == 0 ? Duration.ofSeconds(1)
                : Duration.ofNanos(Math.max(1_000_000_000L, nextRestartAt - System.nanoTime()));
        if (s.up()) {
            outageCounter.increment();
            log.error("database down: {}", reason);
            state = new State(false, reason, Instant.now(), s.restarts(), retry);
        } else if (!s.reason().startsWith("the embedded PostgreSQL exited and could not") || !reason.startsWith("the embedded PostgreSQL is not")) {
            state = new State(false, reason, s.since(), s.restarts(), retry);
        }
    }

    private void closeProbe() {
        if (probe == null) return;
        try {
            probe.close();
        } catch (SQLException ignored) {
            // the connection is broken anyway
        }
        probe = null;
    }

    @Override public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeProbe();
    }
}
