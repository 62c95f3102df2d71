package ft.client;

import static ft.testing.FaultProxy.Direction.DOWNSTREAM;
import static org.assertj.core.api.Assertions.assertThat;

import ft.testing.FaultProxy;
import ft.testing.FaultProxy.Faults;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the command line makes of its path arguments: the destination is never a guess, empty
 * arguments are usage errors, remote paths are accepted as a shell user types them, and any
 * name the server takes can be fetched back.
 */
class DestinationsAndPathsTest extends CliHarness {
    private static final byte[] A = "a's bytes".getBytes(StandardCharsets.UTF_8);
    private static final byte[] B = "b's bytes, longer".getBytes(StandardCharsets.UTF_8);

    // ------------------------------------------------------------------ empty arguments (item 3)

    @Test
    void anEmptyDestinationIsAUsageErrorAndUploadsNothing() throws IOException {
        Path a = localFile("a.txt", A);
        Run run = ft("put", a.toString(), "");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("ft: put: an empty argument is not a remote path\nft: see 'ft put --help'\n");
        assertThat(rootEntries()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"rm", "mkdir", "stat", "ls", "get"})
    void anEmptyPathIsAUsageErrorOfOneLine(String command) {
        Run run = ft(command, "");
        assertThat(run.exit()).as(run.err()).isEqualTo(2);
        assertThat(run.err())
                .isEqualTo("ft: " + command + ": an empty argument is not a remote path\n" + "ft: see 'ft " + command
                        + " --help'\n");
    }

    @Test
    void anEmptySourceOfMvIsAUsageError() throws IOException {
        remoteFile("x", A);
        Run run = ft("mv", "", "x");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("ft: mv: an empty argument is not a remote path\n");
        assertThat(root.resolve("x")).hasBinaryContent(A);
    }

    // ------------------------------------------------------------------ the destination of put (item 4)

    @Test
    void aGlobThatMatchedTwoLocalFilesIsNotReadAsFileAndNewName() throws IOException {
        Path a = localFile("a.csv", A);
        Path b = localFile("b.csv", B);
        Run run = ft("put", a.toString(), b.toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err())
                .contains("exists here, so it is not taken as the remote destination")
                .contains("-t DIR")
                .contains("-T");
        assertThat(rootEntries()).isEmpty();
    }

