package dev.thrillring.rulesets;

import dev.thrillring.db.TenantScope;
import dev.thrillring.engine.Overlay;
import dev.thrillring.engine.RuleResource;

import java.util.Optional;
import java.util.UUID;

/** The registry's view of the database: a tenant's active version's rule files (scenarios left out). */
public final class RuleSetOverlays implements Overlay.Source {
    private final TenantScope scope;
    private final RuleSetStore store = new RuleSetStore();

    public RuleSetOverlays(TenantScope scope) { this.scope = scope; }

    @Override public Overlay.Active active(UUID tenant) {
        return scope.inTenant(tenant, tx -> {
            RuleSetStore.Current current = store.current(tx, tenant);
            // Files of a version never change: reading them by a later statement is safe.
            return new Overlay.Active(current.activeVersion().map(v -> new Overlay(v, store.files(tx, tenant, v).stream()
                    .filter(f -> !f.kind().equals("scenario")).map(f -> new RuleResource(f.path(), f.content())).toList())),
                    current.generation());
        });
    }

    @Override public Optional<Overlay> activeOverlay(UUID tenant) {
        return scope.inTenant(tenant, tx -> store.active(tx, tenant).map(v -> new Overlay(v.version(),
                store.files(tx, tenant, v.version()).stream().filter(f -> !f.kind().equals("scenario"))
                        .map(f -> new RuleResource(f.path(), f.content())).toList())));
    }
}
