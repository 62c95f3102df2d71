package ft.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.protocol.Request;
import ft.protocol.Response;
import ft.testing.BareSockets;
import ft.testing.Heap;
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
 * The attack of issue 14, finding 5: a thousand clients each start an upload of 1 MiB, send a
 * few body bytes and stall. Each once took three 256 KiB buffers before its first body byte and
 * kept them through the idle timeout: 750 MiB of heap, more than a container's heap holds
 * (the image exits on OutOfMemoryError). Now a stalled upload holds no buffer, all transfers
 * together stay within the server's buffer budget, and the server keeps answering.
 */
class StalledUploadMemoryTest {
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);
    private static final int UPLOADS = 1_000;
    private static final long BUDGET = 4L << 20;
    private static final long SIZE = 1L << 20; // the smallest upload hashed on a second thread
    /**
     * Measured about 30 KB per stalled upload here (its connection, session and hashing
     * thread, and the client's socket in this same JVM); 800 KB before, its three buffers.
     */
    private static final long MAX_BYTES_PER_UPLOAD = 96 * 1024;

    @TempDir
    Path tmp;

    @Test
    void aThousandStalledUploadsStayWithinTheBufferBudgetAndTheServerKeepsAnswering() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.write(root.resolve("small"), new byte[] {1, 2, 3});
        ServerLimits limits = ServerLimits.DEFAULTS
                .withConnections(UPLOADS + 20, UPLOADS + 20)
                .withBufferBudget(BUDGET);
        try (FtServer server =
                FtServer.start(FtServer.Options.of(root, ANY_PORT).withLimits(limits))) {
            List<Socket> stalled = new ArrayList<>();
            try {
                attack(server, root, stalled);
            } finally {
                // Before the server stops, and waiting for it to put the partial uploads away,
                // so that nothing is written while the temporary directory goes.
                for (Socket s : stalled) {
                    s.close();
                }
                await("the server done with the closed connections")
                        .atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(20))
                        .until(server::connectionCount, n -> n == 0);
            }
        }
    }

    private static void attack(FtServer server, Path root, List<Socket> stalled) throws Exception {
        {
            // A few first, so that classes and the server's own structures are in place before measuring.
            for (int i = 0; i < 10; i++) {
                stalled.add(BareSockets.stalledUpload(server.address(), "warm" + i, SIZE));
            }
            long before = Heap.usedAfterGc();
            for (int i = 0; i < UPLOADS; i++) {
                stalled.add(BareSockets.stalledUpload(server.address(), "up" + i, SIZE));
            }
            await("every stalled upload's buffers back in the budget")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> server.services().buffers().inUse(), n -> n == 0);
            long perUpload = (Heap.usedAfterGc() - before) / UPLOADS;
            long peak = server.services().buffers().peakInUse();
            System.out.printf(
                    "%d stalled uploads: %d bytes of heap each, buffer budget %d, peak in use %d%n",
                    UPLOADS, perUpload, BUDGET, peak);
            assertTrue(
                    perUpload < MAX_BYTES_PER_UPLOAD,
                    "a stalled upload holds " + perUpload + " bytes of heap; at most " + MAX_BYTES_PER_UPLOAD
                            + " expected");
            assertTrue(peak <= BUDGET, "buffers in use peaked at " + peak + ", over the budget of " + BUDGET);

            // A new client is served while the thousand stall: a stat, and an upload that needs buffers.
            try (RawClient fresh = RawClient.hello(server)) {
                Response stat = fresh.request(new Request.Stat("small", 0), Response.StatOk.class);
                assertInstanceOf(Response.StatOk.class, stat, () -> "stat while uploads stall: " + stat);
                byte[] big = new byte[(int) SIZE + 12345];
                new java.util.Random(1).nextBytes(big);
                fresh.put("fresh", big);
                assertEquals(big.length, Files.size(root.resolve("fresh")));
            }
        }
    }
}
