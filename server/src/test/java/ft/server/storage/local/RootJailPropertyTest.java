package ft.server.storage.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.server.RefusedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        JailTraps.lay(root, outside);
        jail = new RootJail(root);
        outsideBefore = JailTraps.listing(outside);
    }

    @AfterContainer
    static void cleanUp() throws IOException {
        assertEquals(outsideBefore, JailTraps.listing(outside), "nothing was created or removed outside the root");
        JailTraps.deleteTree(tmp);
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

    private interface Resolution {
        Path resolve(String clientPath) throws RefusedException, IOException;
    }

    /** {@code resolution} answers inside the root, or refuses without showing a real path. */
    private static void assertInsideOrRefused(Resolution resolution, String clientPath) throws IOException {
        try {
            assertInside(resolution.resolve(clientPath), clientPath);
        } catch (RefusedException refused) {
            assertFalse(refused.getMessage().contains(tmp.toString()), "refusals never show real paths");
        }
    }

    @Property(tries = 3000)
    void resolveExistingNeverAnswersOutsideTheRoot(@ForAll("paths") String clientPath) throws IOException {
        assertInsideOrRefused(jail::resolveExisting, clientPath);
    }

    @Property(tries = 3000)
    void resolveForWriteNeverAnswersOutsideTheRoot(@ForAll("paths") String clientPath) throws IOException {
        assertInsideOrRefused(jail::resolveForWrite, clientPath);
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
