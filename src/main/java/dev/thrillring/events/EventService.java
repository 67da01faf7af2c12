package dev.thrillring.events;

import dev.thrillring.auth.Principal;
import dev.thrillring.auth.Role;
import dev.thrillring.db.TenantScope;

import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Reading a tenant's event log in order, page by page (the base for feeds and webhooks). */
public final class EventService {
    private static final Set<Role> READERS = Set.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST);
    private final TenantScope scope;

    public EventService(TenantScope scope) { this.scope = scope; }

    /** A page of events: those after {@code after}, oldest first, and where the next page starts. */
    public record Page(List<Event> events, long next) {}

    /**
     * The tenant's events with a position above {@code after}, at most {@code limit}. Reading on
     * from {@link Page#next()} never skips an event, however transactions commit.
     */
    public Page after(Principal caller, UUID tenant, long after, int limit) {
        caller.require(tenant, READERS, "read the event log");
        List<Event> events = after(tenant, after, limit);
        return new Page(events, events.isEmpty() ? after : events.getLast().position());
    }

    /** As {@link #after(Principal, UUID, long, int)} for the service's own consumers. */
    public List<Event> after(UUID tenant, long after, int limit) {
        return scope.inTenant(tenant, tx -> EventLog.read(tx, tenant, after, limit));
    }
}
