package ft.it;

import static ft.testing.FaultProxy.Direction.DOWNSTREAM;
import static ft.testing.FaultProxy.Direction.UPSTREAM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ft.testing.FaultProxy;
import ft.testing.FaultProxy.Faults;
import ft.testing.FaultProxy.Kind;
import ft.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The packaged server and CLI as processes, talking through a {@link FaultProxy} that breaks
 * the network on purpose: connections cut mid-body, a flipped byte, a server gone silent or
 * no longer accepting an upload.
 * Clients run with {@code --retries 0} so every interruption ends the command; rerunning the
 * same command must then resume, and every file must end intact or not at all.
 *
 * <p>Cut points are drawn from a seeded {@link Random}; the seed is in every assertion
 * message, and {@code -Dft.it.seed=N} repeats a run.
 */
class FaultIT {
    private static final long MIB = 1L << 20;
    private static final long BIG = 256 * MIB;
    private static final long MEDIUM = 32 * MIB;
    private static final int CUTS = 5;
    /** More than any connection's frames before its body (hello, request and answer headers). */
    private static final long HEADERS = 4096;

    private static final long SEED = Long.getLong("ft.it.seed", System.nanoTime());

    @TempDir
    Path tmp;

    private Path root;
    private Path work;
    private FtProcesses.Launch launch;

    @BeforeEach
    void dirs() throws Exception {
        root = Files.createDirectories(tmp.resolve("root"));
        work = Files.createDirectories(tmp.resolve("work"));
        launch = FtProcesses.Launch.isolatedIn(tmp.resolve("home"));
    }

    /**
     * What every run of a cut transfer of {@code big.bin} must show: a rerun says where it
     * resumes; a cut run exits 3 saying how to go on; the last run exits 0 with the MD5.
     *
     * @return whether this was the last, successful run
     */
    private static boolean assertRerun(String verb, FtProcesses.Result r, int run, long held, String md5, String what) {
        if (run == 0) {
            assertThat(r.err()).as(what).doesNotContain("resuming");
        } else {
            assertThat(r.err()).as(what).containsPattern("ft: resuming at [^(\\n]+\\(" + held + " bytes\\) of ");
        }
        if (run == CUTS) {
            assertThat(r.exit()).as(what).isZero();
            assertThat(r.out()).as(what).isEqualTo(md5 + "  big.bin\n");
            return true;
        }
        assertThat(r.exit()).as(what).isEqualTo(3);
        assertThat(r.out()).as(what).isEmpty();
        assertThat(r.err())
                .as(what)
                .containsPattern(
                        "ft: " + verb
                                + " big\\.bin: connection to \\S+ lost.*; rerun the same command to resume \\(CONNECTION_LOST\\)\n$");
        return false;
    }

    /** Five cut points, each 10–45 MiB into its connection: together always short of the file. */
    private static long[] cutPoints(Random random) {
        long[] cuts = new long[CUTS];
        for (int i = 0; i < CUTS; i++) {
            cuts[i] = 10 * MIB + random.nextLong(35 * MIB + 1);
        }
        return cuts;
    }

    @Test
    void downloadCutFiveTimesResumesOnEachRerunAndArrivesIntactMovingUnderOneAndAHalfTimesItsSize() throws Exception {
        String md5 = TestData.md5Hex(TestData.randomFile(root.resolve("big.bin"), BIG, 11));
        long[] cuts = cutPoints(new Random(SEED));
        String context = "seed " + SEED + ", downstream cuts " + Arrays.toString(cuts);
        Path partial = work.resolve(".big.bin.ftpart");

        try (FtProcesses.Server server = new FtProcesses.Server(root, launch);
                FaultProxy proxy = new FaultProxy(server.address)) {
            for (long cut : cuts) {
                proxy.enqueue(Faults.none().cutAfter(DOWNSTREAM, cut));
            }
            long held = 0;
            for (int run = 0; run <= CUTS; run++) {
                FtProcesses.Result r =
                        FtProcesses.run(work, launch, "-s", proxy.address(), "get", "--retries", "0", "big.bin");
                String what = context + ", run " + (run + 1) + ", stderr: " + r.err();
                if (assertRerun("get", r, run, held, md5, what)) {
                    break;
                }
                assertThat(work.resolve("big.bin")).as(what).doesNotExist();
                long now = TestFiles.size(partial);
                // Everything that came through before the cut is kept, nothing more.
                assertThat(now - held)
                        .as("bytes kept by run %d; %s", run + 1, what)
                        .isBetween(cuts[run] - HEADERS, cuts[run]);
                held = now;
            }
            assertThat(proxy.fired(Kind.CUT)).as(context).isEqualTo(CUTS);
            assertThat(proxy.connections()).as(context).isEqualTo(CUTS + 1);
            assertThat(proxy.bytes(DOWNSTREAM))
                    .as("bytes moved downstream for a %d-byte file; %s", BIG, context)
                    .isGreaterThan(BIG)
                    .isLessThan(BIG + BIG / 2);
        }
        assertThat(TestData.md5Hex(work.resolve("big.bin"))).as(context).isEqualTo(md5);
        assertThat(TestFiles.names(work))
                .as("partial and meta gone; %s", context)
                .containsExactlyInAnyOrder(".err", ".out", "big.bin");
    }

