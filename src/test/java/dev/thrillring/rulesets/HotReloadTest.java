package dev.thrillring.rulesets;

import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.thrillring.support.TestServer.text;
import static org.assertj.core.api.Assertions.assertThat;

/** Activations swap rule sets while facts stream in: no request fails and none sees a mix. */
class HotReloadTest {

    static String overlay(String rule, int points) {
        return "package overlay;\nimport dev.thrillring.engine.model.Fact;\nglobal dev.thrillring.engine.model.Outcomes outcomes;\n"
                + "rule \"" + rule + "\" when Fact(type == \"order.shipped\") then outcomes.points(" + points + ", \"" + rule + "\"); end\n";
    }

    @Test
    void shouldServeEveryRequestDuringRepeatedReloadsWithoutMixingVersions() throws Exception {
        TestServer app = TestServer.shared();
        String tenant = app.createTenant("Reloading", "coreldove");
        String admin = app.issueKey(tenant, "tenant_admin");
        String ingest = app.issueKey(tenant, "ingest");
        String versions = "/api/v1/rulesets/" + tenant + "/versions";
        assertThat(app.upload(versions, admin, Map.of("o.drl", text(overlay("Overlay A", 1))), null).status()).isEqualTo(201);
        assertThat(app.upload(versions, admin, Map.of("o.drl", text(overlay("Overlay B", 2))), null).status()).isEqualTo(201);
        assertThat(app.post(versions + "/1/activate", admin, "").status()).isEqualTo(200);

        AtomicBoolean reloading = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        List<String> failures = new CopyOnWriteArrayList<>();
        Map<String, AtomicInteger> byVersion = new ConcurrentHashMap<>();
        int activations = 20;
        try (ExecutorService pool = Executors.newFixedThreadPool(5)) {
            List<Future<?>> traffic = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int worker = w;
                traffic.add(pool.submit(() -> {
                    // Bounded: stops with the reloads, and never sends more than 3,000 facts per worker.
                    for (int i = 0; reloading.get() && i < 3000; i++) {
                        Response r = app.post("/api/v1/facts", ingest, "{\"id\":\"w" + worker + "-" + i + "\",\"tenant_id\":\"" + tenant
                                + "\",\"type\":\"order.shipped\"}");
                        sent.incrementAndGet();
                        if (r.status() != 200) {
                            failures.add(r.status() + " " + r.body());
                            continue;
                        }
                        String version = r.json().get("rule_set_version").asText();
                        String fired = r.json().get("fired_rules").toString();
                        boolean v1 = version.endsWith("+v1") && fired.contains("Overlay A") && !fired.contains("Overlay B");
                        boolean v2 = version.endsWith("+v2") && fired.contains("Overlay B") && !fired.contains("Overlay A");
                        if (!v1 && !v2) failures.add("mixed or unknown: " + version + " " + fired);
                        byVersion.computeIfAbsent(version.substring(version.indexOf('+')), k -> new AtomicInteger()).incrementAndGet();
                    }
                }));
            }
            Future<?> reloads = pool.submit(() -> {
                for (int i = 0; i < activations; i++) {
                    Response r = app.post(versions + "/" + (i % 2 == 0 ? 2 : 1) + "/activate", admin, "");
                    if (r.status() != 200) failures.add("activation " + r.status() + " " + r.body());
                }
                reloading.set(false);
            });
            reloads.get(120, TimeUnit.SECONDS);
            for (Future<?> f : traffic) f.get(120, TimeUnit.SECONDS);
        }
        System.out.printf("hot reload: %d facts during %d activations, by version %s, failures %d%n",
                sent.get(), activations, byVersion, failures.size());
        assertThat(failures).isEmpty();
        assertThat(byVersion.keySet()).containsExactlyInAnyOrder("+v1", "+v2");
    }
}
