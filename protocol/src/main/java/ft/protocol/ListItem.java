package ft.protocol;

import java.util.Objects;

/**
 * One frame of a list or find stream, which follows an {@code {"status":"ok"}} answer:
 * entries, then exactly one {@link End}. Streaming keeps huge directories out of memory on
 * both sides.
 */
public sealed interface ListItem {

    /**
     * A file, directory or other name.
     *
     * @param path  for list, the name inside the listed directory; for find, the path relative
     *              to the served root
     * @param size  bytes for files, 0 for others
     * @param mtime last modification, epoch milliseconds
     */
    record Entry(String path, EntryType type, long size, long mtime) implements ListItem {
        public Entry {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(type, "type");
            if (size < 0) {
                throw new IllegalArgumentException("size must not be negative");
            }
        }
    }

    /**
     * Closes the stream.
     *
     * @param count how many entries were sent, so a receiver can tell a cut stream
     * @param more  for list: another page follows after the last name sent
     * @param error if not null, the walk stopped early for this reason (e.g. a directory removed
     *              while being walked); the entries sent are still valid
     */
    record End(long count, boolean more, Response.Error error) implements ListItem {}
}
