package ft.server.storage.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.protocol.ErrorCode;
import ft.server.RefusedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The jail between client paths and the disk. Layout of every test:
 *
 * <pre>
 * tmp/root/              the served root
 * tmp/root/.ft/partials  the server's reserved state
 * tmp/root/inside.txt    an ordinary file
 * tmp/root/sub/          an ordinary directory
 * tmp/root2/secret.txt   a sibling whose name shares the root's prefix: must stay unreachable
 * tmp/outside.txt        a file next to the root
 * </pre>
 */
class RootJailTest {
    private static final String SECRET = "top secret, outside the root";

    @TempDir
    Path tmp;

    private Path root;
    private Path sibling;
    private RootJail jail;

    @BeforeEach
    void layout() throws IOException {
        root = Files.createDirectory(tmp.resolve("root"));
        sibling = Files.createDirectory(tmp.resolve("root2"));
        Files.writeString(sibling.resolve("secret.txt"), SECRET);
        Files.writeString(tmp.resolve("outside.txt"), "outside");
        Files.writeString(root.resolve("inside.txt"), "inside");
        Files.createDirectory(root.resolve("sub"));
        jail = new RootJail(root);
        Files.createDirectories(jail.stateDir().resolve("partials"));
    }

    // ------------------------------------------------------------------ lexical refusals

