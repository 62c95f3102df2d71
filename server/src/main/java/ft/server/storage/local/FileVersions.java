package ft.server.storage.local;

import ft.protocol.FileAttributes;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * What one stat of a file says about it: the version the digest cache knows it by, and its
 * permission bits.
 *
 * <p>The version includes the inode's change time (ctime) because size and mtime alone are
 * not enough: a file rewritten in place to the same size with its mtime set back (as
 * {@code touch -d}, {@code rsync -t} or a careful editor do) would otherwise keep its old
 * MD5. Nobody can set the ctime; every write, chmod and utime moves it. Like make and rsync,
 * a rewrite within one tick of the file system's clock of the version that was hashed cannot
 * be told apart.
 */
final class FileVersions {
    /** A stat of a file: its version and its permission bits ({@code 0} … {@code 0777}). */
    record Observed(DigestCache.Version version, int mode) {}

    /** Everything needed in one system call; the "unix" view is there on Linux and macOS. */
    private static final String UNIX_ATTRIBUTES = "unix:size,lastModifiedTime,ctime,fileKey,mode";

    private static final boolean UNIX_VIEW =
            FileSystems.getDefault().supportedFileAttributeViews().contains("unix");
    /** What a file system without permission bits is said to grant. */
    private static final int NO_PERMISSION_BITS = 0644;

    private FileVersions() {}

    static DigestCache.Version of(Path real) throws IOException {
        return observe(real).version();
    }

    /** One stat of {@code real} (symlinks followed). */
    static Observed observe(Path real) throws IOException {
        if (UNIX_VIEW) {
            return fromUnixView(real, Files.readAttributes(real, UNIX_ATTRIBUTES));
        }
        BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
        DigestCache.Version version =
                new DigestCache.Version(real, a.size(), a.lastModifiedTime(), null, String.valueOf(a.fileKey()));
        return new Observed(version, permissionBits(real));
    }

    /**
     * One {@code lstat} of {@code name} in the open directory {@code dir} (a link is described,
     * not followed); {@code key} is the path the digest cache knows the file by.
     */
    static Observed observe(DirectoryHandle dir, String name, Path key) throws IOException {
        return fromUnixView(key, dir.stat(name, UNIX_ATTRIBUTES));
    }

    /** What {@link #UNIX_ATTRIBUTES} read of a file says, the file known to the cache as {@code key}. */
    private static Observed fromUnixView(Path key, Map<String, Object> a) {
        DigestCache.Version version = new DigestCache.Version(
                key,
                (Long) a.get("size"),
                (FileTime) a.get("lastModifiedTime"),
                (FileTime) a.get("ctime"),
                String.valueOf(a.get("fileKey")));
        return new Observed(version, (Integer) a.get("mode") & 0777);
    }

    private static int permissionBits(Path real) throws IOException {
        try {
            return FileAttributes.mode(Files.getPosixFilePermissions(real));
        } catch (UnsupportedOperationException noPosix) {
            return NO_PERMISSION_BITS;
        }
    }
}
