package dev.thrillring.db;

import dev.thrillring.app.Config;
import dev.thrillring.app.Server;
import dev.thrillring.support.TestServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service on a PostgreSQL it does not start itself, reached by {@code DATABASE_URL}, owned by
 * an ordinary (non-superuser) role as on a managed database.
 */
class ExternalDatabaseTest {
    static EmbeddedPostgres pg;

    @BeforeAll
    static void startAnotherPostgres() throws Exception {
        pg = EmbeddedPostgres.builder().setServerConfig("listen_addresses", "127.0.0.1").start();
        try (Connection c = pg.getPostgresDatabase().getConnection()) {
            c.createStatement().execute("CREATE ROLE owner LOGIN CREATEROLE PASSWORD 'owner-pw'");
            c.createStatement().execute("CREATE DATABASE game OWNER owner");
            c.createStatement().execute("CREATE DATABASE game2 OWNER owner");
        }
    }

    @AfterAll
    static void stop() throws Exception { pg.close(); }

    static Config config(String url, Optional<String> appUser) {
        return new Config("127.0.0.1", 0, TestServer.tempDir(), Optional.of(url), appUser, Optional.empty(),
                Optional.of(TestServer.ADMIN_KEY), Path.of("rules"), Path.of("decision-tables"), 1_048_576, 4, 100, false, "http://127.0.0.1:7070", java.util.Set.of(), 100_000, 100_000, 100_000);
    }

    static int postTenant(Server s) throws Exception {
        var req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/api/v1/tenants"))
                .header("Authorization", "Bearer " + TestServer.ADMIN_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Ext\",\"platform\":\"coreldove\"}")).build();
        return HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void shouldMigrateAndServeWithAPostgresUrlAndSetRole() throws Exception {
        try (Server s = Server.start(config("postgres://owner:owner-pw@127.0.0.1:" + pg.getPort() + "/game", Optional.empty()))) {
            assertThat(postTenant(s)).isEqualTo(201);
            assertThat(s.database().dsl().fetchValue("SELECT current_user")).isEqualTo("thrillring_app");
        }
    }

    @Test
    void shouldServeWithAJdbcUrlAndASeparateAppLogin() throws Exception {
        try (Connection c = pg.getPostgresDatabase().getConnection()) {
            c.createStatement().execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'thrillring_app') "
                    + "THEN CREATE ROLE thrillring_app; END IF; END $$");
            c.createStatement().execute("ALTER ROLE thrillring_app LOGIN PASSWORD 'app-pw'");
        }
        String url = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/game2?user=owner&password=owner-pw";
        try (Server s = Server.start(config(url, Optional.of("thrillring_app")))) {
            assertThat(postTenant(s)).isEqualTo(201);
            assertThat(s.database().dsl().fetchValue("SELECT current_user")).isEqualTo("thrillring_app");
        }
    }
}
