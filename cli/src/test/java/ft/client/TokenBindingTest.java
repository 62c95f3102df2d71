package ft.client;

import static org.assertj.core.api.Assertions.assertThat;

import ft.protocol.FrameReader;
import ft.protocol.HeaderCodec;
import ft.protocol.Request;
import ft.server.PemStore;
import ft.server.TlsIdentity;
import ft.server.TlsServerSockets;
import ft.testing.ScriptedServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * Finding 7 of issue 14: a token is bound to a server. What each server receives in the
 * hello is read on the server side (a {@link ScriptedServer}, or a TLS listener that records
 * what arrives after the handshake).
 */
class TokenBindingTest extends CliHarness {
    private static final String SECRET = "alice.S3CRETs3cretS3CRET";

    @Test
    void ftTokenBoundToFtServerIsNotSentToAServerNamedWithDashS() throws IOException {
        try (ScriptedServer a = new ScriptedServer(ScriptedServer.listing(List.of("a.txt")));
                ScriptedServer b = new ScriptedServer(ScriptedServer.listing(List.of("b.txt")))) {
            env.put("FT_SERVER", a.address());
            env.put("FT_TOKEN", SECRET);

            Run toB = ft("-s", b.address(), "ls");
            assertThat(toB.exit()).as(toB.err()).isZero();
            assertThat(b.hellos()).hasSize(1);
            assertThat(b.hellos().getFirst().token())
                    .as("the token meant for A")
                    .isNull();

            Run toA = ft("ls");
            assertThat(toA.exit()).as(toA.err()).isZero();
            assertThat(a.hellos().getFirst().token()).isEqualTo(SECRET);
        }
    }

    @Test
    void aTokenInTheTokensFileGoesToItsServerOnly() throws IOException {
        try (ScriptedServer a = new ScriptedServer(ScriptedServer.listing(List.of("a.txt")));
                ScriptedServer b = new ScriptedServer(ScriptedServer.listing(List.of("b.txt")))) {
            Run login = ftWithStreams(
                    (SECRET + "\n").getBytes(StandardCharsets.UTF_8),
                    new java.io.ByteArrayOutputStream(),
                    "login",
                    "-s",
                    a.address());
            assertThat(login.exit()).as(login.err()).isZero();
            Path tokens = tmp.resolve("config/ft/tokens");
            assertThat(Files.readString(tokens)).isEqualTo(a.address() + " " + SECRET + "\n");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokens)))
                    .isEqualTo("rw-------");
            assertThat(login.err()).doesNotContain(SECRET);

            assertThat(ft("-s", b.address(), "ls").exit()).isZero();
            assertThat(b.hellos().getFirst().token()).isNull();
            assertThat(ft("-s", a.address(), "ls").exit()).isZero();
            assertThat(a.hellos().getFirst().token()).isEqualTo(SECRET);
        }
    }

    @Test
    void aTokensFileOthersCanReadIsRefusedAndNothingIsSent() throws IOException {
        try (ScriptedServer a = new ScriptedServer(ScriptedServer.listing(List.of("a.txt")))) {
            Path tokens = Files.createDirectories(tmp.resolve("config/ft")).resolve("tokens");
            Files.writeString(tokens, a.address() + " " + SECRET + "\n");
            Files.setPosixFilePermissions(tokens, PosixFilePermissions.fromString("rw-r--r--"));
            Run ls = ft("-s", a.address(), "ls");
            assertThat(ls.exit()).isEqualTo(2);
            assertThat(ls.err()).contains("chmod 600").contains("(BAD_CONFIG)").doesNotContain(SECRET);
            assertThat(a.hellos()).isEmpty();
        }
    }

    @Test
    void aTlsServerAcceptedWithTrustInThisRunGetsNoTokenAndTheRerunDoes() throws Exception {
        TlsIdentity identity = PemStore.loadOrCreate(tmp.resolve("server-state"));
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + listener.getLocalPort();
            env.put("FT_SERVER", "tls://" + address);
            env.put("FT_TOKEN", SECRET);

            CompletableFuture<byte[]> first = captureOne(listener, identity);
            Run trusted = ft("--trust", "--timeout", "5", "ls");
            assertThat(trusted.exit()).as(trusted.err()).isEqualTo(7);
            assertThat(trusted.err())
                    .contains("(TOKEN_WITHHELD)")
                    .contains("accepted for the first time")
                    .doesNotContain(SECRET);
            assertThat(first.get(20, TimeUnit.SECONDS))
                    .as("nothing after the handshake")
                    .isEmpty();
            assertThat(Files.readString(tmp.resolve("config/ft/known_servers")))
                    .contains(address + " " + identity.fingerprint());

            // Pinned before this run now: the token goes.
            CompletableFuture<byte[]> second = captureOne(listener, identity);
            ft("--timeout", "5", "ls");
            byte[] hello = second.get(20, TimeUnit.SECONDS);
            Request request = new HeaderCodec().decodeRequest(hello);
            assertThat(request)
                    .isInstanceOfSatisfying(
                            Request.Hello.class, h -> assertThat(h.token()).isEqualTo(SECRET));
        }
    }

    /**
     * Accepts one connection, completes the TLS handshake and returns the first frame the client
     * sends (empty if it hangs up without sending one), then closes the connection.
     */
    private static CompletableFuture<byte[]> captureOne(ServerSocket listener, TlsIdentity identity)
            throws IOException {
        TlsServerSockets tls = new TlsServerSockets(identity);
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        Thread.ofVirtual().name("tls-capture").start(() -> {
            try (Socket accepted = listener.accept();
                    SSLSocket ssl = tls.wrapServer(accepted, Duration.ofSeconds(20))) {
                ssl.setSoTimeout(20_000);
                InputStream in = ssl.getInputStream();
                byte[] frame;
                try {
                    frame = new FrameReader(in).readFrame();
                } catch (IOException | ft.protocol.ProtocolException hungUp) {
                    frame = null;
                }
                result.complete(frame == null ? new byte[0] : frame);
            } catch (IOException | RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }
}
