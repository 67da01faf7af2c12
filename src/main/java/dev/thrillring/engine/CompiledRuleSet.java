package dev.thrillring.engine;

import org.kie.api.KieBase;

/**
 * A compiled, immutable rule set. It is built from checked descriptor trees straight into a KIE
 * base, with no KieContainer or KieRepository: nothing is registered globally, so rule sets cannot
 * pick up each other's rules and a replaced one is freed by the garbage collector.
 *
 * @param version the label stored with every decision, e.g. {@code bizoholic@base-1a2b3c4d}
 */
public record CompiledRuleSet(String version, String checksum, KieBase base, int ruleCount) {

    /** Kept for callers that release a set explicitly; the base holds no global registration. */
    public void dispose() {}
}
