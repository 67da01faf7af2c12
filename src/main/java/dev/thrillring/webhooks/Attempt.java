package dev.thrillring.webhooks;

import java.time.Instant;
import java.util.UUID;

/** One try to deliver a message: the delivery log's line. */
record Attempt(UUID id, UUID messageId, String webhookId, int attempt, String outcome, Integer statusCode, int latencyMs,
               String responseExcerpt, String error, Instant at) {
    static final String SUCCESS = "success";
    static final String FAILURE = "failure";
}
