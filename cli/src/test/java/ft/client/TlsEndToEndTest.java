package ft.client;

import static ft.testing.FaultProxy.Direction.DOWNSTREAM;
import static ft.testing.FaultProxy.Direction.UPSTREAM;
import static org.assertj.core.api.Assertions.assertThat;

import ft.server.FtServer;
import ft.server.PemStore;
import ft.server.TlsIdentity;
import ft.server.TlsServerSockets;
import ft.testing.FaultProxy;
import ft.testing.FaultProxy.Faults;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ft command line against a real TLS server on 127.0.0.1 (the harness's server, restarted with TLS). */
class TlsEndToEndTest extends CliHarness {
    private static final String NL = System.lineSeparator();

    private TlsIdentity identity;
    private String address;

    @BeforeEach
    void startTlsServer() throws IOException {
        server.close();
        Path state = root.resolve(".ft");
        if (Files.isDirectory(state)) {
            // Made by the plain server before this one; PemStore refuses a .ft others can read, and
            // only a server whose storage makes .ft through StateDirectory makes it 0700 itself.
            Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));
        }
        identity = PemStore.loadOrCreate(state);
        server = FtServer.start(FtServer.Options.of(root, new InetSocketAddress("127.0.0.1", 0))
                .withTls(new TlsServerSockets(identity)));
        address = "127.0.0.1:" + server.address().getPort();
        env.put("FT_SERVER", "tls://" + address);
    }

    private Path knownServers() {
        return tmp.resolve("config/ft/known_servers");
    }

    private static long resumedAt(String stderr) {
        Matcher m = Pattern.compile("resuming at [^(]*\\((\\d+) bytes\\)").matcher(stderr);
        assertThat(m.find()).as("stderr says it resumes: " + stderr).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void putAndGetOverTlsTrustOnFirstUseAndRememberTheServer() throws IOException {
        byte[] data = random(3 * MIB, 11);
        Path source = Files.write(local.resolve("f.bin"), data);

        Run put = ft("put", "--trust", source.toString(), "dir/f.bin");
        assertThat(put.exit()).as(put.err()).isZero();
        assertThat(put.out()).isEqualTo(md5(data) + "  dir/f.bin" + NL);
        assertThat(root.resolve("dir/f.bin")).hasBinaryContent(data);

        assertThat(Files.readString(knownServers(), StandardCharsets.UTF_8))
                .contains(address + " " + identity.fingerprint());

        // Remembered: no --trust needed any more (and there is no terminal to ask on).
        Path copy = local.resolve("copy.bin");
        Run get = ft("get", "dir/f.bin", "-o", copy.toString());
        assertThat(get.exit()).as(get.err()).isZero();
        assertThat(get.out()).isEqualTo(md5(data) + "  " + copy + NL);
        assertThat(copy).hasBinaryContent(data);
    }

    @Test
    void serverWithUsersAndTlsServesATrustingClientWithATokenAndRefusesTheRest() throws IOException {
        Path users = tmp.resolve("users.jsonl");
        Run add = ft("user", "add", "alice", "--users", users.toString());
        assertThat(add.exit()).as(add.err()).isZero();
        String token = add.out().strip();
        server.close();
        server = FtServer.start(FtServer.Options.of(root, new InetSocketAddress("127.0.0.1", 0))
                .withUsersFile(users)
                .withTls(new TlsServerSockets(identity)));
        address = "127.0.0.1:" + server.address().getPort();
        env.put("FT_SERVER", "tls://" + address);
        Files.writeString(Files.createDirectories(root).resolve("a.txt"), "hello");

        env.put("FT_TOKEN", token);
        Path up = Files.writeString(local.resolve("up.txt"), "uploaded");
        // Accepted for the first time in this run: the token is withheld (finding 7 of issue 14)...
        Run first = ft("--trust", "put", up.toString());
        assertThat(first.exit()).as(first.err()).isEqualTo(7);
        assertThat(first.err()).contains("(TOKEN_WITHHELD)");
        assertThat(root.resolve("up.txt")).doesNotExist();
        // ... and sent by the next run, the certificate being pinned before it connects.
        Run put = ft("put", up.toString());
        assertThat(put.exit()).as(put.err()).isZero();
        assertThat(root.resolve("up.txt")).hasContent("uploaded");
        Run get = ft("get", "a.txt", "-o", local.resolve("a.txt").toString());
        assertThat(get.exit()).as(get.err()).isZero();
        assertThat(local.resolve("a.txt")).hasContent("hello");
        assertThat(ft("ls").out()).contains("a.txt").contains("up.txt");

        env.put("FT_TOKEN", token.substring(0, token.indexOf('.') + 1) + "wrong");
        Run wrong = ft("ls");
        assertThat(wrong.exit()).isEqualTo(7);
        assertThat(wrong.err()).contains("(UNAUTHORIZED)");
        env.remove("FT_TOKEN");
        Run none = ft("get", "a.txt", "-o", local.resolve("b.txt").toString());
        assertThat(none.exit()).isEqualTo(7);
        assertThat(none.err()).contains("(UNAUTHORIZED)");
        assertThat(local.resolve("b.txt")).doesNotExist();
        env.put("FT_SERVER", address);
        assertThat(ft("ls").err()).contains("requires TLS");
    }

    @Test
    void tlsFlagWithPlainAddressAlsoSpeaksTls() throws IOException {
        Files.writeString(Files.createDirectories(root).resolve("a.txt"), "hello");
        env.put("FT_SERVER", address);
        Run ls = ft("--tls", "--trust", "ls");
        assertThat(ls.exit()).as(ls.err()).isZero();
        assertThat(ls.out()).contains("a.txt");

        env.put("FT_TLS", "true");
        Run again = ft("ls");
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.out()).contains("a.txt");
    }

    @Test
    void firstContactWithoutTrustAndWithoutTerminalIsRefused() {
        Run ls = ft("ls");
        assertThat(ls.exit()).as(ls.err()).isEqualTo(7);
        assertThat(ls.err()).contains("(UNTRUSTED_SERVER)");
        assertThat(knownServers()).doesNotExist();
    }

    @Test
    void plainClientIsToldTheServerRequiresTls() {
        env.put("FT_SERVER", address);
        Run ls = ft("ls");
        assertThat(ls.exit()).as(ls.err()).isIn(1, 3);
        assertThat(ls.err()).contains("requires TLS");
    }

    @Test
    void tlsClientAgainstPlainServerFailsWithTlsFailed() throws IOException {
        try (FtServer plain = FtServer.start(tmp.resolve("plain-root"), new InetSocketAddress("127.0.0.1", 0))) {
            env.put("FT_SERVER", "tls://127.0.0.1:" + plain.address().getPort());
            Run ls = ft("--trust", "ls");
            assertThat(ls.exit()).as(ls.err()).isEqualTo(3);
            assertThat(ls.err()).contains("(TLS_FAILED)");
        }
    }

    @Test
    void changedCertificateIsAHardErrorEvenWithTrust() throws IOException {
        Files.createDirectories(knownServers().getParent());
        Files.writeString(knownServers(), address + " SHA256:" + "A".repeat(43) + "\n");

        Run ls = ft("--trust", "ls");
        assertThat(ls.exit()).as(ls.err()).isEqualTo(7);
        assertThat(ls.err()).contains("(CERTIFICATE_CHANGED)");
        assertThat(Files.readString(knownServers())).doesNotContain(identity.fingerprint());
    }

    @Test
    void resumesUploadOverTlsAfterConnectionCut() throws IOException {
        byte[] data = random(3 * MIB, 12);
        Path source = Files.write(local.resolve("up.bin"), data);

        try (FaultProxy proxy = FaultProxy.start(server.address(), Faults.none().cutAfter(UPSTREAM, MIB))) {
            Run cut = ft("-s", "tls://" + proxy.address(), "put", "--trust", "--retries", "0", source.toString());
            assertThat(cut.exit()).as(cut.err()).isEqualTo(3);
        }
        awaitServerIdle();
        assertThat(root.resolve("up.bin")).doesNotExist();

        Run again = ft("put", "--trust", source.toString());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(resumedAt(again.err())).isBetween(1L, (long) MIB);
        assertThat(again.out()).isEqualTo(md5(data) + "  up.bin" + NL);
        assertThat(root.resolve("up.bin")).hasBinaryContent(data);
        assertThat(partialFiles()).isZero();
    }

    @Test
    void resumesDownloadOverTlsAfterConnectionCut() throws IOException {
        byte[] data = random(3 * MIB, 13);
        Files.write(Files.createDirectories(root).resolve("big.bin"), data);
        Path target = local.resolve("big.bin");

        try (FaultProxy proxy = FaultProxy.start(server.address(), Faults.none().cutAfter(DOWNSTREAM, MIB))) {
            Run cut = ft(
                    "-s",
                    "tls://" + proxy.address(),
                    "get",
                    "--trust",
                    "--retries",
                    "0",
                    "big.bin",
                    "-o",
                    target.toString());
            assertThat(cut.exit()).as(cut.err()).isEqualTo(3);
        }
        long held = Files.size(local.resolve(".big.bin.ftpart"));
        assertThat(held).isBetween(1L, (long) MIB);

        Run again = ft("get", "--trust", "big.bin", "-o", target.toString());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(resumedAt(again.err())).isEqualTo(held);
        assertThat(target).hasBinaryContent(data);
    }

    @Test
    void trustAndTlsFailuresAreNotRetriedButOtherConnectionFailuresAre() {
        assertThat(Batch.retryable(new TrustException(TrustException.CERTIFICATE_CHANGED, "changed")))
                .isFalse();
        assertThat(Batch.retryable(new TrustException(TrustException.UNTRUSTED_SERVER, "new")))
                .isFalse();
        assertThat(Batch.retryable(new ConnectionException(TlsTrust.TLS_FAILED, "no tls", null)))
                .isFalse();
        assertThat(Batch.retryable(new ConnectionException(ConnectionException.CONNECTION_LOST, "cut", null)))
                .isTrue();
    }
}
