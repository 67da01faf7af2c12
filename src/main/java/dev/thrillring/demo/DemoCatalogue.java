package dev.thrillring.demo;

import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * What the demo tenants are and what happens at each: one sample business per shipped platform,
 * with the fact types its platform's rules score and the attributes they read.
 */
final class DemoCatalogue {
    /** Every demo tenant's name starts with this; the console marks such tenants as demo data. */
    static final String PREFIX = "demo-";

    private DemoCatalogue() {}

    /** A kind of fact the feed posts, how often relative to the others, and its attributes. */
    record FactKind(String type, int weight, Attributes attributes) {}

    interface Attributes {
        Map<String, Object> next(RandomGenerator random);
    }

    /** A sample tenant of a platform. */
    record Sample(String platform, String name, String industry, List<FactKind> kinds) {
        FactKind pick(RandomGenerator random) {
            int total = kinds.stream().mapToInt(FactKind::weight).sum();
            int r = random.nextInt(total);
            for (FactKind k : kinds) {
                r -= k.weight();
                if (r < 0) return k;
            }
            return kinds.getLast();
        }
    }

    private static final Attributes NONE = r -> Map.of();

    /** The shipped platforms' samples (a platform an operator added has no sample: its rules are unknown here). */
    static final List<Sample> SAMPLES = List.of(
            new Sample("bizoholic", PREFIX + "acme-ads", "marketing", List.of(
                    new FactKind("campaign.launched", 3, r -> Map.of("channel", List.of("search", "social", "display", "email").get(r.nextInt(4)))),
                    new FactKind("lead.captured", 8, r -> Map.of("source", List.of("form", "chat", "call").get(r.nextInt(3)))),
                    new FactKind("lead.converted", 2, NONE),
                    new FactKind("campaign.roas_reported", 2, r -> Map.of("roas", Math.round((1 + r.nextDouble() * 5) * 100) / 100.0)),
                    new FactKind("campaign.spend_reported", 1, r -> Map.of("amount", 100 + r.nextInt(4900))))),
            new Sample("coreldove", PREFIX + "corner-shop", "retail", List.of(
                    new FactKind("order.shipped", 8, r -> Map.of("value", Math.round((15 + r.nextDouble() * 240) * 100) / 100.0, "channel", "web")),
                    new FactKind("product.listed", 3, NONE),
                    new FactKind("review.received", 4, r -> Map.of("rating", 3 + r.nextInt(3))))),
            new Sample("bizosaas", PREFIX + "cloudnine", "saas", List.of(
                    new FactKind("user.active", 10, NONE),
                    new FactKind("feature.adopted", 3, r -> Map.of("feature", List.of("reports", "api", "sso", "exports").get(r.nextInt(4)))),
                    new FactKind("subscription.started", 1, r -> Map.of("plan", List.of("starter", "team", "business").get(r.nextInt(3)))),
                    new FactKind("subscription.renewed", 1, NONE),
                    new FactKind("integration.connected", 2, r -> Map.of("integration", List.of("slack", "hubspot", "zapier").get(r.nextInt(3)))),
                    new FactKind("team.member_invited", 2, NONE))));

    /** The users of a demo tenant: a fixed, small pool, so boards and achievements build up. */
    static final List<String> USERS = List.of("ana", "ben", "chloe", "dev", "emma", "farid", "grace", "hugo", "ines", "jon", "kai", "lena");

    /** True for a tenant the demo mode created (its name starts with {@value #PREFIX}). */
    static boolean isDemo(String tenantName) { return tenantName != null && tenantName.startsWith(PREFIX); }
}