    static Stream<Arguments> hostilePaths() {
        return Stream.of(
                // malformed: BAD_REQUEST
                Arguments.of("", ErrorCode.BAD_REQUEST),
                Arguments.of("a\u0000b", ErrorCode.BAD_REQUEST),
                Arguments.of("a\nb", ErrorCode.BAD_REQUEST),
                Arguments.of("a\rb", ErrorCode.BAD_REQUEST),
                Arguments.of("a\tb", ErrorCode.BAD_REQUEST),
                Arguments.of("\u007f", ErrorCode.BAD_REQUEST),
                Arguments.of("sub/\u001f", ErrorCode.BAD_REQUEST),
                Arguments.of("a//b", ErrorCode.BAD_REQUEST),
                Arguments.of("a/", ErrorCode.BAD_REQUEST),
                Arguments.of(".", ErrorCode.BAD_REQUEST),
                Arguments.of("./inside.txt", ErrorCode.BAD_REQUEST),
                Arguments.of("a/./b", ErrorCode.BAD_REQUEST),
                Arguments.of("x".repeat(256), ErrorCode.BAD_REQUEST),
                Arguments.of("sub/" + "x".repeat(256) + "/f", ErrorCode.BAD_REQUEST),
                // 128 two-byte characters: 128 chars but 256 UTF-8 bytes
                Arguments.of("\u00e9".repeat(128), ErrorCode.BAD_REQUEST),
                // 86 three-byte characters: 258 UTF-8 bytes
                Arguments.of("\u20ac".repeat(86), ErrorCode.BAD_REQUEST),
                // not well-formed UTF-16: no file system name can hold a lone surrogate
                Arguments.of("a\ud800b", ErrorCode.BAD_REQUEST),
                Arguments.of("sub/\udc00", ErrorCode.BAD_REQUEST),
                Arguments.of("x\ud83d", ErrorCode.BAD_REQUEST),
                Arguments.of("\ude00\ud83d", ErrorCode.BAD_REQUEST),
                // escapes: ACCESS_DENIED
                Arguments.of("..", ErrorCode.ACCESS_DENIED),
                Arguments.of("../x", ErrorCode.ACCESS_DENIED),
                Arguments.of("../outside.txt", ErrorCode.ACCESS_DENIED),
                Arguments.of("../root2/secret.txt", ErrorCode.ACCESS_DENIED),
                Arguments.of("../root2", ErrorCode.ACCESS_DENIED),
                Arguments.of("a/../../x", ErrorCode.ACCESS_DENIED),
                Arguments.of("sub/../../root2/secret.txt", ErrorCode.ACCESS_DENIED),
                Arguments.of("a/..", ErrorCode.ACCESS_DENIED),
                Arguments.of("sub/x/..", ErrorCode.ACCESS_DENIED),
                Arguments.of("../../../../../../../../etc/passwd", ErrorCode.ACCESS_DENIED),
                Arguments.of("/etc/passwd", ErrorCode.ACCESS_DENIED),
                Arguments.of("//etc/passwd", ErrorCode.ACCESS_DENIED),
                Arguments.of("/", ErrorCode.ACCESS_DENIED),
                Arguments.of("\\etc", ErrorCode.ACCESS_DENIED),
                Arguments.of("a\\..\\b", ErrorCode.ACCESS_DENIED),
                Arguments.of("..\\root2\\secret.txt", ErrorCode.ACCESS_DENIED),
                Arguments.of("..\\u002fx", ErrorCode.ACCESS_DENIED),
                Arguments.of("..\u002fx", ErrorCode.ACCESS_DENIED),
                Arguments.of("C:/x", ErrorCode.ACCESS_DENIED),
                Arguments.of("c:x", ErrorCode.ACCESS_DENIED),
                Arguments.of("Z:", ErrorCode.ACCESS_DENIED),
                Arguments.of(".ft", ErrorCode.ACCESS_DENIED),
                Arguments.of(".ft/partials", ErrorCode.ACCESS_DENIED),
                Arguments.of(".ft/partials/x", ErrorCode.ACCESS_DENIED),
                Arguments.of(".ft/partials/x.part", ErrorCode.ACCESS_DENIED));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("hostilePaths")
    void refusesHostilePathWithItsCodeWithoutTouchingTheDisk(String hostile, ErrorCode expected) throws Exception {
        Map<String, String> before = snapshot(tmp);

        assertRefused(expected, () -> RootJail.segments(hostile));
        assertRefused(expected, () -> jail.resolveExisting(hostile));
        assertRefused(expected, () -> jail.resolveForWrite(hostile));

        assertEquals(before, snapshot(tmp), "a refused path must not create or change anything, inside or outside");
        assertEquals(SECRET, Files.readString(sibling.resolve("secret.txt")));
    }

    /** A symbolic link at {@code at} under the root, pointing at {@code target} as written. */
    private void link(String at, String target) throws IOException {
        Files.createSymbolicLink(root.resolve(at), Path.of(target));
    }

    /** Each path is ACCESS_DENIED both to read and to write. */
    private void assertRefusedToReadAndWrite(String... paths) throws IOException {
        for (String path : paths) {
            assertRefused(ErrorCode.ACCESS_DENIED, () -> jail.resolveExisting(path));
            assertRefused(ErrorCode.ACCESS_DENIED, () -> jail.resolveForWrite(path));
        }
    }

    @Test
    void hostileCasesCoverAtLeastTwentyFivePaths() {
        List<Arguments> all = hostilePaths().toList();
        assertTrue(all.size() >= 25, "only " + all.size() + " hostile paths");
        assertTrue(all.stream().anyMatch(a -> a.get()[1] == ErrorCode.BAD_REQUEST));
        assertTrue(all.stream().anyMatch(a -> a.get()[1] == ErrorCode.ACCESS_DENIED));
    }

    @ParameterizedTest
    @ValueSource(strings = {"...", "..a", "a..", ".ftx", "sub/.ft", "x.ft", "c", "sub/inside.txt"})
    void acceptsNamesThatOnlyLookSuspicious(String harmless) throws Exception {
        List<String> segments = RootJail.segments(harmless);
        assertEquals(List.of(harmless.split("/")), segments);
        Path target = jail.resolveForWrite(harmless);
        assertTrue(target.startsWith(jail.root()), target + " is not inside the root");
        assertEquals(jail.root().resolve(harmless), target);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u00e9t\u00e9.txt", "sub/\ud83d\ude00.txt", "\u65e5\u672c/\u8a9e"})
    void acceptsNonAsciiNamesWhenFileNamesAreUtf8(String name) throws Exception {
        // Under a C/POSIX locale the JVM can only name ASCII files; the jail then refuses instead.
        boolean utf8 = "UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"));
        if (!utf8) {
            assertRefused(ErrorCode.BAD_REQUEST, () -> jail.resolveForWrite(name));
            return;
        }
        Path target = jail.resolveForWrite(name);
        assertEquals(jail.root().resolve(name), target);
        Files.writeString(target, "x");
        assertEquals(target, jail.resolveExisting(name));
    }

    @Test
    void acceptsSegmentOfExactly255Bytes() throws Exception {
        String name = "\u00e9".repeat(127) + "x"; // 254 + 1 bytes
        assertEquals(255, name.getBytes(StandardCharsets.UTF_8).length);
        assertEquals(List.of("sub", name), RootJail.segments("sub/" + name));
    }

    // ------------------------------------------------------------------ symlinks

    @Test
    void refusesSymlinkToFileInPrefixSharingSibling() throws Exception {
        link("leak", "../root2/secret.txt");
        Files.createSymbolicLink(
                root.resolve("leak-abs"), sibling.resolve("secret.txt").toAbsolutePath());
        Map<String, String> before = snapshot(tmp);

        assertRefusedToReadAndWrite("leak", "leak-abs");

        assertEquals(before, snapshot(tmp));
        assertEquals(SECRET, Files.readString(sibling.resolve("secret.txt")));
    }

