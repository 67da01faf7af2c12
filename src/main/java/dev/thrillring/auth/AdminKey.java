package dev.thrillring.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The platform admin key: from {@code THRILLRING_ADMIN_KEY}, or generated on first start,
 * printed once and kept only as a hash in {@code <data dir>/admin-key.sha256} (mode 600).
 * Delete that file to have a new key generated at the next start.
 */
public final class AdminKey {
    private static final Logger log = LoggerFactory.getLogger(AdminKey.class);

    private AdminKey() {}

    /** Returns the SHA-256 hex of the admin key in force. */
    public static String resolveHash(Optional<String> configured, Path dataDir) {
        if (configured.isPresent()) return ApiKey.hash(configured.get());
        Path file = dataDir.resolve("admin-key.sha256");
        try {
            if (Files.exists(file)) return Files.readString(file, StandardCharsets.US_ASCII).trim();
            String key = "trk_admin_" + ApiKey.generate().substring(4);
            Files.createDirectories(dataDir);
            Files.writeString(file, ApiKey.hash(key) + "\n", StandardCharsets.US_ASCII);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system; the file still holds only a hash
            }
            log.warn("""

                    ==================================================================
                    Operator API key, admin of every platform (shown once, stored only as a hash):
                        {}
                    Set THRILLRING_ADMIN_KEY to choose your own, or delete
                    {} to generate a new one.
                    ==================================================================""", key, file);
            return ApiKey.hash(key);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }
}
