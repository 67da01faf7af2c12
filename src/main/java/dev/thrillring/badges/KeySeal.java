package dev.thrillring.badges;

import dev.thrillring.db.SecretSeal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * Seals badge signing keys before they reach the database ({@link SecretSeal}, AES-256-GCM), so a database dump,
 * a backup or a read through a future SQL bug yields no key that can sign credentials. The sealing
 * key lives with the service, not the database: {@code THRILLRING_BADGE_KEY_SECRET} (required to
 * be the same on every node sharing a database), else a file {@code badge-keys.secret} in the data
 * directory, created on first use with owner-only permissions.
 */
public final class KeySeal {
    static final String PREFIX = SecretSeal.PREFIX;
    static final String FILE = "badge-keys.secret";
    private static final SecureRandom RANDOM = new SecureRandom();
    private final SecretSeal seal;

    private KeySeal(SecretSeal seal) {
        this.seal = seal;
    }

    /** From an operator's secret (any length of at least 32 characters; hashed to 256 bits). */
    public static KeySeal ofSecret(String secret) {
        return new KeySeal(SecretSeal.ofSecret(secret, "THRILLRING_BADGE_KEY_SECRET"));
    }

    /**
     * The configured secret, else the data directory's file (made on first use). The file holds a
     * secret in the same form as the setting, so other nodes of a shared database take its text
     * as their {@code THRILLRING_BADGE_KEY_SECRET}.
     */
    public static KeySeal resolve(Optional<String> configured, Path dataDir) {
        if (configured.isPresent()) return ofSecret(configured.get());
        return ofSecret(fileSecret(dataDir));
    }

    /** The text of the data directory's secret file, made on first use. */
    public static String fileSecret(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            if (!Files.exists(file)) {
                byte[] fresh = new byte[32];
                RANDOM.nextBytes(fresh);
                Files.createDirectories(dataDir);
                Path tmp = Files.createTempFile(dataDir, "badge-keys", ".tmp");
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException ignored) {
                    // not a POSIX file system
                }
                Files.writeString(tmp, Base64.getEncoder().encodeToString(fresh) + "\n", StandardCharsets.US_ASCII);
                try {
                    // Two starts racing keep the first file; the loser reads it.
                    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    Files.deleteIfExists(tmp);
                    if (!Files.exists(file)) throw e;
                }
            }
            return Files.readString(file, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }

    /** {@code plain} sealed, as text for a TEXT column; {@code aad} binds it to its row (the key id). */
    String seal(String plain, String aad) { return seal.seal(plain, aad); }

    /** The plain text of a sealed value; a value stored before sealing existed is returned as it is. */
    String open(String stored, String aad) {
        try {
            return seal.open(stored, aad);
        } catch (SecretSeal.Unopenable e) {
            throw new IllegalStateException("badge signing key " + aad + " cannot be opened with this node's sealing key; "
                    + "every node sharing a database needs the same THRILLRING_BADGE_KEY_SECRET", e);
        }
    }

    static boolean sealed(String stored) { return SecretSeal.sealed(stored); }

    /** The sealing primitive with this key, for other secrets kept in the database (webhook secrets). */
    public SecretSeal primitive() { return seal; }
}
