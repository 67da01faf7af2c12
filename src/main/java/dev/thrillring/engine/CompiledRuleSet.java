package dev.thrillring.engine;

import org.kie.api.KieBase;
import org.kie.api.KieServices;
import org.kie.api.builder.ReleaseId;
import org.kie.api.runtime.KieContainer;

/**
 * A compiled, immutable rule set: one KIE container under its own ReleaseId (builds that share
 * a ReleaseId in the KieRepository pick up each other's rules).
 *
 * @param version the label stored with every decision, e.g. {@code bizoholic@base-1a2b3c4d}
 */
public record CompiledRuleSet(String version, String checksum, ReleaseId releaseId,
                              KieContainer container, KieBase base, int ruleCount) {

    /** Frees the container and its module; without this each rebuild keeps megabytes of heap. */
    public void dispose() {
        KieServices.Factory.get().getRepository().removeKieModule(releaseId);
        container.dispose();
    }
}
