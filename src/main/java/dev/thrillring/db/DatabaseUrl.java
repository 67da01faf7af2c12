package dev.thrillring.db;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A PostgreSQL location from {@code DATABASE_URL}, in either the {@code postgres://user:pass@host:port/db}
 * form that hosting platforms hand out or the JDBC form.
 */
public record DatabaseUrl(String jdbcUrl, Optional<String> user, Optional<String> password) {

    public static DatabaseUrl parse(String url) {
        if (url.startsWith("jdbc:postgresql:")) return fromJdbc(url);
        if (!url.startsWith("postgres://") && !url.startsWith("postgresql://")) {
            throw new IllegalArgumentException("DATABASE_URL must start with postgres://, postgresql:// or jdbc:postgresql:");
        }
        URI uri = URI.create(url);
        if (uri.getHost() == null) throw new IllegalArgumentException("DATABASE_URL has no host");
        String path = uri.getRawPath() == null || uri.getRawPath().length() <= 1 ? "/postgres" : uri.getRawPath();
        String jdbc = "jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + path
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        Optional<String> user = Optional.empty();
        Optional<String> password = Optional.empty();
        String info = uri.getRawUserInfo();
        if (info != null) {
            int colon = info.indexOf(':');
            user = Optional.of(decode(colon < 0 ? info : info.substring(0, colon)));
            if (colon >= 0) password = Optional.of(decode(info.substring(colon + 1)));
        }
        return new DatabaseUrl(jdbc, user, password);
    }

    /**
     * Moves {@code user} and {@code password} out of a JDBC URL's query, so that a pool can log in
     * as another role with the same URL (the driver lets URL parameters win over properties).
     */
    private static DatabaseUrl fromJdbc(String url) {
        int q = url.indexOf('?');
        if (q < 0) return new DatabaseUrl(url, Optional.empty(), Optional.empty());
        Optional<String> user = Optional.empty();
        Optional<String> password = Optional.empty();
        StringBuilder rest = new StringBuilder();
        for (String param : url.substring(q + 1).split("&")) {
            if (param.startsWith("user=")) user = Optional.of(decode(param.substring(5)));
            else if (param.startsWith("password=")) password = Optional.of(decode(param.substring(9)));
            else if (!param.isEmpty()) rest.append(rest.isEmpty() ? "?" : "&").append(param);
        }
        return new DatabaseUrl(url.substring(0, q) + rest, user, password);
    }

    private static String decode(String s) { return URLDecoder.decode(s, StandardCharsets.UTF_8); }
}
