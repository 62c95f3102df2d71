package ft.it;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code kill -TERM} / {@code kill -INT} on a serving {@code ft serve} (issue 4, point 5), with
 * the packaged jar as real processes: the server closes idle connections at once, stops
 * listening and exits 0.
 *
 * <p>Not here yet: a download in flight through {@link ThrottlingProxy} that must finish,
 * verified, after the signal. Today {@code ft serve} cuts it within milliseconds
 * ({@code ServeCommand} closes the server as soon as {@code awaitClose()} returns, and that is
 * when the listener closes, at the very start of the grace period), so that test would fail;
 * it is described, with its code, in the hostile-suite report. An upload in flight is not
 * covered either: {@link ThrottlingProxy} only slows the server-to-client direction.
 */
class GracefulStopIT {
    /** ft serve's default --grace. */
    private static final long GRACE_SECONDS = 30;

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
}
