package ft.client;

import static org.assertj.core.api.Assertions.assertThat;

import ft.server.FtServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ft command line against a server started with a users file: tokens from env and config. */
class AuthenticationCliTest extends CliHarness {
    private Path users;
    private String token;

    /** Replaces the harness's anonymous server with one that requires a token. */
    @BeforeEach
    void requireTokens() throws IOException {
        server.close();
        users = tmp.resolve("users.jsonl");
        Run add = ft("user", "add", "alice", "--users", users.toString(), "--root", "alice");
        assertThat(add.exit()).as(add.err()).isZero();
        token = add.out().strip();
        Files.createDirectories(root.resolve("alice"));
        Files.writeString(root.resolve("alice/hello.txt"), "hello alice");
        Files.writeString(root.resolve("top.txt"), "not alice's");
        server = FtServer.start(
                FtServer.Options.of(root, new InetSocketAddress("127.0.0.1", 0)).withUsersFile(users));
        env.put("FT_SERVER", "127.0.0.1:" + server.address().getPort());
    }

    @Test
    void getWorksWithTheTokenFromFtToken() throws IOException {
        env.put("FT_TOKEN", token);
        Path out = local.resolve("hello.txt");
        Run get = ft("get", "hello.txt", "-o", out.toString());
        assertThat(get.exit()).as(get.err()).isZero();
        assertThat(out).hasContent("hello alice");
        assertThat(get.err()).doesNotContain(token);
    }

    @Test
    void withoutATokenEveryCommandExitsSevenWithUnauthorized() {
        for (String[] args : List.of(
                new String[] {"get", "hello.txt", "-o", local.toString()},
                new String[] {"ls"},
                new String[] {"stat", "hello.txt"},
                new String[] {"mkdir", "d"})) {
            Run r = ft(args);
            assertThat(r.exit()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(7);
            assertThat(r.err()).contains("(UNAUTHORIZED)").contains("FT_TOKEN");
        }
        assertThat(root.resolve("alice/d")).doesNotExist();
    }

    @Test
    void wrongTokenExitsSevenWithUnauthorizedAndIsNotPrinted() {
        String wrong = "alice.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        env.put("FT_TOKEN", wrong);
        Run r = ft("ls");
        assertThat(r.exit()).isEqualTo(7);
        assertThat(r.err()).contains("(UNAUTHORIZED)").doesNotContain("AAAAAAAAAA");
    }

    @Test
    void tokenFromTheConfigFileWorksAndFtTokenOverridesIt() throws IOException {
        Path config = Files.createDirectories(tmp.resolve("config/ft")).resolve("config");
        Files.writeString(config, "token = " + token + "\n");
        setPrivate(config);
        Run ls = ft("ls");
        assertThat(ls.exit()).as(ls.err()).isZero();
        assertThat(ls.out()).contains("hello.txt").doesNotContain("top.txt");
        assertThat(ls.err()).doesNotContain("warning");

        env.put("FT_TOKEN", "alice.wrong");
        assertThat(ft("ls").exit()).isEqualTo(7);
    }

    @Test
    void configFileWithATokenThatOthersCanReadGetsAWarning() throws IOException {
        Path config = Files.createDirectories(tmp.resolve("config/ft")).resolve("config");
        Files.writeString(config, "token = " + token + "\n");
        try {
            Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException noPosix) {
            return;
        }
        Run ls = ft("ls");
        assertThat(ls.exit()).as(ls.err()).isZero();
        assertThat(ls.err()).contains("warning").contains("chmod 600").doesNotContain(token);
    }

    @Test
    void badTokenLinesInTheConfigAreReportedWithoutShowingTheToken() throws IOException {
        Path config = Files.createDirectories(tmp.resolve("config/ft")).resolve("config");
        Files.writeString(config, "token: " + token + "\n");
        Run colon = ft("ls");
        assertThat(colon.exit()).isEqualTo(2);
        assertThat(colon.err()).contains("(BAD_CONFIG)").doesNotContain(token.substring(6));

        Files.writeString(config, "token = " + token + " trailing\n");
        Run spaces = ft("ls");
        assertThat(spaces.exit()).isEqualTo(2);
        assertThat(spaces.err()).contains("contains spaces").doesNotContain(token.substring(6));
    }

    @Test
    void theTokenCannotBeGivenOnTheCommandLine() {
        for (String flag : List.of("--token", "-t")) {
            Run r = ft(flag, token, "ls");
            assertThat(r.exit()).as(flag + ": " + r.err()).isEqualTo(2);
        }
        Run r = ft("ls", "--token=" + token);
        assertThat(r.exit()).isEqualTo(2);
    }

    @Test
    void batchWithoutATokenFailsEveryFileWithOneRefusedLogin() throws IOException {
        for (int i = 0; i < 6; i++) {
            Files.writeString(local.resolve("f" + i + ".txt"), "data " + i);
        }
        Run put = ft(
                "put",
                local.resolve("f0.txt").toString(),
                local.resolve("f1.txt").toString(),
                local.resolve("f2.txt").toString(),
                local.resolve("f3.txt").toString(),
                local.resolve("f4.txt").toString(),
                local.resolve("f5.txt").toString(),
                "in/",
                "-j",
                "1");
        assertThat(put.exit()).as(put.err()).isEqualTo(7);
        assertThat(put.err()).contains("UNAUTHORIZED");
        assertThat(root.resolve("alice/in")).doesNotExist();
    }

    @Test
    void putAndListGoToTheUsersRootOnly() throws IOException {
        env.put("FT_TOKEN", token);
        Path source = Files.writeString(local.resolve("up.txt"), "uploaded");
        Run put = ft("put", source.toString(), "up.txt");
        assertThat(put.exit()).as(put.err()).isZero();
        assertThat(root.resolve("alice/up.txt")).hasContent("uploaded");
        assertThat(root.resolve("up.txt")).doesNotExist();
        Run get = ft("get", "../top.txt", "-o", local.resolve("x").toString());
        assertThat(get.exit()).isEqualTo(7);
        assertThat(get.err()).contains("ACCESS_DENIED");
    }

    @Test
    void readOnlyUserIsRefusedUploadsWithExitSeven() throws IOException {
        Run add = ft("user", "add", "ci", "--users", users.toString(), "--read-only");
        assertThat(add.exit()).as(add.err()).isZero();
        env.put("FT_TOKEN", add.out().strip());
        Path source = Files.writeString(local.resolve("up.txt"), "uploaded");
        Run put = ft("put", source.toString(), "up.txt");
        assertThat(put.exit()).as(put.err()).isEqualTo(7);
        assertThat(put.err()).contains("ACCESS_DENIED");
        Run get = ft("get", "top.txt", "-o", local.resolve("top.txt").toString());
        assertThat(get.exit()).as(get.err()).isZero();
    }

    private static void setPrivate(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException noPosix) {
            // Not a POSIX file system: nothing to tighten.
        }
    }
}