    @Test
    void refusesSymlinkedDirectoryOutsideAndCreatesNothingThere() throws Exception {
        link("link", "../root2");
        link("sub/up", "../..");
        Map<String, String> before = snapshot(tmp);
        List<String> siblingBefore = listing(sibling);

        assertRefused(ErrorCode.ACCESS_DENIED, () -> jail.resolveExisting("link"));
        assertRefused(ErrorCode.ACCESS_DENIED, () -> jail.resolveExisting("link/secret.txt"));
        assertRefused(ErrorCode.ACCESS_DENIED, () -> jail.resolveForWrite("link/secret.txt"));
        assertRefused(ErrorCode.ACCESS_DENIED, () -> jail.resolveForWrite("link/new.txt"));
        assertRefused(ErrorCode.ACCESS_DENIED, () -> jail.resolveForWrite("link/newdir/new.txt"));
        assertRefused(ErrorCode.ACCESS_DENIED, () -> jail.resolveExisting("sub/up/root2/secret.txt"));
        assertRefused(ErrorCode.ACCESS_DENIED, () -> jail.resolveForWrite("sub/up/root2/new.txt"));
        assertRefused(ErrorCode.ACCESS_DENIED, () -> jail.resolveForWrite("sub/up/brand-new/x.txt"));

        assertEquals(siblingBefore, listing(sibling), "nothing may appear in the directory outside");
        assertFalse(Files.exists(tmp.resolve("brand-new")));
        assertEquals(before, snapshot(tmp));
    }

    @Test
    void refusesDanglingSymlinksWhereverTheyPoint() throws Exception {
        link("dangling-out", "../root2/not-there.txt");
        link("dangling-in", "missing.txt");
        link("dangling-dir", "../root2/no-dir");
        Map<String, String> before = snapshot(tmp);

        assertRefusedToReadAndWrite("dangling-out", "dangling-in");
        assertRefused(ErrorCode.ACCESS_DENIED, () -> jail.resolveForWrite("dangling-dir/x.txt"));

        assertEquals(before, snapshot(tmp));
        assertFalse(Files.exists(sibling.resolve("not-there.txt")));
        assertFalse(Files.exists(sibling.resolve("no-dir")));
    }

    @Test
    void outsideDanglingLoopingAndReservedReadTheSameSoNothingOutsideCanBeProbed() throws Exception {
        link("to-existing", "../root2/secret.txt");
        link("to-missing", "../root2/not-there.txt");
        link("loop", "loop");
        link("state", ".ft");
        List<String> messages = Stream.of("to-existing", "to-missing", "loop", "state")
                .map(p -> {
                    RefusedException e = assertThrows(RefusedException.class, () -> jail.resolveExisting(p));
                    assertEquals(ErrorCode.ACCESS_DENIED, e.code(), p);
                    return e.getMessage().replace("'" + p + "'", "'P'");
                })
                .distinct()
                .toList();
        assertEquals(1, messages.size(), () -> "the refusals tell the cases apart: " + messages);
    }

    @Test
    void refusesSymlinkLoopAsAccessDenied() throws Exception {
        link("loop", "loop");
        link("ping", "pong");
        link("pong", "ping");
        Map<String, String> before = snapshot(tmp);

        assertRefusedToReadAndWrite("loop", "ping", "loop/x.txt");
        assertEquals(before, snapshot(tmp));
    }

    @Test
    void refusesSymlinksIntoTheReservedStateDirectory() throws Exception {
        Files.writeString(jail.stateDir().resolve("partials/abc.part"), "partial bytes");
        link("state", ".ft");
        link("parts", ".ft/partials");
        link("part", ".ft/partials/abc.part");
        Files.createSymbolicLink(root.resolve("sub/deep"), jail.stateDir().resolve("partials"));
        link("self", ".");
        Map<String, String> before = snapshot(tmp);

        assertRefusedToReadAndWrite(
                "state",
                "parts",
                "part",
                "parts/abc.part",
                "sub/deep/abc.part",
                "self/.ft",
                "self/.ft/partials/abc.part");
        assertRefused(ErrorCode.ACCESS_DENIED, () -> jail.resolveForWrite("state/evil.txt"));
        assertRefused(ErrorCode.ACCESS_DENIED, () -> jail.resolveForWrite("parts/new/evil.txt"));

        assertEquals(before, snapshot(tmp));
    }

    @Test
    void followsSymlinksThatStayInsideTheRoot() throws Exception {
        link("alias.txt", "inside.txt");
        link("sub/back.txt", "../inside.txt");
        link("dirlink", "sub");
        Path realInside = root.resolve("inside.txt").toRealPath();

        assertEquals(realInside, jail.resolveExisting("alias.txt"));
        assertEquals(realInside, jail.resolveExisting("sub/back.txt"));
        assertEquals(realInside, jail.resolveForWrite("alias.txt"));
        assertEquals(root.resolve("sub").toRealPath(), jail.resolveExisting("dirlink"));
        assertEquals(root.resolve("sub").toRealPath().resolve("new.txt"), jail.resolveForWrite("dirlink/new.txt"));
        assertTrue(Files.isSymbolicLink(root.resolve("alias.txt")), "resolving must not replace the link");
        assertEquals("inside", Files.readString(jail.resolveExisting("alias.txt")));
    }

