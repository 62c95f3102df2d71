package ft.it;

import static org.assertj.core.api.Assertions.assertThat;

import ft.testing.FaultProxy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code kill -TERM} / {@code kill -INT} on a serving {@code ft serve} (issue 4, point 5), with
 * the packaged jar as real processes: the server closes idle connections at once, stops
 * listening and exits 0.
 * A download in flight (slowed by a throttling {@link FaultProxy}) finishes, verified, after the
 * signal, while new connections are refused. An upload in flight is not covered here.
 */
class GracefulStopIT {
    /** ft serve's default --grace. */
    private static final long GRACE_SECONDS = 30;
    private static final long SIZE = 64L << 20;
    private static final long RATE = 12L << 20;
    private static final long SIGNAL_AFTER = 8L << 20;

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"TERM", "INT"})
    void signalOnAServerWithAnIdleClientClosesItAndExitsZeroAtOnce(String signal) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        FtProcesses.Launch launch = FtProcesses.Launch.isolatedIn(tmp.resolve("home"));
        try (FtProcesses.Server server = new FtProcesses.Server(root, launch)) {
            InetSocketAddress address = socketAddress(server.address);
            try (Socket idle = new Socket()) {
                idle.connect(address, 5_000);
                idle.setSoTimeout(10_000);
                InputStream in = hello(idle);

                long signalled = System.nanoTime();
                send(server.process, signal);
                assertThat(server.process.waitFor(GRACE_SECONDS + 10, TimeUnit.SECONDS))
                        .as("the server exited").isTrue();
                assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - signalled))
                        .as("an idle connection is closed at once, not waited for").isLessThan(10);
                assertThat(server.process.exitValue()).as("exit code after SIG" + signal).isZero();
                assertThat(in.read()).as("the idle connection was closed by the server").isEqualTo(-1);
            }
            assertThat(refused(address)).as("nothing listens after the stop").isTrue();
        }
    }

    // ------------------------------------------------------------------ helpers

    /** SIGTERM through {@link Process#destroy()} (what it sends on Linux); others through kill(1). */
    private static void send(Process process, String signal) throws IOException, InterruptedException {
        if (signal.equals("TERM")) {
            process.destroy();
            return;
        }
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .redirectErrorStream(true).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).as("kill finished").isTrue();
        assertThat(kill.exitValue()).as(new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isZero();
    }

    /** Says hello on a raw socket and reads the answer whole; returns the socket's input. */
    private static InputStream hello(Socket s) throws IOException {
        OutputStream o = s.getOutputStream();
        byte[] hello = "{\"op\":\"hello\",\"version\":1}".getBytes(StandardCharsets.UTF_8);
        o.write(new byte[] {0, 0, 0, (byte) hello.length});
        o.write(hello);
        o.flush();
        InputStream in = s.getInputStream();
        byte[] prefix = in.readNBytes(4);
        assertThat(prefix).hasSize(4);
        int length = ((prefix[0] & 0xff) << 24) | ((prefix[1] & 0xff) << 16) | ((prefix[2] & 0xff) << 8)
                | (prefix[3] & 0xff);
        assertThat(length).isBetween(1, 65_536);
        String answer = new String(in.readNBytes(length), StandardCharsets.UTF_8);
        assertThat(answer).startsWith("{\"status\":\"ok\"");
        return in;
    }

    private static InetSocketAddress socketAddress(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    private static boolean refused(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, 1_000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void sigtermDuringADownloadLetsItFinishVerifiedThenExitsZeroAndRefusesNewConnections() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Path served = randomFile(root.resolve("big.bin"), SIZE, 64);
        String expected = md5(served);
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path partial = work.resolve(".big.bin.ftpart");
        FtProcesses.Launch launch = FtProcesses.Launch.isolatedIn(tmp.resolve("home"));

        try (FtProcesses.Server server = new FtProcesses.Server(root, launch);
             FaultProxy proxy = new FaultProxy(server.address)) {
            proxy.setDefault(FaultProxy.Faults.none().throttle(FaultProxy.Direction.DOWNSTREAM, RATE));
            InetSocketAddress serverAddress = socketAddress(server.address);
            Process client = FtProcesses.start(work, launch,
                    "-s", proxy.address(), "get", "--retries", "0", "big.bin", "-o", "big.bin");
            try {
                await(() -> size(partial) > SIGNAL_AFTER || !client.isAlive(), 60, "the download passed 8 MiB");
                assertThat(client.isAlive()).as("the download is still running when the signal is sent").isTrue();
                long atSignal = size(partial);
                assertThat(atSignal).isLessThan(SIZE - (16L << 20));

                server.process.destroy(); // SIGTERM on Linux
                long signalled = System.nanoTime();

                // Stop accepting at once, while the transfer is still running.
                await(() -> refused(serverAddress), 10, "the listener refused new connections");
                assertThat(client.isAlive()).as("new connections refused while the download still runs").isTrue();
                assertThat(server.process.isAlive()).as("the server waits for the transfer in flight").isTrue();

                assertThat(client.waitFor(60, TimeUnit.SECONDS)).as("the client finished").isTrue();
                String err = Files.readString(work.resolve(".err"));
                assertThat(client.exitValue()).as(err).isZero();
                assertThat(Files.readString(work.resolve(".out")).strip()).isEqualTo(expected + "  big.bin");
                assertThat(md5(work.resolve("big.bin"))).isEqualTo(expected);
                assertThat(partial).doesNotExist();

                assertThat(server.process.waitFor(GRACE_SECONDS + 10, TimeUnit.SECONDS))
                        .as("the server exited within its grace period").isTrue();
                long stoppedAfter = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - signalled);
                assertThat(stoppedAfter).isLessThanOrEqualTo(GRACE_SECONDS);
                assertThat(server.process.exitValue()).as("exit code after a graceful stop").isZero();
                assertThat(refused(serverAddress)).as("nothing listens after the stop").isTrue();
            } finally {
                client.destroyForcibly();
                client.waitFor(30, TimeUnit.SECONDS);
            }
        }
        assertThat(md5(served)).as("the served file is untouched").isEqualTo(expected);
    }


    private static Path randomFile(Path file, long size, long seed) throws IOException {
        byte[] chunk = new byte[1 << 20];
        java.util.Random random = new java.util.Random(seed);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long done = 0; done < size; done += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk, 0, (int) Math.min(chunk.length, size - done));
            }
        }
        return file;
    }

    private static String md5(Path file) throws Exception {
        java.security.MessageDigest d = java.security.MessageDigest.getInstance("MD5");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
        }
        return java.util.HexFormat.of().formatHex(d.digest());
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException vanished) {
            return 0; // renamed into place between the two calls
        }
    }

    private static void await(java.util.function.BooleanSupplier condition, long seconds, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what + " within " + seconds + " s").isLessThan(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
