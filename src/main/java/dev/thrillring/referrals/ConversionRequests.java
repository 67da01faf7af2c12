package dev.thrillring.referrals;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.thrillring.web.Json;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A fingerprint of what a caller sent for a conversion: the same order id with another body is a conflict, as with facts. */
final class ConversionRequests {
    private ConversionRequests() {}

    /** SHA-256 of the request's canonical JSON (field order fixed by the record). */
    static String hash(ConversionService.NewConversion r) {
        try {
            byte[] json = Json.mapper().writeValueAsString(r).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
