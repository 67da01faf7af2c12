package dev.thrillring.db;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One connection that {@code LISTEN}s on the service's channels and hands each notification to
 * its channel's handler. When the connection is lost it reconnects and runs {@code resync}, since
 * notifications sent meanwhile are gone.
 */
public final class Listener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Listener.class);

    private final Database db;
    private final Map<String, Consumer<String>> handlers;
    private final Runnable resync;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Connection connection;

    public Listener(Database db, Map<String, Consumer<String>> handlers, Runnable resync) {
        this.db = db;
        for (String channel : handlers.keySet()) {
            if (!Channels.ALL.contains(channel)) throw new IllegalArgumentException("channel '" + channel + "' is not named in Channels");
        }
        this.handlers = Map.copyOf(handlers);
        this.resync = resync;
        this.thread = Thread.ofPlatform().daemon().name("db-listener").unstarted(this::listen);
    }

    public void start() { thread.start(); }

    private void listen() {
        boolean first = true;
        while (running) {
            try (Connection c = db.newDirectConnection()) {
                connection = c;
                for (String channel : handlers.keySet()) c.createStatement().execute("LISTEN " + channel);
                if (!first) resync.run();
                first = false;
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notes = pg.getNotifications(500);
                    if (notes == null) continue;
                    for (PGNotification n : notes) handle(n);
                }
            } catch (SQLException e) {
                if (!running) return;
                log.warn("database notifications interrupted ({}); reconnecting", e.getMessage());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void handle(PGNotification n) {
        try {
            Consumer<String> h = handlers.get(n.getName());
            if (h != null) h.accept(n.getParameter());
        } catch (RuntimeException e) {
            log.error("could not handle a notification on {}", n.getName(), e);
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
