package dev.thrillring.app;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Everything an operator can set, read once from the environment (see the README's table).
 *
 * @param host            address to bind; loopback by default, {@code 0.0.0.0} in containers
 * @param databaseUrl     external PostgreSQL; empty means the embedded one under {@code dataDir}
 * @param appDbUser       login role the service runs as on an external database; empty means
 *                        the owner connection switches to {@code thrillring_app} with SET ROLE
 * @param metricsToken    when set, {@code /metrics} asks for it as a bearer token
 * @param writer          when set, an OpenAI-compatible endpoint rewords generated case studies
 * @param badgeKeySecret  seals badge signing keys in the database; empty means a file in {@code dataDir}
 */
public record Config(String host, int port, Path dataDir, Optional<String> databaseUrl,
                     Optional<String> appDbUser, Optional<String> appDbPassword,
                     Optional<String> adminKey, Path rulesDir, Path tablesDir,
                     long maxBodyBytes, int poolSize, int maxCompiledOverlays, boolean watchRules,
                     String publicUrl, java.util.Set<String> trustedProxies,
                     int rateKeyPerSecond, int rateTenantPerSecond, int ratePublicPerSecond,
                     Optional<dev.thrillring.auth.JwtVerifier.Settings> jwt, Optional<String> metricsToken,
                     Optional<dev.thrillring.showcases.CaseStudyRewriter.Settings> writer, Optional<String> badgeKeySecret) {

    /** Without a case-study writer or a badge key secret. */
    public Config(String host, int port, Path dataDir, Optional<String> databaseUrl, Optional<String> appDbUser,
                  Optional<String> appDbPassword, Optional<String> adminKey, Path rulesDir, Path tablesDir, long maxBodyBytes,
                  int poolSize, int maxCompiledOverlays, boolean watchRules, String publicUrl, java.util.Set<String> trustedProxies,
                  int rateKeyPerSecond, int rateTenantPerSecond, int ratePublicPerSecond,
                  Optional<dev.thrillring.auth.JwtVerifier.Settings> jwt, Optional<String> metricsToken) {
        this(host, port, dataDir, databaseUrl, appDbUser, appDbPassword, adminKey, rulesDir, tablesDir, maxBodyBytes, poolSize,
                maxCompiledOverlays, watchRules, publicUrl, trustedProxies, rateKeyPerSecond, rateTenantPerSecond, ratePublicPerSecond,
                jwt, metricsToken, Optional.empty(), Optional.empty());
    }

    /** Without JWT (API keys only). */
    public Config(String host, int port, Path dataDir, Optional<String> databaseUrl, Optional<String> appDbUser,
                  Optional<String> appDbPassword, Optional<String> adminKey, Path rulesDir, Path tablesDir, long maxBodyBytes,
                  int poolSize, int maxCompiledOverlays, boolean watchRules, String publicUrl, java.util.Set<String> trustedProxies,
                  int rateKeyPerSecond, int rateTenantPerSecond, int ratePublicPerSecond) {
        this(host, port, dataDir, databaseUrl, appDbUser, appDbPassword, adminKey, rulesDir, tablesDir, maxBodyBytes, poolSize,
                maxCompiledOverlays, watchRules, publicUrl, trustedProxies, rateKeyPerSecond, rateTenantPerSecond, ratePublicPerSecond,
                Optional.empty(), Optional.empty());
    }

    /** The part of the configuration the database layer reads. */
    public dev.thrillring.db.DatabaseSettings database() {
        return new dev.thrillring.db.DatabaseSettings(dataDir, databaseUrl, appDbUser, appDbPassword, poolSize);
    }

    /** A copy with JWT verification. */
    public Config withJwt(dev.thrillring.auth.JwtVerifier.Settings settings) {
        return new Config(host, port, dataDir, databaseUrl, appDbUser, appDbPassword, adminKey, rulesDir, tablesDir, maxBodyBytes, poolSize,
                maxCompiledOverlays, watchRules, publicUrl, trustedProxies, rateKeyPerSecond, rateTenantPerSecond, ratePublicPerSecond,
                Optional.of(settings), metricsToken, writer, badgeKeySecret);
    }

    /** A copy whose {@code /metrics} asks for {@code token}. */
    public Config withMetricsToken(String token) {
        return new Config(host, port, dataDir, databaseUrl, appDbUser, appDbPassword, adminKey, rulesDir, tablesDir, maxBodyBytes, poolSize,
                maxCompiledOverlays, watchRules, publicUrl, trustedProxies, rateKeyPerSecond, rateTenantPerSecond, ratePublicPerSecond,
                jwt, Optional.of(token), writer, badgeKeySecret);
    }

    /** A copy that seals badge signing keys with {@code secret} (nodes sharing a database need the same). */
    public Config withBadgeKeySecret(String secret) {
        return new Config(host, port, dataDir, databaseUrl, appDbUser, appDbPassword, adminKey, rulesDir, tablesDir, maxBodyBytes, poolSize,
                maxCompiledOverlays, watchRules, publicUrl, trustedProxies, rateKeyPerSecond, rateTenantPerSecond, ratePublicPerSecond,
                jwt, metricsToken, writer, Optional.of(secret));
    }

    /** A copy whose generated case studies are reworded by the model at {@code settings}. */
    public Config withWriter(dev.thrillring.showcases.CaseStudyRewriter.Settings settings) {
        return new Config(host, port, dataDir, databaseUrl, appDbUser, appDbPassword, adminKey, rulesDir, tablesDir, maxBodyBytes, poolSize,
                maxCompiledOverlays, watchRules, publicUrl, trustedProxies, rateKeyPerSecond, rateTenantPerSecond, ratePublicPerSecond,
                jwt, metricsToken, Optional.of(settings), badgeKeySecret);
    }

    public static Config fromEnv(Map<String, String> env) {
        return new Config(
                env.getOrDefault("THRILLRING_HOST", "127.0.0.1"),
                intVar(env, "THRILLRING_PORT", 7070),
                Path.of(env.getOrDefault("THRILLRING_DATA_DIR", "data")),
                nonBlank(env.get("DATABASE_URL")),
                nonBlank(env.get("THRILLRING_APP_DB_USER")),
                nonBlank(env.get("THRILLRING_APP_DB_PASSWORD")),
                nonBlank(env.get("THRILLRING_ADMIN_KEY")),
                Path.of(env.getOrDefault("THRILLRING_RULES_DIR", "rules")),
                Path.of(env.getOrDefault("THRILLRING_TABLES_DIR", "decision-tables")),
                intVar(env, "THRILLRING_MAX_BODY_BYTES", 1_048_576),
                intVar(env, "THRILLRING_DB_POOL_SIZE", 16),
                intVar(env, "THRILLRING_MAX_COMPILED_OVERLAYS", 1000),
                Boolean.parseBoolean(env.getOrDefault("THRILLRING_WATCH_RULES", "false")),
                env.getOrDefault("THRILLRING_PUBLIC_URL", "http://127.0.0.1:" + env.getOrDefault("THRILLRING_PORT", "7070")).replaceAll("/+$", ""),
                java.util.Set.of(env.getOrDefault("THRILLRING_TRUSTED_PROXIES", "").split("\\s*,\\s*")).stream()
                        .filter(x -> !x.isBlank()).collect(java.util.stream.Collectors.toUnmodifiableSet()),
                intVar(env, "THRILLRING_RATE_KEY_PER_SECOND", 1000),
                intVar(env, "THRILLRING_RATE_TENANT_PER_SECOND", 2000),
                intVar(env, "THRILLRING_RATE_PUBLIC_PER_SECOND", 50),
                jwt(env),
                nonBlank(env.get("THRILLRING_METRICS_TOKEN")),
                dev.thrillring.showcases.CaseStudyRewriter.Settings.fromEnv(env),
                nonBlank(env.get("THRILLRING_BADGE_KEY_SECRET")));
    }

    private static Optional<dev.thrillring.auth.JwtVerifier.Settings> jwt(Map<String, String> env) {
        Optional<String> secret = nonBlank(env.get("THRILLRING_JWT_HS256_SECRET"));
        Optional<Path> file = nonBlank(env.get("THRILLRING_JWT_JWKS_FILE")).map(Path::of);
        Optional<String> url = nonBlank(env.get("THRILLRING_JWT_JWKS_URL"));
        if (secret.isEmpty() && file.isEmpty() && url.isEmpty()) return Optional.empty();
        String issuer = nonBlank(env.get("THRILLRING_JWT_ISSUER")).orElseThrow(() ->
                new IllegalArgumentException("THRILLRING_JWT_ISSUER is required when JWT is configured"));
        String audience = nonBlank(env.get("THRILLRING_JWT_AUDIENCE")).orElseThrow(() ->
                new IllegalArgumentException("THRILLRING_JWT_AUDIENCE is required when JWT is configured"));
        return Optional.of(new dev.thrillring.auth.JwtVerifier.Settings(secret, file, url, issuer, audience,
                env.getOrDefault("THRILLRING_JWT_TENANT_CLAIM", "tenant_id"), env.getOrDefault("THRILLRING_JWT_ROLES_CLAIM", "roles"),
                env.getOrDefault("THRILLRING_JWT_PLATFORM_CLAIM", "platform")));
    }

    private static Optional<String> nonBlank(String s) {
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.trim());
    }

    private static int intVar(Map<String, String> env, String name, int dflt) {
        String v = env.get(name);
        if (v == null || v.isBlank()) return dflt;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + v + "'");
        }
    }
}
