package ft.server.storage.local;

import ft.protocol.FileAttributes;
import java.io.IOException;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;

/** What {@code -p} carries (modification time and permission bits), read from and set on files. */
final class PreservedAttributes {
    private PreservedAttributes() {}

    /** A file's attributes as a get answer states them, from one stat of it. */
    static FileAttributes of(FileVersions.Observed observed) {
        return new FileAttributes(observed.version().modified().toMillis(), observed.mode());
    }

    /**
     * Gives {@code file} the mode, when there is one ({@code | 0600}; only the nine permission
     * bits, never set-id or sticky), and then the modification time: last, since a chmod would
     * not move the mtime but any later write would. Where the file system has no permission
     * bits, only the time is set. The file is reached relative to its open directory, never
     * following a link.
     */
    static void apply(DirectoryHandle dir, String name, FileAttributes attributes) throws IOException {
        if (attributes.mode() != null) {
            PosixFileAttributeView posix = dir.view(name, PosixFileAttributeView.class);
            if (posix != null) {
                posix.setPermissions(FileAttributes.permissions(attributes.mode() | FileAttributes.OWNER_READ_WRITE));
            }
        }
        dir.view(name, BasicFileAttributeView.class).setTimes(FileTime.fromMillis(attributes.mtime()), null, null);
    }
}
