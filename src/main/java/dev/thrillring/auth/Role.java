package dev.thrillring.auth;

import io.javalin.security.RouteRole;

import java.util.Locale;
import java.util.Optional;

/** Who may do what. Every route names the roles it accepts; {@link #PUBLIC} marks open routes. */
public enum Role implements RouteRole {
    PLATFORM_ADMIN, TENANT_ADMIN, ANALYST, INGEST, VIEWER, PUBLIC;

    /** The name used in JSON and in the database. */
    public String wireName() { return name().toLowerCase(Locale.ROOT); }

    /** Roles a tenant API key may carry (platform admin keys are configured, not issued). */
    public static Optional<Role> tenantKeyRole(String wire) {
        for (Role r : new Role[]{TENANT_ADMIN, ANALYST, INGEST, VIEWER}) {
            if (r.wireName().equals(wire)) return Optional.of(r);
        }
        return Optional.empty();
    }
}
