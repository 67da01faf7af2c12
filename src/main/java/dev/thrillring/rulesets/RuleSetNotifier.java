package dev.thrillring.rulesets;

import dev.thrillring.db.Database;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Carries rule set activations between processes that share one database: an activation commits
 * a {@code NOTIFY} on {@link #CHANNEL}; every process listens and reloads that tenant. When the
 * listening connection is lost, the process reconnects and reloads every tenant, since it may
 * have missed notifications meanwhile.
 */
public final class RuleSetNotifier implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RuleSetNotifier.class);
    static final String CHANNEL = "thrillring_rulesets";
    /** This process; its own notifications are skipped, it installed the change already. */
    static final String NODE = UUID.randomUUID().toString();

    private final Database db;
    private final Consumer<UUID> changed;
    private final Runnable resync;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Connection connection;

    public RuleSetNotifier(Database db, Consumer<UUID> changed, Runnable resync) {
        this.db = db;
        this.changed = changed;
        this.resync = resync;
        this.thread = Thread.ofPlatform().daemon().name("rule-set-listener").unstarted(this::listen);
    }

    public void start() { thread.start(); }

    private void listen() {
        boolean first = true;
        while (running) {
            try (Connection c = db.newDirectConnection()) {
                connection = c;
                c.createStatement().execute("LISTEN " + CHANNEL);
                if (!first) resync.run();
                first = false;
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notes = pg.getNotifications(500);
                    if (notes == null) continue;
                    for (PGNotification n : notes) handle(n.getParameter());
                }
            } catch (SQLException e) {
                if (!running) return;
                log.warn("rule set notifications interrupted ({}); reconnecting", e.getMessage());
                sleep();
            }
        }
    }

    private void handle(String payload) {
        int bar = payload.indexOf('|');
        if (bar > 0 && payload.substring(bar + 1).equals(NODE)) return;
        try {
            changed.accept(UUID.fromString(bar > 0 ? payload.substring(0, bar) : payload));
        } catch (RuntimeException e) {
            log.error("could not reload rule set for tenant {}", payload, e);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override public void close() {
        running = false;
        try {
            if (connection != null) connection.close();
        } catch (SQLException ignored) {
            // closing anyway
        }
        thread.interrupt();
    }
}
