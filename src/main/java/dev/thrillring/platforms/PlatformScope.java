package dev.thrillring.platforms;

import dev.thrillring.auth.Principal;
import dev.thrillring.auth.Role;
import dev.thrillring.db.TenantScope;
import dev.thrillring.problems.Problem;
import org.jooq.DSLContext;

import java.util.function.Function;

import static dev.thrillring.db.schema.Tables.PLATFORMS;

/**
 * Work at platform level (its admin keys, its base rules): rows that are not any tenant's, so
 * row-level security does not guard them and this check does. The caller must be a platform
 * admin of {@code platform} (the operator is one of every platform) and the platform must exist.
 */
public final class PlatformScope {
    private PlatformScope() {}

    /** Runs {@code work} in one transaction once the checks pass; {@code refused} is the 403's detail for other roles. */
    public static <T> T inPlatform(TenantScope scope, Principal caller, String platform, String refused, Function<DSLContext, T> work) {
        if (caller.role() != Role.PLATFORM_ADMIN) throw new Problem.Forbidden(refused);
        caller.requirePlatform(platform);
        return scope.platformWide(tx -> {
            if (!tx.fetchExists(PLATFORMS, PLATFORMS.NAME.eq(platform))) throw new Problem.NotFound("no platform '" + platform + "'");
            return work.apply(tx);
        });
    }
}
