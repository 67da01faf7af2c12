package dev.thrillring.app;

import dev.thrillring.achievements.AchievementRoutes;
import dev.thrillring.achievements.AchievementService;
import dev.thrillring.analytics.AnalyticsRoutes;
import dev.thrillring.analytics.AnalyticsService;
import dev.thrillring.auth.AdminKey;
import dev.thrillring.openapi.OpenApiDocument;
import dev.thrillring.openapi.OpenApiRoutes;
import dev.thrillring.console.ConsoleRoutes;
import dev.thrillring.console.ConsoleService;
import dev.thrillring.demo.DemoMode;
import dev.thrillring.leaderboards.LeaderboardRoutes;
import dev.thrillring.leaderboards.LeaderboardService;
import dev.thrillring.referrals.ConversionService;
import dev.thrillring.referrals.ReferralRoutes;
import dev.thrillring.referrals.ReferralService;
import dev.thrillring.auth.AuthService;
import io.javalin.security.RouteRole;
import dev.thrillring.db.Caches;
import dev.thrillring.db.Database;
import dev.thrillring.db.DatabaseSupervisor;
import dev.thrillring.db.DiskWatch;
import dev.thrillring.db.Listener;
import dev.thrillring.db.TenantScope;
import dev.thrillring.engine.PlatformRuleFiles;
import dev.thrillring.engine.RuleEngine;
import dev.thrillring.engine.RuleFileWatcher;
import dev.thrillring.engine.RuleSetCompiler;
import dev.thrillring.engine.RuleSetRegistry;
import dev.thrillring.rulesets.PlatformBaseRules;
import dev.thrillring.rulesets.PlatformRuleSetService;
import dev.thrillring.rulesets.RuleSetNotifier;
import dev.thrillring.rulesets.RuleSetOverlays;
import dev.thrillring.rulesets.RuleSetRoutes;
import dev.thrillring.rulesets.RuleSetService;
import io.javalin.config.SizeUnit;
import dev.thrillring.decisions.FactRoutes;
import dev.thrillring.decisions.DecisionWriter;
import dev.thrillring.decisions.FactService;
import dev.thrillring.events.EventRoutes;
import dev.thrillring.events.EventLog;
import dev.thrillring.events.EventSequencer;
import dev.thrillring.events.EventService;
import dev.thrillring.events.EventStream;
import dev.thrillring.kafka.KafkaEventPublisher;
import dev.thrillring.kafka.KafkaSettings;
import dev.thrillring.kafka.OutboxRelay;
import dev.thrillring.webhooks.Dispatcher;
import dev.thrillring.webhooks.WebhookRoutes;
import dev.thrillring.webhooks.WebhookService;
import dev.thrillring.webhooks.WebhookSettings;
import dev.thrillring.web.AccessControl;
import dev.thrillring.web.ErrorMapping;
import dev.thrillring.web.Json;
import dev.thrillring.web.JteRenderer;
import dev.thrillring.web.RateLimitSync;
import dev.thrillring.web.RateLimits;
import dev.thrillring.platforms.PlatformRoutes;
import dev.thrillring.platforms.PlatformService;
import dev.thrillring.badges.BadgeKeys;
import dev.thrillring.badges.BadgeRoutes;
import dev.thrillring.badges.BadgeService;
import dev.thrillring.showcases.ShowcaseRoutes;
import dev.thrillring.showcases.CaseStudyRewriter;
import dev.thrillring.showcases.ShowcaseService;
import dev.thrillring.tenants.TenantRoutes;
import dev.thrillring.tenants.TenantService;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static dev.thrillring.db.schema.Tables.PLATFORMS;