    @Test
    void selfReferencingSymlinkToTheRootStillCannotReachOutside() throws Exception {
        link("self", ".");
        assertEquals(jail.root(), jail.resolveExisting("self"));
        assertEquals(jail.root().resolve("inside.txt"), jail.resolveExisting("self/self/inside.txt"));
        assertRefused(ErrorCode.ACCESS_DENIED, () -> jail.resolveExisting("self/../root2/secret.txt"));
    }

    // ------------------------------------------------------------------ writes and lookups

    @Test
    void resolveForWriteCreatesMissingParentsInsideTheRootButNotTheFile() throws Exception {
        Path target = jail.resolveForWrite("x/y/z/file.txt");

        assertEquals(jail.root().resolve("x/y/z/file.txt"), target);
        assertTrue(Files.isDirectory(root.resolve("x/y/z"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(target, LinkOption.NOFOLLOW_LINKS), "the file itself is not created");
    }

    @Test
    void resolveForWriteThroughARegularFileIsNotADirectory() throws Exception {
        link("sub/inside-link", "../inside.txt");
        Map<String, String> before = snapshot(tmp);

        assertRefused(ErrorCode.NOT_A_DIRECTORY, () -> jail.resolveForWrite("inside.txt/x"));
        assertRefused(ErrorCode.NOT_A_DIRECTORY, () -> jail.resolveForWrite("inside.txt/x/y.txt"));
        assertRefused(ErrorCode.NOT_A_DIRECTORY, () -> jail.resolveForWrite("sub/inside-link/x.txt"));

        assertEquals(before, snapshot(tmp));
        assertEquals("inside", Files.readString(root.resolve("inside.txt")));
    }

    @Test
    void resolveExistingOfMissingFileIsNotFoundAndCreatesNothing() throws Exception {
        Map<String, String> before = snapshot(tmp);

        assertRefused(ErrorCode.NOT_FOUND, () -> jail.resolveExisting("missing.txt"));
        assertRefused(ErrorCode.NOT_FOUND, () -> jail.resolveExisting("sub/missing.txt"));
        assertRefused(ErrorCode.NOT_FOUND, () -> jail.resolveExisting("no-dir/missing.txt"));

        assertEquals(before, snapshot(tmp));
    }

    @Test
    void resolveExistingBelowARegularFileIsNotFound() throws Exception {
        assertRefused(ErrorCode.NOT_FOUND, () -> jail.resolveExisting("inside.txt/x"));
        assertRefused(ErrorCode.NOT_FOUND, () -> jail.resolveExisting("inside.txt/x/y"));
    }

    @Test
    void resolveForWriteOfADirectoryIsIsADirectory() throws Exception {
        link("dirlink", "sub");

        assertRefused(ErrorCode.IS_A_DIRECTORY, () -> jail.resolveForWrite("sub"));
        assertRefused(ErrorCode.IS_A_DIRECTORY, () -> jail.resolveForWrite("dirlink"));
        assertEquals(jail.root().resolve("sub"), jail.resolveExisting("sub"));
    }

    @Test
    void rootIsStoredAsItsRealPath() throws Exception {
        Path viaLink = Files.createSymbolicLink(tmp.resolve("root-link"), Path.of("root"));
        RootJail linked = new RootJail(viaLink);
        assertEquals(root.toRealPath(), linked.root());
        assertEquals(root.toRealPath().resolve(".ft"), linked.stateDir());
        assertEquals(root.toRealPath().resolve("inside.txt"), linked.resolveExisting("inside.txt"));
    }

    // ------------------------------------------------------------------ helpers

    /** Asserts a refusal with the code, and that its message (which goes to clients) hides the root. */
    private RefusedException assertRefused(ErrorCode expected, Executable call) throws IOException {
        RefusedException e = assertThrows(RefusedException.class, call);
        assertEquals(expected, e.code(), () -> "message: " + e.getMessage());
        String message = String.valueOf(e.getMessage());
        for (String secret : List.of(
                tmp.toString(),
                tmp.toRealPath().toString(),
                root.toString(),
                jail.root().toString(),
                sibling.toString())) {
            assertFalse(message.contains(secret), () -> "message leaks a server path: " + message);
        }
        return e;
    }

    /** Every entry under {@code dir} (links not followed) with its type and content digest. */
    static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String key = dir.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    entries.put(key, "link -> " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    entries.put(key, "dir");
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    entries.put(
                            key,
                            "file " + Files.size(p) + " " + md5Hex(Files.readAllBytes(p)) + " "
                                    + Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS));
                } else {
                    entries.put(key, "other");
                }
            }
        }
        return entries;
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String md5Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
