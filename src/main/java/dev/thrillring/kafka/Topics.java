package dev.thrillring.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Makes sure a family's topic exists, with every partition led, before the first record goes to
 * it. Left to the broker's auto-creation, the first idempotent batch can race the new partition's
 * leadership (measured here: {@code NOT_LEADER_OR_FOLLOWER}, then {@code OUT_OF_ORDER_SEQUENCE_NUMBER}
 * until the delivery timeout), and many clusters turn auto-creation off anyway. The topic gets the
 * broker's default partitions and replication; an operator who creates topics by hand (and denies
 * this client the right) loses nothing: the denial is logged once and publishing goes on.
 */
final class Topics implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Topics.class);
    private static final Duration READY = Duration.ofSeconds(10);

    /** A topic could not be created or is not led yet: the batch waits for the next pass. */
    static final class NotReady extends Exception {
        NotReady(String message, Throwable cause) { super(message, cause); }
    }

    private final Map<String, Object> config;
    private final Set<String> ready = ConcurrentHashMap.newKeySet();
    private volatile Admin admin;
    private boolean denied;

    Topics(Map<String, Object> producerConfig) {
        Map<String, Object> c = new HashMap<>();
        // The connection settings (servers, TLS, SASL) apply to the admin client too; the producer's own do not.
        Set<String> known = AdminClientConfig.configNames();
        producerConfig.forEach((k, v) -> { if (known.contains(k)) c.put(k, v); });
        c.put(AdminClientConfig.CLIENT_ID_CONFIG, "thrillring-topics");
        c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) READY.toMillis());
        c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) READY.toMillis());
        this.config = c;
    }

    /** Returns once {@code topic} exists and each of its partitions has a leader. */
    synchronized void ensure(String topic) throws NotReady {
        if (ready.contains(topic) || denied) return;
        if (admin == null) admin = Admin.create(config);
        try {
            try {
                admin.createTopics(List.of(new NewTopic(topic, Optional.empty(), Optional.empty()))).all()
                        .get(READY.toMillis(), TimeUnit.MILLISECONDS);
                log.info("created Kafka topic {}", topic);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicAuthorizationException || e.getCause() instanceof ClusterAuthorizationException) {
                    denied = true;
                    log.warn("not allowed to create Kafka topics ({}); the topics must exist already", e.getCause().toString());
                    return;
                }
                if (!(e.getCause() instanceof TopicExistsException)) throw e;
            }
            long deadline = System.nanoTime() + READY.toNanos();
            while (!led(topic)) {
                if (System.nanoTime() > deadline) throw new NotReady("Kafka topic " + topic + " has partitions without a leader", null);
                Thread.sleep(50);
            }
            ready.add(topic);
        } catch (ExecutionException e) {
            throw new NotReady("Kafka topic " + topic + " is not ready: " + e.getCause(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new NotReady("Kafka topic " + topic + " is not ready after " + READY.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotReady("interrupted while waiting for Kafka topic " + topic, e);
        }
    }

    /**
     * Whether every partition of {@code topic} has a leader that serves it: the metadata can name
     * a leader before that broker has opened the partition, so each leader is asked for its end
     * offset, which only an open partition answers.
     */
    private boolean led(String topic) throws InterruptedException, java.util.concurrent.TimeoutException, ExecutionException {
        try {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(READY.toMillis(), TimeUnit.MILLISECONDS).get(topic);
            if (d == null || d.partitions().isEmpty() || d.partitions().stream().anyMatch(p -> p.leader() == null)) return false;
            Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
            d.partitions().forEach(p -> ends.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            admin.listOffsets(ends).all().get(READY.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            // A topic just created is not known everywhere at once: asked again at the next turn.
            if (e.getCause() instanceof org.apache.kafka.common.errors.RetriableException) return false;
            throw e;
        }
    }

    /** Not synchronized: it must stop an {@link #ensure} that waits. */
    @Override public void close() {
        Admin a = admin;
        if (a != null) a.close(Duration.ZERO);
    }
}
