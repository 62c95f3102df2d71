package ft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.protocol.EntryType;
import ft.protocol.ErrorCode;
import ft.protocol.ListItem;
import ft.protocol.Md5;
import ft.protocol.Request;
import ft.protocol.Response;
import ft.testing.ListingReader;
import ft.testing.ListingReader.Listing;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * stat, list, find, rm, mkdir and mv through real sockets on 127.0.0.1 against a real
 * directory tree.
 */
class TreeRequestsTest {
    private static final String UNICODE_DIR = "ünï cødé dir";
    private static final String UNICODE_FILE = "fïlé with spaces ✓.txt";

    @TempDir
    Path tmp;

    private Path root;
    private Path outside;
    private FtServer server;
    private RawClient client;

    @BeforeEach
    void startServer() throws IOException {
        root = tmp.resolve("root");
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "not yours");
        server = FtServer.start(root, new InetSocketAddress("127.0.0.1", 0));
        root = server.root();
        client = RawClient.hello(server);
    }

    @AfterEach
    void stopServer() throws IOException {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    // ------------------------------------------------------------------ stat

    @Test
    void statOfFileReportsNameTypeSizeMtimeAndMd5() throws IOException {
        byte[] content = "hello, tree\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
        Path file = write("docs/report.txt", content);

        Response.StatOk stat = stat("docs/report.txt");

        assertEquals("report.txt", stat.name());
        assertEquals(EntryType.FILE, stat.type());
        assertEquals(content.length, stat.size());
        assertEquals(Files.getLastModifiedTime(file).toMillis(), stat.mtime());
        assertEquals(new Md5(md5Hex(content)), stat.md5());
    }

    @Test
    void statOfDirectoryReportsTypeDirAndNoMd5() throws IOException {
        Path dir = Files.createDirectories(root.resolve("photos/2024"));
        write("photos/2024/a.jpg", "jpeg");

        Response.StatOk stat = stat("photos/2024");

        assertEquals("2024", stat.name());
        assertEquals(EntryType.DIR, stat.type());
        assertNull(stat.md5(), "a directory has no digest");
        assertEquals(Files.getLastModifiedTime(dir).toMillis(), stat.mtime());
    }

    @Test
    void statOfMissingPathIsNotFoundAndTheConnectionStaysUsable() throws IOException {
        client.expectError(new Request.Stat("no/such/file.txt"), ErrorCode.NOT_FOUND);
        assertConnectionStillServes();
        client.expectError(new Request.Stat("missing.txt"), ErrorCode.NOT_FOUND);
        assertConnectionStillServes();
    }

    @Test
    void statOfPathLeavingTheRootIsAccessDeniedAndTheConnectionStaysUsable() throws IOException {
        Files.writeString(tmp.resolve("x"), "beside the root");
        client.expectError(new Request.Stat("../x"), ErrorCode.ACCESS_DENIED);
        assertConnectionStillServes();
        client.expectError(new Request.Stat(".ft"), ErrorCode.ACCESS_DENIED);
        assertConnectionStillServes();
    }

    // ------------------------------------------------------------------ list

    @Test
    void listOfRootIsSortedHidesStateDirAndReportsTypesAndSizes() throws IOException {
        assertTrue(Files.isDirectory(root.resolve(".ft")), "precondition: the server keeps its state in .ft");
        Path b = write("b.txt", "bbb");
        write("a.txt", "a");
        write("B.txt", "BBBBB");
        write(".hidden", "dot files are ordinary names");
        Files.createDirectories(root.resolve("dir/inner"));
        Files.createSymbolicLink(root.resolve("link"), root.resolve("dir"));
        Files.createSymbolicLink(root.resolve("out"), outside);

        Listing page = list("", null, 100);

        assertEquals(List.of(".hidden", "B.txt", "a.txt", "b.txt", "dir", "link", "out"), page.paths());
        assertFalse(page.end().more());
        assertEquals(
                new ListItem.Entry(
                        "b.txt", EntryType.FILE, 3, Files.getLastModifiedTime(b).toMillis()),
                page.entry("b.txt"));
        assertEquals(5, page.entry("B.txt").size());
        assertEquals(EntryType.DIR, page.entry("dir").type());
        assertEquals(0, page.entry("dir").size());
        assertEquals(EntryType.LINK, page.entry("link").type(), "a symlink to a directory is listed as a link");
        assertEquals(EntryType.LINK, page.entry("out").type(), "a symlink leaving the root is listed as a link");
        assertEquals(0, page.entry("link").size());
    }

    @Test
    void listOfSubdirectoryGivesBareNames() throws IOException {
        write("sub/one.txt", "1");
        write("sub/deeper/two.txt", "22");

        Listing page = list("sub", null, 10);

        assertEquals(List.of("deeper", "one.txt"), page.paths());
        assertEquals(EntryType.DIR, page.entry("deeper").type());
        assertEquals(1, page.entry("one.txt").size());
    }

    @Test
    void listWithLimitThreePagesThroughTenEntriesUsingAfterAndMore() throws IOException {
        List<String> all = new ArrayList<>();
        for (int i = 9; i >= 0; i--) { // created in reverse so directory order is unlikely to be sorted
            String name = "f" + i + ".dat";
            write(name, "x".repeat(i));
            all.add(name);
        }
        all.sort(null);

        List<Integer> pageSizes = new ArrayList<>();
        List<Boolean> mores = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        String after = null;
        for (int pageNo = 0; pageNo < 10; pageNo++) {
            Listing page = list("", after, 3);
            pageSizes.add(page.entries().size());
            mores.add(page.end().more());
            assertSorted(page.paths());
            seen.addAll(page.paths());
            if (!page.end().more()) {
                break;
            }
            after = page.paths().getLast();
        }

        assertEquals(List.of(3, 3, 3, 1), pageSizes);
        assertEquals(List.of(true, true, true, false), mores);
        assertEquals(all, seen, "the pages together must be every name once, in order");
        assertEquals(seen.size(), new HashSet<>(seen).size(), "no name may appear on two pages");
    }

    @Test
    void listOfAFileIsNotADirectory() throws IOException {
        write("plain.txt", "text");
        client.expectError(new Request.List("plain.txt", null, 10), ErrorCode.NOT_A_DIRECTORY);
        assertConnectionStillServes();
    }

    @Test
    void listOfMissingDirectoryIsNotFound() throws IOException {
        client.expectError(new Request.List("nowhere", null, 10), ErrorCode.NOT_FOUND);
        assertConnectionStillServes();
    }

    @Test
    void listAfterANameBeyondTheLastGivesNoEntriesAndNoMore() throws IOException {
        write("a.txt", "a");
        write("m.txt", "m");

        Listing page = list("", "zzz", 10);

        assertEquals(List.of(), page.paths());
        assertEquals(0, page.end().count());
        assertFalse(page.end().more());
    }

    /**
     * A page asked with the protocol's largest limit holds at most {@link ListDirectory#MAX_PAGE_ENTRIES}
     * names (a page of 10 000 long names was megabytes of heap per request, issue 14 finding 5);
     * following {@code more} and {@code after} still brings every name once, in order.
     */
    @Test
    void listOfTwentyThousandEntriesAskedTenThousandAtATimeComesInPagesOfAThousandHoldingEveryName()
            throws IOException {
        Path big = Files.createDirectories(root.resolve("big"));
        TreeSet<String> all = new TreeSet<>();
        for (int i = 0; i < 20_000; i++) {
            // Mixed lengths and a shuffled order make a wrong comparison or a lost entry show.
            String name = "e" + Integer.toString((i * 7919) % 20_000, 36) + (i % 3 == 0 ? ".bin" : "");
            Files.createFile(big.resolve(name));
            all.add(name);
        }
        assertEquals(20_000, all.size(), "precondition: distinct names");

        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        while (true) {
            Listing page = list("big", after, 10_000);
            pages++;
            assertEquals(ListDirectory.MAX_PAGE_ENTRIES, page.entries().size(), "page " + pages);
            seen.addAll(page.paths());
            if (!page.end().more()) {
                break;
            }
            assertTrue(pages < 20, "more pages than names allow");
            after = page.paths().getLast();
        }
        assertEquals(20, pages);
        assertEquals(List.copyOf(all), seen, "the pages must hold every name once, sorted");
    }

    // ------------------------------------------------------------------ find

    @Test
    void findWithoutPatternReportsEveryFileDirectoryAndLinkFollowingLinksInsideTheRootButNotTheStateDir()
            throws IOException {
        write("a.txt", "a");
        write("sub/b.txt", "bb");
        write("sub/deep/c.bin", "ccc");
        Files.createDirectories(root.resolve("empty"));
        write(UNICODE_DIR + "/" + UNICODE_FILE, "unicode");
        write(".ft/planted.txt", "server state");
        Files.createSymbolicLink(root.resolve("inlink"), root.resolve("sub"));
        Files.createSymbolicLink(root.resolve("sub/outlink"), outside);
        Files.createSymbolicLink(root.resolve("filelink"), root.resolve("a.txt"));

        Listing found = find("", null);

        Set<String> expected = Set.of(
                "a.txt",
                "sub",
                "sub/b.txt",
                "sub/deep",
                "sub/deep/c.bin",
                "empty",
                UNICODE_DIR,
                UNICODE_DIR + "/" + UNICODE_FILE,
                "filelink",
                "sub/outlink",
                "inlink",
                "inlink/b.txt",
                "inlink/deep",
                "inlink/deep/c.bin",
                "inlink/outlink");
        assertEquals(new TreeSet<>(expected), new TreeSet<>(found.paths()));
        assertEquals(expected.size(), found.entries().size(), "no path may be reported twice");
        assertEquals(EntryType.DIR, found.entry("empty").type());
        assertEquals(EntryType.DIR, found.entry("sub/deep").type());
        assertEquals(EntryType.DIR, found.entry("inlink").type());
        assertEquals(EntryType.FILE, found.entry("filelink").type());
        assertEquals(EntryType.LINK, found.entry("sub/outlink").type());
        assertEquals(EntryType.LINK, found.entry("inlink/outlink").type());
        assertEquals(
                new ListItem.Entry(
                        "sub/deep/c.bin",
                        EntryType.FILE,
                        3,
                        Files.getLastModifiedTime(root.resolve("sub/deep/c.bin"))
                                .toMillis()),
                found.entry("sub/deep/c.bin"));
        assertEquals(7, found.entry(UNICODE_DIR + "/" + UNICODE_FILE).size());
        assertFalse(found.end().more());
    }

    @Test
    void findWithPatternsReturnsExactlyTheMatchingFiles() throws IOException {
        write("top.csv", "1");
        write("data/x.csv", "2");
        write("data/y.txt", "3");
        write("data/deep/er/z.csv", "4");
        write("logs/a.gz", "5");
        write("logs/b.log", "6");
        write("logs/2024/c.gz", "7");
        write("other/logs/d.gz", "8");
        Files.createDirectories(root.resolve("dir.csv"));
        write(".ft/hidden.csv", "server state");

        assertEquals(Set.of("top.csv", "data/x.csv", "data/deep/er/z.csv"), pathSet(find("", "**/*.csv")));
        assertEquals(Set.of("logs/a.gz"), pathSet(find("", "logs/*.gz")));
        assertEquals(Set.of("logs/a.gz", "logs/2024/c.gz", "other/logs/d.gz"), pathSet(find("", "**/*.gz")));
    }

    @Test
    void findUnderASubdirectoryMatchesRelativeToItButReportsRootRelativePaths() throws IOException {
        write("top.txt", "t");
        write("sub/a.txt", "a");
        write("sub/b.csv", "b");
        write("sub/inner/c.txt", "c");

        Listing found = find("sub", "*.txt");

        assertEquals(List.of("sub/a.txt"), found.paths());
        assertEquals(Set.of("sub/a.txt", "sub/inner/c.txt"), pathSet(find("sub", "**/*.txt")));
        assertEquals(Set.of("sub/inner/c.txt"), pathSet(find("sub", "inner/*.txt")));
    }

    @Test
    void findWithPatternWhoseLiteralPrefixDoesNotExistReturnsNoEntries() throws IOException {
        write("real/a.txt", "a");
        write("afile", "a file, not a directory");

        assertEquals(List.of(), find("", "nope/*.txt").paths());
        assertEquals(List.of(), find("", "real/missing/**").paths());
        assertEquals(List.of(), find("", "afile/*.txt").paths());
        assertConnectionStillServes();
    }

    @Test
    void findPatternWithLiteralPrefixFollowsExactlyTheSymlinksTheWalkFollows() throws IOException {
        write("sub/a.txt", "a");
        Files.createSymbolicLink(root.resolve("inlink"), root.resolve("sub"));
        Files.createSymbolicLink(root.resolve("outlink"), outside);
        Files.createSymbolicLink(root.resolve("sub/up"), root);

        assertEquals(
                List.of("inlink/a.txt"),
                find("", "inlink/*.txt").paths(),
                "a literal prefix follows a link inside the root, as the walk does");
        assertEquals(List.of(), find("", "outlink/*.txt").paths(), "never a link that leaves the root");
        assertEquals(List.of(), find("", "sub/up/sub/*.txt").paths(), "never a link back into the walk (a loop)");
        assertEquals(Set.of("sub/a.txt", "inlink/a.txt"), pathSet(find("", "**/*.txt")));
    }

    @Test
    void findReportsALinkToAFileInsideTheRootAsThatFileUnderTheLinksPathAndGetReadsIt() throws IOException {
        Path target = write("data/real.csv", "1,2,3\n");
        Files.createDirectories(root.resolve("view"));
        Files.createSymbolicLink(root.resolve("view/alias.csv"), Path.of("../data/real.csv"));

        Listing found = find("view", null);

        assertEquals(
                List.of(new ListItem.Entry(
                        "view/alias.csv",
                        EntryType.FILE,
                        6,
                        Files.getLastModifiedTime(target).toMillis())),
                found.entries());
        assertEquals(List.of("view/alias.csv"), find("", "**/alias.csv").paths());
        assertEquals("1,2,3\n", new String(client.get("view/alias.csv").body(), StandardCharsets.UTF_8));
    }

    @Test
    void findDescendsALinkToADirectoryInsideTheRootReportingEntriesUnderTheLinksPath() throws IOException {
        write("photos/2024/a.jpg", "jpeg");
        Files.createDirectories(root.resolve("photos/empty"));
        Files.createDirectories(root.resolve("mirror"));
        Files.createSymbolicLink(root.resolve("mirror/photos"), root.resolve("photos"));

        Listing found = find("mirror", null);

        assertEquals(
                Set.of("mirror/photos", "mirror/photos/2024", "mirror/photos/2024/a.jpg", "mirror/photos/empty"),
                pathSet(found));
        assertEquals(EntryType.DIR, found.entry("mirror/photos").type());
        assertEquals(EntryType.DIR, found.entry("mirror/photos/empty").type());
        assertEquals(4, found.entry("mirror/photos/2024/a.jpg").size());
        assertEquals(Set.of("mirror/photos/2024/a.jpg"), pathSet(find("mirror", "**/*.jpg")));
        assertEquals("jpeg", new String(client.get("mirror/photos/2024/a.jpg").body(), StandardCharsets.UTF_8));
    }

    @Test
    void findReportsLinksOutsideTheRootDanglingOrIntoTheStateDirAsLinksAndNothingBehindThem() throws IOException {
        Path outsideFile = outside.resolve("secret.txt");
        Files.createDirectories(root.resolve("d"));
        Path toDir = Files.createSymbolicLink(root.resolve("d/out-dir"), outside);
        Files.createSymbolicLink(root.resolve("d/out-file"), outsideFile);
        Files.createSymbolicLink(root.resolve("d/dangling"), root.resolve("d/nothing-here"));
        Files.createSymbolicLink(root.resolve("d/state"), root.resolve(".ft"));
        write(".ft/planted.txt", "server state");
        Files.createSymbolicLink(root.resolve("d/state-file"), root.resolve(".ft/planted.txt"));

        Listing found = find("", null);

        assertEquals(Set.of("d", "d/out-dir", "d/out-file", "d/dangling", "d/state", "d/state-file"), pathSet(found));
        for (String link : List.of("d/out-dir", "d/out-file", "d/dangling", "d/state", "d/state-file")) {
            ListItem.Entry e = found.entry(link);
            assertEquals(EntryType.LINK, e.type(), link);
            assertEquals(0, e.size(), link + ": nothing about the target, not even its size");
        }
        assertEquals(
                Files.readAttributes(
                                toDir, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                        .lastModifiedTime()
                        .toMillis(),
                found.entry("d/out-dir").mtime(),
                "the link's own time, not its target's");
        assertEquals(
                List.of(),
                find("", "**").paths().stream()
                        .filter(p -> p.contains("secret"))
                        .toList());
        assertEquals(List.of(), find("", "**/*.txt").paths(), "a pattern finds nothing behind such links");
        assertEquals(List.of(), find("d", "out-dir/*").paths());
        client.expectError(new Request.Get("d/out-file", 0), ErrorCode.ACCESS_DENIED);
        assertEquals("not yours", Files.readString(outsideFile));
    }

    @Test
    void findReportsALinkBackIntoADirectoryBeingWalkedAsALinkAndDoesNotLoop() throws IOException {
        write("a/f.txt", "f");
        Files.createSymbolicLink(root.resolve("a/up"), root); // to the root: a parent of everything
        Files.createSymbolicLink(root.resolve("a/self"), root.resolve("a"));
        write("x/x.txt", "x");
        write("y/y.txt", "y");
        Files.createSymbolicLink(root.resolve("x/to-y"), root.resolve("y")); // x and y lead to each other
        Files.createSymbolicLink(root.resolve("y/to-x"), root.resolve("x"));

        Listing found = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> find("", null));

        assertEquals(
                Set.of(
                        "a",
                        "a/f.txt",
                        "a/up",
                        "a/self",
                        "x",
                        "x/x.txt",
                        "x/to-y",
                        "x/to-y/y.txt",
                        "x/to-y/to-x",
                        "y",
                        "y/y.txt",
                        "y/to-x",
                        "y/to-x/x.txt",
                        "y/to-x/to-y"),
                pathSet(found));
        for (String loop : List.of("a/up", "a/self", "x/to-y/to-x", "y/to-x/to-y")) {
            assertEquals(EntryType.LINK, found.entry(loop).type(), loop);
        }
        assertEquals(EntryType.DIR, found.entry("x/to-y").type());
        assertEquals(
                Set.of("a/f.txt"), pathSet(find("a", "**/f.txt")), "a link to a parent of the start is a loop too");
    }

    @Test
    void findNeverReportsAPathLongerThanAClientCouldAskFor() throws IOException {
        // Each directory holds a long-named link to the next: real paths stay short, followed ones do not.
        String name = "l".repeat(250);
        for (int i = 0; i < 20; i++) {
            Files.createDirectories(root.resolve("d" + i));
            Files.createSymbolicLink(root.resolve("d" + i + "/" + name), root.resolve("d" + (i + 1)));
        }
        write("d20/end.txt", "end");

        Listing found = find("d0", null);

        assertFalse(found.paths().isEmpty());
        for (String p : found.paths()) {
            assertTrue(p.getBytes(StandardCharsets.UTF_8).length <= ft.protocol.Protocol.MAX_PATH_BYTES, p);
        }
        assertFalse(found.paths().stream().anyMatch(p -> p.endsWith("end.txt")), "too deep to be named");
        assertConnectionStillServes();
    }

    @ParameterizedTest
    @ValueSource(strings = {".ft/*", ".ft/**", "../outside/*.txt", "./a.txt/*", "x//y/*"})
    void findPatternWhosePrefixNoWalkedPathCanHaveFindsNothing(String pattern) throws IOException {
        write("a.txt", "a");
        write(".ft/b.txt", "server state");
        write("x/y/c.txt", "c");

        assertEquals(List.of(), find("", pattern).paths());
        assertEquals(List.of(), find("", "**/b.txt").paths(), "the state dir is never walked");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/abs", "/", "[z-a]", "x[z-a]/*.txt", "trailing\\"})
    void findWithInvalidPatternIsBadRequest(String pattern) throws IOException {
        write("a.txt", "a");
        client.expectError(new Request.Find("", pattern), ErrorCode.BAD_REQUEST);
        assertConnectionStillServes();
    }

    @Test
    void findWithPathologicalPatternFinishesQuickly() throws IOException {
        String longName = "a".repeat(200);
        String matching = "a".repeat(100) + "b";
        write("dir/" + longName, "x");
        write("dir/" + matching, "y");
        Files.createDirectories(root.resolve("dir/" + "a".repeat(150)));
        write("dir/" + "a".repeat(150) + "/" + longName, "z");
        String pattern = "*a".repeat(50) + "b";

        Listing found = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> find("dir", pattern));

        assertEquals(List.of("dir/" + matching), found.paths());
    }

    // ------------------------------------------------------------------ rm

    @Test
    void rmRemovesAFile() throws IOException {
        write("doomed.txt", "bye");
        write("kept.txt", "stay");

        ok(new Request.Remove("doomed.txt", false));

        assertGone("doomed.txt");
        assertTrue(Files.exists(root.resolve("kept.txt")));
    }

    @Test
    void rmRemovesAnEmptyDirectory() throws IOException {
        Files.createDirectories(root.resolve("parent/empty"));

        ok(new Request.Remove("parent/empty", false));

        assertGone("parent/empty");
        assertTrue(Files.isDirectory(root.resolve("parent")));
    }

    @Test
    void rmOfNonEmptyDirectoryWithoutRecursiveIsNotEmptyAndRemovesNothing() throws IOException {
        write("full/a.txt", "a");
        write("full/inner/b.txt", "b");

        client.expectError(new Request.Remove("full", false), ErrorCode.NOT_EMPTY);

        assertContent("full/a.txt", "a");
        assertContent("full/inner/b.txt", "b");
        assertConnectionStillServes();
    }

    @Test
    void rmRecursiveRemovesTheWholeTreeButNotWhatLinksInsideItPointTo() throws IOException {
        write("tree/a.txt", "a");
        write("tree/x/y/z/deep.bin", "deep");
        Files.createDirectories(root.resolve("tree/empty"));
        Files.createSymbolicLink(root.resolve("tree/out"), outside);
        write("sibling/keep.txt", "keep");

        ok(new Request.Remove("tree", true));

        assertGone("tree");
        assertContent("sibling/keep.txt", "keep");
        assertEquals(
                "not yours",
                Files.readString(outside.resolve("secret.txt")),
                "a symlink inside a removed tree must be removed, not followed");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void rmOfSymlinkToOutsideDirectoryRemovesOnlyTheLink(boolean recursive) throws IOException {
        Path link = Files.createSymbolicLink(root.resolve("escape"), outside);

        ok(new Request.Remove("escape", recursive));

        assertFalse(Files.exists(link, LinkOption.NOFOLLOW_LINKS), "the link itself is gone");
        assertTrue(Files.isDirectory(outside));
        assertEquals("not yours", Files.readString(outside.resolve("secret.txt")));
    }

    @ParameterizedTest
    @ValueSource(strings = {".ft", ".ft/partials"})
    void rmOfStateDirIsAccessDenied(String path) throws IOException {
        client.expectError(new Request.Remove(path, true), ErrorCode.ACCESS_DENIED);
        assertTrue(Files.isDirectory(root.resolve(".ft/partials")));
        assertConnectionStillServes();
    }

    @Test
    void rmAndMvCannotReachTheStateDirThroughASymlinkToTheRoot() throws IOException {
        Files.createSymbolicLink(root.resolve("self"), root);
        write("sub/.ft/planted.txt", "a look-alike of the state dir");

        client.expectError(new Request.Remove("self/.ft", true), ErrorCode.ACCESS_DENIED);
        client.expectError(new Request.Move("self/.ft", "stolen"), ErrorCode.ACCESS_DENIED);
        client.expectError(new Request.Move("sub/.ft", "self"), ErrorCode.ACCESS_DENIED);

        assertTrue(Files.isDirectory(root.resolve(".ft/partials")), "the state dir must survive");
        assertGone("stolen");
        assertGone(".ft/planted.txt");
        assertTrue(Files.exists(root.resolve("sub/.ft/planted.txt")));
        assertConnectionStillServes();
    }

    @Test
    void rmWithDotDotIsAccessDenied() throws IOException {
        write("a/file.txt", "a");
        client.expectError(new Request.Remove("a/../..", true), ErrorCode.ACCESS_DENIED);
        client.expectError(new Request.Remove("../outside", true), ErrorCode.ACCESS_DENIED);
        assertTrue(Files.exists(root.resolve("a/file.txt")));
        assertTrue(Files.exists(outside.resolve("secret.txt")));
        assertConnectionStillServes();
    }

    @Test
    void rmOfMissingPathIsNotFound() throws IOException {
        client.expectError(new Request.Remove("ghost.txt", false), ErrorCode.NOT_FOUND);
        client.expectError(new Request.Remove("ghost/dir", true), ErrorCode.NOT_FOUND);
        assertConnectionStillServes();
    }

    // ------------------------------------------------------------------ mkdir

    @Test
    void mkdirCreatesADirectory() throws IOException {
        ok(new Request.MakeDirectory("fresh", false));
        assertTrue(Files.isDirectory(root.resolve("fresh"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void mkdirOfExistingDirectoryIsExists() throws IOException {
        write("there/inside.txt", "i");
        client.expectError(new Request.MakeDirectory("there", false), ErrorCode.EXISTS);
        assertContent("there/inside.txt", "i");
        assertConnectionStillServes();
    }

    @Test
    void mkdirWithParentsOnExistingDirectoryIsOk() throws IOException {
        write("there/inside.txt", "i");
        ok(new Request.MakeDirectory("there", true));
        assertEquals("i", Files.readString(root.resolve("there/inside.txt")), "an existing directory is left alone");
    }

    @Test
    void mkdirWithParentsOnExistingFileIsExists() throws IOException {
        write("plain", "file");
        client.expectError(new Request.MakeDirectory("plain", true), ErrorCode.EXISTS);
        assertTrue(Files.isRegularFile(root.resolve("plain")));
    }

    @Test
    void mkdirWithParentsCreatesNestedDirectories() throws IOException {
        ok(new Request.MakeDirectory("a/b/c/d", true));
        assertTrue(Files.isDirectory(root.resolve("a/b/c/d"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void mkdirWithoutParentsUnderMissingParentIsNotFound() throws IOException {
        client.expectError(new Request.MakeDirectory("missing/child", false), ErrorCode.NOT_FOUND);
        assertFalse(Files.exists(root.resolve("missing"), LinkOption.NOFOLLOW_LINKS), "nothing may be created");
        assertConnectionStillServes();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void mkdirUnderAFileIsNotADirectory(boolean parents) throws IOException {
        write("file.txt", "f");
        assertRefusedLeaving(
                new Request.MakeDirectory("file.txt/child", parents), ErrorCode.NOT_A_DIRECTORY, "file.txt", "f");
    }

    // ------------------------------------------------------------------ mv

    /** A file, and a directory with its contents. */
    @ParameterizedTest(name = "mv {2} {3}")
    @CsvSource({"old.txt, content, old.txt, new.txt, new.txt", "olddir/a/b.txt, b, olddir, newdir, newdir/a/b.txt"})
    void mvRenames(String written, String content, String from, String to, String arrived) throws IOException {
        write(written, content);

        ok(new Request.Move(from, to));

        assertGone(from);
        assertContent(arrived, content);
    }

    @Test
    void mvIntoExistingDirectoryMovesInsideIt() throws IOException {
        write("report.txt", "r");
        write("srcdir/x.txt", "x");
        Files.createDirectories(root.resolve("archive"));

        ok(new Request.Move("report.txt", "archive"));
        ok(new Request.Move("srcdir", "archive"));

        assertContent("archive/report.txt", "r");
        assertContent("archive/srcdir/x.txt", "x");
        assertGone("report.txt");
        assertGone("srcdir");
    }

    @Test
    void mvOntoExistingFileReplacesIt() throws IOException {
        write("fresh.txt", "new content");
        write("stale.txt", "old content that is longer");
        write("dir/stale.txt", "old inside");
        write("other.txt", "other new");

        ok(new Request.Move("fresh.txt", "stale.txt"));
        ok(new Request.Move("other.txt", "dir"));

        assertContent("stale.txt", "new content");
        assertGone("fresh.txt");
        assertContent("dir/other.txt", "other new");
        assertContent("dir/stale.txt", "old inside");
    }

    @Test
    void mvOntoDirectoryHoldingASameNamedDirectoryIsExists() throws IOException {
        write("d/mine.txt", "mine");
        write("dest/d/theirs.txt", "theirs");

        client.expectError(new Request.Move("d", "dest"), ErrorCode.EXISTS);

        assertContent("d/mine.txt", "mine");
        assertContent("dest/d/theirs.txt", "theirs");
        assertGone("dest/d/mine.txt");
        assertConnectionStillServes();
    }

    @ParameterizedTest
    @ValueSource(strings = {"d", "d/inner", "d/inner/new"})
    void mvDirectoryIntoItselfIsBadRequest(String to) throws IOException {
        write("d/inner/f.txt", "f");

        assertRefusedLeaving(new Request.Move("d", to), ErrorCode.BAD_REQUEST, "d/inner/f.txt", "f");
    }

    @Test
    void mvOfMissingSourceIsNotFound() throws IOException {
        Files.createDirectories(root.resolve("dest"));
        client.expectError(new Request.Move("ghost.txt", "dest"), ErrorCode.NOT_FOUND);
        client.expectError(new Request.Move("ghost.txt", "other.txt"), ErrorCode.NOT_FOUND);
        assertConnectionStillServes();
    }

    @Test
    void mvWithPathsLeavingTheRootIsAccessDenied() throws IOException {
        write("here.txt", "here");

        client.expectError(new Request.Move("../outside/secret.txt", "stolen.txt"), ErrorCode.ACCESS_DENIED);
        client.expectError(new Request.Move("here.txt", "../x"), ErrorCode.ACCESS_DENIED);
        client.expectError(new Request.Move("../x", "y"), ErrorCode.ACCESS_DENIED);

        assertContent("here.txt", "here");
        assertFalse(Files.exists(tmp.resolve("x"), LinkOption.NOFOLLOW_LINKS));
        assertGone("stolen.txt");
        assertEquals("not yours", Files.readString(outside.resolve("secret.txt")));
        assertConnectionStillServes();
    }

    @Test
    void mvIntoTheStateDirIsAccessDenied() throws IOException {
        write("here.txt", "here");

        client.expectError(new Request.Move("here.txt", ".ft/x"), ErrorCode.ACCESS_DENIED);
        client.expectError(new Request.Move("here.txt", ".ft"), ErrorCode.ACCESS_DENIED);

        assertContent("here.txt", "here");
        assertGone(".ft/x");
        assertGone(".ft/here.txt");
        assertConnectionStillServes();
    }

    // ------------------------------------------------------------------ helpers

    /** Nothing, not even a dangling link, is at {@code path} under the root. */
    private void assertGone(String path) {
        assertFalse(Files.exists(root.resolve(path), LinkOption.NOFOLLOW_LINKS), path);
    }

    private void assertContent(String path, String expected) throws IOException {
        assertEquals(expected, Files.readString(root.resolve(path)), path);
    }

    /** {@code request} is refused with {@code code}, {@code path} keeps {@code content}, and the connection serves on. */
    private void assertRefusedLeaving(Request request, ErrorCode code, String path, String content) throws IOException {
        client.expectError(request, code);
        assertContent(path, content);
        assertConnectionStillServes();
    }

    private Path write(String relative, String content) throws IOException {
        return write(relative, content.getBytes(StandardCharsets.UTF_8));
    }

    private Path write(String relative, byte[] content) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.write(file, content);
    }

    private Response.StatOk stat(String path) throws IOException {
        Response r = client.request(new Request.Stat(path), Response.StatOk.class);
        return assertInstanceOf(Response.StatOk.class, r, () -> "stat " + path + " failed: " + r);
    }

    private Listing list(String path, String after, int limit) throws IOException {
        return ListingReader.list(client, new Request.List(path, after, limit));
    }

    private Listing find(String path, String pattern) throws IOException {
        return ListingReader.find(client, new Request.Find(path, pattern));
    }

    private void ok(Request request) throws IOException {
        Response r = client.request(request, Response.Ok.class);
        assertInstanceOf(Response.Ok.class, r, () -> request.op() + " failed: " + r);
    }

    /** After a refusal the same connection must still answer a request in step. */
    private void assertConnectionStillServes() throws IOException {
        Path probe = write("probe-" + System.nanoTime() + ".txt", "probe");
        String name = probe.getFileName().toString();
        Response.StatOk stat = stat(name);
        assertEquals(name, stat.name());
        assertEquals(5, stat.size());
        Files.delete(probe);
    }

    private static Set<String> pathSet(Listing listing) {
        Set<String> set = new HashSet<>(listing.paths());
        assertEquals(listing.paths().size(), set.size(), () -> "duplicates in " + listing.paths());
        return set;
    }

    private static void assertSorted(List<String> names) {
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(String::compareTo);
        assertEquals(sorted, names, "names must be sorted by String.compareTo");
    }

    private static String md5Hex(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
