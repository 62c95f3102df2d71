package ft.protocol;

import java.util.HexFormat;
import java.util.Objects;

/**
 * An MD5 digest as it travels on the wire: 32 lowercase hexadecimal characters.
 *
 * @param hex the digest, always lowercase
 */
public record Md5(String hex) {
    private static final HexFormat HEX = HexFormat.of();

    public Md5 {
        Objects.requireNonNull(hex, "hex");
        if (!isValid(hex)) {
            throw new IllegalArgumentException("not an MD5 digest: 32 hexadecimal characters expected");
        }
        hex = hex.toLowerCase(java.util.Locale.ROOT);
    }

    /** Wraps the 16 raw bytes a {@link java.security.MessageDigest} returns. */
    public static Md5 of(byte[] digest) {
        if (digest.length != 16) {
            throw new IllegalArgumentException("an MD5 digest has 16 bytes, not " + digest.length);
        }
        return new Md5(HEX.formatHex(digest));
    }

    public static boolean isValid(String s) {
        if (s.length() != 32) {
            return false;
        }
        for (int i = 0; i < 32; i++) {
            char c = s.charAt(i);
            boolean hexDigit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!hexDigit) {
                return false;
            }
        }
        return true;
    }

    // Spelt out rather than the record's generated ones: those bootstrap through
    // java.lang.runtime.ObjectMethods on first use in each process (classes spun at run time,
    // which the start-up archive does not keep), and every download compares two digests.
    @Override
    public boolean equals(Object o) {
        return o instanceof Md5 other && hex.equals(other.hex);
    }

    @Override
    public int hashCode() {
        return hex.hashCode();
    }

    @Override
    public String toString() {
        return hex;
    }
}
