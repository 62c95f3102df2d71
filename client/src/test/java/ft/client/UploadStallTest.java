package ft.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ft.protocol.HostPort;
import ft.protocol.Md5;
import ft.protocol.Request;
import ft.protocol.Response;
import ft.testing.ScriptedServer;
import ft.testing.ScriptedServer.Reply;
import ft.transfer.Throttle;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that agrees to an upload and then reads nothing more (a dead link, a hung server):
 * the client's write would block forever, so the timeout must end it.
 */
class UploadStallTest {
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
        // Agrees to the upload, then holds the connection and reads nothing (until closed).
        try (ScriptedServer stalling =
                new ScriptedServer(request -> Reply.thenStall(ScriptedServer.frames(new Response.PutReady(0))))) {
            HostPort server = HostPort.parse(stalling.address());
            try (FtClient client = FtClient.connect(server, Duration.ofSeconds(1));
                    FileChannel body = FileChannel.open(file, StandardOpenOption.READ)) {
                client.put(new Request.Put("big.bin", size, new Md5("0123456789abcdef0123456789abcdef")));
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> client.sendBody(body, 0, size, Progress.NONE, Throttle.NONE))
                        .isInstanceOf(ConnectionException.class)
                        .hasMessageContaining("accepted no bytes for 1 s")
                        .extracting(e -> ((FtException) e).code())
                        .isEqualTo(ConnectionException.TIMEOUT);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
            }
        }
    }
}
