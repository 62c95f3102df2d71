package ft.testing;

import ft.protocol.Md5;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/**
 * Test content and its MD5, computed here independently of the code under test (the JDK's
 * digest, not ft's pipeline). Random content comes from a seed, so a failure can be replayed.
 */
public final class TestData {
    private static final int CHUNK = 1 << 20;

    private TestData() {}

    /** {@code size} pseudo-random bytes from {@code seed}. */
    public static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /**
     * Writes {@code size} pseudo-random bytes from {@code seed} to {@code file}; memory stays at
     * one 1 MiB chunk. The same bytes as {@link #random(int, long)} with that seed.
     */
    public static Path randomFile(Path file, long size, long seed) throws IOException {
        byte[] chunk = new byte[CHUNK];
        Random random = new Random(seed);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long done = 0; done < size; done += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk, 0, (int) Math.min(chunk.length, size - done));
            }
        }
        return file;
    }

    /** The MD5 of {@code content}. */
    public static Md5 md5(byte[] content) {
        return new Md5(md5Hex(content));
    }

    /** The MD5 of {@code content} as md5sum prints it. */
    public static String md5Hex(byte[] content) {
        return HexFormat.of().formatHex(newMd5().digest(content));
    }

    /** The file's MD5 as md5sum prints it, read as a stream. */
    public static String md5Hex(Path file) throws IOException {
        MessageDigest d = newMd5();
        byte[] buf = new byte[CHUNK];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
