package ft.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ft.protocol.HostPort;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnownServersTest {
    private static final String FP1 = "SHA256:" + "A".repeat(42) + "1";
    private static final String FP2 = "SHA256:" + "b+/".repeat(14) + "2";
    private static final HostPort SERVER = new HostPort("files.example", 7070);

    @TempDir
    Path dir;

    @Test
    void defaultLocationIsKnownServersInFtsConfigDirectory() {
        Map<String, String> env = Map.of("HOME", "/home/u");
        assertThat(KnownServers.defaultLocation(env))
                .isEqualTo(XdgDirs.config(env).resolve("known_servers"))
                .isEqualTo(Path.of("/home/u/.config/ft/known_servers"));
    }

    @Test
    void aMissingFileKnowsNobody() throws Exception {
        KnownServers known = new KnownServers(dir.resolve("none/known_servers"));
        assertThat(known.lookup(SERVER)).isEmpty();
        assertThat(known.fingerprints(SERVER)).isEmpty();
    }

    @Test
    void rememberCreatesTheDirectoriesAndAnOwnerOnlyFile() throws Exception {
        Path file = dir.resolve("cfg/ft/known_servers");
        KnownServers known = new KnownServers(file);
        known.remember(SERVER, FP1);
        assertThat(Files.readString(file)).isEqualTo("files.example:7070 " + FP1 + "\n");
        assertThat(known.lookup(SERVER)).contains(FP1);
        assumeTrue(Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null, "POSIX file modes");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
    }

    @Test
    void rememberAppendsOnceAndKeepsWhatIsThere() throws Exception {
        Path file = dir.resolve("known_servers");
        Files.writeString(file, "# my servers\nother:1 " + FP2); // no final newline
        KnownServers known = new KnownServers(file);
        known.remember(SERVER, FP1);
        known.remember(SERVER, FP1);
        known.remember(new HostPort("FILES.Example", 7070), FP1); // hosts compare case-insensitively
        assertThat(Files.readAllLines(file))
                .containsExactly("# my servers", "other:1 " + FP2, "files.example:7070 " + FP1);
    }

    @Test
    void lookupMatchesHostAndPortOnlyAndSkipsJunk() throws Exception {
        Path file = dir.resolve("known_servers");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "# comment files.example:7070 " + FP2,
                        "",
                        "files.example:7070 not-a-fingerprint",
                        "files.example:7071 " + FP2,
                        "files.example " + FP2, // a bare host means port 7070 in ft, as on the command line
                        "   FILES.EXAMPLE:7070   " + FP1 + "   trailing words are ignored",
                        "[::1]:7070 " + FP1,
                        "::1:7070 " + FP2, // malformed (IPv6 without brackets): ignored
                        ""));
        KnownServers known = new KnownServers(file);
        assertThat(known.fingerprints(SERVER)).containsExactly(FP2, FP1);
        assertThat(known.lookup(SERVER)).isEqualTo(Optional.of(FP2));
        assertThat(known.fingerprints(new HostPort("files.example", 7071))).containsExactly(FP2);
        assertThat(known.fingerprints(new HostPort("::1", 7070))).containsExactly(FP1);
        assertThat(known.fingerprints(new HostPort("127.0.0.1", 7070))).isEmpty();
    }

    @Test
    void ipv6ServersAreWrittenInBrackets() throws Exception {
        Path file = dir.resolve("known_servers");
        new KnownServers(file).remember(new HostPort("::1", 9000), FP1);
        assertThat(Files.readString(file)).isEqualTo("[::1]:9000 " + FP1 + "\n");
        assertThat(new KnownServers(file).lookup(HostPort.parse("[::1]:9000"))).contains(FP1);
    }

    @Test
    void onlyFingerprintsAreRemembered() {
        KnownServers known = new KnownServers(dir.resolve("known_servers"));
        assertThatThrownBy(() -> known.remember(SERVER, "SHA256:short")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> known.remember(SERVER, FP1 + "\nevil:1 " + FP2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Files.exists(known.file())).isFalse();
    }

    @Test
    void theTerminalQuestionShowsTheFingerprintAndWantsYes() {
        Path file = Path.of("/home/u/.config/ft/known_servers");
        for (var c : List.of(
                new String[] {"yes\n", "true"},
                new String[] {"Y\n", "true"},
                new String[] {FP1 + "\n", "true"},
                new String[] {"no\n", "false"},
                new String[] {"\n", "false"},
                new String[] {"yess\n", "false"},
                new String[] {"", "false"})) {
            StringWriter out = new StringWriter();
            TrustDecision ask =
                    TrustDecision.ask(new BufferedReader(new StringReader(c[0])), new PrintWriter(out), file);
            assertThat(ask.trustNew(SERVER, FP1)).as("answer %s", c[0]).isEqualTo(Boolean.parseBoolean(c[1]));
            assertThat(out.toString()).contains("files.example:7070", FP1, file.toString(), "(yes/no)");
        }
        assertThat(TrustDecision.always().trustNew(SERVER, FP1)).isTrue();
        assertThat(TrustDecision.never().trustNew(SERVER, FP1)).isFalse();
    }
}
