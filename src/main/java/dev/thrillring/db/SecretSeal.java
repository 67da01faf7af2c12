package dev.thrillring.db;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Seals secrets before they reach the database (AES-256-GCM), so a dump, a backup or a read
 * through a future SQL bug yields no secret that can sign anything. The key lives with the
 * service, not the database. Each sealed value is bound to its row by {@code aad} (additional
 * authenticated data): copied onto another row, it does not open. Badge signing keys and webhook
 * secrets use it; the key comes from {@code THRILLRING_BADGE_KEY_SECRET} (see {@code badges.KeySeal}).
 */
public final class SecretSeal {
    public static final String PREFIX = "sealed:v1:";
    private static final int IV_BYTES = 12;
    private static final SecureRandom RANDOM = new SecureRandom();
    private final SecretKeySpec key;

    private SecretSeal(byte[] secret) {
        this.key = new SecretKeySpec(secret, "AES");
    }

    /** From an operator's secret of at least 32 characters (hashed to 256 bits); {@code setting} names it in errors. */
    public static SecretSeal ofSecret(String secret, String setting) {
        if (secret.length() < 32) throw new IllegalArgumentException(setting + " must be at least 32 characters");
        return new SecretSeal(sha256(secret.getBytes(StandardCharsets.UTF_8)));
    }

    /** {@code plain} sealed, as text for a text column; {@code aad} binds it to its row. */
    public String seal(String plain, String aad) {
        try {
            byte[] iv = new byte[IV_BYTES];
            RANDOM.nextBytes(iv);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            c.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
            byte[] ct = c.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[iv.length + ct.length];
            System.arraycopy(iv, 0, out, 0, iv.length);
            System.arraycopy(ct, 0, out, iv.length, ct.length);
            return PREFIX + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal a secret", e);
        }
    }

    /**
     * The plain text of a sealed value; a value stored before sealing existed is returned as it is.
     *
     * @throws Unopenable when the value was sealed with another key or for another row
     */
    public String open(String stored, String aad) {
        if (!sealed(stored)) return stored;
        try {
            byte[] in = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, IV_BYTES));
            c.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
            return new String(c.doFinal(in, IV_BYTES, in.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new Unopenable("a sealed secret (" + aad + ") cannot be opened with this node's sealing key; "
                    + "every node sharing a database needs the same THRILLRING_BADGE_KEY_SECRET", e);
        }
    }

    /** True when {@code stored} is a sealed value (not one stored in the clear by an earlier version). */
    public static boolean sealed(String stored) { return stored != null && stored.startsWith(PREFIX); }

    /** A sealed value that this key cannot open. */
    public static final class Unopenable extends IllegalStateException {
        Unopenable(String message, Throwable cause) { super(message, cause); }
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