    @Test
    void uploadCutFiveTimesResumesOnEachRerunAndArrivesIntactMovingUnderOneAndAHalfTimesItsSize() throws Exception {
        String md5 = TestData.md5Hex(TestData.randomFile(work.resolve("big.bin"), BIG, 12));
        long[] cuts = cutPoints(new Random(SEED + 1));
        String context = "seed " + SEED + ", upstream cuts " + Arrays.toString(cuts);
        Path partials = root.resolve(".ft/partials");

        try (FtProcesses.Server server = new FtProcesses.Server(root, launch);
                FaultProxy proxy = new FaultProxy(server.address)) {
            for (long cut : cuts) {
                proxy.enqueue(Faults.none().cutAfter(UPSTREAM, cut));
            }
            long held = 0;
            for (int run = 0; run <= CUTS; run++) {
                FtProcesses.Result r =
                        FtProcesses.run(work, launch, "-s", proxy.address(), "put", "--retries", "0", "big.bin");
                String what = context + ", run " + (run + 1) + ", stderr: " + r.err();
                if (assertRerun("put", r, run, held, md5, what)) {
                    break;
                }
                // The server reads what the proxy passed before the cut at its own pace: wait for it.
                long before = held;
                long expectedAtLeast = held + cuts[run] - HEADERS;
                await("the server keeping the bytes of run " + (run + 1) + "; " + what)
                        .atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(5))
                        .until(() -> TestFiles.largestPart(partials) >= expectedAtLeast);
                held = TestFiles.largestPart(partials);
                assertThat(held - before)
                        .as("bytes kept from run %d; %s", run + 1, what)
                        .isBetween(cuts[run] - HEADERS, cuts[run]);
                if (run == 0) {
                    FtProcesses.Result ls = FtProcesses.run(work, launch, "-s", server.address, "ls");
                    assertThat(ls.exit()).as(ls.err()).isZero();
                    assertThat(ls.out())
                            .as("ft ls during an interrupted upload; %s", context)
                            .isEmpty();
                    assertThat(TestFiles.names(root)).as(context).containsExactly(".ft");
                }
            }
            assertThat(proxy.fired(Kind.CUT)).as(context).isEqualTo(CUTS);
            assertThat(proxy.bytes(UPSTREAM))
                    .as("bytes moved upstream for a %d-byte file; %s", BIG, context)
                    .isGreaterThan(BIG)
                    .isLessThan(BIG + BIG / 2);

            FtProcesses.Result ls = FtProcesses.run(work, launch, "-s", server.address, "ls");
            assertThat(ls.exit()).as(ls.err()).isZero();
            assertThat(ls.out()).as("ft ls after the upload; %s", context).isEqualTo("big.bin\n");
        }
        assertThat(TestData.md5Hex(root.resolve("big.bin"))).as(context).isEqualTo(md5);
        assertThat(TestFiles.names(root)).as(context).containsExactly(".ft", "big.bin");
        assertThat(TestFiles.names(partials)).as("partials left; %s", context).isEmpty();
    }

    @ParameterizedTest(name = "over an older copy: {0}")
    @ValueSource(booleans = {false, true})
    void byteFlippedInADownloadExitsFiveKeepsNothingAndACleanRerunArrivesIntact(boolean overOldCopy) throws Exception {
        String md5 = TestData.md5Hex(TestData.randomFile(root.resolve("big.bin"), MEDIUM, 21));
        String oldMd5 = overOldCopy ? TestData.md5Hex(TestData.randomFile(work.resolve("big.bin"), MIB, 22)) : null;
        long flipAt = 5 * MIB + new Random(SEED).nextLong(20 * MIB);
        String context = "seed " + SEED + ", flip downstream at " + flipAt;

        try (FtProcesses.Server server = new FtProcesses.Server(root, launch);
                FaultProxy proxy = new FaultProxy(server.address)) {
            proxy.enqueue(Faults.none().flipAt(DOWNSTREAM, flipAt));
            FtProcesses.Result damaged =
                    FtProcesses.run(work, launch, "-s", proxy.address(), "get", "--retries", "0", "big.bin");
            String what = context + ", stderr: " + damaged.err();
            assertThat(proxy.fired(Kind.FLIP)).as(what).isEqualTo(1);
            assertThat(damaged.exit()).as(what).isEqualTo(5);
            assertThat(damaged.out()).as(what).isEmpty();
            assertThat(damaged.err())
                    .as(what)
                    .containsPattern("ft: get big\\.bin: .*download was discarded \\(CHECKSUM_MISMATCH\\)\n$");
            // No partial a rerun could resume from, and the old copy (if any) untouched.
            assertThat(TestFiles.names(work))
                    .as(what)
                    .containsExactlyInAnyOrderElementsOf(
                            overOldCopy ? List.of(".err", ".out", "big.bin") : List.of(".err", ".out"));
            if (overOldCopy) {
                assertThat(TestData.md5Hex(work.resolve("big.bin"))).as(what).isEqualTo(oldMd5);
            }

            FtProcesses.Result clean =
                    FtProcesses.run(work, launch, "-s", proxy.address(), "get", "--retries", "0", "big.bin");
            assertThat(clean.exit()).as(context + ", stderr: " + clean.err()).isZero();
            assertThat(clean.err()).as(context).doesNotContain("resuming");
            assertThat(clean.out()).as(context).isEqualTo(md5 + "  big.bin\n");
            assertThat(proxy.fired(Kind.FLIP)).as(context).isEqualTo(1);
        }
        assertThat(TestData.md5Hex(work.resolve("big.bin"))).as(context).isEqualTo(md5);
    }

    @ParameterizedTest(name = "replacing an older version: {0}")
    @ValueSource(booleans = {false, true})
    void byteFlippedInAnUploadExitsFiveStoresNothingAndACleanRerunArrivesIntact(boolean replacing) throws Exception {
        String md5 = TestData.md5Hex(TestData.randomFile(work.resolve("big.bin"), MEDIUM, 31));
        String oldMd5 = replacing ? TestData.md5Hex(TestData.randomFile(root.resolve("big.bin"), MIB, 32)) : null;
        long flipAt = 5 * MIB + new Random(SEED + 2).nextLong(20 * MIB);
        String context = "seed " + SEED + ", flip upstream at " + flipAt;
        Path partials = root.resolve(".ft/partials");

        try (FtProcesses.Server server = new FtProcesses.Server(root, launch);
                FaultProxy proxy = new FaultProxy(server.address)) {
            proxy.enqueue(Faults.none().flipAt(UPSTREAM, flipAt));
            FtProcesses.Result damaged =
                    FtProcesses.run(work, launch, "-s", proxy.address(), "put", "--retries", "0", "big.bin");
            String what = context + ", stderr: " + damaged.err();
            assertThat(proxy.fired(Kind.FLIP)).as(what).isEqualTo(1);
            assertThat(damaged.exit()).as(what).isEqualTo(5);
            assertThat(damaged.out()).as(what).isEmpty();
            assertThat(damaged.err())
                    .as(what)
                    .containsPattern("ft: put big\\.bin: .*nothing was stored \\(CHECKSUM_MISMATCH\\)\n$");
            assertThat(TestFiles.names(root))
                    .as(what)
                    .isEqualTo(replacing ? List.of(".ft", "big.bin") : List.of(".ft"));
            if (replacing) {
                assertThat(TestData.md5Hex(root.resolve("big.bin")))
                        .as("the old version; %s", what)
                        .isEqualTo(oldMd5);
            }
            assertThat(TestFiles.names(partials))
                    .as("damaged bytes kept for a resume; %s", what)
                    .isEmpty();

            FtProcesses.Result clean =
                    FtProcesses.run(work, launch, "-s", proxy.address(), "put", "--retries", "0", "big.bin");
            assertThat(clean.exit()).as(context + ", stderr: " + clean.err()).isZero();
            assertThat(clean.err()).as(context).doesNotContain("resuming");
            assertThat(clean.out()).as(context).isEqualTo(md5 + "  big.bin\n");
        }
        assertThat(TestData.md5Hex(root.resolve("big.bin"))).as(context).isEqualTo(md5);
    }

    @Test
    void serverGoneSilentMidDownloadMakesTheClientExitThreeAfterItsTimeoutAndTheRerunResumes() throws Exception {
        String md5 = TestData.md5Hex(TestData.randomFile(root.resolve("big.bin"), MEDIUM, 41));
        long stallAt = 8 * MIB;
        Path partial = work.resolve(".big.bin.ftpart");

        try (FtProcesses.Server server = new FtProcesses.Server(root, launch);
                FaultProxy proxy = new FaultProxy(server.address)) {
            proxy.enqueue(Faults.none().stallAfter(DOWNSTREAM, stallAt, Duration.ofMinutes(2)));
            String what = timesOutOnTheStall(proxy, "get", "sent nothing");
            assertThat(work.resolve("big.bin")).doesNotExist();
            long held = TestFiles.size(partial);
            assertThat(held).as(what).isBetween(stallAt - HEADERS, stallAt);

            rerunResumes(proxy, "get", DOWNSTREAM, held, md5);
        }
        assertThat(TestData.md5Hex(work.resolve("big.bin"))).isEqualTo(md5);
        assertThat(TestFiles.names(work)).containsExactlyInAnyOrder(".err", ".out", "big.bin");
    }

    @Test
    void serverThatStopsAcceptingAnUploadMakesTheClientExitThreeAfterItsTimeoutAndTheRerunResumes() throws Exception {
        String md5 = TestData.md5Hex(TestData.randomFile(work.resolve("big.bin"), MEDIUM, 42));
        long stallAt = 8 * MIB;
        Path partials = root.resolve(".ft/partials");

        try (FtProcesses.Server server = new FtProcesses.Server(root, launch);
                FaultProxy proxy = new FaultProxy(server.address)) {
            proxy.enqueue(Faults.none().stallAfter(UPSTREAM, stallAt, Duration.ofMinutes(2)));
            String what = timesOutOnTheStall(proxy, "put", "accepted no bytes");
            assertThat(TestFiles.names(root)).as(what).containsExactly(".ft");
            // Like a real dead link, the stall hides the client's exit from the server, which
            // holds the upload until a rerun of the same file takes it over (after 5 s without a
            // byte) or its idle timeout; reset the link so the rerun here is not answered BUSY.
            proxy.disconnectAll();
            await("the server keeping the bytes that got through; " + what)
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> TestFiles.largestPart(partials) >= stallAt - HEADERS);
            long held = TestFiles.largestPart(partials);
            assertThat(held).as(what).isBetween(stallAt - HEADERS, stallAt);

            rerunResumes(proxy, "put", UPSTREAM, held, md5);
        }
        assertThat(TestData.md5Hex(root.resolve("big.bin"))).isEqualTo(md5);
        assertThat(TestFiles.names(partials)).isEmpty();
    }

    /**
     * Runs {@code ft --timeout 2 OP big.bin} through {@code proxy}, whose first connection
     * stalls: the client must give up after its timeout with exit 3, saying the peer
     * {@code complaint} for 2 s and that a rerun resumes. Returns what to tell in later failures.
     */
    private String timesOutOnTheStall(FaultProxy proxy, String op, String complaint) throws Exception {
        long t0 = System.nanoTime();
        FtProcesses.Result stalled =
                FtProcesses.run(work, launch, "-s", proxy.address(), "--timeout", "2", op, "--retries", "0", "big.bin");
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        String what = "after " + seconds + " s, stderr: " + stalled.err();
        assertThat(proxy.fired(Kind.STALL)).as(what).isEqualTo(1);
        assertThat(stalled.exit()).as(what).isEqualTo(3);
        assertThat(stalled.err())
                .as(what)
                .containsPattern("ft: " + op + " big\\.bin: \\S+ " + complaint
                        + " for 2 s .*; rerun the same command to resume \\(TIMEOUT\\)\n$");
        assertThat(seconds).as("waited for the timeout, then gave up; " + what).isBetween(2L, 30L);
        return what;
    }

    /**
     * Reruns {@code ft OP big.bin} through {@code proxy}: it must resume at {@code held} bytes,
     * end with {@code md5}, and move little more than what was missing in {@code direction}.
     */
    private void rerunResumes(FaultProxy proxy, String op, FaultProxy.Direction direction, long held, String md5)
            throws Exception {
        long before = proxy.bytes(direction);
        FtProcesses.Result rerun =
                FtProcesses.run(work, launch, "-s", proxy.address(), "--timeout", "2", op, "--retries", "0", "big.bin");
        assertThat(rerun.exit()).as(rerun.err()).isZero();
        assertThat(rerun.err()).containsPattern("ft: resuming at [^(\\n]+\\(" + held + " bytes\\) of ");
        assertThat(rerun.out()).isEqualTo(md5 + "  big.bin\n");
        assertThat(proxy.bytes(direction) - before)
                .as("bytes the rerun moved, %d held", held)
                .isLessThan(MEDIUM - held + HEADERS);
    }
}
