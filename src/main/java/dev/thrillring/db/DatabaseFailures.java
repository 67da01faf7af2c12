package dev.thrillring.db;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/** Tells a lost database (retryable, 503) and a full one (507) from a bug (500) in an exception's causes. */
public final class DatabaseFailures {
    private DatabaseFailures() {}

    /** The connection failed or the server shut down or is starting: nothing the client did. */
    public static boolean isOutage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException) return true;
            if (t instanceof SQLException s && s.getSQLState() != null) {
                String state = s.getSQLState();
                // 08: connection exception; 57P01..57P03: admin/crash shutdown, cannot connect now.
                if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) return true;
            }
            if (t instanceof java.net.ConnectException || t instanceof java.io.EOFException) return true;
        }
        return false;
    }

    /** PostgreSQL could not extend a file (SQLSTATE 53100, disk full). */
    public static boolean isDiskFull(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && "53100".equals(s.getSQLState())) return true;
        }
        return false;
    }
}
