package dev.thrillring.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thrillring.app.Config;
import dev.thrillring.app.Server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A real ThrillRing (embedded PostgreSQL, HTTP on a loopback port) shared by the HTTP tests of
 * one JVM, plus a small client. Tests create their own tenants, so they do not see each other.
 */
public final class TestServer implements AutoCloseable {
    public static final String ADMIN_KEY = "trk_admin_test_0123456789abcdefghijkmnopqrs";
    private static TestServer shared;

    public final Server server;
    public final Path dataDir;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    private TestServer(Server server, Path dataDir) {
        this.server = server;
        this.dataDir = dataDir;
    }

    /** The suite's shared server, started on first use and stopped when the JVM exits. */
    public static synchronized TestServer shared() {
        if (shared == null) {
            shared = start(tempDir());
            Runtime.getRuntime().addShutdownHook(new Thread(shared.server::close));
        }
        return shared;
    }

    /** A server of its own on {@code dataDir}; the caller closes it. */
    public static TestServer start(Path dataDir) {
        return start(dataDir, Path.of("rules"), Path.of("decision-tables"), false);
    }

    /** A server of its own with the default test settings changed by {@code change} (e.g. JWT); the caller closes it. */
    public static TestServer start(Path dataDir, java.util.function.UnaryOperator<Config> change) {
        Config config = new Config("127.0.0.1", 0, dataDir, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(ADMIN_KEY), Path.of("rules"), Path.of("decision-tables"), 1_048_576, 8, 100, false, "http://127.0.0.1:7070",
                java.util.Set.of("127.0.0.1"), 100_000, 100_000, 100_000);
        return new TestServer(Server.start(change.apply(config)), dataDir);
    }

    /** A server of its own with the default test settings and the given self-protection settings; the caller closes it. */
    public static TestServer start(Path dataDir, dev.thrillring.app.OperationsConfig ops) {
        Config config = new Config("127.0.0.1", 0, dataDir, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(ADMIN_KEY), Path.of("rules"), Path.of("decision-tables"), 1_048_576, 8, 100, false, "http://127.0.0.1:7070",
                java.util.Set.of("127.0.0.1"), 100_000, 100_000, 100_000);
        return new TestServer(Server.start(config, ops), dataDir);
    }

    /** A server of its own with the given webhook delivery settings; the caller closes it. */
    public static TestServer start(Path dataDir, dev.thrillring.webhooks.WebhookSettings webhooks) {
        Config config = new Config("127.0.0.1", 0, dataDir, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(ADMIN_KEY), Path.of("rules"), Path.of("decision-tables"), 1_048_576, 8, 100, false, "http://127.0.0.1:7070",
                java.util.Set.of("127.0.0.1"), 100_000, 100_000, 100_000);
        return new TestServer(Server.start(config, dev.thrillring.app.OperationsConfig.DEFAULTS, webhooks), dataDir);
    }

    /** A server of its own that publishes its event log to Kafka; the caller closes it. */
    public static TestServer start(Path dataDir, dev.thrillring.kafka.KafkaSettings kafka) {
        return new TestServer(Server.start(config(dataDir, Optional.empty()), dev.thrillring.app.OperationsConfig.DEFAULTS,
                dev.thrillring.webhooks.WebhookSettings.DEFAULTS, Optional.of(kafka)), dataDir);
    }

    /** A second node on {@code first}'s database that publishes to Kafka as well; the caller closes it. */
    public static TestServer secondNode(TestServer first, dev.thrillring.kafka.KafkaSettings kafka) {
        Config config = config(tempDir(), Optional.of(first.server.database().jdbcUrl() + "?user=postgres"))
                .withBadgeKeySecret(first.badgeKeySecret());
        return new TestServer(Server.start(config, dev.thrillring.app.OperationsConfig.DEFAULTS,
                dev.thrillring.webhooks.WebhookSettings.DEFAULTS, Optional.of(kafka)), config.dataDir());
    }

    private static Config config(Path dataDir, Optional<String> databaseUrl) {
        return new Config("127.0.0.1", 0, dataDir, databaseUrl, Optional.empty(), Optional.empty(),
                Optional.of(ADMIN_KEY), Path.of("rules"), Path.of("decision-tables"), 1_048_576, 8, 100, false, "http://127.0.0.1:7070",
                java.util.Set.of("127.0.0.1"), 100_000, 100_000, 100_000);
    }

    /** A server of its own with its own rule folders, optionally watching them (development mode). */
    public static TestServer start(Path dataDir, Path rules, Path tables, boolean watch) {
        Config config = new Config("127.0.0.1", 0, dataDir, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(ADMIN_KEY), rules, tables, 1_048_576, 8, 100, watch, "http://127.0.0.1:7070", java.util.Set.of("127.0.0.1"), 100_000, 100_000, 100_000);
        return new TestServer(Server.start(config), dataDir);
    }

