package ft.client;

import static ft.testing.FaultProxy.Direction.DOWNSTREAM;
import static ft.testing.FaultProxy.Direction.UPSTREAM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ft.protocol.ErrorCode;
import ft.protocol.HostPort;
import ft.protocol.Md5;
import ft.protocol.Response;
import ft.testing.FaultProxy;
import ft.testing.FaultProxy.Faults;
import ft.testing.ScriptedServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The ft command line against a real server on 127.0.0.1, through real files and sockets. */
class EndToEndTest extends CliHarness {
    private static long resumedAt(String stderr) {
        Matcher m = Pattern.compile("resuming at [^(]*\\((\\d+) bytes\\)").matcher(stderr);
        assertThat(m.find()).as("stderr says it resumes: " + stderr).isTrue();
        return Long.parseLong(m.group(1));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 10 * MIB})
    void roundTripsFilesOfAnySize(int size) throws IOException {
        byte[] data = random(size, size);
        Path source = Files.write(local.resolve("f.bin"), data);

        Run put = ft("put", source.toString(), "dir/f.bin");
        assertThat(put.exit()).as(put.err()).isZero();
        assertThat(put.out()).isEqualTo(md5(data) + "  dir/f.bin" + System.lineSeparator());
        assertThat(root.resolve("dir/f.bin")).hasBinaryContent(data);

        Path copy = local.resolve("copy.bin");
        Run get = ft("get", "dir/f.bin", "-o", copy.toString());
        assertThat(get.exit()).as(get.err()).isZero();
        assertThat(get.out()).isEqualTo(md5(data) + "  " + copy + System.lineSeparator());
        assertThat(copy).hasBinaryContent(data);
        assertThat(local.resolve(".copy.bin.ftpart")).doesNotExist();
        assertThat(partialFiles()).isZero();
    }

    @Test
    void resumesDownloadFromPartialFile() throws IOException {
        byte[] data = random(10 * MIB, 1);
        Files.write(Files.createDirectories(root).resolve("big.bin"), data);
        Path target = local.resolve("big.bin");

        try (FaultProxy proxy = FaultProxy.start(server.address(), Faults.none().cutAfter(DOWNSTREAM, 4 * MIB))) {
            Run cut = ft("-s", proxy.address(), "get", "--retries", "0", "big.bin", "-o", target.toString());
            assertThat(cut.exit()).as(cut.err()).isEqualTo(3);
            assertThat(cut.err()).contains("CONNECTION_LOST").contains("rerun");
        }
        assertThat(target).doesNotExist();
        long held = Files.size(local.resolve(".big.bin.ftpart"));
        assertThat(held).isBetween(1L, 4L * MIB);

        Run again = ft("get", "big.bin", "-o", target.toString());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(resumedAt(again.err())).isEqualTo(held);
        assertThat(target).hasBinaryContent(data);
        assertThat(local.resolve(".big.bin.ftpart")).doesNotExist();
        assertThat(local.resolve(".big.bin.ftpart.meta")).doesNotExist();
    }

    @Test
    void smallDownloadCutMidBodyKeepsItsBytesWithAMetaAndResumes() throws IOException {
        byte[] data = random(300_000, 2);
        Files.write(Files.createDirectories(root).resolve("small.bin"), data);
        Path target = local.resolve("small.bin");

        try (FaultProxy proxy = FaultProxy.start(server.address(), Faults.none().cutAfter(DOWNSTREAM, 150_000))) {
            Run cut = ft("-s", proxy.address(), "get", "--retries", "0", "small.bin", "-o", target.toString());
            assertThat(cut.exit()).as(cut.err()).isEqualTo(3);
        }
        assertThat(target).doesNotExist();
        long held = Files.size(local.resolve(".small.bin.ftpart"));
        assertThat(held).isBetween(1L, 150_000L);
        assertThat(local.resolve(".small.bin.ftpart.meta")).exists();

        Run again = ft("get", "small.bin", "-o", target.toString());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(resumedAt(again.err())).isEqualTo(held);
        assertThat(target).hasBinaryContent(data);
        assertThat(local.resolve(".small.bin.ftpart")).doesNotExist();
        assertThat(local.resolve(".small.bin.ftpart.meta")).doesNotExist();
    }

    @Test
    void smallBodyInFlightHasNoMetaFileUntilItIsCutShort() throws Exception {
        byte[] body = "short".getBytes();
        Response.GetOk header = new Response.GetOk("x.bin", 100, new Md5(md5(body)), 0);
        Path part = local.resolve(".x.bin.ftpart");
        Path meta = local.resolve(".x.bin.ftpart.meta");
        // An orphan meta of another version (its partial gone): it must not outlive the new bytes.
        Files.writeString(
                meta,
                "{\"server\":\"elsewhere:1\",\"path\":\"x.bin\",\"size\":100,\"md5\":\"" + md5("other".getBytes())
                        + "\"}");
        try (ScriptedServer s = new ScriptedServer(ScriptedServer.getAnswer(header, body))) {
            Run[] run = new Run[1];
            Thread client = Thread.ofPlatform().start(() -> run[0] = getFrom(s, local.resolve("x.bin")));
            await("the body in the partial file")
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(2))
                    .until(() -> Files.exists(part) && Files.size(part) == body.length);
            assertThat(part).hasBinaryContent(body);
            assertThat(meta).as("a small body in flight needs no meta").doesNotExist();
            assertThat(client.join(Duration.ofSeconds(30))).isTrue();
            assertThat(run[0].exit()).as(run[0].err()).isEqualTo(3);
        }
        assertThat(meta).as("a cut body is kept with what it is, for a rerun").exists();
        assertThat(part).hasBinaryContent(body);
    }

    @Test
    void aSmallFileGoesInOneEagerExchangeToAServerThatTakesIt() throws IOException {
        byte[] data = "small and eager".getBytes();
        Path source = Files.write(local.resolve("s.txt"), data);
        Md5 md5 = new Md5(md5(data));
        Response.HelloOk hello =
                new Response.HelloOk(1, "scripted", new Response.Limits(1 << 20, 1 << 20, false, true));
        // Only the verdict is scripted: a client waiting for an offset first would choke on it.
        byte[] notThere = ScriptedServer.frames(new Response.Error(ErrorCode.NOT_FOUND, "no such file"));
        try (ScriptedServer s = new ScriptedServer(hello, notThere, ScriptedServer.frames(new Response.PutDone(md5)))) {
            Run run = ft("-s", s.address(), "put", "--retries", "0", source.toString(), "s.txt");
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(s.request()).contains("\"eager\":true").contains("\"size\":" + data.length);
        }
    }

    @Test
    void aServerThatDoesNotSayEagerPutGetsTheClassicExchange() throws IOException {
        byte[] data = "small, classic".getBytes();
        Path source = Files.write(local.resolve("s.txt"), data);
        Md5 md5 = new Md5(md5(data));
        Response.HelloOk hello = new Response.HelloOk(1, "older", new Response.Limits(1 << 20, 1 << 20, false));
        byte[] notThere = ScriptedServer.frames(new Response.Error(ErrorCode.NOT_FOUND, "no such file"));
        try (ScriptedServer s = new ScriptedServer(
                hello, notThere, ScriptedServer.frames(new Response.PutReady(0), new Response.PutDone(md5)))) {
            Run run = ft("-s", s.address(), "put", "--retries", "0", source.toString(), "s.txt");
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(s.request()).doesNotContain("eager");
        }
    }

    @Test
    void aFileTheServerHashesForLongerThanTheTimeoutIsWaitedForNotTimedOut() throws Exception {
        long size = 1L << 30; // sparse; hashing it takes over a second at any MD5 speed
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(
                Files.createDirectories(root).resolve("big.bin").toFile(), "rw")) {
            f.setLength(size);
        }
        HostPort at = new HostPort("127.0.0.1", server.address().getPort());
        try (FtClient client = FtClient.connect(at, java.time.Duration.ofMillis(600))) {
            java.util.List<Response.Wait> waits = new java.util.ArrayList<>();
            Response.StatOk stat = client.stat("big.bin", waits::add);

            assertThat(stat.size()).isEqualTo(size);
            assertThat(stat.md5()).isNotNull();
            assertThat(waits)
                    .as("the server kept the 600 ms timeout from firing")
                    .isNotEmpty()
                    .allSatisfy(w -> assertThat(w.total()).isEqualTo(size));
        }
    }

    @Test
    void aWaitFrameFromAServerThatNeverOfferedThemIsRefused() throws IOException {
        Response.HelloOk hello = new Response.HelloOk(1, "older", new Response.Limits(1 << 20, 1 << 20, false, true));
        try (ScriptedServer s = new ScriptedServer(hello, ScriptedServer.frames(new Response.Wait(1, 2)))) {
            Run run = ft(
                    "-s",
                    s.address(),
                    "get",
                    "--retries",
                    "0",
                    "x.bin",
                    "-o",
                    local.resolve("x.bin").toString());
            assertThat(run.exit()).as(run.err()).isNotZero();
            assertThat(run.err()).contains("wait frame");
            assertThat(s.request()).doesNotContain("keepalive_ms");
            assertThat(local.resolve("x.bin")).doesNotExist();
        }
    }

    @Test
    void resumesUploadAfterConnectionCut() throws IOException {
        byte[] data = random(10 * MIB, 2);
        Path source = Files.write(local.resolve("up.bin"), data);

        try (FaultProxy proxy = FaultProxy.start(server.address(), Faults.none().cutAfter(UPSTREAM, 3 * MIB))) {
            Run cut = ft("-s", proxy.address(), "put", "--retries", "0", source.toString());
            assertThat(cut.exit()).as(cut.err()).isEqualTo(3);
        }
        awaitServerIdle();
        assertThat(root.resolve("up.bin")).doesNotExist();

        Run again = ft("put", source.toString());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(resumedAt(again.err())).isBetween(1L, 3L * MIB);
        assertThat(root.resolve("up.bin")).hasBinaryContent(data);
        assertThat(partialFiles()).isZero();
    }

    @Test
    void restartsFromZeroWhenServerFileChangedSincePartial() throws IOException {
        byte[] old = random(4 * MIB, 3);
        byte[] replacement = random(4 * MIB, 4);
        Files.write(Files.createDirectories(root).resolve("f.bin"), old);
        Path target = local.resolve("f.bin");
        try (FaultProxy proxy = FaultProxy.start(server.address(), Faults.none().cutAfter(DOWNSTREAM, MIB))) {
            assertThat(ft("-s", proxy.address(), "get", "--retries", "0", "f.bin", "-o", target.toString())
                            .exit())
                    .isEqualTo(3);
        }
        Files.write(root.resolve("f.bin"), replacement);

        Run again = ft("get", "f.bin", "-o", target.toString());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.err()).contains("changed on the server").doesNotContain("resuming at");
        assertThat(target).hasBinaryContent(replacement);
    }

    @Test
    void noResumeStartsOverDespitePartial() throws IOException {
        byte[] data = random(2 * MIB, 5);
        Files.write(Files.createDirectories(root).resolve("f.bin"), data);
        Path target = local.resolve("f.bin");
        try (FaultProxy proxy = FaultProxy.start(server.address(), Faults.none().cutAfter(DOWNSTREAM, MIB))) {
            assertThat(ft("-s", proxy.address(), "get", "--retries", "0", "f.bin", "-o", target.toString())
                            .exit())
                    .isEqualTo(3);
        }
        Run again = ft("get", "--no-resume", "f.bin", "-o", target.toString());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.err()).doesNotContain("resuming");
        assertThat(target).hasBinaryContent(data);
    }

    @Test
    void corruptedDownloadExitsFiveAndKeepsOldLocalFile() throws IOException {
        byte[] data = random(2 * MIB, 6);
        Files.write(Files.createDirectories(root).resolve("f.bin"), data);
        Path target = Files.writeString(local.resolve("f.bin"), "previous local version");

        try (FaultProxy proxy = FaultProxy.start(server.address(), Faults.none().flipAt(DOWNSTREAM, MIB))) {
            Run run = ft("-s", proxy.address(), "get", "--retries", "0", "f.bin", "-o", target.toString());
            assertThat(run.exit()).as(run.err()).isEqualTo(5);
            assertThat(run.err()).startsWith("ft: get f.bin: ").contains("(CHECKSUM_MISMATCH)");
        }
        assertThat(target).hasContent("previous local version");
        assertThat(local.resolve(".f.bin.ftpart")).doesNotExist();
    }

    @Test
    void corruptedUploadExitsFiveAndLeavesServerVersionIntact() throws IOException {
        Files.writeString(Files.createDirectories(root).resolve("f.bin"), "server's old version");
        Path source = Files.write(local.resolve("f.bin"), random(2 * MIB, 7));

        try (FaultProxy proxy = FaultProxy.start(server.address(), Faults.none().flipAt(UPSTREAM, MIB))) {
            Run run = ft("-s", proxy.address(), "put", "--retries", "0", source.toString());
            assertThat(run.exit()).as(run.err()).isEqualTo(5);
            assertThat(run.err()).contains("(CHECKSUM_MISMATCH)");
        }
        assertThat(root.resolve("f.bin")).hasContent("server's old version");
        assertThat(partialFiles()).isZero();
    }

    @Test
    void exitCodesTellScriptsWhatWentWrong() throws IOException {
        Files.writeString(Files.createDirectories(root).resolve("here.txt"), "x");
        assertThat(ft("get", "missing.txt", "-o", local.resolve("m").toString()).exit())
                .isEqualTo(4);
        assertThat(ft("get", "../etc/passwd", "-o", local.resolve("p").toString())
                        .exit())
                .isEqualTo(7);
        assertThat(ft("put", local.resolve("no-such-file").toString()).exit()).isEqualTo(6);
        Path aFile = Files.writeString(local.resolve("a-file"), "not a directory");
        assertThat(ft("get", "here.txt", "-o", aFile.resolve("x").toString()).exit())
                .isEqualTo(6);
        assertThat(ft("get").exit()).isEqualTo(2);
        assertThat(ft("frobnicate").exit()).isEqualTo(2);
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Run refused = ft("-s", "127.0.0.1:" + closedPort, "get", "here.txt");
        assertThat(refused.exit()).isEqualTo(3);
        // Each of the 3 retries says so before the one error line.
        assertThat(refused.err())
                .matches("(ft: retrying in \\d+ ms: cannot connect\\R){3}"
                        + "ft: get here.txt: cannot connect to .*\\(CONNECT_FAILED\\)\\R");
    }

    @Test
    void serveExplainsWhyItCannotStart() throws IOException {
        Run busyPort = ft(
                "serve",
                "--root",
                tmp.resolve("other").toString(),
                "--listen",
                "127.0.0.1:" + server.address().getPort());
        assertThat(busyPort.exit()).isEqualTo(1);
        assertThat(busyPort.err())
                .startsWith("ft: serve: cannot listen on 127.0.0.1:")
                .contains("(LISTEN_FAILED)");

        Path file = Files.writeString(tmp.resolve("plain-file"), "x");
        Run notADirectory = ft("serve", "--root", file.toString(), "--listen", "127.0.0.1:0");
        assertThat(notADirectory.exit()).isEqualTo(6);
        assertThat(notADirectory.err()).contains("not a directory (LOCAL_IO)");
    }

    @Test
    void pingReportsRoundTripAndClockOffsetOfTheServer() {
        Run run = ft("ping", "-c", "2");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out())
                .matches("127\\.0\\.0\\.1:\\d+: 2/2 replies, rtt min .* ms median .* ms, clock offset [+-]\\d+ ms\\R");
    }

    @Test
    void everyCommandHasHelpWithExamplesThatExitsZero() {
        for (String command :
                new String[] {"get", "put", "ls", "stat", "rm", "mkdir", "mv", "ping", "serve", "completion"}) {
            Run help = ft(command, "--help");
            assertThat(help.exit()).as(command).isZero();
            assertThat(help.out()).as(command).contains("Usage: ft " + command).contains("Examples:");
        }
        assertThat(ft("--help").out())
                .contains("Exit codes:")
                .contains("8 some files of a batch failed")
                .contains("130 interrupted (Ctrl-C)");
    }

    @Test
    void configFileSuppliesTheServerUnlessEnvironmentOrFlagSaysOtherwise() throws IOException {
        Files.writeString(Files.createDirectories(root).resolve("a.txt"), "hello");
        String address = env.remove("FT_SERVER");
        Path config = Files.createDirectories(tmp.resolve("config/ft")).resolve("config");
        Files.writeString(config, "# written by a test\nserver = " + address + "\nretries = 0\n");
        assertThat(ft("get", "a.txt", "-o", local.resolve("1").toString()).exit())
                .isZero();

        env.put("FT_SERVER", "127.0.0.1:1");
        assertThat(ft("get", "a.txt", "-o", local.resolve("2").toString()).exit())
                .isEqualTo(3);
        assertThat(ft("-s", address, "get", "a.txt", "-o", local.resolve("3").toString())
                        .exit())
                .isZero();

        Files.writeString(config, "sevrer = x\n");
        Run typo = ft("get", "a.txt");
        assertThat(typo.exit()).isEqualTo(2);
        assertThat(typo.err()).contains("unknown key 'sevrer'");
    }

    @Test
    void remoteFileManagementFromTheCommandLine() throws IOException {
        assertThat(ft("mkdir", "-p", "a/b").exit()).isZero();
        Files.writeString(root.resolve("a/b/f.txt"), "x");
        assertThat(ft("mkdir", "a").exit()).isEqualTo(1);
        assertThat(ft("ls", "a").out()).isEqualTo("b/" + System.lineSeparator());
        Run longForm = ft("ls", "-l", "a/b");
        assertThat(longForm.out()).matches("- +1 \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d f\\.txt\\R");
        assertThat(ft("ls", "--json", "a/b").out()).startsWith("{\"name\":\"f.txt\",\"type\":\"file\",\"size\":1,");
        assertThat(ft("stat", "a/b/f.txt").out()).contains("md5:   " + md5("x".getBytes()));
        assertThat(ft("mv", "a/b/f.txt", "a/g.txt").exit()).isZero();
        assertThat(root.resolve("a/g.txt")).hasContent("x");
        Run notEmpty = ft("rm", "a");
        assertThat(notEmpty.exit()).isEqualTo(1);
        assertThat(notEmpty.err()).contains("(NOT_EMPTY)");
        assertThat(ft("rm", "-r", "a").exit()).isZero();
        assertThat(root.resolve("a")).doesNotExist();
        assertThat(ft("ls").out()).isEmpty();
    }

    @Test
    void errorIsOneLineNamingWhatFailedWhyAndCode() {
        Run run = ft("get", "nope/missing.txt", "-o", local.resolve("x").toString());
        assertThat(run.err())
                .isEqualTo("ft: get nope/missing.txt: 'nope/missing.txt' does not exist (NOT_FOUND)"
                        + System.lineSeparator());
        assertThat(run.out()).isEmpty();
    }

    @Test
    void serverOptionWorksBeforeAndAfterSubcommandAndOverridesEnvironment() throws IOException {
        Files.writeString(Files.createDirectories(root).resolve("a.txt"), "hello");
        String address = env.remove("FT_SERVER");
        env.put("FT_SERVER", "127.0.0.1:1");
        assertThat(ft("-s", address, "get", "a.txt", "-o", local.resolve("1").toString())
                        .exit())
                .isZero();
        assertThat(ft("get", "a.txt", "-s", address, "-o", local.resolve("2").toString())
                        .exit())
                .isZero();
        assertThat(ft("get", "a.txt", "-o", local.resolve("3").toString()).exit())
                .isEqualTo(3);
        assertThat(local.resolve("2")).hasContent("hello");
    }

    @Test
    void getIntoDirectoryUsesRemoteBaseName() throws IOException {
        Files.writeString(Files.createDirectories(root.resolve("d")).resolve("a.txt"), "hello");
        assertThat(ft("get", "d/a.txt", "-o", local + "/new/").exit()).isZero();
        assertThat(local.resolve("new/a.txt")).hasContent("hello");
        assertThat(ft("get", "d/a.txt", "-o", local.toString()).exit()).isZero();
        assertThat(local.resolve("a.txt")).hasContent("hello");
    }

    @Test
    void putIntoRemoteDirectoryKeepsLocalName() throws IOException {
        Path source = Files.writeString(local.resolve("r.txt"), "report");
        Run run = ft("put", source.toString(), "q3/");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(root.resolve("q3/r.txt")).hasContent("report");
    }

    // ---------------------------------------------------------------- malicious servers

    private Run getFrom(ScriptedServer s, Path target) {
        return ft("-s", s.address(), "--timeout", "5", "get", "--retries", "0", "x.bin", "-o", target.toString());
    }

    @Test
    void refusesServerNamesThatCouldEscapeTheTarget() throws IOException {
        byte[] body = "evil".getBytes();
        for (String name : new String[] {"../evil", "/etc/evil", "a/b", "..", "c:evil", "a\\b", ""}) {
            Response.GetOk header = new Response.GetOk(name, body.length, new Md5(md5(body)), 0);
            try (ScriptedServer s = new ScriptedServer(ScriptedServer.getAnswer(header, body))) {
                Run run = getFrom(s, local.resolve("x.bin"));
                assertThat(run.exit()).as(name + ": " + run.err()).isEqualTo(1);
                assertThat(run.err()).contains("BAD_RESPONSE");
            }
        }
        try (Stream<Path> all = Files.walk(tmp)) {
            assertThat(all.filter(p -> p.getFileName().toString().contains("evil")))
                    .isEmpty();
        }
        assertThat(local.resolve("x.bin")).doesNotExist();
    }

    /** {@code ft get x.bin} from a server that answers {@code answer} exits {@code exit}, saying {@code why}, and writes nothing. */
    private void assertGetFailsWritingNothing(byte[] answer, int exit, String why) throws IOException {
        try (ScriptedServer s = new ScriptedServer(answer)) {
            Run run = getFrom(s, local.resolve("x.bin"));
            assertThat(run.exit()).as(run.err()).isEqualTo(exit);
            assertThat(run.err()).contains(why);
        }
        assertThat(local.resolve("x.bin")).doesNotExist();
    }

    @Test
    void refusesServerSendingMoreBytesThanAnnounced() throws IOException {
        byte[] body = "twelve bytes".getBytes();
        Response.GetOk header = new Response.GetOk("x.bin", 6, new Md5(md5("twelve".getBytes())), 0);
        assertGetFailsWritingNothing(ScriptedServer.getAnswer(header, body), 1, "more bytes");
    }

    @Test
    void serverSendingFewerBytesThanAnnouncedIsALostConnection() throws IOException {
        byte[] body = "short".getBytes();
        Response.GetOk header = new Response.GetOk("x.bin", 100, new Md5(md5(body)), 0);
        byte[] answer = ScriptedServer.getAnswer(header, body);
        // The scripted server keeps the connection open; the client's timeout ends the wait.
        assertGetFailsWritingNothing(answer, 3, "TIMEOUT");
    }

    @Test
    void refusesWrongOffsetEcho() throws IOException {
        byte[] body = "abcdef".getBytes();
        Response.GetOk header = new Response.GetOk("x.bin", 6, new Md5(md5(body)), 3);
        assertGetFailsWritingNothing(ScriptedServer.getAnswer(header, "def".getBytes()), 1, "offset 3");
    }

    @Test
    void stalledServerTimesOutWithExitThree() throws IOException {
        try (ScriptedServer s = new ScriptedServer(new byte[0])) {
            Run run = ft(
                    "-s",
                    s.address(),
                    "--timeout",
                    "1",
                    "get",
                    "--retries",
                    "0",
                    "x.bin",
                    "-o",
                    local.resolve("x").toString());
            assertThat(run.exit()).isEqualTo(3);
            assertThat(run.err()).contains("sent nothing for 1 s").contains("(TIMEOUT)");
        }
    }
}
