package ft.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ft.testing.FaultProxy;
import ft.testing.RawClient;
import ft.testing.TestData;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
    private static final Duration POLL = Duration.ofMillis(10);

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"TERM", "INT"})
    void signalOnAServerWithAnIdleClientClosesItAndExitsZeroAtOnce(String signal) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        FtProcesses.Launch launch = FtProcesses.Launch.isolatedIn(tmp.resolve("home"));
        try (FtProcesses.Server server = new FtProcesses.Server(root, launch)) {
            InetSocketAddress address = socketAddress(server.address);
            try (RawClient idle = RawClient.hello(address)) {
                long signalled = System.nanoTime();
                send(server.process, signal);
                assertThat(server.process.waitFor(GRACE_SECONDS + 10, TimeUnit.SECONDS))
                        .as("the server exited")
                        .isTrue();
                assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - signalled))
                        .as("an idle connection is closed at once, not waited for")
                        .isLessThan(10);
                assertThat(server.process.exitValue())
                        .as("exit code after SIG" + signal)
                        .isZero();
                assertThat(idle.socket().getInputStream().read())
                        .as("the idle connection was closed by the server")
                        .isEqualTo(-1);
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
                .redirectErrorStream(true)
                .start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).as("kill finished").isTrue();
        assertThat(kill.exitValue())
                .as(new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isZero();
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
        Path served = TestData.randomFile(root.resolve("big.bin"), SIZE, 64);
        String expected = TestData.md5Hex(served);
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path partial = work.resolve(".big.bin.ftpart");
        FtProcesses.Launch launch = FtProcesses.Launch.isolatedIn(tmp.resolve("home"));

        try (FtProcesses.Server server = new FtProcesses.Server(root, launch);
                FaultProxy proxy = new FaultProxy(server.address)) {
            proxy.setDefault(FaultProxy.Faults.none().throttle(FaultProxy.Direction.DOWNSTREAM, RATE));
            InetSocketAddress serverAddress = socketAddress(server.address);
            Process client = FtProcesses.start(
                    work, launch, "-s", proxy.address(), "get", "--retries", "0", "big.bin", "-o", "big.bin");
            try {
                await("the download passed 8 MiB")
                        .atMost(Duration.ofSeconds(60))
                        .pollInterval(POLL)
                        .until(() -> TestFiles.size(partial) > SIGNAL_AFTER || !client.isAlive());
                assertThat(client.isAlive())
                        .as("the download is still running when the signal is sent")
                        .isTrue();
                long atSignal = TestFiles.size(partial);
                assertThat(atSignal).isLessThan(SIZE - (16L << 20));

                server.process.destroy(); // SIGTERM on Linux
                long signalled = System.nanoTime();

                // Stop accepting at once, while the transfer is still running.
                await("the listener refused new connections")
                        .atMost(Duration.ofSeconds(10))
                        .pollInterval(POLL)
                        .until(() -> refused(serverAddress));
                assertThat(client.isAlive())
                        .as("new connections refused while the download still runs")
                        .isTrue();
                assertThat(server.process.isAlive())
                        .as("the server waits for the transfer in flight")
                        .isTrue();

                assertThat(client.waitFor(60, TimeUnit.SECONDS))
                        .as("the client finished")
                        .isTrue();
                String err = Files.readString(work.resolve(".err"));
                assertThat(client.exitValue()).as(err).isZero();
                assertThat(Files.readString(work.resolve(".out")).strip()).isEqualTo(expected + "  big.bin");
                assertThat(TestData.md5Hex(work.resolve("big.bin"))).isEqualTo(expected);
                assertThat(partial).doesNotExist();

                assertThat(server.process.waitFor(GRACE_SECONDS + 10, TimeUnit.SECONDS))
                        .as("the server exited within its grace period")
                        .isTrue();
                long stoppedAfter = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - signalled);
                assertThat(stoppedAfter).isLessThanOrEqualTo(GRACE_SECONDS);
                assertThat(server.process.exitValue())
                        .as("exit code after a graceful stop")
                        .isZero();
                assertThat(refused(serverAddress))
                        .as("nothing listens after the stop")
                        .isTrue();
            } finally {
                client.destroyForcibly();
                client.waitFor(30, TimeUnit.SECONDS);
            }
        }
        assertThat(TestData.md5Hex(served)).as("the served file is untouched").isEqualTo(expected);
    }
}
