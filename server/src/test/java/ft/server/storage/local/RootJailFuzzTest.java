package ft.server.storage.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import ft.protocol.ErrorCode;
import ft.server.RefusedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing (Jazzer) of the path resolver: for any path string a client sends,
 * every {@link RootJail} call answers with a place inside the root and outside the server's
 * state directory, or refuses with {@link RefusedException} whose message shows no real path;
 * it throws nothing else, and creates or removes nothing outside the root.
 *
 * <p>The input is UTF-8 text; an escape {@code \}{@code uD800}..{@code \}{@code uDFFF} in it
 * stands for that lone surrogate, which a JSON header can carry and UTF-8 cannot. The layout is
 * {@link RootJailPropertyTest}'s: a sibling sharing the root's name as a prefix, symlinks out,
 * into the state directory, in circles and dangling. What a call creates inside the root
 * (missing parents, directories) is removed after each input, so every input meets the same
 * tree and a finding replays.
 *
 * <p>The normal test run replays the committed corpus in
 * {@code src/test/resources/ft/server/RootJailFuzzTestInputs/}; {@code -Pfuzz} fuzzes.
 */
class RootJailFuzzTest {
    private static final Pattern SURROGATE_ESCAPE = Pattern.compile("\\\\u([dD][89a-fA-F][0-9a-fA-F]{2})");

    private static Path tmp;
    private static Path root;
    private static Path outside;
    private static RootJail jail;
    private static List<String> rootBefore;
    private static List<String> outsideBefore;

    @BeforeAll
    static void layout() throws IOException {
        tmp = Files.createTempDirectory("ft-jail-fuzz");
        root = Files.createDirectories(tmp.resolve("root"));
        outside = Files.createDirectories(tmp.resolve("root2"));
        JailTraps.lay(root, outside);
        Files.createSymbolicLink(root.resolve("self"), Path.of("."));
        Files.createSymbolicLink(root.resolve("dangling"), Path.of("nowhere/at/all"));
        jail = new RootJail(root);
        rootBefore = JailTraps.listing(root);
        outsideBefore = JailTraps.listing(outside);
    }

    @AfterAll
    static void cleanUp() throws IOException {
        JailTraps.deleteTree(tmp);
    }

    /** The input as text, with surrogate escapes turned into the lone surrogates they name. */
    static String text(byte[] input) {
        return SURROGATE_ESCAPE
                .matcher(new String(input, StandardCharsets.UTF_8))
                .replaceAll(m -> String.valueOf((char) Integer.parseInt(m.group(1), 16)));
    }

    @FunctionalInterface
    private interface Resolution {
        Path resolve() throws RefusedException, IOException;
    }

    /** The place a call answers, or null for a refusal (checked to show no real path). */
    private static Path answerOrRefusal(String call, String clientPath, Resolution resolution) {
        try {
            return resolution.resolve();
        } catch (RefusedException refused) {
            // A refusal quotes the client's path, which may itself spell the real root.
            assertFalse(
                    refused.getMessage().replace(clientPath, "").contains(tmp.toString()),
                    () -> call + " refusal shows a real path: " + refused.getMessage());
            return null;
        } catch (IOException | RuntimeException e) {
            throw new AssertionError(call + "('" + clientPath + "') threw " + e, e);
        }
    }

    private static void assertInside(String call, String clientPath, Path place) {
        if (place == null) {
            return;
        }
        Path normal = place.normalize();
        assertTrue(normal.startsWith(jail.root()), () -> call + "('" + clientPath + "') -> " + place);
        assertFalse(normal.startsWith(jail.stateDir()), () -> call + "('" + clientPath + "') -> " + place);
    }

    /** A name itself may be a link (rm and mv act on links); the directory holding it is inside. */
    private static void assertEntryInside(String call, String clientPath, Path entry) throws IOException {
        if (entry == null) {
            return;
        }
        assertInside(call, clientPath, entry.getParent().toRealPath());
        assertFalse(entry.normalize().startsWith(jail.stateDir()), () -> call + "('" + clientPath + "') -> " + entry);
    }

    @FuzzTest(maxDuration = "30s")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void everyResolutionIsInsideTheRootOrRefused(byte[] input) throws IOException {
        String p = text(input);
        try {
            answerOrRefusal("segments", p, () -> {
                RootJail.segments(p);
                return null;
            });
            assertInside("resolveExisting", p, answerOrRefusal("resolveExisting", p, () -> jail.resolveExisting(p)));
            assertInside("resolveDirectory", p, answerOrRefusal("resolveDirectory", p, () -> jail.resolveDirectory(p)));
            assertEntryInside("resolveEntry", p, answerOrRefusal("resolveEntry", p, () -> jail.resolveEntry(p)));
            assertEntryInside("resolveName", p, answerOrRefusal("resolveName", p, () -> jail.resolveName(p)));
            assertInside("resolveForWrite", p, answerOrRefusal("resolveForWrite", p, () -> jail.resolveForWrite(p)));
            assertInside("makeDirectory", p, answerOrRefusal("makeDirectory", p, () -> jail.makeDirectory(p, false)));
            assertInside(
                    "makeDirectory -p", p, answerOrRefusal("makeDirectory -p", p, () -> jail.makeDirectory(p, true)));
            assertEquals(
                    outsideBefore, JailTraps.listing(outside), () -> "'" + p + "' changed the tree outside the root");
        } finally {
            removeWhatWasCreated();
        }
    }

    /**
     * The first finding of the fuzzer (a flaw of this test, not of the jail): a client path
     * that spells the real root is quoted as it came, so the check above discounts it.
     */
    @Test
    void aRefusalQuotesTheClientPathEvenWhenItSpellsTheRealRoot() {
        String clientPath = "x" + jail.root();
        RefusedException refused = assertThrows(RefusedException.class, () -> jail.resolveExisting(clientPath));
        assertEquals("'" + clientPath + "' does not exist", refused.getMessage());
        assertEquals(ErrorCode.NOT_FOUND, refused.code());
        assertNull(answerOrRefusal("resolveExisting", clientPath, () -> jail.resolveExisting(clientPath)));
    }

    /** Deletes whatever the calls created inside the root, deepest first. */
    private static void removeWhatWasCreated() throws IOException {
        List<String> now = JailTraps.listing(root);
        if (now.equals(rootBefore)) {
            return;
        }
        for (String created : now.reversed()) {
            if (!rootBefore.contains(created)) {
                Files.delete(root.resolve(created));
            }
        }
    }
}
