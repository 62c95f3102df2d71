package ft.server;

import ft.protocol.FileAttributes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/** What {@code -p} carries (modification time and permission bits), read from and set on files. */
final class PreservedAttributes {
    /** Always added to a stored file's mode, so the server can still read and replace it. */
    static final int OWNER_READ_WRITE = 0600;

    private PreservedAttributes() {}

    /** A file's attributes as a get answer states them, from one stat of it. */
    static FileAttributes of(FileVersions.Observed observed) {
        return new FileAttributes(observed.version().modified().toMillis(), observed.mode());
    }

    /**
     * Gives {@code file} the mode ({@code | 0600}; only the nine permission bits, never set-id
     * or sticky) and then the modification time: last, since a chmod would not move the mtime but
     * any later write would. Where the file system has no permission bits, only the time is set.
     */
    static void apply(Path file, FileAttributes attributes) throws IOException {
        try {
            Files.setPosixFilePermissions(file, permissions(attributes.mode() | OWNER_READ_WRITE));
        } catch (UnsupportedOperationException noPermissionBits) {
            // Nothing to set: such a file system says 0644 for every file (FileVersions).
        }
        Files.setLastModifiedTime(file, FileTime.fromMillis(attributes.mtime()));
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : PosixFilePermission.values()) {
            if ((mode & (0400 >> p.ordinal())) != 0) { // OWNER_READ is 0400, … OTHERS_EXECUTE 0001
                set.add(p);
            }
        }
        return set;
    }
}
