package ft.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * When a journalled MD5 may be trusted for a local file: what a digest was taken of, and the
 * rule that it still says something only while all of it is unchanged.
 *
 * <p>A digest is trusted only while the file still has the size, modification time (to the
 * nanosecond), change time (ctime) and file key (inode) it had when the digest was recorded;
 * any change and the file is hashed again. The ctime is there because anyone can set an mtime
 * back ({@code touch -d}) after rewriting a file in place to the same size, but no one can set
 * back the ctime. Like make and rsync, this cannot notice a rewrite to the same size within
 * one tick of the file system's clock right after the digest was taken.
 *
 * @param ctimeNs null where the file system does not tell it
 * @param key     the file key (device and inode), null where there is none
 */
record FileStamp(long size, long mtimeNs, Long ctimeNs, String key) {
    /** Size, times, inode and type in one stat; the "unix" view is there on Linux and macOS. */
    private static final String UNIX_ATTRIBUTES = "unix:size,lastModifiedTime,ctime,fileKey,isRegularFile";

    private static final boolean UNIX_VIEW =
            java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("unix");

    /**
     * The stamp of {@code path} now.
     *
     * @throws IOException if it cannot be examined or is not a regular file
     */
    static FileStamp of(Path path) throws IOException {
        if (UNIX_VIEW) {
            Map<String, Object> a = Files.readAttributes(path, UNIX_ATTRIBUTES);
            if (!(Boolean) a.get("isRegularFile")) {
                throw new IOException("not a regular file");
            }
            return new FileStamp(
                    (Long) a.get("size"),
                    ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS),
                    ((FileTime) a.get("ctime")).to(TimeUnit.NANOSECONDS),
                    Objects.toString(a.get("fileKey"), null));
        }
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
        if (!a.isRegularFile()) {
            throw new IOException("not a regular file");
        }
        return new FileStamp(
                a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS), null, Objects.toString(a.fileKey(), null));
    }

    /** Whether a digest taken when the file had this stamp is true of the file with stamp {@code now}. */
    boolean vouchesFor(FileStamp now) {
        return equals(now);
    }
}
