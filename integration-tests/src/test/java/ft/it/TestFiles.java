package ft.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** Big test files written and hashed in 1 MiB steps, and bounded polling instead of sleeps. */
final class TestFiles {
    private static final int CHUNK = 1 << 20;

    private TestFiles() {}

    /** Writes {@code size} pseudo-random bytes from {@code seed}; memory stays at one chunk. */
    static Path randomFile(Path file, long size, long seed) throws IOException {
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

    /** The file's MD5 as md5sum prints it, read as a stream. */
    static String md5(Path file) throws IOException {
        MessageDigest d;
        try {
            d = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        byte[] buf = new byte[CHUNK];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    /** The file's size, or 0 while it does not exist (or vanished while asked). */
    static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException missing) {
            return 0;
        }
    }

    /** Names in {@code dir}, sorted; empty if it does not exist. */
    static List<String> names(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> all = Files.list(dir)) {
            return all.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * The largest {@code *.part} file in {@code partials} (a server's {@code ROOT/.ft/partials}),
     * 0 if there is none: how far an interrupted upload got.
     */
    static long largestPart(Path partials) {
        try {
            return names(partials).stream().filter(n -> n.endsWith(".part"))
                    .mapToLong(n -> size(partials.resolve(n))).max().orElse(0);
        } catch (IOException vanished) {
            return 0;
        }
    }

    /** Polls {@code condition} every few milliseconds; fails naming {@code what} after {@code timeout}. */
    static void await(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as(what + " within " + timeout.toSeconds() + " s").isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }
}
