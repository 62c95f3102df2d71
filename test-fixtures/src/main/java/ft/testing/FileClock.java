package ft.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;

/**
 * The file system's clock as tests see it. Change times come from a coarse kernel clock (a
 * few milliseconds per tick on ext4), so a rewrite right after a stat may carry the very same
 * ctime; a test that needs the rewrite to be told apart first waits, bounded, for the tick.
 */
public final class FileClock {
    private FileClock() {}

    /** Returns once a file changed now gets a change time after {@code changed}. */
    public static void awaitTickAfter(FileTime changed, Path scratchDir) throws IOException {
        assertThat(changed).as("this file system reports no change time").isNotNull();
        Path probe = Files.createTempFile(scratchDir, "clock", ".probe");
        try {
            await("the file system's clock to move past " + changed)
                    .atMost(Duration.ofSeconds(10))
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(1))
                    .until(() -> changeTimeNow(probe).compareTo(changed) > 0);
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    /** Writes {@code probe} and returns the change time it got. */
    private static FileTime changeTimeNow(Path probe) {
        try {
            Files.write(probe, new byte[1]);
            return (FileTime) Files.getAttribute(probe, "unix:ctime");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
