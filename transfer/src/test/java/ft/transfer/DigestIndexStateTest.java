package ft.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.protocol.Md5;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The digest index in the server's state directory is opened without following links and
 * refused unless it is the server's own: a local user who can plant {@code .ft/digests} (or the
 * compaction's temporary) as a link must not get the server to truncate or write the file it
 * points at, nor feed it MD5s from a file he owns. The tests run as root, so "another user" is
 * a chown to uid 12345.
 */
class DigestIndexStateTest {
    private static final Md5 A = new Md5("0123456789abcdef0123456789abcdef");
    private static final String CANARY = "the users file: alice, bob\n";

    @TempDir
    Path tmp;

    private Path state() throws IOException {
        return Files.createDirectories(tmp.resolve(".ft"));
    }

    private Path canary() throws IOException {
        return Files.writeString(tmp.resolve("canary"), CANARY);
    }

    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "'" + part + "' in: " + message);
        }
    }

    @Test
    void aPlantedLinkIsRefusedAndItsTargetUntouched() throws IOException {
        Path state = state();
        Path canary = canary();
        Files.createSymbolicLink(state.resolve(DigestIndex.FILE_NAME), canary);

        UnsafeStateException e = assertThrows(UnsafeStateException.class, () -> DigestIndex.open(state));

        assertContains(e.getMessage(), "digests is a symlink", "rm ");
        assertEquals(CANARY, Files.readString(canary));
        assertTrue(Files.isSymbolicLink(state.resolve(DigestIndex.FILE_NAME)), "the link is left for the operator");
    }

    @Test
    void aPlantedCompactionTemporaryIsNotWrittenThrough() throws IOException {
        Path state = state();
        Path canary = canary();
        Files.createSymbolicLink(state.resolve(DigestIndex.FILE_NAME + ".compacting"), canary);

        try (DigestIndex index = DigestIndex.open(state)) { // compacts on open
            index.record("a", "v1", A);
        }

        assertEquals(CANARY, Files.readString(canary));
        try (DigestIndex index = DigestIndex.open(state)) {
            assertEquals(Optional.of(A), index.lookup("a", "v1"), "the index itself still works");
        }
    }

    @Test
    void aLogOfAnotherUserIsRefused() throws IOException {
        Path state = state();
        try (DigestIndex index = DigestIndex.open(state)) {
            index.record("a", "v1", A);
        }
        Path log = state.resolve(DigestIndex.FILE_NAME);
        Files.setAttribute(log, "unix:uid", 12345, LinkOption.NOFOLLOW_LINKS);

        UnsafeStateException e = assertThrows(UnsafeStateException.class, () -> DigestIndex.open(state));

        assertContains(e.getMessage(), "belongs to uid 12345", "chown ");
    }

    @Test
    void aLogOthersCanWriteIsRefused() throws IOException {
        Path state = state();
        DigestIndex.open(state).close();
        Path log = state.resolve(DigestIndex.FILE_NAME);
        Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("rw-rw-rw-"));

        UnsafeStateException e = assertThrows(UnsafeStateException.class, () -> DigestIndex.open(state));

        assertContains(e.getMessage(), "has mode 0666", "chmod go-rwx");
    }

    @Test
    void theLogIsCreatedOwnerOnlyAndAnOlderReadableOneIsMadeSo() throws IOException {
        Path state = state();
        Path log = state.resolve(DigestIndex.FILE_NAME);
        DigestIndex.open(state).close();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log)));

        // Older versions made it under the umask (0644): accepted, and rewritten 0600 on open.
        Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("rw-r--r--"));
        try (DigestIndex index = DigestIndex.open(state)) {
            assertTrue(index.persistent());
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log)));
        assertFalse(Files.exists(state.resolve(DigestIndex.FILE_NAME + ".compacting"), LinkOption.NOFOLLOW_LINKS));
    }
}
