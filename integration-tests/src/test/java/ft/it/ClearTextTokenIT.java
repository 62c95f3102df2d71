package ft.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A token never crosses a network in clear text, whatever the user forgot: inside a network
 * namespace, a client holding a token and pointed without --tls at an address that is not
 * this machine's loopback talks TLS anyway.
 */
class ClearTextTokenIT {
    private static final String TOKEN = "alice.SECRETSECRETSECRET";

    @TempDir
    Path tmp;

    private NetworkNamespace ns;
    private FtProcesses.Launch inside;

    @BeforeEach
    void namespace() throws Exception {
        ns = new NetworkNamespace();
        inside = FtProcesses.Launch.isolatedIn(tmp.resolve("home")).through(ns.exec());
    }

    @AfterEach
    void removeNamespace() throws Exception {
        ns.close();
    }

    @Test
    void aPlainListenerOnAnotherAddressNeverSeesTheToken() throws Exception {
        Path captured = tmp.resolve("captured.bin");
        List<String> capture = new ArrayList<>(ns.exec());
        capture.addAll(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                CaptureOnce.class.getName(),
                NetworkNamespace.ADDRESS,
                "7070",
                captured.toString()));
        Process listener = new ProcessBuilder(capture).redirectErrorStream(true).start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("listening");

            FtProcesses.Result run = FtProcesses.run(
                    Files.createDirectories(tmp.resolve("c1")),
                    // FT_TOKEN goes only to the server named with it (finding 7 of issue 14).
                    inside.withEnv("FT_TOKEN", TOKEN).withEnv("FT_SERVER", NetworkNamespace.ADDRESS + ":7070"),
                    "--timeout",
                    "5",
                    "ls");
            assertThat(run.exit()).as(run.err()).isEqualTo(3);
            assertThat(run.err()).contains("ft sends a token only over TLS");
            assertThat(listener.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            listener.destroyForcibly();
        }
        byte[] bytes = Files.readAllBytes(captured);
        assertThat(bytes).as("the client spoke first").isNotEmpty();
        assertThat(bytes[0]).as("a TLS handshake record, not a frame").isEqualTo((byte) 0x16);
        assertThat(new String(bytes, StandardCharsets.ISO_8859_1))
                .doesNotContain("SECRET")
                .doesNotContain("hello");
    }

    @Test
    void aTlsServerOnAnotherAddressIsReachedWithATokenWithoutBeingAskedForTls() throws Exception {
        Path users = tmp.resolve("users.jsonl");
        FtProcesses.Result added = FtProcesses.run(
                Files.createDirectories(tmp.resolve("admin")),
                FtProcesses.Launch.isolatedIn(tmp.resolve("home")),
                "user",
                "add",
                "alice",
                "--users",
                users.toString());
        assertThat(added.exit()).as(added.err()).isZero();
        String token = added.out().strip();
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.writeString(root.resolve("a.txt"), "hello");
        try (FtProcesses.Server server = new FtProcesses.Server(
                root, NetworkNamespace.ADDRESS + ":7070", inside, "--tls", "--users", users.toString())) {
            FtProcesses.Launch withToken = inside.withEnv("FT_TOKEN", token).withEnv("FT_SERVER", server.address);
            // Accepted with --trust in this run: the token is withheld (finding 7 of issue 14)...
            FtProcesses.Result first =
                    FtProcesses.run(Files.createDirectories(tmp.resolve("c2")), withToken, "--trust", "ls");
            assertThat(first.exit()).as(first.err()).isEqualTo(7);
            assertThat(first.err()).contains("(TOKEN_WITHHELD)");
            // ... and sent by the next run, the certificate now pinned.
            FtProcesses.Result ls = FtProcesses.run(tmp.resolve("c2"), withToken, "ls");
            assertThat(ls.exit()).as(ls.err()).isZero();
            assertThat(ls.out()).isEqualTo("a.txt\n");
        }
    }
}
