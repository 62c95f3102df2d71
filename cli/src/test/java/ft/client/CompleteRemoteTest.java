package ft.client;

import static org.assertj.core.api.Assertions.assertThat;

import ft.server.FtServer;
import ft.server.PemStore;
import ft.server.TlsIdentity;
import ft.server.TlsServerSockets;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ft complete-remote PREFIX}, the hidden command the completion script runs on TAB:
 * candidates from a real server, and silence (nothing, exit 0) whenever it cannot answer.
 */
class CompleteRemoteTest extends CliHarness {
    private static final String NL = System.lineSeparator();

    @BeforeEach
    void files() throws IOException {
        Files.createDirectories(root.resolve("docs/sub"));
        Files.createDirectories(root.resolve("data"));
        Files.writeString(root.resolve("docs/readme.txt"), "r");
        Files.writeString(root.resolve("docs/report.pdf"), "p");
        Files.writeString(root.resolve("docs/.draft"), "d");
        Files.writeString(root.resolve("top.txt"), "t");
        Files.writeString(root.resolve(".profile"), "h");
    }

    /** Runs it and checks what must hold whatever happens: exit 0, not a word on stderr. */
    private String complete(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "complete-remote";
        System.arraycopy(args, 0, command, 1, args.length);
        Run run = ft(command);
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err()).isEmpty();
        return run.out();
    }

    private static String lines(String... lines) {
        return String.join(NL, lines) + NL;
    }

    @Test
    void listsTheRootWithDirectoriesEndingInASlashAndHiddenNamesLeftOut() {
        assertThat(complete()).isEqualTo(lines("data/", "docs/", "top.txt"));
        assertThat(complete("--", "")).isEqualTo(lines("data/", "docs/", "top.txt"));
    }

    @Test
    void keepsTheTypedDirectoryAndFiltersByWhatFollowsIt() {
        assertThat(complete("--", "d")).isEqualTo(lines("data/", "docs/"));
        assertThat(complete("--", "docs/")).isEqualTo(lines("docs/readme.txt", "docs/report.pdf", "docs/sub/"));
        assertThat(complete("--", "docs/re")).isEqualTo(lines("docs/readme.txt", "docs/report.pdf"));
        assertThat(complete("--", "docs/s")).isEqualTo(lines("docs/sub/"));
    }

    @Test
    void hiddenNamesWhenThePrefixStartsWithADot() {
        assertThat(complete("--", ".")).isEqualTo(lines(".profile"));
        assertThat(complete("--", "docs/.")).isEqualTo(lines("docs/.draft"));
    }

    @Test
    void dirsListsOnlyDirectories() {
        assertThat(complete("--dirs", "--", "")).isEqualTo(lines("data/", "docs/"));
        assertThat(complete("--dirs", "--", "docs/")).isEqualTo(lines("docs/sub/"));
    }

    @Test
    void aMissingDirectoryOrAFileGivesNothing() {
        assertThat(complete("--", "nope/")).isEmpty();
        assertThat(complete("--", "top.txt/")).isEmpty();
        assertThat(complete("--", "zzz")).isEmpty();
    }

    @Test
    void theServerOptionWinsOverFtServer() throws IOException {
        String address = env.get("FT_SERVER");
        env.put("FT_SERVER", "127.0.0.1:" + deadPort());
        assertThat(complete("--", "d")).isEmpty();
        Run run = ft("-s", address, "complete-remote", "--", "d");
        assertThat(run.exit()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).isEqualTo(lines("data/", "docs/"));
    }

    @Test
    void aRefusedConnectionGivesNothingAtOnce() throws IOException {
        env.put("FT_SERVER", "127.0.0.1:" + deadPort());
        Instant start = Instant.now();
        assertThat(complete("--", "")).isEmpty();
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    @Timeout(30) // with the user's --timeout (600 s here) it would hang: fail instead
    void aServerThatNeverAnswersGivesNothingWithinAFewSeconds() throws IOException {
        // Accepts the connection (the backlog does) and never says a word.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            env.put("FT_SERVER", "127.0.0.1:" + silent.getLocalPort());
            env.put("FT_TIMEOUT", "600"); // the user's --timeout is not what a TAB waits for
            Instant start = Instant.now();
            assertThat(complete("--", "")).isEmpty();
            assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void aTlsServerNotTrustedYetGivesNothingAndIsNotRemembered() throws IOException {
        server.close();
        TlsIdentity identity = PemStore.loadOrCreate(root.resolve(".ft"));
        server = FtServer.start(FtServer.Options.of(root, new InetSocketAddress("127.0.0.1", 0))
                .withTls(new TlsServerSockets(identity)));
        env.put("FT_SERVER", "tls://127.0.0.1:" + server.address().getPort());
        assertThat(complete("--", "")).isEmpty();
        assertThat(tmp.resolve("config/ft/known_servers")).doesNotExist();

        // Once trusted (by an ordinary command), completion works over TLS too.
        Run ls = ft("--trust", "ls");
        assertThat(ls.exit()).as(ls.err()).isZero();
        assertThat(complete("--", "d")).isEqualTo(lines("data/", "docs/"));
    }

    @Test
    void aServerThatWantsATokenUsesFtTokenAndWithoutOneGivesNothing() throws IOException {
        server.close();
        Path users = tmp.resolve("users.jsonl");
        Run add = ft("user", "add", "alice", "--users", users.toString());
        assertThat(add.exit()).as(add.err()).isZero();
        server = FtServer.start(
                FtServer.Options.of(root, new InetSocketAddress("127.0.0.1", 0)).withUsersFile(users));
        env.put("FT_SERVER", "127.0.0.1:" + server.address().getPort());
        assertThat(complete("--", "d")).isEmpty();
        env.put("FT_TOKEN", add.out().strip());
        assertThat(complete("--", "d")).isEqualTo(lines("data/", "docs/"));
    }

    @Test
    void helpNeverListsIt() {
        Run help = ft("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("completion").doesNotContain("complete-remote");
    }

    /** A port nothing listens on: bound once, then closed. */
    private static int deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