    /** The test client for a server started elsewhere (benchmarks). */
    private static final String SUITE_BADGE_SECRET = java.util.Base64.getEncoder().encodeToString(
            "thrillring-test-suite-badge-seal".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

    public static TestServer wrap(Server server) { return new TestServer(server, null); }

    /**
     * A fresh data directory holding the suite's badge sealing secret: every test node is a node
     * of one deployment, so a second node started on the shared database opens the badge keys
     * the first one sealed (as THRILLRING_BADGE_KEY_SECRET does in production).
     */
    public static Path tempDir() {
        try {
            Path dir = Files.createTempDirectory("thrillring-test");
            Path secret = dir.resolve("badge-keys.secret");
            Files.writeString(secret, SUITE_BADGE_SECRET + "\n", java.nio.charset.StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This server's badge key sealing secret; a second node on its database must be given the same. */
    public String badgeKeySecret() { return dev.thrillring.badges.KeySeal.fileSecret(dataDir); }

    /** Stops a server the test started itself (never the shared one). */
    @Override public void close() { server.close(); }

    public String baseUrl() { return "http://127.0.0.1:" + server.port(); }

    /** A response with its body parsed as JSON when it is JSON. */
    public record Response(int status, Map<String, java.util.List<String>> headers, String body, JsonNode json) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst()).findFirst().orElse(null);
        }
    }

    public Response send(String method, String path, String key, String contentType, String body) {
        return send(method, path, key, contentType, body, Map.of());
    }

    /** As {@link #send(String, String, String, String, String)} with extra headers (e.g. X-Forwarded-For). */
    public Response send(String method, String path, String key, String contentType, String body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) b.header("Authorization", "Bearer " + key);
        if (contentType != null) b.header("Content-Type", contentType);
        headers.forEach(b::header);
        return exchange(b.build());
    }

    public Response post(String path, String key, String body) { return send("POST", path, key, "application/json", body); }

    public Response get(String path, String key) { return send("GET", path, key, null, null); }

    /** Posts files as multipart/form-data parts named {@code files}, plus an optional comment. */
    public Response upload(String path, String key, Map<String, byte[]> files, String comment) {
        return upload(path, key, files, comment, Map.of());
    }

    /** As {@link #upload(String, String, Map, String)}, with more form fields (such as {@code remove}). */
    public Response upload(String path, String key, Map<String, byte[]> files, String comment, Map<String, String> fields) {
        String boundary = "----thrillring" + System.nanoTime();
        var out = new java.io.ByteArrayOutputStream();
        try {
            for (var f : files.entrySet()) {
                out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"files\"; filename=\"" + f.getKey()
                        + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                out.write(f.getValue());
                out.write("\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            if (comment != null) {
                out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\n" + comment + "\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            for (var f : fields.entrySet()) {
                out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.getKey() + "\"\r\n\r\n" + f.getValue() + "\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            out.write(("--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return exchange(HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray())).build());
    }

    private Response exchange(HttpRequest request) {
        try {
            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
            String ct = r.headers().firstValue("Content-Type").orElse("");
            JsonNode node = ct.contains("json") && !r.body().isEmpty() ? json.readTree(r.body()) : null;
            return new Response(r.statusCode(), r.headers().map(), r.body(), node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A download: status, headers and the body as bytes (workbooks). */
    public record Download(int status, Map<String, java.util.List<String>> headers, byte[] body) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst()).findFirst().orElse(null);
        }
    }

    /** GET of a binary body. */
    public Download download(String path, String key) {
        try {
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Download(r.statusCode(), r.headers().map(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** UTF-8 bytes of a text file, for uploads. */
    public static byte[] text(String s) { return s.getBytes(java.nio.charset.StandardCharsets.UTF_8); }

    /** Creates a tenant on {@code platform} and returns its id. */
    public String createTenant(String name, String platform) {
        Response r = post("/api/v1/tenants", ADMIN_KEY,
                "{\"name\":\"" + name + "\",\"platform\":\"" + platform + "\",\"industry\":\"retail\"}");
        if (r.status() != 201) throw new AssertionError("tenant not created: " + r.status() + " " + r.body());
        return r.json().get("tenant_id").asText();
    }

    /** Issues an API key with {@code role} for the tenant. */
    public String issueKey(String tenantId, String role) {
        Response r = post("/api/v1/tenants/" + tenantId + "/api-keys", ADMIN_KEY, "{\"role\":\"" + role + "\"}");
        if (r.status() != 201) throw new AssertionError("key not issued: " + r.status() + " " + r.body());
        return r.json().get("api_key").asText();
    }

    /** A raw JDBC connection as the service's own role, for checking what really is stored. */
    public Connection appConnection() throws SQLException {
        return DriverManager.getConnection(server.database().jdbcUrl(), "thrillring_app", "");
    }

    /** A raw JDBC connection as the owner (sees through RLS), for counting rows in tests. */
    public Connection ownerConnection() throws SQLException {
        return DriverManager.getConnection(server.database().jdbcUrl(), "postgres", "");
    }
}
