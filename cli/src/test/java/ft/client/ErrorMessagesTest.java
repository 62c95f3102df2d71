package ft.client;

import static ft.testing.FaultProxy.Direction.DOWNSTREAM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ft.protocol.HostPort;
import ft.testing.FaultProxy;
import ft.testing.FaultProxy.Faults;
import ft.testing.SmallDisk;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Errors say why, in the words people know, and a wrong port is told at once. */
class ErrorMessagesTest extends CliHarness {
    @Test
    void localFailuresSayWhyAsTheSystemWould() {
        assertThat(LocalErrors.why(new AccessDeniedException("/x"))).isEqualTo("Permission denied");
        assertThat(LocalErrors.why(new NoSuchFileException("/x"))).isEqualTo("No such file or directory");
        assertThat(LocalErrors.why(new NotDirectoryException("/x"))).isEqualTo("Not a directory");
    }

    @Test
    void uploadingThroughAFileUsedAsADirectorySaysNotADirectory() throws IOException {
        Path file = localFile("plain.txt", new byte[1]);
        Run run = ft("put", file.resolve("inside.txt").toString(), "x.txt");
        assertThat(run.exit()).isEqualTo(6);
        assertThat(run.err()).contains("cannot read " + file.resolve("inside.txt") + ": Not a directory (LOCAL_IO)");
        Run missing = ft("put", local.resolve("nope.txt").toString(), "x.txt");
        assertThat(missing.err()).contains(": No such file or directory (LOCAL_IO)");
    }

    @Test
    void anUnknownHostIsNamed() {
        Run run = ft("-s", "nosuchhost.invalid:7070", "ls");
        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.err()).isEqualTo("ft: ls /: cannot resolve host nosuchhost.invalid (CONNECT_FAILED)\n");
    }

    @Test
    void aWebServerIsToldApartAtOnceNotAfterTheTimeout() throws Exception {
        try (ServerSocket web = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            // Like a real HTTP server: nothing until a whole request (up to the blank line) arrived.
            Thread.ofPlatform()
                    .daemon()
                    .start(() -> answerOne(
                            web, null, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
            long t0 = System.nanoTime();
            Run run = ft("-s", "127.0.0.1:" + web.getLocalPort(), "--timeout", "30", "ls");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
            assertThat(run.exit()).isEqualTo(3);
            assertThat(run.err())
                    .contains("127.0.0.1:" + web.getLocalPort() + " is not an ft server (it answered "
                            + "'HTTP/1.1 400 Bad Request')")
                    .contains("(NOT_FT_SERVER)");
        }
    }

    @Test
    void anSshServerIsToldApartAtOnceAndNotRetried() throws Exception {
        try (ServerSocket ssh = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread.ofPlatform().daemon().start(() -> answerOne(ssh, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", null));
            Run run = ft(
                    "-s",
                    "127.0.0.1:" + ssh.getLocalPort(),
                    "get",
                    "--retries",
                    "5",
                    "a.txt",
                    "-o",
                    local.resolve("a.txt").toString());
            assertThat(run.exit()).isEqualTo(3);
            assertThat(run.err()).contains("is not an ft server (it answered 'SSH-2.0-OpenSSH_9.2p1 Debian-2')");
        }
    }

    /** Accepts one connection: sends {@code banner} at once, or {@code reply} after a request's blank line. */
    private static void answerOne(ServerSocket listener, String banner, String reply) {
        try (Socket s = listener.accept()) {
            OutputStream out = s.getOutputStream();
            if (banner != null) {
                out.write(banner.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
            InputStream in = s.getInputStream();
            StringBuilder seen = new StringBuilder();
            int c;
            while (reply != null && (c = in.read()) >= 0) {
                seen.append((char) c);
                if (seen.toString().endsWith("\r\n\r\n")) {
                    out.write(reply.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    return;
                }
            }
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // The client hung up: done.
        }
    }

    @Test
    void aTokenIsNeverSentInClearTextToAnotherMachine() throws Exception {
        assertThat(FtClient.isOnThisHost(InetAddress.getByName("127.0.0.1"))).isTrue();
        assertThat(FtClient.isOnThisHost(InetAddress.getByName("127.8.9.10"))).isTrue();
        assertThat(FtClient.isOnThisHost(InetAddress.getByName("::1"))).isTrue();
        assertThat(FtClient.isOnThisHost(InetAddress.getByName("0.0.0.0"))).isTrue();
        assertThat(FtClient.isOnThisHost(InetAddress.getByName("192.0.2.1"))).isFalse();
        // 192.0.2.0/24 is for documentation (RFC 5737): the refusal comes before any connection.
        assertThatThrownBy(() ->
                        FtClient.connect(new HostPort("192.0.2.1", 7070), Duration.ofSeconds(1), "alice.SECRET", null))
                .isInstanceOf(ConnectionException.class)
                .hasMessageContaining("refusing to send a token in clear text to 192.0.2.1:7070");
    }

    @Test
    void aFullLocalDiskIsNoSpaceBeforeTheBodyAndKeepsThePartialForResume() throws Exception {
        Path small = Files.createDirectories(tmp.resolve("small"));
        SmallDisk.mount(small, "5m");
        try {
            byte[] data = random(4 * MIB, 5);
            remoteFile("big.bin", data);
            Path target = small.resolve("big.bin");
            try (FaultProxy proxy =
                    FaultProxy.start(server.address(), Faults.none().cutAfter(DOWNSTREAM, 2 * MIB))) {
                assertThat(ft("-s", proxy.address(), "get", "--retries", "0", "big.bin", "-o", target.toString())
                                .exit())
                        .isEqualTo(3);
            }
            long held = Files.size(small.resolve(".big.bin.ftpart"));
            assertThat(held).isPositive();
            // Someone else takes the room the rest of the download needs.
            Path filler = Files.write(small.resolve("filler"), new byte[(int) (5 * MIB - held - MIB)]);
            Run run = ft("get", "big.bin", "-o", target.toString());
            assertThat(run.exit()).as(run.err()).isEqualTo(6);
            assertThat(run.err())
                    .contains("not enough space for " + target)
                    .contains("free in " + small)
                    .contains("the partial download")
                    .contains("is kept")
                    .contains("rerun the same command to resume")
                    .contains("(NO_SPACE)");
            assertThat(target).doesNotExist();
            assertThat(Files.size(small.resolve(".big.bin.ftpart")))
                    .as("untouched")
                    .isEqualTo(held);
            assertThat(small.resolve(".big.bin.ftpart.meta")).exists();

            Files.delete(filler);
            Run again = ft("get", "big.bin", "-o", target.toString());
            assertThat(again.exit()).as(again.err()).isZero();
            assertThat(again.err()).contains("resuming at");
            assertThat(target).hasBinaryContent(data);
        } finally {
            SmallDisk.unmount(small);
        }
    }
}
