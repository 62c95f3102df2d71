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
            java.nio.file.attribute.PosixFileAttributeView view = Files.getFileAttributeView(
                    file,
                    java.nio.file.attribute.PosixFileAttributeView.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
            // Not following a link: a link put in the file's place must not have its target changed.
            if (view != null) {
                view.setPermissions(FileAttributes.permissions(attributes.mode() | FileAttributes.OWNER_READ_WRITE));
            }
        }
        Files.getFileAttributeView(
                        file,
                        java.nio.file.attribute.BasicFileAttributeView.class,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS)
                .setTimes(FileTime.fromMillis(attributes.mtime()), null, null);
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
