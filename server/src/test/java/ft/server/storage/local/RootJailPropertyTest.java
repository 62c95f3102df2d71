package ft.server.storage.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.server.RefusedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Whatever a client sends as a path, the jail either refuses it or answers with a place
 * inside the root and outside the server's state directory, and creates nothing outside.
 * The layout has the usual traps: a sibling directory sharing the root's name as a prefix,
 * symlinks leading out, into the state directory, and in circles.
 */
class RootJailPropertyTest {
    private static Path tmp;
    private static Path root;
    private static Path outside;
    private static RootJail jail;
    private static List<String> outsideBefore;

    @BeforeContainer
    static void layout() throws IOException {
        tmp = Files.createTempDirectory("ft-jail-property");
        root = Files.createDirectories(tmp.resolve("root"));
        outside = Files.createDirectories(tmp.resolve("root2"));
        Files.writeString(outside.resolve("secret.txt"), "secret");
        Files.createDirectories(root.resolve("a/b"));
        Files.writeString(root.resolve("a/file.txt"), "inside");
        Files.createDirectories(root.resolve(RootJail.STATE_DIR).resolve("partials"));
        Files.createSymbolicLink(root.resolve("out"), outside);
        Files.createSymbolicLink(root.resolve("a/up"), Path.of("../../root2/secret.txt"));
        Files.createSymbolicLink(root.resolve("in"), Path.of("a"));
        Files.createSymbolicLink(root.resolve("state"), Path.of(RootJail.STATE_DIR));
        Files.createSymbolicLink(root.resolve("loop"), Path.of("loop"));
        jail = new RootJail(root);
        outsideBefore = listing(outside);
    }

    @AfterContainer
    static void cleanUp() throws IOException {
        assertEquals(outsideBefore, listing(outside), "nothing was created or removed outside the root");
        try (Stream<Path> all = Files.walk(tmp)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Provide
    Arbitrary<String> paths() {
        Arbitrary<String> segment = Arbitraries.of(
                "a",
                "b",
                "file.txt",
                "..",
                ".",
                "",
                "out",
                "in",
                "up",
                "state",
                "loop",
                ".ft",
                "partials",
                "root2",
                "secret.txt",
                "new",
                "C:",
                "\\..",
                "x\u0000y",
                "\t",
                "é",
                "\ud83d\ude00",
                "a\\b",
                "/",
                "//",
                " ",
                "...");
        return segment.list().ofMinSize(1).ofMaxSize(8).map(parts -> String.join("/", parts));
    }

    private static void assertInside(Path resolved, String clientPath) {
        assertTrue(resolved.normalize().startsWith(jail.root()), () -> clientPath + " -> " + resolved);
        assertFalse(resolved.normalize().startsWith(jail.stateDir()), () -> clientPath + " -> " + resolved);
    }

    @Property(tries = 3000)
    void resolveExistingNeverAnswersOutsideTheRoot(@ForAll("paths") String clientPath) throws IOException {
        try {
            assertInside(jail.resolveExisting(clientPath), clientPath);
        } catch (RefusedException refused) {
            assertFalse(refused.getMessage().contains(tmp.toString()), "refusals never show real paths");
        }
    }

    @Property(tries = 3000)
    void resolveForWriteNeverAnswersOutsideTheRoot(@ForAll("paths") String clientPath) throws IOException {
        try {
            assertInside(jail.resolveForWrite(clientPath), clientPath);
        } catch (RefusedException refused) {
            assertFalse(refused.getMessage().contains(tmp.toString()), "refusals never show real paths");
        }
    }

    @Property(tries = 2000)
    void resolveEntryNeverAnswersOutsideTheRoot(@ForAll("paths") String clientPath) throws IOException {
        try {
            Path entry = jail.resolveEntry(clientPath);
            // The entry itself may be a link (rm and mv act on links); its directory is inside.
            assertInside(entry.getParent(), clientPath);
            assertFalse(entry.normalize().startsWith(jail.stateDir()), clientPath);
        } catch (RefusedException refused) {
            assertFalse(refused.getMessage().contains(tmp.toString()), "refusals never show real paths");
        }
    }
}