/** Wires the service: database, rule engine, services and the HTTP server. */
public final class Server implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Server.class);
    /** Longer than the keep-alive of the JDK client (30 s) and of common load balancers (60 s). */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(75);

    private final Javalin http;
    private final Database db;
    /** Everything to stop, in order: HTTP first, the database last. */
    private final List<AutoCloseable> closeables;

    private final RateLimitSync rateSync;
    /** Started only on request ({@code serve --demo}). */
    private final DemoMode demo;
    private final String host;

    private Server(Javalin http, Database db, RateLimitSync rateSync, List<AutoCloseable> closeables, DemoMode demo, String host) {
        this.rateSync = rateSync;
        this.demo = demo;
        this.host = host;
        this.http = http;
        this.db = db;
        this.closeables = closeables;
    }

    /** Starts everything; the returned server is ready to serve. */
    public static Server start(Config config) {
        return start(config, OperationsConfig.DEFAULTS);
    }

    /** Starts everything with the operator's self-protection settings. */
    public static Server start(Config config, OperationsConfig ops) {
        return start(config, ops, WebhookSettings.fromEnv(System.getenv()));
    }

    /** Starts everything with the given webhook settings, publishing to Kafka as the environment says. */
    public static Server start(Config config, OperationsConfig ops, WebhookSettings webhookSettings) {
        return start(config, ops, webhookSettings, KafkaSettings.fromEnv(System.getenv()));
    }

    /** Starts everything with the given webhook delivery settings (tests compress the retry schedule) and Kafka publishing, if any. */
    public static Server start(Config config, OperationsConfig ops, WebhookSettings webhookSettings, Optional<KafkaSettings> kafka) {
        long t0 = System.nanoTime();
        Metrics metrics = new Metrics();
        Database db = Database.open(config.database(), metrics.registry());
        TenantScope scope = new TenantScope(db.dsl(), db.dataSource());
        RuleEngine engine = new RuleEngine(metrics.registry());
        PlatformRuleFiles ruleFiles = new PlatformRuleFiles(config.rulesDir(), config.tablesDir());
        PlatformBaseRules baseRules = new PlatformBaseRules(ruleFiles, scope);
        RuleSetOverlays overlays = new RuleSetOverlays(scope);
        RuleSetRegistry registry = new RuleSetRegistry(new RuleSetCompiler(), baseRules, engine,
                overlays, config.maxCompiledOverlays(), metrics.registry());
        List<AutoCloseable> closeables = new ArrayList<>(List.of(registry, db));
        try {
            // Before anything else that could fail: the supervisor must stop before the database does.
            DatabaseSupervisor supervisor = new DatabaseSupervisor(db, metrics.registry());
            closeables.addFirst(supervisor);
            supervisor.start();
            Optional<DiskWatch> disk = config.databaseUrl().isPresent() ? Optional.empty()
                    : Optional.of(new DiskWatch(config.dataDir(), ops.diskMinFreePercent(), ops.diskMinFreeBytes(), metrics.registry()));
            disk.ifPresent(d -> {
                closeables.addFirst(d);
                d.start(ops.diskCheckEvery());
            });
            OperationsGate gate = new OperationsGate(supervisor, disk, metrics.registry());
            List<String> platforms = db.dsl().select(PLATFORMS.NAME).from(PLATFORMS).fetch(PLATFORMS.NAME);
            registry.loadPlatforms(platforms);
            // Every cache of database reads; the listener's resync drops them all.
            Caches caches = new Caches();
            TenantService tenants = new TenantService(scope, caches);
            AuthService auth = new AuthService(db.dsl(), AdminKey.resolveHash(config.adminKey(), config.dataDir()),
                    config.jwt().map(dev.thrillring.auth.JwtVerifier::new), tenants::platformOf, caches);
            RuleSetService ruleSets = new RuleSetService(scope, tenants, registry, engine, baseRules);
            AchievementService achievements = new AchievementService(db, scope, tenants, ruleSets, caches);
            // The files just compiled, not a second read (and conversion) of the same workbooks.
            achievements.syncPlatforms(registry::platformRules, platforms);
            LeaderboardService leaderboards = new LeaderboardService(db, scope, tenants, Clock.systemUTC(), caches);
            // The one write path; features join it here, and ingestion never names them.
            DecisionWriter decisions = new DecisionWriter();
            decisions.register(achievements);
            decisions.register(leaderboards.scores());
            PlatformRuleSetService platformRuleSets = new PlatformRuleSetService(scope, baseRules, registry, overlays, engine, ruleSets,
                    p -> achievements.syncPlatform(baseRules, p));
            AnalyticsService analytics = new AnalyticsService(scope, tenants, Clock.systemUTC(), caches);
            decisions.register(analytics);
            decisions.withholdFrom(analytics.holdouts());
            analytics.scoredSourcesFrom(leaderboards::scoredSources);
            FactService facts = new FactService(scope, tenants, engine, registry, decisions, metrics.registry());
            // Webhooks: delivered from the event log after commit, woken by its notification.
            // Secrets kept in the database (badge signing keys, webhook secrets) are sealed with one key.
            dev.thrillring.badges.KeySeal keySeal = dev.thrillring.badges.KeySeal.resolve(config.badgeKeySecret(), config.dataDir());
            Dispatcher dispatcher = new Dispatcher(scope, webhookSettings, tenants::platformOf, keySeal.primitive(), metrics.registry(),
                    Clock.systemUTC());
            closeables.addFirst(dispatcher);
            WebhookService webhooks = new WebhookService(scope, tenants::platformOf, webhookSettings, dispatcher, keySeal.primitive(),
                    Clock.systemUTC());
            // Events get their positions after commit, here (docs/decisions.md, "event sequencer").
            EventSequencer sequencer = new EventSequencer(scope);
            closeables.addFirst(sequencer);
            EventService events = new EventService(scope, sequencer);
            // Kafka (large deployments): the same event log, published per tenant once its events have positions.
            Optional<OutboxRelay> relay = kafka.map(k -> new OutboxRelay(scope, new KafkaEventPublisher(k), k, metrics.registry(),
                    Clock.systemUTC()));
            relay.ifPresent(closeables::addFirst);
            EventStream eventStream = new EventStream(events, Duration.ofSeconds(15), auth::authenticate,
                    EventStream.PER_KEY, EventStream.PER_TENANT);
            Listener listener = new Listener(db, Map.of(
                    EventLog.WRITTEN, tenant -> sequencer.wake(java.util.UUID.fromString(tenant)),
                    EventLog.CHANNEL, tenant -> {
                        dispatcher.wake();
                        relay.ifPresent(OutboxRelay::wake);
                        eventStream.committed(tenant);
                    },
                    RuleSetNotifier.CHANNEL, RuleSetNotifier.handler(ruleSets::reloadTenant, (p, generation) -> {
                        platformRuleSets.reloadPlatform(p, generation);
                        achievements.catalogueChanged();
                    }),
                    LeaderboardService.CHANNEL, leaderboards::applyNotification,
                    LeaderboardService.PRIVACY_CHANNEL, leaderboards::privacyChanged,
                    AuthService.REVOKED_CHANNEL, auth::revoked),
                    () -> {
                        caches.clearAll();
                        registry.invalidateAll();
                        leaderboards.forgetIndexes();
                        sequencer.sweep();
                        dispatcher.wake();
                        relay.ifPresent(OutboxRelay::wake);
                        eventStream.resync();
                    });
            closeables.addFirst(listener);
            listener.start();
            sequencer.start();
            dispatcher.start();
            relay.ifPresent(OutboxRelay::start);
            ReferralService referrals = new ReferralService(scope, tenants, registry, engine, config.publicUrl(), Clock.systemUTC());
            ConversionService conversions = new ConversionService(scope, tenants, registry, engine, decisions, Clock.systemUTC());
            ShowcaseService showcases = new ShowcaseService(scope, tenants, config.publicUrl(), Clock.systemUTC(),
                    config.writer().map(CaseStudyRewriter::new));
            BadgeService badges = new BadgeService(scope, new BadgeKeys(scope, keySeal), config.publicUrl(), Clock.systemUTC());
            if (config.watchRules()) {
                RuleFileWatcher watcher = new RuleFileWatcher(ruleFiles, platforms, p -> {
                    registry.reloadPlatform(p);
                    // The catalogue comes from the very files just compiled, not from a second read that may see a later edit.
                    achievements.syncPlatform(registry::platformRules, p);
                });
                closeables.addFirst(watcher);
                watcher.start();
            }

            PlatformService platformService = new PlatformService(scope);
            RateLimits limits = new RateLimits();
            RateLimitSync rateSync = new RateLimitSync(db.dsl(), limits);
            closeables.addFirst(rateSync);
            rateSync.start();
            Javalin http = Javalin.create(c -> {
                c.startup.showJavalinBanner = false;
                c.concurrency.useVirtualThreads = true;
                c.http.maxRequestSize = config.maxBodyBytes();
                c.jetty.multipartConfig.maxFileSize(RuleSetCompiler.Limits.DEFAULT.maxResourceBytes(), SizeUnit.BYTES);
                c.jetty.multipartConfig.maxTotalRequestSize(RuleSetCompiler.Limits.DEFAULT.maxTotalBytes() + 65_536L, SizeUnit.BYTES);
                // Our own connector only to outlive clients' keep-alive pools: Jetty's 30 s idle
                // timeout equals the JDK client's, so a pooled connection could be reused just as
                // Jetty closed it and the request got no answer at all.
                c.jetty.addConnector((server, httpConfig) -> {
                    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(httpConfig));
                    connector.setHost(config.host());
                    connector.setPort(config.port());
                    connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
                    return connector;
                });
                c.jsonMapper(new JavalinJackson(Json.mapper(), true));
                c.fileRenderer(new JteRenderer());
                c.requestLogger.http(metrics::recordRequest);
                // Before authentication, which needs the database: fail fast while it is down.
                c.routes.beforeMatched(gate::check);
                // The console's pages: a session cookie stands in for the Authorization header, checked by the same AccessControl.
                ConsoleRoutes console = new ConsoleRoutes(new ConsoleService(new ConsoleService.Services(auth, tenants, platformService, facts,
                        ruleSets, platformRuleSets, conversions, leaderboards, platforms, webhooks, achievements)), Clock.systemUTC(), config.publicUrl(), config.trustedProxies());
                AccessControl access = new AccessControl(auth, limits, tenants::rateLimitOf, new AccessControl.Settings(
                        config.trustedProxies(), config.ratePublicPerSecond(), config.rateTenantPerSecond(), config.rateKeyPerSecond()),
                        console.pages());
                c.routes.beforeMatched(access::authorise);
                ErrorMapping.register(c.routes, supervisor::probeSoon, console.pages());
                HealthRoutes.register(c.routes, supervisor, disk, registry, metrics, config.metricsToken());
                TenantRoutes.register(c.routes, tenants);
                PlatformRoutes.register(c.routes, platformService);
                FactRoutes.register(c.routes, facts, Clock.systemUTC());
                EventRoutes.register(c.routes, events, eventStream);
                RuleSetRoutes.register(c.routes, ruleSets, platformRuleSets);
                AchievementRoutes.register(c.routes, achievements);
                LeaderboardRoutes.register(c.routes, leaderboards);
                ReferralRoutes.register(c.routes, referrals, conversions, config.trustedProxies());
                ShowcaseRoutes.register(c.routes, showcases);
                BadgeRoutes.register(c.routes, badges);
                AnalyticsRoutes.register(c.routes, analytics);
                WebhookRoutes.register(c.routes, webhooks);
                OpenApiRoutes.register(c.routes, OpenApiDocument.load(config.publicUrl()));
                console.register(c.routes);
            }).start();
            closeables.addFirst(http::stop);
            // Before HTTP stops: open streams end now instead of holding the graceful stop.
            closeables.addFirst(eventStream);
            log.info("ThrillRing serving on http://{}:{} (started in {} ms)", config.host(), http.port(),
                    (System.nanoTime() - t0) / 1_000_000);
            DemoMode demo = new DemoMode(tenants, platformService, referrals, platforms);
            return new Server(http, db, rateSync, closeables, demo, config.host());
        } catch (RuntimeException e) {
            closeAll(closeables);
            throw e;
        }
    }

    public int port() { return http.port(); }

    /**
     * Demo mode: sample tenants on each shipped platform and a trickle of facts through this
     * server's HTTP API, stopped with the server. Never called without the operator's flag.
     */
    public DemoMode.Started startDemo(Duration tick, long maxTicks) {
        String loopback = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host.contains(":") ? "[" + host + "]" : host;
        DemoMode.Started started = demo.start("http://" + loopback + ":" + port(), tick, maxTicks);
        closeables.addFirst(started);
        return started;
    }

    /** Charges this node's rate-limit use to the shared buckets now, instead of at the next tick. */
    void syncRateLimits() { rateSync.syncNow(); }

    /** The idle timeout of every connector the server listens on, as Jetty applies it. */
    List<Duration> idleTimeouts() {
        return java.util.Arrays.stream(http.jettyServer().server().getConnectors())
                .map(c -> Duration.ofMillis(c.getIdleTimeout())).toList();
    }

    /** A route and the roles it accepts, as registered. */
    public record Route(String method, String path, Set<RouteRole> roles) {}

    /** Every HTTP route of the server (for the test that proves each refuses the roles it does not list). */
    public List<Route> routes() {
        return http.unsafe.internalRouter.allHttpHandlers().stream()
                .map(p -> p.endpoint)
                .filter(e -> e.method.isHttpMethod())
                .map(e -> {
                    io.javalin.security.Roles roles = e.metadata(io.javalin.security.Roles.class);
                    return new Route(e.method.name(), e.path, roles == null ? Set.of() : Set.copyOf(roles.getRoles()));
                })
                .toList();
    }

    public Database database() { return db; }

    @Override public void close() { closeAll(closeables); }

    private static void closeAll(List<AutoCloseable> closeables) {
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("error while stopping {}", c, e);
            }
        }
    }

}
