package dev.thrillring.auth;

import dev.thrillring.problems.Problem;

import java.util.Optional;
import java.util.UUID;

/** The verified caller of a request: its role and, unless a platform admin, its one tenant. */
public record Principal(String keyId, Role role, Optional<UUID> tenantId) {

    public static Principal platformAdmin() {
        return new Principal("admin", Role.PLATFORM_ADMIN, Optional.empty());
    }

    /**
     * The service acting on behalf of {@code caller} for its own tenant, with tenant admin rights:
     * for steps the service takes itself after checking the caller (activating generated rules).
     */
    public static Principal system(Principal caller) {
        return new Principal(caller.keyId(), caller.role == Role.PLATFORM_ADMIN ? Role.PLATFORM_ADMIN : Role.TENANT_ADMIN, caller.tenantId());
    }

    public boolean canActFor(UUID tenant) {
        return role == Role.PLATFORM_ADMIN || tenantId.map(tenant::equals).orElse(false);
    }

    /**
     * @throws Problem.Forbidden when the caller may not act for {@code tenant}, or its role is not
     *         one of {@code roles} ({@code what} says what it tried, for the message)
     */
    public void require(UUID tenant, java.util.Set<Role> roles, String what) {
        requireTenant(tenant);
        if (!roles.contains(role)) throw new Problem.Forbidden("the " + role.wireName() + " role may not " + what);
    }

    /** @throws Problem.Forbidden when the caller may not act for {@code tenant} */
    public void requireTenant(UUID tenant) {
        if (!canActFor(tenant)) throw new Problem.Forbidden("this API key may not act for tenant " + tenant);
    }
}
