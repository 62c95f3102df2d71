package ft.it;

import static ft.testing.FaultProxy.Direction.DOWNSTREAM;
import static ft.testing.FaultProxy.Direction.UPSTREAM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ft.testing.FaultProxy;
import ft.testing.FaultProxy.Faults;
import ft.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code kill -9} of either side in the middle of a transfer ({@link Process#destroyForcibly()}
 * sends SIGKILL on Linux, which the exit code 137 confirms): nothing unverified ever takes a
 * final name, the interrupted bytes are kept, and rerunning the same command resumes from them.
 */
class CrashIT {
    private static final long SIZE = 64L << 20;
    /** Upstream pace while the server is to be killed: the whole upload would take 8 s. */
    private static final long UPLOAD_RATE = 8L << 20;

    private static final long KILL_AFTER = 16L << 20;

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "replacing an older version: {0}")
    @ValueSource(booleans = {false, true})
    void serverKilledMidUploadPublishesNothingAndTheRerunResumesFromItsPartial(boolean replacing) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path partials = root.resolve(".ft/partials");
        FtProcesses.Launch launch = FtProcesses.Launch.isolatedIn(tmp.resolve("home"));
        String newMd5 = TestData.md5Hex(TestData.randomFile(work.resolve("big.bin"), SIZE, 1));
        String oldMd5 = replacing ? TestData.md5Hex(TestData.randomFile(root.resolve("big.bin"), 3 << 20, 2)) : null;
        List<String> expectedNames = replacing ? List.of(".ft", "big.bin") : List.of(".ft");

        long held;
        try (FtProcesses.Server server = new FtProcesses.Server(root, launch);
                FaultProxy proxy = new FaultProxy(server.address)) {
            proxy.setDefault(Faults.none().throttle(UPSTREAM, UPLOAD_RATE));
            Process client = FtProcesses.start(work, launch, "-s", proxy.address(), "put", "--retries", "0", "big.bin");
            try {
                await("the server's partial upload passed " + KILL_AFTER + " bytes")
                        .atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(5))
                        .until(() -> TestFiles.largestPart(partials) > KILL_AFTER || !client.isAlive());
                assertThat(client.isAlive())
                        .as(
                                "the upload is still running when the server is killed; stderr: %s",
                                Files.readString(work.resolve(".err")))
                        .isTrue();

                server.process.destroyForcibly();
                assertThat(server.process.waitFor(30, TimeUnit.SECONDS))
                        .as("the killed server ended")
                        .isTrue();
                assertThat(server.process.exitValue())
                        .as("ended by SIGKILL (128 + 9)")
                        .isEqualTo(137);

                assertThat(client.waitFor(60, TimeUnit.SECONDS))
                        .as("the client noticed the server died")
                        .isTrue();
                String err = Files.readString(work.resolve(".err"));
                assertThat(client.exitValue()).as(err).isEqualTo(3);
                assertThat(err).contains("(CONNECTION_LOST)");
            } finally {
                client.destroyForcibly();
                client.waitFor(30, TimeUnit.SECONDS);
            }
            held = TestFiles.largestPart(partials);
            assertThat(held)
                    .as("bytes the killed server kept")
                    .isGreaterThan(KILL_AFTER)
                    .isLessThan(SIZE - (8L << 20));
        }

        assertThat(TestFiles.names(root)).as("the root after the kill").isEqualTo(expectedNames);
        if (replacing) {
            assertThat(TestData.md5Hex(root.resolve("big.bin")))
                    .as("the old version, intact")
                    .isEqualTo(oldMd5);
        }

        try (FtProcesses.Server restarted = new FtProcesses.Server(root, launch);
                FaultProxy counting = new FaultProxy(restarted.address)) {
            FtProcesses.Result ls = FtProcesses.run(work, launch, "-s", restarted.address, "ls");
            assertThat(ls.exit()).as(ls.err()).isZero();
            assertThat(ls.out()).as("ft ls after the restart shows no partial").isEqualTo(replacing ? "big.bin\n" : "");
            assertThat(TestFiles.names(root)).as("the root after the restart").isEqualTo(expectedNames);

            FtProcesses.Result rerun =
                    FtProcesses.run(work, launch, "-s", counting.address(), "put", "--retries", "0", "big.bin");
            assertThat(rerun.exit()).as(rerun.err()).isZero();
            assertThat(rerun.out()).isEqualTo(newMd5 + "  big.bin\n");
            assertThat(rerun.err())
                    .as("the rerun continues from the kept partial")
                    .containsPattern("resuming at [^(\\n]+\\(" + held + " bytes\\)");
            assertThat(counting.bytes(UPSTREAM))
                    .as("bytes the rerun sent, %d held", held)
                    .isLessThan(SIZE - held + (1 << 20));
        }
        assertThat(TestData.md5Hex(root.resolve("big.bin"))).isEqualTo(newMd5);
        assertThat(TestFiles.names(root)).isEqualTo(List.of(".ft", "big.bin"));
        assertThat(TestFiles.names(partials))
                .as("partials left after the upload completed")
                .isEmpty();
    }

    /**
     * The download stalls at a known byte (the proxy holds the rest back), so the kill lands
     * mid-body at a predictable point. Moved here from FtCommandLineIT.
     */
    @Test
    void clientKilledMidDownloadKeepsOnlyItsPartialAndTheRerunResumesFromIt() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Path work = Files.createDirectories(tmp.resolve("work"));
        FtProcesses.Launch launch = FtProcesses.Launch.isolatedIn(tmp.resolve("home"));
        String md5 = TestData.md5Hex(TestData.randomFile(root.resolve("big.bin"), 32L << 20, 2));
        Path partial = work.resolve(".big.bin.ftpart");
        try (FtProcesses.Server server = new FtProcesses.Server(root, launch);
                FaultProxy proxy = new FaultProxy(server.address)) {
            proxy.enqueue(Faults.none().stallForeverAfter(DOWNSTREAM, 12L << 20));
            Process client = FtProcesses.start(work, launch, "-s", proxy.address(), "get", "big.bin");
            try {
                assertThat(proxy.awaitStall(Duration.ofSeconds(60)))
                        .as("the download reached the stall point")
                        .isTrue();
                // The client has the bytes once its write returns; wait (bounded) for the file to show them.
                await("the partial download holding what the proxy let through")
                        .atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(5))
                        .until(() -> TestFiles.size(partial) >= (12L << 20) - 4096);
                client.destroyForcibly();
                assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(client.exitValue()).as("ended by SIGKILL (128 + 9)").isEqualTo(137);
            } finally {
                client.destroyForcibly();
                client.waitFor(30, TimeUnit.SECONDS);
            }
            assertThat(work.resolve("big.bin")).doesNotExist();
            assertThat(work.resolve(".big.bin.ftpart.meta")).exists();
            long held = Files.size(partial);

            FtProcesses.Result rerun = FtProcesses.run(work, launch, "-s", server.address, "get", "big.bin");
            assertThat(rerun.exit()).as(rerun.err()).isZero();
            assertThat(rerun.err()).containsPattern("resuming at [^(\\n]+\\(" + held + " bytes\\)");
            assertThat(rerun.out()).isEqualTo(md5 + "  big.bin\n");
            assertThat(TestData.md5Hex(work.resolve("big.bin"))).isEqualTo(md5);
            assertThat(TestFiles.names(work))
                    .as("the partial and its meta are gone")
                    .containsExactlyInAnyOrder(".err", ".out", "big.bin");
        }
    }
}
