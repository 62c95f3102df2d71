package ft.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.protocol.FrameReader;
import ft.protocol.FrameWriter;
import ft.protocol.Md5;
import ft.protocol.ProtocolException;
import ft.protocol.Request;
import ft.protocol.Response;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
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
                stalled.add(stallUpload(server, "warm" + i));
            }
            long before = heapUsedAfterGc();
            for (int i = 0; i < UPLOADS; i++) {
                stalled.add(stallUpload(server, "up" + i));
            }
            await("every stalled upload's buffers back in the budget")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> server.services().buffers().inUse(), n -> n == 0);
            long perUpload = (heapUsedAfterGc() - before) / UPLOADS;
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

    /**
     * A raw socket (no client-side buffers to count against the server, which shares this heap)
     * that starts a put, sends 100 body bytes, and then nothing.
     */
    private static Socket stallUpload(FtServer server, String path) throws IOException {
        Socket socket = new Socket();
        boolean ok = false;
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", server.address().getPort()), 10_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            FrameWriter writer = new FrameWriter(out);
            FrameReader reader = new FrameReader(socket.getInputStream());
            writer.writeFrame(RawClient.CODEC.encode(new Request.Hello(1)));
            writer.flush();
            assertInstanceOf(
                    Response.HelloOk.class,
                    RawClient.CODEC.decodeResponse(reader.readRequiredFrame(), Response.HelloOk.class));
            writer.writeFrame(RawClient.CODEC.encode(new Request.Put(path, SIZE, Md5.of(new byte[16]))));
            writer.flush();
            Response ready = RawClient.CODEC.decodeResponse(reader.readRequiredFrame(), Response.PutReady.class);
            assertInstanceOf(Response.PutReady.class, ready, () -> "put " + path + ": " + ready);
            out.write(new byte[100]);
            out.flush();
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
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            least = Math.min(
                    least,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return least;
    }
}
