package ft.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ft.protocol.ErrorCode;
import ft.protocol.FrameReader;
import ft.protocol.Md5;
import ft.protocol.ProtocolException;
import ft.protocol.Request;
import ft.protocol.Response;
import ft.testing.ListingReader;
import ft.transfer.Body;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.text.Normalizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hostile-input suite (issue 4, point 6): everything a client can throw at a server over a
 * real socket, each case with its precise outcome.
 *
 * <p>Layout of every case: {@code tmp/root} is served; {@code tmp/root2} (a sibling whose name
 * shares the root's prefix) and {@code tmp/outside} hold sentinel files of known content, and
 * the root holds symlinks to both. After every case, whatever it did:
 * <ol>
 *   <li>the case itself asserted the exact outcome (error code, closed connection, or bytes);</li>
 *   <li>the sentinels are byte-identical and the tree outside the root is exactly as before
 *       (nothing created, removed, renamed or changed there);</li>
 *   <li>the server still serves a fresh client: hello, then a get of a known file.</li>
 * </ol>
 */
class HostileInputSuiteTest {
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);
    private static final byte[] KNOWN =
            "known content, served to every fresh client\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] SECRET =
            "SENTINEL root2/secret.txt: never readable, never writable\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] PASSWD =
            "SENTINEL outside/passwd: root:x:0:0:root:/root:/bin/bash\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] TOP = "SENTINEL tmp/top.txt\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] VICTIM = "victim.txt stays where it is\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] NFC_CONTENT = "the NFC file\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] UPLOAD = "hostile upload body\n".getBytes(StandardCharsets.UTF_8);
    /** "café" as most keyboards produce it (NFC: one code point for é). */
    private static final String CAFE_NFC = "caf\u00e9";
    /** The same name in NFD: 'e' followed by a combining acute accent. Different bytes. */
    private static final String CAFE_NFD = "cafe\u0301";

    private static final boolean UTF8_NAMES = "UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"));
    private static final Duration BOUND = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    Path root;
    Path root2;
    Path outside;
    FtServer server;
    private Map<String, String> outsideBefore;
    /** Run after the checks and after the server is closed (unmounts, for instance). */
    private final List<AutoCloseable> cleanups = new ArrayList<>();

    @BeforeEach
    void layout() throws IOException {
        root = Files.createDirectory(tmp.resolve("root"));
        root2 = Files.createDirectory(tmp.resolve("root2"));
        outside = Files.createDirectory(tmp.resolve("outside"));
        Files.write(root2.resolve("secret.txt"), SECRET);
        Files.write(outside.resolve("passwd"), PASSWD);
        Files.createDirectory(outside.resolve("dir"));
        Files.write(tmp.resolve("top.txt"), TOP);

        Files.write(root.resolve("known.txt"), KNOWN);
        Files.write(root.resolve("victim.txt"), VICTIM);
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/inside.txt"), "inside");
        // Sibling-prefix: "<tmp>/root2/secret.txt" starts with the string "<tmp>/root".
        Files.createSymbolicLink(root.resolve("link"), Path.of("../root2/secret.txt"));
        Files.createSymbolicLink(root.resolve("sib"), Path.of("../root2"));
        Files.createSymbolicLink(root.resolve("outdir"), Path.of("../outside"));
        if (UTF8_NAMES) {
            Path nfc = Files.createDirectory(root.resolve(CAFE_NFC));
            Files.write(nfc.resolve("x.txt"), NFC_CONTENT);
        }
        outsideBefore = snapshotOutsideRoot();
        server = FtServer.start(root, ANY_PORT);
    }

    @AfterEach
    void everyCaseLeavesTheOutsideUntouchedAndTheServerServing() throws Exception {
        try {
            assertArrayEquals(SECRET, Files.readAllBytes(root2.resolve("secret.txt")), "root2/secret.txt changed");
            assertArrayEquals(PASSWD, Files.readAllBytes(outside.resolve("passwd")), "outside/passwd changed");
            assertArrayEquals(TOP, Files.readAllBytes(tmp.resolve("top.txt")), "tmp/top.txt changed");
            assertEquals(outsideBefore, snapshotOutsideRoot(), "the tree outside the served root changed");
            assertServesAFreshClient();
        } finally {
            if (server != null) {
                server.close();
            }
            for (AutoCloseable c : cleanups.reversed()) {
                c.close();
            }
        }
    }

    /** Every path under tmp except the served root: files by size and MD5, dirs, links by target. */
    private Map<String, String> snapshotOutsideRoot() throws IOException {
        Map<String, String> all = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(tmp)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (p.startsWith(root)) {
                    continue;
                }
                String rel = tmp.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    all.put(rel, "link -> " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    all.put(rel, "dir");
                } else {
                    byte[] b = Files.readAllBytes(p);
                    all.put(rel, b.length + " bytes, md5 " + RawClient.md5(b));
                }
            }
        }
        return all;
    }

    private void assertServesAFreshClient() throws IOException {
        try (RawClient fresh = RawClient.hello(server)) {
            RawClient.Fetched got = fresh.get("known.txt");
            assertArrayEquals(KNOWN, got.body(), "a fresh client must still get the known file");
            assertEquals(RawClient.md5(KNOWN), got.header().md5());
        }
    }

    /** Replaces the default server by one with these limits, over the same root. */
    private void restart(ServerLimits limits) throws IOException {
        server.close();
        server = null;
        server = FtServer.start(FtServer.Options.of(root, ANY_PORT).withLimits(limits));
    }

    // ================================================================== helpers

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] frame(byte[] payload) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int n = payload.length;
        b.write(n >>> 24);
        b.write(n >>> 16);
        b.write(n >>> 8);
        b.write(n);
        b.writeBytes(payload);
        return b.toByteArray();
    }

    private static byte[] frame(String json) {
        return frame(json.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    private static Response.Error assertError(ErrorCode expected, Response r) {
        Response.Error e = assertInstanceOf(Response.Error.class, r, () -> "expected " + expected + ", got " + r);
        assertEquals(expected, e.code(), () -> "message: " + e.message());
        return e;
    }

    /** The connection that was refused a single request must still answer the next one. */
    private static void assertConnectionUsable(RawClient c) throws IOException {
        Response r = c.request(new Request.Stat("known.txt"), Response.StatOk.class);
        Response.StatOk ok = assertInstanceOf(Response.StatOk.class, r, () -> "stat after a refusal: " + r);
        assertEquals(KNOWN.length, ok.size());
    }

    private List<String> partialsOf(String suffix) throws IOException {
        Path dir = root.resolve(".ft/partials");
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(suffix))
                    .sorted()
                    .toList();
        }
    }

    /** Size of the only .part file, or -1 while there is not exactly one. */
    private long onlyPartSize() {
        try {
            List<String> parts = partialsOf(".part");
            return parts.size() == 1 ? Files.size(root.resolve(".ft/partials").resolve(parts.getFirst())) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** A put whose header must be accepted; the body is not sent. */
    private static Response.PutReady startPut(RawClient c, String path, byte[] content) throws IOException {
        Response r = c.request(new Request.Put(path, content.length, RawClient.md5(content)), Response.PutReady.class);
        return assertInstanceOf(Response.PutReady.class, r, () -> "put " + path + " refused: " + r);
    }

    // ================================================================== path handling

    /** The ops a client path can reach; MV_FROM and MV_TO put the hostile path on either side. */
    enum Op {
        GET,
        PUT,
        STAT,
        LIST,
        FIND,
        RM,
        MKDIR,
        MV_FROM,
        MV_TO
    }

    /** For list and find, the directory part of a path (the path itself when it has none). */
    static String dirOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash > 0 ? path.substring(0, slash) : path;
    }

    /**
     * Sends {@code op} on {@code path} the most damaging way (rm recursive, mkdir with parents,
     * a complete upload body if the server asks for one) and returns the server's answer.
     */
    static Response perform(RawClient c, Op op, String path) throws IOException {
        return switch (op) {
            case GET -> {
                Response r = c.request(new Request.Get(path, 0), Response.GetOk.class);
                if (r instanceof Response.GetOk ok) {
                    c.readBody(ok.bodyLength());
                }
                yield r;
            }
            case PUT -> {
                Response r =
                        c.request(new Request.Put(path, UPLOAD.length, RawClient.md5(UPLOAD)), Response.PutReady.class);
                if (r instanceof Response.PutReady ready) {
                    c.sendRaw(UPLOAD, (int) ready.offset(), UPLOAD.length - (int) ready.offset());
                    yield c.read(Response.PutDone.class);
                }
                yield r;
            }
            case STAT -> c.request(new Request.Stat(path), Response.StatOk.class);
            case LIST -> {
                Response r = c.request(new Request.List(dirOf(path), null, 1000), Response.Ok.class);
                if (r instanceof Response.Ok) {
                    ListingReader.readStream(c);
                }
                yield r;
            }
            case FIND -> {
                Response r = c.request(new Request.Find(dirOf(path), null), Response.Ok.class);
                if (r instanceof Response.Ok) {
                    ListingReader.readStream(c);
                }
                yield r;
            }
            case RM -> c.request(new Request.Remove(path, true), Response.Ok.class);
            case MKDIR -> c.request(new Request.MakeDirectory(path, true), Response.Ok.class);
            case MV_FROM -> c.request(new Request.Move(path, "moved-here"), Response.Ok.class);
            case MV_TO -> c.request(new Request.Move("victim.txt", path), Response.Ok.class);
        };
    }

    /** One kind of hostile path and what each op must answer; an op not in the map must succeed. */
    record PathKind(String name, String path, Map<Op, ErrorCode> refusals) {}

    private static Map<Op, ErrorCode> every(ErrorCode code) {
        Map<Op, ErrorCode> m = new EnumMap<>(Op.class);
        for (Op op : Op.values()) {
            m.put(op, code);
        }
        return m;
    }

    private static Map<Op, ErrorCode> everyBut(ErrorCode code, Op... succeeding) {
        Map<Op, ErrorCode> m = every(code);
        for (Op op : succeeding) {
            m.remove(op);
        }
        return m;
    }

    /** 2000 segments "a/a/…/a": 3999 bytes, inside the 4096-byte limit, every segment valid. */
    static final String DEEP = String.join("/", java.util.Collections.nCopies(2000, "a"));

    static List<PathKind> pathKinds() {
        // The temp dir differs per test, so the row carries a placeholder for it.
        String absolute = "<abs>/outside/passwd";
        List<PathKind> kinds = new ArrayList<>(List.of(
                new PathKind("traversal ..", "../root2/secret.txt", every(ErrorCode.ACCESS_DENIED)),
                new PathKind("traversal a/../../x", "a/../../outside/passwd", every(ErrorCode.ACCESS_DENIED)),
                new PathKind("absolute path", absolute, every(ErrorCode.ACCESS_DENIED)),
                new PathKind("drive letter", "C:/outside/passwd", every(ErrorCode.ACCESS_DENIED)),
                new PathKind("backslashes", "..\\outside\\passwd", every(ErrorCode.ACCESS_DENIED)),
                new PathKind("NUL", "known.txt\u0000.jpg", every(ErrorCode.BAD_REQUEST)),
                new PathKind("control characters", "known\r\n.txt", every(ErrorCode.BAD_REQUEST)),
                new PathKind("escape character", "a\u001b[2J/x", every(ErrorCode.BAD_REQUEST)),
                new PathKind("reserved .ft", ".ft/partials/x.part", every(ErrorCode.ACCESS_DENIED)),
                new PathKind("sibling-prefix dir link", "sib/secret.txt", every(ErrorCode.ACCESS_DENIED)),
                // rm and mv act on the link itself (documented): only the link goes, never the target.
                new PathKind("sibling-prefix file link", "link", everyBut(ErrorCode.ACCESS_DENIED, Op.RM, Op.MV_FROM)),
                new PathKind("symlink to outside dir", "outdir/passwd", every(ErrorCode.ACCESS_DENIED)),
                new PathKind("name of 256 bytes", "n".repeat(256), every(ErrorCode.BAD_REQUEST)),
                new PathKind(
                        "name of 256 bytes, 2-byte chars",
                        "\u00e9".repeat(128) + "/x.txt",
                        every(ErrorCode.BAD_REQUEST))));
        // Linux compares names byte for byte: the NFD twin is another name, so reading it finds
        // nothing, and writing it makes a second, separate entry inside the root.
        kinds.add(new PathKind(
                "unicode NFD twin",
                CAFE_NFD + "/x.txt",
                UTF8_NAMES ? everyBut(ErrorCode.NOT_FOUND, Op.PUT, Op.MKDIR) : every(ErrorCode.BAD_REQUEST)));
        // Deeper than the 64 segments a path may have (issue 14, finding 6): refused before any walk.
        kinds.add(new PathKind("2000 segments", DEEP, every(ErrorCode.BAD_REQUEST)));
        return kinds;
    }

    static Stream<Arguments> pathCases() {
        List<Arguments> rows = new ArrayList<>();
        for (PathKind kind : pathKinds()) {
            for (Op op : Op.values()) {
                ErrorCode expected = kind.refusals().get(op);
                rows.add(Arguments.of(
                        kind.name(),
                        op,
                        kind.path(),
                        expected,
                        expected == null ? "ok, inside the root" : expected.name()));
            }
        }
        return rows.stream();
    }

    @Nested
    class PathHandling {
        @ParameterizedTest(name = "{0} via {1} -> {4}")
        @MethodSource("ft.server.HostileInputSuiteTest#pathCases")
        void hostilePathInEveryOp(String kind, Op op, String pathTemplate, ErrorCode expected, String outcome)
                throws IOException {
            String path = pathTemplate.replace("<abs>", tmp.toString());
            try (RawClient c = RawClient.hello(server)) {
                if (kind.equals("2000 segments")) {
                    c.readTimeout(60_000);
                }
                Response r = perform(c, op, path);
                if (expected != null) {
                    assertError(expected, r);
                } else {
                    assertSucceededInside(kind, op, path, r);
                }
                assertConnectionUsable(c);
            }
            assertArrayEquals(
                    VICTIM, Files.readAllBytes(root.resolve("victim.txt")), "mv must not have moved victim.txt");
            if (UTF8_NAMES) {
                assertArrayEquals(
                        NFC_CONTENT, Files.readAllBytes(root.resolve(CAFE_NFC).resolve("x.txt")));
            }
        }

        /** The cases where the op is allowed: what exactly it did, and that it stayed inside. */
        private void assertSucceededInside(String kind, Op op, String path, Response r) throws IOException {
            switch (kind) {
                case "sibling-prefix file link" -> {
                    assertInstanceOf(Response.Ok.class, r, () -> op + " " + path + ": " + r);
                    assertFalse(Files.exists(root.resolve("link"), LinkOption.NOFOLLOW_LINKS), "the link was acted on");
                    if (op == Op.MV_FROM) {
                        // The link was renamed; through its new name it still cannot be read.
                        assertTrue(Files.isSymbolicLink(root.resolve("moved-here")));
                        try (RawClient c = RawClient.hello(server)) {
                            c.expectError(new Request.Get("moved-here", 0), ErrorCode.ACCESS_DENIED);
                        }
                    }
                }
                case "unicode NFD twin" -> {
                    assertTrue(UTF8_NAMES);
                    Path twin = root.resolve(CAFE_NFD);
                    assertNotEquals(root.resolve(CAFE_NFC), twin);
                    assertEquals(CAFE_NFC, Normalizer.normalize(CAFE_NFD, Normalizer.Form.NFC));
                    if (op == Op.PUT) {
                        Response.PutDone done = assertInstanceOf(Response.PutDone.class, r, () -> "put: " + r);
                        assertEquals(RawClient.md5(UPLOAD), done.md5());
                        assertArrayEquals(UPLOAD, Files.readAllBytes(twin.resolve("x.txt")));
                    } else {
                        assertInstanceOf(Response.Ok.class, r, () -> "mkdir: " + r);
                        assertTrue(Files.isDirectory(twin.resolve("x.txt"), LinkOption.NOFOLLOW_LINKS));
                    }
                    try (Stream<Path> names = Files.list(root)) {
                        assertEquals(
                                2,
                                names.filter(p -> p.getFileName().toString().startsWith("caf"))
                                        .count(),
                                "both forms exist side by side inside the root");
                    }
                }
                default -> fail("no success expected for " + kind + " via " + op + ": " + r);
            }
        }

        @Test
        void absoluteEtcPasswdIsNeitherReadNorDescribed() throws IOException {
            try (RawClient c = RawClient.hello(server)) {
                Response.Error e = c.expectError(new Request.Get("/etc/passwd", 0), ErrorCode.ACCESS_DENIED);
                assertFalse(e.message().contains("root:"), e.message());
                c.expectError(new Request.Stat("/etc/passwd"), ErrorCode.ACCESS_DENIED);
                c.expectError(new Request.Get("../../../../../../../../../../etc/passwd", 0), ErrorCode.ACCESS_DENIED);
                assertConnectionUsable(c);
            }
        }

        @Test
        void refusalsThroughALinkOutsideDoNotRevealWhatExistsThere() throws IOException {
            try (RawClient c = RawClient.hello(server)) {
                for (Op op : List.of(Op.GET, Op.STAT, Op.PUT, Op.RM)) {
                    Response.Error existing = assertError(ErrorCode.ACCESS_DENIED, perform(c, op, "outdir/passwd"));
                    Response.Error missing = assertError(ErrorCode.ACCESS_DENIED, perform(c, op, "outdir/no-such"));
                    assertEquals(
                            existing.message().replace("passwd", "X"),
                            missing.message().replace("no-such", "X"),
                            op + ": the answer must not depend on what exists outside");
                    assertFalse(existing.message().contains(tmp.toString()), "a real path leaked: " + existing);
                }
            }
        }

        @Test
        void findOverTheWholeRootNeverWalksThroughLinksOut() throws IOException {
            try (RawClient c = RawClient.hello(server)) {
                // Without a pattern the links out are named, as links, and nothing behind them.
                ListingReader.Listing everything = ListingReader.find(c, new Request.Find("", null));
                assertTrue(
                        everything.paths().contains("known.txt"),
                        everything.paths().toString());
                for (ft.protocol.ListItem.Entry e : everything.entries()) {
                    if (e.path().startsWith("sib")
                            || e.path().startsWith("outdir")
                            || e.path().startsWith("link")) {
                        assertEquals(ft.protocol.EntryType.LINK, e.type(), e.toString());
                        assertEquals(0, e.size(), e.toString());
                        assertFalse(e.path().contains("/"), "walked through a link out: " + e);
                    }
                    assertFalse(e.path().startsWith(".ft"), e.toString());
                }
                List<String> matched =
                        ListingReader.find(c, new Request.Find("", "**")).paths();
                assertTrue(matched.contains("known.txt"), matched.toString());
                assertTrue(
                        matched.stream()
                                .noneMatch(p -> p.startsWith("sib")
                                        || p.startsWith("outdir")
                                        || p.startsWith("link")
                                        || p.startsWith(".ft")),
                        matched.toString());
                assertTrue(ListingReader.find(c, new Request.Find("", "outdir/*"))
                        .entries()
                        .isEmpty());
                assertTrue(ListingReader.find(c, new Request.Find("", "sib/**"))
                        .entries()
                        .isEmpty());
            }
        }

        @Test
        void putOverAHardLinkToAnOutsideFileReplacesTheNameNeverWritesThrough() throws IOException {
            // A hard link cannot be told from a file; the atomic rename of an upload replaces the
            // directory entry, so the outside inode keeps its bytes.
            Path target = Files.write(outside.resolve("hardlinked.txt"), PASSWD);
            Files.createLink(root.resolve("hard.txt"), target);
            outsideBefore = snapshotOutsideRoot();
            try (RawClient c = RawClient.hello(server)) {
                assertInstanceOf(Response.PutDone.class, c.put("hard.txt", UPLOAD));
                assertInstanceOf(
                        Response.Ok.class, c.request(new Request.Move("victim.txt", "hard.txt"), Response.Ok.class));
                assertArrayEquals(VICTIM, c.get("hard.txt").body());
            }
            assertArrayEquals(PASSWD, Files.readAllBytes(target));
        }

        @Test
        void mkdirParentsUpToTheDepthBoundWorksInsideTheRootAndBeyondIsRefused() throws IOException {
            try (RawClient c = RawClient.hello(server)) {
                Response tooDeep = c.request(
                        new Request.MakeDirectory(String.join("/", java.util.Collections.nCopies(65, "lvl")), true),
                        Response.Ok.class);
                assertError(ErrorCode.BAD_REQUEST, tooDeep);
            }
            assertFalse(Files.exists(root.resolve("lvl")), "a refused mkdir -p makes nothing");
            // 63 levels, so a file in the deepest has the 64 segments a path may have.
            String deepest = String.join("/", java.util.Collections.nCopies(63, "lvl"));
            try (RawClient c = RawClient.hello(server)) {
                assertInstanceOf(
                        Response.Ok.class, c.request(new Request.MakeDirectory(deepest, true), Response.Ok.class));
                Response.StatOk st = assertInstanceOf(
                        Response.StatOk.class, c.request(new Request.Stat(deepest), Response.StatOk.class));
                assertEquals(ft.protocol.EntryType.DIR, st.type());
                assertInstanceOf(Response.PutDone.class, c.put(deepest + "/leaf.txt", UPLOAD));
                assertArrayEquals(UPLOAD, c.get(deepest + "/leaf.txt").body());
                assertInstanceOf(Response.Ok.class, c.request(new Request.Remove("lvl", true), Response.Ok.class));
            }
            assertFalse(Files.exists(root.resolve("lvl")));
        }
    }

    // ================================================================== header abuse

    /** A hostile header and the code the server must answer with before closing. */
    static Stream<Arguments> malformedHeaders() {
        String md5 = RawClient.md5(UPLOAD).hex();
        return Stream.of(
                Arguments.of("length prefix 0", new byte[] {0, 0, 0, 0}, ErrorCode.BAD_REQUEST),
                Arguments.of("length prefix 0xFFFFFFFF", new byte[] {-1, -1, -1, -1}, ErrorCode.HEADER_TOO_LARGE),
                Arguments.of("length prefix 65537", new byte[] {0, 1, 0, 1}, ErrorCode.HEADER_TOO_LARGE),
                Arguments.of("length prefix 0x80000000", new byte[] {-128, 0, 0, 0}, ErrorCode.HEADER_TOO_LARGE),
                Arguments.of(
                        "bad UTF-8: overlong '/' (C0 AF)",
                        frame(concat(
                                "{\"op\":\"get\",\"path\":\"..".getBytes(StandardCharsets.US_ASCII),
                                new byte[] {(byte) 0xC0, (byte) 0xAF},
                                "root2\"}".getBytes(StandardCharsets.US_ASCII))),
                        ErrorCode.BAD_REQUEST),
                Arguments.of(
                        "bad UTF-8: encoded surrogate (ED A0 80)",
                        frame(concat(
                                "{\"op\":\"stat\",\"path\":\"a".getBytes(StandardCharsets.US_ASCII),
                                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                                "\"}".getBytes(StandardCharsets.US_ASCII))),
                        ErrorCode.BAD_REQUEST),
                Arguments.of(
                        "bad UTF-8: lone continuation byte",
                        frame(concat(
                                "{\"op\":\"stat\",\"path\":\"".getBytes(StandardCharsets.US_ASCII),
                                new byte[] {(byte) 0x80},
                                "\"}".getBytes(StandardCharsets.US_ASCII))),
                        ErrorCode.BAD_REQUEST),
                Arguments.of(
                        "byte-order mark",
                        frame(concat(
                                new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                                "{\"op\":\"stat\",\"path\":\"known.txt\"}".getBytes(StandardCharsets.US_ASCII))),
                        ErrorCode.BAD_REQUEST),
                Arguments.of(
                        "nesting 5 levels",
                        frame("{\"op\":\"stat\",\"path\":{\"a\":{\"b\":{\"c\":{\"d\":1}}}}}"),
                        ErrorCode.BAD_REQUEST),
                Arguments.of(
                        "nesting 30000 levels", frame("[".repeat(30_000) + "]".repeat(30_000)), ErrorCode.BAD_REQUEST),
                Arguments.of(
                        "duplicate key path (smuggling)",
                        frame("{\"op\":\"get\",\"path\":\"known.txt\",\"path\":\"../root2/secret.txt\"}"),
                        ErrorCode.BAD_REQUEST),
                Arguments.of(
                        "duplicate key op",
                        frame("{\"op\":\"stat\",\"op\":\"rm\",\"path\":\"victim.txt\"}"),
                        ErrorCode.BAD_REQUEST),
                Arguments.of(
                        "wrong type: size \"12\"",
                        frame("{\"op\":\"put\",\"path\":\"p.bin\",\"size\":\"12\",\"md5\":\"" + md5 + "\"}"),
                        ErrorCode.BAD_REQUEST),
                Arguments.of(
                        "wrong type: offset 1.5",
                        frame("{\"op\":\"get\",\"path\":\"known.txt\",\"offset\":1.5}"),
                        ErrorCode.BAD_REQUEST),
                Arguments.of("wrong type: path 7", frame("{\"op\":\"stat\",\"path\":7}"), ErrorCode.BAD_REQUEST),
                Arguments.of(
                        "wrong type: recursive \"true\"",
                        frame("{\"op\":\"rm\",\"path\":\"sub\",\"recursive\":\"true\"}"),
                        ErrorCode.BAD_REQUEST),
                Arguments.of(
                        "number of 41 digits",
                        frame("{\"op\":\"get\",\"path\":\"known.txt\",\"offset\":" + "1".repeat(41) + "}"),
                        ErrorCode.BAD_REQUEST),
                Arguments.of("unknown op", frame("{\"op\":\"exec\",\"path\":\"/bin/sh\"}"), ErrorCode.BAD_REQUEST),
                Arguments.of("op in capitals", frame("{\"op\":\"GET\",\"path\":\"known.txt\"}"), ErrorCode.BAD_REQUEST),
                Arguments.of("missing op", frame("{\"path\":\"known.txt\"}"), ErrorCode.BAD_REQUEST),
                Arguments.of("not an object", frame("[\"get\",\"known.txt\"]"), ErrorCode.BAD_REQUEST),
                Arguments.of(
                        "garbage after the object",
                        frame("{\"op\":\"rm\",\"path\":\"victim.txt\"}{}"),
                        ErrorCode.BAD_REQUEST),
                Arguments.of(
                        "list limit 0", frame("{\"op\":\"list\",\"path\":\"\",\"limit\":0}"), ErrorCode.BAD_REQUEST),
                Arguments.of(
                        "list limit 10001",
                        frame("{\"op\":\"list\",\"path\":\"\",\"limit\":10001}"),
                        ErrorCode.BAD_REQUEST),
                Arguments.of(
                        "unknown field smuggled into rm",
                        frame("{\"op\":\"rm\",\"path\":\"victim.txt\",\"force\":true}"),
                        ErrorCode.BAD_REQUEST),
                Arguments.of("null path", frame("{\"op\":\"rm\",\"path\":null}"), ErrorCode.BAD_REQUEST),
                Arguments.of(
                        "raw control character in a string",
                        frame("{\"op\":\"stat\",\"path\":\"a\tb\"}"),
                        ErrorCode.BAD_REQUEST));
    }

    @Nested
    class HeaderAbuse {
        @ParameterizedTest(name = "{0} -> {2}, closed")
        @MethodSource("ft.server.HostileInputSuiteTest#malformedHeaders")
        void malformedHeaderAfterHelloIsAnsweredThenClosed(String what, byte[] bytes, ErrorCode expected)
                throws IOException {
            try (RawClient c = RawClient.hello(server)) {
                c.sendRaw(bytes);
                c.readError(expected);
                c.assertClosedByServer();
            }
            assertArrayEquals(VICTIM, Files.readAllBytes(root.resolve("victim.txt")));
            assertTrue(Files.isDirectory(root.resolve("sub")));
            assertFalse(Files.exists(root.resolve("p.bin")));
        }

        @Test
        void truncatedFrameThenCloseIsBadRequest() throws IOException {
            try (RawClient c = RawClient.hello(server)) {
                byte[] whole = frame("{\"op\":\"rm\",\"path\":\"victim.txt\",\"recursive\":true}");
                c.sendRaw(whole, 0, whole.length - 10);
                c.shutdownOutput();
                c.readError(ErrorCode.BAD_REQUEST);
                c.assertClosedByServer();
            }
            assertArrayEquals(VICTIM, Files.readAllBytes(root.resolve("victim.txt")));
        }

        @Test
        void truncatedLengthPrefixThenCloseIsBadRequest() throws IOException {
            try (RawClient c = RawClient.hello(server)) {
                c.sendRaw(new byte[] {0, 0});
                c.shutdownOutput();
                c.readError(ErrorCode.BAD_REQUEST);
                c.assertClosedByServer();
            }
        }

        @Test
        void getBeforeHelloIsRefusedWithoutABodyAndClosed() throws IOException {
            try (RawClient c = RawClient.connect(server)) {
                c.send(new Request.Get("known.txt", 0));
                c.readError(ErrorCode.BAD_REQUEST);
                byte[] rest = c.socket().getInputStream().readAllBytes();
                assertEquals(
                        0, rest.length, "nothing may follow the refusal: " + new String(rest, StandardCharsets.UTF_8));
            }
        }

        @Test
        void putBeforeHelloIsRefusedAndItsBodyNeverStored() throws IOException {
            try (RawClient c = RawClient.connect(server)) {
                c.sendRaw(concat(
                        frame(RawClient.CODEC.encode(
                                new Request.Put("early.bin", UPLOAD.length, RawClient.md5(UPLOAD)))),
                        UPLOAD));
                c.readError(ErrorCode.BAD_REQUEST);
                c.assertClosedByServer();
            }
            assertFalse(Files.exists(root.resolve("early.bin")));
            assertEquals(List.of(), partialsOf(""));
        }

        @Test
        void listBeforeHelloIsRefusedWithoutEntriesAndClosed() throws IOException {
            try (RawClient c = RawClient.connect(server)) {
                c.send(new Request.List("", null, 1000));
                c.readError(ErrorCode.BAD_REQUEST);
                c.assertClosedByServer();
            }
        }

        @Test
        void rmBeforeHelloIsRefusedAndRemovesNothing() throws IOException {
            try (RawClient c = RawClient.connect(server)) {
                c.send(new Request.Remove("victim.txt", true));
                c.readError(ErrorCode.BAD_REQUEST);
                c.assertClosedByServer();
            }
            assertArrayEquals(VICTIM, Files.readAllBytes(root.resolve("victim.txt")));
        }

        @Test
        void malformedFirstHeaderIsRefusedBeforeHello() throws IOException {
            try (RawClient c = RawClient.connect(server)) {
                c.sendRaw(new byte[] {-1, -1, -1, -1});
                c.readError(ErrorCode.HEADER_TOO_LARGE);
                c.assertClosedByServer();
            }
        }
    }

    // ================================================================== body abuse

    @Nested
    class BodyAbuse {
        @Test
        void shortBodyThenCloseKeepsTheOldFileAndThePartialForResume() throws IOException {
            Files.writeString(root.resolve("short.bin"), "old version");
            byte[] content = random(1000, 1);
            try (RawClient c = RawClient.hello(server)) {
                assertEquals(0, startPut(c, "short.bin", content).offset());
                c.sendRaw(content, 0, 400);
            }
            await("the server kept the 400 bytes")
                    .atMost(BOUND)
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> onlyPartSize() == 400 && server.connectionCount() == 0);
            assertEquals("old version", Files.readString(root.resolve("short.bin")), "the final name is untouched");
            try (RawClient c = RawClient.hello(server)) {
                assertEquals(400, startPut(c, "short.bin", content).offset(), "the partial resumes");
                c.sendRaw(content, 400, 600);
                assertEquals(
                        RawClient.md5(content),
                        assertInstanceOf(Response.PutDone.class, c.read(Response.PutDone.class))
                                .md5());
            }
            assertArrayEquals(content, Files.readAllBytes(root.resolve("short.bin")));
            assertEquals(List.of(), partialsOf(".part"));
        }

        @Test
        void extraBytesAfterAPutBodyAreTheNextFrameAndEndTheConnection() throws IOException {
            try (RawClient c = RawClient.hello(server)) {
                startPut(c, "extra.bin", UPLOAD);
                // The body, then 7 surplus bytes: a 3-byte frame that is not JSON.
                c.sendRaw(concat(UPLOAD, new byte[] {0, 0, 0, 3, 'x', 'y', 'z'}));
                Response.PutDone done = assertInstanceOf(
                        Response.PutDone.class,
                        c.read(Response.PutDone.class),
                        "the body itself was complete and verified");
                assertEquals(RawClient.md5(UPLOAD), done.md5());
                c.readError(ErrorCode.BAD_REQUEST);
                c.assertClosedByServer();
            }
            assertArrayEquals(UPLOAD, Files.readAllBytes(root.resolve("extra.bin")), "stored exactly, surplus not");
        }

        @Test
        void extraBytesLookingLikeAHugePrefixAreHeaderTooLarge() throws IOException {
            try (RawClient c = RawClient.hello(server)) {
                startPut(c, "extra.bin", UPLOAD);
                c.sendRaw(concat(UPLOAD, "EXTRA BYTES".getBytes(StandardCharsets.US_ASCII)));
                assertInstanceOf(Response.PutDone.class, c.read(Response.PutDone.class));
                c.readError(ErrorCode.HEADER_TOO_LARGE);
                c.assertClosedByServer();
            }
            assertArrayEquals(UPLOAD, Files.readAllBytes(root.resolve("extra.bin")));
        }

        @Test
        void getOffsetPastTheEndIsBadRequestAndTheConnectionStaysUsable() throws IOException {
            try (RawClient c = RawClient.hello(server)) {
                c.expectError(new Request.Get("known.txt", KNOWN.length + 1), ErrorCode.BAD_REQUEST);
                c.expectError(new Request.Get("known.txt", Long.MAX_VALUE), ErrorCode.BAD_REQUEST);
                // Exactly at the end is fine: a header and no body.
                RawClient.Fetched atEnd = c.get("known.txt", KNOWN.length, null);
                assertEquals(0, atEnd.body().length);
                assertConnectionUsable(c);
            }
        }

        @Test
        void negativeGetOffsetIsBadRequestAndClosed() throws IOException {
            try (RawClient c = RawClient.hello(server)) {
                c.sendJson("{\"op\":\"get\",\"path\":\"known.txt\",\"offset\":-1}");
                c.readError(ErrorCode.BAD_REQUEST);
                c.assertClosedByServer();
            }
        }

        /** A negative size, and one beyond 64 bits. */
        @ParameterizedTest(name = "put {0} of size {1}")
        @CsvSource({"neg.bin, -5", "big.bin, 9223372036854775808"})
        void putSizeNegativeOrBeyondALongIsBadRequestAndClosed(String path, String size) throws IOException {
            try (RawClient c = RawClient.hello(server)) {
                c.sendJson("{\"op\":\"put\",\"path\":\"" + path + "\",\"size\":" + size + ",\"md5\":\""
                        + RawClient.md5(UPLOAD).hex() + "\"}");
                c.readError(ErrorCode.BAD_REQUEST);
                c.assertClosedByServer();
            }
            assertFalse(Files.exists(root.resolve(path)));
        }

        @Test
        void putOfLongMaxValueBytesIsTooLargeBeforeAnyBody() throws IOException {
            try (RawClient c = RawClient.hello(server)) {
                c.expectError(new Request.Put("huge.bin", Long.MAX_VALUE, RawClient.md5(UPLOAD)), ErrorCode.TOO_LARGE);
                assertConnectionUsable(c);
            }
            assertFalse(Files.exists(root.resolve("huge.bin")));
            assertEquals(List.of(), partialsOf(""), "nothing was prepared for it");
        }

        @Test
        void putOfLongMaxValueBytesWithoutASizeLimitIsNoSpaceBeforeAnyBody() throws IOException {
            restart(ServerLimits.DEFAULTS.withMaxFileSize(Long.MAX_VALUE));
            try (RawClient c = RawClient.hello(server)) {
                c.expectError(new Request.Put("huge.bin", Long.MAX_VALUE, RawClient.md5(UPLOAD)), ErrorCode.NO_SPACE);
                assertConnectionUsable(c);
            }
            assertFalse(Files.exists(root.resolve("huge.bin")));
            Path partials = root.resolve(".ft/partials");
            try (Stream<Path> s = Files.list(partials)) {
                for (Path p : s.toList()) {
                    assertTrue(Files.size(p) < 4096, p + " must not be preallocated: " + Files.size(p));
                }
            }
        }

        @Test
        void md5MismatchIsChecksumMismatchAndTheOldVersionStays() throws IOException {
            Files.writeString(root.resolve("doc.txt"), "old version");
            byte[] content = random(100_000, 2);
            try (RawClient c = RawClient.hello(server)) {
                Response r = c.request(
                        new Request.Put("doc.txt", content.length, RawClient.md5(UPLOAD)), Response.PutReady.class);
                assertInstanceOf(Response.PutReady.class, r);
                c.sendRaw(content);
                c.readError(ErrorCode.CHECKSUM_MISMATCH);
                assertConnectionUsable(c);
            }
            assertEquals("old version", Files.readString(root.resolve("doc.txt")));
            assertEquals(List.of(), partialsOf(""), "the bad bytes are discarded");
        }

        @Test
        void badMd5SyntaxIsBadRequestAndClosed() throws IOException {
            try (RawClient c = RawClient.hello(server)) {
                c.sendJson("{\"op\":\"put\",\"path\":\"m.bin\",\"size\":1,\"md5\":\"" + "g".repeat(32) + "\"}");
                c.readError(ErrorCode.BAD_REQUEST);
                c.assertClosedByServer();
            }
            assertFalse(Files.exists(root.resolve("m.bin")));
        }
    }

    // ================================================================== resource abuse

    /** A raw connection from a chosen loopback source address. */
    private static Socket connectFrom(String source, InetSocketAddress to) throws IOException {
        Socket s = new Socket();
        try {
            s.bind(new InetSocketAddress(source, 0));
            s.connect(to, 5_000);
            s.setSoTimeout(10_000);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    private static Response readResponse(InputStream in) throws IOException {
        try {
            byte[] f = new FrameReader(in).readRequiredFrame();
            return RawClient.CODEC.decodeResponse(f, Response.HelloOk.class);
        } catch (ProtocolException e) {
            throw new AssertionError("undecodable answer: " + e.getMessage(), e);
        }
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    @Nested
    class ResourceAbuse {
        @Test
        void slowlorisTricklingAHeaderIsClosedAtTheHeaderDeadline() throws IOException {
            restart(ServerLimits.DEFAULTS
                    .withIdleTimeout(Duration.ofSeconds(60))
                    .withHeaderTimeout(Duration.ofMillis(500)));
            byte[] header = frame("{\"op\":\"stat\",\"path\":\"" + "k".repeat(200) + "\"}");
            try (RawClient c = RawClient.hello(server)) {
                long start = System.nanoTime();
                int sent = trickle(c, header, 100);
                assertTrue(sent < header.length, "the server waited for the whole trickled header");
                c.readError(ErrorCode.BAD_REQUEST);
                c.assertClosedByServer();
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(millis < 10_000, "closed after " + millis + " ms, not at the 500 ms header deadline");
            }
        }

        @Test
        void slowlorisBeforeHelloIsClosedAtTheHeaderDeadline() throws IOException {
            restart(ServerLimits.DEFAULTS
                    .withIdleTimeout(Duration.ofSeconds(60))
                    .withHeaderTimeout(Duration.ofMillis(500)));
            try (RawClient c = RawClient.connect(server)) {
                byte[] hello = frame("{\"op\":\"hello\",\"version\":1" + " ".repeat(200) + "}");
                int sent = trickle(c, hello, 100);
                assertTrue(sent < hello.length);
                c.readError(ErrorCode.BAD_REQUEST);
                c.assertClosedByServer();
            }
        }

        /** One byte every {@code everyMillis} until the server stops taking them; bounded by the header. */
        private int trickle(RawClient c, byte[] bytes, long everyMillis) {
            int i = 0;
            try {
                for (; i < bytes.length; i++) {
                    c.sendRaw(bytes, i, 1);
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(everyMillis));
                    if (server.connectionCount() == 0) {
                        return i + 1;
                    }
                }
            } catch (IOException closedByServer) {
                return i;
            }
            return i;
        }

        @Test
        void twoThousandIdleConnectionsDoNotStopANewClientFromBeingServed() throws IOException {
            // At most 64 per address (the default): spread over 127.0.0.2 … 127.0.0.40.
            restart(ServerLimits.DEFAULTS.withConnections(5_000, 64));
            InetSocketAddress to =
                    new InetSocketAddress("127.0.0.1", server.address().getPort());
            List<Socket> idle = new ArrayList<>();
            try {
                byte[] hello = frame(RawClient.CODEC.encode(new Request.Hello(1)));
                for (int i = 0; i < 2_000; i++) {
                    Socket s = connectFrom("127.0.0." + (2 + i % 39), to);
                    idle.add(s);
                    s.getOutputStream().write(hello);
                }
                for (Socket s : idle) {
                    assertInstanceOf(Response.HelloOk.class, readResponse(s.getInputStream()));
                }
                assertEquals(2_000, server.connectionCount());

                long start = System.nanoTime();
                try (RawClient fresh = RawClient.hello(server)) {
                    assertArrayEquals(KNOWN, fresh.get("known.txt").body());
                }
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(millis < 2_000, "a new client waited " + millis + " ms");
            } finally {
                closeAll(idle);
            }
            await("the 2000 closed connections were released")
                    .atMost(BOUND)
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> server.connectionCount() == 0);
        }

        @Test
        void connectionsOverThePerAddressLimitAreBusyWhileOtherAddressesAreServed() throws IOException {
            restart(ServerLimits.DEFAULTS.withConnections(1_000, 8));
            InetSocketAddress to =
                    new InetSocketAddress("127.0.0.1", server.address().getPort());
            List<Socket> held = new ArrayList<>();
            try {
                byte[] hello = frame(RawClient.CODEC.encode(new Request.Hello(1)));
                for (int i = 0; i < 8; i++) {
                    Socket s = connectFrom("127.0.0.77", to);
                    held.add(s);
                    s.getOutputStream().write(hello);
                    assertInstanceOf(Response.HelloOk.class, readResponse(s.getInputStream()));
                }
                Socket ninth = connectFrom("127.0.0.77", to);
                held.add(ninth);
                // Answered BUSY before any hello, then closed.
                assertError(ErrorCode.BUSY, readResponse(ninth.getInputStream()));
                assertEquals(-1, ninth.getInputStream().read());
                try (RawClient other = RawClient.hello(server)) {
                    assertArrayEquals(KNOWN, other.get("known.txt").body());
                }
            } finally {
                closeAll(held);
            }
            await("the held connections were released")
                    .atMost(BOUND)
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> server.connectionCount() == 0);
        }
    }

    /** A 2 MiB tmpfs mounted over the root: a disk that really fills up. */
    @Nested
    class DiskFull {
        @BeforeEach
        void smallDisk() throws IOException, InterruptedException {
            // The server's state lives in the root, so it restarts over the mounted file system.
            server.close();
            server = null;
            String why = mountTmpfs(root, "2m");
            if (why == null) {
                cleanups.add(() -> unmount(root));
                Files.write(root.resolve("known.txt"), KNOWN);
                Files.write(root.resolve("victim.txt"), VICTIM);
            }
            server = FtServer.start(root, ANY_PORT);
            Assumptions.assumeTrue(
                    why == null,
                    () -> "\n\n*** DISK-FULL CASES NOT RUN: cannot mount a 2 MiB tmpfs (" + why
                            + "); run as root with CAP_SYS_ADMIN to run them ***\n");
        }

        @Test
        void uploadLargerThanTheDiskIsNoSpaceBeforeTheBody() throws IOException {
            byte[] content = random(3_000_000, 3);
            try (RawClient c = RawClient.hello(server)) {
                c.expectError(new Request.Put("big.bin", content.length, RawClient.md5(content)), ErrorCode.NO_SPACE);
                assertConnectionUsable(c);
            }
            assertFalse(Files.exists(root.resolve("big.bin")));
        }

        @Test
        void secondOfTwoConcurrentUploadsThatTogetherDoNotFitIsNoSpace() throws IOException {
            byte[] a = random(1_500_000, 4);
            byte[] b = random(1_500_000, 5);
            try (RawClient first = RawClient.hello(server);
                    RawClient second = RawClient.hello(server)) {
                assertEquals(0, startPut(first, "a.bin", a).offset());
                first.sendRaw(a, 0, 100_000);
                second.expectError(new Request.Put("b.bin", b.length, RawClient.md5(b)), ErrorCode.NO_SPACE);
                first.sendRaw(a, 100_000, a.length - 100_000);
                Response.PutDone done = assertInstanceOf(Response.PutDone.class, first.read(Response.PutDone.class));
                assertEquals(RawClient.md5(a), done.md5());
                assertConnectionUsable(second);
            }
            assertArrayEquals(a, Files.readAllBytes(root.resolve("a.bin")));
            assertFalse(Files.exists(root.resolve("b.bin")));
        }

        @Test
        void diskFilledByOthersDuringTheBodyIsNoSpaceAtOnceThenClosed() throws IOException {
            byte[] content = random(1_000_000, 6);
            try (RawClient c = RawClient.hello(server)) {
                assertEquals(0, startPut(c, "m.bin", content).offset());
                // Someone else (not an ft upload) takes most of the disk meanwhile.
                try (OutputStream filler = Files.newOutputStream(root.resolve("filler.bin"))) {
                    filler.write(new byte[1_500_000]);
                }
                try {
                    c.sendRaw(content);
                } catch (IOException resetBecauseTheServerStoppedReading) {
                    // The answer was sent before the close; read it below.
                }
                c.readError(ErrorCode.NO_SPACE);
                c.assertClosedByServer();
            }
            assertFalse(Files.exists(root.resolve("m.bin")), "nothing unverified under the final name");
        }
    }

    /** Null when mounted, else why not. */
    static String mountTmpfs(Path dir, String size) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(
                            "mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0755", "tmpfs", dir.toString())
                    .redirectErrorStream(true)
                    .start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "mount did not finish in 20 s";
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.exitValue() == 0 ? null : "mount exited " + p.exitValue() + ": " + out;
        } catch (IOException e) {
            return "cannot run mount: " + e.getMessage();
        }
    }

    static void unmount(Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("umount", "-l", dir.toString())
                .redirectErrorStream(true)
                .start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("umount -l " + dir + " did not finish in 20 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException(
                    "umount -l " + dir + ": " + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    // ================================================================== concurrency

    @Nested
    class Concurrency {
        @Test
        void secondUploadOfTheSameNameIsBusyAndTheFirstWins() throws IOException {
            byte[] first = random(300_000, 7);
            byte[] second = random(300_000, 8);
            try (RawClient a = RawClient.hello(server);
                    RawClient b = RawClient.hello(server)) {
                startPut(a, "same.bin", first);
                a.sendRaw(first, 0, 1000);
                b.expectError(new Request.Put("same.bin", second.length, RawClient.md5(second)), ErrorCode.BUSY);
                a.sendRaw(first, 1000, first.length - 1000);
                assertEquals(
                        RawClient.md5(first),
                        assertInstanceOf(Response.PutDone.class, a.read(Response.PutDone.class))
                                .md5());
                assertConnectionUsable(b);
            }
            assertArrayEquals(first, Files.readAllBytes(root.resolve("same.bin")));
        }

        @Test
        void downloadDuringAnUploadServesTheOldVersionCompleteAndVerified() throws IOException {
            byte[] old = random(2_000_000, 9);
            byte[] fresh = random(2_500_000, 10);
            Files.write(root.resolve("doc.bin"), old);
            try (RawClient up = RawClient.hello(server);
                    RawClient down = RawClient.hello(server)) {
                startPut(up, "doc.bin", fresh);
                up.sendRaw(fresh, 0, 1_000_000);
                RawClient.Fetched during = down.get("doc.bin");
                assertEquals(old.length, during.header().size());
                assertEquals(RawClient.md5(old), during.header().md5());
                assertArrayEquals(old, during.body());
                up.sendRaw(fresh, 1_000_000, fresh.length - 1_000_000);
                assertInstanceOf(Response.PutDone.class, up.read(Response.PutDone.class));
                RawClient.Fetched after = down.get("doc.bin");
                assertEquals(RawClient.md5(fresh), after.header().md5());
                assertArrayEquals(fresh, after.body());
            }
        }

        @Test
        void rmDuringADownloadLetsTheDownloadFinishWithTheOldBytes() throws IOException {
            byte[] content = random(24 << 20, 11);
            Files.write(root.resolve("big.bin"), content);
            try (RawClient down = RawClient.hello(server);
                    RawClient rm = RawClient.hello(server)) {
                down.send(new Request.Get("big.bin", 0));
                Response.GetOk header = assertInstanceOf(Response.GetOk.class, down.read(Response.GetOk.class));
                byte[] head = down.readBody(1 << 20);
                assertInstanceOf(
                        Response.Ok.class, rm.request(new Request.Remove("big.bin", false), Response.Ok.class));
                assertFalse(Files.exists(root.resolve("big.bin")));
                rm.expectError(new Request.Stat("big.bin"), ErrorCode.NOT_FOUND);
                byte[] rest = down.readBody(header.size() - head.length);
                byte[] whole = concat(head, rest);
                assertArrayEquals(content, whole);
                assertEquals(header.md5(), Md5.of(Body.newMd5().digest(whole)));
                down.expectError(new Request.Get("big.bin", 0), ErrorCode.NOT_FOUND);
            }
        }

        @Test
        void directorySwappedForASymlinkOutsideDuringAnUploadStoresNothingThere() throws IOException {
            Files.createDirectories(root.resolve("updir"));
            byte[] content = random(500_000, 12);
            try (RawClient c = RawClient.hello(server)) {
                startPut(c, "updir/f.bin", content);
                c.sendRaw(content, 0, 100_000);
                Files.move(root.resolve("updir"), root.resolve("updir-was"));
                Files.createSymbolicLink(root.resolve("updir"), Path.of("../outside/dir"));
                c.sendRaw(content, 100_000, content.length - 100_000);
                c.readError(ErrorCode.ACCESS_DENIED);
                assertConnectionUsable(c);
            }
            assertFalse(Files.exists(root.resolve("updir-was/f.bin")));
            try (Stream<Path> s = Files.list(outside.resolve("dir"))) {
                assertEquals(List.of(), s.toList(), "nothing may land outside the root");
            }
        }

        @Test
        void moveOverAFileDuringADownloadLetsTheDownloadFinishWithTheOldBytes() throws IOException {
            byte[] old = random(16 << 20, 13);
            Files.write(root.resolve("v.bin"), old);
            Files.write(root.resolve("new.bin"), UPLOAD);
            try (RawClient down = RawClient.hello(server);
                    RawClient mv = RawClient.hello(server)) {
                down.send(new Request.Get("v.bin", 0));
                Response.GetOk header = assertInstanceOf(Response.GetOk.class, down.read(Response.GetOk.class));
                byte[] head = down.readBody(1 << 20);
                assertInstanceOf(
                        Response.Ok.class, mv.request(new Request.Move("new.bin", "v.bin"), Response.Ok.class));
                byte[] whole = concat(head, down.readBody(header.size() - head.length));
                assertArrayEquals(old, whole);
                assertArrayEquals(UPLOAD, down.get("v.bin").body(), "the next get sees the new file");
            }
        }
    }

    /** The suite must stay at least as large as issue 4 asks. */
    @Test
    void suiteHasAtLeastSixtyCases() {
        long paths = pathCases().count();
        long headers = malformedHeaders().count();
        assertTrue(paths + headers >= 60, paths + " + " + headers);
    }
}
