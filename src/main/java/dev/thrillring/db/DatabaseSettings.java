package dev.thrillring.db;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What the database layer needs from the operator's configuration, so {@code db} does not
 * depend on the composition root.
 *
 * @param databaseUrl external PostgreSQL; empty means the embedded one under {@code dataDir}
 * @param appDbUser   login role the service runs as on an external database; empty means the
 *                    owner connection switches to {@code thrillring_app} with SET ROLE
 */
public record DatabaseSettings(Path dataDir, Optional<String> databaseUrl, Optional<String> appDbUser,
                               Optional<String> appDbPassword, int poolSize) {}
