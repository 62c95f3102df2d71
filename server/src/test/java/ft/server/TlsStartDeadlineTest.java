package ft.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Before TLS is up, a connection gets one header timeout in all (finding 8): a plain client
 * that trickles a byte every 100 ms at a TLS server used to hold its slot until a megabyte had
 * arrived, since each read of the drain after the "TLS required" answer had its own timeout.
 */
class TlsStartDeadlineTest {
    private static final Duration HEADER_TIMEOUT = Duration.ofSeconds(1);

    @TempDir
    Path tmp;

    private FtServer server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private FtServer startTlsServer() throws IOException {
        TlsServerSockets tls =
                new TlsServerSockets(PemStore.loadOrCreate(tmp.resolve("root").resolve(".ft")));
        server = FtServer.start(
                FtServer.Options.of(tmp.resolve("root"), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .withLimits(ServerLimits.DEFAULTS
                                .withIdleTimeout(Duration.ofSeconds(60))
                                .withHeaderTimeout(HEADER_TIMEOUT))
                        .withTls(tls));
        return server;
    }

    @Test
    void aPlainClientTricklingBytesIsClosedWithinTheHeaderTimeout() throws IOException {
        FtServer server = startTlsServer();
        try (Socket plain =
                new Socket(server.address().getAddress(), server.address().getPort())) {
            OutputStream out = plain.getOutputStream();
            out.write(0); // an ft frame's first byte: not a TLS handshake
            out.flush();
            InputStream in = plain.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8); // the server shuts its side
            assertTrue(answer.contains("requires TLS"), answer);
            trickleUntilLetGo(server, out, 'x');
            await().atMost(Duration.ofSeconds(5)).until(() -> server.connectionCount() == 0);
        }
    }

    @Test
    void aClientTricklingAHandshakeIsClosedWithinTheHeaderTimeout() throws IOException {
        FtServer server = startTlsServer();
        try (Socket raw =
                new Socket(server.address().getAddress(), server.address().getPort())) {
            OutputStream out = raw.getOutputStream();
            // A TLS record header announcing a long ClientHello, then its body a byte at a time.
            out.write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03});
            out.flush();
            trickleUntilLetGo(server, out, 0x42);
            assertEquals(-1, readToEnd(raw.getInputStream()), "closed without a TLS session");
        }
    }

    /**
     * Sends {@code b} every 100 ms, each well within the per-read timeout, until the server lets
     * go (closes, or counts the connection gone), and asserts that it held on for less than a
     * few header timeouts in all.
     */
    private static void trickleUntilLetGo(FtServer server, OutputStream out, int b) {
        long start = System.nanoTime();
        await().atMost(Duration.ofSeconds(6))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    try {
                        out.write(b);
                        out.flush();
                    } catch (IOException closedByServer) {
                        return true;
                    }
                    return server.connectionCount() == 0;
                });
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 4 * HEADER_TIMEOUT.toMillis(), "held for " + millis + " ms");
    }

    private static int readToEnd(InputStream in) {
        try {
            while (in.read() >= 0) {
                // the server's alert, if any
            }
            return -1;
        } catch (IOException reset) {
            return -1; // closed with a reset: closed all the same
        }
    }
}
