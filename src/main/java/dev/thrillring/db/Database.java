package dev.thrillring.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.jooq.conf.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

/**
 * The PostgreSQL the service runs on: embedded (zonky, data under {@code THRILLRING_DATA_DIR/postgres})
 * unless {@code DATABASE_URL} names another. Migrations run as the owner; the service's pool runs
 * as {@code thrillring_app}, which owns nothing and cannot bypass row-level security.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);
    public static final String APP_ROLE = "thrillring_app";
    private static final String EMBEDDED_DB = "thrillring";

    private final EmbeddedPostgres embedded;
    /** The embedded postmaster's process and the watchdog that stops it if this JVM dies; null when external. */
    private final PostgresProcess process;
    private final Process watchdog;
    private final String ownerJdbcUrl;
    private final Optional<String> ownerUser;
    private final Optional<String> ownerPassword;
    private HikariDataSource pool;
    private DSLContext dsl;

    private Database(EmbeddedPostgres embedded, PostgresProcess process, Process watchdog, String ownerJdbcUrl,
                     Optional<String> ownerUser, Optional<String> ownerPassword) {
        this.embedded = embedded;
        this.process = process;
        this.watchdog = watchdog;
        this.ownerJdbcUrl = ownerJdbcUrl;
        this.ownerUser = ownerUser;
        this.ownerPassword = ownerPassword;
    }

    /** Starts or connects to the database, migrates it and opens the service's pool. */
    public static Database open(DatabaseSettings config, MeterRegistry registry) {
        Database db;
        if (config.databaseUrl().isPresent()) {
            DatabaseUrl url = DatabaseUrl.parse(config.databaseUrl().get());
            db = new Database(null, null, null, url.jdbcUrl(), url.user(), url.password());
        } else {
            db = startEmbedded(config.dataDir());
        }
        try {
            db.migrate();
            db.openPool(config, registry);
            return db;
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    private static Database startEmbedded(Path dataDir) {
        try {
            Path pgData = dataDir.resolve("postgres").toAbsolutePath();
            Files.createDirectories(pgData.getParent());
            long t0 = System.nanoTime();
            PostgresProcess process = new PostgresProcess(pgData);
            // A kill -9 of the previous run can leave its postmaster running: stop it, or this start fails.
            process.stopOrphan(Duration.ofSeconds(10));
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
            // Extra server settings for profiling, e.g. thrillring.pg.settings=shared_preload_libraries=pg_stat_statements
            for (String setting : System.getProperty("thrillring.pg.settings", "").split(";")) {
                int eq = setting.indexOf('=');
                if (eq > 0) builder.setServerConfig(setting.substring(0, eq).trim(), setting.substring(eq + 1).trim());
            }
            EmbeddedPostgres pg = builder
                    .setDataDirectory(pgData)
                    .setCleanDataDirectory(false)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "100")
                    // zonky starts PostgreSQL with -F and synchronous_commit=off, fine for throwaway
                    // test databases; this one keeps real data, so durability is switched back on.
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    // Fresh tables grow fast (a new service's first minutes, a bench): statistics every
                    // 10 s rather than every minute, so cached plans and foreign-key checks leave the
                    // sequential scans chosen while the tables were empty.
                    .setServerConfig("autovacuum_naptime", "10s")
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start();
            Process watchdog = process.startWatchdog();
            log.info("embedded PostgreSQL on port {} with data in {} started in {} ms", pg.getPort(), pgData,
                    (System.nanoTime() - t0) / 1_000_000);
            try (Connection c = pg.getPostgresDatabase().getConnection()) {
                boolean exists = c.createStatement()
                        .executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + EMBEDDED_DB + "'").next();
                if (!exists) c.createStatement().execute("CREATE DATABASE " + EMBEDDED_DB);
            }
            String url = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/" + EMBEDDED_DB;
            return new Database(pg, process, watchdog, url, Optional.of("postgres"), Optional.empty());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + dataDir, e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the embedded database", e);
        }
    }

    private void migrate() {
        var result = Flyway.configure()
                .dataSource(ownerJdbcUrl, ownerUser.orElse(null), ownerPassword.orElse(null))
                .locations("classpath:db/migration")
                // Capabilities number their migrations in bands (V120.., V130.., V190..), so a release can
                // bring a lower number than one a database already has; each band touches its own tables.
                .outOfOrder(true)
                .load()
                .migrate();
        log.info("schema at version {} ({} migrations applied now)", result.targetSchemaVersion, result.migrationsExecuted);
    }

    private void openPool(DatabaseSettings config, MeterRegistry registry) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("thrillring");
        hc.setJdbcUrl(ownerJdbcUrl);
        hc.setMaximumPoolSize(config.poolSize());
        hc.setConnectionTimeout(5_000);
        if (embedded != null) {
            // Local trust authentication: the app role only needs to be allowed to log in.
            runAsOwner("ALTER ROLE " + APP_ROLE + " LOGIN");
            hc.setUsername(APP_ROLE);
        } else if (config.appDbUser().isPresent()) {
            hc.setUsername(config.appDbUser().get());
            config.appDbPassword().ifPresent(hc::setPassword);
        } else {
            ownerUser.ifPresent(hc::setUsername);
            ownerPassword.ifPresent(hc::setPassword);
            hc.setConnectionInitSql("SET ROLE " + APP_ROLE);
            log.warn("THRILLRING_APP_DB_USER is not set: the service connects as the owner and switches to {} with SET ROLE", APP_ROLE);
        }
        hc.setMetricRegistry(registry);
        pool = new HikariDataSource(hc);
        Settings settings = new Settings().withExecuteLogging(false).withRenderSchema(false);
        dsl = DSL.using(pool, SQLDialect.POSTGRES, settings);
        verifyConfined();
    }

    /** Refuses to run when the pool's role could see through row-level security. */
    private void verifyConfined() {
        var r = dsl.fetchOne("SELECT rolsuper, rolbypassrls, current_user = (SELECT tableowner FROM pg_tables "
                + "WHERE schemaname = current_schema() AND tablename = 'facts') FROM pg_roles WHERE rolname = current_user");
        if (r == null || r.get(0, Boolean.class) || r.get(1, Boolean.class) || r.get(2, Boolean.class)) {
            throw new IllegalStateException("the service's database role must not be superuser, BYPASSRLS or the owner of the tables");
        }
    }

    private void runAsOwner(String sql) {
        try (Connection c = java.sql.DriverManager.getConnection(ownerJdbcUrl, ownerUser.orElse(null), ownerPassword.orElse(null))) {
            c.createStatement().execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot prepare the application role", e);
        }
    }

    /**
     * A connection outside the pool with the pool's credentials and role, for a long-lived
     * {@code LISTEN}. The caller closes it.
     */
    public Connection newDirectConnection() throws SQLException {
        Connection c = java.sql.DriverManager.getConnection(pool.getJdbcUrl(), pool.getUsername(), pool.getPassword());
        if (pool.getConnectionInitSql() != null) c.createStatement().execute(pool.getConnectionInitSql());
        return c;
    }

    /**
     * A connection for the supervisor's probe: pool credentials, connect and socket timeouts of a
     * few seconds, so a probe never hangs on a server that does not answer.
     */
    Connection probeConnection() throws SQLException {
        java.util.Properties props = new java.util.Properties();
        if (pool.getUsername() != null) props.setProperty("user", pool.getUsername());
        if (pool.getPassword() != null) props.setProperty("password", pool.getPassword());
        props.setProperty("connectTimeout", "2");
        props.setProperty("socketTimeout", "3");
        props.setProperty("loginTimeout", "3");
        props.setProperty("ApplicationName", "thrillring-probe");
        return java.sql.DriverManager.getConnection(pool.getJdbcUrl(), props);
    }

    /** Drops pooled connections to a server that went away, so no request borrows a dead one. */
    void evictPooledConnections() {
        var mx = pool.getHikariPoolMXBean();
        if (mx != null) mx.softEvictConnections();
    }

    /**
     * Runs {@code work} on one connection as the owner, outside row-level security: only for
     * operator-owned platform data (the catalogue synced from the shipped rules) and work that
     * spans tenants by design (backfilling a new platform achievement).
     */
    public <T> T asOwner(java.util.function.Function<DSLContext, T> work) {
        try (Connection c = java.sql.DriverManager.getConnection(ownerJdbcUrl, ownerUser.orElse(null), ownerPassword.orElse(null))) {
            return TenantScope.run(c, new Settings().withRenderSchema(false), work);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect as the database owner", e);
        }
    }

    /** The service's pool (tenant transactions go through {@link TenantScope}). */
    public javax.sql.DataSource dataSource() { return pool; }

    /** The service's query context; every tenant query goes through {@link TenantScope}. */
    public DSLContext dsl() { return dsl; }

    /** True when the database answers a query now. */
    public boolean reachable() {
        try {
            return Integer.valueOf(1).equals(dsl.fetchValue("SELECT 1"));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The embedded PostgreSQL's process, empty with {@code DATABASE_URL}. */
    Optional<PostgresProcess> embeddedProcess() { return Optional.ofNullable(process); }

    /** JDBC URL of the database (tests use it for raw SQL). */
    public String jdbcUrl() { return ownerJdbcUrl; }

    @Override public void close() {
        if (pool != null) pool.close();
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                log.warn("embedded PostgreSQL did not stop cleanly", e);
            }
            // zonky stops the postmaster it started; one the supervisor started again is stopped here.
            process.postmaster().ifPresent(pm -> PostgresProcess.stop(pm, Duration.ofSeconds(10)));
            watchdog.destroy();
        }
    }
}
