package dev.thrillring.app;

import dev.thrillring.auth.AdminKey;
import dev.thrillring.auth.AuthService;
import dev.thrillring.auth.Role;
import dev.thrillring.db.Database;
import dev.thrillring.db.TenantScope;
import dev.thrillring.engine.PlatformRuleFiles;
import dev.thrillring.engine.RuleEngine;
import dev.thrillring.facts.FactRoutes;
import dev.thrillring.facts.FactService;
import dev.thrillring.problems.Problem;
import dev.thrillring.tenants.TenantRoutes;
import dev.thrillring.tenants.TenantService;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import io.javalin.security.RouteRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Set;

import static dev.thrillring.db.schema.Tables.PLATFORMS;

/** Wires the service: database, rule engine, services and the HTTP server. */
public final class Server implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Server.class);

    private final Database db;
    private final RuleEngine engine;
    private final Javalin http;

    private Server(Database db, RuleEngine engine, Javalin http) {
        this.db = db;
        this.engine = engine;
        this.http = http;
    }

    /** Starts everything; the returned server is ready to serve. */
    public static Server start(Config config) {
        long t0 = System.nanoTime();
        Metrics metrics = new Metrics();
        Database db = Database.open(config, metrics.registry());
        RuleEngine engine = new RuleEngine(new PlatformRuleFiles(config.rulesDir(), config.tablesDir()), metrics.registry());
        try {
            TenantScope scope = new TenantScope(db.dsl());
            engine.loadPlatforms(db.dsl().select(PLATFORMS.NAME).from(PLATFORMS).fetch(PLATFORMS.NAME));
            AuthService auth = new AuthService(db.dsl(), AdminKey.resolveHash(config.adminKey(), config.dataDir()));
            TenantService tenants = new TenantService(scope);
            FactService facts = new FactService(scope, tenants, engine, metrics.registry());

            Javalin http = Javalin.create(c -> {
                c.startup.showJavalinBanner = false;
                c.concurrency.useVirtualThreads = true;
                c.http.maxRequestSize = config.maxBodyBytes();
                c.jetty.host = config.host();
                c.jetty.port = config.port();
                c.jsonMapper(new JavalinJackson(Json.mapper(), true));
                c.requestLogger.http(metrics::recordRequest);
                c.routes.beforeMatched(ctx -> authorise(ctx, auth));
                ErrorMapping.register(c.routes);
                HealthRoutes.register(c.routes, db, engine, metrics);
                TenantRoutes.register(c.routes, tenants);
                FactRoutes.register(c.routes, facts, Clock.systemUTC());
            }).start();
            log.info("ThrillRing serving on http://{}:{} (started in {} ms)", config.host(), http.port(),
                    (System.nanoTime() - t0) / 1_000_000);
            return new Server(db, engine, http);
        } catch (RuntimeException e) {
            engine.close();
            db.close();
            throw e;
        }
    }

    /** Every route declares its roles; a route without any is refused rather than left open. */
    private static void authorise(Context ctx, AuthService auth) {
        Set<RouteRole> allowed = ctx.routeRoles();
        if (allowed.contains(Role.PUBLIC)) return;
        var principal = auth.authenticate(ctx.header("Authorization"));
        if (!allowed.contains(principal.role())) {
            throw new Problem.Forbidden("the " + principal.role().wireName() + " role may not use this route");
        }
        ctx.attribute(Requests.PRINCIPAL, principal);
    }

    public int port() { return http.port(); }

    public Database database() { return db; }

    @Override public void close() {
        http.stop();
        engine.close();
        db.close();
    }

}
