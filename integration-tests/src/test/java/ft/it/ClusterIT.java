package ft.it;

import static ft.testing.FaultProxy.Direction.DOWNSTREAM;
import static ft.testing.FaultProxy.Direction.UPSTREAM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ft.server.PemStore;
import ft.testing.FaultProxy;
import ft.testing.FaultProxy.Faults;
import ft.testing.S3ProxyServer;
import ft.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real {@code ft serve} processes on one store behind a real HAProxy, driven by the real
 * {@code ft} CLI: what a cluster promises. A transfer cut on one server resumes on another; a
 * server killed under load costs every client a retry, not a file; two uploads of one path
 * through two servers leave one whole version; one users file and one certificate serve a
 * client whichever server it lands on.
 *
 * <p>The servers share what {@link #store} returns; everything the tests assert is seen from
 * the client side (exit codes, output, bytes through a proxy, an MD5 of a download), so the
 * same tests hold whatever the store is.
 */
class ClusterIT {
    private static final long MIB = 1L << 20;
    /** Six 8 MiB parts: large enough that an S3 store's part logic decides how far a resume reaches. */
    private static final long SIZE = 48 * MIB;
    /**
     * Where the transfers are cut: past two thirds, so that a rerun starting over would send more
     * than 1.6 times the file (the bound the tests assert), and only a resume stays under it.
     */
    private static final long CUT = 2 * SIZE / 3;
    /** Pace of the transfer that is cut: 3 s for the whole file, so the cut lands mid-body. */
    private static final long RATE = 16 * MIB;

    private static final Pattern RESUMING = Pattern.compile("resuming at [^(\\n]+\\((\\d+) bytes\\)");

    @TempDir
    Path tmp;

    /** One S3Proxy for the class (started on first use); each test has a bucket of its own. */
    private static S3ProxyServer s3;

    private static int buckets;

    @AfterAll
    static void stopS3() throws IOException {
        if (s3 != null) {
            s3.close();
            // The fixture keeps its directory (its blobs: a few hundred MiB here); nobody needs them now.
            try (var all = Files.walk(s3.blobDirectory().getParent())) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** What every server serves. */
    private Cluster.Store store() throws Exception {
        return s3Bucket();
    }

    /** A new bucket on the class's S3Proxy, served under a prefix (as a shared bucket would be). */
    private static Cluster.Store s3Bucket() throws Exception {
        if (s3 == null) {
            s3 = S3ProxyServer.start();
        }
        String bucket = "ft-cluster-" + ++buckets;
        s3.createBucket(bucket);
        return Cluster.Store.s3(s3, bucket, "ft");
    }

    private FtProcesses.Launch launch() throws IOException {
        return FtProcesses.Launch.isolatedIn(tmp.resolve("home"));
    }

    @Test
    void putCutByKillingItsServerResumesOnAnotherServer() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        FtProcesses.Launch launch = launch();
        String md5 = TestData.md5Hex(TestData.randomFile(work.resolve("big.bin"), SIZE, 1));
        try (Cluster cluster = new Cluster(tmp.resolve("cluster"), 3, store(), launch, Haproxy.Balance.LEASTCONN);
                FaultProxy proxy = new FaultProxy(cluster.address())) {
            proxy.setDefault(Faults.none().throttle(UPSTREAM, RATE));
            Process client = FtProcesses.start(work, launch, "-s", proxy.address(), "put", "--retries", "0", "big.bin");
            int victim = killItsServerPastTwoThirds(cluster, proxy, UPSTREAM, client, work);
            long cutAt = proxy.bytes(UPSTREAM);

            proxy.setDefault(Faults.none());
            long[] before = cluster.haproxy.totals();
            // Retries: on a shared store the killed server's claim on the name (an S3 lease) makes
            // the others answer BUSY until it expires; the client waits that out.
            FtProcesses.Result rerun =
                    FtProcesses.run(work, launch, "-s", proxy.address(), "put", "--retries", "6", "big.bin");
            assertThat(rerun.exit()).as(rerun.err() + cluster.logs()).isZero();
            assertThat(rerun.out()).isEqualTo(md5 + "  big.bin\n");
            long resumedFrom = resumedFrom(rerun.err());
            assertThat(resumedFrom)
                    .as("the rerun resumed from what the killed server had kept")
                    .isPositive()
                    .isLessThanOrEqualTo(cutAt);
            assertLandedElsewhere(cluster, before, victim);
            assertThat(proxy.bytes(UPSTREAM))
                    .as("bytes sent by both runs (cut at %d, resumed at %d)", cutAt, resumedFrom)
                    .isLessThan((long) (1.6 * SIZE));

            assertThat(fetchMd5(cluster, launch, "big.bin"))
                    .as("the object, read back")
                    .isEqualTo(md5);
        }
    }

    @Test
    void getCutByKillingItsServerResumesOnAnotherServer() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path source = Files.createDirectories(tmp.resolve("source"));
        FtProcesses.Launch launch = launch();
        String md5 = TestData.md5Hex(TestData.randomFile(source.resolve("big.bin"), SIZE, 2));
        // Paced by the servers themselves (--max-rate), not by the proxy: a server sending faster
        // than its client reads fills the socket buffers on the way (about 20 MiB over two
        // loopback hops), and would have sent the whole file before the kill.
        try (Cluster cluster = new Cluster(
                        tmp.resolve("cluster"),
                        3,
                        store(),
                        launch,
                        Haproxy.Balance.LEASTCONN,
                        "--max-rate",
                        Long.toString(RATE));
                FaultProxy proxy = new FaultProxy(cluster.address())) {
            FtProcesses.Result put = FtProcesses.run(source, launch, "-s", cluster.address(), "put", "big.bin");
            assertThat(put.exit()).as(put.err()).isZero();

            Process client = FtProcesses.start(work, launch, "-s", proxy.address(), "get", "--retries", "0", "big.bin");
            int victim = killItsServerPastTwoThirds(cluster, proxy, DOWNSTREAM, client, work);
            assertThat(work.resolve("big.bin"))
                    .as("nothing unverified takes the final name")
                    .doesNotExist();
            long held = TestFiles.size(work.resolve(".big.bin.ftpart"));
            assertThat(held).as("bytes the client kept").isPositive();

            proxy.setDefault(Faults.none());
            long[] before = cluster.haproxy.totals();
            FtProcesses.Result rerun =
                    FtProcesses.run(work, launch, "-s", proxy.address(), "get", "--retries", "0", "big.bin");
            assertThat(rerun.exit()).as(rerun.err() + cluster.logs()).isZero();
            assertThat(rerun.out()).isEqualTo(md5 + "  big.bin\n");
            assertThat(resumedFrom(rerun.err()))
                    .as("the rerun resumed from the partial")
                    .isEqualTo(held);
            assertLandedElsewhere(cluster, before, victim);
            assertThat(proxy.bytes(DOWNSTREAM))
                    .as("bytes received by both runs (%d held)", held)
                    .isLessThan((long) (1.6 * SIZE));
            assertThat(TestData.md5Hex(work.resolve("big.bin"))).isEqualTo(md5);
        }
    }

    @Test
    void serverKilledUnderAHundredConcurrentTransfersCostsRetriesNotFiles() throws Exception {
        // Four ft processes with -j 25 each: 100 transfers at once, each on its own connection
        // (100 client JVMs would be more than two cores can start while the load runs). Two
        // download 25 files each, two upload 25 files each (two of them multipart-sized).
        SplittableRandom random = new SplittableRandom(16);
        Path seedRoot = tmp.resolve("seed");
        Path seed = Files.createDirectories(seedRoot.resolve("down"));
        Map<String, String> expected = new LinkedHashMap<>();
        List<Path> workers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            workers.add(Files.createDirectories(tmp.resolve("w" + w)));
        }
        for (int i = 0; i < 50; i++) {
            long size = random.nextLong(MIB, 2 * MIB);
            expected.put(
                    "down/g" + i + ".bin",
                    TestData.md5Hex(TestData.randomFile(seed.resolve("g" + i + ".bin"), size, i)));
        }
        for (int w = 2; w < 4; w++) {
            for (int i = 0; i < 25; i++) {
                long size = i < 2 ? 20 * MIB : random.nextLong(MIB, 2 * MIB);
                String name = "p" + w + "-" + i + ".bin";
                expected.put(
                        "up/" + name,
                        TestData.md5Hex(TestData.randomFile(workers.get(w).resolve(name), size, 100 + 25L * w + i)));
            }
        }
        FtProcesses.Launch launch = launch();
        try (Cluster cluster = new Cluster(
                tmp.resolve("cluster"),
                3,
                store(),
                launch,
                Haproxy.Balance.LEASTCONN,
                // Behind the balancer every client comes from 127.0.0.1: 100 connections over
                // two surviving servers exceed the default cap of 64 per address.
                "--max-per-address",
                "200")) {
            FtProcesses.Result seeded =
                    FtProcesses.run(seedRoot, launch, "-s", cluster.address(), "put", "-j", "8", "-r", "down");
            assertThat(seeded.exit()).as(seeded.err()).isZero();

            List<Process> processes = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int w = 0; w < 4; w++) {
                List<String> args = new ArrayList<>(List.of(
                        "-s",
                        cluster.address(),
                        w < 2 ? "get" : "put",
                        "-j",
                        "25",
                        "--retries",
                        "6",
                        "--json",
                        "--limit-rate",
                        "6M"));
                if (w < 2) {
                    for (int i = 25 * w; i < 25 * (w + 1); i++) {
                        args.add("down/g" + i + ".bin");
                    }
                    args.addAll(List.of("-o", "got/"));
                } else {
                    args.addAll(List.of("-t", "up/"));
                    for (int i = 0; i < 25; i++) {
                        args.add("p" + w + "-" + i + ".bin");
                    }
                }
                processes.add(FtProcesses.start(workers.get(w), launch, args.toArray(String[]::new)));
            }
            int victim;
            double killedAt;
            List<Haproxy.ServerStat> atKill;
            try {
                // Paced (6 MiB/s per process) so that every transfer is still under way when
                // all 100 connections are open: the kill then lands on a third of them.
                await("100 connections open at the balancer")
                        .atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(10))
                        .until(() -> cluster.haproxy.frontendConnections() >= 100
                                || processes.stream().noneMatch(Process::isAlive));
                assertThat(cluster.haproxy.frontendConnections())
                        .as("connections at once at the balancer")
                        .isGreaterThanOrEqualTo(100);
                // ... and a few MiB into their bodies, so that a resume has something to resume.
                long opened = cluster.haproxy.frontendBytes();
                await("the transfers under way")
                        .atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(10))
                        .until(() -> cluster.haproxy.frontendBytes() - opened > 24 * MIB
                                || processes.stream().noneMatch(Process::isAlive));
                List<Haproxy.ServerStat> servers = cluster.haproxy.servers();
                victim = 0;
                for (int i = 1; i < servers.size(); i++) {
                    if (servers.get(i).current() > servers.get(victim).current()) {
                        victim = i;
                    }
                }
                assertThat(servers.get(victim).current())
                        .as("connections on the server to be killed: %s", servers)
                        .isPositive();
                atKill = servers;
                killedAt = (System.nanoTime() - t0) / 1e9;
                cluster.kill(victim);
                for (Process p : processes) {
                    assertThat(p.waitFor(150, TimeUnit.SECONDS))
                            .as("a client finished")
                            .isTrue();
                }
            } finally {
                for (Process p : processes) {
                    p.destroyForcibly();
                    p.waitFor(30, TimeUnit.SECONDS);
                }
            }

            int retried = 0;
            int resumed = 0;
            for (int w = 0; w < 4; w++) {
                Path dir = workers.get(w);
                String out = Files.readString(dir.resolve(".out"));
                String err = Files.readString(dir.resolve(".err"));
                assertThat(processes.get(w).exitValue())
                        .as("worker %d\nstderr: %s\nstdout: %s", w, err, out)
                        .isZero();
                List<Map<String, Object>> lines = JsonLines.parse(out);
                assertThat(lines).as("worker %d: one line per file", w).hasSize(25);
                for (Map<String, Object> line : lines) {
                    // "unchanged": the server had completed the upload when it was killed, before
                    // its answer left; the retry found the same size and MD5 there.
                    assertThat(line.get("status")).as("%s", line).isIn("ok", "unchanged");
                    String remote = (String) line.get("remote");
                    assertThat(line.get("md5")).as("%s", line).isEqualTo(expected.get(remote));
                    if (w < 2) {
                        assertThat(TestData.md5Hex(dir.resolve((String) line.get("local"))))
                                .as("MD5 of the downloaded %s", remote)
                                .isEqualTo(expected.get(remote));
                    }
                    if (((Number) line.get("resumed_from")).longValue() > 0) {
                        resumed++;
                    }
                }
                retried += countMatches(err, "retrying in ");
            }
            assertThat(retried).as("retries after the kill of s%d", victim).isPositive();
            // How many of the retried transfers resumed (rather than started over) depends on where
            // the kill caught them: an S3 store keeps nothing of an upload of up to one part, and
            // whole parts only of a larger one. Resuming on another server is asserted, at a known
            // byte, by the two tests above; here it is only reported.

            // The killed server, started again, rejoins; the uploads are read back through the
            // balancer, eight at a time, so that all three servers (the restarted one too, which
            // holds nothing of its own) serve some of them.
            cluster.restart(victim);
            long[] before = cluster.haproxy.totals();
            Path check = Files.createDirectories(tmp.resolve("check"));
            FtProcesses.Result back = FtProcesses.run(
                    check, launch, "-s", cluster.address(), "get", "-j", "8", "-r", "up", "-o", "back/");
            assertThat(back.exit()).as(back.err()).isZero();
            assertThat(cluster.haproxy.totals()[victim] - before[victim])
                    .as("connections the restarted s%d served", victim)
                    .isPositive();
            for (Map.Entry<String, String> e : expected.entrySet()) {
                if (e.getKey().startsWith("up/")) {
                    assertThat(TestData.md5Hex(check.resolve("back").resolve(e.getKey())))
                            .as("MD5 of the uploaded %s", e.getKey())
                            .isEqualTo(e.getValue());
                }
            }
            System.out.printf(
                    "CLUSTER LOAD: s%d killed %.1f s after the start (backends then: %s); %d retries, %d transfers resumed%n",
                    victim, killedAt, atKill, retried, resumed);
        }
    }

    @Test
    void twoPutsOfOnePathThroughTwoServersLeaveOneWholeVersion() throws Exception {
        Path a = Files.createDirectories(tmp.resolve("a"));
        Path b = Files.createDirectories(tmp.resolve("b"));
        FtProcesses.Launch launch = launch();
        String md5A = TestData.md5Hex(TestData.randomFile(a.resolve("race.bin"), SIZE, 3));
        String md5B = TestData.md5Hex(TestData.randomFile(b.resolve("race.bin"), SIZE, 4));
        Cluster.Store store = store();
        try (Cluster cluster = new Cluster(tmp.resolve("cluster"), 3, store, launch, Haproxy.Balance.ROUNDROBIN);
                FaultProxy proxy = new FaultProxy(cluster.address())) {
            // Both uploads paced, so that they overlap for seconds.
            proxy.setDefault(Faults.none().throttle(UPSTREAM, RATE));
            Process first = FtProcesses.start(a, launch, "-s", proxy.address(), "put", "--retries", "6", "race.bin");
            Process second = null;
            try {
                await("the first upload under way")
                        .atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(5))
                        .until(() -> proxy.bytes(UPSTREAM) > 4 * MIB || !first.isAlive());
                assertThat(first.isAlive())
                        .as(Files.readString(a.resolve(".err")))
                        .isTrue();
                int firstServer = cluster.haproxy.busyServer();
                long[] before = cluster.haproxy.totals();
                second = FtProcesses.start(b, launch, "-s", proxy.address(), "put", "--retries", "6", "race.bin");
                // Round robin sends the second connection to the next server in turn.
                await("the second upload connected to another server")
                        .atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(5))
                        .until(() -> otherServerTookOne(cluster, before, firstServer));
                assertThat(first.isAlive())
                        .as("the first upload still running when the second arrived")
                        .isTrue();
                assertThat(first.waitFor(120, TimeUnit.SECONDS)).isTrue();
                assertThat(second.waitFor(120, TimeUnit.SECONDS)).isTrue();
            } finally {
                first.destroyForcibly();
                first.waitFor(30, TimeUnit.SECONDS);
                if (second != null) {
                    second.destroyForcibly();
                    second.waitFor(30, TimeUnit.SECONDS);
                }
            }
            String errA = Files.readString(a.resolve(".err"));
            String errB = Files.readString(b.resolve(".err"));
            // Each either succeeded (perhaps after BUSY and a retry) or failed cleanly with a code.
            for (var c : List.of(List.of(first, errA, "first"), List.of(second, errB, "second"))) {
                Process p = (Process) c.get(0);
                String err = (String) c.get(1);
                if (p.exitValue() != 0) {
                    assertThat(err).as("the %s upload failed cleanly", c.get(2)).containsPattern("\\(BUSY\\)");
                }
            }
            assertThat(first.exitValue() == 0 || second.exitValue() == 0)
                    .as("at least one upload succeeded: %s / %s", errA, errB)
                    .isTrue();
            if (store.crossServerLocks()) {
                assertThat(errA + errB)
                        .as("one upload was told another is in progress (BUSY)")
                        .contains("the server is busy");
            }
            String result = fetchMd5(cluster, launch, "race.bin");
            assertThat(result)
                    .as("one whole version: the first's or the second's")
                    .isIn(md5A, md5B);
        }
    }

    @Test
    void oneUsersFileAndOneCertificateServeAClientWhicheverServerItLandsOn() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        FtProcesses.Launch launch = launch();
        Path users = tmp.resolve("users.jsonl");
        FtProcesses.Result add = FtProcesses.run(work, launch, "user", "add", "alice", "--users", users.toString());
        assertThat(add.exit()).as(add.err()).isZero();
        String token = add.out().strip();
        // One certificate and key, deployed to every server (as an operator copies them).
        Path tlsState = tmp.resolve("tls-state");
        String fingerprint = PemStore.loadOrCreate(tlsState).fingerprint();
        Path cert = tlsState.resolve(PemStore.DIR).resolve(PemStore.CERT_FILE);
        Path key = tlsState.resolve(PemStore.DIR).resolve(PemStore.KEY_FILE);

        try (Cluster cluster = new Cluster(
                tmp.resolve("cluster"),
                3,
                store(),
                launch,
                Haproxy.Balance.ROUNDROBIN,
                "--users",
                users.toString(),
                "--cert",
                cert.toString(),
                "--key",
                key.toString())) {
            String server = "tls://" + cluster.address();
            FtProcesses.Result login =
                    FtProcesses.run(work, launch.withEnv("FT_TOKEN", token), "login", "-s", server, "--trust");
            assertThat(login.exit()).as(login.err()).isZero();
            assertThat(Files.readString(tmp.resolve("home/.config/ft/known_servers")))
                    .as("the pinned certificate")
                    .contains(fingerprint);

            long[] before = cluster.haproxy.totals();
            Files.writeString(work.resolve("a.txt"), "through any server\n");
            String md5 = TestData.md5Hex(work.resolve("a.txt"));
            // Round robin: six commands, two on each server.
            for (int i = 0; i < 2 * cluster.size(); i++) {
                FtProcesses.Result r = i % 2 == 0
                        ? FtProcesses.run(work, launch, "-s", server, "put", "a.txt", "a" + i + ".txt")
                        : FtProcesses.run(
                                work, launch, "-s", server, "get", "a" + (i - 1) + ".txt", "-o", "b" + i + ".txt");
                assertThat(r.exit()).as("command %d: %s", i, r.err()).isZero();
                assertThat(r.out()).startsWith(md5 + "  ");
            }
            long[] after = cluster.haproxy.totals();
            for (int i = 0; i < cluster.size(); i++) {
                assertThat(after[i] - before[i])
                        .as("connections s%d served (%s -> %s)", i, List.of(before), List.of(after))
                        .isPositive();
            }

            FtProcesses.Launch stranger = FtProcesses.Launch.isolatedIn(tmp.resolve("stranger"));
            FtProcesses.Result refused = FtProcesses.run(work, stranger, "-s", server, "--trust", "ls");
            assertThat(refused.exit()).as(refused.err()).isEqualTo(7);
            assertThat(refused.err()).contains("(UNAUTHORIZED)");
        }
    }

    private static boolean otherServerTookOne(Cluster cluster, long[] before, int except) throws IOException {
        long[] now = cluster.haproxy.totals();
        for (int i = 0; i < now.length; i++) {
            if (i != except && now[i] > before[i]) {
                return true;
            }
        }
        return false;
    }

    /** The rerun's connections went to servers other than the killed one, and to at least one. */
    private static void assertLandedElsewhere(Cluster cluster, long[] before, int victim) throws IOException {
        long[] after = cluster.haproxy.totals();
        long elsewhere = 0;
        for (int i = 0; i < after.length; i++) {
            if (i != victim) {
                elsewhere += after[i] - before[i];
            }
        }
        assertThat(after[victim] - before[victim])
                .as("connections to the killed s%d", victim)
                .isZero();
        assertThat(elsewhere).as("connections to the other servers").isPositive();
    }

    private static long resumedFrom(String err) {
        Matcher m = RESUMING.matcher(err);
        assertThat(m.find()).as("a resume note in: %s", err).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static int countMatches(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    /** Downloads {@code remote} through the balancer into a fresh directory; its MD5. */
    private String fetchMd5(Cluster cluster, FtProcesses.Launch launch, String remote) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "fetch");
        FtProcesses.Result r = FtProcesses.run(dir, launch, "-s", cluster.address(), "get", remote, "-o", "copy");
        assertThat(r.exit()).as(r.err()).isZero();
        return TestData.md5Hex(dir.resolve("copy"));
    }

    /**
     * Once two thirds of the file have passed {@code proxy} in {@code direction}, kills the server
     * that holds the client's connection (SIGKILL) and checks that the client ended with
     * CONNECTION_LOST (exit 3); returns that server's index.
     */
    private static int killItsServerPastTwoThirds(
            Cluster cluster, FaultProxy proxy, FaultProxy.Direction direction, Process client, Path work)
            throws Exception {
        try {
            await("two thirds of the transfer passed the balancer")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> proxy.bytes(direction) > CUT || !client.isAlive());
            assertThat(client.isAlive())
                    .as("the transfer is still running; stderr: %s", Files.readString(work.resolve(".err")))
                    .isTrue();
            int victim = cluster.haproxy.busyServer();
            cluster.kill(victim);
            assertThat(client.waitFor(60, TimeUnit.SECONDS))
                    .as("the client noticed its server died")
                    .isTrue();
            String err = Files.readString(work.resolve(".err"));
            assertThat(client.exitValue()).as(err).isEqualTo(3);
            assertThat(err).contains("(CONNECTION_LOST)");
            return victim;
        } finally {
            client.destroyForcibly();
            client.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
