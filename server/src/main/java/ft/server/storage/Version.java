package ft.server.storage;

/**
 * One version of a file, as opaque as an S3 ETag: equal versions hold equal bytes. Size and
 * mtime are there to be reported; {@code tag} is whatever else the backend needs to tell
 * versions apart (an ETag, or a local file's ctime and inode).
 */
public record Version(long size, long mtime, String tag) {}
