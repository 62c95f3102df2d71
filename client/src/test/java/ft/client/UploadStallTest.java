package ft.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ft.protocol.FrameReader;
import ft.protocol.FrameWriter;
import ft.protocol.HeaderCodec;
import ft.protocol.HostPort;
import ft.protocol.Md5;
import ft.protocol.Protocol;
import ft.protocol.Request;
import ft.protocol.Response;
import ft.transfer.Throttle;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that agrees to an upload and then reads nothing more (a dead link, a hung server):
 * the client's write would block forever, so the timeout must end it.
 */
class UploadStallTest {
    private static final HeaderCodec CODEC = new HeaderCodec();

    @TempDir
    Path tmp;

    @Test
    void uploadToAServerThatStopsReadingGivesUpWithTimeoutAfterTheTimeout() throws Exception {
        // Far more than loopback socket buffers can absorb; sparse, so it costs no disk.
        long size = 256L << 20;
        Path file = tmp.resolve("big.bin");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
        CountDownLatch done = new CountDownLatch(1);
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread.ofPlatform().daemon().start(() -> {
                try (Socket s = listener.accept()) {
                    FrameReader reader = new FrameReader(s.getInputStream());
                    FrameWriter writer = new FrameWriter(s.getOutputStream());
                    reader.readRequiredFrame();
                    writer.writeFrame(CODEC.encode(new Response.HelloOk(Protocol.VERSION, "stalling")));
                    writer.flush();
                    reader.readRequiredFrame();
                    writer.writeFrame(CODEC.encode(new Response.PutReady(0)));
                    writer.flush();
                    done.await(60, TimeUnit.SECONDS); // holds the connection, reads nothing
                } catch (Exception e) {
                    // the client hung up
                }
            });
            HostPort server = new HostPort("127.0.0.1", listener.getLocalPort());
            try (FtClient client = FtClient.connect(server, Duration.ofSeconds(1));
                 FileChannel body = FileChannel.open(file, StandardOpenOption.READ)) {
                client.put(new Request.Put("big.bin", size, new Md5("0123456789abcdef0123456789abcdef")));
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> client.sendBody(body, 0, size, Progress.NONE, Throttle.NONE))
                        .isInstanceOf(ConnectionException.class)
                        .hasMessageContaining("accepted no bytes for 1 s")
                        .extracting(e -> ((FtException) e).code()).isEqualTo(ConnectionException.TIMEOUT);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
            } finally {
                done.countDown();
            }
        }
    }
}
