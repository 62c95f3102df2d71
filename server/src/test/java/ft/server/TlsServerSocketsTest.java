package ft.server;

import static ft.server.TlsTesting.LOOPBACK;
import static ft.server.TlsTesting.WAIT;
import static ft.server.TlsTesting.clientTrusting;
import static ft.server.TlsTesting.echo;
import static ft.server.TlsTesting.echoBack;
import static ft.server.TlsTesting.serveOnce;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.transfer.TlsReady;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Server-side TLS 1.3 connections: only TLS 1.3, handshakes under a deadline. */
class TlsServerSocketsTest {
    @TempDir
    Path dir;

    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void stopThreads() throws InterruptedException {
        threads.shutdownNow();
        assertTrue(threads.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS));
    }

    @Test
    void everyConnectionIsLimitedToTls13() throws Exception {
        TlsIdentity id = SelfSignedCertificate.generate();
        TlsServerSockets tls = new TlsServerSockets(id);
        try (ServerSocket listener = new ServerSocket(0, 10, LOOPBACK)) {
            Future<String[]> served = threads.submit(() -> {
                try (SSLSocket ssl = tls.wrapServer(listener.accept(), WAIT)) {
                    echoBack(ssl);
                    return ssl.getEnabledProtocols();
                }
            });
            try (SSLSocket s = (SSLSocket) clientTrusting(id.certificate())
                    .getSocketFactory()
                    .createSocket(LOOPBACK, listener.getLocalPort())) {
                assertEquals("TLSv1.3", echo(s));
            }
            assertArrayEquals(new String[] {"TLSv1.3"}, served.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
    }

    @Test
    void wrapsASocketChannelAcceptedLikeFtServerDoes() throws Exception {
        TlsIdentity id = PemStore.loadOrCreate(dir.resolve(".ft"));
        TlsServerSockets tls = new TlsServerSockets(id);
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(LOOPBACK, 0));
            Future<String> served = threads.submit(() -> {
                try (SocketChannel channel = listener.accept();
                        SSLSocket ssl = tls.wrapServer(channel.socket(), WAIT)) {
                    String protocol = ssl.getSession().getProtocol();
                    echoBack(ssl);
                    return protocol;
                }
            });
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            try (SSLSocket s = (SSLSocket)
                    clientTrusting(id.certificate()).getSocketFactory().createSocket(LOOPBACK, port)) {
                assertEquals("TLSv1.3", echo(s));
                assertEquals(id.certificate(), s.getSession().getPeerCertificates()[0]);
            }
            assertEquals("TLSv1.3", served.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
    }

    @Test
    void recordsWaitingInTheSocketAreReadyOnlyThroughTlsReady() throws Exception {
        TlsIdentity id = SelfSignedCertificate.generate();
        TlsServerSockets tls = new TlsServerSockets(id);
        int total = 6 * 16 * 1024; // six records or more: what the server reads first leaves several
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(LOOPBACK, 0));
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            Future<int[]> served = threads.submit(() -> {
                try (SocketChannel channel = listener.accept();
                        SSLSocket ssl = tls.wrapServer(channel.socket(), WAIT)) {
                    InputStream decrypted = ssl.getInputStream();
                    InputStream raw = channel.socket().getInputStream();
                    byte[] buf = new byte[total];
                    int read = decrypted.read(buf, 0, buf.length); // one record, of whatever size
                    while (decrypted.available() > 0) { // the rest of the record now decrypted
                        read += decrypted.read(buf, read, decrypted.available());
                    }
                    // The other records are in the socket once the client's write returned; the
                    // loop only guards against a slow loopback, bounded by WAIT.
                    long until = System.nanoTime() + WAIT.toNanos();
                    while (raw.available() < TlsReady.MAX_RECORD_BYTES && System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                    int plain = decrypted.available();
                    int ready = new TlsReady(decrypted, raw).available();
                    byte[] rest = decrypted.readNBytes(total - read);
                    return new int[] {plain, ready, read + rest.length};
                }
            });
            try (SSLSocket s = (SSLSocket)
                    clientTrusting(id.certificate()).getSocketFactory().createSocket(LOOPBACK, port)) {
                s.getOutputStream().write(new byte[total]);
                s.getOutputStream().flush();
                int[] seen = served.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertEquals(0, seen[0], "SSLSocket counts only what it has decrypted, never the next record");
                assertTrue(seen[1] > 0, "whole records in the socket are ready to read");
                assertEquals(total, seen[2], "and asking took nothing from the stream");
            }
        }
    }

    @Test
    void aTls12OnlyClientIsRefused() throws Exception {
        TlsIdentity id = PemStore.loadOrCreate(dir.resolve(".ft"));
        try (ServerSocket listener = new ServerSocket(0, 10, LOOPBACK)) {
            Future<String> served = serveOnce(listener, id);
            try (SSLSocket s = (SSLSocket) clientTrusting(id.certificate())
                    .getSocketFactory()
                    .createSocket(LOOPBACK, listener.getLocalPort())) {
                s.setEnabledProtocols(new String[] {"TLSv1.2"});
                assertThrows(IOException.class, s::startHandshake);
            }
            var e = assertThrows(
                    java.util.concurrent.ExecutionException.class,
                    () -> served.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof IOException, String.valueOf(e.getCause()));
        }
    }

    @Test
    void aSilentClientRunsIntoTheHandshakeDeadline() throws Exception {
        TlsIdentity id = PemStore.loadOrCreate(dir.resolve(".ft"));
        TlsServerSockets tls = new TlsServerSockets(id);
        try (ServerSocket listener = new ServerSocket(0, 10, LOOPBACK);
                Socket silent = new Socket(LOOPBACK, listener.getLocalPort());
                Socket accepted = listener.accept()) {
            long start = System.nanoTime();
            assertTimeoutPreemptively(WAIT, () -> {
                var e = assertThrows(
                        TlsServerSockets.HandshakeTimeoutException.class,
                        () -> tls.wrapServer(accepted, Duration.ofMillis(300)));
                assertTrue(e.getMessage().contains("not completed within 300 ms"), e.getMessage());
            });
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(300).toNanos());
            assertTrue(accepted.isClosed(), "the connection is closed");
            // The server may say goodbye with a TLS alert record (content type 21) before its
            // FIN; either way the client reaches the end of the stream.
            silent.setSoTimeout((int) WAIT.toMillis());
            java.io.InputStream in = silent.getInputStream();
            int first = in.read();
            if (first == 21) {
                in.readAllBytes();
                first = in.read();
            }
            assertEquals(-1, first, "the client sees the close");
        }
    }

    @Test
    void aConnectionSniffedForTlsCanStillBeWrapped() throws Exception {
        TlsIdentity id = PemStore.loadOrCreate(dir.resolve(".ft"));
        TlsServerSockets tls = new TlsServerSockets(id);
        assertFalse(TlsServerSockets.startsTls(0), "an ft frame starts with 0");
        try (ServerSocket listener = new ServerSocket(0, 10, LOOPBACK)) {
            Future<String> served = threads.submit(() -> {
                Socket accepted = listener.accept();
                int first = accepted.getInputStream().read();
                assertTrue(TlsServerSockets.startsTls(first));
                try (SSLSocket ssl = tls.wrapServer(accepted, new byte[] {(byte) first}, WAIT)) {
                    echoBack(ssl);
                    return ssl.getSession().getProtocol();
                }
            });
            try (SSLSocket s = (SSLSocket) clientTrusting(id.certificate())
                    .getSocketFactory()
                    .createSocket(LOOPBACK, listener.getLocalPort())) {
                assertEquals("TLSv1.3", echo(s));
            }
            assertEquals("TLSv1.3", served.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
    }
}
