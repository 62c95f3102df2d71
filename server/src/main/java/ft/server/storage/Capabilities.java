package ft.server.storage;

/**
 * What a backend can do beyond {@link Storage}'s promises.
 *
 * @param atomicDirectoryRename       a directory can be moved in one atomic step (S3: no)
 * @param partsReadableBeforeComplete an upload's bytes can be read back before it is published
 *                                    (S3: no, so a resume needs the saved digest state)
 * @param minPartSize                 every part but the last must be at least this long
 *                                    (S3: 5 MiB); 1 where any write is fine
 * @param symlinks                    the tree can hold symbolic links
 */
public record Capabilities(
        boolean atomicDirectoryRename, boolean partsReadableBeforeComplete, long minPartSize, boolean symlinks) {}
