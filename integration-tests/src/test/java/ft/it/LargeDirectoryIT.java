package ft.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.io.TempDirFactory;

/** Listing a directory far larger than one page, with heaps too small to hold the listing. */
class LargeDirectoryIT {
    private static final int ENTRIES = 100_000;
    /**
     * Long names (about 230 bytes) make the whole listing some 25 MB of strings alone: more
     * than a 32 MB client heap could hold next to everything else, so only streaming passes.
     */
    private static final String FILLER = "-abcdefghijklmnopqrstuvwxyz".repeat(9).substring(0, 224);

    /**
     * The server gets 32 MB, not more: the whole listing is some 25 MB of names, which a
     * server holding it all still squeezes into 64 MB (tried: it passes there), but not into 32.
     * The real server, holding one page, copes with 16 MB.
     */
    private static final String SERVER_HEAP = "-Xmx32m";

    private static final String CLIENT_HEAP = "-Xmx32m";

    @TempDir(factory = InMemoryWhenPossible.class)
    Path tmp;

    /**
     * On tmpfs when the machine has one: 100 000 creations take about 2 s there but 8 to 70 s
     * on a busy virtual disk, and what is tested is memory, not the disk.
     */
    static final class InMemoryWhenPossible implements TempDirFactory {
        @Override
        public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context) throws IOException {
            Path shm = Path.of("/dev/shm");
            if (Files.isDirectory(shm) && Files.isWritable(shm)) {
                try {
                    return Files.createTempDirectory(shm, "ft-it-");
                } catch (IOException fallBack) {
                    // the default temporary directory will do, only slower
                }
            }
            return Files.createTempDirectory("ft-it-");
        }
    }

    /** Names in an order unrelated to creation order: 7919 is prime to 100 000. */
    private static String name(int i) {
        return String.format("%05d", (i * 7919L) % ENTRIES) + FILLER;
    }

    @Test
    void lsOfOneHundredThousandEntriesRunsInSmallHeaps() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Path big = Files.createDirectories(root.resolve("big"));
        long t0 = System.nanoTime();
        List<String> names = new ArrayList<>(ENTRIES);
        for (int i = 0; i < ENTRIES; i++) {
            String name = name(i);
            names.add(name);
            Files.createFile(big.resolve(name));
        }
        long createMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(new HashSet<>(names)).as("distinct names").hasSize(ENTRIES);

        Path work = Files.createDirectories(tmp.resolve("work"));
        FtProcesses.Launch launch = FtProcesses.Launch.isolatedIn(tmp.resolve("home"));
        // Exit on OutOfMemoryError instead of limping on with a dead thread: "still alive" must mean it coped.
        try (FtProcesses.Server server =
                new FtProcesses.Server(root, launch.withJvmOptions(SERVER_HEAP, "-XX:+ExitOnOutOfMemoryError"))) {
            long t1 = System.nanoTime();
            FtProcesses.Launch small = launch.withJvmOptions(CLIENT_HEAP, "-XX:+ExitOnOutOfMemoryError");
            FtProcesses.Result ls = FtProcesses.run(work, small, "-s", server.address, "ls", "big");
            long lsMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);

            String lastOut = ls.out()
                    .substring(ls.out().lastIndexOf('\n', Math.max(0, ls.out().length() - 2)) + 1);
            assertThat(ls.exit())
                    .as(
                            "ls exit (3 is also the JVM's out-of-memory exit); server alive: %s; "
                                    + "stderr: %s; last stdout line: %s",
                            server.process.isAlive(), ls.err(), lastOut)
                    .isZero();
            List<String> lines = ls.out().lines().toList();
            assertThat(lines.size()).as("lines printed by ft ls big").isEqualTo(ENTRIES);
            for (int i = 1; i < lines.size(); i++) {
                if (lines.get(i - 1).compareTo(lines.get(i)) >= 0) {
                    throw new AssertionError("ls output not strictly sorted at line " + (i + 1) + ": '"
                            + lines.get(i - 1) + "' then '" + lines.get(i) + "'");
                }
            }
            Set<String> missing = new HashSet<>(names);
            lines.forEach(missing::remove);
            assertThat(missing).as("names not listed (of %d)", ENTRIES).isEmpty();

            assertThat(server.process.isAlive())
                    .as("the server after listing 100 000 entries in a %s heap", SERVER_HEAP)
                    .isTrue();
            FtProcesses.Result after = FtProcesses.run(work, launch, "-s", server.address, "ls");
            assertThat(after.exit())
                    .as("ls of the root afterwards; stderr: %s", after.err())
                    .isZero();
            assertThat(after.out()).as("the server still answers").isEqualTo("big/\n");
            System.out.printf(
                    "LargeDirectoryIT: created %d files in %d ms; ls took %d ms%n", ENTRIES, createMillis, lsMillis);
        }
    }
}
