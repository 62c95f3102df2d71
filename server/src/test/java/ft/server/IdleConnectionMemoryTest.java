package ft.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.testing.BareSockets;
import ft.testing.Heap;
import java.io.IOException;
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
                clients.add(BareSockets.hello(server.address()));
            }
            long before = Heap.usedAfterGc();
            for (int i = 0; i < CONNECTIONS; i++) {
                clients.add(BareSockets.hello(server.address()));
            }
            await("the server holding " + clients.size() + " connections")
                    .atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(5))
                    .until(server::connectionCount, n -> n >= clients.size());
            long perConnection = (Heap.usedAfterGc() - before) / CONNECTIONS;
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
}
