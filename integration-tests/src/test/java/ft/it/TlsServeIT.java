package ft.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ft serve --tls} as a real process: a fingerprint at start, TLS-only clients, trust on first use. */
class TlsServeIT {
    @TempDir
    Path tmp;

    @Test
    void tlsServerPrintsItsFingerprintAndServesOnlyTrustingTlsClients() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.writeString(root.resolve("a.txt"), "over tls");
        Path work = Files.createDirectories(tmp.resolve("work"));
        FtProcesses.Launch launch = FtProcesses.Launch.isolatedIn(tmp.resolve("home"));
        try (FtProcesses.Server server = new FtProcesses.Server(root, launch, "--tls")) {
            assertThat(server.startLines).anyMatch(l -> l.matches("ft: TLS certificate SHA256:[A-Za-z0-9+/]{43}.*"));
            assertThat(root.resolve(".ft/tls/key.pem")).exists();

            FtProcesses.Result untrusted =
                    FtProcesses.run(work, launch, "-s", "tls://" + server.address, "get", "a.txt");
            assertThat(untrusted.exit()).as(untrusted.err()).isEqualTo(7);
            assertThat(untrusted.err()).contains("(UNTRUSTED_SERVER)");

            FtProcesses.Result trusted =
                    FtProcesses.run(work, launch, "-s", "tls://" + server.address, "--trust", "get", "a.txt");
            assertThat(trusted.exit()).as(trusted.err()).isZero();
            assertThat(work.resolve("a.txt")).hasContent("over tls");

            FtProcesses.Result plain = FtProcesses.run(work, launch, "-s", server.address, "ls");
            assertThat(plain.exit()).isNotZero();
            assertThat(plain.err()).contains("requires TLS");
        }
    }
}
