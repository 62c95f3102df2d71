package ft.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.protocol.FrameReader;
import ft.protocol.FrameWriter;
import ft.protocol.ProtocolException;
import ft.protocol.Request;
import ft.protocol.Response;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a connection costs while it sits idle after its hello. A server that allows thousands of
 * connections (--max-connections) must not need a large heap to hold them: 2 000 idle
 * connections once took 220 MB of a 256 MB heap, from a 64 KiB read buffer and an 8 KiB write
 * buffer per connection and parser buffers that Jackson kept per (virtual) thread.
 */
class IdleConnectionMemoryTest {
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);
    private static final int CONNECTIONS = 300;
    /**
     * Measured 16 KB per connection (an 8 KiB read buffer, a virtual thread, the sockets of both
     * ends, since the clients live in this JVM too); 108 KB before.
     */
    private static final long MAX_BYTES_PER_CONNECTION = 32 * 1024;

    private static final byte[] HELLO = RawClient.CODEC.encode(new Request.Hello(1));

    @TempDir
    Path tmp;

    @Test
    void anIdleConnectionAfterHelloHoldsOnlyAFewKilobytesOfHeap() throws IOException {
        ServerLimits limits = ServerLimits.DEFAULTS.withConnections(2 * CONNECTIONS, 2 * CONNECTIONS);
        List<Socket> clients = new ArrayList<>();
        try (FtServer server =
                FtServer.start(FtServer.Options.of(Files.createDirectories(tmp.resolve("root")), ANY_PORT)
                        .withLimits(limits))) {
            // A few first, so that classes and the server's own structures are in place before measuring.
            for (int i = 0; i < 10; i++) {
                clients.add(hello(server));
            }
            long before = heapUsedAfterGc();
            for (int i = 0; i < CONNECTIONS; i++) {
                clients.add(hello(server));
            }
            await("the server holding " + clients.size() + " connections")
                    .atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(5))
                    .until(server::connectionCount, n -> n >= clients.size());
            long perConnection = (heapUsedAfterGc() - before) / CONNECTIONS;
            assertTrue(
                    perConnection < MAX_BYTES_PER_CONNECTION,
                    "an idle connection holds " + perConnection + " bytes of heap; at most " + MAX_BYTES_PER_CONNECTION
                            + " expected");
        } finally {
            for (Socket c : clients) {
                c.close();
            }
        }
    }

    /**
     * A connection past its hello, with nothing around the socket: {@link RawClient}'s 64 KiB
     * output buffer would be counted against the server, which shares this heap.
     */
    private static Socket hello(FtServer server) throws IOException {
        Socket socket = new Socket();
        boolean ok = false;
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", server.address().getPort()), 10_000);
            socket.setSoTimeout(10_000);
            new FrameWriter(socket.getOutputStream()).writeFrame(HELLO);
            Response answer = RawClient.CODEC.decodeResponse(
                    new FrameReader(socket.getInputStream()).readRequiredFrame(), Response.HelloOk.class);
            assertInstanceOf(Response.HelloOk.class, answer, "hello must be accepted");
            ok = true;
            return socket;
        } catch (ProtocolException e) {
            throw new IOException(e);
        } finally {
            if (!ok) {
                socket.close();
            }
        }
    }

    /** Heap in use after full collections (the least of three, to step over a collection that ran short). */
    private static long heapUsedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
        }
        return least;
    }
}