    @Test
    void aLastArgumentThatIsALocalDirectoryIsNotTakenForTheRemoteOne() throws IOException {
        Path a = localFile("a.csv", A);
        Path c = localFile("c.csv", B);
        Path data = Files.createDirectories(local.resolve("data"));
        Run run = ft("put", a.toString(), c.toString(), data.toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("'" + data + "' exists here");
        assertThat(rootEntries()).isEmpty();
    }

    @Test
    void targetDirectoryTakesEveryArgumentAsASource() throws IOException {
        Path a = localFile("a.csv", A);
        Path b = localFile("b.csv", B);
        Run run = ft("put", "-t", "data", a.toString(), b.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(root.resolve("data/a.csv")).hasBinaryContent(A);
        assertThat(root.resolve("data/b.csv")).hasBinaryContent(B);
    }

    @Test
    void noTargetDirectoryUploadsUnderTheNameEvenIfALocalFileHasIt() throws IOException {
        Path a = localFile("a.csv", A);
        Path b = localFile("b.csv", B);
        Run run = ft("put", "-T", a.toString(), b.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(root.resolve(b.toString().substring(1))).hasBinaryContent(A);
    }

    @Test
    void aLastArgumentThatExistsNowhereHereIsTheDestination() throws IOException {
        Path a = localFile("a.csv", A);
        Path c = localFile("c.csv", B);
        assertThat(ft("put", a.toString(), "renamed.csv").exit()).isZero();
        assertThat(root.resolve("renamed.csv")).hasBinaryContent(A);
        assertThat(ft("put", a.toString(), c.toString(), "into").exit()).isZero();
        assertThat(root.resolve("into/a.csv")).hasBinaryContent(A);
        assertThat(root.resolve("into/c.csv")).hasBinaryContent(B);
        assertThat(ft("put", a.toString(), "dir/").exit()).isZero();
        assertThat(root.resolve("dir/a.csv")).hasBinaryContent(A);
    }

    // ------------------------------------------------------------------ the destination of get (item 4)

    @Test
    void aLastArgumentOfGetThatIsOnlyALocalDirectoryIsRefusedBeforeAnythingMoves() throws IOException {
        remoteFile("a.txt", A);
        remoteFile("b.txt", B);
        Path data = Files.createDirectories(local.resolve("data"));
        Run run = ft("get", "a.txt", "b.txt", data.toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err())
                .contains("is a local directory, not a remote path")
                .contains("-t " + data);
        assertThat(data).isEmptyDirectory();
        assertThat(Path.of("a.txt")).doesNotExist();

        Run into = ft("get", "a.txt", "b.txt", "-t", data.toString());
        assertThat(into.exit()).as(into.err()).isZero();
        assertThat(data.resolve("a.txt")).hasBinaryContent(A);
        assertThat(data.resolve("b.txt")).hasBinaryContent(B);
    }

    // ------------------------------------------------------------------ names copied from ls (item 6)

    @Test
    void pathsAsAShellUserTypesThemAreCleanedBeforeTheyAreSent() throws IOException {
        remoteFile("logs/app.log", A);
        remoteFile("a.txt", B);
        assertThat(ft("ls", "logs/").out()).isEqualTo("app.log\n");
        assertThat(ft("ls", "/").out()).isEqualTo("a.txt\nlogs/\n");
        assertThat(ft("ls", "./logs//").out()).isEqualTo("app.log\n");
        assertThat(ft("stat", "logs/").out()).contains("type:  dir");
        Run get = ft("get", "./a.txt", "-o", local.resolve("a.txt").toString());
        assertThat(get.exit()).as(get.err()).isZero();
        assertThat(local.resolve("a.txt")).hasBinaryContent(B);
        Run tree = ft("get", "-r", "logs/", "-o", local.resolve("copy").toString());
        assertThat(tree.exit()).as(tree.err()).isZero();
        assertThat(local.resolve("copy/logs/app.log")).hasBinaryContent(A);
        assertThat(ft("mkdir", "newd/").exit()).isZero();
        assertThat(root.resolve("newd")).isDirectory();
        assertThat(ft("get", "/a.txt", "-o", local.resolve("b.txt").toString()).exit())
                .isZero();
    }

    @Test
    void mvIntoADirectoryThatDoesNotExistIsAnErrorNotARename() throws IOException {
        remoteFile("a.csv", A);
        Run run = ft("mv", "a.csv", "newd/");
        assertThat(run.exit()).isEqualTo(4);
        assertThat(run.err()).contains("no directory 'newd'").contains("(NOT_FOUND)");
        assertThat(root.resolve("a.csv")).hasBinaryContent(A);
        assertThat(root.resolve("newd")).doesNotExist();

        Files.createDirectories(root.resolve("newd"));
        assertThat(ft("mv", "a.csv", "newd/").exit()).isZero();
        assertThat(root.resolve("newd/a.csv")).hasBinaryContent(A);
    }

    @Test
    void mvIntoSomethingThatIsNotADirectoryLeavesBothAlone() throws IOException {
        remoteFile("a.csv", A);
        remoteFile("plain", B);
        Run run = ft("mv", "a.csv", "plain/");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("(NOT_A_DIRECTORY)");
        assertThat(root.resolve("plain")).hasBinaryContent(B);
        assertThat(root.resolve("a.csv")).hasBinaryContent(A);
    }

    @Test
    void theRootIsNotARemoteFile() {
        Run rm = ft("rm", "-r", "/");
        assertThat(rm.exit()).isEqualTo(2);
        assertThat(rm.err()).contains("is the served root");
        assertThat(ft("get", "/").err()).contains("use -r to download all of it");
    }

    // ------------------------------------------------------------------ long names (item 5)

    @ParameterizedTest
    @ValueSource(ints = {230, 243, 250, 255})
    void anyNameTheServerAcceptsDownloads(int length) throws IOException {
        String name = "n".repeat(length - 4) + ".bin";
        byte[] data = random(2 * MIB, length); // large enough to write its meta before the body
        Path source = localFile("src.bin", data);
        Run put = ft("put", source.toString(), name);
        assertThat(put.exit()).as(put.err()).isZero();
        Path out = Files.createDirectories(local.resolve("out"));
        Run get = ft("get", name, "-o", out.toString());
        assertThat(get.exit()).as(get.err()).isZero();
        assertThat(out.resolve(name)).hasBinaryContent(data);
        try (Stream<Path> left = Files.list(out)) {
            assertThat(left).containsExactly(out.resolve(name));
        }
    }

    @Test
    void anInterruptedDownloadOfALongNameResumes() throws IOException {
        String name = "é".repeat(126) + ".b"; // 254 bytes of UTF-8
        byte[] data = random(4 * MIB, 9);
        remoteFile(name, data);
        Path out = Files.createDirectories(local.resolve("out"));
        try (FaultProxy proxy = FaultProxy.start(server.address(), Faults.none().cutAfter(DOWNSTREAM, 2 * MIB))) {
            assertThat(ft("-s", proxy.address(), "get", "--retries", "0", name, "-o", out.toString())
                            .exit())
                    .isEqualTo(3);
        }
        try (Stream<Path> held = Files.list(out)) {
            assertThat(held.map(p -> p.getFileName().toString()))
                    .allMatch(n -> n.getBytes(StandardCharsets.UTF_8).length <= 255)
                    .anyMatch(n -> n.endsWith(".ftpart"));
        }
        Run again = ft("get", name, "-o", out.toString());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.err()).contains("resuming at");
        assertThat(out.resolve(name)).hasBinaryContent(data);
    }
}
