package ft.server.storage.local;

import ft.protocol.FileAttributes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

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
     * bits, only the time is set.
     */
    static void apply(Path file, FileAttributes attributes) throws IOException {
        if (attributes.mode() != null) {
            try {
                Files.setPosixFilePermissions(
                        file, FileAttributes.permissions(attributes.mode() | FileAttributes.OWNER_READ_WRITE));
            } catch (UnsupportedOperationException noPermissionBits) {
                // Nothing to set: such a file system says 0644 for every file (FileVersions).
            }
        }
        Files.setLastModifiedTime(file, FileTime.fromMillis(attributes.mtime()));
    }
}
