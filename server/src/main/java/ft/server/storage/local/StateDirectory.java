package ft.server.storage.local;

import ft.transfer.OwnerOnly;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * The server's own state inside a served root ({@code .ft}: partial uploads, the digest index,
 * the TLS identity), held open and checked the way sshd's StrictModes checks {@code ~/.ssh}.
 *
 * <p>Whoever can write the served root can replace {@code .ft} or plant files in it; the server
 * would then append a client's bytes to a file they chose or load a key they chose. So the
 * directory and each subdirectory is created with mode 0700, must be owned by the user the
 * server runs as, must grant nothing to group or others, and must not be a symlink; anything
 * else is refused when the server starts, with the command that fixes it. After the check
 * everything is reached through the open handle ({@link DirectoryHandle}), so renaming
 * {@code .ft} away and putting another in its place later changes nothing for this server.
 */
final class StateDirectory implements Closeable {
    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final FileAttribute<Set<PosixFilePermission>> CREATE_OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(OWNER_ONLY);

    private final DirectoryHandle handle;

    private StateDirectory(DirectoryHandle handle) {
        this.handle = handle;
    }

    /** The state directory of the served root held by {@code root}, created if missing. */
    static StateDirectory open(DirectoryHandle root) throws IOException {
        return new StateDirectory(verifiedSubdirectory(root, RootJail.STATE_DIR));
    }

    /** The open, verified {@code .ft}. */
    DirectoryHandle handle() {
        return handle;
    }

    /** Where it was when opened, for messages. */
    Path shownAs() {
        return handle.shownAs();
    }

    /** A subdirectory of the state ({@code partials}, {@code tls}), created if missing, checked like the state itself. */
    DirectoryHandle subdirectory(String name) throws IOException {
        return verifiedSubdirectory(handle, name);
    }

    /**
     * {@code name} in {@code parent} as a directory only the server's user can use: made 0700 if
     * missing, else refused unless it already is one.
     */
    static DirectoryHandle verifiedSubdirectory(DirectoryHandle parent, String name) throws IOException {
        Path shown = parent.shownAs().resolve(name);
        BasicFileAttributes attrs;
        try {
            attrs = parent.stat(name);
        } catch (NoSuchFileException missing) {
            try {
                parent.makeDirectory(name, CREATE_OWNER_ONLY);
                // The umask may have taken bits away; the mode must be exactly this, not less.
                parent.view(name, PosixFileAttributeView.class).setPermissions(OWNER_ONLY);
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // Made meanwhile by someone else: checked below like any existing one.
            }
            attrs = parent.stat(name);
        }
        if (attrs.isSymbolicLink()) {
            throw new UnsafeStateException(shown + " is a symlink; the server keeps its state there and will not follow"
                    + " a link to it. Remove it (rm " + shown + ") and start again.");
        }
        if (!attrs.isDirectory()) {
            throw new UnsafeStateException(shown + " is not a directory; the server keeps its state there."
                    + " Move it away and start again.");
        }
        DirectoryHandle opened;
        try {
            opened = parent.openDirectory(name);
        } catch (IOException swapped) {
            throw new UnsafeStateException(shown + " changed while the server opened it (" + swapped.getMessage()
                    + "); someone else can write the served root. Start again.");
        }
        try {
            checkOwnerOnly(opened, shown);
            return opened;
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    /** Refuses an open directory not owned by the server's user or open to group or others. */
    private static void checkOwnerOnly(DirectoryHandle dir, Path shown) throws IOException {
        Map<String, Object> a = dir.self("unix:uid,mode");
        int uid = (Integer) a.get("uid");
        int mode = (Integer) a.get("mode") & 07777;
        int self = OwnerOnly.processUid();
        if (uid != self) {
            throw new UnsafeStateException(shown + " belongs to uid " + uid + ", not to the server's user (uid " + self
                    + "); someone else could change the server's state. Fix: chown -R " + self + " " + shown);
        }
        if (OwnerOnly.grantsGroupOrOther(mode)) {
            throw new UnsafeStateException(shown + " has mode " + String.format("%04o", mode)
                    + "; the server's state must be private to its user. Fix: chmod -R go-rwx " + shown);
        }
    }

    @Override
    public void close() throws IOException {
        handle.close();
    }

    /**
     * The state directory is not safe to use; the message says why and how to fix it. A kind of
     * the public {@link ft.transfer.UnsafeStateException}, which {@code ft serve} reports as such.
     */
    static final class UnsafeStateException extends ft.transfer.UnsafeStateException {
        private static final long serialVersionUID = 1L;

        UnsafeStateException(String message) {
            super(message);
        }
    }
}
