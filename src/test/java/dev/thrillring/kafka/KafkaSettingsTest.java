package dev.thrillring.kafka;

import dev.thrillring.events.Event;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaSettingsTest {

    @Test
    void shouldBeOffWithoutBootstrapServers() {
        assertThat(KafkaSettings.fromEnv(Map.of())).isEmpty();
        assertThat(KafkaSettings.fromEnv(Map.of("THRILLRING_KAFKA_BOOTSTRAP_SERVERS", "  "))).isEmpty();
    }

    @Test
    void shouldNameOneTopicPerFamilyUnderThePrefix() {
        KafkaSettings s = KafkaSettings.fromEnv(Map.of("THRILLRING_KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092")).orElseThrow();
        assertThat(s.topicOf("achievement.unlocked")).isEqualTo("thrillring.achievement");
        assertThat(s.topicOf("referral.converted")).isEqualTo("thrillring.referral");
        assertThat(s.topicOf("leaderboard.rank_changed")).isEqualTo("thrillring.leaderboard");
        KafkaSettings prod = KafkaSettings.fromEnv(Map.of("THRILLRING_KAFKA_BOOTSTRAP_SERVERS", "k1:9092",
                "THRILLRING_KAFKA_TOPIC_PREFIX", "prod-gamification.")).orElseThrow();
        assertThat(prod.topicOf("portfolio.generated")).isEqualTo("prod-gamification.portfolio");
    }

    @Test
    void shouldRefuseBadSettingsNamingTheVariable() {
        assertThatThrownBy(() -> KafkaSettings.fromEnv(Map.of("THRILLRING_KAFKA_BOOTSTRAP_SERVERS", "k:9092",
                "THRILLRING_KAFKA_TOPIC_PREFIX", "bad prefix/"))).hasMessageContaining("THRILLRING_KAFKA_TOPIC_PREFIX");
        assertThatThrownBy(() -> KafkaSettings.fromEnv(Map.of("THRILLRING_KAFKA_BOOTSTRAP_SERVERS", "k:9092",
                "THRILLRING_KAFKA_BATCH", "lots"))).hasMessageContaining("THRILLRING_KAFKA_BATCH");
        assertThatThrownBy(() -> KafkaSettings.fromEnv(Map.of("THRILLRING_KAFKA_BOOTSTRAP_SERVERS", "k:9092",
                "THRILLRING_KAFKA_PROPERTIES_FILE", "/nonexistent/producer.properties"))).hasMessageContaining("THRILLRING_KAFKA_PROPERTIES_FILE");
    }

    @Test
    void shouldKeepTheDeliveryGuaranteesWhateverThePropertiesFileSays() throws Exception {
        Path file = Files.createTempFile("producer", ".properties");
        Files.writeString(file, "acks=0\nenable.idempotence=false\nsecurity.protocol=SASL_SSL\ncompression.type=zstd\n");
        KafkaSettings s = KafkaSettings.fromEnv(Map.of("THRILLRING_KAFKA_BOOTSTRAP_SERVERS", "k:9092",
                "THRILLRING_KAFKA_PROPERTIES_FILE", file.toString())).orElseThrow();
        Map<String, Object> config = KafkaEventPublisher.config(s);
        assertThat(config).containsEntry(ProducerConfig.ACKS_CONFIG, "all").containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
                .containsEntry("security.protocol", "SASL_SSL").containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd")
                .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "k:9092");
    }

    @Test
    void shouldKeyByTenantAndCarryIdTypeAndPositionInHeaders() {
        UUID tenant = UUID.randomUUID();
        Event e = new Event(UUID.randomUUID(), tenant, 42, "achievement.unlocked", "user-7", Instant.parse("2026-01-02T03:04:05Z"),
                Map.of("achievement_id", "first_order"));
        ProducerRecord<String, byte[]> r = KafkaEventPublisher.record(KafkaSettings.of("k:9092"), e);
        assertThat(r.topic()).isEqualTo("thrillring.achievement");
        assertThat(r.key()).isEqualTo(tenant.toString());
        assertThat(new String(r.headers().lastHeader(KafkaEventPublisher.EVENT_ID).value(), StandardCharsets.UTF_8)).isEqualTo(e.id().toString());
        assertThat(new String(r.headers().lastHeader(KafkaEventPublisher.EVENT_TYPE).value(), StandardCharsets.UTF_8)).isEqualTo(e.type());
        assertThat(new String(r.headers().lastHeader(KafkaEventPublisher.EVENT_POSITION).value(), StandardCharsets.UTF_8)).isEqualTo("42");
        assertThat(new String(r.value(), StandardCharsets.UTF_8)).contains("\"subject\":\"user-7\"", "\"occurred_at\":\"2026-01-02T03:04:05Z\"",
                "\"achievement_id\":\"first_order\"", "\"position\":42");
    }
}
