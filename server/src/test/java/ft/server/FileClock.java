package ft.server;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The file system's clock as tests see it. Change times come from a coarse kernel clock (a
 * few milliseconds per tick on ext4), so a rewrite right after a stat may carry the very same
 * ctime; a test that needs the rewrite to be told apart first waits, bounded, for the tick.
 */
public final class FileClock {
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private FileClock() {}

    /** Returns once a file changed now gets a change time after {@code changed}. */
    public static void awaitTickAfter(FileTime changed, Path scratchDir) throws IOException {
        assertNotNull(changed, "this file system reports no change time");
        Path probe = Files.createTempFile(scratchDir, "clock", ".probe");
        try {
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (true) {
                Files.write(probe, new byte[1]);
                if (((FileTime) Files.getAttribute(probe, "unix:ctime")).compareTo(changed) > 0) {
                    return;
                }
                assertTrue(System.nanoTime() < deadline, "the file system's clock did not move past " + changed);
                LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
            }
        } finally {
            Files.deleteIfExists(probe);
        }
    }
}
