package ft.it;

import static org.assertj.core.api.Assertions.assertThat;

import ft.protocol.Request;
import ft.protocol.Response;
import ft.testing.BareSockets;
import ft.testing.RawClient;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, finding 5, against the real {@code ft serve} in the heap of a small container: the
 * image runs the JVM with {@code -XX:+ExitOnOutOfMemoryError} and its default heap, a quarter
 * of the container's memory, so 64 MB in a 256 MB container. A thousand uploads that each send
 * a few body bytes and stall once took 768 KiB of buffers each (750 MB) and the server exited;
 * now it holds no buffer for a stalled upload and keeps serving.
 */
class StalledUploadsSmallHeapIT {
    private static final int UPLOADS = 1_000;
    private static final long SIZE = 1L << 20; // the smallest upload hashed on a second thread

    @TempDir
    Path tmp;

    @Test
    void aThousandStalledUploadsDoNotExhaustA64MegabyteHeap() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.write(root.resolve("small"), new byte[] {1, 2, 3});
        FtProcesses.Launch launch = FtProcesses.Launch.isolatedIn(tmp.resolve("home"))
                .withJvmOptions("-Xmx64m", "-XX:+ExitOnOutOfMemoryError");
        String cap = String.valueOf(UPLOADS + 20);
        List<Socket> stalled = new ArrayList<>();
        try (FtProcesses.Server server =
                new FtProcesses.Server(root, launch, "--max-connections", cap, "--max-per-address", cap)) {
            InetSocketAddress address = address(server.address);
            try {
                for (int i = 0; i < UPLOADS; i++) {
                    assertThat(server.process.isAlive())
                            .as("the server after %d stalled uploads", i)
                            .isTrue();
                    stalled.add(BareSockets.stalledUpload(address, "up" + i, SIZE));
                }
                assertThat(server.process.isAlive())
                        .as("the server holding %d stalled uploads in a 64 MB heap", UPLOADS)
                        .isTrue();
                try (RawClient fresh = RawClient.hello(address)) {
                    Response stat = fresh.request(new Request.Stat("small", 0), Response.StatOk.class);
                    assertThat(stat).as("stat while uploads stall").isInstanceOf(Response.StatOk.class);
                    byte[] big = new byte[(int) SIZE * 3];
                    new Random(1).nextBytes(big);
                    fresh.put("fresh", big);
                }
                assertThat(Files.size(root.resolve("fresh"))).isEqualTo(3 * SIZE);
                assertThat(server.process.isAlive()).as("the server at the end").isTrue();
            } finally {
                for (Socket s : stalled) {
                    s.close();
                }
            }
        }
    }

    private static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
