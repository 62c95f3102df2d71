package ft.server;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The tokens users authenticate with, and the only place that knows how they are made and
 * checked.
 *
 * <p>A token is {@code NAME.SECRET}: the name says which entry of the users file to check, the
 * secret (32 random bytes, base64url without padding) is what is hashed. Only the secret's
 * PBKDF2-HMAC-SHA256 hash is stored, with a random salt and the iteration count it was made
 * with, so the default can be raised for new users while old entries keep working.
 */
public final class Tokens {
    /** Iterations for new tokens; a users file with fewer than {@link #MIN_ITERATIONS} is refused. */
    public static final int DEFAULT_ITERATIONS = 210_000;

    public static final int MIN_ITERATIONS = 210_000;
    public static final int MAX_ITERATIONS = 10_000_000;
    public static final String KDF = "PBKDF2WithHmacSHA256";
    public static final int SALT_BYTES = 16;
    public static final int HASH_BYTES = 32;
    public static final int SECRET_BYTES = 32;

    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {}

    /** A new token for {@code name}, with what the users file keeps of it. */
    public record Minted(String token, int iterations, byte[] salt, byte[] hash) {
        @Override
        public String toString() {
            return "Minted[token=<redacted>, iterations=" + iterations + "]";
        }
    }

    /** A fresh random secret for {@code name}, salted and hashed with {@link #DEFAULT_ITERATIONS}. */
    static Minted mint(String name) {
        byte[] secretBytes = new byte[SECRET_BYTES];
        RANDOM.nextBytes(secretBytes);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return new Minted(name + "." + secret, DEFAULT_ITERATIONS, salt, derive(secret, salt, DEFAULT_ITERATIONS));
    }

    /** Whether {@code secret} hashes to {@code hash}; constant time in the comparison. */
    static boolean verifies(String secret, byte[] salt, int iterations, byte[] hash) {
        return MessageDigest.isEqual(derive(secret, salt, iterations), hash);
    }

    /** PBKDF2-HMAC-SHA256 of {@code secret}, {@link #HASH_BYTES} long. */
    static byte[] derive(String secret, byte[] salt, int iterations) {
        char[] chars = secret.toCharArray();
        PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, HASH_BYTES * 8);
        try {
            return SecretKeyFactory.getInstance(KDF).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot compute " + KDF, e);
        } finally {
            spec.clearPassword();
            Arrays.fill(chars, '\0');
        }
    }

    /** The name part of a token ({@code NAME.SECRET}), or null if it has none. */
    static String nameOf(String token) {
        if (token == null) {
            return null;
        }
        int dot = token.indexOf('.');
        String name = dot < 0 ? null : token.substring(0, dot);
        return Users.isValidName(name) ? name : null;
    }

    /** The secret part of a token, or the empty string if it has none. */
    static String secretOf(String token) {
        int dot = token == null ? -1 : token.indexOf('.');
        return dot < 0 ? "" : token.substring(dot + 1);
    }
}
