package dev.thrillring.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.thrillring.events.Event;
import dev.thrillring.web.Json;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Publishes events with an idempotent Kafka producer ({@code acks=all}): one topic per event
 * family, the tenant id as the key (so one tenant's events of a family share a partition and keep
 * their order), and the event id, type and position as headers.
 */
public final class KafkaEventPublisher implements EventPublisher {
    private static final Logger log = LoggerFactory.getLogger(KafkaEventPublisher.class);
    /** The consumer's idempotency key: the same event published twice carries the same id. */
    public static final String EVENT_ID = "event-id";
    public static final String EVENT_TYPE = "event-type";
    /** The event's position in its tenant's log: orders the families of one tenant against each other. */
    public static final String EVENT_POSITION = "event-position";

    private final KafkaSettings settings;
    private final Map<String, Object> config;
    private volatile KafkaProducer<String, byte[]> producer;
    private volatile boolean closed;
    private final Topics topics;

    public KafkaEventPublisher(KafkaSettings settings) {
        this.settings = settings;
        this.config = config(settings);
        this.producer = new KafkaProducer<>(config);
        this.topics = new Topics(config);
    }

    /** The producer's configuration: the operator's file first, then what the guarantees rest on. */
    static Map<String, Object> config(KafkaSettings s) {
        Map<String, Object> c = new HashMap<>(s.producer());
        c.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "thrillring-events");
        c.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        c.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // A broker that cannot be reached fails a batch in bounded time; the relay offers it again.
        c.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        c.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        c.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // At most 5 requests in flight keep the order of an idempotent producer across retries.
        c.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        c.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
        c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return c;
    }

    /** The record an event becomes. */
    static ProducerRecord<String, byte[]> record(KafkaSettings settings, Event e) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(EVENT_ID, e.id().toString().getBytes(StandardCharsets.UTF_8));
        headers.add(EVENT_TYPE, e.type().getBytes(StandardCharsets.UTF_8));
        headers.add(EVENT_POSITION, Long.toString(e.position()).getBytes(StandardCharsets.UTF_8));
        // No record timestamp of our own: the broker's clock (occurred_at may lie in the past) is in the value.
        return new ProducerRecord<>(settings.topicOf(e.type()), null, null, e.tenantId().toString(), value(e), headers);
    }

    /** The value: the event as JSON, with what a consumer needs to act without asking back. */
    static byte[] value(Event e) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", e.id());
        v.put("type", e.type());
        v.put("tenant_id", e.tenantId());
        v.put("position", e.position());
        v.put("subject", e.subject());
        v.put("occurred_at", e.occurredAt().toString());
        v.put("data", e.data());
        try {
            return Json.mapper().writeValueAsBytes(v);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("event data cannot be serialised", ex);
        }
    }

    @Override
    public synchronized Published publish(List<Event> events) {
        if (closed) return new Published(0, Optional.of(new IllegalStateException("the publisher is closed")));
        if (producer == null) producer = new KafkaProducer<>(config);
        List<Future<RecordMetadata>> acks = new ArrayList<>(events.size());
        Exception failure = null;
        for (Event e : events) {
            try {
                topics.ensure(settings.topicOf(e.type()));
                acks.add(producer.send(record(settings, e)));
            } catch (KafkaException | IllegalStateException | Topics.NotReady ex) {
                failure = ex;
                break;
            }
        }
        int acknowledged = 0;
        for (Future<RecordMetadata> f : acks) {
            try {
                f.get();
                acknowledged++;
            } catch (ExecutionException ex) {
                failure = ex.getCause() instanceof Exception c ? c : ex;
                break;
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                failure = ex;
                break;
            }
        }
        if (failure != null && !closed && !(failure instanceof RetriableException) && !(failure instanceof InterruptedException)
                && !(failure instanceof Topics.NotReady)
                && !(failure instanceof org.apache.kafka.common.errors.TimeoutException)) {
            // A producer that met a fatal error stays broken: the next call starts a new one.
            log.warn("Kafka producer failed ({}); a new one publishes the next batch", failure.toString());
            producer.close(Duration.ZERO);
            producer = null;
        }
        return new Published(acknowledged, Optional.ofNullable(failure));
    }

    @Override
    public void close() {
        closed = true;
        KafkaProducer<String, byte[]> p = producer;
        if (p != null) p.close(Duration.ZERO);
        topics.close();
    }
}
