package ft.client;

import static org.assertj.core.api.Assertions.assertThat;

import ft.cli.Main;
import ft.protocol.EntryType;
import ft.protocol.ErrorCode;
import ft.protocol.ListItem;
import ft.protocol.Md5;
import ft.protocol.Request;
import ft.protocol.Response;
import ft.testing.ScriptedServer;
import ft.testing.ScriptedServer.Reply;
import ft.transfer.Body;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ft command line against a server that lies (issue 4, point 6: the malicious server
 * against the client; compare scp's CVE-2019-6111). The local file name is the client's choice
 * alone, listings cannot steer files out of the output directory, and a body that disagrees
 * with its header is never put under the target name.
 *
 * <p>Layout: {@code tmp/out} is where downloads go; {@code tmp/outside} and {@code tmp/top.txt}
 * are sentinels. After every case nothing outside {@code tmp/out} (and the client's own cache
 * under {@code tmp/home}) exists that did not exist before, and the sentinels are unchanged.
 */
class MaliciousServerTest {
    private static final byte[] EVIL = "evil".getBytes(StandardCharsets.UTF_8);
    private static final byte[] SENTINEL =
            "SENTINEL: a malicious server must never overwrite me\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;

    private Path out;
    private Path outside;
    private Path home;
    private final Map<String, String> env = new HashMap<>();
    private Map<String, String> before;
    private ScriptedServer server;

    record Run(int exit, String out, String err) {}

    @BeforeEach
    void layout() throws IOException {
        out = Files.createDirectories(tmp.resolve("out"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        home = Files.createDirectories(tmp.resolve("home"));
        Files.write(outside.resolve("sentinel.txt"), SENTINEL);
        Files.write(outside.resolve("evil"), SENTINEL);
        Files.write(tmp.resolve("top.txt"), SENTINEL);
        env.put("HOME", home.toString());
        env.put("XDG_CACHE_HOME", home.resolve(".cache").toString());
        env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        env.put("FT_RETRY_BACKOFF_MS", "1");
        before = snapshotOutsideOut();
    }

    @AfterEach
    void nothingOutsideTheOutputDirectoryChanged() throws IOException {
        try {
            assertThat(Files.readAllBytes(outside.resolve("sentinel.txt"))).isEqualTo(SENTINEL);
            assertThat(Files.readAllBytes(outside.resolve("evil"))).isEqualTo(SENTINEL);
            assertThat(Files.readAllBytes(tmp.resolve("top.txt"))).isEqualTo(SENTINEL);
            assertThat(snapshotOutsideOut())
                    .as("files outside the output directory")
                    .isEqualTo(before);
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    /** Everything under tmp but the output directory and the client's own home. */
    private Map<String, String> snapshotOutsideOut() throws IOException {
        Map<String, String> all = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(tmp)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (p.startsWith(out) || p.startsWith(home)) {
                    continue;
                }
                String rel = tmp.relativize(p).toString();
                all.put(
                        rel,
                        Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                                ? "dir"
                                : Files.size(p) + " " + md5(Files.readAllBytes(p)));
            }
        }
        return all;
    }

    /** Relative path → size of every regular file under the output directory. */
    private Map<String, Long> filesInOut() throws IOException {
        Map<String, Long> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(out)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    files.put(out.relativize(p).toString(), Files.size(p));
                }
            }
        }
        return files;
    }

    private Run ft(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int exit = Main.run(args, new PrintWriter(o), new PrintWriter(e), env);
        return new Run(exit, o.toString(), e.toString());
    }

    private Run against(Function<Request, Reply> script, String... args) throws IOException {
        return against(5, script, args);
    }

    /** Runs ft against a new hostile server; {@code timeout} bounds every wait of the client. */
    private Run against(int timeout, Function<Request, Reply> script, String... args) throws IOException {
        server = new ScriptedServer(script);
        String[] all = new String[args.length + 4];
        all[0] = "-s";
        all[1] = server.address();
        all[2] = "--timeout";
        all[3] = String.valueOf(timeout);
        System.arraycopy(args, 0, all, 4, args.length);
        return ft(all);
    }

    /** {@code ft get --retries 0 x.bin -o out/x.bin} against a new hostile server. */
    private Run getX(Function<Request, Reply> script) throws IOException {
        return getX(5, script);
    }

    private Run getX(int timeout, Function<Request, Reply> script) throws IOException {
        return against(
                timeout,
                script,
                "get",
                "--retries",
                "0",
                "x.bin",
                "-o",
                out.resolve("x.bin").toString());
    }

    /** {@code ft get --retries 0 PATTERN -o out} against a new hostile server. */
    private Run getPattern(String pattern, Function<Request, Reply> script) throws IOException {
        return against(script, "get", "--retries", "0", pattern, "-o", out.toString());
    }

    /** A script that answers every get with {@code reply} and anything else not at all. */
    private static Function<Request, Reply> onGet(Reply reply) {
        return r -> r instanceof Request.Get ? reply : null;
    }

    private static void assertBadResponse(Run run) {
        assertThat(run.exit()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains("(BAD_RESPONSE)");
    }

    /** Refused as a bad response before a single get was sent, and nothing was written. */
    private void assertRefusedBeforeAnyGet(Run run) throws IOException {
        assertBadResponse(run);
        assertThat(gets()).as("refused before downloading anything").isZero();
        assertThat(filesInOut()).isEmpty();
    }

    private static String md5(byte[] data) {
        return Md5.of(Body.newMd5().digest(data)).hex();
    }

    private static byte[] getAnswer(String name, long size, Md5 md5, long offset, byte[] body) {
        return ScriptedServer.frames(new Response.GetOk(name, size, md5, offset), body);
    }

    private long gets() {
        return server.requests().stream().filter(r -> r instanceof Request.Get).count();
    }

    // ================================================================== hostile names in a get answer

    static Stream<Arguments> hostileNames() {
        return Stream.of(
                        "../evil",
                        "../../outside/evil",
                        "<abs>/outside/evil",
                        "sub/evil",
                        "..",
                        ".",
                        "",
                        "C:evil",
                        "c:\\evil",
                        "..\\evil",
                        "evil\n",
                        "evil\u0000",
                        "evil\u001b[2J",
                        "evil/")
                .map(name -> Arguments.of(visible(name), name));
    }

    /** Control characters as \\uXXXX, so test names stay printable. */
    static String visible(String s) {
        StringBuilder b = new StringBuilder();
        s.chars()
                .forEach(c -> b.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return b.toString();
    }

    @ParameterizedTest(name = "name [{0}]")
    @MethodSource("hostileNames")
    void getAnswerNamingAnotherPlaceIsRefusedAndNothingIsWritten(String shown, String template) throws IOException {
        String name = template.replace("<abs>", tmp.toString());
        Run run = getX(onGet(Reply.keepOpen(getAnswer(name, EVIL.length, new Md5(md5(EVIL)), 0, EVIL))));
        assertBadResponse(run);
        assertThat(run.out()).isEmpty();
        assertThat(filesInOut()).as("not even a partial").isEmpty();
    }

    // ================================================================== hostile listings

    /** A server with directory {@code d} whose find answer lists {@code d/ok.txt} and {@code evil}. */
    private Function<Request, Reply> treeWith(String evil) {
        return r -> switch (r) {
            case Request.Stat s ->
                Reply.keepOpen(ScriptedServer.frames(new Response.StatOk("d", EntryType.DIR, 0, 0, null)));
            case Request.Find f -> Reply.keepOpen(ScriptedServer.listing(List.of("d/ok.txt", evil)));
            case Request.Get g ->
                Reply.keepOpen(getAnswer(
                        g.path().substring(g.path().lastIndexOf('/') + 1), EVIL.length, new Md5(md5(EVIL)), 0, EVIL));
            default -> null;
        };
    }

    static Stream<Arguments> listingsLeavingTheOutputDirectory() {
        return Stream.concat(
                Stream.of(
                                "d/../../outside/evil",
                                "d/../../../outside/evil",
                                "<abs>/outside/evil",
                                "outside/evil",
                                "d/..\\..\\outside\\evil",
                                "d/./evil",
                                "d//evil",
                                "d/sub/..")
                        .map(evil -> Arguments.of("get -r d", evil)),
                Stream.of(
                                "../evil.x",
                                "../../outside/evil.x",
                                "<abs>/outside/evil.x",
                                "sub/..\\..\\evil.x",
                                "a/../../outside/evil.x",
                                "./evil.x")
                        .map(evil -> Arguments.of("get '*.x'", evil)));
    }

    @ParameterizedTest(name = "{0}, listed [{1}]")
    @MethodSource("listingsLeavingTheOutputDirectory")
    void getRefusesAListingThatWouldLeaveTheOutputDirectory(String command, String template) throws IOException {
        String evil = template.replace("<abs>", tmp.toString());
        Run run = command.equals("get -r d")
                ? against(treeWith(evil), "get", "-r", "--retries", "0", "d", "-o", out.toString())
                : getPattern("*.x", r -> switch (r) {
                    case Request.Find f -> Reply.keepOpen(ScriptedServer.listing(List.of("ok.x", evil)));
                    case Request.Get g -> Reply.keepOpen(getAnswer("evil.x", EVIL.length, new Md5(md5(EVIL)), 0, EVIL));
                    default -> null;
                });
        assertRefusedBeforeAnyGet(run);
    }

    @ParameterizedTest(name = "get '*.txt', listed [{0}]")
    @ValueSource(strings = {".bashrc", ".ssh/authorized_keys", "C:/evil.txt", "sub/deeper.txt", "x.txt\u001b[2J"})
    void patternGetRefusesListedFilesThePatternDoesNotMatch(String unrequested) throws IOException {
        // Like scp CVE-2019-6111: the server may only send what was asked for.
        Run run = getPattern("*.txt", r -> switch (r) {
            case Request.Find f -> Reply.keepOpen(ScriptedServer.listing(List.of("ok.txt", unrequested)));
            case Request.Get g -> Reply.keepOpen(getAnswer("ok.txt", EVIL.length, new Md5(md5(EVIL)), 0, EVIL));
            default -> null;
        });
        assertRefusedBeforeAnyGet(run);
        assertThat(run.err()).doesNotContain("\u001b");
    }

    @Test
    void serverTextWithTerminalEscapesIsPrintedHarmlessly() throws IOException {
        Run run = getX(onGet(Reply.keepOpen(ScriptedServer.frames(
                new Response.Error(ErrorCode.NOT_FOUND, "gone\u001b]0;owned\u0007\r ft: all good")))));
        assertThat(run.exit()).isEqualTo(4);
        assertThat(run.err())
                .doesNotContain("\u001b")
                .doesNotContain("\u0007")
                .doesNotContain("\r")
                .contains("gone\\x1b]0;owned\\x07\\x0d ft: all good");
    }

    /** Line breaks and reordering controls that are not C0: NEL, C1 CSI, U+2028/U+2029, RLO, LRI. */
    private static final String SNEAKY = "busy\u0085ft: forged\u2028line\u2029para\u202eevil\u2066x\u009b31m";

    @Test
    void serverTextWithC1LineSeparatorsAndBidiControlsIsPrintedHarmlesslyInErrorsAndJson() throws IOException {
        String escaped = "busy\\x85ft: forged\\u2028line\\u2029para\\u202eevil\\u2066x\\x9b31m";
        Run human = getX(onGet(Reply.keepOpen(ScriptedServer.frames(new Response.Error(ErrorCode.NOT_FOUND, SNEAKY)))));
        assertThat(human.exit()).isEqualTo(4);
        assertThat(human.err()).contains(escaped);

        Run json = against(
                onGet(Reply.keepOpen(ScriptedServer.frames(new Response.Error(ErrorCode.NOT_FOUND, SNEAKY)))),
                "get",
                "--retries",
                "0",
                "--json",
                "x.bin",
                "-o",
                out.resolve("x.bin").toString());
        assertThat(json.exit()).as(json.err()).isEqualTo(4);
        // The JSON line: its message, parsed, carries the escapes, not the characters.
        com.fasterxml.jackson.databind.JsonNode line = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(json.out().strip());
        assertThat(line.get("message").asText()).contains(escaped);
        for (String c : new String[] {"\u0085", "\u2028", "\u2029", "\u202e", "\u2066", "\u009b"}) {
            assertThat(human.err()).doesNotContain(c);
            assertThat(json.err()).doesNotContain(c);
            assertThat(json.out()).doesNotContain(c);
        }
    }

    @Test
    void listingWhoseEndFrameMiscountsIsRefused() throws IOException {
        Run run = getPattern(
                "*.x",
                r -> r instanceof Request.Find
                        ? Reply.keepOpen(ScriptedServer.frames(
                                new Response.Ok(),
                                new ListItem.Entry("a.x", EntryType.FILE, 4, 0),
                                new ListItem.End(2, false, null)))
                        : null);
        assertRefusedBeforeAnyGet(run);
        assertThat(run.err()).contains("announced 2 entries but sent 1");
    }

    // ================================================================== bodies that disagree with their header

    @Test
    void fewerBytesThenCloseIsALostConnectionKeepingOnlyThePartial() throws IOException {
        byte[] content = random(1000, 1);
        Md5 whole = new Md5(md5(content));
        Run run =
                getX(onGet(Reply.thenClose(getAnswer("x.bin", content.length, whole, 0, Arrays.copyOf(content, 300)))));
        assertThat(run.exit()).as(run.err()).isEqualTo(3);
        assertThat(run.err()).contains("(CONNECTION_LOST)");
        assertThat(out.resolve("x.bin")).doesNotExist();
        assertThat(filesInOut()).containsEntry(".x.bin.ftpart", 300L);
        assertThat(out.resolve(".x.bin.ftpart")).hasBinaryContent(Arrays.copyOf(content, 300));

        // The kept bytes are resumed from, with the digest as a condition, by an honest server.
        server.close();
        Run again = getX(r -> r instanceof Request.Get g
                ? Reply.keepOpen(getAnswer(
                        "x.bin",
                        content.length,
                        whole,
                        g.offset(),
                        Arrays.copyOfRange(content, (int) g.offset(), content.length)))
                : null);
        assertThat(again.exit()).as(again.err()).isZero();
        Request.Get asked = (Request.Get) server.requests().getFirst();
        assertThat(asked.offset()).isEqualTo(300);
        assertThat(asked.ifMd5()).isEqualTo(whole);
        assertThat(out.resolve("x.bin")).hasBinaryContent(content);
        assertThat(filesInOut()).containsOnlyKeys("x.bin");
    }

    @Test
    void moreBytesThanAnnouncedIsRefusedAndNothingIsPutInPlace() throws IOException {
        byte[] announced = "twelve".getBytes(StandardCharsets.UTF_8);
        Run run = getX(onGet(Reply.keepOpen(getAnswer(
                "x.bin",
                announced.length,
                new Md5(md5(announced)),
                0,
                "twelve bytes".getBytes(StandardCharsets.UTF_8)))));
        assertThat(run.exit()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains("more bytes").contains("(BAD_RESPONSE)");
        assertThat(out.resolve("x.bin")).doesNotExist();
        assertThat(filesInOut()).as("not even the announced part is kept").isEmpty();
    }

    @Test
    void wrongOffsetEchoOnAFreshDownloadIsRefusedBeforeAnyByteIsWritten() throws IOException {
        byte[] content = "abcdef".getBytes(StandardCharsets.UTF_8);
        Run run = getX(onGet(Reply.keepOpen(
                getAnswer("x.bin", 6, new Md5(md5(content)), 3, "def".getBytes(StandardCharsets.UTF_8)))));
        assertThat(run.exit()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains("offset 3").contains("(BAD_RESPONSE)");
        assertThat(filesInOut()).isEmpty();
    }

    @ParameterizedTest(name = "asked 3, answered {0}")
    @ValueSource(longs = {1, 5})
    void wrongOffsetEchoWhenResumingIsRefusedAndThePartialIsUntouched(long echoed) throws IOException {
        byte[] content = "abcdef".getBytes(StandardCharsets.UTF_8);
        Md5 whole = new Md5(md5(content));
        Files.write(out.resolve(".x.bin.ftpart"), "abc".getBytes(StandardCharsets.UTF_8));
        Files.writeString(
                out.resolve(".x.bin.ftpart.meta"),
                "{\"server\":\"127.0.0.1:1\",\"path\":\"x.bin\",\"size\":6," + "\"md5\":\"" + whole.hex() + "\"}");
        Run run = getX(onGet(Reply.keepOpen(
                getAnswer("x.bin", 6, whole, echoed, Arrays.copyOfRange(content, (int) echoed, content.length)))));
        Request.Get asked = (Request.Get) server.requests().getFirst();
        assertThat(asked.offset()).isEqualTo(3);
        assertThat(run.exit()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains("answered offset " + echoed).contains("(BAD_RESPONSE)");
        assertThat(out.resolve("x.bin")).doesNotExist();
        assertThat(out.resolve(".x.bin.ftpart")).hasContent("abc");
    }

    @Test
    void offsetBeyondTheDeclaredSizeIsAMalformedAnswer() throws IOException {
        String header = "{\"status\":\"ok\",\"name\":\"x.bin\",\"size\":3,\"md5\":\"" + md5(EVIL) + "\",\"offset\":5}";
        Run run = getX(onGet(Reply.keepOpen(ScriptedServer.frames(frameOf(header), EVIL))));
        assertThat(run.exit()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains("malformed answer").contains("(BAD_RESPONSE)");
        assertThat(filesInOut()).isEmpty();
    }

    @Test
    void negativeDeclaredSizeIsAMalformedAnswer() throws IOException {
        String header = "{\"status\":\"ok\",\"name\":\"x.bin\",\"size\":-4,\"md5\":\"" + md5(EVIL) + "\",\"offset\":0}";
        Run run = getX(onGet(Reply.keepOpen(ScriptedServer.frames(frameOf(header), EVIL))));
        assertBadResponse(run);
        assertThat(filesInOut()).isEmpty();
    }

    private static byte[] frameOf(String json) {
        byte[] payload = json.getBytes(StandardCharsets.UTF_8);
        byte[] framed = new byte[payload.length + 4];
        framed[0] = (byte) (payload.length >>> 24);
        framed[1] = (byte) (payload.length >>> 16);
        framed[2] = (byte) (payload.length >>> 8);
        framed[3] = (byte) payload.length;
        System.arraycopy(payload, 0, framed, 4, payload.length);
        return framed;
    }

    // ================================================================== a huge declared size

    @Test
    void declaredSizeBeyondTheFreeDiskIsNoSpaceBeforeAnyByteIsWritten() throws IOException {
        long huge = Long.MAX_VALUE / 2;
        byte[] tiny = random(1000, 2);
        Run run = getX(onGet(Reply.thenClose(getAnswer("x.bin", huge, new Md5(md5(tiny)), 0, tiny))));
        assertThat(run.exit()).as(run.err()).isEqualTo(6);
        assertThat(run.err())
                .contains("(NO_SPACE)")
                .contains("4.0 EiB more needed")
                .contains("nothing was written");
        assertThat(filesInOut()).isEmpty();
    }

    @Test
    void largeDeclaredSizeWithATinyBodyNeitherPreallocatesNorFillsTheDisk() throws IOException {
        long huge = 64L << 20;
        byte[] tiny = random(1000, 2);
        Run run = getX(onGet(Reply.thenClose(getAnswer("x.bin", huge, new Md5(md5(tiny)), 0, tiny))));
        assertThat(run.exit()).as(run.err()).isEqualTo(3);
        assertThat(run.err()).contains("(CONNECTION_LOST)");
        assertThat(out.resolve("x.bin")).doesNotExist();
        Path partial = out.resolve(".x.bin.ftpart");
        assertThat(Files.size(partial)).as("only the bytes actually received").isEqualTo(tiny.length);
        assertThat(partial).hasBinaryContent(tiny);
    }

    @Test
    void largeDeclaredSizeFromAServerThatThenStallsTimesOutWithOnlyTheReceivedBytes() throws IOException {
        long huge = 64L << 20;
        byte[] tiny = random(5000, 3);
        Run run = getX(1, onGet(Reply.keepOpen(getAnswer("x.bin", huge, new Md5(md5(tiny)), 0, tiny))));
        assertThat(run.exit()).as(run.err()).isEqualTo(3);
        assertThat(run.err()).contains("(TIMEOUT)");
        assertThat(out.resolve("x.bin")).doesNotExist();
        assertThat(filesInOut()).containsEntry(".x.bin.ftpart", (long) tiny.length);
    }

    // ================================================================== refusals the client must pass on as such

    @Test
    void serverRefusalWithAnUnknownCodeIsTreatedAsInternal() throws IOException {
        String error = "{\"status\":\"error\",\"code\":\"PWNED\",\"message\":\"no\"}";
        Run run = getX(onGet(Reply.keepOpen(frameOf(error))));
        assertThat(run.exit()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains("(" + ErrorCode.INTERNAL + ")");
        assertThat(filesInOut()).isEmpty();
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }
}
