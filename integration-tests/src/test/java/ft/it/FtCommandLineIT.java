package ft.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ft.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar, server and client as separate processes, as a user runs them. Interrupted
 * transfers are in {@link CrashIT} (kill -9) and {@link FaultIT} (a failing network).
 */
class FtCommandLineIT {
    @TempDir
    Path tmp;

    @Test
    void putThenGetMovesAFileBothWaysWithVerifiedMd5() throws Exception {
        Path root = tmp.resolve("root");
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path source = TestData.randomFile(work.resolve("data.bin"), 8 << 20, 1);
        String md5 = TestData.md5Hex(source);
        try (FtProcesses.Server server = new FtProcesses.Server(root)) {
            FtProcesses.Result put = FtProcesses.run(work, "-s", server.address, "put", "data.bin", "in/data.bin");
            assertThat(put.exit()).as(put.err()).isZero();
            assertThat(put.out().strip()).isEqualTo(md5 + "  in/data.bin");

            FtProcesses.Result get =
                    FtProcesses.run(work, "get", "in/data.bin", "-o", "copy.bin", "-s", server.address);
            assertThat(get.exit()).as(get.err()).isZero();
            assertThat(get.out().strip()).isEqualTo(md5 + "  copy.bin");
            assertThat(TestData.md5Hex(work.resolve("copy.bin"))).isEqualTo(md5);
            // Not a terminal: no progress bar, nothing at all on stderr for a clean transfer.
            assertThat(get.err()).isEmpty();
        }
    }

    @Test
    void missingRemoteFileExitsFourWithOneLineOnStderr() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        try (FtProcesses.Server server = new FtProcesses.Server(tmp.resolve("root"))) {
            FtProcesses.Result r = FtProcesses.run(work, "-s", server.address, "get", "nope.txt");
            assertThat(r.exit()).isEqualTo(4);
            assertThat(r.err()).isEqualTo("ft: get nope.txt: 'nope.txt' does not exist (NOT_FOUND)\n");
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void serveTakesItsRootAndAddressFromFtRootAndFtListenWhenNoOptionSaysOtherwise() throws Exception {
        Path root = tmp.resolve("env-root");
        Path serverDir = Files.createDirectories(tmp.resolve("server"));
        Path work = Files.createDirectories(tmp.resolve("work"));
        FtProcesses.Launch launch =
                FtProcesses.defaultLaunch().withEnv("FT_ROOT", root.toString()).withEnv("FT_LISTEN", "127.0.0.1:0");
        Process server = FtProcesses.start(serverDir, launch, "serve");
        try {
            Pattern serving = Pattern.compile("ft: serving (\\S+) on (127\\.0\\.0\\.1:\\d+)\n");
            AtomicReference<Matcher> line = new AtomicReference<>();
            await("ft serve prints where it serves")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> {
                        try {
                            Matcher m = serving.matcher(Files.readString(serverDir.resolve(".err")));
                            return m.find() && line.compareAndSet(null, m);
                        } catch (IOException notYet) {
                            return false;
                        }
                    });
            assertThat(line.get().group(1)).isEqualTo(root.toAbsolutePath().toString());
            String address = line.get().group(2);

            Files.writeString(work.resolve("note.txt"), "from the environment\n");
            FtProcesses.Result put = FtProcesses.run(work, "-s", address, "put", "note.txt");
            assertThat(put.exit()).as(put.err()).isZero();
            assertThat(root.resolve("note.txt")).hasContent("from the environment");
        } finally {
            server.destroyForcibly();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
