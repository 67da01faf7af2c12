package dev.thrillring.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thrillring.web.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's trickle: at each tick, one or two facts per demo tenant, and every fifth tick a
 * referral conversion, a third of them from the referrer's own device and address (the fraud
 * rules send those to the review queue). Posted to the service's own HTTP API with the tenant's
 * ingest key. Bounded: one request at a time, and it stops by itself after {@code maxTicks}.
 */
public final class DemoFeed implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DemoFeed.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final String baseUrl;
    private final List<DemoMode.DemoTenant> tenants;
    private final Duration tick;
    private final long maxTicks;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "demo-feed");
        t.setDaemon(true);
        return t;
    });
    private final SplittableRandom random = new SplittableRandom();
    /** Ids unique to this start, so a restart's facts are new facts, not replays. */
    private final String run = Long.toString(System.currentTimeMillis(), 36);
    private final AtomicLong ticks = new AtomicLong();
    private final AtomicLong decided = new AtomicLong();
    private final AtomicLong conversions = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private long serial;

    DemoFeed(String baseUrl, List<DemoMode.DemoTenant> tenants, Duration tick, long maxTicks) {
        this.baseUrl = baseUrl;
        this.tenants = tenants;
        this.tick = tick;
        this.maxTicks = maxTicks;
    }

    void start() {
        timer.scheduleWithFixedDelay(this::step, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Facts the service answered as decided so far. */
    public long factsDecided() { return decided.get(); }

    /** Conversions the service recorded so far. */
    public long conversionsRecorded() { return conversions.get(); }

    /** Requests that failed (logged, then the feed goes on). */
    public long failures() { return failures.get(); }

    private void step() {
        long n = ticks.incrementAndGet();
        if (n > maxTicks) {
            log.info("demo feed: done after {} ticks ({} facts decided, {} conversions)", maxTicks, decided.get(), conversions.get());
            timer.shutdown();
            return;
        }
        for (DemoMode.DemoTenant t : tenants) {
            try {
                postFacts(t);
                if (n % 5 == 1) postConversion(t, n % 15 == 1);
            } catch (IOException | RuntimeException e) {
                if (failures.getAndIncrement() % 100 == 0) log.warn("demo feed: a request for {} failed: {}", t.name(), e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private DemoCatalogue.Sample sample(DemoMode.DemoTenant t) {
        return DemoCatalogue.SAMPLES.stream().filter(s -> s.name().equals(t.name())).findFirst().orElseThrow();
    }

    private void postFacts(DemoMode.DemoTenant t) throws IOException, InterruptedException {
        DemoCatalogue.Sample s = sample(t);
        ArrayNode facts = Json.mapper().createArrayNode();
        for (int i = 1 + random.nextInt(2); i > 0; i--) {
            DemoCatalogue.FactKind k = s.pick(random);
            ObjectNode f = facts.addObject();
            f.put("id", "demo-" + run + "-" + (++serial));
            f.put("tenant_id", t.tenantId().toString());
            f.put("user_id", DemoCatalogue.USERS.get(random.nextInt(DemoCatalogue.USERS.size())));
            f.put("type", k.type());
            f.set("attributes", Json.mapper().valueToTree(k.attributes().next(random)));
        }
        JsonNode answer = post(t, "/api/v1/facts", Json.mapper().createObjectNode().set("facts", facts));
        for (JsonNode r : answer.path("results")) if ("decided".equals(r.path("status").asText())) decided.incrementAndGet();
    }

    /** A conversion by a new referee; {@code suspicious}: from the referrer's own device and address. */
    private void postConversion(DemoMode.DemoTenant t, boolean suspicious) throws IOException, InterruptedException {
        DemoMode.Referrer by = t.referrers().get(random.nextInt(t.referrers().size()));
        long k = ++serial;
        String referee = "referee-" + run + "-" + k;
        ObjectNode c = Json.mapper().createObjectNode();
        c.put("tenant_id", t.tenantId().toString());
        c.put("referral_code", by.code());
        c.put("conversion_type", "purchase");
        c.put("conversion_value", 20 + random.nextInt(180));
        c.put("order_id", "demo-order-" + run + "-" + k);
        c.put("referee_user_id", referee);
        c.put("referee_email", referee + "@mail.example.org");
        c.put("referee_ip", suspicious ? by.ip() : "198.51.100." + (1 + random.nextInt(250)));
        c.put("referee_device_id", suspicious ? by.device() : "device-" + referee);
        post(t, "/api/v1/gamification/referral/track-conversion", c);
        conversions.incrementAndGet();
    }

    private JsonNode post(DemoMode.DemoTenant t, String path, JsonNode body) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + t.ingestKey()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.mapper().writeValueAsString(body))).build();
        HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() >= 300) throw new IOException(path + " answered " + res.statusCode() + ": " + res.body());
        return Json.mapper().readTree(res.body());
    }

    @Override public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.close();
    }
}
