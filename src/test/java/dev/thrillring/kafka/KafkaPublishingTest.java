package dev.thrillring.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thrillring.support.TestServer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The event log published to a real Kafka broker (KRaft, in process, from Kafka's own test kit):
 * facts posted over HTTP come out on one topic per family, keyed by tenant, in log order per
 * tenant, with each event once from two nodes, and none lost when the publisher stops mid-batch.
 */
class KafkaPublishingTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static KafkaClusterTestKit cluster;

    @BeforeAll
    static void startBroker() throws Exception {
        long t0 = System.nanoTime();
        cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("num.partitions", "3")
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        System.out.printf("KRaft broker (combined, 1 node) ready in %d ms at %s%n", (System.nanoTime() - t0) / 1_000_000,
                cluster.bootstrapServers());
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (cluster != null) cluster.close();
    }

    /** Two nodes on one database publish two tenants' events: each event exactly once, keyed, typed and in order. */
    @Test
    void shouldPublishEveryEventOnceInOrderPerTenantFromTwoNodes() throws Exception {
        KafkaSettings kafka = new KafkaSettings(cluster.bootstrapServers(), "twonodes.", 20, Duration.ofMillis(200), Map.of());
        try (TestServer a = TestServer.start(TestServer.tempDir(), kafka); TestServer b = TestServer.secondNode(a, kafka)) {
            String t1 = a.createTenant("Kafka one", "coreldove");
            String t2 = a.createTenant("Kafka two", "coreldove");
            String k1 = a.issueKey(t1, "ingest");
            String k2 = a.issueKey(t2, "ingest");
            for (int round = 0; round < 4; round++) {
                // Both nodes write both tenants, so both are woken for every commit.
                postFacts(round % 2 == 0 ? a : b, t1, k1, "r" + round, 10);
                postFacts(round % 2 == 0 ? b : a, t2, k2, "r" + round, 10);
            }
            awaitPublished(a, Set.of(t1, t2));
            Map<String, StoredEvent> stored = events(a, Set.of(t1, t2));
            assertThat(stored.values()).extracting(StoredEvent::type)
                    .anyMatch(t -> t.startsWith("achievement.")).anyMatch(t -> t.startsWith("leaderboard."));

            List<ConsumerRecord<String, byte[]>> records = consume("twonodes.");
            // Nothing failed (a failed batch is offered again, and may then come twice) ...
            assertThat(metric(a, "kafka_publish_failures_total") + metric(b, "kafka_publish_failures_total")).isZero();
            // ... so exactly once: the position lock let one node publish a tenant at a time, and nothing failed.
            assertThat(records).hasSize(stored.size());
            assertThat(records.stream().map(r -> header(r, KafkaEventPublisher.EVENT_ID)).toList()).doesNotHaveDuplicates();
            for (ConsumerRecord<String, byte[]> r : records) {
                StoredEvent e = stored.get(header(r, KafkaEventPublisher.EVENT_ID));
                assertThat(e).as("record of an event that is not in the log: %s", r).isNotNull();
                assertThat(r.key()).isEqualTo(e.tenant());
                assertThat(r.topic()).isEqualTo("twonodes." + e.type().substring(0, e.type().indexOf('.')));
                assertThat(header(r, KafkaEventPublisher.EVENT_TYPE)).isEqualTo(e.type());
                assertThat(Long.parseLong(header(r, KafkaEventPublisher.EVENT_POSITION))).isEqualTo(e.position());
                JsonNode value = JSON.readTree(r.value());
                assertThat(value.get("id").asText()).isEqualTo(header(r, KafkaEventPublisher.EVENT_ID));
                assertThat(value.get("tenant_id").asText()).isEqualTo(e.tenant());
                assertThat(value.get("type").asText()).isEqualTo(e.type());
                assertThat(value.get("data").isObject()).isTrue();
            }
            assertInLogOrderPerTenant(records, Long.MAX_VALUE);

            // Both nodes count what they published; together, every event once.
            assertThat(published(a, "twonodes.") + published(b, "twonodes.")).isEqualTo(stored.size());
            assertThat(a.get("/metrics", null).body()).contains("kafka_publish_lag_seconds");
        }
    }

    /**
     * A backlog is being published in small batches when the service stops; after the restart
     * every event is on its topic, and only events past the stored position came twice.
     */
    @Test
    void shouldLoseNothingWhenStoppedMidBatchAndResumeFromTheStoredPosition() throws Exception {
        java.nio.file.Path data = TestServer.tempDir();
        // Batches of 3 that wait 200 ms in the producer before they are sent: at the stop, one is
        // certainly sent but not acknowledged, or not sent at all.
        KafkaSettings kafka = new KafkaSettings(cluster.bootstrapServers(), "restart.", 3, Duration.ofMillis(100),
                Map.of("linger.ms", "200"));
        String tenant;
        long stoppedAt;
        long total;
        try (TestServer first = TestServer.start(data, kafka)) {
            tenant = first.createTenant("Kafka restart", "coreldove");
            String key = first.issueKey(tenant, "ingest");
            // One large batch: hundreds of events, published three at a time.
            postFacts(first, tenant, key, "b", 100);
            total = count(first, "SELECT count(*) FROM events WHERE tenant_id = '" + tenant + "'");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline && publishedPosition(first, tenant) == 0) Thread.sleep(5);
        } // stops mid-backlog: the batch in flight is abandoned
        try (TestServer between = TestServer.start(data)) { // without Kafka: the position the first node stored
            stoppedAt = publishedPosition(between, tenant);
        }
        assertThat(stoppedAt).as("stopped mid-way").isPositive().isLessThan(total);
        // The restarted node publishes at its usual pace: 500 events a batch, no waiting.
        try (TestServer again = TestServer.start(data, kafka.withBatch(500, Duration.ofMillis(100)).withProducer(Map.of()))) {
            awaitPublished(again, Set.of(tenant));
            Map<String, StoredEvent> stored = events(again, Set.of(tenant));
            assertThat(stored).hasSize((int) total);

            List<ConsumerRecord<String, byte[]>> records = consume("restart.");
            Map<Long, Integer> copies = new HashMap<>();
            for (ConsumerRecord<String, byte[]> r : records) {
                assertThat(r.key()).isEqualTo(tenant);
                assertThat(stored).containsKey(header(r, KafkaEventPublisher.EVENT_ID));
                copies.merge(Long.parseLong(header(r, KafkaEventPublisher.EVENT_POSITION)), 1, Integer::sum);
            }
            // Nothing lost ...
            assertThat(copies.keySet()).containsAll(stored.values().stream().map(StoredEvent::position).toList());
            // ... and what was acknowledged before the stop came once: duplicates only in the unacknowledged tail.
            copies.forEach((position, n) -> {
                if (position <= stoppedAt) assertThat(n).as("copies of position %d (stored position %d)", position, stoppedAt).isEqualTo(1);
            });
            assertInLogOrderPerTenant(records, stoppedAt);
            System.out.printf("Kafka restart: %d events, stopped at position %d, %d records (%d repeated)%n", total, stoppedAt,
                    records.size(), records.size() - copies.size());
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    record StoredEvent(String id, String tenant, long position, String type) {}

    /** Posts {@code n} facts as one batch; each can unlock achievements and move a leaderboard. */
    static void postFacts(TestServer app, String tenant, String key, String prefix, int n) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode facts = body.putArray("facts");
        for (int i = 0; i < n; i++) {
            ObjectNode f = facts.addObject();
            f.put("id", prefix + "-" + i);
            f.put("tenant_id", tenant);
            f.put("user_id", "u" + (i % 7));
            f.put("type", "order.shipped");
            f.putObject("attributes").put("value", 20 + i);
        }
        TestServer.Response r = app.post("/api/v1/facts", key, body.toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    /** Waits until the tenants' published positions reach their logs' last positions. */
    static void awaitPublished(TestServer app, Set<String> tenants) throws Exception {
        String in = String.join("','", tenants);
        // Events get their positions after commit (the event sequencer): none may still be waiting for one.
        String behind = "SELECT (SELECT count(*) FROM event_positions p LEFT JOIN kafka_positions k ON k.tenant_id = p.tenant_id"
                + " WHERE p.tenant_id IN ('" + in + "') AND coalesce(k.last_position, 0) < p.last_position)"
                + " + (SELECT count(*) FROM events WHERE tenant_id IN ('" + in + "') AND position IS NULL)";
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && count(app, behind) > 0) Thread.sleep(50);
        assertThat(count(app, behind)).as("tenants not yet published").isZero();
    }

    static long publishedPosition(TestServer app, String tenant) throws Exception {
        return count(app, "SELECT coalesce((SELECT last_position FROM kafka_positions WHERE tenant_id = '" + tenant + "'), 0)");
    }

    static Map<String, StoredEvent> events(TestServer app, Set<String> tenants) throws Exception {
        Map<String, StoredEvent> out = new HashMap<>();
        try (Connection c = app.ownerConnection(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT id, tenant_id, position, type FROM events WHERE tenant_id IN ('" + String.join("','", tenants) + "')")) {
            while (rs.next()) out.put(rs.getString(1), new StoredEvent(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4)));
        }
        return out;
    }

    static long count(TestServer app, String sql) throws Exception {
        try (Connection c = app.ownerConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Every record of the topics named {@code prefix*}, partition by partition in offset order. */
    static List<ConsumerRecord<String, byte[]>> consume(String prefix) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.listTopics(Duration.ofSeconds(10)).forEach((topic, infos) -> {
                if (topic.startsWith(prefix)) infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            });
            assertThat(partitions).as("topics named %s*", prefix).isNotEmpty();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline && partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /**
     * Per topic and tenant, positions come in log order: strictly ascending up to {@code onceUpTo},
     * and beyond it each position's first copy comes after the first copy of every smaller one
     * (a repeated tail starts again from the stored position).
     */
    static void assertInLogOrderPerTenant(List<ConsumerRecord<String, byte[]>> records, long onceUpTo) {
        Map<String, Long> last = new HashMap<>();
        Map<String, Set<Long>> seen = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            String stream = r.topic() + "/" + r.key();
            long position = Long.parseLong(header(r, KafkaEventPublisher.EVENT_POSITION));
            Set<Long> before = seen.computeIfAbsent(stream, s -> new HashSet<>());
            if (before.contains(position)) {
                assertThat(position).as("a repeated position in %s", stream).isGreaterThan(onceUpTo);
                continue;
            }
            assertThat(position).as("order in %s", stream).isGreaterThan(last.getOrDefault(stream, 0L));
            last.put(stream, position);
            before.add(position);
        }
    }

    static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** A meter without tags from the node's Prometheus page. */
    static double metric(TestServer app, String name) {
        for (String line : app.get("/metrics", null).body().split("\n")) {
            if (line.startsWith(name + " ")) return Double.parseDouble(line.substring(name.length() + 1).trim());
        }
        throw new AssertionError("no meter " + name);
    }

    /** The node's count of published events on topics named {@code prefix*}, from its Prometheus page. */
    static long published(TestServer app, String prefix) {
        long sum = 0;
        for (String line : app.get("/metrics", null).body().split("\n")) {
            if (line.startsWith("kafka_events_published_total{") && line.contains("topic=\"" + prefix)) {
                sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
