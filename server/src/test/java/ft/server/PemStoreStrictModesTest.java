package ft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.transfer.UnsafeStateException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS identity under {@code .ft/tls} and an operator's {@code --key} are checked like sshd's
 * StrictModes checks {@code ~/.ssh}: a local user who can write the served root plants a
 * {@code .ft/tls} (a link to his own directory, a directory he owns, a key he wrote), and the
 * server must refuse to start rather than load his key. The tests run as root, so "another
 * user" is a chown to uid 12345.
 */
class PemStoreStrictModesTest {
    private static final String FOREIGN_UID = "12345";

    @TempDir
    Path tmp;

    /** A complete identity made by "the attacker" in a directory of his. */
    private Path attackerIdentity() throws IOException {
        Path state = tmp.resolve("attacker-state");
        PemStore.loadOrCreate(state);
        return state.resolve(PemStore.DIR);
    }

    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "'" + part + "' in: " + message);
        }
    }

    private static void chown(Path p, String uid) throws IOException {
        Files.setAttribute(p, "unix:uid", Integer.parseInt(uid), LinkOption.NOFOLLOW_LINKS);
    }

    private static void chmod(Path p, String mode) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
    }

    @Test
    void aPlantedTlsLinkIsRefusedNotFollowed() throws IOException {
        Path evil = attackerIdentity();
        String evilKey = Files.readString(evil.resolve(PemStore.KEY_FILE));
        Path state = Files.createDirectory(
                tmp.resolve(".ft"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.createSymbolicLink(state.resolve(PemStore.DIR), evil);

        UnsafeStateException e = assertThrows(UnsafeStateException.class, () -> PemStore.loadOrCreate(state));

        assertContains(e.getMessage(), ".ft/tls is a symlink", "rm ");
        assertEquals(evilKey, Files.readString(evil.resolve(PemStore.KEY_FILE)), "nothing written there either");
    }

    @Test
    void aPlantedStateLinkIsRefused() throws IOException {
        Path evilState = attackerIdentity().getParent();
        Path state = Files.createSymbolicLink(tmp.resolve(".ft"), evilState);

        UnsafeStateException e = assertThrows(UnsafeStateException.class, () -> PemStore.loadOrCreate(state));

        assertContains(e.getMessage(), ".ft is a symlink");
    }

    @Test
    void aTlsDirectoryOfAnotherUserIsRefused() throws IOException {
        Path state = tmp.resolve(".ft");
        PemStore.loadOrCreate(state);
        Path tls = state.resolve(PemStore.DIR);
        chown(tls, FOREIGN_UID);

        UnsafeStateException e = assertThrows(UnsafeStateException.class, () -> PemStore.loadOrCreate(state));

        assertContains(e.getMessage(), "tls belongs to " + FOREIGN_UID, "chown -R ");
    }

    @Test
    void aTlsDirectoryOthersCanWriteIsRefused() throws IOException {
        Path state = tmp.resolve(".ft");
        PemStore.loadOrCreate(state);
        chmod(state.resolve(PemStore.DIR), "rwxrwxrwx");

        UnsafeStateException e = assertThrows(UnsafeStateException.class, () -> PemStore.loadOrCreate(state));

        assertContains(e.getMessage(), "has mode 0777", "chmod -R go-rwx");
    }

    @Test
    void aStateDirectoryOfAnotherUserIsRefused() throws IOException {
        Path state = Files.createDirectory(tmp.resolve(".ft"));
        chmod(state, "rwx------");
        chown(state, FOREIGN_UID);

        UnsafeStateException e = assertThrows(UnsafeStateException.class, () -> PemStore.loadOrCreate(state));

        assertContains(e.getMessage(), ".ft belongs to " + FOREIGN_UID);
    }

    @Test
    void aKeyOthersCanReadIsRefusedLikeSshDoes() throws IOException {
        Path state = tmp.resolve(".ft");
        PemStore.loadOrCreate(state);
        Path key = state.resolve(PemStore.DIR).resolve(PemStore.KEY_FILE);
        chmod(key, "rw-r--r--");

        UnsafeStateException e = assertThrows(UnsafeStateException.class, () -> PemStore.loadOrCreate(state));

        assertContains(e.getMessage(), "permissions 0644", "too open", "chmod 600 " + key);
    }

    @Test
    void aKeyOfAnotherUserIsRefused() throws IOException {
        Path state = tmp.resolve(".ft");
        PemStore.loadOrCreate(state);
        // The attacker's key in place of the server's, with a mode that looks right.
        Path key = state.resolve(PemStore.DIR).resolve(PemStore.KEY_FILE);
        Files.copy(
                attackerIdentity().resolve(PemStore.KEY_FILE), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        chmod(key, "rw-------");
        chown(key, FOREIGN_UID);

        UnsafeStateException e = assertThrows(UnsafeStateException.class, () -> PemStore.loadOrCreate(state));

        assertContains(e.getMessage(), "belongs to " + FOREIGN_UID, "chown ");
    }

    @Test
    void aKeyThatIsALinkIsRefused() throws IOException {
        Path state = tmp.resolve(".ft");
        PemStore.loadOrCreate(state);
        Path evilKey = attackerIdentity().resolve(PemStore.KEY_FILE);
        Path key = state.resolve(PemStore.DIR).resolve(PemStore.KEY_FILE);
        Files.delete(key);
        Files.createSymbolicLink(key, evilKey);

        UnsafeStateException e = assertThrows(UnsafeStateException.class, () -> PemStore.loadOrCreate(state));

        assertContains(e.getMessage(), "key.pem is a symlink");
    }

    @Test
    void stateAndTlsAreCreatedOwnerOnly() throws IOException {
        Path state = tmp.resolve("root").resolve(".ft");
        Files.createDirectory(tmp.resolve("root"));
        PemStore.loadOrCreate(state);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
        assertEquals(
                "rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve(PemStore.DIR))));
    }

    @Test
    void anOperatorKeyOthersCanReadIsRefused() throws IOException {
        Path own = attackerIdentity(); // stands for the operator's files here
        Path cert = own.resolve(PemStore.CERT_FILE);
        Path key = own.resolve(PemStore.KEY_FILE);
        PemStore.read(cert, key); // 0600: fine

        chmod(key, "rw-r-----");
        UnsafeStateException e = assertThrows(UnsafeStateException.class, () -> PemStore.read(cert, key));
        assertContains(e.getMessage(), "permissions 0640", "too open", "chmod 600 " + key);

        chmod(key, "rw-------");
        chown(key, FOREIGN_UID);
        e = assertThrows(UnsafeStateException.class, () -> PemStore.read(cert, key));
        assertContains(e.getMessage(), "belongs to " + FOREIGN_UID);
    }

    @Test
    void anOperatorKeyMayBeALinkToAPrivateFile() throws IOException {
        // Links are the operator's own (e.g. Let's Encrypt's live/ → archive/): followed, the target checked.
        Path own = attackerIdentity();
        Path link = Files.createSymbolicLink(tmp.resolve("privkey.pem"), own.resolve(PemStore.KEY_FILE));
        PemStore.read(own.resolve(PemStore.CERT_FILE), link);

        chmod(own.resolve(PemStore.KEY_FILE), "rw-r--r--");
        assertThrows(UnsafeStateException.class, () -> PemStore.read(own.resolve(PemStore.CERT_FILE), link));
    }
}
