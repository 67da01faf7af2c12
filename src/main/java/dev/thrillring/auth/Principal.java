package dev.thrillring.auth;

import dev.thrillring.problems.Problem;

import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * The verified caller of a request: its role and its reach. A tenant's key reaches its one
 * tenant. A platform admin reaches the tenants of its platform; the operator (the bootstrap
 * admin key) is a platform admin without a platform and reaches every tenant.
 *
 * @param platform       for a platform admin, the one platform it administers; empty for the operator
 * @param platformOfTenant looks up a tenant's platform, to decide a platform admin's reach
 * @param client         the address the request came from (for the audit log); null outside a request
 * @param boundUser      the end user a tenant's API key is bound to (issued with a user_id); null for other keys
 */
public record Principal(String keyId, Role role, Optional<UUID> tenantId, Optional<String> platform,
                        Function<UUID, Optional<String>> platformOfTenant, String client, String boundUser) {

    /** A caller bound to no end user by its key (a JWT carries its user in {@code keyId}). */
    public Principal(String keyId, Role role, Optional<UUID> tenantId, Optional<String> platform,
                     Function<UUID, Optional<String>> platformOfTenant, String client) {
        this(keyId, role, tenantId, platform, platformOfTenant, client, null);
    }

    private static final Function<UUID, Optional<String>> NO_LOOKUP = t -> Optional.empty();

    /** A tenant's key or token. */
    public static Principal tenant(String keyId, Role role, UUID tenant) {
        return new Principal(keyId, role, Optional.of(tenant), Optional.empty(), NO_LOOKUP, null);
    }

    /** The operator: every platform. */
    public static Principal operator() {
        return new Principal("admin", Role.PLATFORM_ADMIN, Optional.empty(), Optional.empty(), NO_LOOKUP, null);
    }

    /** The admin of one platform's tenants. */
    public static Principal platformAdmin(String keyId, String platform, Function<UUID, Optional<String>> platformOfTenant) {
        return new Principal(keyId, Role.PLATFORM_ADMIN, Optional.empty(), Optional.of(platform), platformOfTenant, null);
    }

    /**
     * The service acting on behalf of {@code caller} for its own tenant, with tenant admin rights:
     * for steps the service takes itself after checking the caller (activating generated rules).
     */
    public static Principal system(Principal caller) {
        return new Principal(caller.keyId(), caller.role == Role.PLATFORM_ADMIN ? Role.PLATFORM_ADMIN : Role.TENANT_ADMIN,
                caller.tenantId(), caller.platform(), caller.platformOfTenant(), caller.client(), caller.boundUser());
    }

    /** This caller, seen coming from {@code address}. */
    public Principal from(String address) {
        return new Principal(keyId, role, tenantId, platform, platformOfTenant, address, boundUser);
    }

    /** This caller, bound to the end user {@code user} (an API key issued with a user_id); null binds none. */
    public Principal boundTo(String user) {
        return new Principal(keyId, role, tenantId, platform, platformOfTenant, client, user);
    }

    /**
     * The end user the verified credential speaks for: a JWT's {@code sub}, or the user an API key
     * is bound to; empty for a service's key bound to nobody.
     */
    public Optional<String> subject() {
        if (keyId != null && keyId.startsWith("jwt:")) return Optional.of(keyId.substring(4));
        return Optional.ofNullable(boundUser);
    }

    /**
     * The user a read is about: the one named in the request, else the token's own subject.
     * Naming another user than the token's own needs a role that reads other users (platform
     * admin, tenant admin, analyst); a service's API key bound to no user names the one it serves.
     *
     * @throws Problem.Forbidden when an end user's token names someone else
     */
    public String subjectFor(String requested) {
        Optional<String> own = subject();
        if (requested == null) return own.orElse(null);
        if (own.isPresent() && !own.get().equals(requested)
                && !java.util.Set.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST).contains(role)) {
            throw new Problem.Forbidden("user_id: the " + role.wireName() + " role reads its own user only");
        }
        return requested;
    }

    public boolean isOperator() {
        return role == Role.PLATFORM_ADMIN && platform.isEmpty();
    }

    /** True when the caller administers {@code p} (the operator administers every platform). */
    public boolean administers(String p) {
        return role == Role.PLATFORM_ADMIN && platform.map(mine -> mine.equals(p)).orElse(true);
    }

    public boolean canActFor(UUID tenant) {
        if (role == Role.PLATFORM_ADMIN) return platform.isEmpty() || platformOfTenant.apply(tenant).equals(platform);
        return tenantId.map(tenant::equals).orElse(false);
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

    /** @throws Problem.Forbidden when the caller is a platform admin of another platform */
    public void requirePlatform(String p) {
        if (role == Role.PLATFORM_ADMIN && !administers(p)) {
            throw new Problem.Forbidden("this key administers platform " + platform.orElseThrow() + ", not " + p);
        }
    }

    @Override public String toString() {
        return "Principal[" + role.wireName() + ":" + keyId + tenantId.map(t -> " tenant " + t).orElse("")
                + platform.map(p -> " platform " + p).orElse("") + (boundUser == null ? "" : " user " + boundUser) + "]";
    }
}
