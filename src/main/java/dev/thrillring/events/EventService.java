package dev.thrillring.events;

import dev.thrillring.auth.Principal;
import dev.thrillring.auth.Role;
import dev.thrillring.db.TenantScope;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Reading a tenant's event log in order, page by page (the base for feeds, streams and webhooks). */
public final class EventService {
    static final Set<Role> READERS = Set.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST);
    /** A filtered page reads at most this many events looking for matches, then answers with what it found. */
    static final int MAX_SCAN = 10_000;
    private final TenantScope scope;
    private final EventSequencer sequencer;

    public EventService(TenantScope scope, EventSequencer sequencer) {
        this.scope = scope;
        this.sequencer = sequencer;
    }

    /** A page of events: those after {@code after}, oldest first, and where the next page starts. */
    public record Page(List<Event> events, long next) {}

    /** Checks that {@code caller} may read {@code tenant}'s events. */
    public void authorise(Principal caller, UUID tenant) { caller.require(tenant, READERS, "read the event log"); }

    /**
     * The tenant's events of the given types with a position above {@code after}, at most
     * {@code limit}. Reading on from {@link Page#next()} never skips an event, however
     * transactions commit; {@code next} is past every event read, matching or not.
     */
    public Page after(Principal caller, UUID tenant, long after, EventTypeFilter types, int limit) {
        authorise(caller, tenant);
        // Positions come just after commit; a poller that was just answered still sees its facts' events.
        sequencer.sequenceNow(tenant);
        return page(tenant, after, types, limit);
    }

    /** As {@link #after(Principal, UUID, long, EventTypeFilter, int)} for the service's own consumers. */
    public Page page(UUID tenant, long after, EventTypeFilter types, int limit) {
        return scope.inTenant(tenant, tx -> {
            List<Event> out = new ArrayList<>();
            long next = after;
            int scanned = 0;
            while (out.size() < limit && scanned < MAX_SCAN) {
                List<Event> batch = EventLog.read(tx, tenant, next, limit);
                for (Event e : batch) {
                    next = e.position();
                    if (types.matches(e.type())) {
                        out.add(e);
                        if (out.size() == limit) break;
                    }
                }
                scanned += batch.size();
                if (batch.size() < limit) break;
            }
            return new Page(out, next);
        });
    }

    /** As {@link #after(Principal, UUID, long, EventTypeFilter, int)} without a type filter. */
    public List<Event> after(UUID tenant, long after, int limit) {
        return scope.inTenant(tenant, tx -> EventLog.read(tx, tenant, after, limit));
    }

    /** The position of the tenant's newest event. */
    public long lastPosition(UUID tenant) {
        return scope.inTenant(tenant, tx -> EventLog.lastPosition(tx, tenant));
    }
}
