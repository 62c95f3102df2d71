package ft.client;

import ft.protocol.FileAttributes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/** Reads and sets the attributes {@code -p} and {@code -r} carry (PROTOCOL.md §4.8) on local files. */
final class LocalAttributes {
    private LocalAttributes() {}

    /** Sets on {@code file} what {@code preserve} asks of {@code attributes}; nothing when the server sent none. */
    static void apply(Path file, FileAttributes attributes, Preserve preserve) throws IOException {
        if (attributes == null || preserve == Preserve.NOTHING) {
            return;
        }
        if (preserve == Preserve.TIMES_AND_MODE && attributes.mode() != null) {
            try {
                Files.setPosixFilePermissions(
                        file, FileAttributes.permissions(attributes.mode() | FileAttributes.OWNER_READ_WRITE));
            } catch (UnsupportedOperationException noPosix) {
                // A file system without permission bits keeps its own.
            }
        }
        Files.setLastModifiedTime(file, FileTime.fromMillis(attributes.mtime()));
    }

    /** What an upload of {@code file} carries to the server under {@code preserve}, or null for nothing. */
    static FileAttributes of(Path file, Preserve preserve) throws IOException {
        if (preserve == Preserve.NOTHING) {
            return null;
        }
        long mtime = Files.getLastModifiedTime(file).toMillis();
        if (preserve == Preserve.TIMES) {
            return FileAttributes.mtime(mtime);
        }
        Integer mode;
        try {
            mode = FileAttributes.mode(Files.getPosixFilePermissions(file));
        } catch (UnsupportedOperationException noPosix) {
            mode = null;
        }
        return new FileAttributes(mtime, mode);
    }
}
