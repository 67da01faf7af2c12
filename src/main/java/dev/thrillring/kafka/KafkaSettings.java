package dev.thrillring.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * How the event log is published to Kafka; there is none unless {@code THRILLRING_KAFKA_BOOTSTRAP_SERVERS} is set.
 *
 * @param bootstrapServers  the brokers to start from, {@code host:port[,host:port...]}
 * @param topicPrefix       each event family goes to {@code topicPrefix + family}, e.g. {@code thrillring.achievement}
 * @param batch             events read and published per tenant and transaction
 * @param poll              how often the relay looks for unpublished events without a wake-up
 * @param producer          further producer properties (TLS, SASL, compression) from
 *                          {@code THRILLRING_KAFKA_PROPERTIES_FILE}; those that the delivery guarantees rest on
 *                          ({@code acks}, {@code enable.idempotence}, serializers) cannot be changed
 */
public record KafkaSettings(String bootstrapServers, String topicPrefix, int batch, Duration poll, Map<String, String> producer) {
    /** Kafka's legal topic characters; a family adds at most 51 more. */
    private static final Pattern PREFIX = Pattern.compile("[a-zA-Z0-9._-]{0,150}");
    public static final String DEFAULT_PREFIX = "thrillring.";

    public KafkaSettings {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("THRILLRING_KAFKA_BOOTSTRAP_SERVERS must name at least one broker (host:port)");
        }
        if (topicPrefix == null || !PREFIX.matcher(topicPrefix).matches()) {
            throw new IllegalArgumentException("THRILLRING_KAFKA_TOPIC_PREFIX may hold at most 150 of a-z A-Z 0-9 . _ -, not " + topicPrefix);
        }
        if (batch < 1 || batch > 10_000) throw new IllegalArgumentException("THRILLRING_KAFKA_BATCH must be between 1 and 10000, not " + batch);
        if (!poll.isPositive()) throw new IllegalArgumentException("the Kafka relay's poll interval must be positive");
        producer = Map.copyOf(producer);
    }

    /** Settings with the defaults: prefix {@value #DEFAULT_PREFIX}, 500 events a batch, a 1 s poll. */
    public static KafkaSettings of(String bootstrapServers) {
        return new KafkaSettings(bootstrapServers, DEFAULT_PREFIX, 500, Duration.ofSeconds(1), Map.of());
    }

    /** The settings the environment asks for, or none when Kafka is not configured. */
    public static Optional<KafkaSettings> fromEnv(Map<String, String> env) {
        String servers = env.get("THRILLRING_KAFKA_BOOTSTRAP_SERVERS");
        if (servers == null || servers.isBlank()) return Optional.empty();
        String prefix = env.getOrDefault("THRILLRING_KAFKA_TOPIC_PREFIX", DEFAULT_PREFIX).trim();
        int batch;
        String b = env.getOrDefault("THRILLRING_KAFKA_BATCH", "500").trim();
        try {
            batch = Integer.parseInt(b);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("THRILLRING_KAFKA_BATCH must be a number between 1 and 10000, not " + b, e);
        }
        Map<String, String> producer = Optional.ofNullable(env.get("THRILLRING_KAFKA_PROPERTIES_FILE")).filter(s -> !s.isBlank())
                .map(f -> properties(Path.of(f.trim()))).orElse(Map.of());
        return Optional.of(new KafkaSettings(servers.trim(), prefix, batch, Duration.ofSeconds(1), producer));
    }

    /** A copy that publishes {@code batch} events per transaction and polls every {@code poll}. */
    public KafkaSettings withBatch(int batch, Duration poll) {
        return new KafkaSettings(bootstrapServers, topicPrefix, batch, poll, producer);
    }

    /** A copy with other producer properties. */
    public KafkaSettings withProducer(Map<String, String> producer) {
        return new KafkaSettings(bootstrapServers, topicPrefix, batch, poll, producer);
    }

    /** The topic of an event type: the prefix and the type's family (the part before the first dot). */
    public String topicOf(String type) {
        int dot = type.indexOf('.');
        return topicPrefix + (dot < 0 ? type : type.substring(0, dot));
    }

    private static Map<String, String> properties(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalArgumentException("THRILLRING_KAFKA_PROPERTIES_FILE cannot be read: " + file, e);
        }
        Map<String, String> out = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
        return out;
    }
}
